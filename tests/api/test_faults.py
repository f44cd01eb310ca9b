"""Fault injection over HTTP: POST/GET/DELETE /__mock__/faults and X-Mock-Canvas-Fault."""

from __future__ import annotations

import time

import pytest
import requests

from mock_canvas.faults import DropConnection
from tests.api.helpers import JSON_TYPE, NOT_FOUND
from tests.conftest import ApiClient

FAULTS = "/__mock__/faults"
OBSERVEES = "/api/v1/users/self/observees"
UNAVAILABLE = "service_unavailable"


def listed(api: ApiClient, token: str = "parent-token") -> int:
    return api.get(OBSERVEES, token=token).status


def test_a_fault_for_the_next_two_calls_only(api: ApiClient) -> None:
    r = api.post(FAULTS, json={"action": "list_observees", "status": 503, "times": 2})
    assert r.status == 201
    rule_id = r.body["id"]
    assert r.body["remaining"] == 2 and r.body["fired"] == 0
    assert r.body["sandbox"] is None and r.body["action"] == ["list_observees"]
    for report_id in (1, 2):
        r = api.get(OBSERVEES, token="parent-token")
        assert r.status == 503
        assert r.header("content-type") == JSON_TYPE
        assert r.body["errors"] == [{"message": "An error occurred.", "error_code": UNAVAILABLE}]
        assert isinstance(r.body["error_report_id"], int)
        if report_id == 1:
            assert api.get(f"{FAULTS}/{rule_id}").body["remaining"] == 1
    assert listed(api) == 200
    assert api.get(FAULTS).body == []  # spent rules are gone
    journal = api.get("/__mock__/requests", query={"action": "list_observees"}).body
    assert [e["status"] for e in journal] == [503, 503, 200]


def test_other_actions_users_and_methods_do_not_match(api: ApiClient) -> None:
    body = {"action": "list_observees", "user_id": 101, "status": 500, "times": 1}
    assert api.post(FAULTS, json=body).status == 201
    assert listed(api, "parent-token") == 200  # user 100
    assert api.get("/api/v1/users/self/observers", token="guardian-token").status == 200
    r = api.get(OBSERVEES, token="guardian-token")  # user 101
    assert r.status == 500
    assert r.body["errors"][0]["error_code"] == "internal_server_error"
    assert listed(api, "guardian-token") == 200


def test_a_path_pattern_and_a_custom_body(api: ApiClient) -> None:
    body = {
        "method": "DELETE",
        "path": "/api/v1/users/*/observees/200",
        "status": 422,
        "body": {"errors": [{"message": "Nope."}]},
        "times": 3,
    }
    assert api.post(FAULTS, json=body).status == 201
    assert api.get(OBSERVEES + "/200", token="parent-token").status == 200
    r = api.delete(OBSERVEES + "/200", token="parent-token")
    assert (r.status, r.body) == (422, {"errors": [{"message": "Nope."}]})
    assert api.get(OBSERVEES + "/200", token="parent-token").status == 200  # not removed


def test_latency_then_the_real_answer(api: ApiClient) -> None:
    assert api.post(FAULTS, json={"action": "list_observees", "latency_ms": 150}).status == 201
    started = time.perf_counter()
    r = api.get(OBSERVEES, token="parent-token")
    assert time.perf_counter() - started >= 0.15
    assert r.status == 200 and [u["id"] for u in r.body] == [201, 200]


def test_a_dropped_connection(api: ApiClient) -> None:
    assert api.post(FAULTS, json={"action": "list_observees", "drop": True}).status == 201
    if api.mode == "live":
        with pytest.raises(requests.ConnectionError):
            api.get(OBSERVEES, token="parent-token")
    else:
        with pytest.raises(DropConnection):
            api.get(OBSERVEES, token="parent-token")
    assert listed(api) == 200
    journal = api.get("/__mock__/requests").body
    assert [e["status"] for e in journal] == [0, 200]  # 0: dropped


def test_a_seeded_probability_repeats_its_pattern(api: ApiClient) -> None:
    def pattern() -> list[int]:
        api.delete(FAULTS)
        rule = {"action": "list_observees", "status": 503, "probability": 0.5, "seed": 42}
        assert api.post(FAULTS, json=rule).status == 201
        return [listed(api) for _ in range(20)]

    first = pattern()
    assert set(first) == {200, 503}
    assert pattern() == first


