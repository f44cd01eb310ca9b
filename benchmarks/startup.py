"""Item 4: start-up. `mock-canvas serve` from process start to the first 200, and imports.

- serve: the console command with the packaged default fixture, from the moment the process
  is started to the first 200 of GET /__mock__/health (polled every 5 ms over a raw socket),
  against the bare interpreter (`python -c pass`) started the same way, runs interleaved.
  Target: <= 1 s.
- imports, each in a fresh interpreter timing itself: the package (`mock_canvas.app`, what
  serving and the test client import) against Flask alone, its main dependency; and the pytest
  plugin (`mock_canvas.pytest_plugin`, imported by every pytest run once the package is
  installed) against pytest itself.

    python -m benchmarks.startup [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

from .common import (
    PYTHON,
    ROOT,
    Result,
    at_most,
    free_port,
    http_status,
    median,
    ratio_of,
)

HEALTH = "/__mock__/health"


def serve_command(port: int) -> list[str]:
    """The installed `mock-canvas` command (beside this interpreter), else `-m mock_canvas.cli`."""
    script = shutil.which("mock-canvas", path=str(Path(PYTHON).parent))
    base = [script] if script else [PYTHON, "-m", "mock_canvas.cli"]
    return [*base, "serve", "--port", str(port)]


def time_to_first_200() -> float:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        serve_command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    try:
        deadline = started + 30
        while time.perf_counter() < deadline:
            if http_status(port, HEALTH, timeout=0.5) == 200:
                return time.perf_counter() - started
            if process.poll() is not None:
                raise RuntimeError(f"mock-canvas serve exited with {process.returncode}")
            time.sleep(0.005)
        raise RuntimeError("mock-canvas serve did not answer within 30 s")
    finally:
        process.terminate()
        process.wait(10)


def time_bare_interpreter() -> float:
    started = time.perf_counter()
    subprocess.run([PYTHON, "-c", "pass"], check=True, cwd=ROOT)
    return time.perf_counter() - started


IMPORT_TIMER = """
import time
{before}
started = time.perf_counter()
{statement}
print(time.perf_counter() - started)
"""


def import_seconds(statement: str, before: str = "") -> float:
    """Seconds one import takes in a fresh interpreter (after `before`, not timed)."""
    code = IMPORT_TIMER.format(before=before, statement=statement)
    done = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"{statement!r} failed: {done.stderr}")
    return float(done.stdout.strip())


def run(smoke: bool) -> list[Result]:
    runs = 2 if smoke else 7
    serve: list[float] = []
    bare: list[float] = []
    for _ in range(runs):
        bare.append(time_bare_interpreter())
        serve.append(time_to_first_200())
    started, baseline = median(serve), median(bare)
    results = [
        Result(
            4,
            "start-up: mock-canvas serve (default fixture) to first 200",
            "s",
            started,
            baseline,
            "python -c pass",
            ratio_of(started, baseline),
            at_most(1.0, "<= 1 s"),
            note=f"median of {runs}, interleaved",
            samples={"serve": serve, "bare": bare},
        )
    ]
    imports = {
        "package": ([], []),
        "plugin": ([], []),
    }  # type: dict[str, tuple[list[float], list[float]]]
    for _ in range(runs):
        imports["package"][1].append(import_seconds("import flask"))
        imports["package"][0].append(import_seconds("import mock_canvas.app"))
        imports["plugin"][1].append(import_seconds("import pytest"))
        imports["plugin"][0].append(
            import_seconds("import mock_canvas.pytest_plugin", before="import pytest")
        )
    for name, figure, label in (
        ("package", "import time: mock_canvas.app vs flask", "import flask"),
        ("plugin", "import time: the pytest plugin vs pytest", "import pytest"),
    ):
        measured, base = (median(values) * 1000 for values in imports[name])
        results.append(
            Result(
                4,
                figure,
                "ms",
                measured,
                base,
                label,
                ratio_of(measured, base),
                None,
                note=f"fresh interpreter each, median of {runs}"
                + (" (pytest already imported)" if name == "plugin" else ""),
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    for result in run(args.smoke):
        print(
            f"{result.figure:<60}{result.measured:>9.3f} {result.unit}  "
            f"baseline {result.baseline:.3f}  ratio {result.ratio:.2f}"
        )


if __name__ == "__main__":
    main()
