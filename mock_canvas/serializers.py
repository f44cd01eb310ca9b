"""Model -> Canvas JSON. The only module that knows Canvas's field names. Pure.

A user's JSON is built on every list call, ten to a hundred at a time, and most of it (id,
names, created_at) never changes for a given user. So `user_json` keeps, per distinct set of
those values, the fields as a dict and already encoded as compact JSON, and returns a
`UserJson`: a plain dict that also carries its own encoding, which `responses.json_response`
joins instead of encoding the list again. The cache is keyed on the values themselves, never
on an object's identity, so it can never serve one fixture's or sandbox's user to another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) uses
from typing import Any, NamedTuple

from .model import PairingCode, User

AVATAR_FALLBACK_PATH = "/images/messages/avatar-50.png"
# Distinct users whose fixed fields are kept encoded: a page of 100 from a few hundred
# observers' lists fits many times over; about 0.5 KB each at most.
USER_CACHE_SIZE = 16_384


def iso8601(moment: datetime) -> str:
    """Canvas API times: UTC, whole seconds, `Z`; four-digit years (strftime drops the
    zeros of a year before 1000 on Linux)."""
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


@dataclass(frozen=True, slots=True)
class SisFields:
    """The SIS and login fields an admin of the domain root account sees on the lists."""

    show_ids: bool  # read_sis or manage_sis: sis_user_id and integration_id, null when absent
    sis_user_id: str | None = None
    integration_id: str | None = None
    login_id: str | None = None  # view_user_logins and a login in the domain root account


class UserView(NamedTuple):
    """What the store decided a caller may see of one user in one response. (A NamedTuple,
    not a frozen dataclass: as immutable, and built in half the time, once per listed user.)"""

    user: User
    link_root_account_ids: tuple[int, ...]
    sis: SisFields | None = None
    avatars_enabled: bool = True  # the avatars service of the user's own account


def absolute_avatar_url(user: User, base_url: str) -> str:
    """Avatar URLs are absolute: relative paths get the request's base URL."""
    path = user.avatar_url or AVATAR_FALLBACK_PATH
    if path.startswith(("http://", "https://")):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


class UserJson(dict[str, Any]):
    """A user's JSON as a dict, plus the same object already encoded (`encoded`, None once
    the dict is changed through its own methods: then it is encoded like any dict). Built
    to be sent, not edited: a change inside a nested value is not noticed."""

    __slots__ = ("encoded",)
    encoded: str | None

    # Any change made through the dict's methods makes the encoding stale: drop it.
    def __setitem__(self, key: str, value: Any) -> None:
        self.encoded = None
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.encoded = None
        super().__delitem__(key)

    def __ior__(self, other: Any) -> UserJson:  # type: ignore[override,misc]
        self.encoded = None
        return super().__ior__(other)

    def clear(self) -> None:
        self.encoded = None
        super().clear()

    def pop(self, key: str, *default: Any) -> Any:
        self.encoded = None
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self.encoded = None
        return super().popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.encoded = None
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.encoded = None
        super().update(*args, **kwargs)


def encoded_json(value: Any) -> str | None:
    """The encoding a UserJson carries, else None."""
    return getattr(value, "encoded", None) if type(value) is UserJson else None


def _json_text(value: str | int | None) -> str:
    """One scalar exactly as json.dumps(value, ensure_ascii=False) writes it."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return str(encode_basestring(value))
    return int.__repr__(value)  # json's own way with ints


@lru_cache(maxsize=USER_CACHE_SIZE, typed=True)
def _user_head(
    user_id: int, name: str, created_at: datetime, sortable_name: str, short_name: str
) -> tuple[dict[str, Any], str]:
    """The fields that depend on the user alone, as a dict and as `{"id":...,"short_name":"..."`
    (no closing brace), for the values given: the same values, the same text."""
    fields: dict[str, Any] = {
        "id": user_id,
        "name": name,
        "created_at": iso8601(created_at),
        "sortable_name": sortable_name,
        "short_name": short_name,
    }
    encoded = "{" + ",".join(f'"{key}":{_json_text(value)}' for key, value in fields.items())
    return fields, encoded


@lru_cache(maxsize=1024)
def _ids_tail(ids: tuple[int, ...]) -> str:
    """The last field and the closing brace: a handful of distinct root-account lists."""
    return ',"observation_link_root_account_ids":[' + ",".join(map(int.__repr__, ids)) + "]}"


def user_json(view: UserView, *, base_url: str, include_avatar: bool = False) -> UserJson:
    """Api::V1::User#user_json plus observation_link_root_account_ids; never email or secrets.
    A dict that carries its own encoding (`user_json_text`)."""
    user = view.user
    fields = _user_head(user.id, user.name, user.created_at, user.sortable_name, user.short_name)[0]
    data = UserJson(fields)  # a copy: the cached dict is never handed out
    sis = view.sis
    if sis is not None:
        if sis.show_ids:
            data["sis_user_id"] = sis.sis_user_id
            data["integration_id"] = sis.integration_id
        if sis.login_id is not None:
            data["login_id"] = sis.login_id
    if include_avatar and view.avatars_enabled:
        data["avatar_url"] = absolute_avatar_url(user, base_url)
    data["observation_link_root_account_ids"] = list(view.link_root_account_ids)
    data.encoded = user_json_text(view, base_url=base_url, include_avatar=include_avatar)
    return data


def user_json_text(view: UserView, *, base_url: str, include_avatar: bool = False) -> str:
    """`user_json(...)` as compact JSON (json.dumps' text, byte for byte), without building
    the dict: what a list joins."""
    user = view.user
    text = _user_head(user.id, user.name, user.created_at, user.sortable_name, user.short_name)[1]
    sis = view.sis
    if sis is not None:
        if sis.show_ids:
            text += (
                f',"sis_user_id":{_json_text(sis.sis_user_id)}'
                f',"integration_id":{_json_text(sis.integration_id)}'
            )
        if sis.login_id is not None:
            text += f',"login_id":{_json_text(sis.login_id)}'
    if include_avatar and view.avatars_enabled:
        text += f',"avatar_url":{_json_text(absolute_avatar_url(user, base_url))}'
    return text + _ids_tail(view.link_root_account_ids)


def pairing_code_json(code: PairingCode) -> dict[str, Any]:
    return {
        "user_id": code.user_id,
        "code": code.code,
        "expires_at": iso8601(code.expires_at),
        "workflow_state": code.workflow_state,
    }
