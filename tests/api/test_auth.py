"""Authentication on every endpoint: where the token is read, and Canvas's 401/403 answers."""

from __future__ import annotations

from typing import Any

import pytest

from mock_canvas.app import create_app
from mock_canvas.fixtures import load_bytes
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.api.helpers import (
    EXPIRED_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_FOUND,
    OBSERVEES,
    UNAUTHENTICATED,
    WWW_AUTHENTICATE,
    assert_error,
    user_ids,
)
from tests.conftest import ApiClient

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


# -- where the token comes from ---------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        pytest.param({"token": "parent-token"}, id="bearer-header"),
        pytest.param({"query": {"access_token": "parent-token"}}, id="access-token-query-param"),
        pytest.param(
            {"token": "parent-token", "query": {"access_token": "no-such-token"}},
            id="header-token-wins-over-invalid-query-param",
        ),
        # Ruby's `split(" ", 2)` skips the run of blanks after the scheme.
        pytest.param(
            {"headers": {"Authorization": "Bearer  parent-token"}}, id="bearer-with-two-spaces"
        ),
        pytest.param(
            {
                "headers": {"Authorization": "bearer no-such-token"},
                "query": {"access_token": "parent-token"},
            },
            id="lowercase-bearer-scheme-falls-back-to-query-param",
        ),
        pytest.param(
            {
                "headers": {"Authorization": "Basic cGFyZW50OnBhc3M="},
                "query": {"access_token": "parent-token"},
            },
            id="basic-scheme-falls-back-to-query-param",
        ),
    ],
)
def test_token_authenticates(api: ApiClient, send: dict[str, Any]) -> None:
    r = api.get(OBSERVEES, **send)
    assert r.status == 200
    assert user_ids(r.body) == [201, 200]


@pytest.mark.parametrize(
    ("token", "user_id"),
    [
        pytest.param(None, 202, id="access-token-form-param"),
        # The form access_token would be Eli (202); the header says Dana (201).
        pytest.param("dana-token", 201, id="header-token-wins-over-form-param"),
    ],
)
def test_token_authenticates_form_post(api: ApiClient, token: str | None, user_id: int) -> None:
    r = api.post(
        "/api/v1/users/self/observer_pairing_codes", token=token, data={"access_token": "eli-token"}
    )
    assert r.status == 200
    assert r.body["user_id"] == user_id


# -- 401 answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "send", "body"),
    [
        pytest.param(
            OBSERVEES,
            {"token": "no-such-token", "query": {"access_token": "parent-token"}},
            INVALID_TOKEN,
            id="invalid-header-token-ignores-valid-query-param",
        ),
        pytest.param(
            OBSERVEES,
            {"headers": {"Authorization": "bearer parent-token"}},
            UNAUTHENTICATED,
            id="lowercase-bearer-scheme-alone-is-unauthenticated",
        ),
        pytest.param(
            OBSERVEES,
            {"headers": {"Authorization": "Bearer"}, "query": {"access_token": "parent-token"}},
            UNAUTHENTICATED,
            id="bearer-without-token-is-unauthenticated-even-with-query-param",
        ),
        pytest.param(
            OBSERVEES + "?access_token=",
            {},
            UNAUTHENTICATED,
            id="empty-access-token-param-is-unauthenticated",
        ),
        pytest.param(
            OBSERVEES, {"token": "no-such-token"}, INVALID_TOKEN, id="unknown-token-is-invalid"
        ),
        pytest.param(
            OBSERVEES,
            {"query": {"access_token": "no-such-token"}},
            INVALID_TOKEN,
            id="unknown-query-token-is-invalid",
        ),
        pytest.param(
            OBSERVEES,
            {"token": "parent-expired-token"},
            EXPIRED_TOKEN,
            id="expired-token-is-expired-with-expiry",
        ),
        pytest.param(
            OBSERVEES,
            {"query": {"access_token": "parent-expired-token"}},
            EXPIRED_TOKEN,
            id="expired-token-in-query-param-is-expired-with-expiry",
        ),
        pytest.param(OBSERVEES, {}, UNAUTHENTICATED, id="missing-token-is-unauthenticated"),
        pytest.param(
            OBSERVEES,
            {"token": "deleted-token"},
            INVALID_TOKEN,
            id="deleted-users-token-is-invalid",
        ),
        pytest.param(
            "/api/v1/users/999999/observees",
            {"token": "no-such-token"},
            INVALID_TOKEN,
            id="unknown-token-is-401-before-a-missing-user-404",
        ),
        pytest.param(
            "/api/v1/users/999999/observees",
            {},
            UNAUTHENTICATED,
            id="missing-token-is-401-before-a-missing-user-404",
        ),
    ],
)
def test_request_is_401(api: ApiClient, path: str, send: dict[str, Any], body: Any) -> None:
    r = api.get(path, **send)
    assert_error(r, 401, body, www_authenticate=WWW_AUTHENTICATE)


