"""What both pytest-plugin handles offer on top of finding a user and reading the request
journal: users by id, login or name, their tokens as headers, and the journal's calls and
assertions. The local handles (testing.py) read the app; the remote one (remote.py) reads
the control API. No Flask here: remote mode never imports it for this."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .faults import ACTIONS
from .journal import JournalEntry
from .model import Dataset, User

UserRef = int | str  # a user id, a login (unique_id, any case) or a name
FixtureSource = str | os.PathLike[str] | Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user of the loaded fixture, as a test needs it."""

    id: int
    name: str
    logins: tuple[str, ...]  # unique_ids, in fixture order
    sis_user_id: str | None  # of the first login that has one
    integration_id: str | None
    tokens: tuple[str, ...]  # every token, expired ones included


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


class Lookups:
    """The handles' shared methods, built on `_find`, `_accepted_tokens` and `_entries`."""

    def _find(self, ref: UserRef) -> User:
        raise NotImplementedError

    def _entries(
        self, *, action: str | None = None, user: int | None = None, status: int | None = None
    ) -> list[JournalEntry]:
        raise NotImplementedError

    def _accepted_tokens(self, found: User) -> Iterator[str]:
        """The user's tokens the mock accepts now (not expired, user active), in order."""
        raise NotImplementedError

    def token_for(self, ref: UserRef) -> str:
        """The first token of the user that the mock accepts now (not expired, user active)."""
        found = self._find(ref)
        for token in self._accepted_tokens(found):
            return token
        listed = ", ".join(t.token for t in found.tokens) or "none"
        raise LookupError(f"{found.name} ({found.id}) has no token the mock accepts ({listed})")

    def user(self, ref: UserRef) -> UserInfo:
        """A user by id, login (unique_id, any case) or name (any case)."""
        return user_info(self._find(ref))

    def user_id(self, ref: UserRef) -> int:
        """A user's id, by id, login or name."""
        return self._find(ref).id

    def auth_headers(self, ref: UserRef) -> dict[str, str]:
        """{"Authorization": "Bearer <token>"} for a user, for any HTTP client."""
        return {"Authorization": f"Bearer {self.token_for(ref)}"}

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
        return self._entries(action=action, user=user_id, status=status)

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
        return check_called(self._entries(), action, times, user, user_id, status)
