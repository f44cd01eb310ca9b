"""POST /api/v1/users/:user_id/observees: link a student found by token, pairing code or login."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.helpers import (
    FORBIDDEN,
    INVALID_CODE,
    INVALID_CREDENTIALS,
    JSON_TYPE,
    NOT_FOUND,
    OBSERVEES,
    UNKNOWN_OBSERVEE,
    Pair,
    assert_error,
    assert_pair,
    assert_user,
    freeze_clock,
    link_rows,
    load_variant,
    observee_ids,
    pair_rows,
    without_guardian_dana_links,
)
from tests.conftest import ApiClient


def active_codes(api: ApiClient) -> set[str]:
    """The pairing codes in the store that are still active."""
    return {c.code for c in api.store.export().pairing_codes if c.workflow_state == "active"}


# -- the student is linked ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "send", "expect", "lister", "listed"),
    [
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"data": {"access_token": "eli-token"}},
            Pair(student=202, link_ids=[1], observer=100, rows=[(1, "active")]),
            "parent-token",
            [201, 202, 200],
            id="by-access-token-form",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"data": {"pairing_code": "Eli202"}},
            Pair(student=202, link_ids=[1], observer=100, rows=[(1, "active")]),
            "parent-token",
            [201, 202, 200],
            id="by-pairing-code-form",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"data": {"observee[unique_id]": "eli@canvas.test", "observee[password]": "eli-pass"}},
            Pair(student=202, link_ids=[1], observer=100, rows=[(1, "active")]),
            "parent-token",
            [201, 202, 200],
            id="by-credentials-form",
        ),
        pytest.param(
            "/api/v1/users/102/observees",
            "admin-token",
            {"data": {"pairing_code": "Eli202"}},
            Pair(student=202, link_ids=[1], observer=102, rows=[(1, "active")]),
            "newparent-token",
            [202],
            id="by-admin-for-other-observer",
        ),
        # Robin belongs to root account 2 only, Parent Smith to root account 1 only: the
        # student comes back, unlinked.
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"data": {"access_token": "robin-token"}},
            Pair(student=400, link_ids=[], observer=100, rows=[]),
            "parent-token",
            [201, 200],
            id="by-access-token-without-common-root-account-returns-student-unlinked",
        ),
    ],
)
def test_add_observee_links_student_into_the_list(
    api: ApiClient,
    path: str,
    token: str,
    send: dict[str, Any],
    expect: Pair,
    lister: str,
    listed: list[int],
) -> None:
    r = api.post(path, token=token, **send)
    assert_pair(api, r, expect)
    assert observee_ids(api, lister) == listed


@pytest.mark.parametrize(
    ("path", "token", "send", "expect"),
    [
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"json": {"access_token": "eli-token"}},
            Pair(student=202, link_ids=[1], observer=100, rows=[(1, "active")]),
            id="by-access-token-json",
        ),
        pytest.param(
            "/api/v1/users/100/observees",
            "parent-token",
            {"data": {"access_token": "eli-token"}},
            Pair(student=202, link_ids=[1], observer=100, rows=[(1, "active")]),
            id="for-own-id-path",
        ),
        pytest.param(
            OBSERVEES,
            "newparent-token",
            {"json": {"pairing_code": "Eli202"}},
            Pair(student=202, link_ids=[1], observer=102, rows=[(1, "active")]),
            id="by-pairing-code-json",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"json": {"observee": {"unique_id": "eli@canvas.test", "password": "eli-pass"}}},
            Pair(student=202, link_ids=[1], observer=100, rows=[(1, "active")]),
            id="by-credentials-json",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"data": {"observee[unique_id]": "ELI@Canvas.Test", "observee[password]": "eli-pass"}},
            Pair(student=202, link_ids=[1], observer=100, rows=[(1, "active")]),
            id="by-credentials-unique-id-ignores-case",
        ),
        pytest.param(
            OBSERVEES,
            "guardian-token",
            {
                "host": "riverside.test",
                "data": {
                    "observee[unique_id]": "robin@riverside.test",
                    "observee[password]": "robin-pass",
                },
            },
            Pair(student=400, link_ids=[2], observer=101, rows=[(2, "active")]),
            id="by-login-in-domain-root-account-links-there",
        ),
        pytest.param(
            "/api/v1/users/102/observees",
            "admin-token",
            {"json": {"observee": {"unique_id": "eli@canvas.test", "password": "eli-pass"}}},
            Pair(student=202, link_ids=[1], observer=102, rows=[(1, "active")]),
            id="by-admin-with-credentials",
        ),
        pytest.param(
            "/api/v1/users/102/observees",
            "admin-token",
            {"data": {"access_token": "student-token"}},
            Pair(student=200, link_ids=[1], observer=102, rows=[(1, "active")]),
            id="by-admin-with-access-token",
        ),
        # Rhea (Riverside admin) adds Dana for guardian 101 on the Riverside domain. Guardian
        # and Dana are already linked in 1 and 2; Rhea only sees account 2.
        pytest.param(
            "/api/v1/users/101/observees",
            "riverside-admin-token",
            {
                "host": "riverside.test",
                "data": {"access_token": "dana-token", "root_account_id": "all"},
            },
            Pair(student=201, link_ids=[2], observer=101, rows=[(1, "active"), (2, "active")]),
            id="by-admin-lists-only-permitted-link-accounts",
        ),
    ],
)
def test_add_observee_links_student(
    api: ApiClient, path: str, token: str, send: dict[str, Any], expect: Pair
) -> None:
    r = api.post(path, token=token, **send)
    assert_pair(api, r, expect)


@pytest.mark.parametrize(
    ("token", "data", "user_id"),
    [
        pytest.param(
            "parent-token", {"access_token": "parent-token"}, 100, id="by-own-access-token"
        ),
        # Without an Authorization header the access_token parameter both authenticates the
        # caller and names the "observee": the caller themselves.
        pytest.param(
            None, {"access_token": "parent-token"}, 100, id="authenticated-by-access-token-param"
        ),
        pytest.param("eli-token", {"pairing_code": "Eli202"}, 202, id="by-own-pairing-code"),
    ],
)
def test_add_observee_naming_oneself_returns_own_object(
    api: ApiClient, token: str | None, data: dict[str, str], user_id: int
) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token=token, data=data)
    assert_user(r, user_id, [])
    assert link_rows(api) == before


# -- by access_token ----------------------------------------------------------------------


def test_add_observee_access_token_wins_over_pairing_code(api: ApiClient) -> None:
    r = api.post(
        OBSERVEES,
        token="parent-token",
        data={"access_token": "no-such-token", "pairing_code": "Eli202"},
    )
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    # The pairing code was never looked at, so it is still there.
    assert "Eli202" in active_codes(api)
    assert pair_rows(api, 100, 202) == []


# -- by pairing_code ----------------------------------------------------------------------


def test_add_observee_by_pairing_code_uses_the_code_up(api: ApiClient) -> None:
    first = api.post(OBSERVEES, token="parent-token", data={"pairing_code": "Eli202"})
    assert_user(first, 202, [1])
    second = api.post(OBSERVEES, token="newparent-token", data={"pairing_code": "Eli202"})
    assert_error(second, 422, INVALID_CODE)
    assert pair_rows(api, 102, 202) == []
    assert "Eli202" not in active_codes(api)


def test_add_observee_by_pairing_code_twice_by_same_observer_is_invalid(
    api: ApiClient,
) -> None:
    assert api.post(OBSERVEES, token="parent-token", data={"pairing_code": "Eli202"}).status == 200
    again = api.post(OBSERVEES, token="parent-token", data={"pairing_code": "Eli202"})
    assert_error(again, 422, INVALID_CODE)
    assert pair_rows(api, 100, 202) == [(1, "active")]


@pytest.mark.parametrize("code", ["Nope42", "eli202", "ELI202", "Eli20", "Eli2022", " Eli202", ""])
def test_add_observee_by_wrong_pairing_code_is_invalid(api: ApiClient, code: str) -> None:
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": code})
    assert_error(r, 422, INVALID_CODE)
    assert pair_rows(api, 100, 202) == []
    # A failed attempt does not use up the real code.
    assert "Eli202" in active_codes(api)


@pytest.mark.parametrize(
    ("maker_path", "maker_token", "token", "expect"),
    [
        pytest.param(
            "/api/v1/users/self/observer_pairing_codes",
            "student-token",
            "newparent-token",
            Pair(student=200, link_ids=[1], observer=102, rows=[(1, "active")]),
            id="links-student",
        ),
        # Robin (root account 2 only) comes back unlinked to Parent Smith (account 1 only).
        pytest.param(
            "/api/v1/users/400/observer_pairing_codes",
            "riverside-teacher-token",
            "parent-token",
            Pair(student=400, link_ids=[], observer=100, rows=[]),
            id="without-common-root-account-still-uses-code",
        ),
    ],
)
def test_add_observee_by_generated_pairing_code_uses_it_up(
    api: ApiClient, maker_path: str, maker_token: str, token: str, expect: Pair
) -> None:
    made = api.post(maker_path, token=maker_token)
    assert made.status == 200, made.text
    r = api.post(OBSERVEES, token=token, data={"pairing_code": made.body["code"]})
    assert_pair(api, r, expect)
    assert made.body["code"] not in active_codes(api)


def test_add_observee_by_expired_pairing_code_from_fixture_is_invalid(api: ApiClient) -> None:
    def add_expired(doc: dict[str, Any]) -> None:
        doc["pairing_codes"].append(
            {"user": 202, "code": "Old202", "expires_at": "2020-01-01T00:00:00Z"}
        )

    load_variant(api, add_expired)
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": "Old202"})
    assert_error(r, 422, INVALID_CODE)
    assert pair_rows(api, 100, 202) == []


def test_add_observee_by_pairing_code_at_its_expiry_is_invalid(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Eli202 expires at 2030-01-01T00:00:00Z; a code is active only while expires_at > now.
    freeze_clock(monkeypatch, api, datetime(2030, 1, 1, 0, 0, 0, tzinfo=UTC))
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": "Eli202"})
    assert_error(r, 422, INVALID_CODE)
    assert pair_rows(api, 100, 202) == []


def test_add_observee_by_pairing_code_just_before_expiry_links_student(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, api, datetime(2029, 12, 31, 23, 59, 59, tzinfo=UTC))
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": "Eli202"})
    assert_user(r, 202, [1])
    assert pair_rows(api, 100, 202) == [(1, "active")]


def test_add_observee_by_pairing_code_is_used_up_when_admin_check_refuses(
    api: ApiClient,
) -> None:
    # Rhea administers root account 2 and so passes the self-or-admin check for guardian 101
    # (accounts 1 and 2), but Eli shares only account 1 with him: the later check refuses,
    # after Canvas has already destroyed the code.
    r = api.post(
        "/api/v1/users/101/observees",
        token="riverside-admin-token",
        data={"pairing_code": "Eli202", "root_account_id": "all"},
    )
    assert_error(r, 403, FORBIDDEN)
    assert pair_rows(api, 101, 202) == []
    assert "Eli202" not in active_codes(api)
    again = api.post(OBSERVEES, token="parent-token", data={"pairing_code": "Eli202"})
    assert_error(again, 422, INVALID_CODE)


@pytest.mark.parametrize(
    ("path", "token", "data", "status", "body", "observer"),
    [
        # The self-or-admin check is a before_action: an admin without manage_user_observers
        # is refused before the code is ever looked up.
        pytest.param(
            "/api/v1/users/102/observees",
            "noperm-token",
            {"pairing_code": "Eli202"},
            403,
            FORBIDDEN,
            102,
            id="refused-by-self-or-admin-check",
        ),
        # The root account is looked up (404) before Canvas destroys the code.
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"pairing_code": "Eli202", "root_account_id": "999"},
            404,
            NOT_FOUND,
            100,
            id="with-unknown-root-account",
        ),
    ],
)
def test_add_observee_by_pairing_code_refused_keeps_code(
    api: ApiClient,
    path: str,
    token: str,
    data: dict[str, str],
    status: int,
    body: dict[str, Any],
    observer: int,
) -> None:
    r = api.post(path, token=token, data=data)
    assert_error(r, status, body)
    assert pair_rows(api, observer, 202) == []
    assert "Eli202" in active_codes(api)


# -- nothing identifying the student ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty"),
        pytest.param({"root_account_id": "all"}, id="only-root-account"),
        pytest.param({"observee": "eli@canvas.test"}, id="observee-not-a-hash"),
    ],
)
def test_add_observee_without_student_is_bad_request(api: ApiClient, body: dict[str, Any]) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token="parent-token", json=body)
    assert r.status == 400, r.text
    assert r.header("content-type") == JSON_TYPE
    # The mock's own message (Canvas answers 500 here), but in Canvas's error shape.
    assert set(r.body) == {"errors"}
    assert len(r.body["errors"]) == 1
    assert set(r.body["errors"][0]) == {"message"}
    assert isinstance(r.body["errors"][0]["message"], str)
    assert r.body["errors"][0]["message"]
    assert link_rows(api) == before


def test_add_observee_with_empty_form_is_bad_request(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token="parent-token")
    assert r.status == 400, r.text
    assert r.header("content-type") == JSON_TYPE
    assert [set(error) for error in r.body["errors"]] == [{"message"}]
    assert set(r.body) == {"errors"}
    assert link_rows(api) == before


# -- root_account_id ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "send", "link_ids", "rows"),
    [
        pytest.param(
            OBSERVEES,
            "guardian-token",
            {"host": "riverside.test", "data": {"access_token": "dana-token"}},
            [2],
            [(2, "active")],
            id="without-root-account-id-links-domain-root-only",
        ),
        pytest.param(
            OBSERVEES,
            "guardian-token",
            {"data": {"access_token": "dana-token"}},
            [1],
            [(1, "active")],
            id="without-root-account-id-on-default-host-links-account-1",
        ),
        pytest.param(
            OBSERVEES,
            "guardian-token",
            {
                "host": "riverside.test",
                "data": {"access_token": "dana-token", "root_account_id": "all"},
            },
            [1, 2],
            [(1, "active"), (2, "active")],
            id="root-account-id-all-links-every-common-account",
        ),
        pytest.param(
            OBSERVEES,
            "guardian-token",
            {"data": {"access_token": "dana-token", "root_account_id": "2"}},
            [2],
            [(2, "active")],
            id="root-account-id-links-that-account",
        ),
        pytest.param(
            OBSERVEES,
            "guardian-token",
            {"json": {"access_token": "dana-token", "root_account_id": 2}},
            [2],
            [(2, "active")],
            id="root-account-id-json-integer-links-that-account",
        ),
        pytest.param(
            "/api/v1/users/101/observees",
            "riverside-admin-token",
            {"data": {"access_token": "dana-token", "root_account_id": "all"}},
            [2],
            [(2, "active")],
            id="by-admin-links-only-permitted-accounts",
        ),
    ],
)
def test_add_observee_root_account_id_picks_link_accounts(
    api: ApiClient,
    path: str,
    token: str,
    send: dict[str, Any],
    link_ids: list[int],
    rows: list[tuple[int, str]],
) -> None:
    load_variant(api, without_guardian_dana_links)
    r = api.post(path, token=token, **send)
    assert_user(r, 201, link_ids)
    assert pair_rows(api, 101, 201) == rows


def test_add_observee_with_unknown_root_account_id_is_not_found(api: ApiClient) -> None:
    load_variant(api, without_guardian_dana_links)
    r = api.post(
        OBSERVEES,
        token="guardian-token",
        data={"access_token": "dana-token", "root_account_id": "999"},
    )
    assert_error(r, 404, NOT_FOUND)
    assert pair_rows(api, 101, 201) == []


def test_add_observee_unknown_token_is_checked_before_root_account_id(api: ApiClient) -> None:
    r = api.post(
        OBSERVEES,
        token="parent-token",
        data={"access_token": "no-such-token", "root_account_id": "999"},
    )
    assert_error(r, 422, UNKNOWN_OBSERVEE)


def test_add_observee_by_admin_with_unknown_root_account_id_is_not_found(
    api: ApiClient,
) -> None:
    before = link_rows(api)
    r = api.post(
        "/api/v1/users/102/observees",
        token="admin-token",
        data={"pairing_code": "Eli202", "root_account_id": "999"},
    )
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before
    assert "Eli202" in active_codes(api)


# -- refusals that change nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token", "send", "status", "body"),
    [
        # by access_token
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"data": {"access_token": "no-such-token"}},
            422,
            UNKNOWN_OBSERVEE,
            id="unknown-access-token",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"json": {"access_token": "no-such-token"}},
            422,
            UNKNOWN_OBSERVEE,
            id="unknown-access-token-json",
        ),
        # by observee[unique_id] + observee[password]
        pytest.param(
            OBSERVEES,
            "parent-token",
            {
                "data": {
                    "observee[unique_id]": "nobody@canvas.test",
                    "observee[password]": "eli-pass",
                }
            },
            422,
            UNKNOWN_OBSERVEE,
            id="unknown-login",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"json": {"observee": {"unique_id": "nobody@canvas.test", "password": "x"}}},
            422,
            UNKNOWN_OBSERVEE,
            id="unknown-login-json",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"data": {"observee[password]": "eli-pass"}},
            422,
            UNKNOWN_OBSERVEE,
            id="without-unique-id",
        ),
        # Eli's login lives in root account 1; the request goes to Riverside (root account 2).
        pytest.param(
            OBSERVEES,
            "parent-token",
            {
                "host": "riverside.test",
                "data": {
                    "observee[unique_id]": "eli@canvas.test",
                    "observee[password]": "eli-pass",
                },
            },
            422,
            UNKNOWN_OBSERVEE,
            id="login-outside-domain-root-account",
        ),
        pytest.param(
            OBSERVEES,
            "guardian-token",
            {
                "data": {
                    "observee[unique_id]": "robin@riverside.test",
                    "observee[password]": "robin-pass",
                }
            },
            422,
            UNKNOWN_OBSERVEE,
            id="riverside-login-on-default-domain",
        ),
        # Robin's login is found in the domain (Riverside), but Parent Smith is only in
        # account 1.
        pytest.param(
            OBSERVEES,
            "parent-token",
            {
                "host": "riverside.test",
                "data": {
                    "observee[unique_id]": "robin@riverside.test",
                    "observee[password]": "robin-pass",
                },
            },
            422,
            UNKNOWN_OBSERVEE,
            id="login-without-common-root-account",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {
                "data": {
                    "observee[unique_id]": "parent@canvas.test",
                    "observee[password]": "parent-pass",
                }
            },
            422,
            UNKNOWN_OBSERVEE,
            id="own-credentials",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"data": {"observee[unique_id]": "dan@canvas.test", "observee[password]": "dan-pass"}},
            422,
            UNKNOWN_OBSERVEE,
            id="deleted-users-login",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {
                "data": {
                    "observee[unique_id]": "eli@canvas.test",
                    "observee[password]": "wrong-pass",
                }
            },
            401,
            INVALID_CREDENTIALS,
            id="wrong-password",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"json": {"observee": {"unique_id": "eli@canvas.test", "password": "Eli-pass"}}},
            401,
            INVALID_CREDENTIALS,
            id="wrong-password-json",
        ),
        pytest.param(
            OBSERVEES,
            "parent-token",
            {"data": {"observee[unique_id]": "eli@canvas.test"}},
            401,
            INVALID_CREDENTIALS,
            id="without-password",
        ),
        # acting for another observer
        pytest.param(
            "/api/v1/users/102/observees",
            "noperm-token",
            {"data": {"access_token": "eli-token"}},
            403,
            FORBIDDEN,
            id="admin-without-permission",
        ),
        pytest.param(
            "/api/v1/users/102/observees",
            "parent-token",
            {"data": {"access_token": "eli-token"}},
            403,
            FORBIDDEN,
            id="non-admin-for-other-user",
        ),
        # Rhea administers Riverside only; on the default domain the scope is account 1.
        pytest.param(
            "/api/v1/users/101/observees",
            "riverside-admin-token",
            {"data": {"access_token": "eli-token"}},
            403,
            FORBIDDEN,
            id="admin-of-other-root-account",
        ),
        # Robin (the path user) belongs to root account 2 only; the scope is account 1.
        pytest.param(
            "/api/v1/users/400/observees",
            "admin-token",
            {"data": {"access_token": "eli-token"}},
            404,
            NOT_FOUND,
            id="observer-outside-scope",
        ),
    ],
)
def test_add_observee_refused_changes_nothing(
    api: ApiClient, path: str, token: str, send: dict[str, Any], status: int, body: dict[str, Any]
) -> None:
    before = link_rows(api)
    r = api.post(path, token=token, **send)
    assert_error(r, status, body)
    assert link_rows(api) == before


def test_add_observee_for_unknown_observer_is_not_found(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/9999/observees", token="admin-token", data={"access_token": "eli-token"}
    )
    assert_error(r, 404, NOT_FOUND)


# -- idempotence and restoring ------------------------------------------------------------


def test_add_observee_already_linked_changes_nothing(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token="parent-token", data={"access_token": "student-token"})
    assert_user(r, 200, [1])
    assert link_rows(api) == before
    assert pair_rows(api, 100, 200) == [(1, "active")]
    assert observee_ids(api, "parent-token") == [201, 200]


def test_add_observee_twice_keeps_one_row(api: ApiClient) -> None:
    for _ in range(2):
        r = api.post(OBSERVEES, token="parent-token", data={"access_token": "eli-token"})
        assert_user(r, 202, [1])
    assert pair_rows(api, 100, 202) == [(1, "active")]
    assert observee_ids(api, "parent-token") == [201, 202, 200]


def test_add_observee_restores_soft_deleted_link(api: ApiClient) -> None:
    assert pair_rows(api, 101, 200) == [(1, "deleted")]
    r = api.post(OBSERVEES, token="guardian-token", data={"access_token": "student-token"})
    assert_user(r, 200, [1])
    assert pair_rows(api, 101, 200) == [(1, "active")]
    assert observee_ids(api, "guardian-token") == [201, 200]


def test_add_observee_with_all_adds_missing_account_only(api: ApiClient) -> None:
    load_variant(api, without_guardian_dana_links)
    first = api.post(OBSERVEES, token="guardian-token", data={"access_token": "dana-token"})
    assert_user(first, 201, [1])
    r = api.post(
        OBSERVEES,
        token="guardian-token",
        data={"access_token": "dana-token", "root_account_id": "all"},
    )
    assert_user(r, 201, [1, 2])
    assert pair_rows(api, 101, 201) == [(1, "active"), (2, "active")]
