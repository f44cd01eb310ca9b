"""Blueprint /__mock__ (arrange): accounts, users, links, pairing codes and token expiry, as
the dashboard and remote test tooling see and arrange them.

Writes go through the store's arranging methods (add_link, remove_link, add_pairing_code,
expire_token): the state a fixture file could describe, with no Canvas permission check.
Tokens are listed because they are the fixture's own data for test authors; passwords never.

Errors are Canvas-shaped, `{"errors": [{"message": ...}]}`, and leave the state unchanged:
400 a body or parameter that cannot be read, 404 an unknown user, root account or token,
415 a body that is not sent as JSON, 422 a store rule that refuses the change.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask.sansio.blueprints import BlueprintSetupState

from . import control, errors
from .control import json_only, mock, parse_instant, parsed_json
from .directory import Directory
from .errors import bad_request
from .fixtures import PAIRING_CODE_RE
from .model import Account, Link, PairingCode, User
from .responses import json_response
from .serializers import iso8601
from .store import Store

bp = Blueprint("arrange", __name__, url_prefix="/__mock__")

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
LINK_STATES = ("active", "deleted")
CACHE_KEY = "mock_canvas.arrange"
# Per fixture, the last searches' results: paging through a search does not search again.
# Bounded in number and size (a result of 100,000 positions is found again in ~15 ms).
SEARCHES_KEPT = 16
SEARCH_KEPT_MAX = 20_000


@bp.record_once
def _install_cache(state: BlueprintSetupState) -> None:
    state.app.extensions.setdefault(CACHE_KEY, IndexCache())


@bp.before_request
def _require_control_token() -> None:
    control._require_control_token()


# -- reading requests ---------------------------------------------------------------------


def not_found(text: str) -> errors.CanvasError:
    return errors.CanvasError(404, {"errors": [{"message": text}]})


def refused(text: str) -> errors.CanvasError:
    """A store rule refuses the change (a ValueError's text, as a sentence)."""
    text = text[:1].upper() + text[1:]
    return errors.unprocessable(text if text.endswith(".") else text + ".")


def json_body() -> dict[str, Any]:
    """The request's JSON object. Only `Content-Type: application/json` is read: a page on
    another site cannot send that without a CORS preflight, which the mock never grants."""
    json_only()
    body = parsed_json()
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def int_field(body: Mapping[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request(f"{name} must be an integer.")
    return value


def optional_int_field(body: Mapping[str, Any], name: str) -> int | None:
    if body.get(name) is None:
        return None
    value = body[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request(f"{name} must be an integer or null.")
    return value


def text_field(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"{name} must be a string or null.")
    return value


def int_arg(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer.") from None


@dataclass(frozen=True, slots=True)
class PageArgs:
    page: int
    per_page: int

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page

    def envelope(self, key: str, items: list[Any], total: int) -> dict[str, Any]:
        return {key: items, "total": total, "page": self.page, "per_page": self.per_page}


def page_args(
    args: Mapping[str, str],
    *,
    prefix: str = "",
    lenient: bool = False,
    per_page: int = DEFAULT_PER_PAGE,
) -> PageArgs:
    """`page` (from 1) and `per_page` (1 to 100, default 25). Lenient (the HTML dashboard):
    a value that cannot be used falls back to the default instead of a 400."""
    values: dict[str, int] = {}
    for name, default, top in (("page", 1, 1_000_000_000), ("per_page", per_page, MAX_PER_PAGE)):
        raw = args.get(prefix + name, "").strip()
        try:
            value = int(raw) if raw else default
        except ValueError:
            value = 0
        if not 1 <= value <= top:
            if not lenient:
                raise bad_request(f"{prefix + name} must be an integer from 1 to {top}.")
            value = default
        values[name] = value
    return PageArgs(values["page"], values["per_page"])


# -- the user index -----------------------------------------------------------------------


def _raw_search_text(user: User) -> str:
    text = user.name + "\x1f" + user.sortable_name + "\x1f" + user.short_name
    for login in user.logins:
        text += "\x1f" + login.unique_id
        if login.sis_user_id is not None:
            text += "\x1f" + login.sis_user_id
        if login.integration_id is not None:
            text += "\x1f" + login.integration_id
    return text


def search_texts(users: list[User]) -> list[str]:
    """Each user's names, logins and SIS ids, case-folded: one casefold of the joined texts
    (100,000 users in about 0.1 s) unless a text holds the separator itself."""
    raw = [_raw_search_text(u) for u in users]
    texts = "\x1e".join(raw).casefold().split("\x1e")
    if len(texts) != len(raw):
        texts = [text.casefold() for text in raw]
    return texts


class UserIndex:
    """One Directory's users in id order with their search text. The directory never
    changes after a load, so the index lives as long as it does."""

    def __init__(self, directory: Directory) -> None:
        self.users: list[User] = sorted(directory.users.values(), key=lambda u: u.id)
        self._texts = search_texts(self.users)
        self._positions = {u.id: i for i, u in enumerate(self.users)}
        self._lock = threading.Lock()
        self._searches: OrderedDict[str, list[int]] = OrderedDict()

    def search(self, query: str) -> list[int] | None:
        """Positions of the users matching `query` (a case-insensitive substring of a name,
        login or SIS id, or exactly the id); None for an empty query (every user)."""
        needle = query.strip().casefold()
        if not needle:
            return None
        with self._lock:
            found = self._searches.get(needle)
            if found is not None:
                self._searches.move_to_end(needle)
                return found
        found = [i for i, text in enumerate(self._texts) if needle in text]
        if needle.isdigit() and needle.isascii() and len(needle) <= 19:  # int() refuses 4300+
            exact = self._positions.get(int(needle))
            if exact is not None and exact not in found:
                found = sorted([*found, exact])
        if len(found) <= SEARCH_KEPT_MAX:
            with self._lock:
                self._searches[needle] = found
                while len(self._searches) > SEARCHES_KEPT:
                    self._searches.popitem(last=False)
        return found

    def page(self, query: str, args: PageArgs) -> tuple[list[User], int]:
        found = self.search(query)
        if found is None:
            return self.users[args.start : args.start + args.per_page], len(self.users)
        positions = found[args.start : args.start + args.per_page]
        return [self.users[i] for i in positions], len(found)


class IndexCache:
    """A UserIndex per Directory object, dropped with it: a new fixture gets a new index,
    and sandboxes forked from one fixture share theirs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: weakref.WeakKeyDictionary[Directory, UserIndex] = weakref.WeakKeyDictionary()

    def index(self, directory: Directory) -> UserIndex:
        with self._lock:
            index = self._indexes.get(directory)
            if index is None:
                # Built under the lock: two first searches of a big fixture build it once.
                index = self._indexes[directory] = UserIndex(directory)
            return index


def current_directory(store: Store) -> Directory:
    """The store's directory: replaced whole by a load, never changed, so safe to keep."""
    with store.locked() as directory:
        return directory


def user_index(store: Store) -> UserIndex:
    cache = current_app.extensions.get(CACHE_KEY)
    if not isinstance(cache, IndexCache):
        cache = current_app.extensions.setdefault(CACHE_KEY, IndexCache())
    return cache.index(current_directory(store))


def token_expiries(store: Store) -> dict[str, datetime]:
    """expire_token's overrides in force (a copy)."""
    return store.token_expiries()


# -- the JSON shapes ----------------------------------------------------------------------


def account_json(account: Account, directory: Directory) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "parent_id": account.parent_id,
        "root_account_id": account.root_id or account.id,
        "domain": account.domain,
        "default": account.id == directory.default_root.id,
    }


def user_json(user: User, overrides: Mapping[str, datetime], now: datetime) -> dict[str, Any]:
    tokens = []
    for token in user.tokens:
        expires_at = overrides.get(token.token, token.expires_at)
        tokens.append(
            {
                "token": token.token,
                "expires_at": None if expires_at is None else iso8601(expires_at),
                "expired": expires_at is not None and expires_at <= now,
            }
        )
    return {
        "id": user.id,
        "name": user.name,
        "sortable_name": user.sortable_name,
        "short_name": user.short_name,
        "state": user.state,
        "logins": [
            {
                "account_id": login.account_id,
                "unique_id": login.unique_id,
                "sis_user_id": login.sis_user_id,
                "integration_id": login.integration_id,
            }
            for login in user.logins
        ],
        "tokens": tokens,
        "roles": {
            "site_admin": user.site_admin,
            "admin": [
                {"account_id": role.account_id, "permissions": dict(role.permissions)}
                for role in user.admin
            ],
            "enrollments": [
                {"course_id": e.course_id, "type": e.type, "state": e.state}
                for e in user.enrollments
            ],
        },
    }


def _name(directory: Directory, user_id: int) -> str | None:
    user = directory.users.get(user_id)
    return None if user is None else user.name


def link_json(link: Link, directory: Directory) -> dict[str, Any]:
    root = directory.accounts.get(link.root_account_id)
    return {
        "observer_id": link.observer_id,
        "observer_name": _name(directory, link.observer_id),
        "student_id": link.student_id,
        "student_name": _name(directory, link.student_id),
        "root_account_id": link.root_account_id,
        "root_account_name": None if root is None else root.name,
        "state": link.state,
    }


def pairing_code_json(code: PairingCode, directory: Directory, now: datetime) -> dict[str, Any]:
    return {
        "user_id": code.user_id,
        "user_name": _name(directory, code.user_id),
        "code": code.code,
        "expires_at": iso8601(code.expires_at),
        "expired": code.expires_at <= now,
        # Negative once expired: how long ago, by the mock's clock.
        "expires_in_seconds": int((code.expires_at - now).total_seconds()),
    }


# -- queries the dashboard shares ---------------------------------------------------------


def accounts_list(store: Store) -> list[dict[str, Any]]:
    with store.locked() as directory:
        return [account_json(a, directory) for a in sorted(directory.accounts.values(), key=_id)]


def _id(account: Account) -> int:
    return account.id


def users_page(state: Any, query: str, args: PageArgs) -> dict[str, Any]:
    index = user_index(state.store)
    users, total = index.page(query, args)
    overrides = token_expiries(state.store)
    now = state.clock.now()
    return args.envelope("users", [user_json(u, overrides, now) for u in users], total)


def links_page(
    store: Store,
    args: PageArgs,
    *,
    root_account_id: int | None = None,
    link_state: str | None = None,
    user_id: int | None = None,
) -> dict[str, Any]:
    rows = [
        link
        for link in store.links()
        if (root_account_id is None or link.root_account_id == root_account_id)
        and (link_state is None or link.state == link_state)
        and (user_id is None or user_id in (link.observer_id, link.student_id))
    ]
    with store.locked() as directory:
        page = [link_json(k, directory) for k in rows[args.start : args.start + args.per_page]]
    return args.envelope("links", page, len(rows))


def pairing_codes_page(state: Any, args: PageArgs, *, user_id: int | None = None) -> dict[str, Any]:
    now = state.clock.now()
    codes = [c for c in state.store.pairing_codes() if user_id is None or c.user_id == user_id]
    with state.store.locked() as directory:
        page = [
            pairing_code_json(c, directory, now)
            for c in codes[args.start : args.start + args.per_page]
        ]
    return args.envelope("pairing_codes", page, len(codes))


def link_filters(args: Mapping[str, str], *, prefix: str = "") -> dict[str, Any]:
    """root_account_id, state and user_id of a links query (400 when unreadable)."""
    link_state = args.get(prefix + "state", "").strip() or None
    if link_state is not None and link_state not in LINK_STATES:
        raise bad_request(f"{prefix}state must be active or deleted.")
    return {
        "root_account_id": int_arg(args, prefix + "root_account_id"),
        "link_state": link_state,
        "user_id": int_arg(args, prefix + "user_id"),
    }


# -- views --------------------------------------------------------------------------------


@bp.get("/accounts", provide_automatic_options=False)
def list_accounts() -> Response:
    return json_response(accounts_list(mock().store))


@bp.get("/users", provide_automatic_options=False)
def list_users() -> Response:
    args = page_args(request.args)
    return json_response(users_page(mock(), request.args.get("search", ""), args))


@bp.get("/links", provide_automatic_options=False)
def list_links() -> Response:
    filters = link_filters(request.args)
    return json_response(links_page(mock().store, page_args(request.args), **filters))


def _link_body(directory: Directory) -> tuple[int, int, int | None]:
    body = json_body()
    observer_id = int_field(body, "observer_id")
    student_id = int_field(body, "student_id")
    root_id = optional_int_field(body, "root_account_id")
    for user_id in (observer_id, student_id):
        if user_id not in directory.users:
            raise not_found(f"No user with id {user_id}.")
    if root_id is not None:
        account = directory.accounts.get(root_id)
        if account is None or not account.is_root:
            raise not_found(f"No root account with id {root_id}.")
    if observer_id == student_id:
        raise errors.unprocessable("A user cannot observe themselves.")
    return observer_id, student_id, root_id


def _link_answer(observer_id: int, student_id: int, roots: list[int], status: int) -> Response:
    return json_response(
        {"observer_id": observer_id, "student_id": student_id, "root_account_ids": roots},
        status,
    )


def _change_link(
    change: Callable[[Store, int, int, int | None], list[int]], status: int
) -> Response:
    store = mock().store
    with store.locked() as directory:  # checks and change under one hold of the lock
        observer_id, student_id, root_id = _link_body(directory)
        try:
            roots = change(store, observer_id, student_id, root_id)
        except ValueError as exc:
            raise refused(str(exc)) from None
    return _link_answer(observer_id, student_id, roots, status)


@bp.post("/links", provide_automatic_options=False)
def add_link() -> Response:
    """An active link in the root account given, else in every one the two share."""
    return _change_link(Store.add_link, 201)


@bp.delete("/links", provide_automatic_options=False)
def remove_link() -> Response:
    """Soft-delete the active links in the root account given, else in every one."""
    return _change_link(Store.remove_link, 200)


@bp.get("/pairing_codes", provide_automatic_options=False)
def list_pairing_codes() -> Response:
    args = page_args(request.args)
    return json_response(pairing_codes_page(mock(), args, user_id=int_arg(request.args, "user_id")))


@bp.post("/pairing_codes", provide_automatic_options=False)
def add_pairing_code() -> Response:
    """A pairing code for a user: random unless given, valid 7 days unless given."""
    state = mock()
    body = json_body()
    user_id = int_field(body, "user_id")
    code = text_field(body, "code")
    if code is not None and not PAIRING_CODE_RE.fullmatch(code):
        raise bad_request("code must be 6 characters of A-Z, a-z and 0-9.")
    raw_expiry = body.get("expires_at")
    expires_at = None if raw_expiry is None else parse_instant(raw_expiry, "expires_at")
    store = state.store
    with store.locked() as directory:
        if user_id not in directory.users:
            raise not_found(f"No user with id {user_id}.")
        try:
            created = store.add_pairing_code(user_id, code, expires_at)
        except ValueError as exc:
            raise refused(str(exc)) from None
        answer = pairing_code_json(created, directory, state.clock.now())
    return json_response(answer, 201)


@bp.post("/tokens/expire", provide_automatic_options=False)
def expire_token() -> Response:
    """The token expires now (by the mock's clock) or at `at`, until a reset or a load.
    The token is never echoed, not even when it is unknown."""
    body = json_body()
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise bad_request("token must be a non-empty string.")
    raw_at = body.get("at")
    at = None if raw_at is None else parse_instant(raw_at, "at")
    try:
        mock().store.expire_token(token, at)
    except KeyError:
        raise not_found("No such token.") from None
    return json_response({"status": "ok"})