@pytest.mark.parametrize(
    ("path", "token", "status", "text"),
    [
        pytest.param(
            OBSERVEES,
            "no-such-token",
            401,
            '{"errors":[{"message":"Invalid access token."}]}',
            id="unknown-token",
        ),
        pytest.param(
            "/api/v1/users/200/observees",
            "parent-token",
            403,
            '{"status":"unauthorized","errors":[{"message":"user not authorized to perform'
            ' that action"}]}',
            id="not-allowed-caller",
        ),
    ],
)
def test_error_body_is_exact_json(
    api: ApiClient, path: str, token: str, status: int, text: str
) -> None:
    r = api.get(path, token=token)
    assert r.status == status
    assert r.text == text


@pytest.mark.parametrize(
    ("token", "body"),
    [
        pytest.param(None, UNAUTHENTICATED, id="without-token-is-unauthenticated"),
        pytest.param("no-such-token", INVALID_TOKEN, id="with-unknown-token-is-invalid"),
        pytest.param("parent-expired-token", EXPIRED_TOKEN, id="with-expired-token-is-expired"),
    ],
)
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_endpoint_is_401(
    api: ApiClient, method: str, path: str, token: str | None, body: Any
) -> None:
    r = api.request(method, path, token=token)
    assert_error(r, 401, body, www_authenticate=WWW_AUTHENTICATE)


def test_unauthenticated_request_changes_nothing(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/100/observees/200")
    assert_error(r, 401, UNAUTHENTICATED, www_authenticate=WWW_AUTHENTICATE)
    after = api.get(OBSERVEES, token="parent-token")
    assert user_ids(after.body) == [201, 200]


# -- 403 answers ------------------------------------------------------------------------


def test_not_allowed_caller_is_403_without_www_authenticate(api: ApiClient) -> None:
    r = api.get("/api/v1/users/200/observees", token="parent-token")
    assert_error(r, 403, FORBIDDEN)


# -- the 401-instead-of-403 setting (older Canvas) -----------------------------------------


@pytest.fixture
def api_401(default_dataset: Dataset) -> ApiClient:
    """The default fixture in-process, with the 401-instead-of-403 setting."""
    return ApiClient(
        "inprocess", create_app(Settings(auth_error_status=401), store=Store(default_dataset))
    )


@pytest.fixture
def fixture_401() -> Dataset:
    """FIXTURE_401, parsed."""
    return load_bytes(FIXTURE_401, source="fixture-401.yaml")


@pytest.mark.parametrize(
    ("token", "body", "www_authenticate"),
    [
        pytest.param("parent-token", FORBIDDEN, None, id="answers-not-allowed-with-401"),
        pytest.param(
            None, UNAUTHENTICATED, WWW_AUTHENTICATE, id="keeps-www-authenticate-on-missing-token"
        ),
        pytest.param(
            "no-such-token",
            INVALID_TOKEN,
            WWW_AUTHENTICATE,
            id="keeps-www-authenticate-on-unknown-token",
        ),
    ],
)
def test_setting_401(
    api_401: ApiClient, token: str | None, body: Any, www_authenticate: str | None
) -> None:
    r = api_401.get("/api/v1/users/200/observees", token=token)
    assert_error(r, 401, body, www_authenticate=www_authenticate)


def test_setting_401_leaves_allowed_requests_alone(api_401: ApiClient) -> None:
    r = api_401.get(OBSERVEES, token="parent-token")
    assert r.status == 200
    assert user_ids(r.body) == [201, 200]


def test_setting_401_leaves_not_found_alone(api_401: ApiClient) -> None:
    r = api_401.get("/api/v1/users/999999/observees", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


@pytest.mark.parametrize(
    ("settings", "status"),
    [
        pytest.param(Settings(), 401, id="fixture-setting-401-answers-not-allowed-with-401"),
        pytest.param(
            Settings().with_arguments(auth_error_status=403),
            403,
            id="argument-setting-403-overrides-fixture-setting-401",
        ),
    ],
)
def test_fixture_setting_401(fixture_401: Dataset, settings: Settings, status: int) -> None:
    api = ApiClient("inprocess", create_app(settings, store=Store(fixture_401)))
    r = api.get("/api/v1/users/1/observees", token="sam-token")
    assert_error(r, status, FORBIDDEN)


def test_fixture_setting_401_keeps_self_access(fixture_401: Dataset) -> None:
    api = ApiClient("inprocess", create_app(Settings(), store=Store(fixture_401)))
    r = api.get("/api/v1/users/1/observees", token="pat-token")
    assert r.status == 200
    assert user_ids(r.body) == [2]
