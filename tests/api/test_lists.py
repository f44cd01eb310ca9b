"""GET /users/:id/observees and /users/:id/observers: who may list, what, in which order."""

from __future__ import annotations

from typing import Any

import pytest

from mock_canvas.fixtures import load_bytes
from tests.api.helpers import (
    BASE_KEYS,
    FORBIDDEN,
    JSON_TYPE,
    LINK_KEY,
    NOT_FOUND,
    OBSERVEES,
    assert_error,
    base_url,
    expected_user,
    user_ids,
)
from tests.conftest import ApiClient

SIS_KEYS = ["sis_user_id", "integration_id", "login_id"]
FALLBACK_AVATAR = "/images/messages/avatar-50.png"

# Users whose order tells case-insensitive, accent-insensitive sorting and the id tie-break
# apart from byte order and from fixture order; a user in no root account; absolute avatars.
SORTING_FIXTURE = b"""
version: 1
accounts:
  - {id: 1, name: Test University, domain: test.test, default: true}
users:
  - id: 1
    name: Olive Observer
    created_at: 2024-01-01T00:00:00Z
    logins: [{account: 1, unique_id: olive@test.test, password: olive-pass}]
    tokens: [olive-token]
  - id: 2
    name: Andy Admin
    created_at: 2024-01-01T00:00:00Z
    logins: [{account: 1, unique_id: andy@test.test, password: andy-pass}]
    tokens: [andy-token]
    admin: [{account: 1}]
  - id: 13
    name: Pat Cole
    sortable_name: Cole, Pat
    created_at: 2024-01-02T00:00:00Z
    logins: [{account: 1, unique_id: pat13@test.test}]
  - id: 12
    name: Pat Cole
    sortable_name: Cole, Pat
    created_at: 2024-01-03T00:00:00Z
    logins: [{account: 1, unique_id: pat12@test.test}]
  - id: 11
    name: Al Baker
    sortable_name: Baker, Al
    created_at: 2024-01-04T00:00:00Z
    avatar_url: https://cdn.example.com/al.png
    logins: [{account: 1, unique_id: al@test.test}]
  - id: 14
    name: Eve Dupont
    sortable_name: Dupont, Eve
    created_at: 2024-01-05T00:00:00Z
    logins: [{account: 1, unique_id: eve@test.test}]
  - id: 15
    name: Emile Dupont
    sortable_name: "Dupont, \\u00c9mile"
    created_at: 2024-01-06T00:00:00Z
    logins: [{account: 1, unique_id: emile@test.test}]
  - id: 10
    name: Zed Adams
    sortable_name: adams, Zed
    created_at: 2024-01-07T00:00:00Z
    logins: [{account: 1, unique_id: zed@test.test}]
  - id: 20
    name: Nora Nowhere
    created_at: 2024-01-08T00:00:00Z
observer_links:
  - {observer: 1, observee: 13}
  - {observer: 1, observee: 12}
  - {observer: 1, observee: 11}
  - {observer: 1, observee: 14}
  - {observer: 1, observee: 15}
  - {observer: 1, observee: 10}
"""


def _walk_keys(value: Any) -> set[str]:
    """Every dict key anywhere in a JSON value."""
    keys: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(key)
            keys |= _walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            keys |= _walk_keys(item)
    return keys


def _roots(body: Any) -> dict[int, list[int]]:
    """Each user's link root account ids, sorted."""
    return {user["id"]: sorted(user[LINK_KEY]) for user in body}


@pytest.fixture
def sorting_api(api: ApiClient) -> ApiClient:
    """The api fixture with SORTING_FIXTURE loaded (the next test gets the default back)."""
    api.store.load(load_bytes(SORTING_FIXTURE, source="sorting.yaml"))
    return api


