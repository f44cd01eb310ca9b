"""GET /users/:user_id/observees/:observee_id and GET /users/:user_id/observers/:observer_id."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ApiClient, Resp

JSON_TYPE = "application/json; charset=utf-8"
NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
FORBIDDEN = {
    "status": "unauthorized",
    "errors": [{"message": "user not authorized to perform that action"}],
}
USER_KEYS = [
    "id",
    "name",
    "created_at",
    "sortable_name",
    "short_name",
    "observation_link_root_account_ids",
]
PEOPLE = {
    100: ("Parent Smith", "Smith, Parent", "2024-08-01T12:00:00Z"),
    101: ("Morgan Guardian", "Guardian, Morgan", "2024-08-02T12:00:00Z"),
    200: ("Child Smith", "Smith, Child", "2024-08-04T12:00:00Z"),
    201: ("Dana Brooks", "Brooks, Dana", "2024-08-05T12:00:00Z"),
}


# -- helpers ----------------------------------------------------------------------------


def expected_user(user_id: int, link_ids: list[int]) -> dict[str, Any]:
    name, sortable_name, created_at = PEOPLE[user_id]
    return {
        "id": user_id,
        "name": name,
        "created_at": created_at,
        "sortable_name": sortable_name,
        "short_name": name,
        "observation_link_root_account_ids": link_ids,
    }


def assert_user(r: Resp, user_id: int, link_ids: list[int]) -> None:
    """A 200 with exactly the user object (link ids compared as a set), keys in order."""
    assert r.status == 200, r.text
    assert r.header("content-type") == JSON_TYPE
    assert list(r.body) == USER_KEYS
    body = dict(r.body)
    body["observation_link_root_account_ids"] = sorted(body["observation_link_root_account_ids"])
    assert body == expected_user(user_id, sorted(link_ids))


def assert_error(r: Resp, status: int, body: dict[str, Any]) -> None:
    assert r.status == status, r.text
    assert r.header("content-type") == JSON_TYPE
    assert r.body == body


# -- show observee ------------------------------------------------------------------------


def test_show_observee_by_observer_returns_student(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/200", token="parent-token")
    assert_user(r, 200, [1])


def test_show_observee_by_observer_lists_every_link_account(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/201", token="guardian-token")
    assert_user(r, 201, [1, 2])


def test_show_observee_by_sis_ids_returns_student(api: ApiClient) -> None:
    r = api.get("/api/v1/users/sis_user_id:P100/observees/sis_user_id:S200", token="parent-token")
    assert_user(r, 200, [1])


def test_show_observee_by_admin_returns_student(api: ApiClient) -> None:
    r = api.get("/api/v1/users/100/observees/200", token="admin-token")
    assert_user(r, 200, [1])


def test_show_observee_by_admin_lists_only_permitted_accounts(api: ApiClient) -> None:
    r = api.get("/api/v1/users/101/observees/201", token="riverside-admin-token")
    assert_user(r, 201, [2])


def test_show_observee_by_account_1_admin_lists_account_1(api: ApiClient) -> None:
    r = api.get("/api/v1/users/101/observees/201", token="admin-token")
    assert_user(r, 201, [1])


def test_show_observee_by_admin_has_no_sis_fields(api: ApiClient) -> None:
    # Student 200 has sis_user_id S200 and integration_id SI200; single-user endpoints
    # never show them, not even to an admin of the domain root account.
    r = api.get("/api/v1/users/100/observees/200", token="admin-token")
    assert_user(r, 200, [1])
    for key in ("sis_user_id", "integration_id", "login_id", "avatar_url", "email"):
        assert key not in r.body


@pytest.mark.parametrize(
    "query",
    [{"include[]": "avatar_url"}, {"include": "avatar_url"}],
    ids=["bracketed", "unbracketed"],
)
def test_show_observee_ignores_avatar_include(api: ApiClient, query: dict[str, str]) -> None:
    # On the list endpoints this include gives every user an avatar_url (the fallback image
    # when none is stored); the single-user endpoints never show it.
    r = api.get("/api/v1/users/self/observees/200", token="parent-token", query=query)
    assert_user(r, 200, [1])
    assert "avatar_url" not in r.body


def test_show_observee_with_deleted_link_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/200", token="guardian-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observee_without_link_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/202", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observee_reversed_link_is_not_found(api: ApiClient) -> None:
    # Child Smith does not observe Parent Smith.
    r = api.get("/api/v1/users/self/observees/100", token="student-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observee_after_removal_is_not_found(api: ApiClient) -> None:
    assert api.delete("/api/v1/users/self/observees/200", token="parent-token").status == 200
    r = api.get("/api/v1/users/self/observees/200", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observee_unknown_student_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/9999", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observee_deleted_student_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/500", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observee_unknown_observer_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/9999/observees/200", token="admin-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observee_deleted_observer_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/500/observees/200", token="admin-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observee_by_other_user_is_forbidden(api: ApiClient) -> None:
    r = api.get("/api/v1/users/101/observees/201", token="parent-token")
    assert_error(r, 403, FORBIDDEN)
    assert r.header("www-authenticate") is None


def test_show_observee_by_student_of_the_link_is_forbidden(api: ApiClient) -> None:
    # The permission is on the observer (the path user), not on the student.
    r = api.get("/api/v1/users/100/observees/self", token="student-token")
    assert_error(r, 403, FORBIDDEN)


def test_show_observee_by_admin_without_permission_is_forbidden(api: ApiClient) -> None:
    r = api.get("/api/v1/users/100/observees/200", token="noperm-token")
    assert_error(r, 403, FORBIDDEN)


def test_show_observee_by_admin_of_other_account_is_forbidden(api: ApiClient) -> None:
    r = api.get("/api/v1/users/100/observees/200", token="riverside-admin-token")
    assert_error(r, 403, FORBIDDEN)


def test_show_observee_permission_is_checked_before_student_lookup(api: ApiClient) -> None:
    r = api.get("/api/v1/users/101/observees/9999", token="parent-token")
    assert_error(r, 403, FORBIDDEN)


def test_show_observee_changes_nothing(api: ApiClient) -> None:
    before = [
        (x.observer_id, x.student_id, x.root_account_id, x.state) for x in api.store.export().links
    ]
    assert api.get("/api/v1/users/self/observees/200", token="parent-token").status == 200
    after = [
        (x.observer_id, x.student_id, x.root_account_id, x.state) for x in api.store.export().links
    ]
    assert sorted(after) == sorted(before)


# -- show observer ------------------------------------------------------------------------


def test_show_observer_by_student_returns_observer(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers/100", token="student-token")
    assert_user(r, 100, [1])


def test_show_observer_by_student_lists_every_link_account(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers/101", token="dana-token")
    assert_user(r, 101, [1, 2])


def test_show_observer_by_admin_returns_observer(api: ApiClient) -> None:
    r = api.get("/api/v1/users/200/observers/100", token="admin-token")
    assert_user(r, 100, [1])


def test_show_observer_by_admin_lists_only_permitted_accounts(api: ApiClient) -> None:
    r = api.get("/api/v1/users/201/observers/101", token="riverside-admin-token")
    assert_user(r, 101, [2])


@pytest.mark.parametrize(
    "query",
    [{"include[]": "avatar_url"}, {"include": "avatar_url"}],
    ids=["bracketed", "unbracketed"],
)
def test_show_observer_ignores_avatar_include(api: ApiClient, query: dict[str, str]) -> None:
    # Parent Smith has an avatar, but only the list endpoints ever show avatar_url.
    r = api.get("/api/v1/users/200/observers/100", token="admin-token", query=query)
    assert_user(r, 100, [1])
    assert "avatar_url" not in r.body


def test_show_observer_by_admin_has_no_sis_fields(api: ApiClient) -> None:
    # Parent 100 has sis_user_id P100 and integration_id I100.
    r = api.get("/api/v1/users/200/observers/100", token="admin-token")
    assert_user(r, 100, [1])
    for key in ("sis_user_id", "integration_id", "login_id", "email"):
        assert key not in r.body


def test_show_observer_by_the_observer_is_forbidden(api: ApiClient) -> None:
    # The permission is on the student (the path user): the observer is neither that
    # student nor an admin.
    r = api.get("/api/v1/users/200/observers/self", token="parent-token")
    assert_error(r, 403, FORBIDDEN)
    assert r.header("www-authenticate") is None


def test_show_observer_by_admin_without_permission_is_forbidden(api: ApiClient) -> None:
    r = api.get("/api/v1/users/200/observers/100", token="noperm-token")
    assert_error(r, 403, FORBIDDEN)


def test_show_observer_by_admin_of_other_account_is_forbidden(api: ApiClient) -> None:
    r = api.get("/api/v1/users/200/observers/100", token="riverside-admin-token")
    assert_error(r, 403, FORBIDDEN)


def test_show_observer_with_deleted_link_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers/101", token="student-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observer_without_link_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers/102", token="student-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observer_reversed_link_is_not_found(api: ApiClient) -> None:
    # Parent Smith is not observed by Child Smith.
    r = api.get("/api/v1/users/self/observers/200", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observer_unknown_observer_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers/9999", token="student-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observer_unknown_student_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/9999/observers/100", token="admin-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observer_permission_is_checked_before_observer_lookup(api: ApiClient) -> None:
    r = api.get("/api/v1/users/200/observers/9999", token="parent-token")
    assert_error(r, 403, FORBIDDEN)
