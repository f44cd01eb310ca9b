"""The contract tests' summary: how many cases the fuzzer generated, per operation and phase."""

from __future__ import annotations

import pytest

from mock_canvas.app import load_dataset
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from tests.contract.fuzz_support import TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY.cases:
        return
    terminalreporter.section("schemathesis fuzzing")
    for line in TALLY.lines():
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def contract_dataset() -> Dataset:
    """The packaged default fixture, parsed once for the contract tests."""
    return load_dataset(Settings())
