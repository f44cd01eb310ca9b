"""Flask responses in Canvas's shape: compact UTF-8 JSON, and the one error renderer."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from . import errors
from .serializers import encoded_json

JSON_MIMETYPE = "application/json; charset=utf-8"
# Told of each unexpected exception with its request, `describe(request)`.
ErrorListener = Callable[[Exception, str], None]
log = logging.getLogger("mock_canvas")


def json_text(body: Any) -> str:
    """Compact JSON, UTF-8 characters as they are. Users from serializers.user_json come
    already encoded: a list of them is joined, not encoded again (the same bytes)."""
    if type(body) is list and body:
        encoded = [encoded_json(item) for item in body]
        if None not in encoded:
            return "[" + ",".join(encoded) + "]"  # type: ignore[arg-type]
    elif (text := encoded_json(body)) is not None:
        return text
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


class JsonAnswer:
    """A Canvas JSON answer as a bare WSGI application: what the Canvas endpoints send on
    success (the hot path), without a werkzeug Response's machinery. The same status line,
    headers (Content-Type, the extra ones, Content-Length) and bytes as `json_response`."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, text: str, status: int = 200, headers: Sequence[tuple[str, str]] = ()):
        self.body = text.encode("utf-8")
        self.status = status
        self.headers = headers

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        start_response(
            f"{self.status} {HTTP_STATUS_CODES[self.status].upper()}",
            [  # in the order a werkzeug Response sends them
                *self.headers,
                ("Content-Type", JSON_MIMETYPE),
                ("Content-Length", str(len(self.body))),
            ],
        )
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


def json_answer(body: Any, headers: Sequence[tuple[str, str]] = ()) -> JsonAnswer:
    """A 200 with `body` as compact JSON (see json_text)."""
    return JsonAnswer(json_text(body), 200, headers)


def json_response(body: Any, status: int = 200, headers: Any = ()) -> Response:
    return Response(
        json_text(body), status=status, headers=list(headers), content_type=JSON_MIMETYPE
    )


def render_error(error: errors.CanvasError, auth_error_status: int = 403) -> Response:
    status = error.status
    if isinstance(error, errors.Unauthorized):
        # Canvas with api_auth_error_updates off (and older Canvas) says 401 here.
        status = auth_error_status
    return json_response(error.body, status, error.headers)


def generic_error(status: int) -> dict[str, Any]:
    """api_error_json's fallback: {"message": "An error occurred.", "error_code": "not_found"}."""
    code = {
        400: "bad_request",
        404: "not_found",
        405: "method_not_allowed",
        413: "payload_too_large",
        414: "uri_too_long",
        415: "unsupported_media_type",
        431: "request_header_fields_too_large",
        500: "internal_server_error",
    }.get(status, "error")
    return {"errors": [{"message": "An error occurred.", "error_code": code}]}


def render_http_exception(exc: HTTPException) -> Response:
    """Werkzeug's own errors (no route, body too large, unreadable form) as Canvas JSON."""
    status = exc.code or 500
    if status in (404, 405):
        # Rails has no route for an unknown path or method: the API's plain 404.
        return render_error(errors.not_found())
    return json_response(generic_error(status), status)


def describe(request: Request) -> str:
    """ "GET /path?query", for an error listener."""
    query = request.query_string.decode("utf-8", "replace")  # full_path's decode is strict
    return f"{request.method} {request.path}?{query}".rstrip("?")


def unexpected(exc: Exception, request: Request, listeners: Iterable[ErrorListener]) -> Response:
    """A bug met while answering `request`: every listener told, then Canvas's 500 (a listener
    that fails is logged, never in the way of the answer)."""
    described = describe(request)
    for listener in listeners:
        try:
            listener(exc, described)
        except Exception:
            log.exception("an error listener of mock_canvas failed")
    return render_unexpected(exc)


def render_unexpected(exc: Exception) -> Response:
    """A bug in the mock: logged with its traceback, answered like Canvas answers a 500."""
    log.error("unhandled error in mock_canvas", exc_info=exc)
    return json_response(generic_error(500), 500)
