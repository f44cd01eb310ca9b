"""What isolation costs a test: the pytest plugin's per-test reset, measured side by side.

For the packaged default fixture and a 10,000-user fixture (fixtures/large.yaml), it times
what the `mock_canvas` fixtures do before every test (PluginSession.begin: serve the test's
fixture as loaded, forget server errors) in two cases, after a read-only test and after a test
that changed links and pairing codes; then a test's typical work, one list request, with and
without that reset, over the live server (requests, keep-alive) and through the Flask test
client. The baseline runs interleaved with the measured case, in the same process. Median of
many runs.

With `--pytest N` it also runs one real pytest session per fixture with N tests of each kind
(one list request each): through the plugin's fixtures, and, as the baseline, through a
session-scoped app that is never reset. It compares the median of what pytest times for each
test (setup + call + teardown): the plugin's whole cost, pytest's fixture layer included.

    python -m benchmarks.plugin_overhead [--runs 2000] [--large PATH] [--pytest 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from mock_canvas.fixtures import default_fixture_path
from mock_canvas.testing import PluginSession

from .common import MissingTool, Result

LIST = "/api/v1/users/self/observees"


def median_us(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def paired_ms(
    baseline: Callable[[], object], measured: Callable[[], object], runs: int
) -> tuple[float, float]:
    """Medians of two actions run alternately (so load on the machine hits both alike)."""
    base: list[float] = []
    meas: list[float] = []
    for _ in range(runs):
        for action, samples in ((baseline, base), (measured, meas)):
            started = time.perf_counter()
            action()
            samples.append(time.perf_counter() - started)
    return statistics.median(base) * 1e3, statistics.median(meas) * 1e3


def bench(session: PluginSession, path: str | None, label: str, runs: int) -> list[str]:
    started = time.perf_counter()
    session.begin(path)
    store = session.store
    loaded = time.perf_counter() - started
    users = len(store.dataset.users)
    # An observer of this fixture with a link, and a student it does not observe yet.
    dataset = store.dataset
    active = [link for link in dataset.links if link.state == "active"]
    observer = active[0].observer_id
    observed = {link.student_id for link in active if link.observer_id == observer}
    token = next(u.tokens[0].token for u in dataset.users if u.id == observer)
    student = next(
        u.id
        for u in dataset.users
        if u.id not in observed and any(e.type == "student" for e in u.enrollments)
    )
    caller = store.authenticate(token)
    domain = store.domain_root_account("localhost")

    def change() -> None:  # what a mutating test leaves behind: a link added, one removed,
        store.add_link(observer, student)  # and a pairing code
        store.remove_observee(caller, "self", str(active[0].student_id), domain)
        store.add_pairing_code(student)

    def dirty_begin() -> None:
        change()
        started = time.perf_counter()
        session.begin(path)
        dirty.append(time.perf_counter() - started)

    clean = median_us(lambda: session.begin(path), runs)
    dirty: list[float] = []
    for _ in range(runs):
        dirty_begin()
    dirty_us = statistics.median(dirty) * 1e6

    headers = {"Authorization": f"Bearer {token}"}
    http = requests.Session()
    url = session.start_server() + LIST
    client = session.app.test_client()

    def live() -> None:
        assert http.get(url, headers=headers, timeout=10).status_code == 200

    def inprocess() -> None:
        assert client.get(LIST, headers=headers).status_code == 200

    def with_reset(request: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            session.begin(path)
            request()

        return run

    live()  # connect once: keep-alive afterwards, as in a test session
    live_base, live_reset = paired_ms(live, with_reset(live), runs)
    inproc_base, inproc_reset = paired_ms(inprocess, with_reset(inprocess), runs)
    return [
        f"{label} ({users} users, {len(store.dataset.links)} links; parsed and indexed "
        f"once in {loaded:.2f} s)",
        f"  reset after a read-only test        {clean:9.1f} µs",
        f"  reset after a test that changed     {dirty_us:9.1f} µs   "
        "(2 links, 1 pairing code: the cost follows the changes, not the fixture)",
        f"  {'per test':<34}{'request alone':>14}{'reset + request':>17}{'overhead':>11}",
        f"  {'live server (requests)':<34}{live_base:>11.3f} ms{live_reset:>14.3f} ms"
        f"{(live_reset - live_base) * 1000:>8.0f} µs",
        f"  {'test client (no socket)':<34}{inproc_base:>11.3f} ms{inproc_reset:>14.3f} ms"
        f"{(inproc_reset - inproc_base) * 1000:>8.0f} µs",
    ]


SUITE = """
import pytest
import requests

