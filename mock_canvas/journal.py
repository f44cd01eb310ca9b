"""The request journal: every request to the Canvas endpoints, redacted, in a ring buffer."""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

REDACTED = "[REDACTED]"
# Parameter names whose values are never stored, at any nesting (observee[password]).
SECRET_NAMES = frozenset({"access_token", "password", "pairing_code"})
_NAME_PARTS = re.compile(r"[^\[\]]+")
# A query that contains none of these cannot name a secret: every secret name has one of
# them in plain letters, or a %-escape (or `+`) somewhere in it.
_SECRET_HINTS = ("access", "password", "pairing", "%", "+")


def time_text(moment: datetime) -> str:
    """ISO 8601, UTC, milliseconds, `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _secret(name: str) -> bool:
    return any(part in SECRET_NAMES for part in _NAME_PARTS.findall(name))


def redact(value: Any) -> Any:
    """A copy of parsed parameters with the values of secret names replaced."""
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and _secret(k) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def redact_query(query: str) -> str:
    """The query string as sent, with the values of secret names replaced."""
    if not query:
        return ""
    if not any(name in query for name in _SECRET_HINTS):
        return query  # no secret name, even %-encoded in part: nothing to replace
    parts = []
    for part in query.split("&"):
        name, eq, _ = part.partition("=")
        if _secret(unquote(name.replace("+", " "), errors="replace")):
            part = f"{name}={REDACTED}" if eq else name
        parts.append(part)
    return "&".join(parts)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One request to a Canvas endpoint, as the journal keeps it (secrets redacted)."""

    id: int  # 1, 2, ... since the app started (a cleared journal goes on counting)
    time: datetime  # by the mock's clock, when the request came in
    method: str
    path: str
    query: str  # redacted
    body: Any  # the parsed body, redacted; None when there was none or it did not parse
    user_id: int | None  # the authenticated caller, None if the call did not authenticate
    action: str | None  # the Canvas action (view name), None for an unknown path or method
    status: int
    duration_ms: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": time_text(self.time),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": self.body,
            "user_id": self.user_id,
            "action": self.action,
            "status": self.status,
            "duration_ms": self.duration_ms,
        }

    def describe(self) -> str:
        """One line, e.g. `PUT /api/v1/users/self/observees/200 -> 404 (add_observee, user 100)`."""
        path = f"{self.path}?{self.query}" if self.query else self.path
        who = f"user {self.user_id}" if self.user_id is not None else "unauthenticated"
        return f"{self.method} {path} -> {self.status} ({self.action or 'no action'}, {who})"


class Journal:
    """A bounded, thread-safe log of requests: the oldest go first when it is full."""

    def __init__(self, size: int = 1000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[JournalEntry] = deque(maxlen=size)
        self._next_id = 1

    @property
    def size(self) -> int:
        return self._entries.maxlen or 0

    def record(self, **fields: Any) -> JournalEntry:
        with self._lock:
            entry = JournalEntry(id=self._next_id, **fields)
            self._next_id += 1
            self._entries.append(entry)
        return entry

    def entries(
        self,
        *,
        action: str | None = None,
        user: int | None = None,
        status: int | None = None,
        since: datetime | None = None,
        after_id: int | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """The entries kept, oldest first, that match every filter given (`after_id`: only
        newer ones than that id); with `limit` (at least 1), only the newest `limit` of them."""
        with self._lock:
            kept = list(self._entries)
        found = [
            e
            for e in kept
            if (action is None or e.action == action)
            and (user is None or e.user_id == user)
            and (status is None or e.status == status)
            and (since is None or e.time >= since)
            and (after_id is None or e.id > after_id)
        ]
        if limit is not None:
            if limit < 1:
                raise ValueError("limit: must be at least 1")
            found = found[-limit:]
        return found

    def clear(self) -> int:
        """Forget every entry; how many there were."""
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
        return count
