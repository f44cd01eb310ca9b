"""PUT /api/v1/users/:user_id/observees/:observee_id: an admin links two users by id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from mock_canvas import fixtures
from mock_canvas.model import Dataset
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
    202: ("Eli Carter", "Carter, Eli", "2024-08-06T12:00:00Z"),
    400: ("Robin Riverside", "Riverside, Robin", "2024-08-08T12:00:00Z"),
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


_VARIANTS: dict[Callable[[dict[str, Any]], None], Dataset] = {}


def load_variant(api: ApiClient, change: Callable[[dict[str, Any]], None]) -> None:
    """Load the default fixture (without generated users) after `change` edits it."""
    dataset = _VARIANTS.get(change)
    if dataset is None:
        doc = yaml.safe_load(fixtures.default_fixture_path().read_bytes())
        doc.pop("generate", None)
        change(doc)
        dataset = _VARIANTS[change] = fixtures.load_bytes(yaml.safe_dump(doc))
    api.store.load(dataset)


def two_account_admin(doc: dict[str, Any]) -> None:
    """Guardian 101 and Dana 201 (both in accounts 1 and 2) unlinked, and an admin of both."""
    doc["observer_links"] = [
        link
        for link in doc["observer_links"]
        if not (link["observer"] == 101 and link["observee"] == 201)
    ]
    doc["users"].append(
        {
            "id": 5,
            "name": "Blair Bothadmin",
            "created_at": "2023-01-13T09:00:00Z",
            "logins": [{"account": 1, "unique_id": "both@canvas.test", "password": "both-pass"}],
            "tokens": ["both-admin-token"],
            "admin": [{"account": 1}, {"account": 2}],
        }
    )


# -- success ------------------------------------------------------------------------------


def test_link_observee_by_admin_links_student(api: ApiClient) -> None:
    r = api.put("/api/v1/users/102/observees/202", token="admin-token")
    assert_user(r, 202, [1])
    assert pair_rows(api, 102, 202) == [(1, "active")]
    assert observee_ids(api, "newparent-token") == [202]


def test_link_observee_by_sis_ids_links_student(api: ApiClient) -> None:
    r = api.put("/api/v1/users/sis_user_id:P101/observees/sis_user_id:S202", token="admin-token")
    assert_user(r, 202, [1])
    assert pair_rows(api, 101, 202) == [(1, "active")]


def test_link_observee_by_admin_for_themselves_links_student(api: ApiClient) -> None:
    # No self shortcut, but an admin with the permission may link to themselves.
    r = api.put("/api/v1/users/self/observees/202", token="admin-token")
    assert_user(r, 202, [1])
    assert pair_rows(api, 1, 202) == [(1, "active")]


def test_link_observee_without_root_account_id_links_domain_root_only(api: ApiClient) -> None:
    load_variant(api, two_account_admin)
    r = api.put("/api/v1/users/101/observees/201", token="both-admin-token", host="riverside.test")
    assert_user(r, 201, [2])
    assert pair_rows(api, 101, 201) == [(2, "active")]


def test_link_observee_without_root_account_id_on_default_host_links_account_1(
    api: ApiClient,
) -> None:
    load_variant(api, two_account_admin)
    r = api.put("/api/v1/users/101/observees/201", token="both-admin-token")
    assert_user(r, 201, [1])
    assert pair_rows(api, 101, 201) == [(1, "active")]


def test_link_observee_with_root_account_id_all_links_every_common_account(
    api: ApiClient,
) -> None:
    load_variant(api, two_account_admin)
    r = api.put(
        "/api/v1/users/101/observees/201",
        token="both-admin-token",
        query={"root_account_id": "all"},
    )
    assert_user(r, 201, [1, 2])
    assert pair_rows(api, 101, 201) == [(1, "active"), (2, "active")]


def test_link_observee_with_root_account_id_in_body_links_that_account(api: ApiClient) -> None:
    load_variant(api, two_account_admin)
    r = api.put(
        "/api/v1/users/101/observees/201", token="both-admin-token", data={"root_account_id": "2"}
    )
    assert_user(r, 201, [2])
    assert pair_rows(api, 101, 201) == [(2, "active")]


def test_link_observee_with_root_account_id_json_links_that_account(api: ApiClient) -> None:
    load_variant(api, two_account_admin)
    r = api.put(
        "/api/v1/users/101/observees/201",
        token="both-admin-token",
        host="riverside.test",
        json={"root_account_id": 1},
    )
    assert_user(r, 201, [1])
    assert pair_rows(api, 101, 201) == [(1, "active")]


def test_link_observee_with_all_links_only_permitted_accounts(api: ApiClient) -> None:
    load_variant(api, two_account_admin)
    r = api.put(
        "/api/v1/users/101/observees/201",
        token="riverside-admin-token",
        query={"root_account_id": "all"},
    )
    assert_user(r, 201, [2])
    assert pair_rows(api, 101, 201) == [(2, "active")]


def test_link_observee_already_linked_changes_nothing(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put("/api/v1/users/100/observees/200", token="admin-token")
    assert_user(r, 200, [1])
    assert link_rows(api) == before
    assert pair_rows(api, 100, 200) == [(1, "active")]


def test_link_observee_twice_keeps_one_row(api: ApiClient) -> None:
    for _ in range(2):
        assert_user(api.put("/api/v1/users/102/observees/202", token="admin-token"), 202, [1])
    assert pair_rows(api, 102, 202) == [(1, "active")]
    assert observee_ids(api, "newparent-token") == [202]


def test_link_observee_restores_soft_deleted_link(api: ApiClient) -> None:
    assert pair_rows(api, 101, 200) == [(1, "deleted")]
    r = api.put("/api/v1/users/101/observees/200", token="admin-token")
    assert_user(r, 200, [1])
    assert pair_rows(api, 101, 200) == [(1, "active")]
    assert observee_ids(api, "guardian-token") == [201, 200]


def test_link_observee_lists_only_permitted_link_accounts(api: ApiClient) -> None:
    # Guardian and Dana are linked in 1 and 2; Rhea administers Riverside (2) only.
    r = api.put(
        "/api/v1/users/101/observees/201", token="riverside-admin-token", host="riverside.test"
    )
    assert_user(r, 201, [2])
    assert pair_rows(api, 101, 201) == [(1, "active"), (2, "active")]


# -- refusals -----------------------------------------------------------------------------


def test_link_observee_by_observer_for_themselves_is_forbidden(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put("/api/v1/users/self/observees/202", token="parent-token")
    assert_error(r, 403, FORBIDDEN)
    assert r.header("www-authenticate") is None
    assert link_rows(api) == before


def test_link_observee_by_observer_by_id_is_forbidden(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put("/api/v1/users/100/observees/202", token="parent-token")
    assert_error(r, 403, FORBIDDEN)
    assert link_rows(api) == before


def test_link_observee_by_student_is_forbidden(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put("/api/v1/users/102/observees/self", token="eli-token")
    assert_error(r, 403, FORBIDDEN)
    assert link_rows(api) == before


def test_link_observee_by_admin_without_permission_is_forbidden(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put("/api/v1/users/102/observees/202", token="noperm-token")
    assert_error(r, 403, FORBIDDEN)
    assert r.header("www-authenticate") is None
    assert link_rows(api) == before


def test_link_observee_by_admin_of_other_account_is_forbidden(api: ApiClient) -> None:
    # Newparent and Eli share account 1; Rhea administers only account 2.
    before = link_rows(api)
    r = api.put(
        "/api/v1/users/102/observees/202",
        token="riverside-admin-token",
        query={"root_account_id": "all"},
    )
    assert_error(r, 403, FORBIDDEN)
    assert link_rows(api) == before


def test_link_observee_unknown_observer_is_not_found(api: ApiClient) -> None:
    r = api.put("/api/v1/users/9999/observees/202", token="admin-token")
    assert_error(r, 404, NOT_FOUND)


def test_link_observee_unknown_student_is_not_found(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put("/api/v1/users/102/observees/9999", token="admin-token")
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_link_observee_deleted_student_is_not_found(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put("/api/v1/users/102/observees/500", token="admin-token")
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_link_observee_malformed_student_id_is_not_found(api: ApiClient) -> None:
    r = api.put("/api/v1/users/102/observees/abc", token="admin-token")
    assert_error(r, 404, NOT_FOUND)


def test_link_observee_with_unknown_root_account_id_is_not_found(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put(
        "/api/v1/users/102/observees/202", token="admin-token", query={"root_account_id": "999"}
    )
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_link_observee_without_common_account_is_not_found(api: ApiClient) -> None:
    # Parent Smith is in account 1 only, Robin in account 2 only.
    before = link_rows(api)
    r = api.put(
        "/api/v1/users/100/observees/400", token="admin-token", query={"root_account_id": "all"}
    )
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_link_observee_without_common_account_in_domain_is_not_found(api: ApiClient) -> None:
    # Newparent and Eli share account 1 only; the Riverside domain scopes the link to 2.
    before = link_rows(api)
    r = api.put("/api/v1/users/102/observees/202", token="admin-token", host="riverside.test")
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_link_observee_with_root_account_id_outside_common_accounts_is_not_found(
    api: ApiClient,
) -> None:
    before = link_rows(api)
    r = api.put(
        "/api/v1/users/102/observees/202", token="admin-token", query={"root_account_id": "2"}
    )
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_link_observee_to_oneself_is_not_found(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put("/api/v1/users/102/observees/102", token="admin-token")
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_link_observee_self_to_self_is_not_found(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.put("/api/v1/users/self/observees/self", token="admin-token")
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_link_observee_unknown_student_by_non_admin_is_not_found(api: ApiClient) -> None:
    # Both users are looked up before any permission is checked.
    r = api.put("/api/v1/users/self/observees/9999", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


def test_link_observee_without_common_account_by_non_admin_is_not_found(api: ApiClient) -> None:
    # No common account in scope is a 404 even for a caller who could never link.
    before = link_rows(api)
    r = api.put("/api/v1/users/self/observees/400", token="parent-token")
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before
