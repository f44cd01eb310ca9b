"""Sandboxes: isolated copies of the mock's state, one per name, reached by a path prefix.

`/sandboxes/<name>/api/v1/...` and `/sandboxes/<name>/__mock__/...` are served by the
sandbox `<name>`; the unprefixed paths by the default sandbox. A sandbox is its own store,
clock, request journal and named snapshots. One made from the server's fixture forks the
default sandbox's loaded fixture (copy-on-write: it shares the read-only directory and the
fixture's rows), so it costs a few small objects, whatever the fixture's size, not a fixture load.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, request

from . import errors
from .clock import MockClock
from .faults import FaultRegistry
from .journal import Journal, time_text
from .model import Dataset
from .settings import Settings
from .store import Snapshot, Store
from .throttle import Throttle, ThrottleConfig

MAX_SNAPSHOTS = 100
# The WSGI environ key that carries the name of the sandbox a request was sent to.
ENVIRON_KEY = "mock_canvas.sandbox"
# The environ key of the Sandbox object itself, once a request's sandbox has been looked up.
SANDBOX_KEY = "mock_canvas.sandbox_object"
PREFIX = "/sandboxes/"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_RULE = "1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit"

# What a sandbox is estimated to hold, for the total-size bound (measured with tracemalloc
# on fixtures/large.yaml and the default fixture; see tests/unit/test_sandbox.py).
USER_BYTES = 3000  # a user of a fixture loaded for this sandbox alone, with its indexes
ROW_BYTES = 250  # a link or pairing-code row, with its share of the indexes


class TooManySnapshots(Exception):
    """A new snapshot name when MAX_SNAPSHOTS are already kept."""


@dataclass(frozen=True, slots=True)
class NamedSnapshot:
    """A snapshot kept under a name by the control API."""

    name: str
    created_at: datetime
    snapshot: Snapshot

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "created_at": time_text(self.created_at),
            "links": len(self.snapshot.links),
            "pairing_codes": len(self.snapshot.pairing_codes),
        }


def throttle_config(settings: Settings) -> ThrottleConfig:
    return ThrottleConfig(
        enabled=settings.throttle == "enforce",
        hwm=settings.throttle_hwm,
        maximum=max(settings.throttle_maximum, settings.throttle_hwm),
        outflow=settings.throttle_outflow,
        up_front_cost=settings.throttle_up_front_cost,
        request_cost=settings.throttle_request_cost,
        invalid_pairing_code_penalty=settings.throttle_invalid_pairing_code_penalty,
    )


class Sandbox:
    """One isolated state: a store, its clock, its request journal, named snapshots and the
    throttle's buckets. Fault rules live in one registry per server (`faults`), each bound to
    a sandbox (or to all)."""

    def __init__(
        self,
        name: str | None,
        base_settings: Settings,
        store: Store,
        *,
        shares_with: Store | None = None,
        faults: FaultRegistry | None = None,
    ) -> None:
        self.name = name  # None: the default sandbox (unprefixed paths)
        self.base_settings = base_settings
        self.faults = faults if faults is not None else FaultRegistry(base_settings.max_fault_rules)
        self._throttle: tuple[Settings, Throttle] | None = None
        self.clock = MockClock()
        self.created_at = self.clock.now()
        self.journal = Journal(base_settings.journal_size)
        self.store = store
        # The default sandbox's store this one was forked from (None: a fixture of its own).
        self._shares_with = shares_with
        self._lock = threading.Lock()
        self._settings_for: tuple[Dataset, Settings] | None = None
        # Named snapshots (the control API): kept by reset, dropped by a new fixture.
        self._snapshots: dict[str, NamedSnapshot] = {}

    @property
    def store(self) -> Store:
        return self._store

    @store.setter
    def store(self, store: Store) -> None:
        store.clock = self.clock  # whichever store is served follows the sandbox's clock
        self._store = store

    def load(self, dataset: Dataset) -> None:
        """A new fixture for this sandbox alone; its snapshots would not fit it."""
        self.store.load(dataset)
        self._shares_with = None
        self.clear_snapshots()

    def reset(self) -> None:
        """The store back to its fixture, the clock to real time, the journal empty, no
        fault rules of this sandbox's own, the throttle's buckets empty."""
        self.store.reset()
        self.clock.real()
        self.journal.clear()
        self.faults.clear_for(self.name)
        self.throttle.reset()

    @property
    def throttle(self) -> Throttle:
        """The leaky buckets, configured by the settings in force (a new fixture's
        `settings:` can change them: its buckets then start empty)."""
        settings = self.settings
        cached = self._throttle
        if cached is not None and cached[0] is settings:
            return cached[1]
        throttle = Throttle(throttle_config(settings), self.clock)
        with self._lock:
            if self._throttle is None or self._throttle[0] is not settings:
                self._throttle = (settings, throttle)
            return self._throttle[1]

    @property
    def settings(self) -> Settings:
        """The base settings with the loaded fixture's `settings:` applied (cached per load)."""
        dataset = self.store.dataset
        cached = self._settings_for
        if cached is not None and cached[0] is dataset:
            return cached[1]
        with self._lock:  # one Settings per load: the throttle is cached on its identity
            cached = self._settings_for
            if cached is None or cached[0] is not dataset:
                cached = self._settings_for = (
                    dataset,
                    self.base_settings.with_fixture(dataset.settings),
                )
            return cached[1]

    @property
    def shared(self) -> bool:
        """Whether the store shares its loaded fixture with the default sandbox's: only while
        the default serves the fixture it was forked from (after the default loads another
        one, this sandbox alone keeps the old one, and is counted for it)."""
        source = self._shares_with
        return source is not None and source.dataset is self.store.dataset

    def estimated_bytes(self) -> int:
        """What this sandbox holds beyond what it shares, estimated from its row counts."""
        users, rows = self.store.sizes()
        return (0 if self.shared else users * USER_BYTES) + rows * ROW_BYTES

    def to_json(self) -> dict[str, Any]:
        counts = self.store.counts()
        return {
            "name": self.name,
            "created_at": time_text(self.created_at),
            "fixture": "server" if self.shared else "own",
            "source": self.store.dataset.source,
            **counts,
            "estimated_bytes": self.estimated_bytes(),
        }

    # -- named snapshots ----------------------------------------------------------------

    def save_snapshot(self, name: str) -> NamedSnapshot:
        """Snapshot the store under `name`, replacing one of that name; TooManySnapshots
        for a new name when MAX_SNAPSHOTS are kept."""
        saved = NamedSnapshot(name, self.clock.now(), self.store.snapshot())
        with self._lock:
            if name not in self._snapshots and len(self._snapshots) >= MAX_SNAPSHOTS:
                raise TooManySnapshots(name)
            self._snapshots.pop(name, None)  # a replaced name moves to the end
            self._snapshots[name] = saved
        return saved

    def snapshots(self) -> list[NamedSnapshot]:
        """The kept snapshots, oldest name first."""
        with self._lock:
            return list(self._snapshots.values())

    def snapshot(self, name: str) -> NamedSnapshot | None:
        with self._lock:
            return self._snapshots.get(name)

    def delete_snapshot(self, name: str) -> bool:
        with self._lock:
            return self._snapshots.pop(name, None) is not None

    def clear_snapshots(self) -> None:
        with self._lock:
            self._snapshots.clear()


