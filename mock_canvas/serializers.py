"""Model -> Canvas JSON. The only module that knows Canvas's field names. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .model import PairingCode, User

AVATAR_FALLBACK_PATH = "/images/messages/avatar-50.png"


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


@dataclass(frozen=True, slots=True)
class UserView:
    """What the store decided a caller may see of one user in one response."""

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


def user_json(view: UserView, *, base_url: str, include_avatar: bool = False) -> dict[str, Any]:
    """Api::V1::User#user_json plus observation_link_root_account_ids; never email or secrets."""
    user = view.user
    data: dict[str, Any] = {
        "id": user.id,
        "name": user.name,
        "created_at": iso8601(user.created_at),
        "sortable_name": user.sortable_name,
        "short_name": user.short_name,
    }
    if view.sis is not None:
        if view.sis.show_ids:
            data["sis_user_id"] = view.sis.sis_user_id
            data["integration_id"] = view.sis.integration_id
        if view.sis.login_id is not None:
            data["login_id"] = view.sis.login_id
    if include_avatar and view.avatars_enabled:
        data["avatar_url"] = absolute_avatar_url(user, base_url)
    data["observation_link_root_account_ids"] = list(view.link_root_account_ids)
    return data


def pairing_code_json(code: PairingCode) -> dict[str, Any]:
    return {
        "user_id": code.user_id,
        "code": code.code,
        "expires_at": iso8601(code.expires_at),
        "workflow_state": code.workflow_state,
    }