def test_the_one_off_header(api: ApiClient) -> None:
    r = api.get(OBSERVEES, token="parent-token", headers={"X-Mock-Canvas-Fault": "status=404"})
    assert (r.status, r.body) == (404, NOT_FOUND)
    r = api.get(OBSERVEES, token="parent-token", headers={"X-Mock-Canvas-Fault": "throttled"})
    assert r.status == 403
    assert r.text == "403 Forbidden (Rate Limit Exceeded)\n"
    assert r.header("content-type") == "text/plain; charset=utf-8"
    r = api.get(OBSERVEES, token="parent-token", headers={"X-Mock-Canvas-Fault": "status=99"})
    assert r.status == 400
    assert r.body == {
        "errors": [{"message": "X-Mock-Canvas-Fault item 1: status must be from 400 to 599"}]
    }
    assert listed(api) == 200


def test_bad_rules_are_refused_and_nothing_is_registered(api: ApiClient) -> None:
    for body in [
        {"action": "fly", "status": 500},
        {"status": 200},
        {"status": 500, "drop": True},
        {"status": 500, "times": 0},
        {"status": 500, "probability": 2},
        [],
    ]:
        r = api.post(FAULTS, json=body)
        assert r.status == 400, body
        assert isinstance(r.body["errors"][0]["message"], str)
    r = api.post(FAULTS, data="{", headers={"Content-Type": "application/json"})
    assert (r.status, r.body) == (
        400,
        {"errors": [{"message": "The request body is not valid JSON."}]},
    )
    assert api.get(FAULTS).body == []


def test_rules_are_per_sandbox_and_cleared_by_reset(api: ApiClient) -> None:
    assert api.post("/sandboxes/a" + FAULTS, json={"status": 503, "times": 5}).status == 201
    everywhere = api.post(FAULTS, json={"sandbox": "*", "action": "show_observer", "status": 500})
    assert everywhere.status == 201
    assert listed(api) == 200  # the default sandbox: no rule of its own
    assert api.get("/sandboxes/a" + OBSERVEES, token="parent-token").status == 503
    assert api.get("/sandboxes/b" + OBSERVEES, token="parent-token").status == 200
    assert [r["id"] for r in api.get("/sandboxes/a" + FAULTS).body] == [
        api.get("/sandboxes/a" + FAULTS).body[0]["id"],
        everywhere.body["id"],
    ]
    assert api.post("/sandboxes/a/__mock__/reset").status == 200
    assert api.get("/sandboxes/a" + OBSERVEES, token="parent-token").status == 200
    assert [r["id"] for r in api.get("/sandboxes/a" + FAULTS).body] == [everywhere.body["id"]]
    r = api.delete(f"{FAULTS}/{everywhere.body['id']}")
    assert (r.status, r.body) == (200, {"deleted": everywhere.body["id"]})
    assert (api.delete(f"{FAULTS}/999").status, api.get(f"{FAULTS}/999").status) == (404, 404)


def test_a_sandbox_reset_removes_every_rule_it_made_even_for_all_sandboxes(
    api: ApiClient,
) -> None:
    r = api.post("/sandboxes/a" + FAULTS, json={"sandbox": "*", "status": 503, "times": None})
    assert (r.status, r.body) == (
        400,
        {"errors": [{"message": 'sandbox: a rule made in sandbox "a" can only apply there.'}]},
    )
    r = api.post("/sandboxes/a" + FAULTS, json={"sandbox": "b", "status": 503})
    assert r.status == 400
    assert api.post("/sandboxes/a" + FAULTS, json={"status": 503, "times": None}).status == 201
    assert api.post("/sandboxes/a/__mock__/reset").status == 200
    assert api.get("/sandboxes/a" + OBSERVEES, token="parent-token").status == 200
    # From the default sandbox a rule may apply everywhere; the default's reset removes it.
    assert api.post(FAULTS, json={"sandbox": "*", "status": 503, "times": None}).status == 201
    assert api.get("/sandboxes/b" + OBSERVEES, token="parent-token").status == 503
    assert api.post("/__mock__/reset").status == 200
    assert api.get("/sandboxes/b" + OBSERVEES, token="parent-token").status == 200


def test_replacing_a_sandbox_starts_it_without_the_old_rules(api: ApiClient) -> None:
    assert api.put("/__mock__/sandboxes/rep").status == 201
    assert api.post("/sandboxes/rep" + FAULTS, json={"status": 503, "times": None}).status == 201
    assert api.put("/__mock__/sandboxes/rep").status == 200
    assert api.get("/sandboxes/rep" + FAULTS).body == []
    assert api.get("/sandboxes/rep" + OBSERVEES, token="parent-token").status == 200


def test_a_rule_must_be_sent_as_json(api: ApiClient) -> None:
    r = api.post(FAULTS, data='{"status": 503}', headers={"Content-Type": "text/plain"})
    assert (r.status, r.body) == (
        415,
        {"errors": [{"message": "The body must be JSON, sent as application/json."}]},
    )
    assert api.get(FAULTS).body == []