# -- contents and order -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "expected"),
    [
        # "Brooks, Dana" (201) before "Smith, Child" (200): not id order.
        pytest.param(OBSERVEES, "parent-token", [201, 200], id="observees-orders-by-sortable-name"),
        # "Guardian, Morgan" (101) before "Smith, Parent" (100).
        pytest.param(
            "/api/v1/users/self/observers",
            "dana-token",
            [101, 100],
            id="observers-orders-by-sortable-name",
        ),
        # Morgan Guardian has links to Dana Brooks in accounts 1 and 2.
        pytest.param(
            OBSERVEES, "guardian-token", [201], id="observees-lists-student-linked-twice-once"
        ),
        pytest.param(
            "/api/v1/users/self/observers",
            "student-token",
            [100],
            id="observers-omits-deleted-links",
        ),
        pytest.param(
            "/api/v1/users/100/observees",
            "admin-token",
            [201, 200],
            id="observees-as-admin-returns-every-student",
        ),
        pytest.param(
            "/api/v1/users/201/observers",
            "admin-token",
            [101, 100],
            id="observers-as-admin-returns-every-observer",
        ),
        pytest.param(
            "/api/v1/users/101/observees",
            "riverside-admin-token",
            [201],
            id="observees-as-admin-of-shared-root-account-is-allowed",
        ),
    ],
)
def test_list_returns_users_in_order(
    api: ApiClient, path: str, token: str, expected: list[int]
) -> None:
    r = api.get(path, token=token)
    assert r.status == 200
    assert user_ids(r.body) == expected
    assert r.header("Content-Type") == JSON_TYPE


def test_list_observees_sorts_case_insensitively_then_by_id(sorting_api: ApiClient) -> None:
    r = sorting_api.get(OBSERVEES, token="olive-token")
    assert r.status == 200
    # adams < Baker < Cole (12, then 13) < Dupont, Emile < Dupont, Eve
    assert user_ids(r.body) == [10, 11, 12, 13, 15, 14]


def test_list_observers_lists_observer_linked_twice_once(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers", token="dana-token")
    assert r.status == 200
    assert sorted(user_ids(r.body)) == [100, 101]
    assert len(r.body) == 2


def test_list_observees_omits_deleted_links(api: ApiClient) -> None:
    # Guardian's link to Child Smith (200) is deleted.
    r = api.get("/api/v1/users/101/observees", token="admin-token")
    assert r.status == 200
    assert 200 not in user_ids(r.body)


def test_list_observees_of_user_without_links_is_empty(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="newparent-token")
    assert r.status == 200
    assert r.body == []


def test_list_observees_after_delete_omits_the_student(api: ApiClient) -> None:
    assert api.delete("/api/v1/users/self/observees/200", token="parent-token").status == 200
    r = api.get(OBSERVEES, token="parent-token")
    assert user_ids(r.body) == [201]


# -- who may list -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "host", "status", "body"),
    [
        pytest.param(
            "/api/v1/users/101/observees",
            "parent-token",
            None,
            403,
            FORBIDDEN,
            id="observees-of-other-user-as-non-admin-is-forbidden",
        ),
        # The permission is on the student: observing Child Smith does not let you list hers.
        pytest.param(
            "/api/v1/users/200/observers",
            "parent-token",
            None,
            403,
            FORBIDDEN,
            id="observers-of-observed-student-as-observer-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/100/observees",
            "noperm-token",
            None,
            403,
            FORBIDDEN,
            id="observees-as-admin-without-permission-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/200/observers",
            "noperm-token",
            None,
            403,
            FORBIDDEN,
            id="observers-as-admin-without-permission-is-forbidden",
        ),
        # The permission is checked on root accounts; Sadie administers sub-account 3 only.
        pytest.param(
            "/api/v1/users/100/observees",
            "subadmin-token",
            None,
            403,
            FORBIDDEN,
            id="observees-as-sub-account-admin-is-forbidden",
        ),
        # Parent Smith belongs to Canvas University only; Rhea administers Riverside.
        pytest.param(
            "/api/v1/users/100/observees",
            "riverside-admin-token",
            None,
            403,
            FORBIDDEN,
            id="observees-as-admin-of-other-root-account-is-forbidden",
        ),
        # The subject's root accounts decide, not the domain the request went to.
        pytest.param(
            "/api/v1/users/100/observees",
            "riverside-admin-token",
            "riverside.test",
            403,
            FORBIDDEN,
            id="observees-as-admin-of-other-root-account-on-its-domain-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/999999/observees",
            "admin-token",
            None,
            404,
            NOT_FOUND,
            id="observees-of-missing-user-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/999999/observers",
            "admin-token",
            None,
            404,
            NOT_FOUND,
            id="observers-of-missing-user-is-not-found",
        ),
    ],
)
def test_list_is_refused(
    api: ApiClient, path: str, token: str, host: str | None, status: int, body: dict[str, Any]
) -> None:
    assert_error(api.get(path, token=token, host=host), status, body)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/v1/users/20/observees", id="observees"),
        pytest.param("/api/v1/users/20/observers", id="observers"),
    ],
)
def test_list_of_user_in_no_root_account_is_not_found(sorting_api: ApiClient, path: str) -> None:
    assert_error(sorting_api.get(path, token="andy-token"), 404, NOT_FOUND)


