"""POST /api/v1/users/:user_id/observees: link a student found by token, pairing code or login."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
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
UNKNOWN_OBSERVEE = {"errors": [{"message": "Unknown observee."}]}
INVALID_CODE = {"errors": [{"message": "Invalid pairing code."}]}
INVALID_CREDENTIALS = {"errors": [{"message": "Invalid credentials provided."}]}
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
    102: ("Riley Newparent", "Newparent, Riley", "2024-08-03T12:00:00Z"),
    200: ("Child Smith", "Smith, Child", "2024-08-04T12:00:00Z"),
    201: ("Dana Brooks", "Brooks, Dana", "2024-08-05T12:00:00Z"),
    202: ("Eli Carter", "Carter, Eli", "2024-08-06T12:00:00Z"),
    400: ("Robin Riverside", "Riverside, Robin", "2024-08-08T12:00:00Z"),
}
OBSERVEES = "/api/v1/users/self/observees"


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
    """Every link row as (observer, student, root account) -> state."""
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
    r = api.get(OBSERVEES, token=token)
    assert r.status == 200, r.text
    return [user["id"] for user in r.body]


def active_codes(api: ApiClient) -> set[str]:
    return {c.code for c in api.store.export().pairing_codes if c.workflow_state == "active"}


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


def without_guardian_dana_links(doc: dict[str, Any]) -> None:
    """Guardian 101 and Dana 201 share root accounts 1 and 2, and are not linked at all."""
    doc["observer_links"] = [
        link
        for link in doc["observer_links"]
        if not (link["observer"] == 101 and link["observee"] == 201)
    ]


@pytest.fixture
def freeze(api: ApiClient) -> Iterator[Callable[[datetime], None]]:
    """Set the store clock; the original clock comes back after the test."""
    original = api.store.clock

    def set_clock(moment: datetime) -> None:
        api.store.clock = lambda: moment

    yield set_clock
    api.store.clock = original


# -- by access_token ----------------------------------------------------------------------


def test_add_observee_by_access_token_form_links_student(api: ApiClient) -> None:
    r = api.post(OBSERVEES, token="parent-token", data={"access_token": "eli-token"})
    assert_user(r, 202, [1])
    assert pair_rows(api, 100, 202) == [(1, "active")]
    assert observee_ids(api, "parent-token") == [201, 202, 200]


def test_add_observee_by_access_token_json_links_student(api: ApiClient) -> None:
    r = api.post(OBSERVEES, token="parent-token", json={"access_token": "eli-token"})
    assert_user(r, 202, [1])
    assert pair_rows(api, 100, 202) == [(1, "active")]


def test_add_observee_for_own_id_path_links_student(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/100/observees", token="parent-token", data={"access_token": "eli-token"}
    )
    assert_user(r, 202, [1])
    assert pair_rows(api, 100, 202) == [(1, "active")]


def test_add_observee_by_unknown_access_token_is_unknown_observee(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token="parent-token", data={"access_token": "no-such-token"})
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert r.header("www-authenticate") is None
    assert link_rows(api) == before


def test_add_observee_by_unknown_access_token_json_is_unknown_observee(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token="parent-token", json={"access_token": "no-such-token"})
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert link_rows(api) == before


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


def test_add_observee_by_token_without_common_root_account_returns_student_unlinked(
    api: ApiClient,
) -> None:
    # Robin belongs to root account 2 only, Parent Smith to root account 1 only.
    r = api.post(OBSERVEES, token="parent-token", data={"access_token": "robin-token"})
    assert_user(r, 400, [])
    assert pair_rows(api, 100, 400) == []
    assert observee_ids(api, "parent-token") == [201, 200]


def test_add_observee_by_own_access_token_returns_own_object(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token="parent-token", data={"access_token": "parent-token"})
    assert_user(r, 100, [])
    assert link_rows(api) == before


def test_add_observee_authenticated_by_access_token_param_returns_own_object(
    api: ApiClient,
) -> None:
    # Without an Authorization header the access_token parameter both authenticates the
    # caller and names the "observee": the caller themselves.
    before = link_rows(api)
    r = api.post(OBSERVEES, data={"access_token": "parent-token"})
    assert_user(r, 100, [])
    assert link_rows(api) == before


# -- by pairing_code ----------------------------------------------------------------------


def test_add_observee_by_pairing_code_links_student(api: ApiClient) -> None:
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": "Eli202"})
    assert_user(r, 202, [1])
    assert pair_rows(api, 100, 202) == [(1, "active")]
    assert observee_ids(api, "parent-token") == [201, 202, 200]


def test_add_observee_by_pairing_code_json_links_student(api: ApiClient) -> None:
    r = api.post(OBSERVEES, token="newparent-token", json={"pairing_code": "Eli202"})
    assert_user(r, 202, [1])
    assert pair_rows(api, 102, 202) == [(1, "active")]


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


def test_add_observee_by_generated_pairing_code_links_student(api: ApiClient) -> None:
    made = api.post("/api/v1/users/self/observer_pairing_codes", token="student-token")
    assert made.status == 200, made.text
    r = api.post(OBSERVEES, token="newparent-token", data={"pairing_code": made.body["code"]})
    assert_user(r, 200, [1])
    assert pair_rows(api, 102, 200) == [(1, "active")]
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
    api: ApiClient, freeze: Callable[[datetime], None]
) -> None:
    # Eli202 expires at 2030-01-01T00:00:00Z; a code is active only while expires_at > now.
    freeze(datetime(2030, 1, 1, 0, 0, 0, tzinfo=UTC))
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": "Eli202"})
    assert_error(r, 422, INVALID_CODE)
    assert pair_rows(api, 100, 202) == []


def test_add_observee_by_pairing_code_just_before_expiry_links_student(
    api: ApiClient, freeze: Callable[[datetime], None]
) -> None:
    freeze(datetime(2029, 12, 31, 23, 59, 59, tzinfo=UTC))
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


def test_add_observee_by_pairing_code_refused_by_self_or_admin_check_keeps_code(
    api: ApiClient,
) -> None:
    # The self-or-admin check is a before_action: an admin without manage_user_observers is
    # refused before the code is ever looked up.
    r = api.post(
        "/api/v1/users/102/observees", token="noperm-token", data={"pairing_code": "Eli202"}
    )
    assert_error(r, 403, FORBIDDEN)
    assert pair_rows(api, 102, 202) == []
    assert "Eli202" in active_codes(api)


def test_add_observee_by_pairing_code_with_unknown_root_account_keeps_code(
    api: ApiClient,
) -> None:
    # The root account is looked up (404) before Canvas destroys the code.
    r = api.post(
        OBSERVEES, token="parent-token", data={"pairing_code": "Eli202", "root_account_id": "999"}
    )
    assert_error(r, 404, NOT_FOUND)
    assert "Eli202" in active_codes(api)
    assert pair_rows(api, 100, 202) == []


def test_add_observee_by_pairing_code_without_common_root_account_uses_code(
    api: ApiClient,
) -> None:
    made = api.post("/api/v1/users/400/observer_pairing_codes", token="riverside-teacher-token")
    assert made.status == 200, made.text
    r = api.post(OBSERVEES, token="parent-token", data={"pairing_code": made.body["code"]})
    assert_user(r, 400, [])
    assert pair_rows(api, 100, 400) == []
    assert made.body["code"] not in active_codes(api)


def test_add_observee_by_own_pairing_code_returns_own_object(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token="eli-token", data={"pairing_code": "Eli202"})
    assert_user(r, 202, [])
    assert link_rows(api) == before


# -- by observee[unique_id] + observee[password] --------------------------------------------


def test_add_observee_by_credentials_form_links_student(api: ApiClient) -> None:
    r = api.post(
        OBSERVEES,
        token="parent-token",
        data={"observee[unique_id]": "eli@canvas.test", "observee[password]": "eli-pass"},
    )
    assert_user(r, 202, [1])
    assert pair_rows(api, 100, 202) == [(1, "active")]
    assert observee_ids(api, "parent-token") == [201, 202, 200]


def test_add_observee_by_credentials_json_links_student(api: ApiClient) -> None:
    r = api.post(
        OBSERVEES,
        token="parent-token",
        json={"observee": {"unique_id": "eli@canvas.test", "password": "eli-pass"}},
    )
    assert_user(r, 202, [1])
    assert pair_rows(api, 100, 202) == [(1, "active")]


def test_add_observee_by_credentials_unique_id_ignores_case(api: ApiClient) -> None:
    r = api.post(
        OBSERVEES,
        token="parent-token",
        data={"observee[unique_id]": "ELI@Canvas.Test", "observee[password]": "eli-pass"},
    )
    assert_user(r, 202, [1])
    assert pair_rows(api, 100, 202) == [(1, "active")]


def test_add_observee_by_unknown_login_is_unknown_observee(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(
        OBSERVEES,
        token="parent-token",
        data={"observee[unique_id]": "nobody@canvas.test", "observee[password]": "eli-pass"},
    )
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert link_rows(api) == before


def test_add_observee_by_unknown_login_json_is_unknown_observee(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(
        OBSERVEES,
        token="parent-token",
        json={"observee": {"unique_id": "nobody@canvas.test", "password": "x"}},
    )
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert link_rows(api) == before


def test_add_observee_without_unique_id_is_unknown_observee(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token="parent-token", data={"observee[password]": "eli-pass"})
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert link_rows(api) == before


def test_add_observee_by_login_outside_domain_root_account_is_unknown_observee(
    api: ApiClient,
) -> None:
    # Eli's login lives in root account 1; the request goes to Riverside (root account 2).
    before = link_rows(api)
    r = api.post(
        OBSERVEES,
        token="parent-token",
        host="riverside.test",
        data={"observee[unique_id]": "eli@canvas.test", "observee[password]": "eli-pass"},
    )
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert link_rows(api) == before


def test_add_observee_by_riverside_login_on_default_domain_is_unknown_observee(
    api: ApiClient,
) -> None:
    before = link_rows(api)
    r = api.post(
        OBSERVEES,
        token="guardian-token",
        data={"observee[unique_id]": "robin@riverside.test", "observee[password]": "robin-pass"},
    )
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert link_rows(api) == before


def test_add_observee_by_login_in_domain_root_account_links_there(api: ApiClient) -> None:
    r = api.post(
        OBSERVEES,
        token="guardian-token",
        host="riverside.test",
        data={"observee[unique_id]": "robin@riverside.test", "observee[password]": "robin-pass"},
    )
    assert_user(r, 400, [2])
    assert pair_rows(api, 101, 400) == [(2, "active")]


def test_add_observee_by_login_without_common_root_account_is_unknown_observee(
    api: ApiClient,
) -> None:
    # Robin's login is found in the domain (Riverside), but Parent Smith is only in account 1.
    before = link_rows(api)
    r = api.post(
        OBSERVEES,
        token="parent-token",
        host="riverside.test",
        data={"observee[unique_id]": "robin@riverside.test", "observee[password]": "robin-pass"},
    )
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert link_rows(api) == before


def test_add_observee_by_wrong_password_is_invalid_credentials(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(
        OBSERVEES,
        token="parent-token",
        data={"observee[unique_id]": "eli@canvas.test", "observee[password]": "wrong-pass"},
    )
    assert_error(r, 401, INVALID_CREDENTIALS)
    assert r.header("www-authenticate") is None
    assert link_rows(api) == before


def test_add_observee_by_wrong_password_json_is_invalid_credentials(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(
        OBSERVEES,
        token="parent-token",
        json={"observee": {"unique_id": "eli@canvas.test", "password": "Eli-pass"}},
    )
    assert_error(r, 401, INVALID_CREDENTIALS)
    assert r.header("www-authenticate") is None
    assert link_rows(api) == before


def test_add_observee_without_password_is_invalid_credentials(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(OBSERVEES, token="parent-token", data={"observee[unique_id]": "eli@canvas.test"})
    assert_error(r, 401, INVALID_CREDENTIALS)
    assert r.header("www-authenticate") is None
    assert link_rows(api) == before


def test_add_observee_by_own_credentials_is_unknown_observee(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(
        OBSERVEES,
        token="parent-token",
        data={"observee[unique_id]": "parent@canvas.test", "observee[password]": "parent-pass"},
    )
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert link_rows(api) == before


def test_add_observee_by_deleted_users_login_is_unknown_observee(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(
        OBSERVEES,
        token="parent-token",
        data={"observee[unique_id]": "dan@canvas.test", "observee[password]": "dan-pass"},
    )
    assert_error(r, 422, UNKNOWN_OBSERVEE)
    assert link_rows(api) == before


def test_add_observee_by_admin_with_credentials_links_student(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/102/observees",
        token="admin-token",
        json={"observee": {"unique_id": "eli@canvas.test", "password": "eli-pass"}},
    )
    assert_user(r, 202, [1])
    assert pair_rows(api, 102, 202) == [(1, "active")]


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


def test_add_observee_without_root_account_id_links_domain_root_only(api: ApiClient) -> None:
    load_variant(api, without_guardian_dana_links)
    r = api.post(
        OBSERVEES,
        token="guardian-token",
        host="riverside.test",
        data={"access_token": "dana-token"},
    )
    assert_user(r, 201, [2])
    assert pair_rows(api, 101, 201) == [(2, "active")]


def test_add_observee_without_root_account_id_on_default_host_links_account_1(
    api: ApiClient,
) -> None:
    load_variant(api, without_guardian_dana_links)
    r = api.post(OBSERVEES, token="guardian-token", data={"access_token": "dana-token"})
    assert_user(r, 201, [1])
    assert pair_rows(api, 101, 201) == [(1, "active")]


def test_add_observee_with_root_account_id_all_links_every_common_account(
    api: ApiClient,
) -> None:
    load_variant(api, without_guardian_dana_links)
    r = api.post(
        OBSERVEES,
        token="guardian-token",
        host="riverside.test",
        data={"access_token": "dana-token", "root_account_id": "all"},
    )
    assert_user(r, 201, [1, 2])
    assert pair_rows(api, 101, 201) == [(1, "active"), (2, "active")]


def test_add_observee_with_root_account_id_links_that_account(api: ApiClient) -> None:
    load_variant(api, without_guardian_dana_links)
    r = api.post(
        OBSERVEES,
        token="guardian-token",
        data={"access_token": "dana-token", "root_account_id": "2"},
    )
    assert_user(r, 201, [2])
    assert pair_rows(api, 101, 201) == [(2, "active")]


def test_add_observee_with_root_account_id_json_integer_links_that_account(
    api: ApiClient,
) -> None:
    load_variant(api, without_guardian_dana_links)
    r = api.post(
        OBSERVEES,
        token="guardian-token",
        json={"access_token": "dana-token", "root_account_id": 2},
    )
    assert_user(r, 201, [2])
    assert pair_rows(api, 101, 201) == [(2, "active")]


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


# -- acting for another observer -------------------------------------------------------------


def test_add_observee_by_admin_for_other_observer_links_student(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/102/observees", token="admin-token", data={"pairing_code": "Eli202"}
    )
    assert_user(r, 202, [1])
    assert pair_rows(api, 102, 202) == [(1, "active")]
    assert observee_ids(api, "newparent-token") == [202]


def test_add_observee_by_admin_with_access_token_links_student(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/102/observees", token="admin-token", data={"access_token": "student-token"}
    )
    assert_user(r, 200, [1])
    assert pair_rows(api, 102, 200) == [(1, "active")]


def test_add_observee_by_admin_without_permission_is_forbidden(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(
        "/api/v1/users/102/observees", token="noperm-token", data={"access_token": "eli-token"}
    )
    assert_error(r, 403, FORBIDDEN)
    assert r.header("www-authenticate") is None
    assert link_rows(api) == before


def test_add_observee_by_non_admin_for_other_user_is_forbidden(api: ApiClient) -> None:
    before = link_rows(api)
    r = api.post(
        "/api/v1/users/102/observees", token="parent-token", data={"access_token": "eli-token"}
    )
    assert_error(r, 403, FORBIDDEN)
    assert link_rows(api) == before


def test_add_observee_by_admin_of_other_root_account_is_forbidden(api: ApiClient) -> None:
    # Rhea administers Riverside only; on the default domain the scope is account 1.
    before = link_rows(api)
    r = api.post(
        "/api/v1/users/101/observees",
        token="riverside-admin-token",
        data={"access_token": "eli-token"},
    )
    assert_error(r, 403, FORBIDDEN)
    assert link_rows(api) == before


def test_add_observee_for_observer_outside_scope_is_not_found(api: ApiClient) -> None:
    # Robin (the path user) belongs to root account 2 only; the scope is account 1.
    before = link_rows(api)
    r = api.post(
        "/api/v1/users/400/observees", token="admin-token", data={"access_token": "eli-token"}
    )
    assert_error(r, 404, NOT_FOUND)
    assert link_rows(api) == before


def test_add_observee_for_unknown_observer_is_not_found(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/9999/observees", token="admin-token", data={"access_token": "eli-token"}
    )
    assert_error(r, 404, NOT_FOUND)


def test_add_observee_by_admin_lists_only_permitted_link_accounts(api: ApiClient) -> None:
    # Rhea (Riverside admin) adds Dana for guardian 101 on the Riverside domain.
    r = api.post(
        "/api/v1/users/101/observees",
        token="riverside-admin-token",
        host="riverside.test",
        data={"access_token": "dana-token", "root_account_id": "all"},
    )
    # Guardian and Dana are already linked in 1 and 2; Rhea only sees account 2.
    assert_user(r, 201, [2])
    assert pair_rows(api, 101, 201) == [(1, "active"), (2, "active")]


def test_add_observee_by_admin_links_only_permitted_accounts(api: ApiClient) -> None:
    load_variant(api, without_guardian_dana_links)
    r = api.post(
        "/api/v1/users/101/observees",
        token="riverside-admin-token",
        data={"access_token": "dana-token", "root_account_id": "all"},
    )
    assert_user(r, 201, [2])
    assert pair_rows(api, 101, 201) == [(2, "active")]


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
