"""The application factory: a fresh, isolated mock per call; no module-level app."""

from __future__ import annotations

import functools

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from . import errors
from .clock import MockClock
from .faults import DropMiddleware, FaultRegistry
from .fixtures import default_fixture_path, load_path
from .journal import Journal
from .model import Dataset
from .responses import (
    ErrorListener,
    render_error,
    render_http_exception,
    unexpected,
)
from .sandbox import MAX_SNAPSHOTS, SANDBOX_KEY, NamedSnapshot, Sandbox, Sandboxes, SandboxPrefix
from .settings import Settings, from_env
from .store import Store
from .traffic import CanvasPipeline

__all__ = ["MAX_SNAPSHOTS", "MockCanvas", "create_app", "load_dataset"]


class MockCanvas:
    """What the blueprints share: the default sandbox (unprefixed paths), the named
    sandboxes, and the listeners told of unexpected exceptions.

    `store`, `clock`, `journal`, `settings`, `reset()` and the snapshot methods are the
    default sandbox's (what the pytest plugin and the command line use). In a request, use
    `sandbox.current()`: the sandbox the request was sent to."""

    def __init__(self, base_settings: Settings, store: Store) -> None:
        self.base_settings = base_settings
        self.default = Sandbox(
            None, base_settings, store, faults=FaultRegistry(base_settings.max_fault_rules)
        )
        self.sandboxes = Sandboxes(
            self.default,
            max_count=base_settings.max_sandboxes,
            max_bytes=base_settings.max_sandbox_mb * 1024 * 1024,
        )
        # Called with each unexpected exception and its request ("GET /path?query"), in the
        # request's thread, before its 500 goes out: the pytest plugin fails the test.
        self.error_listeners: list[ErrorListener] = []

    @property
    def store(self) -> Store:
        return self.default.store

    @store.setter
    def store(self, store: Store) -> None:
        self.default.store = store

    @property
    def clock(self) -> MockClock:
        return self.default.clock

    @property
    def journal(self) -> Journal:
        return self.default.journal

    @property
    def settings(self) -> Settings:
        return self.default.settings

    def reset(self) -> None:
        self.default.reset()

    def save_snapshot(self, name: str) -> NamedSnapshot:
        return self.default.save_snapshot(name)

    def snapshots(self) -> list[NamedSnapshot]:
        return self.default.snapshots()

    def snapshot(self, name: str) -> NamedSnapshot | None:
        return self.default.snapshot(name)

    def delete_snapshot(self, name: str) -> bool:
        return self.default.delete_snapshot(name)

    def clear_snapshots(self) -> None:
        self.default.clear_snapshots()


def load_dataset(settings: Settings) -> Dataset:
    """The fixture named by the settings, else the packaged default (FixtureError if bad)."""
    path = settings.fixtures or default_fixture_path()
    return load_path(path, max_bytes=settings.max_fixture_bytes)


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> Flask:
    """A Flask app serving the Canvas API under /api/v1 and the control API under /__mock__."""
    from .api import Router
    from .api import bp as api_bp
    from .api import dispatch as api_dispatch
    from .arrange import bp as arrange_bp
    from .control import bp as control_bp
    from .dashboard import bp as dashboard_bp
    from .fault_api import bp as faults_bp
    from .sandbox_api import bp as sandboxes_bp

    if settings is None:
        settings = from_env()
    if store is None:
        store = Store(load_dataset(settings))
    app = Flask("mock_canvas", static_folder=None)  # the dashboard serves its own assets
    app.config["MAX_CONTENT_LENGTH"] = settings.max_fixture_bytes
    app.extensions["mock_canvas"] = mock = MockCanvas(settings, store)

    app.register_blueprint(api_bp)
    app.register_blueprint(control_bp)
    app.register_blueprint(sandboxes_bp)
    app.register_blueprint(faults_bp)
    app.register_blueprint(arrange_bp)
    app.register_blueprint(dashboard_bp)
    # Outermost: a drop fault closes the connection whatever the app answered. Inside the
    # sandbox prefix: the Canvas requests' sandbox, throttle, faults and journal.
    router = Router(app.url_map)
    canvas = functools.partial(api_dispatch, router=router, error_listeners=mock.error_listeners)
    pipeline = CanvasPipeline(
        app.wsgi_app, mock.sandboxes, router.match, canvas, mock.error_listeners
    )
    app.wsgi_app = DropMiddleware(SandboxPrefix(pipeline))  # type: ignore[method-assign]

    @app.errorhandler(errors.CanvasError)
    def _canvas_error(error: errors.CanvasError):  # type: ignore[no-untyped-def]
        sandbox = request.environ.get(SANDBOX_KEY) or mock.default
        return render_error(error, sandbox.settings.auth_error_status)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return render_http_exception(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        return unexpected(exc, request, mock.error_listeners)

    return app
