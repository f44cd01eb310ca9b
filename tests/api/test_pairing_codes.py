"""POST /api/v1/users/:user_id/observer_pairing_codes: a student's code for an observer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from tests.api.helpers import (
    FORBIDDEN,
    INVALID_CODE,
    JSON_TYPE,
    NOT_FOUND,
    OBSERVEES,
    assert_error,
    freeze_clock,
    load_variant,
    pair_rows,
)
from tests.conftest import ApiClient, Resp

CODE_KEYS = ["user_id", "code", "expires_at", "workflow_state"]
CODE_RE = re.compile(r"^[A-Za-z0-9]{6}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


# -- helpers ----------------------------------------------------------------------------


def codes_path(user: str | int) -> str:
    """The pairing-code endpoint of one user (an id, `self` or a SIS form)."""
    return f"/api/v1/users/{user}/observer_pairing_codes"


def assert_code(r: Resp, user_id: int) -> str:
    """A 200 with exactly a new active pairing code for `user_id`; returns the code."""
    assert r.status == 200, r.text
    assert r.header("content-type") == JSON_TYPE
    assert list(r.body) == CODE_KEYS
    assert r.body["user_id"] == user_id
    assert isinstance(r.body["code"], str)
    assert CODE_RE.match(r.body["code"]), r.body["code"]
    assert isinstance(r.body["expires_at"], str)
    assert TIME_RE.match(r.body["expires_at"]), r.body["expires_at"]
    assert r.body["workflow_state"] == "active"
    return str(r.body["code"])


def stored_codes(api: ApiClient) -> dict[str, tuple[int, datetime, str]]:
    """Every pairing code in the store: code -> (user id, expires_at, workflow_state)."""
    return {
        c.code: (c.user_id, c.expires_at, c.workflow_state)
        for c in api.store.export().pairing_codes
    }


def without_self_registration(doc: dict[str, Any], account_id: int) -> None:
    """Turn self-registration off in root account `account_id`."""
    for account in doc["accounts"]:
        if account["id"] == account_id:
            account["self_registration"] = False


# Module-level, so load_variant builds each variant once.
canvas_without_self_registration = partial(without_self_registration, account_id=1)
riverside_without_self_registration = partial(without_self_registration, account_id=2)


# -- who may create a code ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "token", "user_id"),
    [
        pytest.param("self", "eli-token", 202, id="by-student-for-self"),
        pytest.param(202, "eli-token", 202, id="by-student-by-id"),
        pytest.param("sis_user_id:S202", "eli-token", 202, id="by-student-by-sis-id"),
        pytest.param(202, "admin-token", 202, id="by-account-admin"),
        # Biology 101 (course 10) belongs to sub-account 3, which Sadie administers.
        pytest.param(200, "subadmin-token", 200, id="by-sub-account-admin-for-course-under-it"),
        pytest.param(
            400, "riverside-admin-token", 400, id="by-riverside-admin-for-riverside-student"
        ),
        # Riverside lets teachers generate codes; Quinn teaches Robin's Riverside Algebra.
        pytest.param(400, "riverside-teacher-token", 400, id="by-teacher-where-account-allows"),
        # Dana takes Riverside Algebra (course 20) too.
        pytest.param(
            201, "riverside-teacher-token", 201, id="by-teacher-for-student-of-their-course"
        ),
    ],
)
def test_create_pairing_code_returns_code(
    api: ApiClient, user: str | int, token: str, user_id: int
) -> None:
    code = assert_code(api.post(codes_path(user), token=token), user_id)
    assert stored_codes(api)[code][0] == user_id
    assert stored_codes(api)[code][2] == "active"


@pytest.mark.parametrize(
    ("user", "token", "status", "body"),
    [
        # Dana's courses are 11 (account 1) and 20 (account 2): none under sub-account 3.
        pytest.param(
            201, "subadmin-token", 403, FORBIDDEN, id="by-sub-account-admin-for-other-courses"
        ),
        pytest.param(202, "riverside-admin-token", 403, FORBIDDEN, id="by-admin-of-other-account"),
        # Terry teaches Biology 101, but Canvas University does not let teachers make codes.
        pytest.param(
            200, "teacher-token", 403, FORBIDDEN, id="by-teacher-without-account-permission"
        ),
        pytest.param(
            200,
            "riverside-teacher-token",
            403,
            FORBIDDEN,
            id="by-teacher-for-student-outside-their-courses",
        ),
        pytest.param(200, "parent-token", 403, FORBIDDEN, id="by-observer-for-linked-student"),
        pytest.param(202, "student-token", 403, FORBIDDEN, id="by-other-student"),
        pytest.param(
            "self", "frankie-token", 403, FORBIDDEN, id="for-user-without-student-enrollment"
        ),
        pytest.param(
            203, "admin-token", 403, FORBIDDEN, id="by-admin-for-user-without-student-enrollment"
        ),
        pytest.param("self", "teacher-token", 403, FORBIDDEN, id="for-teacher"),
        pytest.param(9999, "parent-token", 404, NOT_FOUND, id="for-unknown-user-is-not-found"),
        pytest.param("abc", "admin-token", 404, NOT_FOUND, id="for-malformed-user-id-is-not-found"),
        # User 500 is deleted, but this endpoint finds deleted users too: the caller (neither
        # the student nor an admin nor a teacher) is refused rather than told "not found".
        pytest.param(500, "parent-token", 403, FORBIDDEN, id="for-deleted-user-is-forbidden"),
    ],
)
def test_create_pairing_code_is_refused(
    api: ApiClient, user: str | int, token: str, status: int, body: dict[str, Any]
) -> None:
    before = stored_codes(api)
    r = api.post(codes_path(user), token=token)
    assert_error(r, status, body)
    assert stored_codes(api) == before


@pytest.mark.parametrize(
    ("user", "token"),
    [
        pytest.param("self", "eli-token", id="by-student"),
        pytest.param(202, "admin-token", id="by-admin"),
    ],
)
def test_create_pairing_code_without_self_registration_is_forbidden(
    api: ApiClient, user: str | int, token: str
) -> None:
    load_variant(api, canvas_without_self_registration)
    before = stored_codes(api)
    r = api.post(codes_path(user), token=token)
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_self_registration_follows_domain_root_account(
    api: ApiClient,
) -> None:
    # Canvas University (1) has self-registration off; Riverside (2), the domain here, has it.
    load_variant(api, canvas_without_self_registration)
    assert_code(api.post(codes_path("self"), token="eli-token", host="riverside.test"), 202)


def test_create_pairing_code_self_registration_off_on_riverside_only_allows_default_host(
    api: ApiClient,
) -> None:
    load_variant(api, riverside_without_self_registration)
    r = api.post(codes_path(400), token="robin-token", host="riverside.test")
    assert_error(r, 403, FORBIDDEN)
    assert_code(api.post(codes_path(400), token="robin-token"), 400)


# -- the code itself ------------------------------------------------------------------------


def test_create_pairing_code_expires_in_seven_days(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, api, datetime(2024, 8, 1, 12, 0, 0, tzinfo=UTC))
    r = api.post(codes_path("self"), token="eli-token")
    code = assert_code(r, 202)
    assert r.body["expires_at"] == "2024-08-08T12:00:00Z"
    assert stored_codes(api)[code] == (202, datetime(2024, 8, 8, 12, 0, 0, tzinfo=UTC), "active")


def test_create_pairing_code_expiry_has_whole_seconds(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, api, datetime(2024, 12, 31, 23, 30, 15, 987654, tzinfo=UTC))
    r = api.post(codes_path("self"), token="eli-token")
    assert_code(r, 202)
    assert r.body["expires_at"] == "2025-01-07T23:30:15Z"


def test_create_pairing_code_expiry_follows_the_real_clock(api: ApiClient) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    r = api.post(codes_path("self"), token="eli-token")
    after = datetime.now(UTC)
    assert_code(r, 202)
    expires_at = datetime.strptime(r.body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before + timedelta(days=7) <= expires_at <= after + timedelta(days=7)


def test_create_pairing_code_expires_after_seven_days(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, api, datetime(2024, 8, 1, 12, 0, 0, tzinfo=UTC))
    code = assert_code(api.post(codes_path("self"), token="eli-token"), 202)
    freeze_clock(monkeypatch, api, datetime(2024, 8, 8, 12, 0, 0, tzinfo=UTC))
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": code})
    assert_error(r, 422, INVALID_CODE)
    assert pair_rows(api, 100, 202) == []


def test_create_pairing_code_is_usable_until_it_expires(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, api, datetime(2024, 8, 1, 12, 0, 0, tzinfo=UTC))
    code = assert_code(api.post(codes_path("self"), token="eli-token"), 202)
    freeze_clock(monkeypatch, api, datetime(2024, 8, 8, 11, 59, 59, tzinfo=UTC))
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": code})
    assert r.status == 200, r.text
    assert r.body["id"] == 202
    assert pair_rows(api, 100, 202) == [(1, "active")]


def test_create_pairing_code_codes_match_the_alphabet(api: ApiClient) -> None:
    codes = [assert_code(api.post(codes_path("self"), token="eli-token"), 202) for _ in range(25)]
    assert all(CODE_RE.match(code) for code in codes)


def test_create_pairing_code_several_codes_are_active_at_once(api: ApiClient) -> None:
    codes = [assert_code(api.post(codes_path("self"), token="eli-token"), 202) for _ in range(3)]
    assert len(set(codes)) == 3
    assert "Eli202" not in codes
    stored = stored_codes(api)
    for code in [*codes, "Eli202"]:
        assert stored[code][0] == 202
        assert stored[code][2] == "active"


def test_create_pairing_code_each_code_links_once(api: ApiClient) -> None:
    first, second, third = (
        assert_code(api.post(codes_path("self"), token="eli-token"), 202) for _ in range(3)
    )
    r1 = api.post(OBSERVEES, token="parent-token", data={"pairing_code": first})
    r2 = api.post(OBSERVEES, token="newparent-token", data={"pairing_code": second})
    r3 = api.post(OBSERVEES, token="guardian-token", data={"pairing_code": third})
    for r in (r1, r2, r3):
        assert r.status == 200, r.text
        assert r.body["id"] == 202
        assert r.body["observation_link_root_account_ids"] == [1]
    assert pair_rows(api, 100, 202) == [(1, "active")]
    assert pair_rows(api, 102, 202) == [(1, "active")]
    assert pair_rows(api, 101, 202) == [(1, "active")]
    for code, token in (
        (first, "newparent-token"),
        (second, "parent-token"),
        (third, "parent-token"),
    ):
        again = api.post(OBSERVEES, token=token, data={"pairing_code": code})
        assert_error(again, 422, INVALID_CODE)


def test_create_pairing_code_keeps_earlier_codes_valid(api: ApiClient) -> None:
    first = assert_code(api.post(codes_path("self"), token="eli-token"), 202)
    assert_code(api.post(codes_path("self"), token="eli-token"), 202)
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": first})
    assert r.status == 200, r.text
    fixture_code = api.post(OBSERVEES, token="newparent-token", data={"pairing_code": "Eli202"})
    assert fixture_code.status == 200, fixture_code.text
    assert pair_rows(api, 100, 202) == [(1, "active")]
    assert pair_rows(api, 102, 202) == [(1, "active")]


def test_create_pairing_code_by_admin_is_for_the_student(api: ApiClient) -> None:
    # A code an admin makes names the student, not the admin.
    code = assert_code(api.post(codes_path(200), token="admin-token"), 200)
    r = api.post(OBSERVEES, token="newparent-token", data={"pairing_code": code})
    assert r.status == 200, r.text
    assert r.body["id"] == 200
    assert pair_rows(api, 102, 200) == [(1, "active")]
