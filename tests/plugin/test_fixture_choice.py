"""Which fixture file a test gets: marker > --mock-canvas-fixtures > ini option > default."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import OTHER, SCHOOL

# Each test names the fixture it expects; `who` says which one it got.
WHICH_MODULE = """
import pytest


def who(mock):
    for name in ("Pat Parent", "Olive Other", "Parent Smith"):
        try:
            mock.user(name)
        except LookupError:
            continue
        return name


def test_configured(mock_canvas_client):
    assert who(mock_canvas_client) == {configured!r}


@pytest.mark.mock_canvas(fixtures="other.yaml")
def test_marker_on_the_test(mock_canvas_client):
    assert who(mock_canvas_client) == "Olive Other"


@pytest.mark.mock_canvas(fixtures="school.yaml")
class TestMarkerOnTheClass:
    def test_live(self, mock_canvas):
        assert who(mock_canvas) == "Pat Parent"
        assert mock_canvas.fixture_path.name == "school.yaml"

    def test_client(self, mock_canvas_client):
        assert who(mock_canvas_client) == "Pat Parent"
"""


@pytest.fixture
def two_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", school=SCHOOL, other=OTHER)


def test_packaged_default_without_options(pytester: pytest.Pytester, two_fixtures: None) -> None:
    pytester.makepyfile(test_which=WHICH_MODULE.format(configured="Parent Smith"))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_ini_option_relative_to_the_ini_file(pytester: pytest.Pytester) -> None:
    # The project is a subdirectory: the path is taken from its ini file, not from the cwd.
    project = pytester.mkdir("project")
    (project / "tox.ini").write_text("[pytest]\nmock_canvas_fixtures = canvas/school.yaml\n")
    (project / "canvas").mkdir()
    (project / "canvas/school.yaml").write_text(SCHOOL)
    tests = project / "tests"
    tests.mkdir()
    (tests / "test_which.py").write_text(WHICH_MODULE.format(configured="Pat Parent"))
    (tests / "school.yaml").write_text(SCHOOL)
    (tests / "other.yaml").write_text(OTHER)
    pytester.runpytest("-p", "no:cacheprovider", "project/tests").assert_outcomes(passed=4)


def test_command_line_option_beats_the_ini_option(
    pytester: pytest.Pytester, two_fixtures: None
) -> None:
    pytester.makeini("[pytest]\nmock_canvas_fixtures = school.yaml\n")
    pytester.makepyfile(test_which=WHICH_MODULE.format(configured="Olive Other"))
    result = pytester.runpytest("-p", "no:cacheprovider", "--mock-canvas-fixtures", "other.yaml")
    result.assert_outcomes(passed=4)


def test_marker_on_the_module_and_paths_from_the_rootdir(
    pytester: pytest.Pytester, two_fixtures: None
) -> None:
    # No file beside the test: the marker's path is taken from the rootdir.
    sub = pytester.mkpydir("sub")
    (sub / "test_module_marker.py").write_text(
        "import pytest\n"
        "pytestmark = pytest.mark.mock_canvas(fixtures='other.yaml')\n"
        "def test_it(mock_canvas_client):\n"
        "    assert mock_canvas_client.user_id('olive@other.test') == 7\n"
    )
    pytester.runpytest("-p", "no:cacheprovider", "--strict-markers").assert_outcomes(passed=1)


def test_each_fixture_file_is_parsed_once_per_session(
    pytester: pytest.Pytester, two_fixtures: None
) -> None:
    pytester.makeconftest(
        """
        import mock_canvas.testing as testing

        PARSED = []
        real = testing.load_path


        def counting(path, **kwargs):
            PARSED.append(str(path).rsplit("/", 1)[-1])
            return real(path, **kwargs)


        def pytest_configure(config):
            testing.load_path = counting


        def pytest_unconfigure(config):
            testing.load_path = real
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from conftest import PARSED

        @pytest.mark.parametrize("n", range(5))
        @pytest.mark.mock_canvas(fixtures="school.yaml")
        def test_school(mock_canvas_client, n):
            mock_canvas_client.link("Sam Student", "Pat Parent")

        @pytest.mark.parametrize("n", range(5))
        def test_default(mock_canvas, mock_canvas_client, n):
            mock_canvas.load("other.yaml")
            mock_canvas.reset()

        def test_counts():
            assert sorted(PARSED) == ["default.yaml", "other.yaml", "school.yaml"]
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=11)
