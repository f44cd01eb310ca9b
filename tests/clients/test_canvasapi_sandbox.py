"""canvasapi 3.6.0, unmodified, with its base URL pointed at a sandbox."""

from __future__ import annotations

import pytest
import requests
from canvasapi.exceptions import ResourceDoesNotExist, UnprocessableEntity
from flask import Flask

from mock_canvas.server import MockCanvasServer
from tests.clients.test_canvasapi import _user

pytestmark = [
    pytest.mark.live,
    pytest.mark.filterwarnings("ignore:Canvas may respond unexpectedly:UserWarning"),
]


@pytest.fixture
def sandbox(live: str, _live_server: tuple[Flask, MockCanvasServer]) -> str:
    """A fresh sandbox `canvasapi` on the live server: its base URL."""
    mock = _live_server[0].extensions["mock_canvas"]
    mock.sandboxes.clear()
    mock.journal.clear()
    return f"{live}/sandboxes/canvasapi"


def big_family(students: int) -> dict[str, object]:
    return {
        "accounts": [{"id": 1, "name": "School"}],
        "users": [
            {
                "id": 1,
                "name": "Big Parent",
                "tokens": ["big"],
                "logins": [{"account": 1, "unique_id": "p"}],
            },
            *(
                {
                    "id": 10 + n,
                    "name": f"Kid {n:03d}",
                    "logins": [{"account": 1, "unique_id": f"k{n}"}],
                }
                for n in range(students)
            ),
        ],
        "observer_links": [{"observer": 1, "observee": 10 + n} for n in range(students)],
    }


def test_pages_through_link_urls_inside_the_sandbox(live: str, sandbox: str) -> None:
    # canvasapi asks for per_page=100: 230 students take three pages.
    control = sandbox.replace("/sandboxes/", "/__mock__/sandboxes/")
    assert requests.put(control, json=big_family(230), timeout=10).status_code == 201
    students = list(_user(sandbox, "big", "self").get_observees())
    assert [s.id for s in students] == [10 + n for n in range(230)]
    # Page 1, then pages 2 and 3 through the Link header, all inside the sandbox.
    journal = requests.get(f"{sandbox}/__mock__/requests", timeout=10).json()
    assert [(e["action"], e["status"]) for e in journal] == [("list_observees", 200)] * 3
    assert [e["query"] for e in journal] == [
        "per_page=100",
        "page=2&per_page=100",
        "page=3&per_page=100",
    ]
    assert requests.get(f"{live}/__mock__/requests", timeout=10).json() == []


def test_changes_made_through_a_sandbox_stay_in_it(live: str, sandbox: str) -> None:
    admin = _user(sandbox, "admin-token", 102)
    assert admin.add_observee(203).id == 203
    assert admin.show_observee(203).id == 203
    with pytest.raises(ResourceDoesNotExist):
        _user(live, "admin-token", 102).show_observee(203)
    with pytest.raises(ResourceDoesNotExist):
        _user(f"{live}/sandboxes/other", "admin-token", 102).show_observee(203)

    code = _user(sandbox, "eli-token", 202).create_pairing_code()
    with pytest.raises(UnprocessableEntity):  # the code lives in the sandbox only
        _user(live, "newparent-token", "self").add_observee_with_credentials(pairing_code=code.code)
    parent = _user(sandbox, "newparent-token", "self")
    assert parent.add_observee_with_credentials(pairing_code=code.code).id == 202
    assert [s.id for s in parent.get_observees()] == [202, 203]
    assert [s.id for s in _user(live, "newparent-token", "self").get_observees()] == []
