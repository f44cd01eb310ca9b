"""The pytest plugin's remote mode: the `mock_canvas` handle of a server running elsewhere.

With `--mock-canvas-url http://mock-canvas:8000` (or MOCK_CANVAS_URL), each pytest session,
each xdist worker included, makes a sandbox of its own on that server, and every test starts
from it reset: a whole `pytest -n auto` run shares one container without the workers' states
touching. Everything goes through the server's control API (stdlib urllib, no extra
dependency), so the handle offers what can be done over HTTP: users by name, one-line
arranging, the clock and the request journal.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import yaml

from .fixtures import load_mapping
from .journal import JournalEntry
from .lookups import FixtureSource, Lookups, UserRef, find_user
from .model import Dataset, User

TIMEOUT = 30.0


class RemoteMockCanvasError(Exception):
    """The remote server could not be reached, or refused a control call."""


def _instant(at: datetime, name: str) -> str:
    if at.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime(2030, 1, 1, tzinfo=UTC))")
    return at.isoformat()


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Http:
    """JSON over HTTP to one server, with the control token when there is one."""

    def __init__(self, server: str, control_token: str | None = None) -> None:
        if not server.startswith(("http://", "https://")):
            raise ValueError(f"the mock_canvas URL must be http:// or https://, not {server!r}")
        self.server = server.rstrip("/")
        self._token = control_token

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        content_type: str | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        """The answer's JSON; RemoteMockCanvasError naming the call for any status >= 400."""
        url = self.server + path + (f"?{urlencode(query)}" if query else "")
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if json_body is not None:
            data = json.dumps(json_body).encode()
            content_type = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        # The scheme is checked in __init__: http(s) only.
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            try:
                messages = [e["message"] for e in json.loads(detail)["errors"]]
                detail = "; ".join(messages)
            except (ValueError, KeyError, TypeError):
                pass
            raise RemoteMockCanvasError(
                f"{method} {path} on {self.server}: {exc.code} {detail}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteMockCanvasError(
                f"cannot reach the mock_canvas server at {self.server} ({reason}); is it "
                "running, and is --mock-canvas-url / MOCK_CANVAS_URL right?"
            ) from None
        return json.loads(text) if text else None


_UNKNOWN = object()  # the sandbox holds a fixture no file names (a test's `load()`)


class RemoteSession:
    """Per pytest session (per xdist worker): one sandbox of its own on the remote server."""

    def __init__(self, server: str, control_token: str | None, worker: str) -> None:
        self.http = Http(server, control_token)
        self.name = f"pytest-{worker}-{secrets.token_hex(4)}"
        self.prefix = f"/sandboxes/{self.name}"
        self.url = self.http.server + self.prefix
        # The fixture file the sandbox was last given (None: the server's), or _UNKNOWN.
        self._loaded: object = _UNKNOWN
        self._made = False
        self._dataset: Dataset | None = None
        self._overridden = False  # the cached state holds token expiries a reset undoes

    def begin(self, path: str | None) -> None:
        """Before a test: the sandbox holds `path` (None: the server's fixture), reset."""
        if self._made and self._loaded is not _UNKNOWN and path == self._loaded:
            self.http.call("POST", self.prefix + "/__mock__/reset")
            if self._overridden:
                self._dataset, self._overridden = None, False
        else:
            self.put(path)

    def put(self, path: str | None) -> None:
        """(Re)create the sandbox from a fixture file, or (None) from the server's."""
        data = Path(path).read_bytes() if path is not None else None
        self.http.call(
            "PUT",
            f"/__mock__/sandboxes/{quote(self.name)}",
            data=data,
            content_type="application/yaml" if data is not None else None,
        )
        self._made, self._loaded, self._dataset, self._overridden = True, path, None, False

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        """A control call inside the sandbox (`path` under /__mock__)."""
        return self.http.call(method, f"{self.prefix}/__mock__{path}", **kwargs)

    def dataset(self) -> Dataset:
        """The sandbox's current state, parsed (cached until something changes users)."""
        if self._dataset is None:
            document = self.control("GET", "/state")
            self._dataset = load_mapping(document, source=f"{self.url} state")
        return self._dataset

    def forget_state(self, *, overridden: bool = False) -> None:
        """Parse the state again when next needed; `overridden`: it now holds changes (token
        expiries) that the next reset undoes."""
        self._dataset = None
        self._overridden = self._overridden or overridden

    def close(self) -> None:
        """Delete the sandbox (the server may be gone already: nothing to do then)."""
        if self._made:
            with contextlib.suppress(RemoteMockCanvasError):
                self.http.call("DELETE", f"/__mock__/sandboxes/{quote(self.name)}")
            self._made = False


class RemoteClock:
    """The sandbox's clock, with MockClock's methods, through PUT /__mock__/clock."""

    def __init__(self, session: RemoteSession) -> None:
        self._session = session

    def _answer(self, body: Any) -> datetime:
        return _parse_time(body["now"])

    def _put(self, action: str, value: Any) -> datetime:
        return self._answer(self._session.control("PUT", "/clock", json_body={action: value}))

    def now(self) -> datetime:
        return self._answer(self._session.control("GET", "/clock"))

    def __call__(self) -> datetime:
        return self.now()

    @property
    def frozen(self) -> bool:
        return bool(self._session.control("GET", "/clock")["frozen"])

    def freeze(self, at: datetime | None = None) -> datetime:
        return self._put("freeze", True if at is None else _instant(at, "at"))

    def set(self, at: datetime) -> datetime:
        return self._put("set", _instant(at, "at"))

    def advance(self, delta: timedelta | None = None, /, **parts: float) -> datetime:
        step = (delta or timedelta(0)) + timedelta(**parts)
        return self._put("advance_seconds", step.total_seconds())

    def unfreeze(self) -> datetime:
        return self._put("unfreeze", True)

    def real(self) -> None:
        self._put("real", True)


