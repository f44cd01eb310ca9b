"""Fault injection: rules a test registers (POST /__mock__/faults) that make matching Canvas
requests fail, wait or lose their connection, and the X-Mock-Canvas-Fault header for a
one-off. No Flask here: the HTTP layer asks `FaultRegistry.match` and renders the `Fault`."""

from __future__ import annotations

import json
import math
import re
import secrets
import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from random import Random
from typing import Any, Literal

from . import errors
from .throttle import Headers, RawResponse, rate_limit_exceeded

HEADER = "X-Mock-Canvas-Fault"
DROP_ENVIRON_KEY = "mock_canvas.fault.drop"
JSON_TYPE = "application/json; charset=utf-8"
ACTIONS = (
    "list_observees",
    "list_observers",
    "add_observee_with_credentials",
    "show_observee",
    "add_observee",
    "remove_observee",
    "show_observer",
    "create_observer_pairing_code",
)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
MAX_LATENCY_MS = 120_000  # a delayed request holds one of the server's threads meanwhile
MAX_TIMES = 1_000_000
MAX_HEADER_LENGTH = 200
MAX_RULES = 1000  # rules one registry keeps
ANY_SANDBOX = "*"

EffectKind = Literal["status", "throttled", "drop", "delay"]

# Rails' status names (Rack 2's HTTP_STATUS_CODES, underscored), as api_error_json's
# fallback puts them in `error_code`.
_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    407: "proxy_authentication_required",
    408: "request_timeout",
    409: "conflict",
    410: "gone",
    411: "length_required",
    412: "precondition_failed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    417: "expectation_failed",
    421: "misdirected_request",
    422: "unprocessable_entity",
    423: "locked",
    424: "failed_dependency",
    425: "too_early",
    426: "upgrade_required",
    428: "precondition_required",
    429: "too_many_requests",
    431: "request_header_fields_too_large",
    451: "unavailable_for_legal_reasons",
    500: "internal_server_error",
    501: "not_implemented",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
    505: "http_version_not_supported",
    506: "variant_also_negotiates",
    507: "insufficient_storage",
    508: "loop_detected",
    510: "not_extended",
    511: "network_authentication_required",
}
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# waitress refuses hop-by-hop headers from an app; Content-Length is the server's to set.
_RESERVED_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FaultSpecError(ValueError):
    """A fault rule or X-Mock-Canvas-Fault header that does not parse. The message names the
    field and never repeats the value sent."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class TooManyFaultRules(FaultSpecError):
    """A rule added to a full registry."""

    def __init__(self, limit: int) -> None:
        super().__init__("fault", f"at most {limit} rules are kept: delete some first")


class DropConnection(Exception):
    """A `drop` fault outside waitress (Flask's test client): there is no socket to close, so
    the caller gets this exception instead of a response."""


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """What a rule can match on, for one request to a Canvas endpoint."""

    method: str
    path: str  # the path without the query string
    action: str | None = None  # the Canvas action, None for no route
    user_id: int | None = None  # the caller, None when the token does not authenticate
    sandbox: str | None = None  # the sandbox's name, None for the default sandbox


@dataclass(frozen=True, slots=True)
class FaultMatch:
    """The request a rule fires on: every field given must match (None matches anything)."""

    actions: tuple[str, ...] | None = None
    methods: tuple[str, ...] | None = None
    path: str | None = None  # an fnmatch glob over the whole path, case-sensitive
    user_ids: tuple[int, ...] | None = None
    sandbox: str | None = None  # a sandbox name, None: the default sandbox, "*": every one

    def matches(self, request: RequestInfo) -> bool:
        return (
            (self.sandbox == ANY_SANDBOX or request.sandbox == self.sandbox)
            and (self.actions is None or request.action in self.actions)
            and (self.methods is None or request.method.upper() in self.methods)
            and (self.path is None or fnmatchcase(request.path, self.path))
            and (self.user_ids is None or request.user_id in self.user_ids)
        )


@dataclass(frozen=True, slots=True)
class FaultEffect:
    """What a fault does: answer `status` (with `body`, or Canvas's default for it), answer
    like Canvas's throttle, drop the connection, or only wait (`delay`) and then let the
    request through. `latency_ms` comes first in every case."""

    kind: EffectKind
    status: int | None = None
    body: Any = None  # a JSON object or array; None: Canvas's body for the status
    headers: Headers = ()
    latency_ms: float = 0


@dataclass(frozen=True, slots=True)
class FaultRule:
    """A registered fault: which requests, what effect, how often."""

    match: FaultMatch
    effect: FaultEffect
    times: int | None = 1  # fires on this many matching requests, then is gone; None: no limit
    probability: float | None = None  # fire on each matching request with this chance
    seed: int | None = None  # the rule's own Random(seed), given with probability
    id: int | None = None  # set by FaultRegistry.add

    def to_json(self, remaining: int | None = None, fired: int = 0) -> dict[str, Any]:
        """The rule in the shape it was posted in, plus id, remaining firings and fired."""
        match, effect = self.match, self.effect
        return {
            "id": self.id,
            "action": list(match.actions) if match.actions is not None else None,
            "method": list(match.methods) if match.methods is not None else None,
            "path": match.path,
            "user_id": list(match.user_ids) if match.user_ids is not None else None,
            "sandbox": match.sandbox,
            "status": effect.status,
            "body": effect.body,
            "headers": dict(effect.headers),
            "throttled": effect.kind == "throttled",
            "drop": effect.kind == "drop",
            "latency_ms": effect.latency_ms,
            "times": self.times,
            "probability": self.probability,
            "seed": self.seed,
            "remaining": self.times if remaining is None else remaining,
            "fired": fired,
        }


@dataclass(frozen=True, slots=True)
class FaultRuleState:
    """A registered rule and how much of it is left."""

    rule: FaultRule
    remaining: int | None  # None: no limit
    fired: int

    def to_json(self) -> dict[str, Any]:
        return self.rule.to_json(self.remaining, self.fired)


def canvas_error(status: int, error_report_id: int | None = None) -> tuple[Any, Headers]:
    """Canvas's JSON body (and headers) for an API error with this status: the mock's own
    errors for 400/401/403/404, else api_error_json's fallback, with the error report id
    ApplicationController#rescue_action_in_api adds for a server error."""
    known: dict[int, errors.CanvasError] = {
        400: errors.bad_parameters(),
        401: errors.invalid_access_token(),
        403: errors.Unauthorized(),
        404: errors.not_found(),
    }
    if status in known:
        error = known[status]
        return error.body, error.headers
    code = _ERROR_CODES.get(status, "error")  # "error": as responses.generic_error
    body: dict[str, Any] = {"errors": [{"message": "An error occurred.", "error_code": code}]}
    if status >= 500 and error_report_id is not None:
        body["error_report_id"] = error_report_id
    return body, ()


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault that fired for one request."""

    effect: FaultEffect
    rule_id: int | None  # None: from the X-Mock-Canvas-Fault header
    error_report_id: int  # what a default 5xx body reports

    @property
    def latency_seconds(self) -> float:
        return self.effect.latency_ms / 1000

    @property
    def drop(self) -> bool:
        return self.effect.kind == "drop"

    def response(self) -> RawResponse | None:
        """The answer to send once the latency is over; None for `delay` (handle the request
        as usual) and `drop` (mark it with `request_drop`)."""
        effect = self.effect
        if effect.kind == "throttled":
            return rate_limit_exceeded()
        if effect.kind != "status" or effect.status is None:
            return None
        if effect.body is None:
            body, default_headers = canvas_error(effect.status, self.error_report_id)
        else:
            body, default_headers = effect.body, ()
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        headers = _merge_headers((("Content-Type", JSON_TYPE), *default_headers), effect.headers)
        return RawResponse(effect.status, headers, text.encode("utf-8"))


def _merge_headers(base: Headers, overrides: Headers) -> Headers:
    names = {name.lower() for name, _ in overrides}
    return tuple((n, v) for n, v in base if n.lower() not in names) + overrides


# --- parsing a rule -----------------------------------------------------------------------

_MATCH_FIELDS = ("action", "method", "path", "user_id", "sandbox")
_EFFECT_FIELDS = ("status", "body", "headers", "throttled", "drop", "latency_ms")
_FIRING_FIELDS = ("times", "probability", "seed")
_FIELDS = _MATCH_FIELDS + _EFFECT_FIELDS + _FIRING_FIELDS
_READ_ONLY = ("id", "remaining", "fired")


def _int_in(value: object, low: int, high: int) -> int | None:
    """`value` if it is an integer (not a bool) from low to high, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return None


def _number_in(value: object, low: float, high: float) -> float | None:
    """`value` if it is a finite number (not a bool) from low to high, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return value


def _one_or_many(field: str, value: object, what: str) -> list[object]:
    if isinstance(value, list):
        if not value:
            raise FaultSpecError(field, f"must be {what} or a non-empty list of them")
        return list(value)
    return [value]


def _actions(value: object) -> tuple[str, ...]:
    names: set[str] = set()
    for i, item in enumerate(_one_or_many("action", value, "a Canvas action name")):
        label = "action" if not isinstance(value, list) else f"action[{i}]"
        if not isinstance(item, str) or item not in ACTIONS:
            raise FaultSpecError(label, "unknown action (one of " + ", ".join(ACTIONS) + ")")
        names.add(item)
    return tuple(a for a in ACTIONS if a in names)


def _methods(value: object) -> tuple[str, ...]:
    names: set[str] = set()
    for i, item in enumerate(_one_or_many("method", value, "an HTTP method")):
        label = "method" if not isinstance(value, list) else f"method[{i}]"
        if not isinstance(item, str) or item.upper() not in METHODS:
            raise FaultSpecError(label, "must be one of " + ", ".join(METHODS))
        names.add(item.upper())
    return tuple(m for m in METHODS if m in names)


def _user_ids(value: object) -> tuple[int, ...]:
    ids: list[int] = []
    for i, item in enumerate(_one_or_many("user_id", value, "a user id")):
        label = "user_id" if not isinstance(value, list) else f"user_id[{i}]"
        user_id = _int_in(item, 1, (1 << 63) - 1)
        if user_id is None:
            raise FaultSpecError(label, "must be a positive integer (a Canvas user id)")
        if user_id not in ids:
            ids.append(user_id)
    return tuple(ids)


def _path(value: object) -> str:
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 1000:
        raise FaultSpecError(
            "path", "must be a glob for the request path starting with / (at most 1000 chars)"
        )
    if _CONTROL.search(value):
        raise FaultSpecError("path", "must not contain control characters")
    return value


def _sandbox(value: object, creating_sandbox: str | None) -> str | None:
    if value is None:
        return creating_sandbox
    if not isinstance(value, str) or not 1 <= len(value) <= 200 or _CONTROL.search(value):
        raise FaultSpecError("sandbox", 'must be a sandbox name, "*" for every sandbox, or null')
    return value


def _status(value: object) -> int:
    status = _int_in(value, 400, 599)
    if status is None:
        raise FaultSpecError("status", "must be an integer from 400 to 599")
    return status


def _body(value: object) -> Any:
    if not isinstance(value, dict | list):
        raise FaultSpecError("body", "must be a JSON object or array")
    try:
        # A copy: the rule must not change if the caller's object does.
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        raise FaultSpecError("body", "must be plain JSON") from None


def _headers(value: object) -> Headers:
    if not isinstance(value, dict):
        raise FaultSpecError("headers", "must be an object of header names to strings")
    if len(value) > 50:
        raise FaultSpecError("headers", "at most 50 headers")
    result: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, text in value.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name) or len(name) > 100:
            raise FaultSpecError("headers", "a header name is not a valid HTTP token")
        label = f"headers.{name}"
        if name.lower() in _RESERVED_HEADERS:
            raise FaultSpecError(label, "is set by the server and cannot be faked")
        if name.lower() in seen:
            raise FaultSpecError(label, "is given twice")
        if (
            not isinstance(text, str)
            or len(text) > 4096
            or _CONTROL.search(text.replace("\t", " "))
        ):
            raise FaultSpecError(label, "must be a string without control characters")
        seen.add(name.lower())
        result.append((name, text))
    return tuple(result)


def _flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise FaultSpecError(field, "must be true or false")
    return value


def _latency(value: object) -> float:
    latency = _number_in(value, 0, MAX_LATENCY_MS)
    if latency is None:
        raise FaultSpecError("latency_ms", f"must be a number from 0 to {MAX_LATENCY_MS}")
    return latency


def _times(value: object) -> int:
    times = _int_in(value, 1, MAX_TIMES)
    if times is None:
        raise FaultSpecError("times", f"must be an integer from 1 to {MAX_TIMES}, or null")
    return times


def _probability(value: object) -> float:
    probability = _number_in(value, 0, 1)
    if probability is None:
        raise FaultSpecError("probability", "must be a number from 0 to 1")
    return float(probability)


def _seed(value: object) -> int:
    seed = _int_in(value, -(1 << 63), (1 << 63) - 1)
    if seed is None:
        raise FaultSpecError("seed", "must be a 64-bit integer")
    return seed


def parse_rule(body: object, *, sandbox: str | None = None) -> FaultRule:
    """A rule from a POST /__mock__/faults body, checked strictly. `sandbox` names the sandbox
    the creating request was sent to (None: the default sandbox); a rule whose body has no
    `sandbox` (or null) fires there only, "*" fires in every sandbox."""
    if not isinstance(body, dict):
        raise FaultSpecError("fault", "must be a JSON object")
    for key in body:
        if not isinstance(key, str) or key not in _FIELDS:
            if isinstance(key, str) and key in _READ_ONLY:
                raise FaultSpecError(key, "is set by the mock; leave it out")
            shown = key[:40] if isinstance(key, str) else "(not a string)"
            raise FaultSpecError(
                "fault", f"unknown field {shown!r} (known: " + ", ".join(_FIELDS) + ")"
            )
    given = {k: v for k, v in body.items() if v is not None}

    match = FaultMatch(
        actions=_actions(given["action"]) if "action" in given else None,
        methods=_methods(given["method"]) if "method" in given else None,
        path=_path(given["path"]) if "path" in given else None,
        user_ids=_user_ids(given["user_id"]) if "user_id" in given else None,
        sandbox=_sandbox(body.get("sandbox"), sandbox),
    )

    status = _status(given["status"]) if "status" in given else None
    throttled = _flag("throttled", given["throttled"]) if "throttled" in given else False
    drop = _flag("drop", given["drop"]) if "drop" in given else False
    latency = _latency(given["latency_ms"]) if "latency_ms" in given else 0
    flags = {"status": status is not None, "throttled": throttled, "drop": drop}
    kinds = [name for name, on in flags.items() if on]
    if len(kinds) > 1:
        raise FaultSpecError("fault", " and ".join(kinds) + " exclude each other: give one")
    reply_body = _body(given["body"]) if "body" in given else None
    headers = _headers(given["headers"]) if "headers" in given else ()
    if status is None and (reply_body is not None or headers):
        raise FaultSpecError("body" if reply_body is not None else "headers", "needs a status")
    kind: EffectKind
    if status is not None:
        kind = "status"
    elif throttled:
        kind = "throttled"
    elif drop:
        kind = "drop"
    elif latency > 0:
        kind = "delay"
    else:
        raise FaultSpecError(
            "fault", "needs an effect: status, throttled, drop or latency_ms (above 0)"
        )
    effect = FaultEffect(kind, status, reply_body, headers, latency)

    probability = _probability(given["probability"]) if "probability" in given else None
    if "seed" in given and probability is None:
        raise FaultSpecError("seed", "only goes with probability")
    seed: int | None = None
    if probability is not None:
        # Unseeded: a seed of its own, shown by GET so that a run can be replayed.
        seed = _seed(given["seed"]) if "seed" in given else secrets.randbits(32)
    if "times" in body:
        times = _times(body["times"]) if body["times"] is not None else None
    else:
        times = None if probability is not None else 1
    return FaultRule(match, effect, times, probability, seed)


def parse_fault_header(value: str) -> FaultEffect:
    """The effect an X-Mock-Canvas-Fault header asks for, once, for its own request.

    Grammar (items in any order, each at most once, spaces around items ignored):
        value = item *( ";" item )
        item  = "drop" / "throttled" / "status=" 3DIGIT / "latency_ms=" 1*6DIGIT
    with status 400-599, latency_ms 0-120000, and at most one of status, throttled, drop.
    Examples: `status=503`, `latency_ms=200`, `drop`, `status=500;latency_ms=100`."""
    if len(value) > MAX_HEADER_LENGTH:
        raise FaultSpecError(HEADER, f"longer than {MAX_HEADER_LENGTH} characters")
    status: int | None = None
    latency: int | None = None
    flags: set[str] = set()
    for position, raw in enumerate(value.split(";"), start=1):
        item = raw.strip(" \t")
        name, eq, number = item.partition("=")
        label = f"{HEADER} item {position}"
        if not item:
            raise FaultSpecError(label, "is empty")
        if name in ("drop", "throttled") and not eq:
            if name in flags:
                raise FaultSpecError(label, f"{name} is given twice")
            flags.add(name)
            continue
        if name not in ("status", "latency_ms") or not eq:
            raise FaultSpecError(label, "must be drop, throttled, status=NNN or latency_ms=N")
        if (status if name == "status" else latency) is not None:
            raise FaultSpecError(label, f"{name} is given twice")
        digits = 3 if name == "status" else 6
        if not (number.isascii() and number.isdigit() and len(number) <= digits):
            raise FaultSpecError(label, f"{name} must be a decimal integer of 1 to {digits} digits")
        if name == "status":
            status = _header_number(label, "status", int(number), 400, 599)
        else:
            latency = _header_number(label, "latency_ms", int(number), 0, MAX_LATENCY_MS)
    kinds = (["status"] if status is not None else []) + sorted(flags)
    if len(kinds) > 1:
        raise FaultSpecError(HEADER, " and ".join(kinds) + " exclude each other: give one")
    if kinds:
        kind: EffectKind = (
            "status" if status is not None else ("drop" if "drop" in flags else "throttled")
        )
    elif latency:
        kind = "delay"
    else:
        raise FaultSpecError(HEADER, "needs status, throttled, drop or latency_ms (above 0)")
    return FaultEffect(kind, status, None, (), latency or 0)


def _header_number(label: str, name: str, number: int, low: int, high: int) -> int:
    if not low <= number <= high:
        raise FaultSpecError(label, f"{name} must be from {low} to {high}")
    return number


# --- the registry -------------------------------------------------------------------------


class _Entry:
    __slots__ = ("fired", "owner", "remaining", "rng", "rule")

    def __init__(self, rule: FaultRule, owner: str | None) -> None:
        self.rule = rule
        self.owner = owner  # the sandbox whose control API registered it (None: default)
        self.remaining = rule.times
        self.fired = 0
        self.rng = Random(rule.seed) if rule.probability is not None else None

    def state(self) -> FaultRuleState:
        return FaultRuleState(self.rule, self.remaining, self.fired)


_States = list[FaultRuleState]


class FaultRegistry:
    """The registered rules of one mock, thread-safe. Rules are tried in the order they were
    added; the first that matches and fires wins, and its firing is used up atomically."""

    def __init__(self, max_rules: int = MAX_RULES) -> None:
        self.max_rules = max_rules
        self._lock = threading.Lock()
        self._entries: dict[int, _Entry] = {}
        self._next_id = 1  # goes on counting after a clear, like the journal
        self._next_error_report_id = 1

    def add(self, rule: FaultRule, owner: str | None = None) -> FaultRule:
        """Register a rule made through `owner`'s control API (None: the default sandbox);
        the rule with its id. TooManyFaultRules when max_rules are kept."""
        with self._lock:
            if len(self._entries) >= self.max_rules:
                raise TooManyFaultRules(self.max_rules)
            rule_id = self._next_id
            self._next_id += 1
            rule = replace(rule, id=rule_id)
            self._entries[rule_id] = _Entry(rule, owner)
        return rule

    def __bool__(self) -> bool:
        """Whether any rule is registered (a read of the dict's size: no lock needed)."""
        return bool(self._entries)

    def get(self, rule_id: int) -> FaultRuleState | None:
        with self._lock:
            entry = self._entries.get(rule_id)
            return entry.state() if entry is not None else None

    def list(self) -> _States:
        """Every rule still registered, oldest first."""
        with self._lock:
            return [e.state() for e in self._entries.values()]

    def list_for(self, sandbox: str | None) -> _States:
        """The rules that can fire in this sandbox (None: the default one): its own and the
        every-sandbox ("*") rules, oldest first."""
        with self._lock:
            return [
                e.state()
                for e in self._entries.values()
                if e.rule.match.sandbox in (ANY_SANDBOX, sandbox)
            ]

    def delete(self, rule_id: int) -> bool:
        """Remove one rule; whether it was there."""
        with self._lock:
            return self._entries.pop(rule_id, None) is not None

    def clear(self) -> int:
        """Remove every rule; how many there were."""
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
        return count

    def clear_for(self, sandbox: str | None) -> int:
        """Remove the rules bound to this sandbox (None: the default one) and the rules it
        registered, its "*" ones included (a reset leaves nothing of its own behind); how
        many."""
        with self._lock:
            doomed = [
                i
                for i, e in self._entries.items()
                if e.rule.match.sandbox == sandbox or e.owner == sandbox
            ]
            for i in doomed:
                del self._entries[i]
        return len(doomed)

    def match(self, request: RequestInfo) -> Fault | None:
        """The fault for this request, if a rule fires; its firing is used up, and a rule
        with none left is removed, under one lock (N racing requests for `times: N` see
        exactly N faults). A probability rule draws from its Random once per matching
        request it is asked about, and when it does not fire the next rules are tried."""
        with self._lock:
            for rule_id, entry in self._entries.items():
                rule = entry.rule
                if not rule.match.matches(request):
                    continue
                if entry.rng is not None and not entry.rng.random() < (rule.probability or 0):
                    continue
                entry.fired += 1
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining <= 0:
                        del self._entries[rule_id]
                return self._fault(rule.effect, rule_id)
        return None

    def header_fault(self, value: str) -> Fault:
        """The one-off fault an X-Mock-Canvas-Fault header asks for (FaultSpecError if it
        does not parse)."""
        effect = parse_fault_header(value)
        with self._lock:
            return self._fault(effect, None)

    def _fault(self, effect: FaultEffect, rule_id: int | None) -> Fault:
        error_report_id = self._next_error_report_id
        self._next_error_report_id += 1
        return Fault(effect, rule_id, error_report_id)


# --- dropping a connection ----------------------------------------------------------------


def request_drop(environ: MutableMapping[str, Any]) -> None:
    """Mark this request (its WSGI environ) for DropMiddleware: whatever response the app
    then returns is never sent."""
    environ[DROP_ENVIRON_KEY] = True


class DropMiddleware:
    """WSGI middleware that closes the connection of a request marked by `request_drop`
    without sending a byte. It raises from `start_response`, which Flask calls after its
    error handlers, so the exception reaches the server: under waitress it is waitress's
    ClientDisconnected, on which waitress closes the socket and logs one INFO line (no 500,
    no traceback); elsewhere (Flask's test client) it is DropConnection, raised to the caller.
    Put it outermost: `app.wsgi_app = DropMiddleware(app.wsgi_app)`."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def guarded(status: str, headers: Any, exc_info: Any = None) -> Any:
            if environ.get(DROP_ENVIRON_KEY):
                raise _disconnect(environ)
            return start_response(status, headers, exc_info)

        return self.app(environ, guarded)


def _disconnect(environ: dict[str, Any]) -> Exception:
    if "waitress.client_disconnected" in environ:  # set by waitress for every request
        from waitress.channel import ClientDisconnected

        return ClientDisconnected("mock_canvas: a drop fault closed the connection")
    return DropConnection("mock_canvas: a drop fault closed the connection")
