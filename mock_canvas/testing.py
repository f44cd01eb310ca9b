"""What the pytest plugin hands to tests: the `mock_canvas` and `mock_canvas_client` handles.

`PluginSession` is the per-session part (per xdist worker): every fixture file parsed once, one
Store per file, one Flask app, and the live server once a test asks for it. A handle is the
per-test part: reset before the test, then arrange state in one line and look users up by name.
The plugin module imports this one inside its fixtures only, so a test suite that never uses
the mock never imports Flask.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from . import errors
from .app import MockCanvas as AppState
from .app import create_app
from .clock import MockClock
from .faults import ACTIONS, FaultRegistry, FaultSpecError, parse_rule
from .fixtures import FixtureError, default_fixture_path, dump_dataset, load_mapping, load_path
from .journal import Journal, JournalEntry
from .lookups import (
    FixtureSource,
    Lookups,
    UserInfo,
    UserRef,
    find_user,
    name_index,
)
from .model import Dataset, User
from .server import MockCanvasServer
from .settings import Settings
from .store import Store

__all__ = [
    "ACTIONS",
    "FixtureError",
    "JournalEntry",
    "MockCanvas",
    "MockCanvasClient",
    "MockCanvasHandle",
    "MockCanvasServerError",
    "MockClock",
    "PluginSession",
    "ServerError",
    "UserInfo",
]


class MockCanvasServerError(Exception):
    """The mock raised an unexpected exception while answering a request (a 500)."""


@dataclass(frozen=True, slots=True)
class ServerError:
    """An exception the mock raised inside a request, with the request that raised it."""

    request: str  # e.g. "GET /api/v1/users/self/observees"
    exception: Exception

    def format(self) -> str:
        """The request and the full traceback, as text."""
        return f"{self.request}\n" + "".join(traceback.format_exception(self.exception))


class PluginSession:
    """Per pytest session: parsed fixtures, a Store per fixture, the app and the server."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._datasets: dict[str, Dataset | FixtureError] = {}
        self._default = str(default_fixture_path().resolve())
        self._stores: dict[str, Store] = {}
        self._app: Flask | None = None
        self._server: MockCanvasServer | None = None
        self.errors: list[ServerError] = []

    # -- fixture files -------------------------------------------------------------------

    def dataset(self, path: str | None) -> Dataset:
        """The fixture file parsed (once per session); None is the packaged default."""
        key = path or self._default
        found = self._datasets.get(key)
        if found is None:
            try:
                found = load_path(key, max_bytes=self.settings.max_fixture_bytes)
            except FixtureError as exc:
                found = exc
            self._datasets[key] = found
        if isinstance(found, FixtureError):
            raise found
        return found

    def store_for(self, path: str | None) -> Store:
        """The one Store of a fixture file, holding that file as loaded (changes undone later)."""
        key = path or self._default
        store = self._stores.get(key)
        dataset = self.dataset(key)
        if store is None:
            store = self._stores[key] = Store(dataset)
        elif store.dataset is not dataset:  # PUT /__mock__/fixtures replaced it in a test
            store.load(dataset)
        return store

    # -- the app and the server ----------------------------------------------------------

    @property
    def app(self) -> Flask:
        """The one app, created serving the first test's fixture (none is parsed for nothing)."""
        return self._app if self._app is not None else self._create_app(self.store_for(None))

    def _create_app(self, store: Store) -> Flask:
        self._app = create_app(self.settings, store=store)
        self._state.error_listeners.append(self._record_error)
        return self._app

    @property
    def _state(self) -> AppState:
        state: AppState = self.app.extensions["mock_canvas"]
        return state

    @property
    def store(self) -> Store:
        """The Store the app serves now."""
        return self._state.store

    def install(self, store: Store) -> None:
        if self._app is None:
            self._create_app(store)
        else:
            self._state.store = store

    def start_server(self) -> str:
        """Start the live server on 127.0.0.1 and a free port (once); its base URL."""
        if self._server is None:
            self._server = MockCanvasServer(self.app, host="127.0.0.1", port=0).start()
        return self._server.url

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    # -- one test ------------------------------------------------------------------------

    def begin(self, path: str | None) -> None:
        """Before a test: serve its fixture file as loaded, with no server errors recorded."""
        self.install(self.store_for(path))
        self._state.reset()  # the store, the clock, the journal, fault rules, the throttle
        self._state.sandboxes.clear()  # a test's sandboxes go with it (and their rules)
        self._state.default.faults.clear()  # every rule, "*" ones made any way included
        self.errors.clear()

    def _record_error(self, exc: Exception, request: str) -> None:
        # Called by the app's error handlers, in the request's thread.
        self.errors.append(ServerError(request, exc))

    def take_errors(self) -> list[ServerError]:
        taken, self.errors = self.errors, []
        return taken

    def raise_errors(self, when: str = "") -> None:
        """Raise MockCanvasServerError for the errors recorded (and forget them)."""
        __tracebackhide__ = True
        taken = self.take_errors()
        if taken:
            raise server_error(taken, when) from taken[0].exception

    def names(self, dataset: Dataset) -> dict[str, list[int]]:
        return name_index(dataset)


