"""DELETE /api/v1/users/:user_id/observees/:observee_id: soft-delete observation links."""

from __future__ import annotations

from typing import Any

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
    """A 200 with exactly the user object (link ids compared as a set)."""
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


def link_rows(api: ApiClient) -> dict[tuple[int, int, int], str]:
    return {
        (link.observer_id, link.student_id, link.root_account_id): link.state
        for link in api.store.export().links
    }


def pair_rows(api: ApiClient, observer: int, student: int) -> list[tuple[int, str]]:
    """The rows of one observer-student pair as (root account, state), duplicates kept."""
    return sorted(
        (link.root_account_id, link.state)
        for link in api.store.export().links
        if link.observer_id == observer and link.student_id == student
    )


def observee_ids(api: ApiClient, token: str) -> list[int]:
    r = api.get("/api/v1/users/self/observees", token=token)
    assert r.status == 200, r.text
    return [user["id"] for user in r.body]


# -- the observer themselves ------------------------------------------------------------


def test_remove_observee_by_observer_removes_every_link(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/self/observees/201", token="guardian-token")
    assert_user(r, 201, [])
    assert pair_rows(api, 101, 201) == [(1, "deleted"), (2, "deleted")]
    assert observee_ids(api, "guardian-token") == []


def test_remove_observee_by_observer_by_id_removes_link(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/100/observees/200", token="parent-token")
    assert_user(r, 200, [])
    assert pair_rows(api, 100, 200) == [(1, "deleted")]
    assert observee_ids(api, "parent-token") == [201]


def test_remove_observee_by_observer_on_riverside_removes_every_link(api: ApiClient) -> None:
    r = api.delete(
        "/api/v1/users/self/observees/201", token="guardian-token", host="riverside.test"
    )
    assert_user(r, 201, [])
    assert pair_rows(api, 101, 201) == [(1, "deleted"), (2, "deleted")]


def test_remove_observee_ignores_root_account_id(api: ApiClient) -> None:
    r = api.delete(
        "/api/v1/users/self/observees/201",
        token="guardian-token",
        query={"root_account_id": "2"},
    )
    assert_user(r, 201, [])
    assert pair_rows(api, 101, 201) == [(1, "deleted"), (2, "deleted")]


def test_remove_observee_ignores_unknown_root_account_id(api: ApiClient) -> None:
    r = api.delete(
        "/api/v1/users/self/observees/201",
        token="guardian-token",
        data={"root_account_id": "999"},
    )
    assert_user(r, 201, [])
    assert pair_rows(api, 101, 201) == [(1, "deleted"), (2, "deleted")]


def test_remove_observee_leaves_other_links_alone(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.delete("/api/v1/users/self/observees/200", token="parent-token")
    assert r.status == 200, r.text
    after = link_rows(api)
    assert after == {**before, (100, 200, 1): "deleted"}


def test_remove_observee_answers_200_with_body(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/self/observees/200", token="parent-token")
    assert r.status == 200
    assert r.header("content-type") == JSON_TYPE
    assert r.text
    assert r.body == expected_user(200, [])


# -- admins -------------------------------------------------------------------------------


def test_remove_observee_by_admin_removes_links_in_permitted_accounts_only(
    api: ApiClient,
) -> None:
    r = api.delete("/api/v1/users/101/observees/201", token="riverside-admin-token")
    # Account 2's link is gone; the one left (account 1) is not Rhea's to see.
    assert_user(r, 201, [])
    assert pair_rows(api, 101, 201) == [(1, "active"), (2, "deleted")]
    assert observee_ids(api, "guardian-token") == [201]


def test_remove_observee_by_account_1_admin_removes_account_1_link_only(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/101/observees/201", token="admin-token")
    assert_user(r, 201, [])
    assert pair_rows(api, 101, 201) == [(1, "deleted"), (2, "active")]


def test_remove_observee_by_admin_removes_link(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/100/observees/200", token="admin-token")
    assert_user(r, 200, [])
    assert pair_rows(api, 100, 200) == [(1, "deleted")]
    assert observee_ids(api, "parent-token") == [201]


def test_remove_observee_by_admin_without_link_in_permitted_accounts_is_not_found(
    api: ApiClient,
) -> None:
    assert api.delete("/api/v1/users/101/observees/201", token="admin-token").status == 200
    # Only account 2's link is left, and Ada administers account 1.
    r = api.delete("/api/v1/users/101/observees/201", token="admin-token")
    assert_error(r, 404, NOT_FOUND)
    assert pair_rows(api, 101, 201) == [(1, "deleted"), (2, "active")]


def test_remove_observee_by_admin_without_permission_is_forbidden(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.delete("/api/v1/users/100/observees/200", token="noperm-token")
    assert_error(r, 403, FORBIDDEN)
    assert r.header("www-authenticate") is None
    assert link_rows(api) == before


def test_remove_observee_by_admin_of_other_account_is_forbidden(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.delete("/api/v1/users/100/observees/200", token="riverside-admin-token")
    assert_error(r, 403, FORBIDDEN)
    assert link_rows(api) == before


def test_remove_observee_by_other_user_is_forbidden(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.delete("/api/v1/users/101/observees/201", token="parent-token")
    assert_error(r, 403, FORBIDDEN)
    assert link_rows(api) == before


def test_remove_observee_by_student_is_forbidden(api: ApiClient) -> None:
    # The student of the link is not the observer and not an admin.
    before = link_rows(api)
    r = api.delete("/api/v1/users/100/observees/self", token="student-token")
    assert_error(r, 403, FORBIDDEN)
    assert link_rows(api) == before


def test_remove_observee_permission_is_checked_before_student_lookup(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/101/observees/9999", token="parent-token")
    assert_error(r, 403, FORBIDDEN)


# -- not found ----------------------------------------------------------------------------


def test_remove_observee_unknown_student_is_not_found(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.delete("/api/v1/users/self/observees/9999", token="parent-token")
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_remove_observee_deleted_student_is_not_found(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/self/observees/500", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


def test_remove_observee_unknown_observer_is_not_found(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/9999/observees/200", token="admin-token")
    assert_error(r, 404, NOT_FOUND)


def test_remove_observee_without_link_is_not_found(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.delete("/api/v1/users/self/observees/202", token="parent-token")
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_remove_observee_with_deleted_link_is_not_found(api: ApiClient) -> None:
    assert pair_rows(api, 101, 200) == [(1, "deleted")]
    r = api.delete("/api/v1/users/self/observees/200", token="guardian-token")
    assert_error(r, 404, NOT_FOUND)
    assert pair_rows(api, 101, 200) == [(1, "deleted")]


def test_remove_observee_twice_is_not_found(api: ApiClient) -> None:
    assert api.delete("/api/v1/users/self/observees/200", token="parent-token").status == 200
    r = api.delete("/api/v1/users/self/observees/200", token="parent-token")
    assert_error(r, 404, NOT_FOUND)
    assert pair_rows(api, 100, 200) == [(1, "deleted")]


def test_remove_observee_of_oneself_is_not_found(api: ApiClient) -> None:
    r = api.delete("/api/v1/users/self/observees/self", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


# -- soft delete and restore --------------------------------------------------------------


def test_remove_observee_then_add_restores_the_same_rows(api: ApiClient) -> None:
    assert api.delete("/api/v1/users/self/observees/201", token="guardian-token").status == 200
    r = api.post(
        "/api/v1/users/self/observees",
        token="guardian-token",
        data={"access_token": "dana-token", "root_account_id": "all"},
    )
    assert_user(r, 201, [1, 2])
    assert pair_rows(api, 101, 201) == [(1, "active"), (2, "active")]
    assert observee_ids(api, "guardian-token") == [201]


def test_remove_observee_then_link_restores_the_row(api: ApiClient) -> None:
    assert api.delete("/api/v1/users/self/observees/200", token="parent-token").status == 200
    r = api.put("/api/v1/users/100/observees/200", token="admin-token")
    assert_user(r, 200, [1])
    assert pair_rows(api, 100, 200) == [(1, "active")]