from mock_canvas.app import create_app
from mock_canvas.server import MockCanvasServer
from mock_canvas.settings import Settings

{marker}
H = {{"Authorization": "Bearer {token}"}}


@pytest.fixture(scope="session")
def app():
    return create_app(Settings(fixtures={fixture!r}))


@pytest.fixture(scope="session")
def url(app):
    with MockCanvasServer(app) as server:
        yield server.url


@pytest.mark.parametrize("n", range({tests}))
def test_base_client(app, n):
    assert app.test_client().get("{path}", headers=H).status_code == 200


@pytest.mark.parametrize("n", range({tests}))
def test_plugin_client(mock_canvas_client, n):
    assert mock_canvas_client.client.get("{path}", headers=H).status_code == 200


@pytest.mark.parametrize("n", range({tests}))
def test_base_live(url, n):
    assert requests.get(url + "{path}", headers=H, timeout=10).status_code == 200


@pytest.mark.parametrize("n", range({tests}))
def test_plugin_live(mock_canvas, n):
    assert requests.get(mock_canvas.url + "{path}", headers=H, timeout=10).status_code == 200
"""
# Each test's setup + call + teardown as pytest times them, the kinds interleaved.
CONFTEST = """
import collections, json, os

TOTALS = collections.defaultdict(float)


def pytest_collection_modifyitems(items):
    # Interleave the kinds (base, plugin, base, plugin...): load on the machine hits both.
    items.sort(key=lambda item: (item.callspec.params["n"], item.name.startswith("test_p")))


def pytest_runtest_logreport(report):
    TOTALS[report.nodeid] += report.duration


def pytest_sessionfinish(session):
    with open(os.environ["DURATIONS_OUT"], "w") as out:
        json.dump(TOTALS, out)
"""


def run_suite(name: str, suite: str) -> dict[str, list[float]]:
    """Run a generated test file (with CONFTEST) in its own pytest process; each test
    function's per-test times (setup + call + teardown), in seconds, by function name."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "conftest.py").write_text(CONFTEST)
        (directory / name).write_text(suite)
        out = directory / "durations.json"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name],
            cwd=directory,
            env={**os.environ, "DURATIONS_OUT": str(out)},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the generated suite failed:\n{done.stdout[-3000:]}\n{done.stderr}")
        durations: dict[str, float] = json.loads(out.read_text())
    kinds: dict[str, list[float]] = {}
    for nodeid, seconds in durations.items():
        kinds.setdefault(nodeid.split("::")[1].split("[")[0], []).append(seconds)
    return kinds


def bench_pytest(fixture: str | None, label: str, token: str, tests: int) -> list[str]:
    """One pytest session: N tests of each kind; the median of each kind's per-test time."""
    marker = f"pytestmark = pytest.mark.mock_canvas(fixtures={fixture!r})" if fixture else ""
    default = str(default_fixture_path())
    fields = {"token": token, "tests": tests, "path": LIST, "fixture": fixture or default}
    kinds = run_suite("test_overhead.py", SUITE.format(marker=marker, **fields))
    median = {kind: statistics.median(times) * 1e3 for kind, times in kinds.items()}
    lines = [
        f"pytest, {label}: median per test (setup + call + teardown), {tests} tests of each",
        f"  {'':<14}{'no reset':>12}{'plugin':>12}{'overhead':>12}",
    ]
    for kind, what in (("client", "test client"), ("live", "live server")):
        base, used = median[f"test_base_{kind}"], median[f"test_plugin_{kind}"]
        lines.append(f"  {what:<14}{base:>9.3f} ms{used:>9.3f} ms{(used - base) * 1000:>9.0f} µs")
    return lines