def entry_from_json(raw: Mapping[str, Any]) -> JournalEntry:
    return JournalEntry(
        id=raw["id"],
        time=_parse_time(raw["time"]),
        method=raw["method"],
        path=raw["path"],
        query=raw["query"],
        body=raw["body"],
        user_id=raw["user_id"],
        action=raw["action"],
        status=raw["status"],
        duration_ms=raw["duration_ms"],
    )


def _fixture_bytes(source: FixtureSource) -> bytes:
    if isinstance(source, Mapping):
        return yaml.safe_dump(dict(source), sort_keys=False, allow_unicode=True).encode()
    return Path(source).read_bytes()


class RemoteMockCanvas(Lookups):
    """The `mock_canvas` fixture in remote mode: this worker's sandbox on a server elsewhere.

    `.url` is the sandbox's base URL for any client (Link headers stay inside it). Users by
    id, login or name, `link`, `create_pairing_code`, `expire_token`, `clock`, `calls` and
    `assert_called` work as with a local server. Not offered: `app`, `store` and `journal`
    (the state lives in another process); the server's 500s appear in `calls()` with status
    500 instead of failing the test with a traceback."""

    def __init__(self, session: RemoteSession, fixture: str | None) -> None:
        self._session = session
        self._fixture = fixture
        self.url = session.url
        self.clock = RemoteClock(session)

    def __repr__(self) -> str:
        return f"<MockCanvas {self.url} (remote)>"

    @property
    def fixture_path(self) -> Path | None:
        """The fixture file this test started from; None: the server's own fixture."""
        return Path(self._fixture) if self._fixture else None

    def reset(self) -> None:
        """Back to this test's fixture (what every test starts from)."""
        self._session.begin(self._fixture)

    def load(self, source: FixtureSource) -> None:
        """Serve another fixture (a file or a mapping) for the rest of this test."""
        body = _fixture_bytes(source)
        self._session.control("PUT", "/fixtures", data=body, content_type="application/yaml")
        self._session.forget_state()
        self._session._loaded = _UNKNOWN  # the next test puts its own fixture back

    def state(self) -> dict[str, Any]:
        """The whole current state in the fixture format."""
        document: dict[str, Any] = self._session.control("GET", "/state")
        return document

    # -- users ---------------------------------------------------------------------------

    def _find(self, ref: UserRef) -> User:
        return find_user(self._session.dataset(), ref)

    def _accepted_tokens(self, found: User) -> Iterator[str]:
        if found.state != "active":
            return
        now = self.clock.now()  # one control call, not one per token
        for token in found.tokens:
            if token.expires_at is None or token.expires_at > now:
                yield token.token

    # -- arranging state in one line -----------------------------------------------------

    def link(
        self, observer: UserRef, student: UserRef, root_account: int | None = None
    ) -> list[int]:
        """Make `observer` observe `student` (no permission check); the root account ids."""
        body = {
            "observer_id": self.user_id(observer),
            "student_id": self.user_id(student),
            "root_account_id": root_account,
        }
        answer = self._session.control("POST", "/links", json_body=body)
        return list(answer["root_account_ids"])

    def create_pairing_code(
        self, user: UserRef, *, code: str | None = None, expires_at: datetime | None = None
    ) -> str:
        body: dict[str, Any] = {"user_id": self.user_id(user)}
        if code is not None:
            body["code"] = code
        if expires_at is not None:
            body["expires_at"] = _instant(expires_at, "expires_at")
        return str(self._session.control("POST", "/pairing_codes", json_body=body)["code"])

    def expire_token(self, token: str, at: datetime | None = None) -> None:
        body: dict[str, Any] = {"token": token}
        if at is not None:
            body["at"] = _instant(at, "at")
        try:
            self._session.control("POST", "/tokens/expire", json_body=body)
        except RemoteMockCanvasError as exc:
            if ": 404 " in str(exc):
                raise LookupError(f"no token {token!r} in the sandbox") from None
            raise
        self._session.forget_state(overridden=True)

    # -- faults --------------------------------------------------------------------------

    def fault(self, **rule: Any) -> int:
        """Register a fault rule in the sandbox (POST /__mock__/faults); its id."""
        try:
            answer = self._session.control("POST", "/faults", json_body=rule)
        except RemoteMockCanvasError as exc:
            raise ValueError(str(exc)) from None
        return int(answer["id"])

    def clear_faults(self) -> None:
        self._session.control("DELETE", "/faults")

    # -- the request journal -------------------------------------------------------------

    def _entries(
        self, *, action: str | None = None, user: int | None = None, status: int | None = None
    ) -> list[JournalEntry]:
        filters = {"action": action, "user": user, "status": status}
        query = {k: v for k, v in filters.items() if v is not None}
        raw = self._session.control("GET", "/requests", query=query or None)
        return [entry_from_json(item) for item in raw]

    # -- errors inside the server --------------------------------------------------------

    @property
    def server_errors(self) -> list[Any]:
        """Always empty remotely: the server's 500s show in `calls(status=500)`."""
        return []

    def take_server_errors(self) -> list[Any]:
        return []

    def check_server_errors(self) -> None:
        return None