def server_error(errors_: list[ServerError], when: str = "") -> MockCanvasServerError:
    """One exception naming every request that failed; tracebacks of all but the first
    (which the caller chains as the cause) in the message."""
    where = f" {when}" if when else ""
    count = "an unexpected error" if len(errors_) == 1 else f"{len(errors_)} unexpected errors"
    lines = [f"mock_canvas raised {count} inside the server{where}, answered with a 500:"]
    lines += [f"  {e.request}: {type(e.exception).__name__}: {e.exception}" for e in errors_]
    for extra in errors_[1:]:
        lines += ["", extra.format().rstrip()]
    lines += [
        "(the first traceback is above; a test that expects a 500 calls take_server_errors())"
    ]
    return MockCanvasServerError("\n".join(lines))


class MockCanvasHandle(Lookups):
    """What both fixtures offer: reset, load, state, users by name, and one-line arranging
    (the base of MockCanvas and MockCanvasClient, for helpers that take either)."""

    def __init__(self, session: PluginSession, fixture: str | None) -> None:
        self._session = session
        self._fixture = fixture

    @property
    def app(self) -> Flask:
        """The Flask app (the same one behind the server and the test client)."""
        return self._session.app

    @property
    def store(self) -> Store:
        """The Store serving this test (changes on `load`)."""
        return self._session.store

    @property
    def fixture_path(self) -> Path:
        """The fixture file this test started from."""
        return Path(self._fixture) if self._fixture else default_fixture_path()

    def reset(self) -> None:
        """Back to this test's fixture file as loaded (what every test starts from)."""
        self._session.install(self._session.store_for(self._fixture))
        self._session.app.extensions["mock_canvas"].reset()

    def load(self, source: FixtureSource) -> None:
        """Serve another fixture for the rest of this test: a file (parsed once per session)
        or a mapping in the fixture format. FixtureError lists the problems."""
        if isinstance(source, Mapping):
            store = Store(load_mapping(dict(source), source="<mapping>"))
        else:
            store = self._session.store_for(str(Path(source).resolve()))
            store.reset()
        self._session.install(store)

    def state(self) -> dict[str, Any]:
        """The whole current state in the fixture format; `load(state())` gives it back."""
        return dump_dataset(self.store.export())

    # -- users ---------------------------------------------------------------------------

    def _find(self, ref: UserRef) -> User:
        store = self.store
        with store.locked() as directory:
            return find_user(store.dataset, ref, directory.users)

    def _accepted_tokens(self, found: User) -> Iterator[str]:
        for token in found.tokens:
            try:
                self.store.authenticate(token.token)
            except errors.CanvasError:
                continue
            yield token.token

    # -- arranging state in one line -----------------------------------------------------

    def link(
        self, observer: UserRef, student: UserRef, root_account: int | None = None
    ) -> list[int]:
        """Make `observer` observe `student` (no permission check), in one root account or,
        by default, in every one they share; the root account ids linked."""
        return self.store.add_link(self.user_id(observer), self.user_id(student), root_account)

    def create_pairing_code(
        self, user: UserRef, *, code: str | None = None, expires_at: datetime | None = None
    ) -> str:
        """A pairing code for a user (default: random, valid for 7 days); the code."""
        if expires_at is not None and expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware (e.g. datetime.now(UTC))")
        return self.store.add_pairing_code(self.user_id(user), code, expires_at).code

    def expire_token(self, token: str, at: datetime | None = None) -> None:
        """Make a token expire now (or at `at`) until the next test."""
        if at is not None and at.tzinfo is None:
            raise ValueError("at must be timezone-aware (e.g. datetime.now(UTC))")
        try:
            self.store.expire_token(token, at)
        except KeyError:
            raise LookupError(f"no token {token!r} in {self.store.dataset.source}") from None

    # -- faults --------------------------------------------------------------------------

    def fault(self, **rule: Any) -> int:
        """Register a fault rule (the body of POST /__mock__/faults, e.g.
        `fault(action="list_observees", status=503, times=2)`); its id. Gone after the test."""
        faults: FaultRegistry = self._session.app.extensions["mock_canvas"].default.faults
        try:
            added = faults.add(parse_rule(rule))
        except FaultSpecError as exc:
            raise ValueError(str(exc)) from None
        assert added.id is not None
        return added.id

    def clear_faults(self) -> None:
        """Remove the fault rules of this test."""
        self._session.app.extensions["mock_canvas"].default.faults.clear()

    # -- the clock -----------------------------------------------------------------------

    @property
    def clock(self) -> MockClock:
        """The mock's clock (real time before each test): `.freeze()`, `.advance(days=7)`,
        `.set(datetime)`, `.now()`, `.unfreeze()`, `.real()`."""
        clock: MockClock = self._session.app.extensions["mock_canvas"].clock
        return clock

    # -- the request journal -------------------------------------------------------------

    @property
    def journal(self) -> Journal:
        """Every request to the Canvas endpoints in this test (`.entries()`, `.clear()`)."""
        journal: Journal = self._session.app.extensions["mock_canvas"].journal
        return journal

    def _entries(
        self, *, action: str | None = None, user: int | None = None, status: int | None = None
    ) -> list[JournalEntry]:
        return self.journal.entries(action=action, user=user, status=status)

    # -- errors inside the server --------------------------------------------------------

    @property
    def server_errors(self) -> list[ServerError]:
        """Unexpected exceptions the mock raised in this test so far (each answered a 500)."""
        return list(self._session.errors)

    def take_server_errors(self) -> list[ServerError]:
        """The server errors so far, forgotten: a test that expects a 500 does not fail."""
        return self._session.take_errors()

    def check_server_errors(self) -> None:
        """Raise MockCanvasServerError now if the mock failed; the plugin does it after the
        test anyway."""
        __tracebackhide__ = True
        self._session.raise_errors()


