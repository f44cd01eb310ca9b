"""Blueprint /__mock__: health, reset, fixture replacement, the state, the clock and the
request journal, for test authors."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import yaml
from flask import Blueprint, Response, current_app, request

from . import errors
from .errors import bad_request
from .fixtures import FixtureError, dump_dataset, load_bytes
from .journal import time_text
from .model import Dataset
from .responses import JSON_MIMETYPE, json_response
from .sandbox import MAX_SNAPSHOTS, Sandbox, Sandboxes, TooManySnapshots, current

bp = Blueprint("control", __name__, url_prefix="/__mock__")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
# Open to all, even with a control token: they reveal nothing (the document holds no secret).
OPEN_ENDPOINTS = frozenset({"control.health", "control.openapi"})


def mock() -> Sandbox:
    """The sandbox the request was sent to (the default one for unprefixed paths)."""
    return current()


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _refuse_cross_site() -> None:
    """A browser on another site can send simple POSTs (a form, text/plain) without asking:
    a control call that changes state is refused when its Origin is not this server, so a
    web page cannot reset or rearrange a developer's mock. Clients that are not browsers
    send no Origin; the dashboard's own calls carry this server's."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    if origin is None:
        return
    if urlsplit(origin).netloc.lower() != request.host.lower():
        raise errors.CanvasError(
            403, {"errors": [{"message": "Control calls from another site are refused."}]}
        )


@bp.before_request
def _require_control_token() -> None:
    """With MOCK_CANVAS_CONTROL_TOKEN set, every control call but health and the OpenAPI
    document needs it. A call that changes state from another site is refused in any case."""
    _refuse_cross_site()
    # The server's setting (a fixture cannot set it); read without making a sandbox.
    token = current_app.extensions["mock_canvas"].base_settings.control_token
    if not token or request.endpoint in OPEN_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme != "Bearer" or not secrets.compare_digest(given.strip().encode(), token.encode()):
        raise errors.CanvasError(
            401,
            {
                "errors": [
                    {"message": "This control call needs the control token as a Bearer token."}
                ]
            },
            (("WWW-Authenticate", 'Bearer realm="mock-canvas-control"'),),
        )


@bp.get("/health", provide_automatic_options=False)
def health() -> Response:
    return json_response({"status": "ok"})


@cache
def openapi_text() -> str:
    """The packaged OpenAPI document (mock_canvas/data/openapi.json), read once."""
    return resources.files("mock_canvas").joinpath("data/openapi.json").read_text("utf-8")


@bp.get("/openapi.json", provide_automatic_options=False)
def openapi() -> Response:
    return Response(openapi_text(), content_type=JSON_MIMETYPE)


@bp.post("/reset", provide_automatic_options=False)
def reset() -> Response:
    state = mock()
    state.reset()
    return json_response({"status": "ok", **state.store.counts()})


def fixture_body() -> Dataset:
    """The request body as a fixture (YAML or JSON), or a 400 naming every problem."""
    try:
        return load_bytes(request.get_data(), source="request body")
    except FixtureError as exc:
        raise errors.CanvasError(
            400, {"errors": [{"message": line} for line in exc.problems]}
        ) from None


@bp.put("/fixtures", provide_automatic_options=False)
def replace_fixtures() -> Response:
    sandbox = mock()
    dataset = fixture_body()
    registry().check_room(sandbox, dataset)
    sandbox.load(dataset)  # snapshots are dropped: they would not fit the new fixture
    return json_response({"status": "ok", **sandbox.store.counts()})


@bp.get("/state", provide_automatic_options=False)
def state() -> Response:
    document = dump_dataset(mock().store.export())
    wants_yaml = request.args.get("format") == "yaml" or (
        request.accept_mimetypes.best_match(["application/json", *YAML_TYPES]) in YAML_TYPES
    )
    if wants_yaml:
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        return Response(text, content_type="application/yaml; charset=utf-8")
    return json_response(document)


def json_only() -> None:
    """Refuse (415) a body not sent as application/json: a page on another site cannot send
    that type without a CORS preflight, which the mock never grants."""
    if request.mimetype != "application/json":
        raise errors.CanvasError(
            415, {"errors": [{"message": "The body must be JSON, sent as application/json."}]}
        )


def parsed_json() -> Any:
    """The request body as JSON (an empty body is null), or a 400."""
    try:
        return json.loads(request.get_data() or b"null")
    except (ValueError, RecursionError):
        raise bad_request("The request body is not valid JSON.") from None


SNAPSHOT_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


