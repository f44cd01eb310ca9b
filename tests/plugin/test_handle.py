"""The handles the fixtures return, used straight from this suite (the plugin is installed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from werkzeug.test import TestResponse

from mock_canvas.errors import CanvasError
from mock_canvas.testing import FixtureError, MockCanvas, MockCanvasClient, UserInfo

OBSERVEES = "/api/v1/users/self/observees"


def body(response: TestResponse) -> Any:
    assert response.json is not None, response.status_code
    return response.json


def observee_ids(mock: MockCanvasClient, who: str) -> list[int]:
    response = mock.get(OBSERVEES, user=who)
    assert response.status_code == 200, response.json
    return [user["id"] for user in body(response)]


def test_user_by_name_login_or_id(mock_canvas_client: MockCanvasClient) -> None:
    parent = UserInfo(
        id=100,
        name="Parent Smith",
        logins=("parent@canvas.test",),
        sis_user_id="P100",
        integration_id="I100",
        tokens=("parent-token", "parent-expired-token"),
    )
    assert mock_canvas_client.user("Parent Smith") == parent
    assert mock_canvas_client.user("parent smith") == parent
    assert mock_canvas_client.user("PARENT@canvas.test") == parent
    assert mock_canvas_client.user(100) == parent
    assert mock_canvas_client.user_id("dana@riverside.test") == 201


def test_user_unknown_or_ambiguous_is_a_lookup_error(
    mock_canvas_client: MockCanvasClient,
) -> None:
    with pytest.raises(LookupError, match="no user named or logging in as 'Nobody' in "):
        mock_canvas_client.user("Nobody")
    with pytest.raises(LookupError, match="no user with id 999"):
        mock_canvas_client.user_id(999)
    mock_canvas_client.load(
        {
            "version": 1,
            "accounts": [{"id": 1, "name": "Twins School"}],
            "users": [{"id": 1, "name": "Alex Twin"}, {"id": 2, "name": "Alex Twin"}],
        }
    )
    with pytest.raises(LookupError, match=r"'Alex Twin' is ambiguous: users \[1, 2\]"):
        mock_canvas_client.user_id("Alex Twin")


def test_token_for_gives_a_token_the_mock_accepts(mock_canvas_client: MockCanvasClient) -> None:
    assert mock_canvas_client.token_for("Parent Smith") == "parent-token"
    assert mock_canvas_client.auth_headers(100) == {"Authorization": "Bearer parent-token"}
    mock_canvas_client.expire_token("parent-token")
    with pytest.raises(LookupError, match=r"Parent Smith \(100\) has no token the mock accepts"):
        mock_canvas_client.token_for("Parent Smith")
    with pytest.raises(LookupError, match="Deleted Dan"):
        mock_canvas_client.token_for("Deleted Dan")


def test_expire_token_now_or_later(mock_canvas_client: MockCanvasClient) -> None:
    mock_canvas_client.expire_token("dana-token", datetime.now(UTC) + timedelta(hours=1))
    headers = {"Authorization": "Bearer dana-token"}
    assert mock_canvas_client.client.get(OBSERVEES, headers=headers).status_code == 200
    mock_canvas_client.expire_token("dana-token")
    response = mock_canvas_client.client.get(OBSERVEES, headers=headers)
    assert response.status_code == 401
    assert body(response)["errors"][0]["message"] == "Expired access token."
    with pytest.raises(LookupError, match="no token 'nope'"):
        mock_canvas_client.expire_token("nope")
    with pytest.raises(ValueError, match="timezone-aware"):
        mock_canvas_client.expire_token("dana-token", datetime(2030, 1, 1))


def test_link_in_every_shared_root_account(mock_canvas_client: MockCanvasClient) -> None:
    assert mock_canvas_client.link("Riley Newparent", "Frankie Ortiz") == [1]
    assert mock_canvas_client.link("Robin Riverside", "dana@riverside.test") == [2]
    assert observee_ids(mock_canvas_client, "Riley Newparent") == [203]
    with pytest.raises(ValueError, match="share no root account 2"):
        mock_canvas_client.link("Riley Newparent", "Eli Carter", root_account=2)


def test_create_pairing_code_then_a_parent_uses_it(mock_canvas_client: MockCanvasClient) -> None:
    code = mock_canvas_client.create_pairing_code("Frankie Ortiz")  # no enrollment: no matter
    assert len(code) == 6
    response = mock_canvas_client.post(
        OBSERVEES, user="Riley Newparent", data={"pairing_code": code}
    )
    assert response.status_code == 200
    assert observee_ids(mock_canvas_client, "Riley Newparent") == [203]
    assert mock_canvas_client.create_pairing_code("Eli Carter", code="Mine42") == "Mine42"
    with pytest.raises(ValueError, match="already in use"):
        mock_canvas_client.create_pairing_code("Child Smith", code="Mine42")
    with pytest.raises(ValueError, match="6 characters"):
        mock_canvas_client.create_pairing_code("Child Smith", code="short")
    past = datetime.now(UTC) - timedelta(days=1)
    expired = mock_canvas_client.create_pairing_code("Child Smith", expires_at=past)
    response = mock_canvas_client.post(
        OBSERVEES, user="Riley Newparent", data={"pairing_code": expired}
    )
    assert (response.status_code, body(response)["errors"][0]["message"]) == (
        422,
        "Invalid pairing code.",
    )


def test_state_round_trips_through_load(mock_canvas_client: MockCanvasClient) -> None:
    mock_canvas_client.link("Riley Newparent", "Eli Carter")
    mock_canvas_client.create_pairing_code("Child Smith", code="Abc123")
    mock_canvas_client.expire_token("dana-token", datetime(2025, 1, 1, tzinfo=UTC))
    state = mock_canvas_client.state()
    dana = next(user for user in state["users"] if user["id"] == 201)
    assert dana["tokens"] == [{"token": "dana-token", "expires_at": "2025-01-01T00:00:00Z"}]
    mock_canvas_client.load(state)
    assert mock_canvas_client.state() == state
    assert observee_ids(mock_canvas_client, "Riley Newparent") == [202]


def test_load_then_reset_returns_to_the_tests_fixture(
    mock_canvas_client: MockCanvasClient,
) -> None:
    mock_canvas_client.load(
        {
            "version": 1,
            "accounts": [{"id": 1, "name": "Solo School"}],
            "users": [{"id": 5, "name": "Solo", "tokens": ["solo-token"]}],
        }
    )
    assert mock_canvas_client.token_for("Solo") == "solo-token"
    response = mock_canvas_client.client.get(
        OBSERVEES, headers={"Authorization": "Bearer parent-token"}
    )
    assert response.status_code == 401  # the default fixture's tokens are gone
    mock_canvas_client.reset()
    assert observee_ids(mock_canvas_client, "Parent Smith") == [201, 200]
    with pytest.raises(FixtureError, match="cannot read the file"):
        mock_canvas_client.load("no/such/file.yaml")


def test_both_fixtures_share_one_mock(
    mock_canvas: MockCanvas, mock_canvas_client: MockCanvasClient
) -> None:
    mock_canvas_client.link("Riley Newparent", "Eli Carter")
    response = requests.get(
        mock_canvas.url + OBSERVEES, headers=mock_canvas.auth_headers("Riley Newparent"), timeout=10
    )
    assert [user["id"] for user in response.json()] == [202]
    assert mock_canvas.app is mock_canvas_client.app
    assert repr(mock_canvas) == f"<MockCanvas {mock_canvas.url} default.yaml>"
    assert repr(mock_canvas_client) == "<MockCanvasClient default.yaml>"


def test_reset_undoes_any_mix_of_changes(mock_canvas_client: MockCanvasClient) -> None:
    """Random links added and removed (some twice, some restored), pairing codes made and
    used, tokens expired: reset gives back exactly the state as loaded, every time."""
    pristine = mock_canvas_client.state()
    store = mock_canvas_client.store
    admin = store.authenticate("admin-token")
    domain = store.domain_root_account("canvas.test")
    users = [u["id"] for u in pristine["users"] if u.get("state") != "deleted"]
    rng = random.Random(4)
    changed = 0
    for _ in range(30):
        for _ in range(rng.randint(1, 12)):
            observer, student = rng.sample(users, 2)
            action = rng.choice(["link", "unlink", "code", "use", "expire"])
            try:
                if action == "link":
                    mock_canvas_client.link(observer, student)
                elif action == "unlink":
                    store.remove_observee(admin, str(observer), str(student), domain)
                elif action == "code":
                    mock_canvas_client.create_pairing_code(student)
                elif action == "use":
                    code = mock_canvas_client.create_pairing_code(student)
                    store.add_observee(admin, str(observer), {"pairing_code": code}, domain)
                else:
                    token = mock_canvas_client.user(observer).tokens
                    if token:
                        mock_canvas_client.expire_token(token[0])
            except (ValueError, LookupError, CanvasError):  # refused: nothing changed
                continue
        changed += mock_canvas_client.state() != pristine
        mock_canvas_client.reset()
        assert mock_canvas_client.state() == pristine
    assert changed >= 25
