"""Real clients talk to the session's live server, reset to the default fixture per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from mock_canvas.model import Dataset
from mock_canvas.server import MockCanvasServer


@pytest.fixture
def live(_live_server: tuple[Flask, MockCanvasServer], default_dataset: Dataset) -> Iterator[str]:
    """The live server's base URL, its state reset to the packaged default fixture."""
    app, server = _live_server
    mock = app.extensions["mock_canvas"]
    if mock.store.dataset is not default_dataset:
        mock.store.load(default_dataset)
    mock.reset()  # the store, the clock, the journal, fault rules, the throttle's buckets
    mock.sandboxes.clear()
    yield server.url
