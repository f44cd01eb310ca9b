"""POST /api/v1/users/:user_id/observer_pairing_codes: a student's code for an observer."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
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
INVALID_CODE = {"errors": [{"message": "Invalid pairing code."}]}
CODE_KEYS = ["user_id", "code", "expires_at", "workflow_state"]
CODE_RE = re.compile(r"^[A-Za-z0-9]{6}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


# -- helpers ----------------------------------------------------------------------------


def codes_path(user: str | int) -> str:
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


def assert_error(r: Resp, status: int, body: dict[str, Any]) -> None:
    assert r.status == status, r.text
    assert r.header("content-type") == JSON_TYPE
    assert r.body == body


def stored_codes(api: ApiClient) -> dict[str, tuple[int, datetime, str]]:
    """Every pairing code in the store: code -> (user id, expires_at, workflow_state)."""
    return {
        c.code: (c.user_id, c.expires_at, c.workflow_state)
        for c in api.store.export().pairing_codes
    }


def pair_rows(api: ApiClient, observer: int, student: int) -> list[tuple[int, str]]:
    return sorted(
        (link.root_account_id, link.state)
        for link in api.store.export().links
        if link.observer_id == observer and link.student_id == student
    )


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


def canvas_without_self_registration(doc: dict[str, Any]) -> None:
    for account in doc["accounts"]:
        if account["id"] == 1:
            account["self_registration"] = False


def riverside_without_self_registration(doc: dict[str, Any]) -> None:
    for account in doc["accounts"]:
        if account["id"] == 2:
            account["self_registration"] = False


@pytest.fixture
def freeze(api: ApiClient) -> Iterator[Callable[[datetime], None]]:
    """Set the store clock; the original clock comes back after the test."""
    original = api.store.clock

    def set_clock(moment: datetime) -> None:
        api.store.clock = lambda: moment

    yield set_clock
    api.store.clock = original


# -- who may create a code ----------------------------------------------------------------


def test_create_pairing_code_by_student_for_self_returns_code(api: ApiClient) -> None:
    r = api.post(codes_path("self"), token="eli-token")
    code = assert_code(r, 202)
    assert stored_codes(api)[code][0] == 202
    assert stored_codes(api)[code][2] == "active"


def test_create_pairing_code_by_student_by_id_returns_code(api: ApiClient) -> None:
    code = assert_code(api.post(codes_path(202), token="eli-token"), 202)
    assert stored_codes(api)[code][0] == 202


def test_create_pairing_code_by_student_by_sis_id_returns_code(api: ApiClient) -> None:
    code = assert_code(api.post(codes_path("sis_user_id:S202"), token="eli-token"), 202)
    assert stored_codes(api)[code][0] == 202


def test_create_pairing_code_by_account_admin_returns_code(api: ApiClient) -> None:
    code = assert_code(api.post(codes_path(202), token="admin-token"), 202)
    assert stored_codes(api)[code][0] == 202


def test_create_pairing_code_by_sub_account_admin_for_course_under_it_returns_code(
    api: ApiClient,
) -> None:
    # Biology 101 (course 10) belongs to sub-account 3, which Sadie administers.
    code = assert_code(api.post(codes_path(200), token="subadmin-token"), 200)
    assert stored_codes(api)[code][0] == 200


def test_create_pairing_code_by_sub_account_admin_for_other_courses_is_forbidden(
    api: ApiClient,
) -> None:
    # Dana's courses are 11 (account 1) and 20 (account 2): none under sub-account 3.
    before = stored_codes(api)
    r = api.post(codes_path(201), token="subadmin-token")
    assert_error(r, 403, FORBIDDEN)
    assert r.header("www-authenticate") is None
    assert stored_codes(api) == before


def test_create_pairing_code_by_riverside_admin_for_riverside_student_returns_code(
    api: ApiClient,
) -> None:
    assert_code(api.post(codes_path(400), token="riverside-admin-token"), 400)


def test_create_pairing_code_by_admin_of_other_account_is_forbidden(api: ApiClient) -> None:
    before = stored_codes(api)
    r = api.post(codes_path(202), token="riverside-admin-token")
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_by_teacher_without_account_permission_is_forbidden(
    api: ApiClient,
) -> None:
    # Terry teaches Biology 101, but Canvas University does not let teachers make codes.
    before = stored_codes(api)
    r = api.post(codes_path(200), token="teacher-token")
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_by_teacher_where_account_allows_returns_code(
    api: ApiClient,
) -> None:
    # Riverside lets teachers generate codes; Quinn teaches Robin's Riverside Algebra.
    code = assert_code(api.post(codes_path(400), token="riverside-teacher-token"), 400)
    assert stored_codes(api)[code][0] == 400


def test_create_pairing_code_by_teacher_for_student_of_their_course_returns_code(
    api: ApiClient,
) -> None:
    # Dana takes Riverside Algebra (course 20) too.
    assert_code(api.post(codes_path(201), token="riverside-teacher-token"), 201)


def test_create_pairing_code_by_teacher_for_student_outside_their_courses_is_forbidden(
    api: ApiClient,
) -> None:
    before = stored_codes(api)
    r = api.post(codes_path(200), token="riverside-teacher-token")
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_by_observer_for_linked_student_is_forbidden(api: ApiClient) -> None:
    before = stored_codes(api)
    r = api.post(codes_path(200), token="parent-token")
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_by_other_student_is_forbidden(api: ApiClient) -> None:
    before = stored_codes(api)
    r = api.post(codes_path(202), token="student-token")
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_for_user_without_student_enrollment_is_forbidden(
    api: ApiClient,
) -> None:
    before = stored_codes(api)
    r = api.post(codes_path("self"), token="frankie-token")
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_by_admin_for_user_without_student_enrollment_is_forbidden(
    api: ApiClient,
) -> None:
    before = stored_codes(api)
    r = api.post(codes_path(203), token="admin-token")
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_for_teacher_is_forbidden(api: ApiClient) -> None:
    r = api.post(codes_path("self"), token="teacher-token")
    assert_error(r, 403, FORBIDDEN)


def test_create_pairing_code_for_unknown_user_is_not_found(api: ApiClient) -> None:
    before = stored_codes(api)
    r = api.post(codes_path(9999), token="parent-token")
    assert_error(r, 404, NOT_FOUND)
    assert stored_codes(api) == before


def test_create_pairing_code_for_malformed_user_id_is_not_found(api: ApiClient) -> None:
    r = api.post(codes_path("abc"), token="admin-token")
    assert_error(r, 404, NOT_FOUND)


def test_create_pairing_code_for_deleted_user_is_forbidden_not_missing(api: ApiClient) -> None:
    # User 500 is deleted, but this endpoint finds deleted users too: the caller (neither
    # the student nor an admin nor a teacher) is refused rather than told "not found".
    before = stored_codes(api)
    r = api.post(codes_path(500), token="parent-token")
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_without_self_registration_is_forbidden(api: ApiClient) -> None:
    load_variant(api, canvas_without_self_registration)
    before = stored_codes(api)
    r = api.post(codes_path("self"), token="eli-token")
    assert_error(r, 403, FORBIDDEN)
    assert stored_codes(api) == before


def test_create_pairing_code_by_admin_without_self_registration_is_forbidden(
    api: ApiClient,
) -> None:
    load_variant(api, canvas_without_self_registration)
    r = api.post(codes_path(202), token="admin-token")
    assert_error(r, 403, FORBIDDEN)


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
    api: ApiClient, freeze: Callable[[datetime], None]
) -> None:
    freeze(datetime(2024, 8, 1, 12, 0, 0, tzinfo=UTC))
    r = api.post(codes_path("self"), token="eli-token")
    code = assert_code(r, 202)
    assert r.body["expires_at"] == "2024-08-08T12:00:00Z"
    assert stored_codes(api)[code] == (202, datetime(2024, 8, 8, 12, 0, 0, tzinfo=UTC), "active")


def test_create_pairing_code_expiry_has_whole_seconds(
    api: ApiClient, freeze: Callable[[datetime], None]
) -> None:
    freeze(datetime(2024, 12, 31, 23, 30, 15, 987654, tzinfo=UTC))
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
    api: ApiClient, freeze: Callable[[datetime], None]
) -> None:
    freeze(datetime(2024, 8, 1, 12, 0, 0, tzinfo=UTC))
    code = assert_code(api.post(codes_path("self"), token="eli-token"), 202)
    freeze(datetime(2024, 8, 8, 12, 0, 0, tzinfo=UTC))
    r = api.post("/api/v1/users/self/observees", token="parent-token", data={"pairing_code": code})
    assert_error(r, 422, INVALID_CODE)
    assert pair_rows(api, 100, 202) == []


def test_create_pairing_code_is_usable_until_it_expires(
    api: ApiClient, freeze: Callable[[datetime], None]
) -> None:
    freeze(datetime(2024, 8, 1, 12, 0, 0, tzinfo=UTC))
    code = assert_code(api.post(codes_path("self"), token="eli-token"), 202)
    freeze(datetime(2024, 8, 8, 11, 59, 59, tzinfo=UTC))
    r = api.post("/api/v1/users/self/observees", token="parent-token", data={"pairing_code": code})
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
    observees = "/api/v1/users/self/observees"
    r1 = api.post(observees, token="parent-token", data={"pairing_code": first})
    r2 = api.post(observees, token="newparent-token", data={"pairing_code": second})
    r3 = api.post(observees, token="guardian-token", data={"pairing_code": third})
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
        again = api.post(observees, token=token, data={"pairing_code": code})
        assert_error(again, 422, INVALID_CODE)


def test_create_pairing_code_keeps_earlier_codes_valid(api: ApiClient) -> None:
    first = assert_code(api.post(codes_path("self"), token="eli-token"), 202)
    assert_code(api.post(codes_path("self"), token="eli-token"), 202)
    r = api.post("/api/v1/users/self/observees", token="parent-token", data={"pairing_code": first})
    assert r.status == 200, r.text
    fixture_code = api.post(
        "/api/v1/users/self/observees", token="newparent-token", data={"pairing_code": "Eli202"}
    )
    assert fixture_code.status == 200, fixture_code.text
    assert pair_rows(api, 100, 202) == [(1, "active")]
    assert pair_rows(api, 102, 202) == [(1, "active")]


def test_create_pairing_code_by_admin_is_for_the_student(api: ApiClient) -> None:
    # A code an admin makes names the student, not the admin.
    code = assert_code(api.post(codes_path(200), token="admin-token"), 200)
    r = api.post(
        "/api/v1/users/self/observees", token="newparent-token", data={"pairing_code": code}
    )
    assert r.status == 200, r.text
    assert r.body["id"] == 200
    assert pair_rows(api, 102, 200) == [(1, "active")]
