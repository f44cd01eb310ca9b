"""PUT /api/v1/users/:user_id/observees/:observee_id: an admin links two users by id."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import (
    FORBIDDEN,
    NOT_FOUND,
    Pair,
    assert_error,
    assert_pair,
    assert_user,
    link_rows,
    load_variant,
    observee_ids,
    pair_rows,
    without_guardian_dana_links,
)
from tests.conftest import ApiClient


def two_account_admin(doc: dict[str, Any]) -> None:
    """Guardian 101 and Dana 201 (both in accounts 1 and 2) unlinked, and an admin of both."""
    without_guardian_dana_links(doc)
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


@pytest.mark.parametrize(
    ("path", "token", "send", "expect"),
    [
        pytest.param(
            "/api/v1/users/sis_user_id:P101/observees/sis_user_id:S202",
            "admin-token",
            {},
            Pair(student=202, link_ids=[1], observer=101, rows=[(1, "active")]),
            id="by-sis-ids",
        ),
        # No self shortcut, but an admin with the permission may link to themselves.
        pytest.param(
            "/api/v1/users/self/observees/202",
            "admin-token",
            {},
            Pair(student=202, link_ids=[1], observer=1, rows=[(1, "active")]),
            id="by-admin-for-themselves",
        ),
        # Guardian and Dana are linked in 1 and 2; Rhea administers Riverside (2) only.
        pytest.param(
            "/api/v1/users/101/observees/201",
            "riverside-admin-token",
            {"host": "riverside.test"},
            Pair(student=201, link_ids=[2], observer=101, rows=[(1, "active"), (2, "active")]),
            id="lists-only-permitted-link-accounts",
        ),
    ],
)
def test_link_observee_links_student(
    api: ApiClient, path: str, token: str, send: dict[str, Any], expect: Pair
) -> None:
    r = api.put(path, token=token, **send)
    assert_pair(api, r, expect)


@pytest.mark.parametrize(
    ("token", "send", "link_ids", "rows"),
    [
        pytest.param(
            "both-admin-token",
            {"host": "riverside.test"},
            [2],
            [(2, "active")],
            id="without-root-account-id-links-domain-root-only",
        ),
        pytest.param(
            "both-admin-token",
            {},
            [1],
            [(1, "active")],
            id="without-root-account-id-on-default-host-links-account-1",
        ),
        pytest.param(
            "both-admin-token",
            {"query": {"root_account_id": "all"}},
            [1, 2],
            [(1, "active"), (2, "active")],
            id="root-account-id-all-links-every-common-account",
        ),
        pytest.param(
            "both-admin-token",
            {"data": {"root_account_id": "2"}},
            [2],
            [(2, "active")],
            id="root-account-id-in-body-links-that-account",
        ),
        pytest.param(
            "both-admin-token",
            {"host": "riverside.test", "json": {"root_account_id": 1}},
            [1],
            [(1, "active")],
            id="root-account-id-json-links-that-account",
        ),
        pytest.param(
            "riverside-admin-token",
            {"query": {"root_account_id": "all"}},
            [2],
            [(2, "active")],
            id="all-links-only-permitted-accounts",
        ),
    ],
)
def test_link_observee_root_account_id_picks_link_accounts(
    api: ApiClient,
    token: str,
    send: dict[str, Any],
    link_ids: list[int],
    rows: list[tuple[int, str]],
) -> None:
    load_variant(api, two_account_admin)
    r = api.put("/api/v1/users/101/observees/201", token=token, **send)
    assert_user(r, 201, link_ids)
    assert pair_rows(api, 101, 201) == rows


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


# -- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "send", "status", "body"),
    [
        pytest.param(
            "/api/v1/users/self/observees/202",
            "parent-token",
            {},
            403,
            FORBIDDEN,
            id="by-observer-for-themselves-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/100/observees/202",
            "parent-token",
            {},
            403,
            FORBIDDEN,
            id="by-observer-by-id-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/102/observees/self",
            "eli-token",
            {},
            403,
            FORBIDDEN,
            id="by-student-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/102/observees/202",
            "noperm-token",
            {},
            403,
            FORBIDDEN,
            id="by-admin-without-permission-is-forbidden",
        ),
        # Newparent and Eli share account 1; Rhea administers only account 2.
        pytest.param(
            "/api/v1/users/102/observees/202",
            "riverside-admin-token",
            {"query": {"root_account_id": "all"}},
            403,
            FORBIDDEN,
            id="by-admin-of-other-account-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/102/observees/9999",
            "admin-token",
            {},
            404,
            NOT_FOUND,
            id="unknown-student-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/102/observees/500",
            "admin-token",
            {},
            404,
            NOT_FOUND,
            id="deleted-student-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/102/observees/202",
            "admin-token",
            {"query": {"root_account_id": "999"}},
            404,
            NOT_FOUND,
            id="with-unknown-root-account-id-is-not-found",
        ),
        # Parent Smith is in account 1 only, Robin in account 2 only.
        pytest.param(
            "/api/v1/users/100/observees/400",
            "admin-token",
            {"query": {"root_account_id": "all"}},
            404,
            NOT_FOUND,
            id="without-common-account-is-not-found",
        ),
        # Newparent and Eli share account 1 only; the Riverside domain scopes the link to 2.
        pytest.param(
            "/api/v1/users/102/observees/202",
            "admin-token",
            {"host": "riverside.test"},
            404,
            NOT_FOUND,
            id="without-common-account-in-domain-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/102/observees/202",
            "admin-token",
            {"query": {"root_account_id": "2"}},
            404,
            NOT_FOUND,
            id="with-root-account-id-outside-common-accounts-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/102/observees/102",
            "admin-token",
            {},
            404,
            NOT_FOUND,
            id="to-oneself-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/self/observees/self",
            "admin-token",
            {},
            404,
            NOT_FOUND,
            id="self-to-self-is-not-found",
        ),
        # No common account in scope is a 404 even for a caller who could never link.
        pytest.param(
            "/api/v1/users/self/observees/400",
            "parent-token",
            {},
            404,
            NOT_FOUND,
            id="without-common-account-by-non-admin-is-not-found",
        ),
    ],
)
def test_link_observee_refused_changes_nothing(
    api: ApiClient, path: str, token: str, send: dict[str, Any], status: int, body: dict[str, Any]
) -> None:
    before = link_rows(api)
    r = api.put(path, token=token, **send)
    assert_error(r, status, body)
    assert link_rows(api) == before


@pytest.mark.parametrize(
    ("path", "token"),
    [
        pytest.param("/api/v1/users/9999/observees/202", "admin-token", id="unknown-observer"),
        pytest.param("/api/v1/users/102/observees/abc", "admin-token", id="malformed-student-id"),
        # Both users are looked up before any permission is checked.
        pytest.param(
            "/api/v1/users/self/observees/9999", "parent-token", id="unknown-student-by-non-admin"
        ),
    ],
)
def test_link_observee_lookup_is_not_found(api: ApiClient, path: str, token: str) -> None:
    r = api.put(path, token=token)
    assert_error(r, 404, NOT_FOUND)
