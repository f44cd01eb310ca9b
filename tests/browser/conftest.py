"""The dashboard's fixtures: apps with the dashboard, a live server, and Debian's Chromium
driven by Playwright (its own browser download cannot work here, nor in CI)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from mock_canvas import arrange, dashboard
from mock_canvas.app import create_app
from mock_canvas.model import Dataset
from mock_canvas.server import MockCanvasServer
from mock_canvas.settings import Settings
from mock_canvas.store import Store

CHROMIUM = os.environ.get("MOCK_CANVAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONTROL_TOKEN = "ctl-Secret-42"


def pytest_configure(config: pytest.Config) -> None:
    # Until pyproject.toml registers it (--strict-markers refuses an unknown marker).
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium with Playwright (run with -m browser)"
    )


def dashboard_app(dataset: Dataset, **settings: Any) -> Flask:
    """A mock with the arrange and dashboard blueprints (registered here until create_app
    registers them itself)."""
    app = create_app(Settings(**settings), store=Store(dataset))
    for blueprint in (arrange.bp, dashboard.bp):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    return app


def reset(app: Flask, dataset: Dataset) -> None:
    """Back to `dataset` as loaded: links, codes, clock, journal, faults, sandboxes."""
    state = app.extensions["mock_canvas"]
    if state.store.dataset is not dataset:
        state.store.load(dataset)
    state.reset()
    state.clear_snapshots()
    for name in ("sandboxes", "faults"):
        registry = getattr(state, name, None)
        if registry is not None and hasattr(registry, "clear"):
            registry.clear()


@pytest.fixture(scope="module")
def live(default_dataset: Dataset) -> Iterator[tuple[Flask, str]]:
    """A live server with the dashboard and no control token: (app, base URL)."""
    app = dashboard_app(default_dataset)
    with MockCanvasServer(app) as server:
        yield app, server.url


@pytest.fixture(scope="module")
def live_with_token(default_dataset: Dataset) -> Iterator[tuple[Flask, str]]:
    """A live server whose control API needs CONTROL_TOKEN."""
    app = dashboard_app(default_dataset, control_token=CONTROL_TOKEN)
    with MockCanvasServer(app) as server:
        yield app, server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, chromium_sandbox=False
        )
        yield launched
        launched.close()


@pytest.fixture
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """save(page, name): a full-page PNG in a temp dir, and in $DASHBOARD_SCREENSHOTS too."""
    folder = tmp_path_factory.mktemp("screenshots")
    extra = os.environ.get("DASHBOARD_SCREENSHOTS")

    def save(page: Any, name: str, *, full_page: bool = True) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(extra) / path.name)
        return path

    yield save
