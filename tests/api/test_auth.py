"""Authentication on every endpoint: where the token is read, and Canvas's 401/403 answers."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from mock_canvas.app import create_app
from mock_canvas.fixtures import load_bytes
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.conftest import ApiClient

OBSERVEES = "/api/v1/users/self/observees"
WWW_AUTHENTICATE = 'Bearer realm="canvas-lms"'
JSON = "application/json; charset=utf-8"

INVALID_TOKEN = {"errors": [{"message": "Invalid access token."}]}
EXPIRED_TOKEN = {
    "errors": [{"message": "Expired access token.", "expired_at": "2020-01-01T00:00:00Z"}]
}
UNAUTHENTICATED = {
    "status": "unauthenticated",
    "errors": [{"message": "user authorization required"}],
}
UNAUTHORIZED = {
    "status": "unauthorized",
    "errors": [{"message": "user not authorized to perform that action"}],
}
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}

# Every endpoint of the API, as (method, path) with ids that exist in the default fixture.
ENDPOINTS = [
    ("GET", "/api/v1/users/100/observees"),
    ("POST", "/api/v1/users/100/observees"),
    ("GET", "/api/v1/users/100/observees/200"),
    ("PUT", "/api/v1/users/100/observees/202"),
    ("DELETE", "/api/v1/users/100/observees/200"),
    ("GET", "/api/v1/users/200/observers"),
    ("GET", "/api/v1/users/200/observers/100"),
    ("POST", "/api/v1/users/202/observer_pairing_codes"),
]

# A fixture whose `settings:` asks for the old 401 "unauthorized" status.
FIXTURE_401 = b"""
version: 1
settings: {auth_error_status: 401}
accounts:
  - {id: 1, name: Test University, domain: test.test, default: true}
users:
  - id: 1
    name: Pat Parent
    created_at: 2024-01-01T00:00:00Z
    logins: [{account: 1, unique_id: pat@test.test, password: pat-pass}]
    tokens: [pat-token]
  - id: 2
    name: Sam Student
    created_at: 2024-01-02T00:00:00Z
    logins: [{account: 1, unique_id: sam@test.test, password: sam-pass}]
    tokens: [sam-token]
observer_links:
  - {observer: 1, observee: 2}
