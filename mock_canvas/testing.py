"""What the pytest plugin hands to tests: the `mock_canvas` and `mock_canvas_client` handles.

`PluginSession` is the per-session part (per xdist worker): every fixture file parsed once, one
Store per file, one Flask app, and the live server once a test asks for it. A handle is the
per-test part: reset before the test, then arrange state in one line and look users up by name.
The plugin module imports this one inside its fixtures only, so a test suite that never uses
the mock never imports Flask.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Mapping
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
from .faults import FaultRegistry, FaultSpecError, parse_rule
from .fixtures import FixtureError, default_fixture_path, dump_dataset, load_mapping, load_path
from .journal import Journal, JournalEntry
from .model import Dataset, User
from .server import MockCanvasServer
from .settings import Settings
from .store import Store

UserRef = int | str  # a user id, a login (unique_id, any case) or a name
FixtureSource = str | os.PathLike[str] | Mapping[str, Any]

__all__ = [
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


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user of the loaded fixture, as a test needs it."""

    id: int
    name: str
    logins: tuple[str, ...]  # unique_ids, in fixture order
    sis_user_id: str | None  # of the first login that has one
    integration_id: str | None
    tokens: tuple[str, ...]  # every token, expired ones included


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


_NAME_INDEXES: dict[int, tuple[Dataset, dict[str, list[int]]]] = {}


def name_index(dataset: Dataset) -> dict[str, list[int]]:
    """Lower-cased names and logins -> user ids, built once per dataset."""
    cached = _NAME_INDEXES.get(id(dataset))
    if cached is not None and cached[0] is dataset:
        return cached[1]
    index: dict[str, list[int]] = {}
    for user in dataset.users:
        keys = {user.name.casefold(), *(login.unique_id.casefold() for login in user.logins)}
        for key in keys:
            index.setdefault(key, []).append(user.id)
    if len(_NAME_INDEXES) >= 16:  # mappings loaded by tests come and go
        _NAME_INDEXES.clear()
    _NAME_INDEXES[id(dataset)] = (dataset, index)
    return index


def find_user(dataset: Dataset, ref: UserRef, users: Mapping[int, User] | None = None) -> User:
    """A user of `dataset` by id, login (unique_id, any case) or name (any case)."""
    if users is None:
        users = {user.id: user for user in dataset.users}
    if isinstance(ref, int) and not isinstance(ref, bool):
        found = users.get(ref)
        if found is None:
            raise LookupError(f"no user with id {ref} in {dataset.source}")
        return found
    ids = name_index(dataset).get(str(ref).casefold(), [])
    if not ids:
        raise LookupError(f"no user named or logging in as {ref!r} in {dataset.source}")
    if len(ids) > 1:
        raise LookupError(f"{ref!r} is ambiguous: users {sorted(ids)}; use an id")
    return users[ids[0]]


def user_info(found: User) -> UserInfo:
    sis = next((lg for lg in found.logins if lg.sis_user_id is not None), None)
    integration = next((lg for lg in found.logins if lg.integration_id is not None), None)
    return UserInfo(
        id=found.id,
        name=found.name,
        logins=tuple(login.unique_id for login in found.logins),
        sis_user_id=sis.sis_user_id if sis else None,
        integration_id=integration.integration_id if integration else None,
        tokens=tuple(token.token for token in found.tokens),
    )


ACTIONS = (
    "list_observees",
    "list_observers",
    "add_observee_with_credentials",
    "show_observee",
    "add_observee",
    "remove_observee",
    "show_observer",
    "create_observer_pairing_code",
)


def check_action(action: str | None) -> None:
    if action is not None and action not in ACTIONS:
        raise ValueError(f"unknown Canvas action {action!r} (one of: {', '.join(ACTIONS)})")


