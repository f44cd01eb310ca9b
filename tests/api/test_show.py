"""GET /users/:user_id/observees/:observee_id and GET /users/:user_id/observers/:observer_id."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import FORBIDDEN, NOT_FOUND, assert_error, assert_user
from tests.conftest import ApiClient

# -- the user shown ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "user_id", "link_ids"),
    [
        pytest.param(
            "/api/v1/users/self/observees/200",
            "parent-token",
            200,
            [1],
            id="observee-by-observer-returns-student",
        ),
        pytest.param(
            "/api/v1/users/self/observees/201",
            "guardian-token",
            201,
            [1, 2],
            id="observee-by-observer-lists-every-link-account",
        ),
        pytest.param(
            "/api/v1/users/sis_user_id:P100/observees/sis_user_id:S200",
            "parent-token",
            200,
            [1],
            id="observee-by-sis-ids-returns-student",
        ),
        pytest.param(
            "/api/v1/users/100/observees/200",
            "admin-token",
            200,
            [1],
            id="observee-by-admin-returns-student",
        ),
        pytest.param(
            "/api/v1/users/101/observees/201",
            "riverside-admin-token",
            201,
            [2],
            id="observee-by-admin-lists-only-permitted-accounts",
        ),
        pytest.param(
            "/api/v1/users/101/observees/201",
            "admin-token",
            201,
            [1],
            id="observee-by-account-1-admin-lists-account-1",
        ),
        pytest.param(
            "/api/v1/users/self/observers/100",
            "student-token",
            100,
            [1],
            id="observer-by-student-returns-observer",
        ),
        pytest.param(
            "/api/v1/users/self/observers/101",
            "dana-token",
            101,
            [1, 2],
            id="observer-by-student-lists-every-link-account",
        ),
        pytest.param(
            "/api/v1/users/200/observers/100",
            "admin-token",
            100,
            [1],
            id="observer-by-admin-returns-observer",
        ),
        pytest.param(
            "/api/v1/users/201/observers/101",
            "riverside-admin-token",
            101,
            [2],
            id="observer-by-admin-lists-only-permitted-accounts",
        ),
    ],
)
def test_show_returns_user(
    api: ApiClient, path: str, token: str, user_id: int, link_ids: list[int]
) -> None:
    r = api.get(path, token=token)
    assert_user(r, user_id, link_ids)


@pytest.mark.parametrize(
    ("path", "user_id", "keys"),
    [
        # Student 200 has sis_user_id S200 and integration_id SI200; single-user endpoints
        # never show them, not even to an admin of the domain root account.
        pytest.param(
            "/api/v1/users/100/observees/200",
            200,
            ("sis_user_id", "integration_id", "login_id", "avatar_url", "email"),
            id="observee",
        ),
        # Parent 100 has sis_user_id P100 and integration_id I100.
        pytest.param(
            "/api/v1/users/200/observers/100",
            100,
            ("sis_user_id", "integration_id", "login_id", "email"),
            id="observer",
        ),
    ],
)
def test_show_by_admin_has_no_sis_fields(
    api: ApiClient, path: str, user_id: int, keys: tuple[str, ...]
) -> None:
    r = api.get(path, token="admin-token")
    assert_user(r, user_id, [1])
    for key in keys:
        assert key not in r.body


@pytest.mark.parametrize(
    "query",
    [{"include[]": "avatar_url"}, {"include": "avatar_url"}],
    ids=["bracketed", "unbracketed"],
)
@pytest.mark.parametrize(
    ("path", "token", "user_id"),
    [
        # On the list endpoints this include gives every user an avatar_url (the fallback
        # image when none is stored); the single-user endpoints never show it.
        pytest.param("/api/v1/users/self/observees/200", "parent-token", 200, id="observee"),
        # Parent Smith has an avatar, but only the list endpoints ever show avatar_url.
        pytest.param("/api/v1/users/200/observers/100", "admin-token", 100, id="observer"),
    ],
)
def test_show_ignores_avatar_include(
    api: ApiClient, path: str, token: str, user_id: int, query: dict[str, str]
) -> None:
    r = api.get(path, token=token, query=query)
    assert_user(r, user_id, [1])
    assert "avatar_url" not in r.body


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "status", "body"),
    [
        pytest.param(
            "/api/v1/users/self/observees/200",
            "guardian-token",
            404,
            NOT_FOUND,
            id="observee-with-deleted-link-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/self/observees/202",
            "parent-token",
            404,
            NOT_FOUND,
            id="observee-without-link-is-not-found",
        ),
        # Child Smith does not observe Parent Smith.
        pytest.param(
            "/api/v1/users/self/observees/100",
            "student-token",
            404,
            NOT_FOUND,
            id="observee-reversed-link-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/self/observees/9999",
            "parent-token",
            404,
            NOT_FOUND,
            id="observee-unknown-student-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/self/observees/500",
            "parent-token",
            404,
            NOT_FOUND,
            id="observee-deleted-student-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/9999/observees/200",
            "admin-token",
            404,
            NOT_FOUND,
            id="observee-unknown-observer-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/500/observees/200",
            "admin-token",
            404,
            NOT_FOUND,
            id="observee-deleted-observer-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/101/observees/201",
            "parent-token",
            403,
            FORBIDDEN,
            id="observee-by-other-user-is-forbidden",
        ),
        # The permission is on the observer (the path user), not on the student.
        pytest.param(
            "/api/v1/users/100/observees/self",
            "student-token",
            403,
            FORBIDDEN,
            id="observee-by-student-of-the-link-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/100/observees/200",
            "noperm-token",
            403,
            FORBIDDEN,
            id="observee-by-admin-without-permission-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/100/observees/200",
            "riverside-admin-token",
            403,
            FORBIDDEN,
            id="observee-by-admin-of-other-account-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/101/observees/9999",
            "parent-token",
            403,
            FORBIDDEN,
            id="observee-permission-is-checked-before-student-lookup",
        ),
        # The permission is on the student (the path user): the observer is neither that
        # student nor an admin.
        pytest.param(
            "/api/v1/users/200/observers/self",
            "parent-token",
            403,
            FORBIDDEN,
            id="observer-by-the-observer-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/200/observers/100",
            "noperm-token",
            403,
            FORBIDDEN,
            id="observer-by-admin-without-permission-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/200/observers/100",
            "riverside-admin-token",
            403,
            FORBIDDEN,
            id="observer-by-admin-of-other-account-is-forbidden",
        ),
        pytest.param(
            "/api/v1/users/self/observers/101",
            "student-token",
            404,
            NOT_FOUND,
            id="observer-with-deleted-link-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/self/observers/102",
            "student-token",
            404,
            NOT_FOUND,
            id="observer-without-link-is-not-found",
        ),
        # Parent Smith is not observed by Child Smith.
        pytest.param(
            "/api/v1/users/self/observers/200",
            "parent-token",
            404,
            NOT_FOUND,
            id="observer-reversed-link-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/self/observers/9999",
            "student-token",
            404,
            NOT_FOUND,
            id="observer-unknown-observer-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/9999/observers/100",
            "admin-token",
            404,
            NOT_FOUND,
            id="observer-unknown-student-is-not-found",
        ),
        pytest.param(
            "/api/v1/users/200/observers/9999",
            "parent-token",
            403,
            FORBIDDEN,
            id="observer-permission-is-checked-before-observer-lookup",
        ),
    ],
)
def test_show_is_refused(
    api: ApiClient, path: str, token: str, status: int, body: dict[str, Any]
) -> None:
    r = api.get(path, token=token)
    assert_error(r, status, body)


def test_show_observee_after_removal_is_not_found(api: ApiClient) -> None:
    assert api.delete("/api/v1/users/self/observees/200", token="parent-token").status == 200
    r = api.get("/api/v1/users/self/observees/200", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


def test_show_observee_changes_nothing(api: ApiClient) -> None:
    before = [
        (x.observer_id, x.student_id, x.root_account_id, x.state) for x in api.store.export().links
    ]
    assert api.get("/api/v1/users/self/observees/200", token="parent-token").status == 200
    after = [
        (x.observer_id, x.student_id, x.root_account_id, x.state) for x in api.store.export().links
    ]
    assert sorted(after) == sorted(before)
