"""A bad fixture file or marker stops the run at collection, with a clear error, no hang."""

from __future__ import annotations

import pytest

BROKEN = """
version: 1
accounts: [{id: 1, name: School}]
users:
  - {id: 1, name: A, logins: [{account: 9, unique_id: a}]}
"""

USES_THE_MOCK = """
import pytest

pytestmark = pytest.mark.mock_canvas(fixtures={fixtures!r})


def test_never_runs(mock_canvas):
    raise AssertionError("ran")
"""


def test_broken_file_in_a_marker_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", broken=BROKEN)
    pytester.makepyfile(test_uses=USES_THE_MOCK.format(fixtures="broken.yaml"))
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting test_uses.py*",
            "mock_canvas: cannot load the fixture file */broken.yaml "
            "(from @pytest.mark.mock_canvas on test_uses.py::test_never_runs):",
            "  */broken.yaml: users[[]0[]].logins[[]0[]].account: no account with id 9",
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")


def test_missing_file_from_the_ini_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmock_canvas_fixtures = nowhere.yaml\n")
    pytester.makepyfile(test_uses="def test_never_runs(mock_canvas_client):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "mock_canvas: cannot load the fixture file */nowhere.yaml "
            "(from ini option mock_canvas_fixtures):",
            "  */nowhere.yaml: cannot read the file: No such file or directory",
        ]
    )


def test_malformed_marker_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_uses="""
        import pytest

        @pytest.mark.mock_canvas("school.yaml")
        def test_never_runs(mock_canvas_client):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.mock_canvas on test_uses.py::test_never_runs: "
            "use mock_canvas(fixtures='path/to/fixture.yaml')"
        ]
    )


def test_broken_file_loaded_inside_a_test_fails_that_test(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", broken=BROKEN)
    pytester.makepyfile(
        """
        import pytest
        from mock_canvas.testing import FixtureError

        def test_load(mock_canvas_client):
            with pytest.raises(FixtureError, match="no account with id 9"):
                mock_canvas_client.load("broken.yaml")
            with pytest.raises(FixtureError, match="users: must be a list"):
                mock_canvas_client.load({"version": 1, "users": 3})
            assert mock_canvas_client.user_id("Parent Smith") == 100
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
