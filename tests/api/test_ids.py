"""User ids in paths, as Canvas's api_find reads them: decimal, `self` and the SIS forms."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import NOT_FOUND, assert_error, user_ids
from tests.conftest import ApiClient, Resp

PARENT_OBSERVEES = [201, 200]  # Parent Smith (100) observes Dana Brooks and Child Smith


def _observees(api: ApiClient, user_id: str, token: str = "parent-token", **kw: Any) -> Resp:
    """GET the observees list of the user `user_id` names."""
    return api.get(f"/api/v1/users/{user_id}/observees", token=token, **kw)


# -- ids that find the user -------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "send", "expected"),
    [
        # decimal ids
        pytest.param("100", {}, PARENT_OBSERVEES, id="decimal-id"),
        pytest.param("%20100%20", {}, PARENT_OBSERVEES, id="decimal-id-with-surrounding-spaces"),
        pytest.param("0100", {}, PARENT_OBSERVEES, id="decimal-id-with-leading-zeros"),
        pytest.param("0" * 16 + "100", {}, PARENT_OBSERVEES, id="decimal-id-of-19-digits"),
        # self
        pytest.param("self", {"token": "guardian-token"}, [201], id="self-is-the-caller"),
        # SIS forms
        pytest.param("sis_user_id:P100", {}, PARENT_OBSERVEES, id="sis-user-id"),
        pytest.param("sis_login_id:parent@canvas.test", {}, PARENT_OBSERVEES, id="sis-login-id"),
        pytest.param(
            "sis_login_id:PARENT@canvas.test",
            {},
            PARENT_OBSERVEES,
            id="sis-login-id-is-case-insensitive",
        ),
        pytest.param("sis_integration_id:I100", {}, PARENT_OBSERVEES, id="sis-integration-id"),
        # SIS lookups are scoped to the domain root account. guardian@riverside.test is
        # Morgan Guardian's login in Riverside (account 2) only.
        pytest.param(
            "sis_login_id:guardian@riverside.test",
            {"token": "guardian-token", "host": "riverside.test"},
            [201],
            id="sis-login-id-in-domain-root-account",
        ),
        pytest.param(
            "sis_login_id:guardian@riverside.test",
            {"token": "guardian-token", "host": "riverside.test:8443"},
            [201],
            id="sis-login-id-with-port-in-host-uses-domain-root-account",
        ),
        pytest.param(
            "sis_user_id:P101",
            {"token": "guardian-token", "host": "elsewhere.test"},
            [201],
            id="sis-user-id-of-default-root-account-found-on-unknown-host",
        ),
        pytest.param(
            "100",
            {"host": "riverside.test"},
            PARENT_OBSERVEES,
            id="decimal-id-is-not-scoped-to-domain-root-account",
        ),
    ],
)
def test_user_id_finds_user(
    api: ApiClient, user_id: str, send: dict[str, str], expected: list[int]
) -> None:
    r = _observees(api, user_id, **send)
    assert r.status == 200
    assert user_ids(r.body) == expected


@pytest.mark.parametrize(
    ("path", "token", "expected"),
    [
        pytest.param(
            "/api/v1/users/self/observees/0200",
            "parent-token",
            200,
            id="decimal-observee-id-with-leading-zeros",
        ),
        pytest.param(
            "/api/v1/users/self/observers/%20100%20",
            "student-token",
            100,
            id="decimal-observer-id-with-spaces",
        ),
        pytest.param(
            "/api/v1/users/self/observees/sis_user_id:S200",
            "parent-token",
            200,
            id="sis-user-id-as-observee",
        ),
        pytest.param(
            "/api/v1/users/self/observees/sis_integration_id:SI200",
            "parent-token",
            200,
            id="sis-integration-id-as-observee",
        ),
        pytest.param(
            "/api/v1/users/self/observers/sis_login_id:Guardian@Canvas.Test",
            "dana-token",
            101,
            id="sis-login-id-as-observer",
        ),
    ],
)
def test_id_in_single_user_path_finds_user(
    api: ApiClient, path: str, token: str, expected: int
) -> None:
    r = api.get(path, token=token)
    assert r.status == 200
    assert r.body["id"] == expected


# -- ids that find nobody ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "send"),
    [
        pytest.param("sis_user_id:p100", {}, id="sis-user-id-value-is-case-sensitive"),
        pytest.param(
            "sis_integration_id:i100", {}, id="sis-integration-id-value-is-case-sensitive"
        ),
        pytest.param("SIS_USER_ID:P100", {}, id="sis-prefix-is-case-sensitive"),
        pytest.param("sis_user_id:", {}, id="sis-user-id-without-value"),
        pytest.param("sis_user_id:NOPE", {}, id="unknown-sis-user-id"),
        pytest.param(
            "sis_login_id:guardian@riverside.test",
            {"token": "guardian-token", "host": "canvas.test"},
            id="sis-login-id-of-other-root-account",
        ),
        pytest.param(
            "sis_login_id:guardian@riverside.test",
            {"token": "guardian-token", "host": "elsewhere.test"},
            id="sis-login-id-on-unknown-host-uses-default-root-account",
        ),
        # P101 is Morgan Guardian's SIS id in Canvas University (account 1), not in Riverside.
        pytest.param(
            "sis_user_id:P101",
            {"token": "guardian-token", "host": "riverside.test"},
            id="sis-user-id-of-other-root-account",
        ),
        pytest.param("500", {"token": "admin-token"}, id="deleted-user-id"),
        pytest.param(
            "sis_login_id:dan@canvas.test", {"token": "admin-token"}, id="deleted-user-sis-login-id"
        ),
        # A caller who may not see others' lists still gets 404, not 403, for nobody.
        pytest.param("abc", {"token": "student-token"}, id="unknown-user-before-permission-check"),
    ],
)
def test_user_id_is_not_found(api: ApiClient, user_id: str, send: dict[str, str]) -> None:
    assert_error(_observees(api, user_id, **send), 404, NOT_FOUND)


@pytest.mark.parametrize(
    "user_id",
    [
        "abc",
        "-1",
        "+100",
        "1.5",
        "1e2",
        "100abc",
        "0",
        "0" * 17 + "100",  # 20 digits: longer than Api::ID_REGEX allows, even though it is 100
        "9223372036854775808",  # 19 digits, above 2**63 - 1
        "%D9%A1%D9%A0%D9%A0",  # Arabic-Indic digits for 100: not ASCII \d
        "SIS_USER_ID:P100",
        "sis_email:parent@canvas.test",
        "uuid:x",
        "999999",
    ],
)
def test_unmatchable_user_id_is_not_found(api: ApiClient, user_id: str) -> None:
    assert_error(_observees(api, user_id), 404, NOT_FOUND)


@pytest.mark.parametrize("observee_id", ["abc", "-1", "1.5", "0", "0" * 17 + "200", "uuid:x"])
def test_unmatchable_observee_id_is_not_found(api: ApiClient, observee_id: str) -> None:
    r = api.get(f"/api/v1/users/self/observees/{observee_id}", token="parent-token")
    assert_error(r, 404, NOT_FOUND)


@pytest.mark.parametrize(
    "path",
    [
        # Parent Smith does not observe himself.
        pytest.param("/api/v1/users/100/observees/self", id="self-as-observee-is-the-caller"),
        pytest.param("/api/v1/users/self/observees/500", id="deleted-user-as-observee"),
    ],
)
def test_observee_path_is_not_found(api: ApiClient, path: str) -> None:
    r = api.get(path, token="parent-token")
    assert_error(r, 404, NOT_FOUND)
