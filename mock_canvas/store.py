"""The in-memory state and every Canvas rule of the User Observees API. No Flask here.

One method per Canvas action, each mirroring UserObserveesController /
ObserverPairingCodesApiController step by step, because the *order* of the checks decides
which error a client sees. Every public method holds the store's lock for its whole run, so
concurrent clients never see a half-applied change.
"""

from __future__ import annotations

import copy
import secrets
import string
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any

from . import errors
from .directory import Directory, TokenEntry, gc_paused
from .ids import parse_user_ref
from .model import (
    GENERATE_OBSERVER_PAIRING_CODE,
    MANAGE_USER_OBSERVERS,
    Account,
    Dataset,
    Link,
    PairingCode,
    Token,
    User,
)
from .overlay import Overlay
from .pagination import PageRequest
from .serializers import SisFields, UserView, iso8601

Clock = Callable[[], datetime]
PAIRING_CODE_LIFETIME = timedelta(days=7)
PAIRING_CODE_ALPHABET = string.ascii_letters + string.digits
PAIRING_CODE_LENGTH = 6
LATEST = datetime.max.replace(tzinfo=UTC)


def code_expiry(now: datetime) -> datetime:
    """When a code made now expires: 7 days on, or the last instant there is (a clock set
    near the year 9999 must not overflow)."""
    return now + PAIRING_CODE_LIFETIME if now <= LATEST - PAIRING_CODE_LIFETIME else LATEST


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SisPolicy:
    """What an admin of the domain root account may see of SIS data (lists only)."""

    root_id: int
    show_ids: bool
    show_login: bool

    def fields_for(self, user: User, directory: Directory) -> SisFields:
        # SisPseudonym.for(user, domain root): its login there, preferring one with a SIS id.
        login = directory.login_in(user, self.root_id)
        return SisFields(
            show_ids=self.show_ids,
            sis_user_id=login.sis_user_id if login else None,
            integration_id=login.integration_id if login else None,
            login_id=login.unique_id if login and self.show_login else None,
        )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A copy of the changing state (links, pairing codes, token-expiry overrides) of the
    store loaded with `dataset`; Store.restore puts it back."""

    dataset: Dataset
    links: tuple[Link, ...]
    pairing_codes: tuple[PairingCode, ...]
    token_expiry: tuple[tuple[str, datetime], ...]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list endpoint: the users on it and the size of the whole list."""

    views: list[UserView]
    total: int


_ROOT_SETS: dict[frozenset[int], frozenset[int]] = {}


def _roots(values: frozenset[int]) -> frozenset[int]:
    """One shared frozenset per distinct set of root accounts (there are a handful)."""
    shared = _ROOT_SETS.get(values)
    if shared is None:
        shared = _ROOT_SETS.setdefault(values, values)
    return shared


_SORTED_ROOTS: dict[frozenset[int], tuple[int, ...]] = {}


def _sorted_roots(values: frozenset[int]) -> tuple[int, ...]:
    """The ids in order, kept per distinct set (a handful): one lookup per listed user."""
    ordered = _SORTED_ROOTS.get(values)
    if ordered is None:
        ordered = _SORTED_ROOTS.setdefault(values, tuple(sorted(values)))
    return ordered


_NO_ROOTS: frozenset[int] = frozenset()
_UNCHANGED = Link(-1, -1, -1, "not changed")  # a sentinel of the type looked up
_ROW_ORDER = attrgetter("observer_id", "student_id", "root_account_id")
_ONE_ROOT: dict[int, frozenset[int]] = {}


def _one_root(root: int) -> frozenset[int]:
    shared = _ONE_ROOT.get(root)
    if shared is None:
        shared = _ONE_ROOT.setdefault(root, _roots(frozenset((root,))))
    return shared


PairKey = int | tuple[int, int]
# A pair's rows: one Link (nearly always), or a tuple of one per root account, by root
# account id. A lone *active* Link is always of a listed pair (both users active): the
# rows of an unlisted pair are a tuple, so the common case needs no look at the users.
PairRows = Link | tuple[Link, ...]
_PAIR_BITS = 30
_PAIR_LIMIT = 1 << _PAIR_BITS


def _pair(observer_id: int, student_id: int) -> PairKey:
    """The key of an (observer, student) pair: one small int when both ids are in
    [0, 2**30) (half the memory of a tuple), else the tuple. The two kinds never collide."""
    if 0 <= observer_id | student_id < _PAIR_LIMIT:  # both non-negative and below
        return observer_id << _PAIR_BITS | student_id
    return (observer_id, student_id)


def _pair_observer(key: PairKey) -> int:
    return key >> _PAIR_BITS if isinstance(key, int) else key[0]


