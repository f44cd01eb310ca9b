"""Blueprint /__mock__: health, reset, fixture replacement and the state, for test authors."""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources
from typing import Any

import yaml
from flask import Blueprint, Response, current_app, request

from . import errors
from .fixtures import FixtureError, dump_dataset, load_bytes
from .responses import JSON_MIMETYPE, json_response

bp = Blueprint("control", __name__, url_prefix="/__mock__")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
# Open to all, even with a control token: they reveal nothing (the document holds no secret).
OPEN_ENDPOINTS = frozenset({"control.health", "control.openapi"})


def mock() -> Any:
    return current_app.extensions["mock_canvas"]


@bp.before_request
def _require_control_token() -> None:
    """With MOCK_CANVAS_CONTROL_TOKEN set, every control call but health and the OpenAPI
    document needs it."""
    token = mock().settings.control_token
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
    store = mock().store
    store.reset()
    return json_response({"status": "ok", **store.counts()})


@bp.put("/fixtures", provide_automatic_options=False)
def replace_fixtures() -> Response:
    store = mock().store
    try:
        dataset = load_bytes(request.get_data(), source="request body")
    except FixtureError as exc:
        return json_response({"errors": [{"message": line} for line in exc.problems]}, 400)
    store.load(dataset)
    return json_response({"status": "ok", **store.counts()})


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
