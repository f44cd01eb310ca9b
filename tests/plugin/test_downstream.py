"""Downstream test modules, as users write them: requests, canvasapi, and isolation."""

from __future__ import annotations

import pytest

REQUESTS_MODULE = """
import requests

OBSERVEES = "/api/v1/users/self/observees"


def get(mock_canvas, path, user):
    return requests.get(mock_canvas.url + path, headers=mock_canvas.auth_headers(user), timeout=10)


def test_server_is_local_on_a_random_port(mock_canvas):
    assert mock_canvas.url.startswith("http://127.0.0.1:")
    assert not mock_canvas.url.endswith(":8000")


def test_parent_lists_children(mock_canvas):
    response = get(mock_canvas, OBSERVEES, "Parent Smith")
    assert response.status_code == 200
    assert [u["name"] for u in response.json()] == ["Dana Brooks", "Child Smith"]


def test_admin_links_a_new_parent(mock_canvas):
    response = requests.put(
        mock_canvas.url + "/api/v1/users/102/observees/203",
        headers=mock_canvas.auth_headers("admin@canvas.test"),
        timeout=10,
    )
    assert response.status_code == 200
    assert [u["id"] for u in get(mock_canvas, OBSERVEES, "newparent@canvas.test").json()] == [203]


def test_unknown_token_is_401(mock_canvas):
    response = requests.get(
        mock_canvas.url + OBSERVEES, headers={"Authorization": "Bearer nope"}, timeout=10
    )
    assert response.status_code == 401
    assert response.json() == {"errors": [{"message": "Invalid access token."}]}
"""

CANVASAPI_MODULE = """
import pytest
from canvasapi import Canvas
from canvasapi.exceptions import InvalidAccessToken
from canvasapi.user import User

pytestmark = pytest.mark.filterwarnings("ignore:Canvas may respond unexpectedly:UserWarning")


def me(mock_canvas, who):
    canvas = Canvas(mock_canvas.url, mock_canvas.token_for(who))
    return User(canvas._Canvas__requester, {"id": "self"})


def test_observees_through_canvasapi(mock_canvas):
    assert [s.name for s in me(mock_canvas, "Parent Smith").get_observees()] == [
        "Dana Brooks",
        "Child Smith",
    ]


def test_pairing_code_through_canvasapi(mock_canvas):
    code = mock_canvas.create_pairing_code("Eli Carter")
    added = me(mock_canvas, "Riley Newparent").add_observee_with_credentials(
        pairing_code=code
    )
    assert added.id == mock_canvas.user_id("Eli Carter")


def test_expired_token_through_canvasapi(mock_canvas):
    parent = me(mock_canvas, "Parent Smith")
    mock_canvas.expire_token("parent-token")
    with pytest.raises(InvalidAccessToken):
        list(parent.get_observees())
"""


def test_requests_module_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_with_requests=REQUESTS_MODULE)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_canvasapi_module_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_with_canvasapi=CANVASAPI_MODULE)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


# Each `change` test changes everything it can; each `check` test, run after it, must see
# the fixture as loaded. For both fixtures, and with a test of another fixture in between.
ISOLATION_MODULE = """
import pytest
import requests

PRISTINE = {}


def observee_ids(mock, who):
    if hasattr(mock, "url"):
        response = requests.get(
            mock.url + "/api/v1/users/self/observees",
            headers=mock.auth_headers(who),
            timeout=10,
        )
        return response.status_code, [u["id"] for u in response.json()] if response.ok else None
    response = mock.get("/api/v1/users/self/observees", user=who)
    return response.status_code, [u["id"] for u in response.json] if response.status_code == 200 else None


@pytest.fixture(params=["mock_canvas", "mock_canvas_client"])
def mock(request):
    return request.getfixturevalue(request.param)


def test_1_change(mock):
    PRISTINE[type(mock).__name__] = mock.state()
    mock.link("Riley Newparent", "Eli Carter")
    mock.link("Riley Newparent", "Frankie Ortiz")
    mock.create_pairing_code("Child Smith", code="Abc123")
    mock.expire_token("dana-token")
    assert observee_ids(mock, "newparent@canvas.test") == (200, [202, 203])
    mock.store.remove_observee(
        mock.store.authenticate("parent-token"), "self", "200", mock.store.domain_root_account("x")
    )
    assert observee_ids(mock, "Parent Smith") == (200, [201])
    assert mock.state() != PRISTINE[type(mock).__name__]


@pytest.mark.mock_canvas(fixtures="school.yaml")
def test_2_another_fixture_in_between(mock):
    assert mock.user("Pat Parent").id == 1
    mock.link("Sam Student", "Pat Parent")


def test_3_check(mock):
    assert mock.state() == PRISTINE[type(mock).__name__]
    assert observee_ids(mock, "Riley Newparent") == (200, [])
    assert observee_ids(mock, "Parent Smith") == (200, [201, 200])
    assert mock.token_for("Dana Brooks") == "dana-token"
    assert "Abc123" not in {c["code"] for c in mock.state()["pairing_codes"]}
    assert mock.server_errors == []
"""


def test_no_test_sees_another_tests_changes(pytester: pytest.Pytester) -> None:
    from tests.plugin.conftest import SCHOOL

    pytester.makefile(".yaml", school=SCHOOL)
    pytester.makepyfile(test_isolation=ISOLATION_MODULE)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=6)