# -- observation_link_root_account_ids ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "expected"),
    [
        pytest.param(OBSERVEES, "guardian-token", {201: [1, 2]}, id="observees"),
        pytest.param(
            "/api/v1/users/self/observers", "dana-token", {101: [1, 2], 100: [1]}, id="observers"
        ),
    ],
)
def test_list_as_self_shows_every_link_account(
    api: ApiClient, path: str, token: str, expected: dict[int, list[int]]
) -> None:
    r = api.get(path, token=token)
    assert _roots(r.body) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        pytest.param("admin-token", [[1]], id="as-admin-shows-only-permitted-link-accounts"),
        pytest.param(
            "riverside-admin-token", [[2]], id="as-other-root-admin-shows-only-its-account"
        ),
    ],
)
def test_list_observees_by_admin_shows_only_permitted_link_accounts(
    api: ApiClient, token: str, expected: list[list[int]]
) -> None:
    r = api.get("/api/v1/users/101/observees", token=token)
    assert r.status == 200
    assert [u[LINK_KEY] for u in r.body] == expected


def test_list_observers_as_admin_may_show_empty_link_accounts(api: ApiClient) -> None:
    # Rhea (Riverside) sees Dana's observers; Parent Smith's only link is in account 1.
    r = api.get("/api/v1/users/201/observers", token="riverside-admin-token")
    assert r.status == 200
    assert user_ids(r.body) == [101, 100]
    assert [u[LINK_KEY] for u in r.body] == [[2], []]


# -- the user object ----------------------------------------------------------------------


def test_list_observees_user_object_is_exact(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="parent-token")
    assert r.body == [expected_user(201, [1]), expected_user(200, [1])]


@pytest.mark.parametrize(
    ("path", "token", "host"),
    [
        pytest.param(OBSERVEES, "parent-token", None, id="user-keys-are-in-canvas-order"),
        # Ada administers Canvas University, but the request went to riverside.test.
        pytest.param(
            "/api/v1/users/101/observees",
            "admin-token",
            "riverside.test",
            id="as-admin-of-other-domain",
        ),
        # Rhea may list Guardian's observees, but canvas.test's root account is not hers.
        pytest.param(
            "/api/v1/users/101/observees",
            "riverside-admin-token",
            "canvas.test",
            id="as-admin-off-domain-admin",
        ),
        pytest.param(OBSERVEES, "guardian-token", "canvas.test", id="as-non-admin"),
    ],
)
def test_list_observees_has_no_sis_fields(
    api: ApiClient, path: str, token: str, host: str | None
) -> None:
    r = api.get(path, token=token, host=host)
    assert r.status == 200
    for user in r.body:
        assert list(user) == [*BASE_KEYS, LINK_KEY]


