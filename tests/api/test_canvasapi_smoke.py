"""canvasapi (pinned) against the live server: the shapes and errors a real client sees."""

from __future__ import annotations

from collections.abc import Iterator

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
from flask import Flask

from mock_canvas.model import Dataset
from mock_canvas.server import MockCanvasServer

pytestmark = [
    pytest.mark.live,
    pytest.mark.filterwarnings("ignore:Canvas may respond unexpectedly:UserWarning"),
]


@pytest.fixture
def live(_live_server: tuple[Flask, MockCanvasServer], default_dataset: Dataset) -> Iterator[str]:
    app, server = _live_server
    store = app.extensions["mock_canvas"].store
    if store.dataset is not default_dataset:
        store.load(default_dataset)
    store.reset()
    yield server.url


def _user(url: str, token: str, user_id: int | str) -> User:
    canvas = Canvas(url, token)
    # canvasapi builds a User from any dict with an id; the mock serves no /users/:id.
    return User(canvas._Canvas__requester, {"id": user_id})  # type: ignore[attr-defined]


def test_canvasapi_get_observees_pages_through_every_student(live: str) -> None:
    observer = _user(live, "big-observer-1", "self")
    students = list(observer.get_observees(per_page=4))
    assert len(students) == 25
    assert len({s.id for s in students}) == 25
    assert all(s.observation_link_root_account_ids == [1] for s in students)


def test_canvasapi_add_and_remove_observee(live: str) -> None:
    admin_view = _user(live, "admin-token", 102)
    added = admin_view.add_observee(203)
    assert (added.id, added.observation_link_root_account_ids) == (203, [1])
    shown = admin_view.show_observee(203)
    assert shown.id == 203
    removed = admin_view.remove_observee(203)
    assert removed.observation_link_root_account_ids == []


def test_canvasapi_pairing_code_flow(live: str) -> None:
    code = _user(live, "eli-token", 202).create_pairing_code()
    assert code.user_id == 202 and len(code.code) == 6
    student = _user(live, "newparent-token", "self").add_observee_with_credentials(
        pairing_code=code.code
    )
    assert student.id == 202
    with pytest.raises(UnprocessableEntity):
        _user(live, "newparent-token", "self").add_observee_with_credentials(pairing_code=code.code)


def test_canvasapi_errors_map_to_its_exceptions(live: str) -> None:
    with pytest.raises(InvalidAccessToken):
        list(_user(live, "nope", "self").get_observees())
    with pytest.raises(Forbidden):
        list(_user(live, "student-token", 100).get_observees())
    with pytest.raises(ResourceDoesNotExist):
        _user(live, "parent-token", "self").show_observee(202)
    with pytest.raises(Unauthorized):
        _user(live, "newparent-token", "self").add_observee_with_credentials(
            observee={"unique_id": "student@canvas.test", "password": "wrong"}
        )
