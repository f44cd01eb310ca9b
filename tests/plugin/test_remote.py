"""Remote mode: --mock-canvas-url / MOCK_CANVAS_URL points the plugin at a running server
(as a CI service container would be); each worker gets a sandbox of its own, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from mock_canvas.app import create_app
from mock_canvas.server import MockCanvasServer
from mock_canvas.settings import Settings
from tests.plugin.conftest import SCHOOL

REMOTE_MODULE = """
import os
from datetime import UTC, datetime, timedelta

import pytest
import requests


@pytest.mark.parametrize("n", range(6))
def test_each_test_starts_from_the_fixture(mock_canvas, n):
    assert mock_canvas.url.startswith(os.environ["SERVER"] + "/sandboxes/pytest-")
    with open(os.path.join(os.environ["SEEN_DIR"], f"{n}"), "w") as seen:
        seen.write(mock_canvas.url)
    headers = mock_canvas.auth_headers("newparent@canvas.test")
    url = mock_canvas.url + "/api/v1/users/self/observees"
    assert requests.get(url, headers=headers, timeout=10).json() == []
    assert mock_canvas.link("Riley Newparent", "Eli Carter") == [1]
    assert [u["id"] for u in requests.get(url, headers=headers, timeout=10).json()] == [202]
    mock_canvas.assert_called("list_observees", times=2, user="Riley Newparent")


def test_clock_codes_and_journal(mock_canvas):
    code = mock_canvas.create_pairing_code("Eli Carter")
    mock_canvas.clock.advance(days=8)
    headers = mock_canvas.auth_headers("Riley Newparent")
    r = requests.post(mock_canvas.url + "/api/v1/users/self/observees",
                      headers=headers, data={"pairing_code": code}, timeout=10)
    assert (r.status_code, r.json()) == (422, {"errors": [{"message": "Invalid pairing code."}]})
    [call] = mock_canvas.calls("add_observee_with_credentials", status=422)
    assert call.body == {"pairing_code": "[REDACTED]"}
    with pytest.raises(AssertionError, match="nearest requests made"):
        mock_canvas.assert_called("add_observee_with_credentials", status=200)


def test_expired_token_and_user_lookup(mock_canvas):
    assert mock_canvas.user("Parent Smith").sis_user_id == "P100"
    mock_canvas.expire_token("parent-token")
    with pytest.raises(LookupError, match="no token the mock accepts"):
        mock_canvas.token_for("Parent Smith")
    r = requests.get(mock_canvas.url + "/api/v1/users/self/observees",
                     headers={"Authorization": "Bearer parent-token"}, timeout=10)
    assert r.status_code == 401


@pytest.mark.mock_canvas(fixtures="school.yaml")
def test_a_marker_fixture_is_uploaded_to_the_sandbox(mock_canvas):
    r = requests.get(mock_canvas.url + "/api/v1/users/self/observees",
                     headers=mock_canvas.auth_headers("Pat Parent"), timeout=10)
    assert [u["id"] for u in r.json()] == [2]


def test_back_to_the_server_fixture_after_a_marker_test(mock_canvas):
    assert mock_canvas.user_id("Parent Smith") == 100


def test_faults_in_the_sandbox(mock_canvas):
    mock_canvas.fault(action="list_observees", status=503, times=2)
    url = mock_canvas.url + "/api/v1/users/self/observees"
    headers = mock_canvas.auth_headers("Parent Smith")
    assert [requests.get(url, headers=headers, timeout=10).status_code for _ in range(3)] == [
        503, 503, 200
    ]
    mock_canvas.fault(status=500, times=None)
    mock_canvas.clear_faults()
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    with pytest.raises(ValueError, match="status"):
        mock_canvas.fault(status=200)
"""


@pytest.fixture
def remote_server() -> Iterator[MockCanvasServer]:
    with MockCanvasServer(create_app(Settings())) as server:
        yield server


def test_workers_share_one_server_through_sandboxes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, remote_server: MockCanvasServer
) -> None:
    seen_dir = pytester.mkdir("seen")
    monkeypatch.setenv("SEEN_DIR", str(seen_dir))
    monkeypatch.setenv("SERVER", remote_server.url)
    monkeypatch.setenv("MOCK_CANVAS_URL", remote_server.url)
    pytester.makefile(".yaml", school=SCHOOL)
    pytester.makepyfile(test_remote=REMOTE_MODULE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", timeout=300)
    result.assert_outcomes(passed=11)
    urls = {path.read_text() for path in seen_dir.iterdir()}
    assert len(urls) == 2  # one sandbox per worker, on the one server
    # The server's own (default) state was never touched, and the sandboxes are gone.
    mock = remote_server.app.extensions["mock_canvas"]
    assert mock.journal.entries() == []
    assert mock.sandboxes.list() == []
    assert requests.get(remote_server.url + "/__mock__/sandboxes", timeout=10).json() == []


def test_the_command_line_option_and_an_unreachable_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_one="def test_it(mock_canvas):\n    pass\n",
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--mock-canvas-url", "http://127.0.0.1:9", timeout=120
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*cannot reach the mock_canvas server at http://127.0.0.1:9*MOCK_CANVAS_URL*"]
    )


def test_a_locked_server_needs_the_control_token(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(Settings(control_token="s3cret"))
    pytester.makepyfile(
        test_one="import requests\n"
        "def test_it(mock_canvas):\n"
        "    assert mock_canvas.user_id('Parent Smith') == 100\n"
    )
    with MockCanvasServer(app) as server:
        monkeypatch.setenv("MOCK_CANVAS_URL", server.url)
        monkeypatch.delenv("MOCK_CANVAS_CONTROL_TOKEN", raising=False)
        refused = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
        refused.assert_outcomes(errors=1)
        refused.stdout.fnmatch_lines(["*401 This control call needs the control token*"])
        refused.stdout.no_fnmatch_line("*s3cret*")
        monkeypatch.setenv("MOCK_CANVAS_CONTROL_TOKEN", "s3cret")
        pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120).assert_outcomes(
            passed=1
        )


LOAD_MODULE = """
MINI = {
    "accounts": [{"id": 1, "name": "Mini"}],
    "users": [{"id": 1, "name": "Mo Mini", "tokens": ["mo"],
               "logins": [{"account": 1, "unique_id": "mo"}]}],
}


def test_a_loads_a_mapping(mock_canvas):
    mock_canvas.load(MINI)
    assert mock_canvas.user_id("Mo Mini") == 1


def test_b_starts_from_the_server_fixture_again(mock_canvas):
    assert mock_canvas.user_id("Parent Smith") == 100


def test_c_loads_and_resets_back(mock_canvas):
    mock_canvas.load(MINI)
    mock_canvas.reset()
    assert mock_canvas.user_id("Parent Smith") == 100
"""


def test_a_load_does_not_leak_into_the_next_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, remote_server: MockCanvasServer
) -> None:
    monkeypatch.setenv("MOCK_CANVAS_URL", remote_server.url)
    pytester.makepyfile(test_load=LOAD_MODULE)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", timeout=120
    )
    result.assert_outcomes(passed=3)
