"""DELETE /api/v1/users/:user_id/observees/:observee_id: soft-delete observation links."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import (
    FORBIDDEN,
    JSON_TYPE,
    NOT_FOUND,
    OBSERVEES,
    Pair,
    assert_error,
    assert_pair,
    assert_user,
    expected_user,
    link_rows,
    observee_ids,
    pair_rows,
)
from tests.conftest import ApiClient

# -- links removed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "expect", "lister", "listed"),
    [
        pytest.param(
            "/api/v1/users/self/observees/201",
            "guardian-token",
            Pair(student=201, link_ids=[], observer=101, rows=[(1, "deleted"), (2, "deleted")]),
            "guardian-token",
            [],
            id="by-observer-removes-every-link",
        ),
        pytest.param(
            "/api/v1/users/100/observees/200",
            "parent-token",
            Pair(student=200, link_ids=[], observer=100, rows=[(1, "deleted")]),
            "parent-token",
            [201],
            id="by-observer-by-id-removes-link",
        ),
        # Account 2's link is gone; the one left (account 1) is not Rhea's to see.
        pytest.param(
            "/api/v1/users/101/observees/201",
            "riverside-admin-token",
            Pair(student=201, link_ids=[], observer=101, rows=[(1, "active"), (2, "deleted")]),
            "guardian-token",
            [201],
            id="by-admin-removes-links-in-permitted-accounts-only",
        ),
        pytest.param(
            "/api/v1/users/100/observees/200",
            "admin-token",
            Pair(student=200, link_ids=[], observer=100, rows=[(1, "deleted")]),
            "parent-token",
            [201],
            id="by-admin-removes-link",
        ),
    ],
)
def test_remove_observee_removes_links_from_the_list(
    api: ApiClient, path: str, token: str, expect: Pair, lister: str, listed: list[int]
) -> None:
    r = api.delete(path, token=token)
    assert_pair(api, r, expect)
    assert observee_ids(api, lister) == listed


@pytest.mark.parametrize(
    ("path", "token", "send", "rows"),
    [
        pytest.param(
            "/api/v1/users/self/observees/201",
            "guardian-token",
            {"host": "riverside.test"},
            [(1, "deleted"), (2, "deleted")],
            id="by-observer-on-riverside-removes-every-link",
        ),
        pytest.param(
            "/api/v1/users/self/observees/201",
            "guardian-token",
            {"query": {"root_account_id": "2"}},
            [(1, "deleted"), (2, "deleted")],
            id="ignores-root-account-id",
        ),
        pytest.param(
            "/api/v1/users/self/observees/201",
            "guardian-token",
            {"data": {"root_account_id": "999"}},
            [(1, "deleted"), (2, "deleted")],
            id="ignores-unknown-root-account-id",
        ),
        pytest.param(
            "/api/v1/users/101/observees/201",
            "admin-token",
            {},
            [(1, "deleted"), (2, "active")],
            id="by-account-1-admin-removes-account-1-link-only",
        ),
    ],
)
def test_remove_observee_removes_guardians_dana_links(
    api: ApiClient, path: str, token: str, send: dict[str, Any], rows: list[tuple[int, str]]
) -> None:
    r = api.delete(path, token=token, **send)
    assert_user(r, 201, [])
    assert pair_rows(api, 101, 201) == rows


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


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "status", "body"),
    [
        pytest.param(
            "/api/v1/users/100/observees/200",
            "noperm-token",
            403,
            FORBIDDEN,
            id="by-admin-without-permission-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/100/observees/200",
            "riverside-admin-token",
            403,
            FORBIDDEN,
            id="by-admin-of-other-account-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/101/observees/201",
            "parent-token",
            403,
            FORBIDDEN,
            id="by-other-user-is-forbidden",
        ),
        # The student of the link is not the observer and not an admin.
        pytest.param(
            "/api/v1/users/100/observees/self",
            "student-token",
            403,
            FORBIDDEN,
            id="by-student-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/self/observees/9999",
            "parent-token",
            404,
            NOT_FOUND,
            id="unknown-student-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/self/observees/202",
            "parent-token",
            404,
            NOT_FOUND,
            id="without-link-is-not-found",
        ),
    ],
)
def test_remove_observee_refused_changes_nothing(
    api: ApiClient, path: str, token: str, status: int, body: dict[str, Any]
) -> None:
    before = link_rows(api)
    r = api.delete(path, token=token)
    assert_error(r, status, body)
    assert link_rows(api) == before


@pytest.mark.parametrize(
    ("path", "token", "status", "body"),
    [
        pytest.param(
            "/api/v1/users/101/observees/9999",
            "parent-token",
            403,
            FORBIDDEN,
            id="permission-is-checked-before-student-lookup",
        ),
        pytest.param(
            "/api/v1/users/self/observees/500",
            "parent-token",
            404,
            NOT_FOUND,
            id="deleted-student-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/9999/observees/200",
            "admin-token",
            404,
            NOT_FOUND,
            id="unknown-observer-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/self/observees/self",
            "parent-token",
            404,
            NOT_FOUND,
            id="of-oneself-is-not-found",
        ),
    ],
)
def test_remove_observee_is_refused(
    api: ApiClient, path: str, token: str, status: int, body: dict[str, Any]
) -> None:
    r = api.delete(path, token=token)
    assert_error(r, status, body)


# -- links already gone -----------------------------------------------------------------------


def test_remove_observee_by_admin_without_link_in_permitted_accounts_is_not_found(
    api: ApiClient,
) -> None:
    assert api.delete("/api/v1/users/101/observees/201", token="admin-token").status == 200
    # Only account 2's link is left, and Ada administers account 1.
    r = api.delete("/api/v1/users/101/observees/201", token="admin-token")
    assert_error(r, 404, NOT_FOUND)
    assert pair_rows(api, 101, 201) == [(1, "deleted"), (2, "active")]


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


# -- soft delete and restore --------------------------------------------------------------


def test_remove_observee_then_add_restores_the_same_rows(api: ApiClient) -> None:
    assert api.delete("/api/v1/users/self/observees/201", token="guardian-token").status == 200
    r = api.post(
        OBSERVEES,
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
