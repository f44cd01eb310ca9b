"""Every example of the README's "Use it in your tests" section runs, and passes."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.plugin.conftest import REPO

README = REPO / "README.md"
HEADING = "## Use it in your tests\n"


def section() -> str:
    """The README from the section's heading to the next `## ` heading."""
    text = README.read_text()
    start = text.index(HEADING)
    end = text.find("\n## ", start + len(HEADING))
    return text[start : end if end != -1 else len(text)]


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", section(), re.MULTILINE | re.DOTALL)


def test_the_document_has_examples() -> None:
    assert len(blocks("python")) >= 5
    assert len(blocks("toml")) == 1
    assert section().startswith(HEADING)


def test_every_python_example_passes(pytester: pytest.Pytester, repo_fixtures: Path) -> None:
    examples = blocks("python")
    tests = 0
    for number, code in enumerate(examples, 1):
        pytester.makepyfile(**{f"test_example_{number}": code})
        tests += len(re.findall(r"^def test_", code, re.MULTILINE))
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=tests)


def test_the_ini_example_chooses_the_fixture(pytester: pytest.Pytester) -> None:
    [config] = blocks("toml")
    chosen = tomllib.loads(config)["tool"]["pytest"]["ini_options"]["mock_canvas_fixtures"]
    pytester.makepyprojecttoml(config)
    (pytester.path / chosen).parent.mkdir(parents=True)
    shutil.copy(REPO / "fixtures" / "minimal.yaml", pytester.path / chosen)
    pytester.makepyfile(
        test_probe=f"""
        def test_probe(mock_canvas_client):
            assert str(mock_canvas_client.fixture_path) == {str(pytester.path / chosen)!r}
            assert mock_canvas_client.user_id("Pat Parent") == 100
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_command_line_example_names_a_real_option_and_file() -> None:
    [command] = [line for line in blocks("sh") if "--mock-canvas-fixtures" in line]
    path = command.split("--mock-canvas-fixtures", 1)[1].split()[0]
    assert (REPO / path).is_file()
