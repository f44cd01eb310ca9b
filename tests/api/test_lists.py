"""GET /users/:id/observees and /users/:id/observers: who may list, what, in which order."""

from __future__ import annotations

from typing import Any

import pytest

from mock_canvas.fixtures import load_bytes
from tests.conftest import ApiClient

UNAUTHORIZED = {
    "status": "unauthorized",
    "errors": [{"message": "user not authorized to perform that action"}],
}
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}

BASE_KEYS = ["id", "name", "created_at", "sortable_name", "short_name"]
SIS_KEYS = ["sis_user_id", "integration_id", "login_id"]
LINK_KEY = "observation_link_root_account_ids"
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


def _ids(body: Any) -> list[int]:
    return [user["id"] for user in body]


def _roots(body: Any) -> dict[int, list[int]]:
    return {user["id"]: sorted(user[LINK_KEY]) for user in body}


def _base(api: ApiClient) -> str:
    """The scheme and host the mock sees when no Host header is set."""
    return api.base_url if api.mode == "live" and api.base_url else "http://localhost"


def _assert_forbidden(r: Any) -> None:
    assert r.status == 403
    assert r.body == UNAUTHORIZED
    assert r.header("WWW-Authenticate") is None


def _assert_not_found(r: Any) -> None:
    assert r.status == 404
    assert r.body == NOT_FOUND


def _walk_keys(value: Any) -> set[str]:
    keys: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(key)
            keys |= _walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            keys |= _walk_keys(item)
    return keys


@pytest.fixture
def sorting_api(api: ApiClient) -> ApiClient:
    """The api fixture with SORTING_FIXTURE loaded (the next test gets the default back)."""
    api.store.load(load_bytes(SORTING_FIXTURE, source="sorting.yaml"))
    return api


# -- contents and order -----------------------------------------------------------------


def test_list_observees_orders_by_sortable_name(api: ApiClient) -> None:
    # "Brooks, Dana" (201) before "Smith, Child" (200): not id order.
    r = api.get("/api/v1/users/self/observees", token="parent-token")
    assert r.status == 200
    assert _ids(r.body) == [201, 200]
    assert r.header("Content-Type") == "application/json; charset=utf-8"


def test_list_observers_orders_by_sortable_name(api: ApiClient) -> None:
    # "Guardian, Morgan" (101) before "Smith, Parent" (100).
    r = api.get("/api/v1/users/self/observers", token="dana-token")
    assert r.status == 200
    assert _ids(r.body) == [101, 100]


def test_list_observees_sorts_case_insensitively_then_by_id(sorting_api: ApiClient) -> None:
    r = sorting_api.get("/api/v1/users/self/observees", token="olive-token")
    assert r.status == 200
    # adams < Baker < Cole (12, then 13) < Dupont, Emile < Dupont, Eve
    assert _ids(r.body) == [10, 11, 12, 13, 15, 14]


def test_list_observees_lists_student_linked_twice_once(api: ApiClient) -> None:
    # Morgan Guardian has links to Dana Brooks in accounts 1 and 2.
    r = api.get("/api/v1/users/self/observees", token="guardian-token")
    assert r.status == 200
    assert _ids(r.body) == [201]


