"""The arrange endpoints under /__mock__: accounts, users, links, pairing codes, token expiry."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask

from benchmarks.dashboard import big_dataset
from mock_canvas import arrange, dashboard
from mock_canvas.app import create_app
from mock_canvas.model import Dataset
from mock_canvas.server import MockCanvasServer
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.api.helpers import EXPIRED_TOKEN, OBSERVEES, link_rows, observee_ids
from tests.conftest import ApiClient, Resp

JSON = {"Content-Type": "application/json"}


def with_arrange(app: Flask) -> Flask:
    """The app with the arrange and dashboard blueprints (a no-op once create_app has them)."""
    for blueprint in (arrange.bp, dashboard.bp):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    return app


@pytest.fixture(scope="module")
def _arrange_app(default_dataset: Dataset) -> Flask:
    return with_arrange(create_app(Settings(), store=Store(default_dataset)))


@pytest.fixture(scope="module")
def _arrange_server(default_dataset: Dataset) -> Iterator[tuple[Flask, MockCanvasServer]]:
    app = with_arrange(create_app(Settings(), store=Store(default_dataset)))
    with MockCanvasServer(app) as server:
        yield app, server


@pytest.fixture(params=["inprocess", pytest.param("live", marks=pytest.mark.live)])
def api(request: pytest.FixtureRequest, default_dataset: Dataset) -> ApiClient:
    """The default fixture, reset, behind either transport, with the arrange routes."""
    if request.param == "live":
        app, server = request.getfixturevalue("_arrange_server")
        client = ApiClient("live", app, server.url)
    else:
        client = ApiClient("inprocess", request.getfixturevalue("_arrange_app"))
    state = client.app.extensions["mock_canvas"]
    if client.store.dataset is not default_dataset:
        client.store.load(default_dataset)
    state.reset()
    state.clear_snapshots()
    sandboxes = getattr(state, "sandboxes", None)
    if sandboxes is not None:
        sandboxes.clear()
    return client


def error(message: str) -> dict[str, object]:
    return {"errors": [{"message": message}]}


def assert_error(r: Resp, status: int, message: str) -> None:
    assert r.status == status, r.text
    assert r.header("content-type") == "application/json; charset=utf-8"
    assert r.body == error(message)


def post(api: ApiClient, path: str, body: object) -> Resp:
    return api.post(path, data=json.dumps(body), headers=JSON)


def delete(api: ApiClient, path: str, body: object) -> Resp:
    return api.delete(path, data=json.dumps(body), headers=JSON)


def freeze(api: ApiClient, instant: str) -> None:
    r = api.put("/__mock__/clock", data=json.dumps({"freeze": instant}), headers=JSON)
    assert r.status == 200, r.text


# -- accounts -------------------------------------------------------------------------------


def test_list_accounts_in_id_order(api: ApiClient) -> None:
    r = api.get("/__mock__/accounts")
    assert r.status == 200
    assert r.body == [
        {
            "id": 1,
            "name": "Canvas University",
            "parent_id": None,
            "root_account_id": 1,
            "domain": "canvas.test",
            "default": True,
        },
        {
            "id": 2,
            "name": "Riverside School District",
            "parent_id": None,
            "root_account_id": 2,
            "domain": "riverside.test",
            "default": False,
        },
        {
            "id": 3,
            "name": "Science Faculty",
            "parent_id": 1,
            "root_account_id": 1,
            "domain": None,
            "default": False,
        },
    ]


# -- users ----------------------------------------------------------------------------------


def test_list_users_pages_in_id_order(api: ApiClient) -> None:
    every = sorted(user.id for user in api.store.dataset.users)
    r = api.get("/__mock__/users", query={"per_page": 10, "page": 2})
    assert r.status == 200
    assert (r.body["total"], r.body["page"], r.body["per_page"]) == (len(every), 2, 10)
    assert [u["id"] for u in r.body["users"]] == every[10:20]


def test_list_users_defaults_to_25_a_page(api: ApiClient) -> None:
    r = api.get("/__mock__/users")
    assert (r.body["page"], r.body["per_page"], len(r.body["users"])) == (1, 25, 25)


def test_list_users_past_the_end_is_empty(api: ApiClient) -> None:
    r = api.get("/__mock__/users", query={"page": 1000})
    assert r.status == 200
    assert r.body["users"] == []
    assert r.body["total"] == len(api.store.dataset.users)


def test_list_users_shows_logins_tokens_and_roles_but_no_password(api: ApiClient) -> None:
    r = api.get("/__mock__/users", query={"search": "100"})
    [user] = [u for u in r.body["users"] if u["id"] == 100]
    assert user == {
        "id": 100,
        "name": "Parent Smith",
        "sortable_name": "Smith, Parent",
        "short_name": "Parent Smith",
        "state": "active",
        "logins": [
            {
                "account_id": 1,
                "unique_id": "parent@canvas.test",
                "sis_user_id": "P100",
                "integration_id": "I100",
            }
        ],
        "tokens": [
            {"token": "parent-token", "expires_at": None, "expired": False},
            {
                "token": "parent-expired-token",
                "expires_at": "2020-01-01T00:00:00Z",
                "expired": True,
            },
        ],
        "roles": {"site_admin": False, "admin": [], "enrollments": []},
    }
    assert "password" not in r.text
    assert "parent-pass" not in r.text


def test_list_users_shows_admin_roles_and_enrollments(api: ApiClient) -> None:
    r = api.get("/__mock__/users", query={"search": "noperm@"})
    [user] = r.body["users"]
    assert user["roles"]["admin"] == [
        {"account_id": 1, "permissions": {"manage_user_observers": False}}
    ]
    r = api.get("/__mock__/users", query={"search": "Child Smith"})
    [user] = r.body["users"]
    assert user["roles"]["enrollments"] == [{"course_id": 10, "type": "student", "state": "active"}]


def test_list_users_searches_names_case_insensitively(api: ApiClient) -> None:
    r = api.get("/__mock__/users", query={"search": "  sMITH "})
    assert r.status == 200
    names = [u["name"] for u in r.body["users"]]
    assert {"Parent Smith", "Child Smith"} <= set(names)
    assert all(
        "smith" in n.lower() or "smith" in u["sortable_name"].lower()
        for n, u in zip(names, r.body["users"], strict=True)
    )
    assert r.body["total"] == len(names)


def test_list_users_searches_logins_and_sis_ids(api: ApiClient) -> None:
    assert [
        u["id"]
        for u in api.get("/__mock__/users", query={"search": "GUARDIAN@RIVERSIDE"}).body["users"]
    ] == [101]
    assert [
        u["id"] for u in api.get("/__mock__/users", query={"search": "s201"}).body["users"]
    ] == [201]
    assert [
        u["id"] for u in api.get("/__mock__/users", query={"search": "i100"}).body["users"]
    ] == [100]


def test_list_users_matches_an_exact_id(api: ApiClient) -> None:
    r = api.get("/__mock__/users", query={"search": "202"})
    assert 202 in [u["id"] for u in r.body["users"]]
    r = api.get("/__mock__/users", query={"search": "987654"})
    assert r.body == {"users": [], "total": 0, "page": 1, "per_page": 25}


def test_list_users_shows_an_expiry_set_by_the_control_api(api: ApiClient) -> None:
    r = post(api, "/__mock__/tokens/expire", {"token": "eli-token", "at": "2031-02-03T04:05:06Z"})
    assert r.status == 200
    [user] = api.get("/__mock__/users", query={"search": "eli@"}).body["users"]
    assert user["tokens"] == [
        {"token": "eli-token", "expires_at": "2031-02-03T04:05:06Z", "expired": False}
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": "0"}, "page must be an integer from 1 to 1000000000."),
        ({"page": "x"}, "page must be an integer from 1 to 1000000000."),
        ({"per_page": "101"}, "per_page must be an integer from 1 to 100."),
        ({"per_page": "-1"}, "per_page must be an integer from 1 to 100."),
    ],
)
def test_list_users_refuses_a_bad_page(api: ApiClient, query: dict[str, str], message: str) -> None:
    assert_error(api.get("/__mock__/users", query=query), 400, message)


# -- links ----------------------------------------------------------------------------------


def test_list_links_shows_names_and_state(api: ApiClient) -> None:
    r = api.get("/__mock__/links", query={"user_id": 101})
    assert r.status == 200
    assert r.body["links"] == [
        {
            "observer_id": 101,
            "observer_name": "Morgan Guardian",
            "student_id": 200,
            "student_name": "Child Smith",
            "root_account_id": 1,
            "root_account_name": "Canvas University",
            "state": "deleted",
        },
        {
            "observer_id": 101,
            "observer_name": "Morgan Guardian",
            "student_id": 201,
            "student_name": "Dana Brooks",
            "root_account_id": 1,
            "root_account_name": "Canvas University",
            "state": "active",
        },
        {
            "observer_id": 101,
            "observer_name": "Morgan Guardian",
            "student_id": 201,
            "student_name": "Dana Brooks",
            "root_account_id": 2,
            "root_account_name": "Riverside School District",
            "state": "active",
        },
    ]
    assert r.body["total"] == 3


def test_list_links_filters_by_root_account_and_state(api: ApiClient) -> None:
    r = api.get("/__mock__/links", query={"root_account_id": 2, "per_page": 100})
    assert {(k["observer_id"], k["student_id"]) for k in r.body["links"]} == {(101, 201)}
    r = api.get("/__mock__/links", query={"state": "deleted", "per_page": 100})
    assert [(k["observer_id"], k["student_id"]) for k in r.body["links"]] == [(101, 200)]
    expected = sum(1 for state in link_rows(api).values() if state == "active")
    assert api.get("/__mock__/links", query={"state": "active"}).body["total"] == expected


def test_list_links_pages(api: ApiClient) -> None:
    every = api.get("/__mock__/links", query={"per_page": 100}).body["links"]
    r = api.get("/__mock__/links", query={"per_page": 5, "page": 3})
    assert r.body["links"] == every[10:15]
    assert r.body["total"] == len(link_rows(api))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"state": "gone"}, "state must be active or deleted."),
        ({"root_account_id": "one"}, "root_account_id must be an integer."),
        ({"user_id": "1.5"}, "user_id must be an integer."),
        ({"page": "-3"}, "page must be an integer from 1 to 1000000000."),
    ],
)
def test_list_links_refuses_a_bad_filter(
    api: ApiClient, query: dict[str, str], message: str
) -> None:
    assert_error(api.get("/__mock__/links", query=query), 400, message)


def test_add_link_links_in_every_common_root_account(api: ApiClient) -> None:
    r = post(api, "/__mock__/links", {"observer_id": 102, "student_id": 203})
    assert r.status == 201
    assert r.body == {"observer_id": 102, "student_id": 203, "root_account_ids": [1]}
    assert link_rows(api)[(102, 203, 1)] == "active"
    assert observee_ids(api, "newparent-token") == [203]  # the Canvas API sees it


def test_add_link_in_one_root_account(api: ApiClient) -> None:
    assert delete(api, "/__mock__/links", {"observer_id": 101, "student_id": 201}).status == 200
    r = post(api, "/__mock__/links", {"observer_id": 101, "student_id": 201, "root_account_id": 2})
    assert r.status == 201
    assert r.body["root_account_ids"] == [2]
    rows = link_rows(api)
    assert (rows[(101, 201, 1)], rows[(101, 201, 2)]) == ("deleted", "active")


def test_add_link_again_is_idempotent(api: ApiClient) -> None:
    r = post(
        api, "/__mock__/links", {"observer_id": 100, "student_id": 200, "root_account_id": None}
    )
    assert r.status == 201
    assert r.body["root_account_ids"] == [1]
    assert observee_ids(api, "parent-token") == [201, 200]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"observer_id": 999, "student_id": 200}, 404, "No user with id 999."),
        ({"observer_id": 102, "student_id": 999}, 404, "No user with id 999."),
        (
            {"observer_id": 102, "student_id": 203, "root_account_id": 9},
            404,
            "No root account with id 9.",
        ),
        (
            {"observer_id": 102, "student_id": 203, "root_account_id": 3},
            404,
            "No root account with id 3.",
        ),
        ({"observer_id": 102, "student_id": 102}, 422, "A user cannot observe themselves."),
        ({"observer_id": 102, "student_id": 400}, 422, "Users 102 and 400 share no root account."),
        (
            {"observer_id": 102, "student_id": 203, "root_account_id": 2},
            422,
            "Users 102 and 203 share no root account 2.",
        ),
        ({"student_id": 203}, 400, "observer_id must be an integer."),
        ({"observer_id": "102", "student_id": 203}, 400, "observer_id must be an integer."),
        ({"observer_id": True, "student_id": 203}, 400, "observer_id must be an integer."),
        ({"observer_id": 102, "student_id": 203.0}, 400, "student_id must be an integer."),
        (
            {"observer_id": 102, "student_id": 203, "root_account_id": "1"},
            400,
            "root_account_id must be an integer or null.",
        ),
        ([102, 203], 400, "The request body must be a JSON object."),
    ],
)
def test_add_link_refuses_and_changes_nothing(
    api: ApiClient, body: object, status: int, message: str
) -> None:
    before = link_rows(api)
    assert_error(post(api, "/__mock__/links", body), status, message)
    assert link_rows(api) == before


@pytest.mark.parametrize(
    "data", [b"", b"{", b"\xff\xfe", b"[" * 100_000, b'{"observer_id": 1e400, "student_id": 1}']
)
def test_add_link_refuses_a_body_that_is_not_a_json_object(api: ApiClient, data: bytes) -> None:
    before = link_rows(api)
    r = api.post("/__mock__/links", data=data, headers=JSON)
    assert r.status == 400, r.text
    assert r.body["errors"][0]["message"] in (
        "The request body is not valid JSON.",
        "The request body must be a JSON object.",
        "observer_id must be an integer.",
    )
    assert link_rows(api) == before


def test_add_link_refuses_a_body_not_sent_as_json(api: ApiClient) -> None:
    # A page on another site can POST text/plain or a form without a preflight: refused.
    before = link_rows(api)
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        r = api.post(
            "/__mock__/links", data='{"observer_id": 102, "student_id": 203}', headers=headers
        )
        assert_error(r, 415, "The body must be JSON, sent as application/json.")
    assert link_rows(api) == before


def test_remove_link_soft_deletes_in_every_root_account(api: ApiClient) -> None:
    r = delete(api, "/__mock__/links", {"observer_id": 101, "student_id": 201})
    assert r.status == 200
    assert r.body == {"observer_id": 101, "student_id": 201, "root_account_ids": [1, 2]}
    rows = link_rows(api)
    assert (rows[(101, 201, 1)], rows[(101, 201, 2)]) == ("deleted", "deleted")
    assert observee_ids(api, "guardian-token") == []


def test_remove_link_in_one_root_account(api: ApiClient) -> None:
    r = delete(
        api, "/__mock__/links", {"observer_id": 101, "student_id": 201, "root_account_id": 1}
    )
    assert r.status == 200
    assert r.body["root_account_ids"] == [1]
    rows = link_rows(api)
    assert (rows[(101, 201, 1)], rows[(101, 201, 2)]) == ("deleted", "active")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"observer_id": 102, "student_id": 203}, 422, "User 102 does not observe user 203."),
        ({"observer_id": 101, "student_id": 200}, 422, "User 101 does not observe user 200."),
        (
            {"observer_id": 100, "student_id": 200, "root_account_id": 2},
            422,
            "User 100 does not observe user 200 in root account 2.",
        ),
        ({"observer_id": 100, "student_id": 999}, 404, "No user with id 999."),
        ({"observer_id": 100, "student_id": 100}, 422, "A user cannot observe themselves."),
        ({"observer_id": None, "student_id": 200}, 400, "observer_id must be an integer."),
    ],
)
def test_remove_link_refuses_and_changes_nothing(
    api: ApiClient, body: object, status: int, message: str
) -> None:
    before = link_rows(api)
    assert_error(delete(api, "/__mock__/links", body), status, message)
    assert link_rows(api) == before


# -- pairing codes --------------------------------------------------------------------------


def test_list_pairing_codes_with_expiry_by_the_mock_clock(api: ApiClient) -> None:
    freeze(api, "2029-12-31T00:00:00Z")
    r = api.get("/__mock__/pairing_codes")
    assert r.status == 200
    assert r.body == {
        "pairing_codes": [
            {
                "user_id": 202,
                "user_name": "Eli Carter",
                "code": "Eli202",
                "expires_at": "2030-01-01T00:00:00Z",
                "expired": False,
                "expires_in_seconds": 86400,
            }
        ],
        "total": 1,
        "page": 1,
        "per_page": 25,
    }
    freeze(api, "2030-01-01T01:00:00Z")
    [code] = api.get("/__mock__/pairing_codes").body["pairing_codes"]
    assert (code["expired"], code["expires_in_seconds"]) == (True, -3600)


def test_add_pairing_code_is_random_and_valid_for_seven_days(api: ApiClient) -> None:
    freeze(api, "2030-06-01T00:00:00Z")
    r = post(api, "/__mock__/pairing_codes", {"user_id": 203})
    assert r.status == 201
    code = r.body["code"]
    assert len(code) == 6 and code.isalnum()
    assert r.body == {
        "user_id": 203,
        "user_name": "Frankie Ortiz",
        "code": code,
        "expires_at": "2030-06-08T00:00:00Z",
        "expired": False,
        "expires_in_seconds": 7 * 86400,
    }
    listed = api.get("/__mock__/pairing_codes", query={"user_id": 203}).body["pairing_codes"]
    assert [c["code"] for c in listed] == [code]
    # and a parent can use it through the Canvas API
    r2 = api.post(OBSERVEES, token="newparent-token", data={"pairing_code": code})
    assert r2.status == 200, r2.text
    assert observee_ids(api, "newparent-token") == [203]


def test_add_pairing_code_with_its_code_and_expiry(api: ApiClient) -> None:
    freeze(api, "2030-06-01T00:00:00Z")
    r = post(
        api,
        "/__mock__/pairing_codes",
        {"user_id": 200, "code": "Abc123", "expires_at": "2030-05-31T23:00:00+00:00"},
    )
    assert r.status == 201
    assert (r.body["code"], r.body["expires_at"], r.body["expired"]) == (
        "Abc123",
        "2030-05-31T23:00:00Z",
        True,
    )
    r2 = api.post(OBSERVEES, token="newparent-token", data={"pairing_code": "Abc123"})
    assert r2.status == 422  # expired by the mock's clock


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"user_id": 999}, 404, "No user with id 999."),
        ({"user_id": 202, "code": "Eli202"}, 422, "The pairing code 'Eli202' is already in use."),
        ({"user_id": 202, "code": "short"}, 400, "code must be 6 characters of A-Z, a-z and 0-9."),
        ({"user_id": 202, "code": "ab-123"}, 400, "code must be 6 characters of A-Z, a-z and 0-9."),
        ({"user_id": 202, "code": 123456}, 400, "code must be a string or null."),
        (
            {"user_id": 202, "expires_at": "tomorrow"},
            400,
            "expires_at must be an ISO 8601 date-time with a zone, e.g. 2030-01-01T00:00:00Z",
        ),
        (
            {"user_id": 202, "expires_at": "2030-01-01T00:00:00"},
            400,
            "expires_at must be an ISO 8601 date-time with a zone, e.g. 2030-01-01T00:00:00Z",
        ),
        (
            {"user_id": 202, "expires_at": "9999-12-31T23:59:59-14:00"},
            400,
            "expires_at must be within the years 1 to 9999 in UTC.",
        ),
        ({"user_id": "202"}, 400, "user_id must be an integer."),
        ({}, 400, "user_id must be an integer."),
    ],
)
def test_add_pairing_code_refuses_and_changes_nothing(
    api: ApiClient, body: object, status: int, message: str
) -> None:
    before = api.store.pairing_codes()
    assert_error(post(api, "/__mock__/pairing_codes", body), status, message)
    assert api.store.pairing_codes() == before


def test_add_pairing_code_when_seven_days_would_pass_the_year_9999(api: ApiClient) -> None:
    freeze(api, "9999-12-30T00:00:00Z")
    r = post(api, "/__mock__/pairing_codes", {"user_id": 202})
    assert r.status == 201  # expires at the last instant there is, not in 7 days
    assert r.body["expires_at"] == "9999-12-31T23:59:59Z"
    r = post(api, "/__mock__/pairing_codes", {"user_id": 202, "expires_at": "9999-12-31T00:00:00Z"})
    assert r.status == 201
    assert r.body["expires_in_seconds"] == 86400


# -- tokens ---------------------------------------------------------------------------------


def test_expire_token_now_makes_the_api_refuse_it(api: ApiClient) -> None:
    freeze(api, "2030-01-01T00:00:00Z")
    r = post(api, "/__mock__/tokens/expire", {"token": "parent-token"})
    assert r.status == 200
    assert r.body == {"status": "ok"}
    assert "parent-token" not in r.text
    r2 = api.get(OBSERVEES, token="parent-token")
    assert r2.status == 401
    assert r2.body["errors"][0]["message"] == "Expired access token."


def test_expire_token_at_an_instant(api: ApiClient) -> None:
    freeze(api, "2030-01-01T00:00:00Z")
    r = post(
        api, "/__mock__/tokens/expire", {"token": "parent-token", "at": "2030-01-02T00:00:00Z"}
    )
    assert r.status == 200
    assert api.get(OBSERVEES, token="parent-token").status == 200
    freeze(api, "2030-01-02T00:00:00Z")
    assert api.get(OBSERVEES, token="parent-token").status == 401


def test_expire_token_can_revive_an_expired_one(api: ApiClient) -> None:
    r = post(
        api,
        "/__mock__/tokens/expire",
        {"token": "parent-expired-token", "at": "2999-01-01T00:00:00Z"},
    )
    assert r.status == 200
    assert api.get(OBSERVEES, token="parent-expired-token").status == 200
    api.post("/__mock__/reset")
    r2 = api.get(OBSERVEES, token="parent-expired-token")
    assert (r2.status, r2.body) == (401, EXPIRED_TOKEN)


def test_expire_token_unknown_is_404_without_echoing_it(api: ApiClient) -> None:
    r = post(api, "/__mock__/tokens/expire", {"token": "secret-looking-value"})
    assert_error(r, 404, "No such token.")
    assert "secret-looking-value" not in r.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "token must be a non-empty string."),
        ({"token": ""}, "token must be a non-empty string."),
        ({"token": 5}, "token must be a non-empty string."),
        (
            {"token": "parent-token", "at": "soon"},
            "at must be an ISO 8601 date-time with a zone, e.g. 2030-01-01T00:00:00Z",
        ),
        (
            {"token": "parent-token", "at": "0001-01-01T00:00:00+01:00"},
            "at must be within the years 1 to 9999 in UTC.",
        ),
        ("parent-token", "The request body must be a JSON object."),
    ],
)
def test_expire_token_refuses_bad_input(api: ApiClient, body: object, message: str) -> None:
    r = post(api, "/__mock__/tokens/expire", body)
    assert_error(r, 400, message)
    assert api.get(OBSERVEES, token="parent-token").status == 200


# -- the control token ----------------------------------------------------------------------

ARRANGE_CALLS = [
    ("GET", "/__mock__/accounts", None),
    ("GET", "/__mock__/users", None),
    ("GET", "/__mock__/links", None),
    ("POST", "/__mock__/links", {"observer_id": 102, "student_id": 203}),
    ("DELETE", "/__mock__/links", {"observer_id": 100, "student_id": 200}),
    ("GET", "/__mock__/pairing_codes", None),
    ("POST", "/__mock__/pairing_codes", {"user_id": 203}),
    ("POST", "/__mock__/tokens/expire", {"token": "parent-token"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ARRANGE_CALLS)
def test_arrange_calls_need_the_control_token(
    default_dataset: Dataset, method: str, path: str, body: object
) -> None:
    app = with_arrange(
        create_app(Settings(control_token="ctl-secret"), store=Store(default_dataset))
    )
    client = ApiClient("inprocess", app)
    data = None if body is None else json.dumps(body)
    before = link_rows(client), client.store.pairing_codes()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic ctl-secret"}):
        r = client.request(method, path, data=data, headers={**JSON, **headers})
        assert_error(r, 401, "This control call needs the control token as a Bearer token.")
    assert (link_rows(client), client.store.pairing_codes()) == before
    r = client.request(
        method, path, data=data, headers={**JSON, "Authorization": "Bearer ctl-secret"}
    )
    assert r.status in (200, 201), r.text


# -- a large fixture ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_app() -> Flask:
    # Correctness at a size where paging and search have real work to do; their speed with
    # 100,000 users is measured by `python -m benchmarks` (item 9), not asserted here.
    return with_arrange(create_app(Settings(), store=Store(big_dataset(5_000))))


@pytest.mark.parametrize(
    ("url", "total", "first_id"),
    [
        ("/__mock__/users?page=100", 5_000, 2476),
        # Family12 and Family120-129 (i % 997), each 5 or 6 times in 5,000 users.
        (
            "/__mock__/users?search=family12&page=2",
            sum(1 for i in range(1, 5_001) if "family12" in f"family{i % 997}"),
            None,
        ),
        ("/__mock__/users?search=SIS4999", 1, 4999),
        ("/__mock__/users?search=4999", 1, 4999),
        ("/__mock__/links?page=10", 499, None),
        ("/__mock__/links?user_id=77", 1, None),
    ],
)
def test_list_users_and_links_page_and_search_a_large_fixture(
    big_app: Flask, url: str, total: int, first_id: int | None
) -> None:
    response = big_app.test_client().get(url)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == total
    if first_id is not None:
        assert body["users"][0]["id"] == first_id


def test_list_users_finds_by_exact_id_in_a_large_fixture(big_app: Flask) -> None:
    body = big_app.test_client().get("/__mock__/users?search=4999").get_json()
    assert 4999 in [u["id"] for u in body["users"]]
    body = big_app.test_client().get("/__mock__/users?search=sis5000").get_json()
    assert [u["id"] for u in body["users"]] == [5000]


def test_user_index_is_rebuilt_for_a_new_fixture(api: ApiClient) -> None:
    assert api.get("/__mock__/users", query={"search": "Pat Parent"}).body["total"] == 0
    fixture = {
        "version": 1,
        "accounts": [{"id": 1, "name": "Solo"}],
        "users": [{"id": 1, "name": "Pat Parent", "logins": [{"account": 1, "unique_id": "pat"}]}],
    }
    r = api.put("/__mock__/fixtures", data=json.dumps(fixture), headers=JSON)
    assert r.status == 200, r.text
    r = api.get("/__mock__/users", query={"search": "Pat Parent"})
    assert [u["id"] for u in r.body["users"]] == [1]
    assert r.body["total"] == 1


def test_a_search_of_thousands_of_digits_is_an_empty_page_not_a_500(api: ApiClient) -> None:
    r = api.get("/__mock__/users", query={"search": "1" * 5000})
    assert r.status == 200
    assert (r.body["users"], r.body["total"]) == ([], 0)