"""


def _ids(body: Any) -> list[int]:
    return [user["id"] for user in body]


def _assert_invalid_token(r: Any) -> None:
    assert r.status == 401
    assert r.body == INVALID_TOKEN
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE


def _assert_unauthenticated(r: Any) -> None:
    assert r.status == 401
    assert r.body == UNAUTHENTICATED
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE


# -- where the token comes from ---------------------------------------------------------


def test_bearer_header_authenticates(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="parent-token")
    assert r.status == 200
    assert _ids(r.body) == [201, 200]


def test_access_token_query_param_authenticates(api: ApiClient) -> None:
    r = api.get(OBSERVEES, query={"access_token": "parent-token"})
    assert r.status == 200
    assert _ids(r.body) == [201, 200]


def test_access_token_form_param_authenticates(api: ApiClient) -> None:
    r = api.post("/api/v1/users/self/observer_pairing_codes", data={"access_token": "eli-token"})
    assert r.status == 200
    assert r.body["user_id"] == 202


def test_header_token_wins_over_invalid_query_param(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="parent-token", query={"access_token": "no-such-token"})
    assert r.status == 200
    assert _ids(r.body) == [201, 200]


def test_invalid_header_token_ignores_valid_query_param(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="no-such-token", query={"access_token": "parent-token"})
    _assert_invalid_token(r)


def test_header_token_wins_over_form_param(api: ApiClient) -> None:
    # The form access_token would be Eli (202); the header says Dana (201).
    r = api.post(
        "/api/v1/users/self/observer_pairing_codes",
        token="dana-token",
        data={"access_token": "eli-token"},
    )
    assert r.status == 200
    assert r.body["user_id"] == 201


def test_bearer_with_two_spaces_authenticates(api: ApiClient) -> None:
    # Ruby's `split(" ", 2)` skips the run of blanks after the scheme.
    r = api.get(OBSERVEES, headers={"Authorization": "Bearer  parent-token"})
    assert r.status == 200
    assert _ids(r.body) == [201, 200]


def test_lowercase_bearer_scheme_falls_back_to_query_param(api: ApiClient) -> None:
    r = api.get(
        OBSERVEES,
        headers={"Authorization": "bearer no-such-token"},
        query={"access_token": "parent-token"},
    )
    assert r.status == 200
    assert _ids(r.body) == [201, 200]


def test_lowercase_bearer_scheme_alone_is_unauthenticated(api: ApiClient) -> None:
    r = api.get(OBSERVEES, headers={"Authorization": "bearer parent-token"})
    _assert_unauthenticated(r)


def test_basic_scheme_falls_back_to_query_param(api: ApiClient) -> None:
    r = api.get(
        OBSERVEES,
        headers={"Authorization": "Basic cGFyZW50OnBhc3M="},
        query={"access_token": "parent-token"},
    )
    assert r.status == 200
    assert _ids(r.body) == [201, 200]


def test_bearer_without_token_is_unauthenticated_even_with_query_param(api: ApiClient) -> None:
    r = api.get(
        OBSERVEES, headers={"Authorization": "Bearer"}, query={"access_token": "parent-token"}
    )
    _assert_unauthenticated(r)


def test_empty_access_token_param_is_unauthenticated(api: ApiClient) -> None:
    r = api.get(OBSERVEES + "?access_token=")
    _assert_unauthenticated(r)


# -- 401 answers ------------------------------------------------------------------------


def test_unknown_token_is_401_invalid_access_token(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="no-such-token")
    _assert_invalid_token(r)
    assert r.header("Content-Type") == JSON


def test_unknown_query_token_is_401_invalid_access_token(api: ApiClient) -> None:
    r = api.get(OBSERVEES, query={"access_token": "no-such-token"})
    _assert_invalid_token(r)


def test_unknown_token_body_is_exact_json(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="no-such-token")
    assert r.status == 401
    assert r.text == '{"errors":[{"message":"Invalid access token."}]}'


def test_expired_token_is_401_with_expiry(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="parent-expired-token")
    assert r.status == 401
    assert r.body == EXPIRED_TOKEN
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE
    assert r.header("Content-Type") == JSON


def test_expired_token_in_query_param_is_401_with_expiry(api: ApiClient) -> None:
    r = api.get(OBSERVEES, query={"access_token": "parent-expired-token"})
    assert r.status == 401
    assert r.body == EXPIRED_TOKEN
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE


def test_missing_token_is_401_unauthenticated(api: ApiClient) -> None:
    r = api.get(OBSERVEES)
    _assert_unauthenticated(r)
    assert r.header("Content-Type") == JSON


def test_deleted_users_token_is_401_invalid_access_token(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="deleted-token")
    _assert_invalid_token(r)


def test_unknown_token_is_401_before_a_missing_user_404(api: ApiClient) -> None:
    r = api.get("/api/v1/users/999999/observees", token="no-such-token")
    _assert_invalid_token(r)


def test_missing_token_is_401_before_a_missing_user_404(api: ApiClient) -> None:
    r = api.get("/api/v1/users/999999/observees")
    _assert_unauthenticated(r)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_endpoint_without_token_is_401_unauthenticated(
    api: ApiClient, method: str, path: str
) -> None:
    r = api.request(method, path)
    _assert_unauthenticated(r)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_endpoint_with_unknown_token_is_401_invalid_access_token(
    api: ApiClient, method: str, path: str
) -> None:
    r = api.request(method, path, token="no-such-token")
    _assert_invalid_token(r)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_endpoint_with_expired_token_is_401_expired(api: ApiClient, method: str, path: str) -> None:
    r = api.request(method, path, token="parent-expired-token")
    assert r.status == 401
    assert r.body == EXPIRED_TOKEN
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE


def test_unauthenticated_request_changes_nothing(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/100/observees/200")
    _assert_unauthenticated(r)
    after = api.get(OBSERVEES, token="parent-token")
    assert _ids(after.body) == [201, 200]


# -- 403 answers ------------------------------------------------------------------------


def test_not_allowed_caller_is_403_without_www_authenticate(api: ApiClient) -> None:
    r = api.get("/api/v1/users/200/observees", token="parent-token")
    assert r.status == 403
    assert r.body == UNAUTHORIZED
    assert r.header("WWW-Authenticate") is None
    assert r.header("Content-Type") == JSON


def test_not_allowed_caller_body_is_exact_json(api: ApiClient) -> None:
    r = api.get("/api/v1/users/200/observees", token="parent-token")
    assert r.status == 403
    assert r.text == (
        '{"status":"unauthorized","errors":[{"message":"user not authorized to perform'
        ' that action"}]}'
    )


# -- the 401-instead-of-403 setting (older Canvas) -----------------------------------------


def _get(app: Flask, path: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return app.test_client().get(path, headers=headers)


@pytest.fixture
def app_401(default_dataset: Dataset) -> Flask:
    return create_app(Settings(auth_error_status=401), store=Store(default_dataset))


@pytest.fixture
def fixture_401() -> Dataset:
    return load_bytes(FIXTURE_401, source="fixture-401.yaml")


def test_setting_401_answers_not_allowed_with_401(app_401: Flask) -> None:
    r = _get(app_401, "/api/v1/users/200/observees", "parent-token")
    assert r.status_code == 401
    assert r.get_json() == UNAUTHORIZED
    assert "WWW-Authenticate" not in r.headers
    assert r.headers["Content-Type"] == JSON


def test_setting_401_keeps_www_authenticate_on_missing_token(app_401: Flask) -> None:
    r = _get(app_401, "/api/v1/users/200/observees")
    assert r.status_code == 401
    assert r.get_json() == UNAUTHENTICATED
    assert r.headers["WWW-Authenticate"] == WWW_AUTHENTICATE


def test_setting_401_keeps_www_authenticate_on_unknown_token(app_401: Flask) -> None:
    r = _get(app_401, "/api/v1/users/200/observees", "no-such-token")
    assert r.status_code == 401
    assert r.get_json() == INVALID_TOKEN
    assert r.headers["WWW-Authenticate"] == WWW_AUTHENTICATE


def test_setting_401_leaves_allowed_requests_alone(app_401: Flask) -> None:
    r = _get(app_401, OBSERVEES, "parent-token")
    assert r.status_code == 200
    assert _ids(r.get_json()) == [201, 200]


def test_setting_401_leaves_not_found_alone(app_401: Flask) -> None:
    r = _get(app_401, "/api/v1/users/999999/observees", "parent-token")
    assert r.status_code == 404
    assert r.get_json() == NOT_FOUND


def test_fixture_setting_401_answers_not_allowed_with_401(fixture_401: Dataset) -> None:
    app = create_app(Settings(), store=Store(fixture_401))
    r = _get(app, "/api/v1/users/1/observees", "sam-token")
    assert r.status_code == 401
    assert r.get_json() == UNAUTHORIZED
    assert "WWW-Authenticate" not in r.headers


def test_fixture_setting_401_keeps_self_access(fixture_401: Dataset) -> None:
    app = create_app(Settings(), store=Store(fixture_401))
    r = _get(app, "/api/v1/users/1/observees", "pat-token")
    assert r.status_code == 200
    assert _ids(r.get_json()) == [2]


def test_argument_setting_403_overrides_fixture_setting_401(fixture_401: Dataset) -> None:
    app = create_app(Settings().with_arguments(auth_error_status=403), store=Store(fixture_401))
    r = _get(app, "/api/v1/users/1/observees", "sam-token")
    assert r.status_code == 403
    assert r.get_json() == UNAUTHORIZED
    assert "WWW-Authenticate" not in r.headers
