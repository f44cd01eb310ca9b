"""What the API tests share: Canvas's answers, the default fixture's people, and helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

import pytest
import yaml

from mock_canvas import fixtures
from mock_canvas.model import Dataset
from tests.conftest import ApiClient, Resp

JSON_TYPE = "application/json; charset=utf-8"
OBSERVEES = "/api/v1/users/self/observees"
WWW_AUTHENTICATE = 'Bearer realm="canvas-lms"'

# -- Canvas's error bodies ------------------------------------------------------------------

NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
FORBIDDEN = {
    "status": "unauthorized",
    "errors": [{"message": "user not authorized to perform that action"}],
}
INVALID_TOKEN = {"errors": [{"message": "Invalid access token."}]}
EXPIRED_TOKEN = {
    "errors": [{"message": "Expired access token.", "expired_at": "2020-01-01T00:00:00Z"}]
}
UNAUTHENTICATED = {
    "status": "unauthenticated",
    "errors": [{"message": "user authorization required"}],
}
INVALID_PAGE = {"errors": [{"message": "An error occurred.", "error_code": "not_found"}]}
UNKNOWN_OBSERVEE = {"errors": [{"message": "Unknown observee."}]}
INVALID_CODE = {"errors": [{"message": "Invalid pairing code."}]}
INVALID_CREDENTIALS = {"errors": [{"message": "Invalid credentials provided."}]}

# -- the user object --------------------------------------------------------------------------

BASE_KEYS = ["id", "name", "created_at", "sortable_name", "short_name"]
LINK_KEY = "observation_link_root_account_ids"
USER_KEYS = [*BASE_KEYS, LINK_KEY]
# The default fixture's people: id -> (name, sortable_name, created_at).
PEOPLE = {
    100: ("Parent Smith", "Smith, Parent", "2024-08-01T12:00:00Z"),
    101: ("Morgan Guardian", "Guardian, Morgan", "2024-08-02T12:00:00Z"),
    102: ("Riley Newparent", "Newparent, Riley", "2024-08-03T12:00:00Z"),
    200: ("Child Smith", "Smith, Child", "2024-08-04T12:00:00Z"),
    201: ("Dana Brooks", "Brooks, Dana", "2024-08-05T12:00:00Z"),
    202: ("Eli Carter", "Carter, Eli", "2024-08-06T12:00:00Z"),
    400: ("Robin Riverside", "Riverside, Robin", "2024-08-08T12:00:00Z"),
}


def expected_user(user_id: int, link_ids: list[int]) -> dict[str, Any]:
    """The user object Canvas answers for one of PEOPLE, with these link root account ids."""
    name, sortable_name, created_at = PEOPLE[user_id]
    return {
        "id": user_id,
        "name": name,
        "created_at": created_at,
        "sortable_name": sortable_name,
        "short_name": name,
        LINK_KEY: link_ids,
    }


# -- assertions -----------------------------------------------------------------------------


def assert_user(r: Resp, user_id: int, link_ids: list[int]) -> None:
    """A 200 with exactly the user object, keys in order (link ids compared as a set)."""
    assert r.status == 200, r.text
    assert r.header("content-type") == JSON_TYPE
    assert list(r.body) == USER_KEYS
    body = dict(r.body)
    body[LINK_KEY] = sorted(body[LINK_KEY])
    assert body == expected_user(user_id, sorted(link_ids))


class Pair(NamedTuple):
    """An observer-student pair after a request: the user answered, its link ids, the rows."""

    student: int
    link_ids: list[int]
    observer: int
    rows: list[tuple[int, str]]


def assert_pair(api: ApiClient, r: Resp, expect: Pair) -> None:
    """A 200 with exactly the student's user object, and exactly these rows for the pair."""
    assert_user(r, expect.student, expect.link_ids)
    assert pair_rows(api, expect.observer, expect.student) == expect.rows


def assert_error(
    r: Resp, status: int, body: dict[str, Any], *, www_authenticate: str | None = None
) -> None:
    """Exactly this JSON error, with this WWW-Authenticate header (none unless one is given)."""
    assert r.status == status, r.text
    assert r.header("content-type") == JSON_TYPE
    assert r.body == body
    assert r.header("www-authenticate") == www_authenticate


# -- reading answers and the store ------------------------------------------------------------


def user_ids(body: Any) -> list[int]:
    """The ids of a list of user objects, in order."""
    return [user["id"] for user in body]


def observee_ids(api: ApiClient, token: str) -> list[int]:
    """The ids the caller's own observees list shows, in order (the list must answer 200)."""
    r = api.get(OBSERVEES, token=token)
    assert r.status == 200, r.text
    return user_ids(r.body)


def link_rows(api: ApiClient) -> dict[tuple[int, int, int], str]:
    """Every link row as (observer, student, root account) -> state."""
    return {
        (link.observer_id, link.student_id, link.root_account_id): link.state
        for link in api.store.export().links
    }


def pair_rows(api: ApiClient, observer: int, student: int) -> list[tuple[int, str]]:
    """The rows of one observer-student pair as (root account, state), duplicates kept."""
    return sorted(
        (link.root_account_id, link.state)
        for link in api.store.export().links
        if link.observer_id == observer and link.student_id == student
    )


def base_url(api: ApiClient) -> str:
    """The scheme and host the mock sees when no Host header is set."""
    return api.base_url if api.mode == "live" and api.base_url else "http://localhost"


# -- variants of the default fixture, and the clock -------------------------------------------

Variant = Callable[[dict[str, Any]], None]
_VARIANTS: dict[Variant, Dataset] = {}


def load_variant(api: ApiClient, change: Variant) -> None:
    """Load the default fixture (without generated users) after `change` edits it."""
    dataset = _VARIANTS.get(change)
    if dataset is None:
        doc = yaml.safe_load(fixtures.default_fixture_path().read_bytes())
        doc.pop("generate", None)
        change(doc)
        dataset = _VARIANTS[change] = fixtures.load_bytes(yaml.safe_dump(doc))
    api.store.load(dataset)


def without_guardian_dana_links(doc: dict[str, Any]) -> None:
    """Guardian 101 and Dana 201 share root accounts 1 and 2, and are not linked at all."""
    doc["observer_links"] = [
        link
        for link in doc["observer_links"]
        if not (link["observer"] == 101 and link["observee"] == 201)
    ]


def freeze_clock(monkeypatch: pytest.MonkeyPatch, api: ApiClient, moment: datetime) -> None:
    """Set the store clock to `moment`; the original clock comes back after the test."""
    monkeypatch.setattr(api.store, "clock", lambda: moment)