@pytest.mark.parametrize(
    ("method", "path", "token", "host"),
    [
        pytest.param(
            "GET",
            "/api/v1/users/100/observees/200",
            "admin-token",
            "canvas.test",
            id="show-observee-as-admin",
        ),
        pytest.param(
            "GET",
            "/api/v1/users/200/observers/100",
            "admin-token",
            "canvas.test",
            id="show-observer-as-admin",
        ),
        pytest.param(
            "PUT",
            "/api/v1/users/100/observees/202",
            "admin-token",
            "canvas.test",
            id="put-observee-as-admin",
        ),
        pytest.param(
            "DELETE",
            "/api/v1/users/100/observees/200",
            "admin-token",
            "canvas.test",
            id="delete-observee-as-admin",
        ),
        pytest.param(
            "GET",
            "/api/v1/users/self/observers/100?include[]=avatar_url",
            "dana-token",
            None,
            id="show-observer-with-avatar-include",
        ),
        pytest.param(
            "GET",
            "/api/v1/users/self/observees/200?include[]=avatar_url",
            "parent-token",
            None,
            id="show-observee-with-avatar-include",
        ),
    ],
)
def test_single_user_object_has_no_sis_fields_or_avatar(
    api: ApiClient, method: str, path: str, token: str, host: str | None
) -> None:
    r = api.request(method, path, token=token, host=host)
    assert r.status == 200
    assert list(r.body) == [*BASE_KEYS, LINK_KEY]


def test_list_observees_as_domain_admin_adds_sis_fields(api: ApiClient) -> None:
    r = api.get("/api/v1/users/100/observees", token="admin-token", host="canvas.test")
    assert r.status == 200
    dana, child = r.body
    assert list(dana) == [*BASE_KEYS, *SIS_KEYS, LINK_KEY]
    assert (dana["sis_user_id"], dana["integration_id"], dana["login_id"]) == (
        "S201",
        None,
        "dana@canvas.test",
    )
    assert (child["sis_user_id"], child["integration_id"], child["login_id"]) == (
        "S200",
        "SI200",
        "student@canvas.test",
    )


def test_list_observers_as_domain_admin_adds_sis_fields(api: ApiClient) -> None:
    r = api.get("/api/v1/users/200/observers", token="admin-token")
    assert r.status == 200
    assert r.body == [
        {
            "id": 100,
            "name": "Parent Smith",
            "created_at": "2024-08-01T12:00:00Z",
            "sortable_name": "Smith, Parent",
            "short_name": "Parent Smith",
            "sis_user_id": "P100",
            "integration_id": "I100",
            "login_id": "parent@canvas.test",
            LINK_KEY: [1],
        }
    ]


def test_list_observees_sis_fields_come_from_domain_root_account_login(api: ApiClient) -> None:
    # On riverside.test, Rhea sees Dana's Riverside login, which has no SIS ids.
    r = api.get("/api/v1/users/101/observees", token="riverside-admin-token", host="riverside.test")
    assert r.status == 200
    (dana,) = r.body
    assert list(dana) == [*BASE_KEYS, *SIS_KEYS, LINK_KEY]
    assert (dana["sis_user_id"], dana["integration_id"], dana["login_id"]) == (
        None,
        None,
        "dana@riverside.test",
    )


def test_list_observers_as_domain_admin_omits_login_id_without_domain_login(
    api: ApiClient,
) -> None:
    # Parent Smith has no login in Riverside: null SIS ids, no login_id key.
    r = api.get("/api/v1/users/201/observers", token="riverside-admin-token", host="riverside.test")
    assert r.status == 200
    parent = r.body[1]
    assert parent["id"] == 100
    assert list(parent) == [*BASE_KEYS, "sis_user_id", "integration_id", LINK_KEY]
    assert parent["sis_user_id"] is None
    assert parent["integration_id"] is None


# -- avatar_url -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{"include[]": "avatar_url"}, {"include": "avatar_url"}],
    ids=["bracketed", "unbracketed"],
)
def test_list_observers_with_include_avatar_url_adds_absolute_urls(
    api: ApiClient, query: dict[str, str]
) -> None:
    r = api.get("/api/v1/users/self/observers", token="dana-token", query=query, host="canvas.test")
    assert r.status == 200
    avatars = {u["id"]: u["avatar_url"] for u in r.body}
    assert avatars == {
        101: "http://canvas.test" + FALLBACK_AVATAR,
        100: "http://canvas.test/images/parent.png",
    }