@bp.post("/snapshots", provide_automatic_options=False)
def save_snapshot() -> Response:
    """{"name": "before-sync"}: keep the current state under that name (replacing one)."""
    body = parsed_json()
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not SNAPSHOT_NAME.fullmatch(name):
        raise bad_request(
            'The body must be {"name": ...} with 1 to 64 characters of A-Z, a-z, 0-9, ".", '
            '"_" and "-".'
        )
    try:
        saved = mock().save_snapshot(name)
    except TooManySnapshots:
        raise bad_request(
            f"At most {MAX_SNAPSHOTS} snapshots are kept: delete one, or reuse a name."
        ) from None
    return json_response(saved.to_json(), 201)


@bp.get("/snapshots", provide_automatic_options=False)
def list_snapshots() -> Response:
    return json_response([saved.to_json() for saved in mock().snapshots()])


@bp.post("/snapshots/<name>/restore", provide_automatic_options=False)
def restore_snapshot(name: str) -> Response:
    """The state becomes the snapshot's; a reset still goes back to the loaded fixture."""
    state = mock()
    saved = state.snapshot(name)
    if saved is None:
        raise errors.not_found()
    try:
        state.store.restore(saved.snapshot)
    except ValueError:  # taken of another fixture (loaded without the control API)
        state.delete_snapshot(name)
        raise errors.not_found() from None
    return json_response({"status": "ok", "restored": name, **state.store.counts()})


@bp.delete("/snapshots/<name>", provide_automatic_options=False)
def delete_snapshot(name: str) -> Response:
    if not mock().delete_snapshot(name):
        raise errors.not_found()
    return json_response({"deleted": name})


def parse_instant(value: Any, name: str) -> datetime:
    """An ISO 8601 date-time with a zone (`Z` or an offset), as an aware UTC datetime."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            try:
                return moment.astimezone(UTC)
            except OverflowError:  # 9999-12-31T23:59:59-14:00 is past the year 9999 in UTC
                raise bad_request(f"{name} must be within the years 1 to 9999 in UTC.") from None
    raise bad_request(
        f"{name} must be an ISO 8601 date-time with a zone, e.g. 2030-01-01T00:00:00Z"
    )


def clock_json() -> Response:
    clock = mock().clock
    return json_response({"now": time_text(clock.now()), "frozen": clock.frozen})


@bp.get("/clock", provide_automatic_options=False)
def clock() -> Response:
    return clock_json()


MAX_ADVANCE_SECONDS = 100 * 366 * 86400
CLOCK_ACTIONS = ("freeze", "set", "advance_seconds", "unfreeze", "real")


@bp.put("/clock", provide_automatic_options=False)
def set_clock() -> Response:
    """One action per call: {"freeze": true | instant}, {"set": instant},
    {"advance_seconds": n}, {"unfreeze": true} or {"real": true}."""
    body = parsed_json()
    usage = "The body must be a JSON object with exactly one of: " + ", ".join(CLOCK_ACTIONS)
    if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in CLOCK_ACTIONS:
        raise bad_request(usage + ".")
    ((action, value),) = body.items()
    try:
        _clock_action(action, value)
    except OverflowError:
        raise bad_request("That would take the clock out of the years 1 to 9999.") from None
    return clock_json()


def _clock_action(action: str, value: Any) -> None:
    clock = mock().clock
    if action == "freeze":
        if value is True:
            clock.freeze()
        else:
            clock.freeze(parse_instant(value, "freeze"))
    elif action == "set":
        clock.set(parse_instant(value, "set"))
    elif action == "advance_seconds":
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not abs(value) <= MAX_ADVANCE_SECONDS  # NaN and infinities too
        ):
            raise bad_request("advance_seconds must be a number of seconds (at most 100 years).")
        clock.advance(timedelta(seconds=value))
    elif value is not True:
        raise bad_request(f"{action} must be true.")
    elif action == "unfreeze":
        clock.unfreeze()
    else:
        clock.real()


def int_filter(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer.") from None


@bp.get("/requests", provide_automatic_options=False)
def list_requests() -> Response:
    since_raw = request.args.get("since")
    since = None if since_raw is None else parse_instant(since_raw, "since")
    limit = int_filter("limit")
    if limit is not None and limit < 1:
        raise bad_request("limit must be an integer of at least 1.")
    entries = mock().journal.entries(
        action=request.args.get("action") or None,
        user=int_filter("user"),
        status=int_filter("status"),
        since=since,
        after_id=int_filter("after_id"),
        limit=limit,
    )
    return json_response([entry.to_json() for entry in entries])


@bp.delete("/requests", provide_automatic_options=False)
def clear_requests() -> Response:
    return json_response({"status": "ok", "cleared": mock().journal.clear()})


def registry() -> Sandboxes:
    sandboxes: Sandboxes = current_app.extensions["mock_canvas"].sandboxes
    return sandboxes
