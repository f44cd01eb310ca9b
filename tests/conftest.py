"""Shared test fixtures: the packaged default fixture, in-process and over a live socket."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from flask import Flask

from mock_canvas.app import create_app, load_dataset
from mock_canvas.model import Dataset
from mock_canvas.server import MockCanvasServer
from mock_canvas.settings import Settings
from mock_canvas.store import Store


@pytest.fixture(scope="session")
def default_dataset() -> Dataset:
    """The packaged default fixture, parsed once."""
    return load_dataset(Settings())


# The smallest useful fixture: one account, a parent observing a student.
MINIMAL_FIXTURE = {
    "version": 1,
    "accounts": [{"id": 1, "name": "Solo", "domain": "solo.test"}],
    "users": [
        {
            "id": 1,
            "name": "Pat Parent",
            "tokens": ["p"],
            "logins": [{"account": 1, "unique_id": "pat"}],
        },
        {
            "id": 2,
            "name": "Sam Student",
            "tokens": ["s"],
            "logins": [{"account": 1, "unique_id": "sam"}],
        },
    ],
    "observer_links": [{"observer": 1, "observee": 2}],
}


@dataclass
class Resp:
    """What a test needs of a response, the same for both transports."""

    status: int
    headers: dict[str, str]  # lower-case names
    text: str
    body: Any = field(default=None)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class ApiClient:
    """Talks to the mock in-process (Flask test client) or over HTTP (requests)."""

    def __init__(self, mode: str, app: Flask, base_url: str | None = None) -> None:
        self.mode = mode
        self.app = app
        self.base_url = base_url
        self.store: Store = app.extensions["mock_canvas"].store
        self._session = requests.Session() if base_url else None
        self._test_client = app.test_client()

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        query: Any = None,
        data: Any = None,
        json: Any = None,
        host: str | None = None,
    ) -> Resp:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if host is not None:
            sent["Host"] = host
        if self._session is not None:
            response = self._session.request(
                method, self.base_url + path, headers=sent, params=query, data=data, json=json
            )
            status, text = response.status_code, response.text
            got = {k.lower(): v for k, v in response.headers.items()}
        else:
            result = self._test_client.open(
                path, method=method, headers=sent, query_string=query, data=data, json=json
            )
            status, text = result.status_code, result.get_data(as_text=True)
            got = {k.lower(): v for k, v in result.headers.items()}
        body = None
        if got.get("content-type", "").startswith("application/json") and text:
            import json as json_module

            body = json_module.loads(text)
        return Resp(status, got, text, body)

    def get(self, path: str, **kw: Any) -> Resp:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Resp:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Resp:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Resp:
        return self.request("DELETE", path, **kw)


@pytest.fixture(scope="session")
def _inprocess_app(default_dataset: Dataset) -> Flask:
    return create_app(Settings(), store=Store(default_dataset))


@pytest.fixture(scope="session")
def _live_server(default_dataset: Dataset) -> Iterator[tuple[Flask, MockCanvasServer]]:
    app = create_app(Settings(), store=Store(default_dataset))
    with MockCanvasServer(app) as server:
        yield app, server


@pytest.fixture(params=["inprocess", pytest.param("live", marks=pytest.mark.live)])
def api(request: pytest.FixtureRequest, default_dataset: Dataset) -> ApiClient:
    """The default fixture, reset, behind either transport: every API test runs on both."""
    if request.param == "live":
        app, server = request.getfixturevalue("_live_server")
        client = ApiClient("live", app, server.url)
    else:
        client = ApiClient("inprocess", request.getfixturevalue("_inprocess_app"))
    if client.store.dataset is not default_dataset:
        client.store.load(default_dataset)
    client.app.extensions["mock_canvas"].reset()  # the store, the clock and the journal
    client.app.extensions["mock_canvas"].clear_snapshots()  # a reset keeps them
    client.app.extensions["mock_canvas"].sandboxes.clear()
    return client