def test_list_observers_lists_observer_linked_twice_once(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers", token="dana-token")
    assert r.status == 200
    assert sorted(_ids(r.body)) == [100, 101]
    assert len(r.body) == 2


def test_list_observees_omits_deleted_links(api: ApiClient) -> None:
    # Guardian's link to Child Smith (200) is deleted.
    r = api.get("/api/v1/users/101/observees", token="admin-token")
    assert r.status == 200
    assert 200 not in _ids(r.body)


def test_list_observers_omits_deleted_links(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers", token="student-token")
    assert r.status == 200
    assert _ids(r.body) == [100]


def test_list_observees_of_user_without_links_is_empty(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees", token="newparent-token")
    assert r.status == 200
    assert r.body == []


def test_list_observees_after_delete_omits_the_student(api: ApiClient) -> None:
    assert api.delete("/api/v1/users/self/observees/200", token="parent-token").status == 200
    r = api.get("/api/v1/users/self/observees", token="parent-token")
    assert _ids(r.body) == [201]


# -- who may list -----------------------------------------------------------------------


def test_list_observees_as_admin_returns_every_student(api: ApiClient) -> None:
    r = api.get("/api/v1/users/100/observees", token="admin-token")
    assert r.status == 200
    assert _ids(r.body) == [201, 200]


def test_list_observers_as_admin_returns_every_observer(api: ApiClient) -> None:
    r = api.get("/api/v1/users/201/observers", token="admin-token")
    assert r.status == 200
    assert _ids(r.body) == [101, 100]


def test_list_observees_of_other_user_as_non_admin_is_forbidden(api: ApiClient) -> None:
    _assert_forbidden(api.get("/api/v1/users/101/observees", token="parent-token"))


def test_list_observers_of_observed_student_as_observer_is_forbidden(api: ApiClient) -> None:
    # The permission is on the student: observing Child Smith does not let you list hers.
    _assert_forbidden(api.get("/api/v1/users/200/observers", token="parent-token"))


def test_list_observees_as_admin_without_permission_is_forbidden(api: ApiClient) -> None:
    _assert_forbidden(api.get("/api/v1/users/100/observees", token="noperm-token"))


def test_list_observers_as_admin_without_permission_is_forbidden(api: ApiClient) -> None:
    _assert_forbidden(api.get("/api/v1/users/200/observers", token="noperm-token"))


def test_list_observees_as_sub_account_admin_is_forbidden(api: ApiClient) -> None:
    # The permission is checked on root accounts; Sadie administers sub-account 3 only.
    _assert_forbidden(api.get("/api/v1/users/100/observees", token="subadmin-token"))


def test_list_observees_as_admin_of_other_root_account_is_forbidden(api: ApiClient) -> None:
    # Parent Smith belongs to Canvas University only; Rhea administers Riverside.
    _assert_forbidden(api.get("/api/v1/users/100/observees", token="riverside-admin-token"))


def test_list_observees_as_admin_of_other_root_account_on_its_domain_is_forbidden(
    api: ApiClient,
) -> None:
    # The subject's root accounts decide, not the domain the request went to.
    r = api.get("/api/v1/users/100/observees", token="riverside-admin-token", host="riverside.test")
    _assert_forbidden(r)


def test_list_observees_as_admin_of_shared_root_account_is_allowed(api: ApiClient) -> None:
    r = api.get("/api/v1/users/101/observees", token="riverside-admin-token")
    assert r.status == 200
    assert _ids(r.body) == [201]


def test_list_observees_of_missing_user_is_not_found(api: ApiClient) -> None:
    _assert_not_found(api.get("/api/v1/users/999999/observees", token="admin-token"))


def test_list_observers_of_missing_user_is_not_found(api: ApiClient) -> None:
    _assert_not_found(api.get("/api/v1/users/999999/observers", token="admin-token"))


def test_list_observees_of_user_in_no_root_account_is_not_found(sorting_api: ApiClient) -> None:
    _assert_not_found(sorting_api.get("/api/v1/users/20/observees", token="andy-token"))


def test_list_observers_of_user_in_no_root_account_is_not_found(sorting_api: ApiClient) -> None:
    _assert_not_found(sorting_api.get("/api/v1/users/20/observers", token="andy-token"))


# -- observation_link_root_account_ids ----------------------------------------------------


def test_list_observees_as_self_shows_every_link_account(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees", token="guardian-token")
    assert _roots(r.body) == {201: [1, 2]}


def test_list_observees_as_admin_shows_only_permitted_link_accounts(api: ApiClient) -> None:
    r = api.get("/api/v1/users/101/observees", token="admin-token")
    assert r.status == 200
    assert [u[LINK_KEY] for u in r.body] == [[1]]


def test_list_observees_as_other_root_admin_shows_only_its_account(api: ApiClient) -> None:
    r = api.get("/api/v1/users/101/observees", token="riverside-admin-token")
    assert r.status == 200
    assert [u[LINK_KEY] for u in r.body] == [[2]]


def test_list_observers_as_self_shows_every_link_account(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers", token="dana-token")
    assert _roots(r.body) == {101: [1, 2], 100: [1]}


def test_list_observers_as_admin_may_show_empty_link_accounts(api: ApiClient) -> None:
    # Rhea (Riverside) sees Dana's observers; Parent Smith's only link is in account 1.
    r = api.get("/api/v1/users/201/observers", token="riverside-admin-token")
    assert r.status == 200
    assert _ids(r.body) == [101, 100]
    assert [u[LINK_KEY] for u in r.body] == [[2], []]


# -- the user object ----------------------------------------------------------------------


def test_list_observees_user_object_is_exact(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees", token="parent-token")
    assert r.body == [
        {
            "id": 201,
            "name": "Dana Brooks",
            "created_at": "2024-08-05T12:00:00Z",
            "sortable_name": "Brooks, Dana",
            "short_name": "Dana Brooks",
            LINK_KEY: [1],
        },
        {
            "id": 200,
            "name": "Child Smith",
            "created_at": "2024-08-04T12:00:00Z",
            "sortable_name": "Smith, Child",
            "short_name": "Child Smith",
            LINK_KEY: [1],
        },
    ]


def test_list_observees_user_keys_are_in_canvas_order(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees", token="parent-token")
    for user in r.body:
        assert list(user) == [*BASE_KEYS, LINK_KEY]


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


def test_list_observees_as_admin_of_other_domain_has_no_sis_fields(api: ApiClient) -> None:
    # Ada administers Canvas University, but the request went to riverside.test.
    r = api.get("/api/v1/users/101/observees", token="admin-token", host="riverside.test")
    assert r.status == 200
    for user in r.body:
        assert list(user) == [*BASE_KEYS, LINK_KEY]


def test_list_observees_as_admin_off_domain_admin_has_no_sis_fields(api: ApiClient) -> None:
    # Rhea may list Guardian's observees, but canvas.test's root account is not hers.
    r = api.get("/api/v1/users/101/observees", token="riverside-admin-token", host="canvas.test")
    assert r.status == 200
    for user in r.body:
        assert list(user) == [*BASE_KEYS, LINK_KEY]


def test_list_observees_as_non_admin_has_no_sis_fields(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees", token="guardian-token", host="canvas.test")
    assert r.status == 200
    for user in r.body:
        assert list(user) == [*BASE_KEYS, LINK_KEY]


def test_show_observee_as_admin_has_no_sis_fields(api: ApiClient) -> None:
    r = api.get("/api/v1/users/100/observees/200", token="admin-token", host="canvas.test")
    assert r.status == 200
    assert list(r.body) == [*BASE_KEYS, LINK_KEY]


def test_show_observer_as_admin_has_no_sis_fields(api: ApiClient) -> None:
    r = api.get("/api/v1/users/200/observers/100", token="admin-token", host="canvas.test")
    assert r.status == 200
    assert list(r.body) == [*BASE_KEYS, LINK_KEY]


def test_put_observee_as_admin_has_no_sis_fields(api: ApiClient) -> None:
    r = api.put("/api/v1/users/100/observees/202", token="admin-token", host="canvas.test")
    assert r.status == 200
    assert list(r.body) == [*BASE_KEYS, LINK_KEY]


def test_delete_observee_as_admin_has_no_sis_fields(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/100/observees/200", token="admin-token", host="canvas.test")
    assert r.status == 200
    assert list(r.body) == [*BASE_KEYS, LINK_KEY]


# -- avatar_url -------------------------------------------------------------------------


def test_list_observers_with_include_avatar_url_adds_absolute_urls(api: ApiClient) -> None:
    r = api.get(
        "/api/v1/users/self/observers",
        token="dana-token",
        query={"include[]": "avatar_url"},
        host="canvas.test",
    )
    assert r.status == 200
    avatars = {u["id"]: u["avatar_url"] for u in r.body}
    assert avatars == {
        101: "http://canvas.test" + FALLBACK_AVATAR,
        100: "http://canvas.test/images/parent.png",
    }


def test_list_observers_with_unbracketed_include_adds_avatar_url(api: ApiClient) -> None:
    r = api.get(
        "/api/v1/users/self/observers",
        token="dana-token",
        query={"include": "avatar_url"},
        host="canvas.test",
    )
    assert r.status == 200
    avatars = {u["id"]: u["avatar_url"] for u in r.body}
    assert avatars == {
        101: "http://canvas.test" + FALLBACK_AVATAR,
        100: "http://canvas.test/images/parent.png",
    }


def test_list_observees_with_include_avatar_url_uses_fallback(api: ApiClient) -> None:
    r = api.get(
        "/api/v1/users/self/observees?include[]=avatar_url",
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
    assert r.body[1]["avatar_url"] == _base(api) + "/images/parent.png"


def test_list_avatar_url_keeps_absolute_stored_url(sorting_api: ApiClient) -> None:
    r = sorting_api.get(
        "/api/v1/users/self/observees?include[]=avatar_url", token="olive-token", host="test.test"
    )
    assert r.status == 200
    avatars = {u["id"]: u["avatar_url"] for u in r.body}
    assert avatars[11] == "https://cdn.example.com/al.png"
    assert avatars[10] == "http://test.test" + FALLBACK_AVATAR


def test_list_without_include_has_no_avatar_url(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers", token="dana-token")
    assert r.status == 200
    for user in r.body:
        assert "avatar_url" not in user


def test_list_with_other_include_has_no_avatar_url(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers?include[]=email", token="dana-token")
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


def test_show_observer_with_include_has_no_avatar_url(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers/100?include[]=avatar_url", token="dana-token")
    assert r.status == 200
    assert list(r.body) == [*BASE_KEYS, LINK_KEY]


def test_show_observee_with_include_has_no_avatar_url(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/200?include[]=avatar_url", token="parent-token")
    assert r.status == 200
    assert list(r.body) == [*BASE_KEYS, LINK_KEY]


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