def over_limit(text: str) -> errors.CanvasError:
    # 507 Insufficient Storage: the server cannot hold what was asked; clients see a clear
    # message rather than a server that runs out of memory.
    return errors.CanvasError(507, {"errors": [{"message": text}]})


def bad_name(name: str) -> errors.CanvasError:
    del name  # never echoed: it may be anything
    return errors.CanvasError(400, {"errors": [{"message": f"A sandbox name is {NAME_RULE}."}]})


class Sandboxes:
    """The named sandboxes of one server, bounded in number and in estimated total size."""

    def __init__(self, default: Sandbox, *, max_count: int, max_bytes: int) -> None:
        self.default = default
        self.max_count = max_count
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._named: dict[str, Sandbox] = {}

    @staticmethod
    def check_name(name: str) -> None:
        if not NAME.fullmatch(name):
            raise bad_name(name)

    def get(self, name: str) -> Sandbox | None:
        with self._lock:
            return self._named.get(name)

    def list(self) -> list[Sandbox]:
        """The named sandboxes, by name."""
        with self._lock:
            return [self._named[name] for name in sorted(self._named)]

    def for_environ(self, environ: dict[str, Any]) -> Sandbox:
        """The sandbox a request (its WSGI environ) was sent to, looked up once per request
        and kept in the environ. With a control token, only the (token-checked) control API
        makes sandboxes: anyone else could otherwise fill the server with them."""
        sandbox: Sandbox | None = environ.get(SANDBOX_KEY)
        if sandbox is None:
            name = environ.get(ENVIRON_KEY)
            if name is None:
                sandbox = self.default
            else:
                locked = bool(self.default.base_settings.control_token)
                sandbox = self.get_or_create(name, create=not locked)
            environ[SANDBOX_KEY] = sandbox
        return sandbox

    def get_or_create(self, name: str, *, create: bool = True) -> Sandbox:
        """The sandbox `name`, made from the server's fixture on first use (`create`), else
        a 404 for one that does not exist."""
        self.check_name(name)
        with self._lock:
            sandbox = self._named.get(name)
            if sandbox is None:
                if not create:
                    raise errors.not_found()
                self._check_room(name, ROW_BYTES * self.default.store.sizes()[1])
                sandbox = self._insert(name, self.default.store.fork(), shared=True)
            return sandbox

    def put(self, name: str, dataset: Dataset | None) -> tuple[Sandbox, bool]:
        """Create or replace the sandbox `name`: from a fixture of its own, or (None) from
        the server's fixture. (sandbox, created). A replacement starts without the old
        one's fault rules; a refused one leaves the old one as it was."""
        self.check_name(name)
        if dataset is None:
            needed = ROW_BYTES * self.default.store.sizes()[1]
        else:
            needed = _dataset_bytes(dataset)
            with self._lock:
                self._check_room(name, needed)  # before the work of building it
            store = Store(dataset)  # outside the lock: other sandboxes keep answering
        with self._lock:
            self._check_room(name, needed)
            if dataset is None:
                store = self.default.store.fork()
            replaced = self._named.pop(name, None)
            if replaced is not None:
                self.default.faults.clear_for(name)
            return self._insert(name, store, shared=dataset is None), replaced is None

    def check_room(self, sandbox: Sandbox, dataset: Dataset) -> None:
        """Refuse (507) a new fixture for `sandbox` that would go over the size bound."""
        if sandbox.name is None:
            return  # the default sandbox is bounded by max_fixture_bytes alone
        with self._lock:
            others = sum(s.estimated_bytes() for s in self._named.values() if s is not sandbox)
            self._check_bytes(others + _dataset_bytes(dataset))

    def delete(self, name: str) -> bool:
        with self._lock:
            gone = self._named.pop(name, None) is not None
            if gone:
                self.default.faults.clear_for(name)  # a new sandbox of that name starts clean
        return gone

    def clear(self) -> int:
        """Delete every named sandbox; how many there were."""
        with self._lock:
            names = list(self._named)
            self._named.clear()
            for name in names:
                self.default.faults.clear_for(name)
        return len(names)

    def _check_room(self, name: str, needed: int) -> None:
        # Under self._lock: room for `name` (replacing one of that name) needing `needed`.
        others = [s for n, s in self._named.items() if n != name]
        if len(others) >= self.max_count:
            raise over_limit(
                f"At most {self.max_count} sandboxes (MOCK_CANVAS_MAX_SANDBOXES): delete one "
                "with DELETE /__mock__/sandboxes/<name>."
            )
        self._check_bytes(sum(s.estimated_bytes() for s in others) + needed)

    def _insert(self, name: str, store: Store, *, shared: bool) -> Sandbox:
        # Under self._lock.
        sandbox = Sandbox(
            name,
            self.default.base_settings,
            store,
            shares_with=self.default.store if shared else None,
            faults=self.default.faults,
        )
        self._named[name] = sandbox
        return sandbox

    def _check_bytes(self, total: int) -> None:
        if total > self.max_bytes:
            limit = self.max_bytes // (1024 * 1024)
            raise over_limit(
                f"The sandboxes would hold about {total // (1024 * 1024)} MiB, over the "
                f"{limit} MiB bound (MOCK_CANVAS_MAX_SANDBOX_MB): delete a sandbox or use a "
                "smaller fixture."
            )


def _dataset_bytes(dataset: Dataset) -> int:
    return (
        len(dataset.users) * USER_BYTES
        + (len(dataset.links) + len(dataset.pairing_codes)) * ROW_BYTES
    )


class SandboxPrefix:
    """WSGI middleware: `/sandboxes/<name>/rest` is served as `/rest` with the prefix moved
    to SCRIPT_NAME (so every URL the app builds, Link headers included, keeps it) and the
    name in the environ for `current()`."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path: str = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            name, slash, rest = path[len(PREFIX) :].partition("/")
            if name and slash:
                environ[ENVIRON_KEY] = name
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + PREFIX + name
                environ["PATH_INFO"] = "/" + rest
        return self.app(environ, start_response)


def current() -> Sandbox:
    """The sandbox of the request being handled (made on first use), kept in its environ."""
    environ = request.environ
    sandbox: Sandbox | None = environ.get(SANDBOX_KEY)
    if sandbox is None:
        sandbox = current_app.extensions["mock_canvas"].sandboxes.for_environ(environ)
    return sandbox


def in_named_sandbox() -> bool:
    return request.environ.get(ENVIRON_KEY) is not None
