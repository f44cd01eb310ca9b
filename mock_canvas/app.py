"""The application factory: a fresh, isolated mock per call; no module-level app."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from werkzeug.exceptions import HTTPException

from . import errors
from .fixtures import default_fixture_path, load_path
from .model import Dataset
from .responses import render_error, render_http_exception, render_unexpected
from .settings import Settings, from_env
from .store import Store


class MockCanvas:
    """What the blueprints share: the store and the settings in force."""

    def __init__(self, base_settings: Settings, store: Store) -> None:
        self.base_settings = base_settings
        self.store = store
        self._lock = threading.Lock()
        self._settings_for: tuple[Dataset, Settings] | None = None
        # Called with each unexpected exception, in the request's context, before its 500
        # goes out: the pytest plugin fails the test that caused it.
        self.error_listeners: list[Callable[[Exception], None]] = []

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