def _root_of(link: Link) -> int:
    return link.root_account_id


def _find(rows: PairRows | None, root: int) -> Link | None:
    """The row of one root account among a pair's rows."""
    if rows is None:
        return None
    if isinstance(rows, Link):
        return rows if rows.root_account_id == root else None
    for link in rows:
        if link.root_account_id == root:
            return link
    return None


def _with(rows: PairRows | None, link: Link, listed: bool) -> PairRows:
    """A pair's rows with `link` put in (in place of the row of its root account)."""
    if rows is None or (isinstance(rows, Link) and rows.root_account_id == link.root_account_id):
        return link if listed or link.state != "active" else (link,)
    if isinstance(rows, Link):
        others: list[Link] = [rows]
    else:
        others = [r for r in rows if r.root_account_id != link.root_account_id]
    others.append(link)
    others.sort(key=_root_of)
    return tuple(others)


def _any_active(rows: PairRows | None) -> bool:
    if rows is None:
        return False
    if isinstance(rows, Link):
        return rows.state == "active"
    return any(link.state == "active" for link in rows)


Order = list[int]  # the ranks (Directory.ranks) of an owner's others, ascending


class _Links:
    """Observation link rows (soft-deleted ones included) and the two active-link indexes.

    Built once per loaded fixture (the pristine state); every state made from it (a fork)
    puts its changes in Overlays in front of the pristine dicts, so a fork costs nothing
    and a reset (restore) drops the changes: both O(changes), whatever the fixture's size.

    - rows: (observer, student) pair -> its rows. Rows are never changed in place (a change
      puts a new Link), so every fork shares them.
    - observees / observers: owner (observer / student) -> the ranks of the others it has an
      active link with (listed users only), in list order (sortable_name, id), so a page is
      a slice. The pristine's lists are shared: a fork copies an owner's list on its first
      change of it (its Overlay then holds the copy) and a bisect and a memmove do the rest.
    """

    def __init__(self, directory: Directory, links: list[Link]) -> None:
        self._users = directory.users
        self._ranks = directory.ranks
        rows: dict[PairKey, PairRows] = {}
        count = 0
        for row in links:  # shared, not copied: rows are never changed in place
            key = _pair(row.observer_id, row.student_id)
            before = rows.get(key)
            if before is None:
                rows[key] = row  # a lone active row of an unlisted pair is wrapped below
                count += 1
                continue
            if _find(before, row.root_account_id) is None:
                count += 1
            rows[key] = _with(before, row, True)
        # Every row in the order given (a key given twice: its first place, its last row),
        # what snapshots and exports list.
        self._base_rows: tuple[Link, ...] = (
            tuple(links) if count == len(links) else tuple(self._deduplicated(links, rows))
        )
        observees: dict[int, Order] = {}
        observers: dict[int, Order] = {}
        ranks = self._ranks
        active = 0
        for key, pair_rows in rows.items():
            if isinstance(pair_rows, Link):
                first = pair_rows
                if first.state != "active":
                    continue
                active += 1
            else:
                n = sum(1 for r in pair_rows if r.state == "active")
                if not n:
                    continue
                active += n
                first = pair_rows[0]
            if self._listed(first):
                o, s = first.observer_id, first.student_id
                _append(observees, o, ranks[s])
                _append(observers, s, ranks[o])
            elif isinstance(pair_rows, Link):
                rows[key] = (pair_rows,)  # not a new key: the loop goes on
        for order in observees.values():
            order.sort()
        for order in observers.values():
            order.sort()
        self._base_active = active  # rows in state "active" (listed or not): counts() is O(1)
        self.rows: Overlay[PairKey, PairRows] = Overlay(rows)
        self._row_base, self._row_changes = self.rows.base, self.rows.changes
        self.observees: Overlay[int, Order] = Overlay(observees)  # observer -> students
        self.observers: Overlay[int, Order] = Overlay(observers)  # student -> observers
        self._added: list[tuple[int, int, int]] = []  # rows made since the base, in order
        self.active_count = active
        self.version = 0  # bumped by every change: what a sorted copy of the rows was made at

    @staticmethod
    def _deduplicated(links: list[Link], rows: dict[PairKey, PairRows]) -> list[Link]:
        seen: set[tuple[int, int, int]] = set()
        kept: list[Link] = []
        for row in links:
            triple = (row.observer_id, row.student_id, row.root_account_id)
            if triple not in seen:
                seen.add(triple)
                found = _find(rows[_pair(row.observer_id, row.student_id)], triple[2])
                assert found is not None
                kept.append(found)
        return kept

    def fork(self) -> _Links:
        """An independent copy that shares the pristine dicts and rows: O(changes)."""
        links = _Links.__new__(_Links)
        links._users = self._users
        links._ranks = self._ranks
        links._base_rows = self._base_rows
        links._base_active = self._base_active
        links.rows = self.rows.fork()
        links._row_base, links._row_changes = links.rows.base, links.rows.changes
        links.observees = self.observees.fork(list)
        links.observers = self.observers.fork(list)
        links._added = list(self._added)
        links.active_count = self.active_count
        links.version = 0
        return links

    def __len__(self) -> int:
        """The number of rows."""
        return len(self._base_rows) + len(self._added)

    def all_rows(self) -> Iterator[Link]:
        """Every row: the pristine ones in their order (as changed), then the new ones."""
        rows = self.rows
        if not rows.changed:
            yield from self._base_rows
            return
        changed = {_pair_observer(key) for key in rows.changed_keys()}
        for link in self._base_rows:
            if link.observer_id in changed:
                now = _find(
                    rows.get(_pair(link.observer_id, link.student_id)), link.root_account_id
                )
                assert now is not None
                yield now
            else:
                yield link
        for o, s, r in self._added:
            now = _find(rows.get(_pair(o, s)), r)
            assert now is not None
            yield now

    def _listed(self, link: Link) -> bool:
        # Links that touch a deleted user stay in the table but are never listed.
        observer = self._users.get(link.observer_id)
        student = self._users.get(link.student_id)
        return observer is not None and observer.active and student is not None and student.active

    def activate(self, observer_id: int, student_id: int, root_id: int) -> bool:
        """UserObservationLink.create_or_restore; False when already active."""
        key = _pair(observer_id, student_id)
        rows = self.rows.get(key)
        link = _find(rows, root_id)
        if link is not None and link.state == "active":
            return False
        if link is None:
            self._added.append((observer_id, student_id, root_id))
        was_active = _any_active(rows)
        link = Link(observer_id, student_id, root_id, "active")
        listed = self._listed(link)
        self.rows[key] = _with(rows, link, listed)
        self.active_count += 1
        self.version += 1
        if not was_active and listed:
            _insert(self.observees, observer_id, self._ranks[student_id])
            _insert(self.observers, student_id, self._ranks[observer_id])
        return True

    def deactivate(self, link: Link) -> None:
        """Soft delete: the row stays, so adding again restores it."""
        o, s, r = link.observer_id, link.student_id, link.root_account_id
        key = _pair(o, s)
        rows = self.rows.get(key)
        self.version += 1
        if link.state == "active":
            self.active_count -= 1
        was_active = _any_active(rows)
        rows = self.rows[key] = _with(rows, Link(o, s, r, "deleted"), True)
        if was_active and not _any_active(rows) and self._listed(link):
            _delete(self.observees, o, self._ranks[s])
            _delete(self.observers, s, self._ranks[o])

    def restore(self) -> None:
        """Undo every change since the pristine state: the cost is the number of changes."""
        if self.rows.changed or self.observees.changed or self.observers.changed:
            self.version += 1
        self.rows.clear_changes()
        self.observees.clear_changes()
        self.observers.clear_changes()
        self._added = []
        self.active_count = self._base_active

    def active_roots(self, observer_id: int, student_id: int) -> frozenset[int]:
        """The root accounts of the pair's active links, if both users are listed."""
        # self.rows.get(_pair(...)), inline: on every user of every page
        key: PairKey
        if 0 <= observer_id | student_id < _PAIR_LIMIT:
            key = observer_id << _PAIR_BITS | student_id
        else:
            key = (observer_id, student_id)
        changed = self._row_changes.get(key, _UNCHANGED)
        rows = self._row_base.get(key) if changed is _UNCHANGED else changed
        if isinstance(rows, Link):  # a lone active row: of a listed pair
            if rows.state != "active":
                return _NO_ROOTS
            return _ONE_ROOT.get(rows.root_account_id) or _one_root(rows.root_account_id)
        if not isinstance(rows, tuple) or not self._listed(rows[0]):  # None, GONE
            return _NO_ROOTS
        return _roots(frozenset(r.root_account_id for r in rows if r.state == "active"))

    def active_links(self, observer_id: int, student_id: int) -> list[Link]:
        rows = self.rows.get(_pair(observer_id, student_id))
        found = [_find(rows, root) for root in sorted(self.active_roots(observer_id, student_id))]
        return [link for link in found if link is not None]


