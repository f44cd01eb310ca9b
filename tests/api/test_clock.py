"""The mock's clock: GET/PUT /__mock__/clock, and what follows it (token and code expiry)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mock_canvas.app import create_app
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.conftest import ApiClient

CLOCK = "/__mock__/clock"
NOW_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def put_clock(api: ApiClient, body: Any) -> Any:
    return api.put(CLOCK, json=body)


def test_the_clock_is_real_by_default(api: ApiClient) -> None:
    before = datetime.now(UTC)
    r = api.get(CLOCK)
    after = datetime.now(UTC)
    assert r.status == 200
    assert set(r.body) == {"now", "frozen"}
    assert r.body["frozen"] is False
    assert NOW_RE.match(r.body["now"])
    assert before - timedelta(seconds=1) <= parse(r.body["now"]) <= after


def test_freeze_at_an_instant_then_advance(api: ApiClient) -> None:
    r = put_clock(api, {"freeze": "2030-01-01T00:00:00Z"})
    assert r.status == 200
    assert r.body == {"now": "2030-01-01T00:00:00.000Z", "frozen": True}
    assert api.get(CLOCK).body == {"now": "2030-01-01T00:00:00.000Z", "frozen": True}
    r = put_clock(api, {"advance_seconds": 7 * 86400 + 1.5})
    assert r.status == 200
    assert r.body == {"now": "2030-01-08T00:00:01.500Z", "frozen": True}
    r = put_clock(api, {"advance_seconds": -1.5})
    assert r.body == {"now": "2030-01-08T00:00:00.000Z", "frozen": True}


def test_freeze_now_stops_the_clock(api: ApiClient) -> None:
    r = put_clock(api, {"freeze": True})
    assert r.status == 200
    assert r.body["frozen"] is True
    assert abs(parse(r.body["now"]) - datetime.now(UTC)) < timedelta(seconds=5)
    assert api.get(CLOCK).body == r.body


def test_a_zone_offset_is_converted_to_utc(api: ApiClient) -> None:
    r = put_clock(api, {"freeze": "2030-01-01T02:00:00+02:00"})
    assert r.status == 200
    assert r.body == {"now": "2030-01-01T00:00:00.000Z", "frozen": True}


def test_set_on_a_running_clock_keeps_it_running(api: ApiClient) -> None:
    r = put_clock(api, {"set": "2031-06-01T12:00:00Z"})
    assert r.status == 200
    assert r.body["frozen"] is False
    moment = parse(r.body["now"])
    assert timedelta(0) <= moment - datetime(2031, 6, 1, 12, tzinfo=UTC) < timedelta(seconds=5)


def test_set_on_a_frozen_clock_keeps_it_frozen(api: ApiClient) -> None:
    put_clock(api, {"freeze": True})
    r = put_clock(api, {"set": "2031-06-01T12:00:00Z"})
    assert r.status == 200
    assert r.body == {"now": "2031-06-01T12:00:00.000Z", "frozen": True}


def test_unfreeze_runs_on_from_the_frozen_instant(api: ApiClient) -> None:
    put_clock(api, {"freeze": "2030-01-01T00:00:00Z"})
    r = put_clock(api, {"unfreeze": True})
    assert r.status == 200
    assert r.body["frozen"] is False
    moment = parse(r.body["now"])
    assert timedelta(0) <= moment - datetime(2030, 1, 1, tzinfo=UTC) < timedelta(seconds=5)


def test_real_and_reset_go_back_to_real_time(api: ApiClient) -> None:
    put_clock(api, {"freeze": "2030-01-01T00:00:00Z"})
    r = put_clock(api, {"real": True})
    assert r.status == 200
    assert r.body["frozen"] is False
    assert abs(parse(r.body["now"]) - datetime.now(UTC)) < timedelta(seconds=5)
    put_clock(api, {"freeze": "2030-01-01T00:00:00Z"})
    assert api.post("/__mock__/reset").status == 200
    r = api.get(CLOCK)
    assert r.status == 200
    assert r.body["frozen"] is False
    assert abs(parse(r.body["now"]) - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "exactly one of"),
        ({"freeze": True, "real": True}, "exactly one of"),
        ({"advance": "P7D"}, "exactly one of"),
        ([1], "exactly one of"),
        ({"freeze": False}, "freeze must be an ISO 8601 date-time"),
        ({"freeze": "2030-01-01T00:00:00"}, "freeze must be an ISO 8601 date-time with a zone"),
        ({"set": "tomorrow"}, "set must be an ISO 8601 date-time"),
        ({"set": 5}, "set must be an ISO 8601 date-time"),
        ({"advance_seconds": "60"}, "advance_seconds must be a number"),
        ({"advance_seconds": True}, "advance_seconds must be a number"),
        ({"advance_seconds": 1e12}, "advance_seconds must be a number"),
        ({"real": 1}, "real must be true"),
        ({"unfreeze": False}, "unfreeze must be true"),
    ],
)
def test_bad_changes_are_a_400_and_change_nothing(api: ApiClient, body: Any, message: str) -> None:
    put_clock(api, {"freeze": "2030-01-01T00:00:00Z"})
    r = put_clock(api, body)
    assert r.status == 400
    assert list(r.body) == ["errors"]
    assert len(r.body["errors"]) == 1
    assert message in r.body["errors"][0]["message"]
    assert api.get(CLOCK).body == {"now": "2030-01-01T00:00:00.000Z", "frozen": True}


def test_a_body_that_is_not_json_is_a_400(api: ApiClient) -> None:
    r = api.put(CLOCK, data="{", headers={"Content-Type": "application/json"})
    assert r.status == 400
    assert r.body == {"errors": [{"message": "The request body is not valid JSON."}]}


def test_leaving_the_calendar_is_a_400(api: ApiClient) -> None:
    put_clock(api, {"freeze": "9999-12-31T00:00:00Z"})
    r = put_clock(api, {"advance_seconds": 2 * 86400})
    assert r.status == 400
    assert r.body == {
        "errors": [{"message": "That would take the clock out of the years 1 to 9999."}]
    }
    assert api.get(CLOCK).body == {"now": "9999-12-31T00:00:00.000Z", "frozen": True}


def test_unknown_methods_are_the_json_404(api: ApiClient) -> None:
    r = api.post(CLOCK, json={"real": True})
    assert r.status == 404
    assert r.body == {"errors": [{"message": "The specified resource does not exist."}]}


# -- what follows the clock ------------------------------------------------------------------


def test_tokens_expire_when_the_clock_passes_their_expiry(api: ApiClient) -> None:
    # parent-expired-token expired at 2020-01-01T00:00:00Z: before then, it works.
    assert api.get("/api/v1/users/self/observees", token="parent-expired-token").status == 401
    put_clock(api, {"freeze": "2019-12-31T23:59:59Z"})
    r = api.get("/api/v1/users/self/observees", token="parent-expired-token")
    assert r.status == 200
    assert [u["id"] for u in r.body] == [201, 200]
    put_clock(api, {"advance_seconds": 1})
    r = api.get("/api/v1/users/self/observees", token="parent-expired-token")
    assert r.status == 401
    assert r.body["errors"][0]["message"] == "Expired access token."


def test_new_pairing_codes_expire_seven_days_after_the_mock_now(api: ApiClient) -> None:
    put_clock(api, {"freeze": "2031-03-01T08:00:00Z"})
    r = api.post("/api/v1/users/self/observer_pairing_codes", token="eli-token")
    assert r.status == 200
    assert r.body["expires_at"] == "2031-03-08T08:00:00Z"
    code = r.body["code"]
    put_clock(api, {"advance_seconds": 7 * 86400})
    r = api.post(
        "/api/v1/users/self/observees", token="newparent-token", json={"pairing_code": code}
    )
    assert r.status == 422
    assert r.body == {"errors": [{"message": "Invalid pairing code."}]}


def test_fixture_codes_expire_by_the_mock_clock(api: ApiClient) -> None:
    # Eli202 expires at 2030-01-01T00:00:00Z.
    put_clock(api, {"freeze": "2030-01-01T00:00:00Z"})
    r = api.post(
        "/api/v1/users/self/observees", token="newparent-token", json={"pairing_code": "Eli202"}
    )
    assert r.status == 422
    assert r.body == {"errors": [{"message": "Invalid pairing code."}]}
    put_clock(api, {"advance_seconds": -1})
    r = api.post(
        "/api/v1/users/self/observees", token="newparent-token", json={"pairing_code": "Eli202"}
    )
    assert r.status == 200
    assert r.body["id"] == 202


def test_a_replaced_fixture_follows_the_clock(api: ApiClient) -> None:
    fixture = {
        "version": 1,
        "accounts": [{"id": 1, "name": "Solo", "domain": "solo.test"}],
        "users": [
            {
                "id": 1,
                "name": "Pat Parent",
                "tokens": [{"token": "p", "expires_at": "2040-01-01T00:00:00Z"}],
                "logins": [{"account": 1, "unique_id": "pat"}],
            }
        ],
    }
    assert api.put("/__mock__/fixtures", json=fixture).status == 200
    assert api.get("/api/v1/users/self/observees", token="p").status == 200
    put_clock(api, {"freeze": "2040-01-01T00:00:00Z"})
    r = api.get("/api/v1/users/self/observees", token="p")
    assert r.status == 401
    assert r.body["errors"][0]["message"] == "Expired access token."


def test_the_clock_needs_the_control_token(default_dataset: Dataset) -> None:
    app = create_app(Settings(control_token="sekrit"), store=Store(default_dataset))
    client = app.test_client()
    r = client.get(CLOCK)
    assert r.status_code == 401
    assert r.get_json()["errors"][0]["message"].startswith("This control call needs")
    r = client.put(CLOCK, json={"freeze": True})
    assert r.status_code == 401
    r = client.put(
        CLOCK, json={"freeze": "2030-01-01T00:00:00Z"}, headers={"Authorization": "Bearer sekrit"}
    )
    assert r.status_code == 200
    assert r.get_json() == {"now": "2030-01-01T00:00:00.000Z", "frozen": True}


def test_a_since_past_the_year_9999_in_utc_is_a_400_not_a_500(api: ApiClient) -> None:
    r = api.get("/__mock__/requests", query={"since": "9999-12-31T23:59:59-14:00"})
    assert r.status == 400
    assert r.body == {"errors": [{"message": "since must be within the years 1 to 9999 in UTC."}]}


def test_a_code_made_at_the_end_of_time_expires_at_the_last_instant(api: ApiClient) -> None:
    assert api.put("/__mock__/clock", json={"freeze": "9999-12-30T00:00:00Z"}).status == 200
    r = api.post("/api/v1/users/self/observer_pairing_codes", token="eli-token")
    assert r.status == 200, r.text
    assert r.body["expires_at"] == "9999-12-31T23:59:59Z"


def test_dates_before_the_year_1000_keep_four_digits(api: ApiClient) -> None:
    assert api.put("/__mock__/clock", json={"freeze": "0944-02-03T01:00:01Z"}).status == 200
    r = api.post("/api/v1/users/self/observer_pairing_codes", token="eli-token")
    assert r.status == 200, r.text
    assert r.body["expires_at"] == "0944-02-10T01:00:01Z"


def test_a_running_clock_at_the_last_instant_stays_there(api: ApiClient) -> None:
    assert api.put("/__mock__/clock", json={"set": "9999-12-31T23:59:59.999Z"}).status == 200
    r = api.get("/api/v1/users/self/observees", token="parent-token")
    assert r.status == 200, r.text
    assert api.get("/__mock__/clock").body["now"] == "9999-12-31T23:59:59.999Z"
