"""Two sandboxes under concurrent load: each ends exactly as its own clients left it.

Four threads work in sandbox `a` and four in sandbox `b`, on the *same* parents and students
(parents 100-103) with different random choices: links, removals, restores, pairing codes
and paginated lists. Any write that leaked across sandboxes would make a list differ from
the serial model its thread keeps. Sandbox `c`, made before the load, and the default
sandbox are never touched and must still hold exactly the fixture.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator

import pytest
import requests

from mock_canvas.app import create_app
from mock_canvas.fixtures import load_mapping
from mock_canvas.server import MockCanvasServer
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.stress.test_concurrency import BOTH, OPERATIONS, Worker, _world

PER_SANDBOX = 4


def _active(server: MockCanvasServer, name: str | None) -> set[tuple[int, int, int]]:
    mock = server.app.extensions["mock_canvas"]
    sandbox = mock.default if name is None else mock.sandboxes.get(name)
    rows = sandbox.store.export().links
    return {(r.observer_id, r.student_id, r.root_account_id) for r in rows if r.state == "active"}


@pytest.fixture
def server() -> Iterator[MockCanvasServer]:
    app = create_app(Settings(), store=Store(load_mapping(_world(), source="stress")))
    with MockCanvasServer(app, threads=8) as running:
        yield running


def test_sandboxes_stay_isolated_under_concurrent_load(server: MockCanvasServer) -> None:
    assert requests.put(f"{server.url}/__mock__/sandboxes/c", timeout=30).status_code == 201
    failures: list[str] = []
    workers: dict[str, list[Worker]] = {}
    for offset, name in enumerate(["a", "b"]):
        workers[name] = []
        for index in range(PER_SANDBOX):
            worker = Worker(f"{server.url}/sandboxes/{name}", index, failures)
            worker.rng = random.Random(1000 * (offset + 1) + index)  # different choices
            workers[name].append(worker)

    def run(worker: Worker) -> None:
        try:
            for _ in range(OPERATIONS):
                worker.step()
        except Exception as exc:  # a broken thread must fail the test, not hang it
            failures.append(f"thread of {worker.url} {worker.parent}: {exc!r}")

    threads = [threading.Thread(target=run, args=(w,)) for group in workers.values() for w in group]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    for name, group in workers.items():
        for worker in group:
            assert sorted(worker.check_list(worker.parent)) == sorted(worker.model), name
        expected = {(w.parent, s, root) for w in group for s in w.model for root in BOTH}
        assert _active(server, name) == expected, name
    # The two sandboxes really did diverge (else isolation was not tested).
    assert _active(server, "a") != _active(server, "b")
    assert _active(server, "c") == set()
    assert _active(server, None) == set()
    assert requests.get(f"{server.url}/__mock__/requests", timeout=30).json() == []
    journal_a = requests.get(f"{server.url}/sandboxes/a/__mock__/requests", timeout=30).json()
    assert len(journal_a) == min(1000, sum(w.operations for w in workers["a"]))
