"""The read-only part of the state: accounts, courses, users and the indexes to find them.

The observees API never changes a user, an account or a course, so this is built once per
fixture load and shared by every reset. Only links and pairing codes change (see store.py).
"""

from __future__ import annotations

import gc
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .ids import IdRef, SelfRef, SisRef, UserRef
from .model import (
    Account,
    AdminRole,
    Course,
    Dataset,
    Login,
    Token,
    User,
)

SortKey = tuple[str, str, int]


def sortable_name_key(sortable_name: str, user_id: int) -> SortKey:
    """order_by_sortable_name: a case- and accent-insensitive collation, then the id."""
    if sortable_name.isascii():
        # ASCII has no decompositions and no combining marks, and casefold() is lower()
        # there: the same key, without the Unicode work (most names, all generated ones).
        folded = sortable_name.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", sortable_name)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    if folded == sortable_name:
        folded = sortable_name  # one string, not two equal ones
    return (folded, sortable_name, user_id)


def _lower(text: str) -> str:
    """text.lower(), the same object when it is lower case already (no second copy)."""
    lowered = text.lower()
    return text if lowered == text else lowered


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a fixture's objects are built: each collection
    would walk every object made so far (quadratic in the fixture's size). Objects built
    here hold no cycles to collect; collection resumes, as it was, at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def host_name(host: str) -> str:
    """The Host header without its port, lower case (IPv6 literals keep their brackets)."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _index(index: dict[int, dict[str, User]], root: int, key: str, user: User) -> None:
    by_key = index.get(root)
    if by_key is None:
        by_key = index[root] = {}
    by_key[key] = user


def _unique_key(login: Login) -> str:
    return _lower(login.unique_id)


def _sis_user_id(login: Login) -> str | None:
    return login.sis_user_id


def _integration_id(login: Login) -> str | None:
    return login.integration_id


@dataclass(frozen=True, slots=True)
class TokenEntry:
    user: User
    token: Token


class Directory:
    """Accounts, courses and users of one loaded fixture, with their lookup indexes."""

    def __init__(self, dataset: Dataset) -> None:
        self.accounts: dict[int, Account] = {a.id: a for a in dataset.accounts}
        self.root_accounts: list[Account] = [a for a in dataset.accounts if a.is_root]
        defaults = [a for a in self.root_accounts if a.default]
        self.default_root: Account = defaults[0] if defaults else self.root_accounts[0]
        self.domains: dict[str, Account] = {
            a.domain.lower(): a for a in self.root_accounts if a.domain
        }
        self.courses: dict[int, Course] = {c.id: c for c in dataset.courses}
        self.users: dict[int, User] = {u.id: u for u in dataset.users}
        # token -> its user; (root account id, key) -> user, for each kind of login key
        # (the login itself is found again among the user's few logins: see _login).
        self.tokens: dict[str, User] = {}
        self.logins: dict[int, dict[str, User]] = {}
        self.sis_user_ids: dict[int, dict[str, User]] = {}
        self.integration_ids: dict[int, dict[str, User]] = {}
        self.user_roots: dict[int, frozenset[int]] = {}
        # Each account's chain up to its root, as a set: permission checks on every call.
        self.chains: dict[int, frozenset[int]] = {
            a.id: frozenset(x.id for x in self.account_chain(a.id)) for a in dataset.accounts
        }
        # Users share a few distinct sets of root accounts: one frozenset for each.
        self._root_sets: dict[frozenset[int], frozenset[int]] = {}
        with gc_paused():
            for user in dataset.users:
                self._index_user(user)
            # Every user's place in list order (sortable_name_key): a link index keeps
            # these small ints, compared without a look at the names.
            self.ranked: list[User] = sorted(
                self.users.values(), key=lambda u: sortable_name_key(u.sortable_name, u.id)
            )
            self.ranks: dict[int, int] = {u.id: rank for rank, u in enumerate(self.ranked)}

    def _index_user(self, user: User) -> None:
        roots: set[int] = set()
        for login in user.logins:
            roots.add(login.account_id)
            root = login.account_id
            _index(self.logins, root, _lower(login.unique_id), user)
            if login.sis_user_id is not None:
                _index(self.sis_user_ids, root, login.sis_user_id, user)
            if login.integration_id is not None:
                _index(self.integration_ids, root, login.integration_id, user)
        for enrollment in user.enrollments:
            if enrollment.state != "deleted":
                roots.add(self.courses[enrollment.course_id].root_account_id)
        frozen = frozenset(roots)
        self.user_roots[user.id] = self._root_sets.setdefault(frozen, frozen)
        for token in user.tokens:
            self.tokens[token.token] = user

    # -- lookups ------------------------------------------------------------------------

    def domain_root_account(self, host: str) -> Account:
        """The root account whose domain the request was sent to, else the default one."""
        return self.domains.get(host_name(host), self.default_root)

    def find_user(
        self, ref: UserRef, caller: User, domain_root: Account, *, include_deleted: bool = False
    ) -> User | None:
        """api_find(User.active, ...): SIS forms look among the domain root's logins."""
        user: User | None
        if isinstance(ref, SelfRef):
            user = caller
        elif isinstance(ref, IdRef):
            user = self.users.get(ref.id)
        else:
            found = self._find_sis(ref, domain_root.id)
            user = found[0] if found else None
        if user is None or (not include_deleted and not user.active):
            return None
        return user

    def _find_sis(self, ref: SisRef, root_id: int) -> tuple[User, Login] | None:
        if ref.kind == "sis_login_id":
            return self._login(self.logins, root_id, ref.value.lower(), _unique_key)
        if ref.kind == "sis_user_id":
            return self._login(self.sis_user_ids, root_id, ref.value, _sis_user_id)
        return self._login(self.integration_ids, root_id, ref.value, _integration_id)

    @staticmethod
    def _login(
        index: dict[int, dict[str, User]],
        root_id: int,
        key: str,
        key_of: Callable[[Login], str | None],
    ) -> tuple[User, Login] | None:
        """The user indexed under (root, key) and its login with that key (the last one:
        the index keeps the last login it was given for a key)."""
        by_key = index.get(root_id)
        user = by_key.get(key) if by_key is not None else None
        if user is None:
            return None
        for login in reversed(user.logins):
            if login.account_id == root_id and key_of(login) == key:
                return user, login
        return None  # pragma: no cover - the index only holds users with such a login

    def active_login(self, root_id: int, unique_id: str) -> tuple[User, Login] | None:
        """A login by unique_id (case-insensitive) in one root account, of an active user."""
        found = self._login(self.logins, root_id, unique_id.lower(), _unique_key)
        if found is None or not found[0].active:
            return None
        return found

    def login_in(self, user: User, root_id: int) -> Login | None:
        """The user's login in a root account, preferring one with a SIS id (sis_pseudonym_for)."""
        logins = [login for login in user.logins if login.account_id == root_id]
        with_sis = [login for login in logins if login.sis_user_id is not None]
        chosen = with_sis or logins
        return chosen[0] if chosen else None

    def avatars_enabled(self, user: User) -> bool:
        """user.account.service_enabled?(:avatars): the account of the user's first login."""
        account = self.accounts[user.logins[0].account_id] if user.logins else self.default_root
        return account.avatars

    def token_entry(self, token: str) -> TokenEntry | None:
        user = self.tokens.get(token)
        if user is None:
            return None
        for found in reversed(user.tokens):  # the index keeps the last one given
            if found.token == token:
                return TokenEntry(user, found)
        return None  # pragma: no cover - the index only holds users with the token

    # -- accounts and permissions -------------------------------------------------------

    def account_chain(self, account_id: int) -> Iterable[Account]:
        """The account and its ancestors up to the root."""
        account: Account | None = self.accounts.get(account_id)
        while account is not None:
            yield account
            account = self.accounts.get(account.parent_id) if account.parent_id else None

    def roots_of(self, user: User) -> frozenset[int]:
        """The root accounts a user belongs to (logins and course enrollments)."""
        return self.user_roots.get(user.id, frozenset())

    def common_roots(self, first: User, second: User) -> frozenset[int]:
        """Root accounts both belong to; always empty for a user and itself (a Canvas quirk)."""
        if first.id == second.id:
            return frozenset()
        return self.roots_of(first) & self.roots_of(second)

    def _roles_over(self, user: User, account_id: int) -> Iterable[AdminRole]:
        chain = self.chains.get(account_id, frozenset())
        return (role for role in user.admin if role.account_id in chain)

    def has_permission(self, user: User, account_id: int, permission: str) -> bool:
        """An admin role on the account or an ancestor grants it (site admins: everything)."""
        if user.site_admin:
            return True
        if not user.admin:  # most callers: no role to look through
            return False
        return any(role.grants(permission) for role in self._roles_over(user, account_id))

    def is_admin_of(self, user: User, account_id: int) -> bool:
        if user.site_admin:
            return True
        return bool(user.admin) and any(True for _ in self._roles_over(user, account_id))
