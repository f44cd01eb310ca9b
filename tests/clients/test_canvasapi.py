"""canvasapi 3.6.0, unmodified, against the live server: every observee method it has."""

from __future__ import annotations

import pytest
from canvasapi import Canvas
from canvasapi.exceptions import (
    Forbidden,
    InvalidAccessToken,
    ResourceDoesNotExist,
    Unauthorized,
    UnprocessableEntity,
)
from canvasapi.user import User

pytestmark = [
    pytest.mark.live,
    pytest.mark.filterwarnings("ignore:Canvas may respond unexpectedly:UserWarning"),
]


def _user(url: str, token: str, user_id: int | str) -> User:
    """A canvasapi User for an id: canvasapi builds one from any dict with an id (the mock
    serves only the observees API, not GET /users/:id)."""
    canvas = Canvas(url, token)
    return User(canvas._Canvas__requester, {"id": user_id})  # type: ignore[attr-defined]


def test_get_observees_pages_through_every_student(live: str) -> None:
    students = list(_user(live, "big-observer-1", "self").get_observees(per_page=4))
    # canvasapi appends per_page=100 and the last value wins (as in Rails): one page.
    assert len(students) == 25
    assert len({s.id for s in students}) == 25
    assert [s.sortable_name.casefold() for s in students] == sorted(
        s.sortable_name.casefold() for s in students
    )
    assert all(s.observation_link_root_account_ids == [1] for s in students)


def test_get_observees_with_avatar_include(live: str) -> None:
    students = list(_user(live, "parent-token", "self").get_observees(include=["avatar_url"]))
    assert [s.id for s in students] == [201, 200]
    assert students[0].avatar_url == f"{live}/images/messages/avatar-50.png"


def test_get_observers_of_a_student(live: str) -> None:
    observers = list(_user(live, "dana-token", "self").get_observers())
    assert [(o.id, sorted(o.observation_link_root_account_ids)) for o in observers] == [
        (101, [1, 2]),
        (100, [1]),
    ]


def test_show_observer_through_canvasapis_requester(live: str) -> None:
    canvas = Canvas(live, "dana-token")
    requester = canvas._Canvas__requester  # type: ignore[attr-defined]
    observer = User(requester, requester.request("GET", "users/self/observers/100").json())
    assert (observer.id, observer.name, observer.observation_link_root_account_ids) == (
        100,
        "Parent Smith",
        [1],
    )


def test_add_show_and_remove_observee_by_id(live: str) -> None:
    admin_view = _user(live, "admin-token", 102)
    added = admin_view.add_observee(203)
    assert (added.id, added.observation_link_root_account_ids) == (203, [1])
    assert admin_view.show_observee(203).id == 203
    removed = admin_view.remove_observee(203)
    assert (removed.id, removed.observation_link_root_account_ids) == (203, [])
    with pytest.raises(ResourceDoesNotExist):
        admin_view.show_observee(203)


def test_add_observee_with_credentials_login(live: str) -> None:
    parent = _user(live, "newparent-token", "self")
    student = parent.add_observee_with_credentials(
        observee={"unique_id": "STUDENT@canvas.test", "password": "student-pass"}
    )
    assert (student.id, student.observation_link_root_account_ids) == (200, [1])
    assert [s.id for s in parent.get_observees()] == [200]


def test_add_observee_with_credentials_access_token(live: str) -> None:
    student = _user(live, "newparent-token", "self").add_observee_with_credentials(
        access_token="eli-token"
    )
    assert (student.id, student.observation_link_root_account_ids) == (202, [1])


def test_create_pairing_code_and_add_observee_with_it_once(live: str) -> None:
    code = _user(live, "eli-token", 202).create_pairing_code()
    assert (code.user_id, code.workflow_state, len(code.code)) == (202, "active", 6)
    parent = _user(live, "newparent-token", "self")
    assert parent.add_observee_with_credentials(pairing_code=code.code).id == 202
    with pytest.raises(UnprocessableEntity) as again:
        parent.add_observee_with_credentials(pairing_code=code.code)
    assert "Invalid pairing code." in str(again.value)


def test_invalid_token_is_invalid_access_token(live: str) -> None:
    with pytest.raises(InvalidAccessToken):
        list(_user(live, "nope", "self").get_observees())


def test_expired_token_is_invalid_access_token(live: str) -> None:
    with pytest.raises(InvalidAccessToken):
        list(_user(live, "parent-expired-token", "self").get_observees())


def test_not_allowed_is_forbidden(live: str) -> None:
    with pytest.raises(Forbidden):
        list(_user(live, "student-token", 100).get_observees())


def test_unknown_observee_is_resource_does_not_exist(live: str) -> None:
    with pytest.raises(ResourceDoesNotExist):
        _user(live, "parent-token", "self").show_observee(202)


def test_wrong_password_is_unauthorized_not_a_bad_token(live: str) -> None:
    with pytest.raises(Unauthorized) as caught:
        _user(live, "newparent-token", "self").add_observee_with_credentials(
            observee={"unique_id": "student@canvas.test", "password": "wrong"}
        )
    assert not isinstance(caught.value, InvalidAccessToken)


def test_unknown_login_is_unprocessable_entity(live: str) -> None:
    with pytest.raises(UnprocessableEntity):
        _user(live, "newparent-token", "self").add_observee_with_credentials(
            observee={"unique_id": "nobody@canvas.test", "password": "x"}
        )
