"""Under pytest-xdist: one server per worker, no port clashes, no state shared."""

from __future__ import annotations

import pytest

WORKERS_MODULE = """
import os
import pytest
import requests


@pytest.mark.parametrize("n", range(8))
def test_changes_then_checks(mock_canvas, n):
    url = mock_canvas.url
    worker = os.environ["PYTEST_XDIST_WORKER"]
    with open(os.path.join(os.environ["SEEN_DIR"], f"{worker}-{n}"), "w") as seen:
        seen.write(f"{url} {os.getpid()}")
    headers = mock_canvas.auth_headers("newparent@canvas.test")
    listed = requests.get(url + "/api/v1/users/self/observees", headers=headers, timeout=10)
    assert listed.json() == []  # whatever ran before, on this worker or another
    mock_canvas.link("Riley Newparent", "Eli Carter")
    listed = requests.get(url + "/api/v1/users/self/observees", headers=headers, timeout=10)
    assert [u["id"] for u in listed.json()] == [202]
"""


def test_two_workers_each_with_its_own_server(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_dir = pytester.mkdir("seen")
    monkeypatch.setenv("SEEN_DIR", str(seen_dir))
    pytester.makepyfile(test_workers=WORKERS_MODULE)
    # And a broken fixture file: a collection error under xdist too (not a hang, not a crash).
    pytester.makefile(".yaml", broken="version: 2\n")
    pytester.makepyfile(
        test_broken="import pytest\n"
        "pytestmark = pytest.mark.mock_canvas(fixtures='broken.yaml')\n"
        "def test_never_runs(mock_canvas_client):\n"
        "    pass\n"
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--continue-on-collection-errors", timeout=300
    )
    result.assert_outcomes(passed=8, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR collecting test_broken.py*", "mock_canvas: cannot load the fixture file *"]
    )
    result.stdout.no_fnmatch_line("*INTERNALERROR*")
    seen = [path.read_text().split() for path in seen_dir.iterdir()]
    workers = {path.name.split("-")[0] for path in seen_dir.iterdir()}
    urls = {url for url, _ in seen}
    pids = {pid for _, pid in seen}
    assert len(seen) == 8
    assert workers == {"gw0", "gw1"}
    assert len(urls) == len(pids) == 2  # one server (one port) per worker process