def _matches(entry: JournalEntry, action: str, user_id: int | None, status: int | None) -> bool:
    return (
        entry.action == action
        and (user_id is None or entry.user_id == user_id)
        and (status is None or entry.status == status)
    )


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _near_misses(
    entries: list[JournalEntry],
    action: str,
    user_id: int | None,
    status: int | None,
    *,
    exclude: list[JournalEntry],
    limit: int = 5,
) -> list[JournalEntry]:
    """The requests closest to the expectation that did not meet it: the same action first,
    then the same caller, then the same status; the most recent first among equals."""
    excluded = {e.id for e in exclude}

    def score(entry: JournalEntry) -> tuple[int, int, int, int]:
        return (
            entry.action == action,
            user_id is not None and entry.user_id == user_id,
            status is not None and entry.status == status,
            entry.id,
        )

    return sorted((e for e in entries if e.id not in excluded), key=score, reverse=True)[:limit]


def check_called(
    everything: list[JournalEntry],
    action: str,
    times: int | None,
    user: UserRef | None,
    user_id: int | None,
    status: int | None,
) -> list[JournalEntry]:
    """assert_called's check on the journal's entries: the matching calls, else an
    AssertionError that shows the nearest requests made."""
    __tracebackhide__ = True
    matching = [e for e in everything if _matches(e, action, user_id, status)]
    if (times is None and matching) or (times is not None and len(matching) == times):
        return matching
    wanted = action
    if user is not None:
        wanted += f" by user {user_id}"
    if status is not None:
        wanted += f" with status {status}"
    expected = "at least once" if times is None else _times(times)
    lines = [f"expected {wanted} to be called {expected}, it was called {_times(len(matching))}"]
    if times is not None and matching:
        lines.append("matching requests:")
        lines += [f"  {e.describe()}" for e in matching]
    near = _near_misses(everything, action, user_id, status, exclude=matching)
    if near:
        lines.append("nearest requests made:")
        lines += [f"  {e.describe()}" for e in near]
    elif not everything:
        lines.append("no request reached the Canvas endpoints")
    raise AssertionError("\n".join(lines))


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


class MockCanvasHandle:
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

    def user(self, ref: UserRef) -> UserInfo:
        """A user by id, login (unique_id, any case) or name (any case)."""
        return user_info(self._find(ref))

    def user_id(self, ref: UserRef) -> int:
        """A user's id, by id, login or name."""
        return self._find(ref).id

    def token_for(self, ref: UserRef) -> str:
        """The first token of the user that the mock accepts now (not expired, user active)."""
        found = self._find(ref)
        for token in found.tokens:
            try:
                self.store.authenticate(token.token)
            except errors.CanvasError:
                continue
            return token.token
        listed = ", ".join(t.token for t in found.tokens) or "none"
        raise LookupError(f"{found.name} ({found.id}) has no token the mock accepts ({listed})")

    def auth_headers(self, ref: UserRef) -> dict[str, str]:
        """{"Authorization": "Bearer <token>"} for a user, for any HTTP client."""
        return {"Authorization": f"Bearer {self.token_for(ref)}"}

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

    def calls(
        self,
        action: str | None = None,
        *,
        user: UserRef | None = None,
        status: int | None = None,
    ) -> list[JournalEntry]:
        """The requests to the Canvas endpoints so far, oldest first: all, or those to one
        action (e.g. "add_observee"), by one user, with one status."""
        check_action(action)
        user_id = None if user is None else self.user_id(user)
        return self.journal.entries(action=action, user=user_id, status=status)

    def assert_called(
        self,
        action: str,
        times: int | None = None,
        *,
        user: UserRef | None = None,
        status: int | None = None,
    ) -> list[JournalEntry]:
        """Fail unless `action` was called (exactly `times` times, when given) by `user` with
        `status`; the failure shows the nearest requests that were made. The matching calls."""
        __tracebackhide__ = True
        check_action(action)
        user_id = None if user is None else self.user_id(user)
        return check_called(self.journal.entries(), action, times, user, user_id, status)

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
