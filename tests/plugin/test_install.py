"""Installed means ready: the entry point, the marker and options, lazy imports, no clashes."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

HEAVY = ("flask", "werkzeug", "yaml", "faker", "waitress")
LAZY = ("mock_canvas.testing", "mock_canvas.fixtures", "mock_canvas.app", "mock_canvas.store")


def test_registered_as_a_pytest11_entry_point() -> None:
    [plugin] = [ep for ep in entry_points(group="pytest11") if ep.name == "mock_canvas"]
    assert plugin.value == "mock_canvas.pytest_plugin"


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, pytest\n"
        "before = set(sys.modules)\n"
        "import mock_canvas.pytest_plugin\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["mock_canvas", "mock_canvas.pytest_plugin"]


def test_a_suite_that_does_not_use_the_mock_never_imports_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes an import fail: the plugin's hooks must not need these.
    for name in LAZY:
        monkeypatch.setitem(sys.modules, name, None)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_plain(n):
            assert n < 3
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_fixtures_marker_and_options_are_listed(pytester: pytest.Pytester) -> None:
    fixtures = pytester.runpytest("-p", "no:cacheprovider", "--fixtures")
    fixtures.stdout.fnmatch_lines(["mock_canvas -- *", "mock_canvas_client -- *"])
    fixtures.stdout.fnmatch_lines(["faker -- *"])  # Faker's own fixture is still its own
    markers = pytester.runpytest("-p", "no:cacheprovider", "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.mock_canvas(fixtures=PATH): *"])
    options = pytester.runpytest("-p", "no:cacheprovider", "--help")
    options.stdout.fnmatch_lines(
        ["*--mock-canvas-fixtures=PATH*", "*mock_canvas_fixtures (string)*"]
    )


def test_faker_and_mock_canvas_in_one_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mock_canvas(fixtures="school.yaml")
        def test_both(faker, mock_canvas_client):
            assert isinstance(faker.name(), str)
            assert mock_canvas_client.user_id("Pat Parent") == 1
        """
    )
    from tests.plugin.conftest import SCHOOL

    pytester.makefile(".yaml", school=SCHOOL)
    pytester.runpytest("-p", "no:cacheprovider", "--strict-markers").assert_outcomes(passed=1)