def test_list_observees_with_include_avatar_url_uses_fallback(api: ApiClient) -> None:
    r = api.get(
        OBSERVEES + "?include[]=avatar_url",
        token="parent-token",
        host="canvas.test",
    )
    assert r.status == 200
    assert [u["avatar_url"] for u in r.body] == ["http://canvas.test" + FALLBACK_AVATAR] * 2


def test_list_avatar_url_uses_request_host_and_port(api: ApiClient) -> None:
    r = api.get(
        "/api/v1/users/self/observers?include[]=avatar_url",
        token="dana-token",
        host="riverside.test:8443",
    )
    assert r.status == 200
    assert r.body[1]["avatar_url"] == "http://riverside.test:8443/images/parent.png"


def test_list_avatar_url_without_host_header_uses_server_address(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers?include[]=avatar_url", token="dana-token")
    assert r.status == 200
    assert r.body[1]["avatar_url"] == base_url(api) + "/images/parent.png"


def test_list_avatar_url_keeps_absolute_stored_url(sorting_api: ApiClient) -> None:
    r = sorting_api.get(OBSERVEES + "?include[]=avatar_url", token="olive-token", host="test.test")
    assert r.status == 200
    avatars = {u["id"]: u["avatar_url"] for u in r.body}
    assert avatars[11] == "https://cdn.example.com/al.png"
    assert avatars[10] == "http://test.test" + FALLBACK_AVATAR


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/v1/users/self/observers", id="without-include"),
        pytest.param("/api/v1/users/self/observers?include[]=email", id="with-other-include"),
    ],
)
def test_list_has_no_avatar_url(api: ApiClient, path: str) -> None:
    r = api.get(path, token="dana-token")
    assert r.status == 200
    for user in r.body:
        assert "avatar_url" not in user


def test_list_avatar_url_key_comes_before_link_accounts(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers?include[]=avatar_url", token="dana-token")
    for user in r.body:
        assert list(user) == [*BASE_KEYS, "avatar_url", LINK_KEY]


def test_list_as_domain_admin_with_avatar_orders_sis_then_avatar(api: ApiClient) -> None:
    r = api.get(
        "/api/v1/users/200/observers?include[]=avatar_url", token="admin-token", host="canvas.test"
    )
    assert r.status == 200
    (parent,) = r.body
    assert list(parent) == [*BASE_KEYS, *SIS_KEYS, "avatar_url", LINK_KEY]
    assert parent["avatar_url"] == "http://canvas.test/images/parent.png"


# -- never secrets ----------------------------------------------------------------------

FORBIDDEN_KEYS = {
    "email",
    "primary_email",
    "password",
    "crypted_password",
    "token",
    "tokens",
    "access_token",
    "logins",
    "pseudonyms",
}


@pytest.mark.parametrize(
    ("token", "path"),
    [
        ("admin-token", "/api/v1/users/100/observees?include[]=avatar_url&include[]=email"),
        ("admin-token", "/api/v1/users/201/observers?include[]=avatar_url&include[]=email"),
        ("parent-token", "/api/v1/users/self/observees?include[]=email"),
        ("dana-token", "/api/v1/users/self/observers?include[]=email"),
        ("admin-token", "/api/v1/users/100/observees/200"),
        ("admin-token", "/api/v1/users/200/observers/100"),
    ],
)
def test_list_and_show_never_expose_email_password_or_token(
    api: ApiClient, token: str, path: str
) -> None:
    r = api.get(path, token=token, host="canvas.test")
    assert r.status == 200
    assert not (_walk_keys(r.body) & FORBIDDEN_KEYS)
    for secret in ("-pass", "-token", "password"):
        assert secret not in r.text
