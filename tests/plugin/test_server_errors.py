"""An exception inside the mock (a 500) fails the test that caused it, with its traceback."""

from __future__ import annotations

import pytest

CRASHING = """
import pytest
import requests


def crash(*args, **kwargs):
    raise ZeroDivisionError("boom in the store")


@pytest.fixture
def broken(mock_canvas, monkeypatch):
    monkeypatch.setattr(mock_canvas.store, "list_observees", crash)
    return mock_canvas


def observees(mock_canvas):
    return requests.get(
        mock_canvas.url + "/api/v1/users/self/observees?page=1",
        headers=mock_canvas.auth_headers("Parent Smith"),
        timeout=10,
    )


def test_passes_but_the_server_crashed(broken):
    observees(broken)


def test_fails_on_its_own_too(broken):
    assert observees(broken).status_code == 200


def test_expects_the_500(broken):
    assert observees(broken).status_code == 500
    [error] = broken.take_server_errors()
    assert isinstance(error.exception, ZeroDivisionError)
    assert error.request == "GET /api/v1/users/self/observees?page=1"


def test_in_process_too(mock_canvas_client, monkeypatch):
    monkeypatch.setattr(mock_canvas_client.store, "list_observees", crash)
    mock_canvas_client.get("/api/v1/users/self/observees", user="Parent Smith")


def test_next_test_is_clean(mock_canvas):
    assert observees(mock_canvas).status_code == 200
    assert mock_canvas.server_errors == []


@pytest.fixture
def crashes_in_teardown(mock_canvas, monkeypatch):
    yield mock_canvas
    monkeypatch.setattr(mock_canvas.store, "list_observees", crash)
    observees(mock_canvas)


def test_crash_in_a_fixture_teardown(crashes_in_teardown):
    pass
"""


def test_server_errors_fail_the_test_that_caused_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_crashing=CRASHING)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:logging", "-rfE")
    result.assert_outcomes(passed=3, failed=3, errors=1)
    outcomes = {
        line.split(" ", 1)[1].split(" - ")[0]: line.split(" ", 1)[0]
        for line in result.stdout.lines
        if line.startswith(("FAILED ", "ERROR "))
    }
    assert outcomes == {
        "test_crashing.py::test_passes_but_the_server_crashed": "FAILED",
        "test_crashing.py::test_fails_on_its_own_too": "FAILED",
        "test_crashing.py::test_in_process_too": "FAILED",
        "test_crashing.py::test_crash_in_a_fixture_teardown": "ERROR",
    }
    text = result.stdout.str()
    # The test that passed on its own: the server's exception, its traceback and the request.
    result.stdout.fnmatch_lines(
        [
            "*_ test_passes_but_the_server_crashed _*",
            '*raise ZeroDivisionError("boom in the store")',
            "E*ZeroDivisionError: boom in the store",
            "*The above exception was the direct cause of the following exception:*",
            "E   mock_canvas.testing.MockCanvasServerError: mock_canvas raised an unexpected "
            "error inside the server, answered with a 500:",
            "      GET /api/v1/users/self/observees?page=1: ZeroDivisionError: boom in the store",
        ]
    )
    # The test that failed on its own keeps its failure and shows the server's traceback.
    section = text.split("_ test_fails_on_its_own_too _")[1].split("_ test_in_process_too _")[0]
    assert "assert 500 == 200" in section
    assert "mock_canvas server errors" in section
    assert 'raise ZeroDivisionError("boom in the store")' in section
    # A fixture's teardown: an error at teardown, naming when.
    assert "inside the server after the test (in a fixture's teardown)" in text


def test_server_errors_in_the_captured_log(pytester: pytest.Pytester) -> None:
    # With logging capture on (the default), the mock's own log line is there too.
    pytester.makepyfile(test_crashing=CRASHING)
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "passes_but")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Captured log call*", "ERROR    mock_canvas:*unhandled error*"])