class MockCanvas(MockCanvasHandle):
    """The `mock_canvas` fixture: a live server on 127.0.0.1, reset before each test."""

    def __init__(self, session: PluginSession, fixture: str | None, url: str) -> None:
        super().__init__(session, fixture)
        self.url = url  # e.g. http://127.0.0.1:40123; the Canvas API is under /api/v1

    def __repr__(self) -> str:
        return f"<MockCanvas {self.url} {self.fixture_path.name}>"


class MockCanvasClient(MockCanvasHandle):
    """The `mock_canvas_client` fixture: the same app through Flask's test client, no socket."""

    def __init__(self, session: PluginSession, fixture: str | None) -> None:
        super().__init__(session, fixture)
        self._client: FlaskClient | None = None

    @property
    def client(self) -> FlaskClient:
        """Flask's test client for the app (one per test)."""
        if self._client is None:
            self._client = self.app.test_client()
        return self._client

    def __repr__(self) -> str:
        return f"<MockCanvasClient {self.fixture_path.name}>"

    def request(
        self, method: str, path: str, *, user: UserRef | None = None, **kwargs: Any
    ) -> TestResponse:
        """The test client's `open`, with `user=` (id, login or name) sending its token."""
        if user is not None:
            kwargs["headers"] = {**dict(kwargs.get("headers") or {}), **self.auth_headers(user)}
        return self.client.open(path, method=method, **kwargs)

    def get(self, path: str, *, user: UserRef | None = None, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, user=user, **kwargs)

    def post(self, path: str, *, user: UserRef | None = None, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, user=user, **kwargs)

    def put(self, path: str, *, user: UserRef | None = None, **kwargs: Any) -> TestResponse:
        return self.request("PUT", path, user=user, **kwargs)

    def delete(self, path: str, *, user: UserRef | None = None, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, user=user, **kwargs)