STUB_SUITE = """
import json

import pytest
import requests
import responses

LIST = "{path}"
H = {{"Authorization": "Bearer {token}"}}
STUB_URL = "http://canvas.stub" + LIST
BODY = json.loads({body!r})
LINK = {link!r}
FIRST = BODY[0]["name"]


@pytest.mark.parametrize("n", range({tests}))
def test_stub(n):
    with responses.RequestsMock() as stub:
        stub.get(STUB_URL, json=BODY, headers={{"Link": LINK}})
        response = requests.get(STUB_URL, headers=H, timeout=10)
    assert response.status_code == 200 and response.json()[0]["name"] == FIRST


@pytest.mark.parametrize("n", range({tests}))
def test_plugin_live(mock_canvas, n):
    response = requests.get(mock_canvas.url + LIST, headers=H, timeout=10)
    assert response.status_code == 200 and response.json()[0]["name"] == FIRST


@pytest.mark.parametrize("n", range({tests}))
def test_plugin_client(mock_canvas_client, n):
    response = mock_canvas_client.get(LIST, headers=H)
    assert response.status_code == 200 and response.json[0]["name"] == FIRST
"""


def bench_vs_stub(tests: int) -> dict[str, list[float]]:
    """One pytest session of 3 x `tests` tests, each making one list request: stubbed
    in-process by `responses`, through the live server, through the test client. Seconds
    per test (setup + call + teardown) of each kind."""
    try:
        import responses  # noqa: F401  (only checked here: the suite imports it)
    except ImportError:
        raise MissingTool(
            "responses is not installed: pip install -r benchmarks/requirements.txt"
        ) from None
    from mock_canvas.app import create_app
    from mock_canvas.settings import Settings

    client = create_app(Settings()).test_client()
    recorded = client.get(LIST, headers={"Authorization": "Bearer parent-token"})
    fields = {
        "token": "parent-token",
        "tests": tests,
        "path": LIST,
        "body": recorded.get_data(as_text=True),
        "link": recorded.headers.get("Link", ""),
    }
    # CONFTEST interleaves the kinds: stub, live, client for n = 0, then 1...
    kinds = run_suite("test_stub_overhead.py", STUB_SUITE.format(**fields))
    if sorted(len(v) for v in kinds.values()) != [tests] * 3:
        raise RuntimeError(f"expected {tests} tests of each kind, got {kinds.keys()}")
    return kinds


def run(smoke: bool) -> list[Result]:
    tests = 20 if smoke else 500
    kinds = bench_vs_stub(tests)
    stub = statistics.median(kinds["test_stub"]) * 1000
    total_stub = sum(kinds["test_stub"])
    rows = []
    for kind, label in (
        ("test_plugin_live", "mock_canvas (live server)"),
        ("test_plugin_client", "mock_canvas_client (test client)"),
    ):
        used = statistics.median(kinds[kind]) * 1000
        rows.append(
            Result(
                7,
                f"pytest plugin per test: {label} vs responses stub",
                "ms",
                used,
                stub,
                "requests stubbed by responses",
                used / stub,
                None,
                note=f"{tests} tests each, median setup+call+teardown; whole suite "
                f"{sum(kinds[kind]):.2f} s vs {total_stub:.2f} s",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--large", default=str(Path(__file__).parents[1] / "fixtures/large.yaml"))
    parser.add_argument("--pytest", type=int, default=0, metavar="N", help="also run pytest")
    args = parser.parse_args()
    large = str(Path(args.large).resolve())
    session = PluginSession()
    try:
        lines = bench(session, None, "default fixture", args.runs)
        lines += ["", *bench(session, large, "large.yaml", args.runs)]
    finally:
        session.close()
    if args.pytest:
        lines += ["", *bench_pytest(None, "default fixture", "parent-token", args.pytest)]
        lines += ["", *bench_pytest(large, "large.yaml", "lg-observer-1", args.pytest)]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
