"""What every benchmark shares: the result row, paired timing, wrk, and server processes.

The machines are shared and noisy, so a figure is never one absolute time: each is measured
side by side with a baseline in the same run (interleaved, so load on the machine hits both
alike), and what is reported is the median of many samples and the ratio to the baseline.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


class MissingTool(Exception):
    """A tool a benchmark needs is not installed; the message says how to install it."""


@dataclass(frozen=True, slots=True)
class Target:
    """`what` ("ratio" or "measured") must be `op` ("<=", ">=", "<") `value`."""

    what: str
    op: str
    value: float
    text: str

    def met(self, measured: float | None, ratio: float | None) -> bool | None:
        subject = ratio if self.what == "ratio" else measured
        if subject is None:
            return None
        if self.op == "<=":
            return subject <= self.value
        if self.op == ">=":
            return subject >= self.value
        return subject < self.value


def at_most(value: float, text: str, what: str = "measured") -> Target:
    return Target(what, "<=", value, text)


def below(value: float, text: str, what: str = "measured") -> Target:
    return Target(what, "<", value, text)


def at_least(value: float, text: str, what: str = "measured") -> Target:
    return Target(what, ">=", value, text)


@dataclass(slots=True)
class Result:
    """One row of the table."""

    item: int
    figure: str
    unit: str
    measured: float | None = None
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: Target | None = None
    status: str = "ok"  # ok | not available | missing | error
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.status != "ok" or self.target is None:
            return None
        return self.target.met(self.measured, self.ratio)

    @property
    def verdict(self) -> str:
        if self.status != "ok":
            return self.status.upper()
        passed = self.passed
        return "report" if passed is None else ("pass" if passed else "FAIL")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = self.target.text if self.target else None
        data["verdict"] = self.verdict
        return data


def ratio_of(measured: float, baseline: float) -> float:
    return measured / baseline if baseline else float("inf")


# -- timing -------------------------------------------------------------------------------


def interleaved(
    actions: dict[str, Callable[[], object]], rounds: int, per_round: int = 1
) -> dict[str, list[float]]:
    """Seconds per call of each action, the actions taking turns (per_round calls each)."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(rounds):
        for name, action in actions.items():
            for _ in range(per_round):
                started = time.perf_counter()
                action()
                samples[name].append(time.perf_counter() - started)
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# -- processes and ports ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_status(port: int, path: str, timeout: float = 1.0) -> int | None:
    """The status of one GET over a raw socket (no client library to import), else None."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            head = sock.recv(64)
    except OSError:
        return None
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return int(match.group(1)) if match else None


def wait_for(port: int, path: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Until GET path answers 200; RuntimeError if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http_status(port, path) == 200:
            return
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        time.sleep(0.01)
    raise RuntimeError(f"{process.args!r} did not answer 200 on {path} within {timeout} s")


@contextmanager
def server_process(
    command: list[str], port: int, ready_path: str, timeout: float = 30.0
) -> Iterator[subprocess.Popen[bytes]]:
    """A server in its own process, ready when ready_path answers 200; stopped at the end."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            try:
                wait_for(port, ready_path, process, timeout)
            except RuntimeError as exc:
                log.seek(0)
                output = log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"{exc}\n{output}") from None
            yield process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def mock_canvas_command(port: int, fixtures: str | None = None) -> list[str]:
    """`mock-canvas serve`: the production server (waitress, its default thread count)."""
    command = [PYTHON, "-m", "mock_canvas.cli", "serve", "--port", str(port)]
    if fixtures:
        command += ["--fixtures", fixtures]
    return command


# -- wrk ------------------------------------------------------------------------------------


WRK_CONNECTIONS = 16
WRK_THREADS = 2


def print_rates(rates: dict[str, list[float]]) -> None:
    """What a throughput benchmark run alone prints: each load's median and its rounds."""
    for name, values in rates.items():
        print(f"{name:<12}{median(values):>10.0f} req/s  {[round(v) for v in values]}")


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise MissingTool("wrk is not installed: apt-get install wrk (Debian's package)")
    return path


@dataclass(frozen=True, slots=True)
class WrkRun:
    requests_per_second: float
    requests: int
    output: str


def wrk(
    url: str,
    seconds: int,
    *,
    headers: Sequence[str] = (),
    script: str | None = None,
    script_args: Sequence[str] = (),
    connections: int = WRK_CONNECTIONS,
    threads: int = WRK_THREADS,
) -> WrkRun:
    """One wrk run (a separate process, keep-alive connections); RuntimeError on any non-2xx."""
    command = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if done.returncode != 0 or not rate or not count:
        raise RuntimeError(f"wrk failed ({done.returncode}): {out}\n{done.stderr}")
    errors = "; ".join(
        line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line
    )
    if errors:
        raise RuntimeError(f"wrk saw errors on {url}: {errors}\n{out}")
    return WrkRun(float(rate.group(1)), int(count.group(1)), out)


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_temp(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text)
    return str(path)


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process (this one by default), in MB, from /proc."""
    with open(f"/proc/{pid or os.getpid()}/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


GENERATED_FIXTURE = """\
# Generated by the benchmarks: {users} users in one root account.
version: 1
seed: {seed}
accounts:
  - {{id: 1, name: Benchmark University, domain: bench.test, default: true}}
courses:
  - {{id: 10, account: 1, name: Benchmarking 101}}
users:
  - id: 1
    name: Bea Benchadmin
    created_at: 2023-01-01T09:00:00Z
    logins: [{{account: 1, unique_id: admin@bench.test, password: admin-pass}}]
    tokens: [bench-admin-token]
    admin: [{{account: 1}}]
generate:
  - {{account: 1, students: {students}, observers: {observers}, observees_per_observer: {per},
     token_prefix: bench-, course: 10}}
"""


def generated_fixture(directory: Path, students: int, observers: int, per: object) -> str:
    """A fixture file of one admin plus a generated population (tokens `bench-observer-N`)."""
    text = GENERATED_FIXTURE.format(
        users=students + observers + 1,
        seed=students + observers,
        students=students,
        observers=observers,
        per=per,
    )
    return write_temp(directory, f"generated-{students}-{observers}.yaml", text)
