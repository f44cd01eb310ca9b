"""faults.py: fault rules (parsing, matching, firing), the X-Mock-Canvas-Fault header and the
responses a fault renders, without Flask."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterable
from random import Random
from typing import Any

import pytest
from flask import Flask, Response, request

from mock_canvas.faults import (
    ACTIONS,
    MAX_LATENCY_MS,
    DropConnection,
    DropMiddleware,
    Fault,
    FaultEffect,
    FaultMatch,
    FaultRegistry,
    FaultRule,
    FaultSpecError,
    RequestInfo,
    TooManyFaultRules,
    canvas_error,
    parse_fault_header,
    parse_rule,
    request_drop,
)
from mock_canvas.server import MockCanvasServer
from mock_canvas.throttle import rate_limit_exceeded

# Requests to the default sandbox (sandbox None), where rules parsed without a sandbox live.
LIST = RequestInfo("GET", "/api/v1/users/self/observees", "list_observees", 100)
SHOW = RequestInfo("GET", "/api/v1/users/self/observees/200", "show_observee", 100)
ADD = RequestInfo("PUT", "/api/v1/users/102/observees/203", "add_observee", 1)


def spec_error(body: object, sandbox: str | None = None) -> FaultSpecError:
    with pytest.raises(FaultSpecError) as caught:
        parse_rule(body, sandbox=sandbox)
    return caught.value


def registry_with(*bodies: dict[str, Any]) -> FaultRegistry:
    registry = FaultRegistry()
    for body in bodies:
        registry.add(parse_rule(body))
    return registry


# --- parsing: what a rule means -------------------------------------------------------------


def test_parse_rule_status_only_fires_once_everywhere_in_its_sandbox() -> None:
    rule = parse_rule({"status": 503}, sandbox="default")
    assert rule == FaultRule(
        FaultMatch(sandbox="default"), FaultEffect("status", 503), times=1, probability=None
    )


def test_parse_rule_action_accepts_a_name_or_a_list_kept_in_canvas_order() -> None:
    assert parse_rule({"action": "add_observee", "status": 500}).match.actions == ("add_observee",)
    rule = parse_rule(
        {"action": ["show_observer", "list_observees", "list_observees"], "drop": True}
    )
    assert rule.match.actions == ("list_observees", "show_observer")


def test_parse_rule_method_is_case_insensitive() -> None:
    rule = parse_rule({"method": ["put", "Get"], "status": 500})
    assert rule.match.methods == ("GET", "PUT")


def test_parse_rule_latency_alone_is_a_delay() -> None:
    rule = parse_rule({"latency_ms": 250})
    assert rule.effect == FaultEffect("delay", latency_ms=250)


def test_parse_rule_latency_combines_with_an_error() -> None:
    rule = parse_rule({"status": 500, "latency_ms": 100.5})
    assert rule.effect == FaultEffect("status", 500, latency_ms=100.5)


def test_parse_rule_drop_and_throttled_are_effects() -> None:
    assert parse_rule({"drop": True}).effect.kind == "drop"
    assert parse_rule({"throttled": True, "latency_ms": 10}).effect == FaultEffect(
        "throttled", latency_ms=10
    )


def test_parse_rule_false_flags_and_nulls_mean_absent() -> None:
    rule = parse_rule(
        {"status": 404, "drop": False, "throttled": False, "path": None, "body": None}
    )
    assert rule.effect == FaultEffect("status", 404)
    assert rule.match.path is None


def test_parse_rule_body_and_headers_go_with_the_status() -> None:
    rule = parse_rule({"status": 429, "body": {"x": [1]}, "headers": {"Retry-After": "5"}})
    assert rule.effect == FaultEffect("status", 429, {"x": [1]}, (("Retry-After", "5"),))


def test_parse_rule_keeps_a_copy_of_the_body() -> None:
    body: dict[str, Any] = {"errors": [{"message": "down"}]}
    rule = parse_rule({"status": 503, "body": body})
    body["errors"].clear()
    assert rule.effect.body == {"errors": [{"message": "down"}]}


def test_parse_rule_times_defaults() -> None:
    assert parse_rule({"status": 500}).times == 1
    assert parse_rule({"status": 500, "times": 3}).times == 3
    assert parse_rule({"status": 500, "times": None}).times is None  # until deleted
    assert parse_rule({"status": 500, "probability": 0.5, "seed": 1}).times is None
    assert parse_rule({"status": 500, "probability": 0.5, "seed": 1, "times": 2}).times == 2


def test_parse_rule_probability_without_seed_gets_a_seed_of_its_own() -> None:
    rule = parse_rule({"status": 500, "probability": 0.25})
    assert rule.probability == 0.25
    assert isinstance(rule.seed, int)
    assert 0 <= rule.seed < 2**32


def test_parse_rule_sandbox_defaults_to_the_creating_sandbox() -> None:
    assert parse_rule({"status": 500}, sandbox="team-a").match.sandbox == "team-a"
    assert (
        parse_rule({"status": 500, "sandbox": "team-b"}, sandbox="team-a").match.sandbox == "team-b"
    )
    assert parse_rule({"status": 500, "sandbox": "*"}, sandbox="team-a").match.sandbox == "*"
    assert parse_rule({"status": 500, "sandbox": None}, sandbox="team-a").match.sandbox == "team-a"
    assert parse_rule({"status": 500}).match.sandbox is None  # the default sandbox


# --- parsing: what is refused ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "fault: must be a JSON object"),
        ({}, "fault: needs an effect: status, throttled, drop or latency_ms (above 0)"),
        (
            {"latency_ms": 0},
            "fault: needs an effect: status, throttled, drop or latency_ms (above 0)",
        ),
        ({"status": 500, "drop": True}, "fault: status and drop exclude each other: give one"),
        (
            {"throttled": True, "drop": True},
            "fault: throttled and drop exclude each other: give one",
        ),
        ({"status": 200}, "status: must be an integer from 400 to 599"),
        ({"status": "500"}, "status: must be an integer from 400 to 599"),
        ({"status": True}, "status: must be an integer from 400 to 599"),
        ({"status": 500.0}, "status: must be an integer from 400 to 599"),
        ({"body": {"a": 1}}, "body: needs a status"),
        ({"headers": {"X-A": "1"}}, "headers: needs a status"),
        ({"status": 500, "body": "oops"}, "body: must be a JSON object or array"),
        ({"status": 500, "body": {"x": float("nan")}}, "body: must be plain JSON"),
        (
            {"status": 500, "headers": ["X-A"]},
            "headers: must be an object of header names to strings",
        ),
        (
            {"status": 500, "headers": {"Bad Name": "1"}},
            "headers: a header name is not a valid HTTP token",
        ),
        (
            {"status": 500, "headers": {"Connection": "close"}},
            "headers.Connection: is set by the server and cannot be faked",
        ),
        (
            {"status": 500, "headers": {"Content-Length": "1"}},
            "headers.Content-Length: is set by the server and cannot be faked",
        ),
        (
            {"status": 500, "headers": {"X-A": "a\r\nSet-Cookie: x"}},
            "headers.X-A: must be a string without control characters",
        ),
        (
            {"status": 500, "headers": {"X-A": 1}},
            "headers.X-A: must be a string without control characters",
        ),
        ({"status": 500, "headers": {"X-A": "1", "x-a": "2"}}, "headers.x-a: is given twice"),
        ({"drop": "yes"}, "drop: must be true or false"),
        ({"latency_ms": -1}, f"latency_ms: must be a number from 0 to {MAX_LATENCY_MS}"),
        (
            {"latency_ms": MAX_LATENCY_MS + 1},
            f"latency_ms: must be a number from 0 to {MAX_LATENCY_MS}",
        ),
        ({"latency_ms": float("inf")}, f"latency_ms: must be a number from 0 to {MAX_LATENCY_MS}"),
        ({"status": 500, "times": 0}, "times: must be an integer from 1 to 1000000, or null"),
        ({"status": 500, "times": 1.5}, "times: must be an integer from 1 to 1000000, or null"),
        ({"status": 500, "probability": 1.5}, "probability: must be a number from 0 to 1"),
        ({"status": 500, "probability": "0.5"}, "probability: must be a number from 0 to 1"),
        ({"status": 500, "seed": 3}, "seed: only goes with probability"),
        ({"status": 500, "probability": 0.5, "seed": 2**64}, "seed: must be a 64-bit integer"),
        (
            {"status": 500, "action": "list_observee"},
            "action: unknown action (one of " + ", ".join(ACTIONS) + ")",
        ),
        (
            {"status": 500, "action": ["list_observees", 7]},
            "action[1]: unknown action (one of " + ", ".join(ACTIONS) + ")",
        ),
        (
            {"status": 500, "action": []},
            "action: must be a Canvas action name or a non-empty list of them",
        ),
        (
            {"status": 500, "method": "FETCH"},
            "method: must be one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS",
        ),
        (
            {"status": 500, "path": "api/v1"},
            "path: must be a glob for the request path starting with / (at most 1000 chars)",
        ),
        ({"status": 500, "path": "/a\nb"}, "path: must not contain control characters"),
        ({"status": 500, "user_id": 0}, "user_id: must be a positive integer (a Canvas user id)"),
        (
            {"status": 500, "user_id": [1, True]},
            "user_id[1]: must be a positive integer (a Canvas user id)",
        ),
        (
            {"status": 500, "user_id": "self"},
            "user_id: must be a positive integer (a Canvas user id)",
        ),
        (
            {"status": 500, "sandbox": ""},
            'sandbox: must be a sandbox name, "*" for every sandbox, or null',
        ),
        ({"status": 500, "id": 4}, "id: is set by the mock; leave it out"),
        ({"status": 500, "fired": 0}, "fired: is set by the mock; leave it out"),
    ],
)
def test_parse_rule_refuses_with_a_message_naming_the_field(body: object, message: str) -> None:
    error = spec_error(body)
    assert isinstance(error, ValueError)
    assert str(error) == message


def test_parse_rule_unknown_field_lists_the_known_ones() -> None:
    message = str(spec_error({"status": 500, "statuz": 1}))
    assert message.startswith("fault: unknown field 'statuz' (known: action, method, path,")
    assert message.endswith("times, probability, seed)")


def test_parse_rule_never_repeats_the_value_sent() -> None:
    secret = "parent-token-s3cret"
    for body in (
        {"status": secret},
        {"status": 500, "action": secret},
        {"status": 500, "method": [secret]},
        {"status": 500, "user_id": secret},
        {"status": 500, "headers": {"Authorization": secret + "\n"}},
        {"status": 500, "path": secret},
    ):
        assert secret not in str(spec_error(body))


# --- matching -------------------------------------------------------------------------------


def test_match_fields_are_anded() -> None:
    match = parse_rule(
        {"action": "add_observee", "method": "PUT", "user_id": [1, 4], "status": 500}
    ).match
    assert match.matches(ADD)
    assert not match.matches(LIST)
    assert not match.matches(RequestInfo("PUT", ADD.path, "add_observee", 2))
    assert not match.matches(RequestInfo("PUT", ADD.path, "add_observee", None))
    assert not match.matches(RequestInfo("POST", ADD.path, "add_observee", 1))
    assert not match.matches(RequestInfo("PUT", ADD.path, "add_observee", 1, "other"))


def test_match_path_is_a_whole_path_glob() -> None:
    match = parse_rule({"path": "/api/v1/users/*/observees", "status": 500}).match
    assert match.matches(LIST)
    assert match.matches(RequestInfo("POST", "/api/v1/users/102/observees"))
    assert not match.matches(SHOW)
    assert not match.matches(RequestInfo("GET", "/API/v1/users/self/observees"))
    prefix = parse_rule({"path": "/api/v1/users/*/observees*", "status": 500}).match
    assert prefix.matches(SHOW)


def test_match_star_sandbox_matches_every_sandbox() -> None:
    match = parse_rule({"status": 500, "sandbox": "*"}, sandbox="default").match
    assert match.matches(RequestInfo("GET", "/x", sandbox="anything"))
    assert match.matches(RequestInfo("GET", "/x", sandbox=None))


def test_match_rule_made_in_the_default_sandbox_stays_there() -> None:
    match = parse_rule({"status": 500}, sandbox=None).match
    assert match.matches(RequestInfo("GET", "/x", sandbox=None))
    assert not match.matches(RequestInfo("GET", "/x", sandbox="team-a"))


# --- the registry ---------------------------------------------------------------------------


def test_add_numbers_rules_and_list_shows_them_in_order() -> None:
    registry = FaultRegistry()
    first = registry.add(parse_rule({"status": 500}))
    second = registry.add(parse_rule({"drop": True}))
    assert (first.id, second.id) == (1, 2)
    assert [s.rule.id for s in registry.list()] == [1, 2]
    state = registry.get(2)
    assert state is not None
    assert state.rule == second
    assert registry.get(3) is None


def test_delete_and_clear() -> None:
    registry = registry_with({"status": 500}, {"status": 503}, {"drop": True})
    assert registry.delete(2) is True
    assert registry.delete(2) is False
    assert [s.rule.id for s in registry.list()] == [1, 3]
    assert registry.clear() == 2
    assert registry.list() == []
    assert registry.add(parse_rule({"status": 500})).id == 4  # ids go on counting


def test_clear_and_list_by_sandbox() -> None:
    registry = FaultRegistry()
    registry.add(parse_rule({"status": 500}, sandbox="a"), owner="a")
    registry.add(parse_rule({"status": 500}, sandbox="b"), owner="b")
    registry.add(parse_rule({"status": 500, "sandbox": "*"}, sandbox="a"), owner="a")
    registry.add(parse_rule({"status": 500}, sandbox=None))
    registry.add(parse_rule({"status": 500, "sandbox": "*"}))  # made by the default
    assert [s.rule.id for s in registry.list_for("a")] == [1, 3, 5]
    assert [s.rule.id for s in registry.list_for(None)] == [3, 4, 5]
    # A sandbox's reset removes what is bound to it and what it made ("*" included).
    assert registry.clear_for("a") == 2
    assert [s.rule.id for s in registry.list()] == [2, 4, 5]
    assert registry.clear_for(None) == 2
    assert [s.rule.id for s in registry.list()] == [2]


def test_registry_keeps_at_most_max_rules() -> None:
    registry = FaultRegistry(max_rules=2)
    registry.add(parse_rule({"status": 500}))
    registry.add(parse_rule({"status": 500}))
    with pytest.raises(TooManyFaultRules) as caught:
        registry.add(parse_rule({"status": 500}))
    assert str(caught.value) == "fault: at most 2 rules are kept: delete some first"
    assert isinstance(caught.value, FaultSpecError)
    registry.match(LIST)  # the first one is spent and removed
    assert registry.add(parse_rule({"status": 500})).id == 3


def test_times_two_fires_twice_then_the_rule_is_gone() -> None:
    registry = registry_with({"action": "list_observees", "status": 503, "times": 2})
    first, second = registry.match(LIST), registry.match(LIST)
    assert first is not None and second is not None
    assert (first.rule_id, first.effect.status) == (1, 503)
    assert registry.match(LIST) is None
    assert registry.list() == []


def test_requests_that_do_not_match_use_up_nothing() -> None:
    registry = registry_with({"action": "add_observee", "status": 500, "times": 1})
    assert registry.match(LIST) is None
    assert registry.match(SHOW) is None
    state = registry.get(1)
    assert state is not None
    assert (state.remaining, state.fired) == (1, 0)
    assert registry.match(ADD) is not None


def test_unlimited_rule_fires_until_deleted_and_counts() -> None:
    registry = registry_with({"status": 500, "times": None})
    for _ in range(5):
        assert registry.match(LIST) is not None
    state = registry.get(1)
    assert state is not None
    assert (state.remaining, state.fired) == (None, 5)


def test_first_registered_matching_rule_wins() -> None:
    registry = registry_with(
        {"action": "show_observee", "status": 404},
        {"status": 500},
        {"action": "list_observees", "status": 503},
    )
    fault = registry.match(LIST)
    assert fault is not None and fault.rule_id == 2
    fault = registry.match(LIST)
    assert fault is not None and fault.rule_id == 3


@pytest.mark.parametrize("times", [2, 100])
def test_times_n_fires_exactly_n_times_under_8_threads(times: int) -> None:
    registry = registry_with({"status": 503, "times": times})
    start = threading.Barrier(8)
    fired: list[Fault] = []
    lock = threading.Lock()

    def work() -> None:
        start.wait()
        for _ in range(50):
            fault = registry.match(LIST)
            if fault is not None:
                with lock:
                    fired.append(fault)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fired) == times
    assert sorted(f.error_report_id for f in fired) == list(range(1, times + 1))
    assert registry.list() == []


def fire_pattern(seed: int, probability: float, requests: int) -> list[bool]:
    registry = registry_with({"status": 500, "probability": probability, "seed": seed})
    return [registry.match(LIST) is not None for _ in range(requests)]


def test_seeded_probability_is_reproducible() -> None:
    first = fire_pattern(42, 0.3, 200)
    assert fire_pattern(42, 0.3, 200) == first
    rng = Random(42)
    assert first == [rng.random() < 0.3 for _ in range(200)]
    assert 30 < sum(first) < 90
    assert fire_pattern(43, 0.3, 200) != first


def test_probability_draws_only_for_matching_requests() -> None:
    registry = registry_with(
        {"action": "list_observees", "status": 500, "probability": 0.5, "seed": 7}
    )
    pattern = []
    for _ in range(40):
        assert registry.match(SHOW) is None  # no draw
        pattern.append(registry.match(LIST) is not None)
    rng = Random(7)
    assert pattern == [rng.random() < 0.5 for _ in range(40)]


def test_probability_with_times_stops_after_n_firings() -> None:
    registry = registry_with({"status": 500, "probability": 0.5, "seed": 1, "times": 3})
    fired = sum(registry.match(LIST) is not None for _ in range(100))
    assert fired == 3
    assert registry.list() == []


def test_probability_zero_never_fires_and_lets_later_rules_fire() -> None:
    registry = registry_with(
        {"status": 500, "probability": 0, "seed": 1}, {"status": 503, "times": None}
    )
    for _ in range(10):
        fault = registry.match(LIST)
        assert fault is not None and fault.rule_id == 2


# --- JSON for GET ---------------------------------------------------------------------------


def test_to_json_shows_the_rule_and_what_is_left() -> None:
    registry = FaultRegistry()
    registry.add(
        parse_rule(
            {
                "action": "add_observee",
                "path": "/api/v1/users/*/observees/*",
                "status": 503,
                "headers": {"Retry-After": "2"},
                "latency_ms": 50,
                "times": 3,
            },
            sandbox="team-a",
        )
    )
    assert registry.match(ADD) is None  # another sandbox
    assert registry.match(RequestInfo(ADD.method, ADD.path, ADD.action, 1, "team-a")) is not None
    [state] = registry.list()
    assert state.to_json() == {
        "id": 1,
        "action": ["add_observee"],
        "method": None,
        "path": "/api/v1/users/*/observees/*",
        "user_id": None,
        "sandbox": "team-a",
        "status": 503,
        "body": None,
        "headers": {"Retry-After": "2"},
        "throttled": False,
        "drop": False,
        "latency_ms": 50,
        "times": 3,
        "probability": None,
        "seed": None,
        "remaining": 2,
        "fired": 1,
    }


def test_to_json_posted_again_gives_the_same_rule() -> None:
    rule = parse_rule(
        {"action": ["list_observees"], "method": "GET", "user_id": 100, "sandbox": "*",
         "status": 500, "body": {"a": 1}, "probability": 0.5, "seed": 9, "times": 4},
        sandbox="default",
    )  # fmt: skip
    added = FaultRegistry().add(rule)
    posted = {k: v for k, v in added.to_json().items() if k not in ("id", "remaining", "fired")}
    assert parse_rule(json.loads(json.dumps(posted)), sandbox="default") == rule


# --- responses ------------------------------------------------------------------------------


def rendered(fault: Fault) -> tuple[int, dict[str, str], Any]:
    response = fault.response()
    assert response is not None
    return response.status, dict(response.headers), json.loads(response.body)


def test_500_default_is_canvas_error_with_an_error_report_id() -> None:
    registry = registry_with({"status": 500, "times": 2})
    first, second = registry.match(LIST), registry.match(LIST)
    assert first is not None and second is not None
    assert rendered(first) == (
        500,
        {"Content-Type": "application/json; charset=utf-8"},
        {
            "errors": [{"message": "An error occurred.", "error_code": "internal_server_error"}],
            "error_report_id": 1,
        },
    )
    assert rendered(second)[2]["error_report_id"] == 2


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (400, {"errors": [{"message": "An error occurred.", "error_code": "bad_request"}]}, {}),
        (
            401,
            {"errors": [{"message": "Invalid access token."}]},
            {"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
        ),
        (
            403,
            {
                "status": "unauthorized",
                "errors": [{"message": "user not authorized to perform that action"}],
            },
            {},
        ),
        (404, {"errors": [{"message": "The specified resource does not exist."}]}, {}),
        (
            422,
            {"errors": [{"message": "An error occurred.", "error_code": "unprocessable_entity"}]},
            {},
        ),
        (
            429,
            {"errors": [{"message": "An error occurred.", "error_code": "too_many_requests"}]},
            {},
        ),
        (
            503,
            {
                "errors": [{"message": "An error occurred.", "error_code": "service_unavailable"}],
                "error_report_id": 7,
            },
            {},
        ),
        (
            599,
            {
                "errors": [{"message": "An error occurred.", "error_code": "error"}],
                "error_report_id": 7,
            },
            {},
        ),
    ],
)
def test_default_bodies_are_canvas_shaped(status: int, body: Any, headers: dict[str, str]) -> None:
    fault = Fault(FaultEffect("status", status), 1, 7)
    assert rendered(fault) == (
        status,
        {"Content-Type": "application/json; charset=utf-8", **headers},
        body,
    )


def test_canvas_error_without_report_id_has_none() -> None:
    body, headers = canvas_error(500)
    assert body == {
        "errors": [{"message": "An error occurred.", "error_code": "internal_server_error"}]
    }
    assert headers == ()


def test_custom_body_and_headers_replace_the_defaults() -> None:
    effect = FaultEffect(
        "status",
        401,
        {"errors": [{"message": "nope"}]},
        (("content-type", "application/problem+json"),),
    )
    response = Fault(effect, 1, 1).response()
    assert response is not None
    assert response.headers == (("content-type", "application/problem+json"),)
    assert response.body == b'{"errors":[{"message":"nope"}]}'


def test_json_body_is_compact_utf8() -> None:
    response = Fault(FaultEffect("status", 500, {"msg": "é"}), 1, 1).response()
    assert response is not None
    assert response.body == '{"msg":"é"}'.encode()


def test_throttled_renders_the_throttle_403_and_delay_and_drop_render_nothing() -> None:
    assert Fault(FaultEffect("throttled"), 1, 1).response() == rate_limit_exceeded()
    delay = Fault(FaultEffect("delay", latency_ms=1500), 1, 1)
    assert delay.response() is None
    assert delay.latency_seconds == 1.5
    assert not delay.drop
    drop = Fault(FaultEffect("drop"), 1, 1)
    assert drop.response() is None
    assert drop.drop


# --- the X-Mock-Canvas-Fault header ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "effect"),
    [
        ("status=503", FaultEffect("status", 503)),
        ("latency_ms=200", FaultEffect("delay", latency_ms=200)),
        ("drop", FaultEffect("drop")),
        ("throttled", FaultEffect("throttled")),
        ("status=500;latency_ms=100", FaultEffect("status", 500, latency_ms=100)),
        (" latency_ms=5 ; drop ", FaultEffect("drop", latency_ms=5)),
        ("throttled;latency_ms=0", FaultEffect("throttled")),
    ],
)
def test_fault_header_grammar(value: str, effect: FaultEffect) -> None:
    assert parse_fault_header(value) == effect


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "X-Mock-Canvas-Fault item 1: is empty"),
        ("status=503;", "X-Mock-Canvas-Fault item 2: is empty"),
        (
            "status=abc",
            "X-Mock-Canvas-Fault item 1: status must be a decimal integer of 1 to 3 digits",
        ),
        (
            "status=5030",
            "X-Mock-Canvas-Fault item 1: status must be a decimal integer of 1 to 3 digits",
        ),
        ("status=200", "X-Mock-Canvas-Fault item 1: status must be from 400 to 599"),
        (
            "status = 503",
            "X-Mock-Canvas-Fault item 1: must be drop, throttled, status=NNN or latency_ms=N",
        ),
        (
            "Status=503",
            "X-Mock-Canvas-Fault item 1: must be drop, throttled, status=NNN or latency_ms=N",
        ),
        (
            "drop=1",
            "X-Mock-Canvas-Fault item 1: must be drop, throttled, status=NNN or latency_ms=N",
        ),
        (
            "latency_ms=-1",
            "X-Mock-Canvas-Fault item 1: latency_ms must be a decimal integer of 1 to 6 digits",
        ),
        (
            "latency_ms=999999",
            f"X-Mock-Canvas-Fault item 1: latency_ms must be from 0 to {MAX_LATENCY_MS}",
        ),
        ("status=500;status=503", "X-Mock-Canvas-Fault item 2: status is given twice"),
        ("drop;drop", "X-Mock-Canvas-Fault item 2: drop is given twice"),
        ("status=500;drop", "X-Mock-Canvas-Fault: status and drop exclude each other: give one"),
        (
            "latency_ms=0",
            "X-Mock-Canvas-Fault: needs status, throttled, drop or latency_ms (above 0)",
        ),
        ("x" * 201, "X-Mock-Canvas-Fault: longer than 200 characters"),
    ],
)
def test_fault_header_refuses_with_a_message(value: str, message: str) -> None:
    with pytest.raises(FaultSpecError) as caught:
        parse_fault_header(value)
    assert str(caught.value) == message


def test_header_fault_gets_an_error_report_id_and_no_rule() -> None:
    registry = registry_with({"status": 500})
    assert registry.match(LIST) is not None  # error report 1
    fault = registry.header_fault("status=500")
    assert (fault.rule_id, fault.error_report_id) == (None, 2)
    assert rendered(fault)[2]["error_report_id"] == 2


# --- dropping the connection ----------------------------------------------------------------


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answers "ok", or drops the request when the path says so."""
    if environ["PATH_INFO"] == "/drop":
        request_drop(environ)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_drop_middleware_raises_drop_connection_outside_waitress() -> None:
    started: list[str] = []
    app = DropMiddleware(wsgi_app)
    with pytest.raises(DropConnection, match="a drop fault closed the connection"):
        app({"PATH_INFO": "/drop"}, lambda status, headers, exc_info=None: started.append(status))
    assert started == []
    assert app({"PATH_INFO": "/"}, lambda s, h, e=None: started.append(s)) == [b"ok"]
    assert started == ["200 OK"]


def test_drop_in_flask_gets_past_its_error_handlers() -> None:
    flask_app = Flask("drop-test")

    @flask_app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:  # the mock's own turns errors into a 500
        return Response("handled", status=500)

    @flask_app.get("/api/v1/users/self/observees")
    def observees() -> Response:
        request_drop(request.environ)
        return Response("never sent")

    flask_app.wsgi_app = DropMiddleware(flask_app.wsgi_app)  # type: ignore[method-assign]
    with pytest.raises(DropConnection):
        flask_app.test_client().get("/api/v1/users/self/observees")


def test_drop_under_waitress_closes_the_connection_without_a_response() -> None:
    with MockCanvasServer(DropMiddleware(wsgi_app), threads=2) as server:
        port = int(server.url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/drop")
            with pytest.raises(http.client.RemoteDisconnected):
                connection.getresponse()
        finally:
            connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/")
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, b"ok")  # still serving
        finally:
            connection.close()
