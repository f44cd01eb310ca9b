"""User ids in paths, as Canvas's api_find reads them: decimal, `self` and the SIS forms."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ApiClient

NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
PARENT_OBSERVEES = [201, 200]  # Parent Smith (100) observes Dana Brooks and Child Smith


def _ids(body: Any) -> list[int]:
    return [user["id"] for user in body]


def _observees(api: ApiClient, user_id: str, token: str = "parent-token", **kw: Any) -> Any:
    return api.get(f"/api/v1/users/{user_id}/observees", token=token, **kw)


def _assert_not_found(r: Any) -> None:
    assert r.status == 404
    assert r.body == NOT_FOUND
    assert r.header("WWW-Authenticate") is None


# -- decimal ids ------------------------------------------------------------------------


def test_decimal_id_finds_user(api: ApiClient) -> None:
    r = _observees(api, "100")
    assert r.status == 200
    assert _ids(r.body) == PARENT_OBSERVEES


def test_decimal_id_with_surrounding_spaces_finds_user(api: ApiClient) -> None:
    r = _observees(api, "%20100%20")
    assert r.status == 200
    assert _ids(r.body) == PARENT_OBSERVEES


def test_decimal_id_with_leading_zeros_finds_user(api: ApiClient) -> None:
    r = _observees(api, "0100")
    assert r.status == 200
    assert _ids(r.body) == PARENT_OBSERVEES


def test_decimal_id_of_19_digits_finds_user(api: ApiClient) -> None:
    r = _observees(api, "0" * 16 + "100")
    assert r.status == 200
    assert _ids(r.body) == PARENT_OBSERVEES


def test_decimal_observee_id_with_leading_zeros_finds_student(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/0200", token="parent-token")
    assert r.status == 200
    assert r.body["id"] == 200


def test_decimal_observer_id_with_spaces_finds_observer(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observers/%20100%20", token="student-token")
    assert r.status == 200
    assert r.body["id"] == 100


# -- self -------------------------------------------------------------------------------


def test_self_is_the_caller(api: ApiClient) -> None:
    r = _observees(api, "self", token="guardian-token")
    assert r.status == 200
    assert _ids(r.body) == [201]


def test_self_as_observee_is_the_caller(api: ApiClient) -> None:
    # Parent Smith does not observe himself.
    r = api.get("/api/v1/users/100/observees/self", token="parent-token")
    _assert_not_found(r)


# -- SIS forms --------------------------------------------------------------------------


def test_sis_user_id_finds_user(api: ApiClient) -> None:
    r = _observees(api, "sis_user_id:P100")
    assert r.status == 200
    assert _ids(r.body) == PARENT_OBSERVEES


def test_sis_login_id_finds_user(api: ApiClient) -> None:
    r = _observees(api, "sis_login_id:parent@canvas.test")
    assert r.status == 200
    assert _ids(r.body) == PARENT_OBSERVEES


def test_sis_login_id_is_case_insensitive(api: ApiClient) -> None:
    r = _observees(api, "sis_login_id:PARENT@canvas.test")
    assert r.status == 200
    assert _ids(r.body) == PARENT_OBSERVEES


def test_sis_integration_id_finds_user(api: ApiClient) -> None:
    r = _observees(api, "sis_integration_id:I100")
    assert r.status == 200
    assert _ids(r.body) == PARENT_OBSERVEES


def test_sis_user_id_as_observee_finds_student(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/sis_user_id:S200", token="parent-token")
    assert r.status == 200
    assert r.body["id"] == 200


def test_sis_integration_id_as_observee_finds_student(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/sis_integration_id:SI200", token="parent-token")
    assert r.status == 200
    assert r.body["id"] == 200


def test_sis_login_id_as_observer_finds_observer(api: ApiClient) -> None:
    r = api.get(
        "/api/v1/users/self/observers/sis_login_id:Guardian@Canvas.Test", token="dana-token"
    )
    assert r.status == 200
    assert r.body["id"] == 101


def test_sis_user_id_value_is_case_sensitive(api: ApiClient) -> None:
    _assert_not_found(_observees(api, "sis_user_id:p100"))


def test_sis_integration_id_value_is_case_sensitive(api: ApiClient) -> None:
    _assert_not_found(_observees(api, "sis_integration_id:i100"))


def test_sis_prefix_is_case_sensitive(api: ApiClient) -> None:
    _assert_not_found(_observees(api, "SIS_USER_ID:P100"))


def test_sis_user_id_without_value_is_not_found(api: ApiClient) -> None:
    _assert_not_found(_observees(api, "sis_user_id:"))


def test_unknown_sis_user_id_is_not_found(api: ApiClient) -> None:
    _assert_not_found(_observees(api, "sis_user_id:NOPE"))


# -- SIS lookups are scoped to the domain root account ----------------------------------


def test_sis_login_id_in_domain_root_account_finds_user(api: ApiClient) -> None:
    # guardian@riverside.test is Morgan Guardian's login in Riverside (account 2) only.
    r = _observees(
        api, "sis_login_id:guardian@riverside.test", token="guardian-token", host="riverside.test"
    )
    assert r.status == 200
    assert _ids(r.body) == [201]


def test_sis_login_id_with_port_in_host_uses_domain_root_account(api: ApiClient) -> None:
    r = _observees(
        api,
        "sis_login_id:guardian@riverside.test",
        token="guardian-token",
        host="riverside.test:8443",
    )
    assert r.status == 200
    assert _ids(r.body) == [201]


def test_sis_login_id_of_other_root_account_is_not_found(api: ApiClient) -> None:
    r = _observees(
        api, "sis_login_id:guardian@riverside.test", token="guardian-token", host="canvas.test"
    )
    _assert_not_found(r)


def test_sis_login_id_on_unknown_host_uses_default_root_account(api: ApiClient) -> None:
    r = _observees(
        api, "sis_login_id:guardian@riverside.test", token="guardian-token", host="elsewhere.test"
    )
    _assert_not_found(r)


def test_sis_user_id_of_default_root_account_found_on_unknown_host(api: ApiClient) -> None:
    r = _observees(api, "sis_user_id:P101", token="guardian-token", host="elsewhere.test")
    assert r.status == 200
    assert _ids(r.body) == [201]


def test_sis_user_id_of_other_root_account_is_not_found(api: ApiClient) -> None:
    # P101 is Morgan Guardian's SIS id in Canvas University (account 1), not in Riverside.
    r = _observees(api, "sis_user_id:P101", token="guardian-token", host="riverside.test")
    _assert_not_found(r)


def test_decimal_id_is_not_scoped_to_domain_root_account(api: ApiClient) -> None:
    r = _observees(api, "100", host="riverside.test")
    assert r.status == 200
    assert _ids(r.body) == PARENT_OBSERVEES


# -- ids that can never match -----------------------------------------------------------


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
    _assert_not_found(_observees(api, user_id))


@pytest.mark.parametrize("observee_id", ["abc", "-1", "1.5", "0", "0" * 17 + "200", "uuid:x"])
def test_unmatchable_observee_id_is_not_found(api: ApiClient, observee_id: str) -> None:
    r = api.get(f"/api/v1/users/self/observees/{observee_id}", token="parent-token")
    _assert_not_found(r)


def test_deleted_user_id_is_not_found(api: ApiClient) -> None:
    _assert_not_found(_observees(api, "500", token="admin-token"))


def test_deleted_user_sis_login_id_is_not_found(api: ApiClient) -> None:
    _assert_not_found(_observees(api, "sis_login_id:dan@canvas.test", token="admin-token"))


def test_deleted_user_as_observee_is_not_found(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/500", token="parent-token")
    _assert_not_found(r)


def test_unknown_user_is_not_found_before_permission_check(api: ApiClient) -> None:
    # A caller who may not see others' lists still gets 404, not 403, for nobody.
    _assert_not_found(_observees(api, "abc", token="student-token"))
