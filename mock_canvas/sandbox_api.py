"""Blueprint /__mock__/sandboxes: create, list, show, reset and delete named sandboxes.

Served on the unprefixed paths only: a sandbox does not manage sandboxes."""

from __future__ import annotations

from flask import Blueprint, Response, request

from . import errors
from .control import _require_control_token, fixture_body, registry
from .responses import json_response
from .sandbox import Sandbox, in_named_sandbox

bp = Blueprint("sandboxes", __name__, url_prefix="/__mock__/sandboxes")


@bp.before_request
def _guard() -> None:
    _require_control_token()
    if in_named_sandbox():
        raise errors.not_found()


def _named(name: str) -> Sandbox:
    registry().check_name(name)
    sandbox = registry().get(name)
    if sandbox is None:
        raise errors.not_found()
    return sandbox


@bp.get("", provide_automatic_options=False)
def list_sandboxes() -> Response:
    return json_response([sandbox.to_json() for sandbox in registry().list()])


@bp.put("/<name>", provide_automatic_options=False)
def put_sandbox(name: str) -> Response:
    """An empty body: a fresh copy of the server's fixture; else the body is the fixture.
    An existing sandbox of that name is replaced (200), a new one is created (201)."""
    registry().check_name(name)
    dataset = fixture_body() if request.content_length or request.get_data() else None
    sandbox, created = registry().put(name, dataset)
    return json_response(sandbox.to_json(), 201 if created else 200)


@bp.get("/<name>", provide_automatic_options=False)
def show_sandbox(name: str) -> Response:
    return json_response(_named(name).to_json())


@bp.post("/<name>/reset", provide_automatic_options=False)
def reset_sandbox(name: str) -> Response:
    sandbox = _named(name)
    sandbox.reset()
    return json_response(sandbox.to_json())


@bp.delete("/<name>", provide_automatic_options=False)
def delete_sandbox(name: str) -> Response:
    registry().check_name(name)
    if not registry().delete(name):
        raise errors.not_found()
    return json_response({"deleted": name})
