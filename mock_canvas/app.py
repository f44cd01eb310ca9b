"""The application factory: a fresh, isolated mock per call; no module-level app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from . import errors
from .clock import MockClock
from .fixtures import default_fixture_path, load_path
from .journal import Journal, redact, redact_query, time_text
from .model import Dataset
from .responses import render_error, render_http_exception, render_unexpected
from .settings import Settings, from_env
from .store import Snapshot, Store

# What the request journal keeps of one request, at most (it keeps journal_size requests).
JOURNAL_MAX_BODY = 16 * 1024
JOURNAL_MAX_QUERY = 4096


MAX_SNAPSHOTS = 100


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


class MockCanvas:
    """What the blueprints share: the store, the settings in force, the clock and the
    request journal."""

    def __init__(self, base_settings: Settings, store: Store) -> None:
        self.base_settings = base_settings
        self.clock = MockClock()
        self.journal = Journal(base_settings.journal_size)
        self.store = store
        self._lock = threading.Lock()
        self._settings_for: tuple[Dataset, Settings] | None = None
        # Named snapshots (the control API): kept by reset, dropped by a new fixture.
        self._snapshots: dict[str, NamedSnapshot] = {}
        # Called with each unexpected exception, in the request's context, before its 500
        # goes out: the pytest plugin fails the test that caused it.
        self.error_listeners: list[Callable[[Exception], None]] = []

    @property
    def store(self) -> Store:
        return self._store

    @store.setter
    def store(self, store: Store) -> None:
        store.clock = self.clock  # whichever store is served follows the mock's clock
        self._store = store

    def reset(self) -> None:
        """The store back to its fixture, the clock to real time, the journal empty."""
        self.store.reset()
        self.clock.real()
        self.journal.clear()

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

    @property
    def settings(self) -> Settings:
        """The base settings with the loaded fixture's `settings:` applied (cached per load)."""
        dataset = self.store.dataset
        cached = self._settings_for
        if cached is not None and cached[0] is dataset:
            return cached[1]
        settings = self.base_settings.with_fixture(dataset.settings)
        with self._lock:
            self._settings_for = (dataset, settings)
        return settings


def load_dataset(settings: Settings) -> Dataset:
    """The fixture named by the settings, else the packaged default (FixtureError if bad)."""
    path = settings.fixtures or default_fixture_path()
    return load_path(path, max_bytes=settings.max_fixture_bytes)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> Flask:
    """A Flask app serving the Canvas API under /api/v1 and the control API under /__mock__."""
    from .api import bp as api_bp
    from .control import bp as control_bp

    if settings is None:
        settings = from_env()
    if store is None:
        store = Store(load_dataset(settings))
    app = Flask("mock_canvas")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_fixture_bytes
    app.extensions["mock_canvas"] = mock = MockCanvas(settings, store)

    app.register_blueprint(api_bp)
    app.register_blueprint(control_bp)

    @app.before_request
    def _start_clock() -> None:
        g.journal_started = (time.perf_counter(), mock.clock.now())

    @app.after_request
    def _record(response: Response) -> Response:
        # Every request under /api/v1, unknown paths and methods included (action None).
        if request.path.startswith("/api/v1/") and "journal_started" in g:
            _journal(mock, response)
        return response

    @app.errorhandler(errors.CanvasError)
    def _canvas_error(error: errors.CanvasError):  # type: ignore[no-untyped-def]
        return render_error(error, mock.settings.auth_error_status)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return render_http_exception(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        for listener in mock.error_listeners:
            listener(exc)
        return render_unexpected(exc)

    return app


def _journal(mock: MockCanvas, response: Response) -> None:
    started, when = g.journal_started
    body: object = None
    size = request.content_length or 0
    if size > JOURNAL_MAX_BODY:  # bounded entries: a long run of big bodies stays small
        body = f"[{size} bytes, not kept]"
    elif "canvas_body" in g:  # parsed once, by the view's `atomic` wrapper
        body = redact(g.canvas_body) or None
    query = redact_query(request.query_string.decode("latin-1"))
    if len(query) > JOURNAL_MAX_QUERY:
        query = query[:JOURNAL_MAX_QUERY] + "..."
    endpoint = request.endpoint or ""
    mock.journal.record(
        time=when,
        method=request.method,
        path=request.path,
        query=query,
        body=body,
        user_id=g.get("canvas_user_id"),
        action=endpoint.removeprefix("api.") if endpoint.startswith("api.") else None,
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
    )
