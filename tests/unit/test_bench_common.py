"""benchmarks/: the table, the targets and the pieces that need no wrk or moto still work
(the whole smoke run is `python -m benchmarks --smoke`, in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import pagination_scaling, reset, throughput
from benchmarks.__main__ import main, table
from benchmarks.common import Result, at_least, at_most, below, generated_fixture
from mock_canvas.fixtures import load_path


def test_targets_compare_the_ratio_or_the_measured_value() -> None:
    assert at_least(0.85, "", "ratio").met(100.0, 0.9) is True
    assert at_least(0.85, "", "ratio").met(100.0, 0.8) is False
    assert at_most(1.0, "").met(1.0, None) is True
    assert below(1.0, "").met(1.0, None) is False
    assert below(1.0, "").met(None, None) is None


def test_result_verdicts() -> None:
    passed = Result(1, "f", "ms", 0.5, 1.0, ratio=0.5, target=below(1.0, "< 1 ms"))
    failed = Result(1, "f", "ms", 2.0, 1.0, ratio=2.0, target=below(1.0, "< 1 ms"))
    report = Result(8, "f", "req/s", 10.0, 5.0, ratio=2.0)
    missing = Result(8, "f", "", status="missing", note="wrk is not installed")
    assert [r.verdict for r in (passed, failed, report, missing)] == [
        "pass",
        "FAIL",
        "report",
        "MISSING",
    ]
    assert failed.to_json()["target"] == "< 1 ms"


def test_table_has_a_row_and_a_note_per_result() -> None:
    text = table(
        [
            Result(2, "pagination", "ms", 0.5, 0.4, "page 1 of 10", 1.25, at_most(1.5, "<= 1.5")),
            Result(5, "sandbox", "ms", status="not available", note="404"),
        ]
    )
    lines = text.splitlines()
    assert lines[0].startswith("| # | figure")
    assert "0.5 ms" in lines[2] and "1.25" in lines[2] and "pass" in lines[2]
    assert "NOT AVAILABLE" in lines[3]
    assert "- 2. pagination: baseline = page 1 of 10" in text


def test_throughput_fixture_has_the_pairing_codes_the_script_uses(tmp_path: Path) -> None:
    path, pairs, tokens = throughput.build_fixture(tmp_path, 30)
    dataset = load_path(path)
    codes = {code.code for code in dataset.pairing_codes}
    assert {throughput.code_value(n) for n in range(30)} <= codes
    assert len(pairs) == 1200 and len(tokens) == 20
    script = throughput.PAIRING_LUA % {"tokens": '"a"', "threads": 2}
    assert 'string.format("B%05d", index)' in script


def test_generated_fixture_loads_with_the_users_asked_for(tmp_path: Path) -> None:
    dataset = load_path(generated_fixture(tmp_path, 9, 10, 2))
    assert len(dataset.users) == 20
    assert len(dataset.links) == 20


def test_pagination_scaling_measures_three_cases() -> None:
    _, results = pagination_scaling.measure(50, 1, 2)
    assert set(results) == {"small page 1", "big page 1", "big last page"}
    assert all(len(samples) == 1 for samples in results.values())


def test_reset_benchmark_runs_on_the_default_fixture(tmp_path: Path) -> None:
    case = reset.cases(tmp_path, smoke=True)[0]
    samples = reset.measure(case, 2)
    assert len(samples["reset"]) == 2
    assert isinstance(samples["sandbox"], list | str)


def test_main_smoke_of_one_item_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--smoke", "--only", "2"]) == 0
    out = capsys.readouterr().out
    assert "| 2 | pagination: page 1 of 1,000 observees" in out
    assert "targets met" in out