def _append(index: dict[int, Order], owner: int, rank: int) -> None:
    order = index.get(owner)
    if order is None:
        index[owner] = [rank]
    else:
        order.append(rank)


def _claim(side: Overlay[int, Order], owner: int) -> Order:
    """The owner's list, owned by this overlay (a copy of the pristine's on first change)."""
    order = side.get(owner)
    if order is None or not side.own(owner):
        order = side[owner] = list(order or ())
    return order


def _insert(side: Overlay[int, Order], owner: int, rank: int) -> None:
    insort(_claim(side, owner), rank)


def _delete(side: Overlay[int, Order], owner: int, rank: int) -> None:
    order = _claim(side, owner)
    del order[bisect_left(order, rank)]


class Store:
    """The mock's state: a Directory (read-only) plus links and pairing codes (changing)."""

    def __init__(self, dataset: Dataset, clock: Clock = utc_now) -> None:
        self._lock = threading.RLock()
        self.clock = clock
        self._install(dataset)

    # -- loading, reset, export ---------------------------------------------------------

    def _install(self, dataset: Dataset) -> None:
        with gc_paused():  # no cyclic GC over the growing indexes: linear, not quadratic
            directory = Directory(dataset)
            # The fixture's links and codes as loaded, never changed: what a reset and a
            # fork copy (both copy-on-write: their cost does not grow with the links).
            pristine = _Links(directory, dataset.links)
            pristine_codes = _active_codes(dataset)
        with self._lock:
            self._dataset = dataset
            self._dir = directory
            self._pristine = pristine
            self._pristine_codes = pristine_codes
            self._fresh_state()

    def _fresh_state(self) -> None:
        self._links = self._pristine.fork()
        self._codes = dict(self._pristine_codes)  # code objects are replaced, never changed
        self._codes_changed = False
        self._token_expiry: dict[str, datetime] = {}  # expire_token's overrides
        self._restored = False  # a snapshot was restored: reset forks the fixture again
        self._sorted_links: tuple[_Links, int, list[Link]] | None = None

    def load(self, dataset: Dataset) -> None:
        """Replace the whole state with a new fixture."""
        self._install(dataset)

    def fork(self) -> Store:
        """A new store on the same loaded fixture, in the fixture's state (not this store's
        current one), with its own lock. It shares the read-only directory and the
        fixture's link index and keeps only what it changes (Overlays): its cost does not
        grow with the fixture."""
        with self._lock:
            store = Store.__new__(Store)
            store._lock = threading.RLock()
            store.clock = utc_now
            store._dataset = self._dataset
            store._dir = self._dir
            store._pristine = self._pristine
            store._pristine_codes = self._pristine_codes
        store._fresh_state()
        return store

    def reset(self) -> None:
        """Back to the loaded fixture; nothing is parsed again, only the changes are undone."""
        with self._lock:
            if self._restored:
                self._links = self._pristine.fork()
                self._restored = False
            else:
                self._links.restore()
            if self._codes_changed:
                self._codes = dict(self._pristine_codes)
                self._codes_changed = False
            self._token_expiry.clear()

    def snapshot(self) -> Snapshot:
        """A copy of the current links, pairing codes and token-expiry overrides."""
        with self._lock:
            return Snapshot(
                dataset=self._dataset,
                links=tuple(self._links.all_rows()),  # rows are never changed in place
                pairing_codes=tuple(copy.copy(code) for code in self._codes.values()),
                token_expiry=tuple(self._token_expiry.items()),
            )

    def restore(self, snapshot: Snapshot) -> None:
        """Back to a snapshot of this fixture; a later reset still goes back to the fixture.
        ValueError when the snapshot was taken of another fixture."""
        with self._lock:
            if snapshot.dataset is not self._dataset:
                raise ValueError("the snapshot was taken of another fixture")
            self._links = _Links(self._dir, list(snapshot.links))
            self._restored = True
            self._codes = {c.code: copy.copy(c) for c in snapshot.pairing_codes}
            self._codes_changed = True
            self._token_expiry = dict(snapshot.token_expiry)

    @property
    def dataset(self) -> Dataset:
        """The fixture as loaded (not as changed since)."""
        return self._dataset

    def export(self) -> Dataset:
        """The current state as a Dataset; loading it again gives the same state."""
        with self._lock:
            base = self._dataset
            users = list(base.users)
            if self._token_expiry:
                users = [_with_token_expiry(u, self._token_expiry) for u in users]
            return Dataset(
                accounts=list(base.accounts),
                courses=list(base.courses),
                users=users,
                links=[copy.copy(link) for link in self._links.all_rows()],
                pairing_codes=[copy.copy(code) for code in self._codes.values()],
                settings=dict(base.settings),
                seed=base.seed,
                source=base.source,
            )

    @contextmanager
    def locked(self) -> Iterator[Directory]:
        """Hold the lock while reading the directory from outside (control API, CLI)."""
        with self._lock:
            yield self._dir

    # -- authentication and lookups -----------------------------------------------------

    def authenticate(self, token: str | None) -> User:
        """The caller behind a token, or Canvas's 401 for a missing, unknown or expired one."""
        if token is None:
            raise errors.unauthenticated()
        with self._lock:
            entry = self._dir.token_entry(token)
            if entry is None or not entry.user.active:
                raise errors.invalid_access_token()
            expires_at = self._token_expiry.get(token, entry.token.expires_at)
            if expires_at is not None and expires_at <= self.clock():
                raise errors.expired_access_token(iso8601(expires_at))
            return entry.user

    def peek_user_id(self, token: str | None) -> int | None:
        """The id of the user a token authenticates now, else None (never an error): what a
        fault rule's `user_id` matches before the action runs."""
        if not token:
            return None
        with self._lock:
            entry = self._dir.token_entry(token)
            if entry is None or not entry.user.active or self._token_expired(entry):
                return None
            return entry.user.id

    def domain_root_account(self, host: str) -> Account:
        with self._lock:
            return self._dir.domain_root_account(host)

    def _user(
        self, raw: str, caller: User, domain: Account, *, include_deleted: bool = False
    ) -> User:
        ref = parse_user_ref(raw)
        user = None
        if ref is not None:
            user = self._dir.find_user(ref, caller, domain, include_deleted=include_deleted)
        if user is None:
            raise errors.not_found()
        return user

    # -- the permission rules -----------------------------------------------------------

    def _self_or_admin(
        self, caller: User, subject: User, scope: frozenset[int] | None = None
    ) -> frozenset[int] | None:
        """self_or_admin_permission_check: None for the subject themselves, else the
        subject's root accounts (within `scope`) where the caller may manage observers."""
        if caller.id == subject.id:
            return None
        roots = self._dir.roots_of(subject)
        if scope is not None:
            roots &= scope
        if not roots:
            raise errors.not_found()
        permitted = self._with_permission(caller, roots)
        if not permitted:
            raise errors.Unauthorized()
        return permitted

    def _with_permission(self, caller: User, roots: frozenset[int]) -> frozenset[int]:
        return frozenset(
            r for r in roots if self._dir.has_permission(caller, r, MANAGE_USER_OBSERVERS)
        )

    def _link_scope(self, raw: Any, domain: Account) -> frozenset[int] | None:
        """root_account_for_new_link: absent = the domain root, `all` = no limit, else an id."""
        if raw is None:
            return frozenset({domain.id})
        if raw == "all":
            return None
        text = str(raw).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 19):  # Api::ID_REGEX
            raise errors.not_found()
        if int(text) not in self._dir.accounts:
            raise errors.not_found()
        return frozenset({int(text)})

    def _common(self, first: User, second: User, scope: frozenset[int] | None) -> frozenset[int]:
        roots = self._dir.common_roots(first, second)
        return roots if scope is None else roots & scope

    # -- building responses -------------------------------------------------------------

    def _view(
        self,
        other: User,
        observer_id: int,
        student_id: int,
        visible: frozenset[int] | None,
        sis: SisPolicy | None = None,
    ) -> UserView:
        """A user with the root accounts of its active links, filtered to `visible`."""
        roots = self._links.active_roots(observer_id, student_id)
        shown = _sorted_roots(roots if visible is None else roots & visible)
        fields = sis.fields_for(other, self._dir) if sis is not None else None
        return UserView(other, shown, fields, self._dir.avatars_enabled(other))

    def _sis_policy(self, caller: User, domain: Account) -> SisPolicy | None:
        """user_json_is_admin?: admins of the domain root account see SIS and login fields."""
        d = self._dir
        if not d.is_admin_of(caller, domain.id):
            return None
        return SisPolicy(
            domain.id,
            show_ids=d.has_permission(caller, domain.id, "read_sis")
            or d.has_permission(caller, domain.id, "manage_sis"),
            show_login=d.has_permission(caller, domain.id, "view_user_logins"),
        )

    # -- the endpoints ------------------------------------------------------------------

    def list_observees(
        self, caller: User, user_id: str, domain: Account, page: PageRequest
    ) -> Page:
        """GET /users/:user_id/observees"""
        with self._lock:
            observer = self._user(user_id, caller, domain)
            visible = self._self_or_admin(caller, observer)
            return self._page(
                caller,
                domain,
                page,
                self._links.observees.get(observer.id),
                lambda other: (observer.id, other),
                visible,
            )

    def list_observers(
        self, caller: User, user_id: str, domain: Account, page: PageRequest
    ) -> Page:
        """GET /users/:user_id/observers"""
        with self._lock:
            student = self._user(user_id, caller, domain)
            visible = self._self_or_admin(caller, student)
            return self._page(
                caller,
                domain,
                page,
                self._links.observers.get(student.id),
                lambda other: (other, student.id),
                visible,
            )

    def _page(
        self,
        caller: User,
        domain: Account,
        page: PageRequest,
        order: Order | None,
        pair: Callable[[int], tuple[int, int]],
        visible: frozenset[int] | None,
    ) -> Page:
        # Api.paginate runs after the permission check: a bad page is only seen by the allowed.
        if page.page is None:
            raise errors.invalid_page()
        if order is None:
            return Page([], 0)
        sis = self._sis_policy(caller, domain)
        start = page.offset
        views: list[UserView] = []
        ranked = self._dir.ranked
        for rank in order[start : start + page.per_page]:
            other = ranked[rank]
            observer_id, student_id = pair(other.id)
            views.append(self._view(other, observer_id, student_id, visible, sis))
        return Page(views, len(order))

    def show_observee(
        self, caller: User, user_id: str, observee_id: str, domain: Account
    ) -> UserView:
        """GET /users/:user_id/observees/:observee_id"""
        with self._lock:
            observer = self._user(user_id, caller, domain)
            visible = self._self_or_admin(caller, observer)
            student = self._user(observee_id, caller, domain)
            if not self._links.active_roots(observer.id, student.id):
                raise errors.not_found()
            return self._view(student, observer.id, student.id, visible)

    def show_observer(
        self, caller: User, user_id: str, observer_id: str, domain: Account
    ) -> UserView:
        """GET /users/:user_id/observers/:observer_id (the permission is on the student)"""
        with self._lock:
            student = self._user(user_id, caller, domain)
            visible = self._self_or_admin(caller, student)
            observer = self._user(observer_id, caller, domain)
            if not self._links.active_roots(observer.id, student.id):
                raise errors.not_found()
            return self._view(observer, observer.id, student.id, visible)

    def add_observee(
        self, caller: User, user_id: str, params: dict[str, Any], domain: Account
    ) -> UserView:
        """POST /users/:user_id/observees: by the student's token, a pairing code, or login."""
        with self._lock:
            observer = self._user(user_id, caller, domain)
            raw_scope = params.get("root_account_id")
            visible = None
            if caller.id != observer.id:
                visible = self._self_or_admin(caller, observer, self._link_scope(raw_scope, domain))
            student, common = self._identify_student(observer, params, domain, raw_scope)
            if caller.id != observer.id:
                common = self._with_permission(caller, common)
                if not common:
                    raise errors.Unauthorized()
            self._create_links(observer, student, common)
            return self._view(student, observer.id, student.id, visible)

    def _identify_student(
        self, observer: User, params: dict[str, Any], domain: Account, raw_scope: Any
    ) -> tuple[User, frozenset[int]]:
        access_token = params.get("access_token")
        if _present(access_token):
            entry = self._dir.token_entry(_param_text(access_token))
            if entry is None or not entry.user.active or self._token_expired(entry):
                raise errors.unprocessable("Unknown observee.")
            student = entry.user
            return student, self._common(observer, student, self._link_scope(raw_scope, domain))
        pairing_code = params.get("pairing_code")
        if _present(pairing_code):
            code = self._active_code(_param_text(pairing_code))
            if code is None:
                raise errors.InvalidPairingCode()
            student = self._dir.users[code.user_id]
            common = self._common(observer, student, self._link_scope(raw_scope, domain))
            # Canvas destroys the code here, before the admin check that may still refuse.
            del self._codes[code.code]
            self._codes_changed = True
            return student, common
        observee = params.get("observee")
        if not isinstance(observee, dict):
            # Real Canvas raises NoMethodError here (a 500); the mock answers a clean 400.
            raise errors.bad_request(
                "One of access_token, pairing_code or observee[unique_id] is required."
            )
        unique_id = observee.get("unique_id")
        found = None
        if unique_id is not None and not isinstance(unique_id, dict | list):
            found = self._dir.active_login(domain.id, _param_text(unique_id))
        common = frozenset[int]()
        if found is not None:
            common = self._common(observer, found[0], self._link_scope(raw_scope, domain))
        if found is None or not common:
            raise errors.unprocessable("Unknown observee.")
        student, login = found
        password = observee.get("password")
        if (
            password is None
            or isinstance(password, dict | list)
            or login.password is None
            or not secrets.compare_digest(_utf8(_param_text(password)), _utf8(login.password))
        ):
            raise errors.invalid_credentials()
        return student, common

    def _create_links(self, observer: User, student: User, roots: frozenset[int]) -> None:
        for root in sorted(roots):
            self._links.activate(observer.id, student.id, root)

    def link_observee(
        self, caller: User, user_id: str, observee_id: str, raw_scope: Any, domain: Account
    ) -> UserView:
        """PUT /users/:user_id/observees/:observee_id: admins only, no self shortcut."""
        with self._lock:
            observer = self._user(user_id, caller, domain)
            student = self._user(observee_id, caller, domain)
            scope = self._link_scope(raw_scope, domain)
            common = self._common(observer, student, scope)
            if not common:
                raise errors.not_found()
            permitted = self._with_permission(caller, common)
            if not permitted:
                raise errors.Unauthorized()
            self._create_links(observer, student, permitted)
            visible = None
            if caller.id != observer.id:
                # No before_action ran: Canvas recomputes the observer's permitted accounts,
                # within the same root_account_id scope.
                roots = self._dir.roots_of(observer)
                visible = self._with_permission(caller, roots if scope is None else roots & scope)
            return self._view(student, observer.id, student.id, visible)

    def remove_observee(
        self, caller: User, user_id: str, observee_id: str, domain: Account
    ) -> UserView:
        """DELETE /users/:user_id/observees/:observee_id (root_account_id is ignored)."""
        with self._lock:
            observer = self._user(user_id, caller, domain)
            visible = self._self_or_admin(caller, observer)
            student = self._user(observee_id, caller, domain)
            links = self._links.active_links(observer.id, student.id)
            if visible is not None:
                links = [link for link in links if link.root_account_id in visible]
            if not links:
                raise errors.not_found()
            for link in links:
                self._links.deactivate(link)
            return self._view(student, observer.id, student.id, visible)

    # -- pairing codes ------------------------------------------------------------------

    def _active_code(self, value: str) -> PairingCode | None:
        code = self._codes.get(value)
        if code is None or code.expires_at <= self.clock():
            return None
        return code

    def create_pairing_code(self, caller: User, user_id: str, domain: Account) -> PairingCode:
        """POST /users/:user_id/observer_pairing_codes"""
        with self._lock:
            student = self._user(user_id, caller, domain, include_deleted=True)
            if not (self._has_active_student_enrollment(student) and domain.self_registration):
                raise errors.Unauthorized()
            if not self._may_generate_code(caller, student):
                raise errors.Unauthorized()
            value = self._new_code_value()
            code = PairingCode(student.id, value, code_expiry(self.clock()))
            self._codes[value] = code
            self._codes_changed = True
            return copy.copy(code)

    def _has_active_student_enrollment(self, user: User) -> bool:
        return any(e.type == "student" and e.state == "active" for e in user.enrollments)

    def _may_generate_code(self, caller: User, student: User) -> bool:
        """The student; an admin over one of the student's courses; or its teacher, where
        the course's account lets teachers generate codes."""
        if caller.id == student.id:
            return True
        student_courses = {e.course_id for e in student.enrollments if e.type == "student"}
        for course_id in student_courses:
            course = self._dir.courses[course_id]
            if self._dir.has_permission(caller, course.account_id, GENERATE_OBSERVER_PAIRING_CODE):
                return True
            teaches = any(
                e.course_id == course_id and e.type == "teacher" and e.state == "active"
                for e in caller.enrollments
            )
            if teaches and any(
                a.teachers_can_generate_pairing_codes
                for a in self._dir.account_chain(course.account_id)
            ):
                return True
        return False

    def _new_code_value(self) -> str:
        while True:
            value = "".join(
                secrets.choice(PAIRING_CODE_ALPHABET) for _ in range(PAIRING_CODE_LENGTH)
            )
            if self._active_code(value) is None:
                return value

    def _token_expired(self, entry: TokenEntry) -> bool:
        expires_at = self._token_expiry.get(entry.token.token, entry.token.expires_at)
        return expires_at is not None and expires_at <= self.clock()

    # -- arranging state directly (the pytest plugin), as a fixture file would -----------

    def add_link(self, observer_id: int, student_id: int, root_id: int | None = None) -> list[int]:
        """Activate links, like `observer_links:` (no root: every common root account), with
        no permission check; the root account ids linked. KeyError names a missing user."""
        with self._lock:
            observer, student = self._dir.users[observer_id], self._dir.users[student_id]
            common = self._dir.common_roots(observer, student)
            roots = sorted(common if root_id is None else common & {root_id})
            if not roots:
                raise ValueError(
                    f"users {observer_id} and {student_id} share no root account"
                    + ("" if root_id is None else f" {root_id}")
                )
            for root in roots:
                self._links.activate(observer_id, student_id, root)
            return roots

    def remove_link(
        self, observer_id: int, student_id: int, root_id: int | None = None
    ) -> list[int]:
        """Soft-delete active links (no root: in every root account), with no permission
        check; the root account ids unlinked. KeyError names a missing user, ValueError
        says there was no active link."""
        with self._lock:
            self._dir.users[observer_id], self._dir.users[student_id]  # KeyError if unknown
            links = [
                link
                for link in self._links.active_links(observer_id, student_id)
                if root_id is None or link.root_account_id == root_id
            ]
            if not links:
                raise ValueError(
                    f"user {observer_id} does not observe user {student_id}"
                    + ("" if root_id is None else f" in root account {root_id}")
                )
            for link in links:
                self._links.deactivate(link)
            return [link.root_account_id for link in links]

    def links(self) -> list[Link]:
        """Every link row (deleted ones too), by observer, student and root account id.
        The rows are never changed in place, so they are safe to read after the call."""
        with self._lock:
            links, version = self._links, self._links.version
            cached = self._sorted_links
            if cached is not None and cached[0] is links and cached[1] == version:
                return list(cached[2])
            ordered = list(links.all_rows())
        ordered.sort(key=_ROW_ORDER)  # outside the lock: the API goes on meanwhile
        with self._lock:
            self._sorted_links = (links, version, ordered)  # until the next change
        return list(ordered)

    def pairing_codes(self) -> list[PairingCode]:
        """The pairing codes kept (expired ones until a reset), soonest expiry first."""
        with self._lock:
            return sorted(
                (copy.copy(c) for c in self._codes.values()),
                key=lambda c: (c.expires_at, c.user_id, c.code),
            )

    def add_pairing_code(
        self, user_id: int, code: str | None = None, expires_at: datetime | None = None
    ) -> PairingCode:
        """A pairing code for a user, like `pairing_codes:` (no permission check)."""
        with self._lock:
            user = self._dir.users[user_id]
            value = code if code is not None else self._new_code_value()
            if len(value) != PAIRING_CODE_LENGTH or not set(value) <= set(PAIRING_CODE_ALPHABET):
                raise ValueError(f"a pairing code is 6 characters of A-Z, a-z and 0-9: {value!r}")
            if self._active_code(value) is not None:
                raise ValueError(f"the pairing code {value!r} is already in use")
            when = expires_at if expires_at is not None else code_expiry(self.clock())
            self._codes[value] = PairingCode(user.id, value, when)
            self._codes_changed = True
            return copy.copy(self._codes[value])

    def expire_token(self, token: str, at: datetime | None = None) -> None:
        """Make a token expire at `at` (default: now) until the next reset or load."""
        with self._lock:
            if self._dir.token_entry(token) is None:
                raise KeyError(token)
            self._token_expiry[token] = at if at is not None else self.clock()

    # -- read-only views for the control API --------------------------------------------

    def token_expiries(self) -> dict[str, datetime]:
        """expire_token's overrides in force (a copy)."""
        with self._lock:
            return dict(self._token_expiry)

    def sizes(self) -> tuple[int, int]:
        """(users, link and pairing-code rows): what the sandbox size bound counts."""
        with self._lock:
            return len(self._dir.users), len(self._links) + len(self._codes)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {
                "accounts": len(self._dir.accounts),
                "users": len(self._dir.users),
                "active_links": self._links.active_count,
                "active_pairing_codes": sum(
                    1 for c in self._codes.values() if c.expires_at > self.clock()
                ),
            }


def _with_token_expiry(user: User, expiry: dict[str, datetime]) -> User:
    """The user with expire_token's overrides applied to its tokens (a copy when changed)."""
    if not any(t.token in expiry for t in user.tokens):
        return user
    tokens = [Token(t.token, expiry.get(t.token, t.expires_at)) for t in user.tokens]
    return replace(user, tokens=tokens)


def _active_codes(dataset: Dataset) -> dict[str, PairingCode]:
    """The fixture's usable pairing codes by value, as copies the API may use up."""
    return {c.code: copy.copy(c) for c in dataset.pairing_codes if c.workflow_state == "active"}


def _present(value: Any) -> bool:
    """Ruby truthiness of a parameter: nil and false (a JSON false) are absent."""
    return value is not None and value is not False


def _utf8(text: str) -> bytes:
    # A JSON body can carry a lone surrogate; it compares, it does not crash.
    return text.encode("utf-8", "surrogatepass")


def _param_text(value: Any) -> str:
    """A request parameter as Rails would compare it with a string column."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
