"""Reading a Flask request the way Rails and Canvas read it: params, token, base URL."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request

from . import errors
from .pagination import Params, add_param, parse_query

# Characters a Rails route helper leaves alone in a path segment.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_AWK_SPACE = " \t\n\v\f\r"


_QUERY_KEY = "mock_canvas.query_params"


def query_params(environ: dict[str, Any]) -> Params:
    """request.query_parameters: only the URL's query string (parsed once per request; the
    result is shared, never changed in place)."""
    cached: Params | None = environ.get(_QUERY_KEY)
    if cached is None:
        raw = environ.get("QUERY_STRING", "").encode("latin1")
        cached = environ[_QUERY_KEY] = parse_query(_utf8(raw))
    return cached


def has_body(request: Request) -> bool:
    """Whether the request carries a body at all (a length above 0, or chunked)."""
    environ = request.environ
    length = environ.get("CONTENT_LENGTH")
    if length and length != "0":
        return True
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def _utf8(raw: bytes) -> str:
    """Raw bytes that are not UTF-8 are Rails' 400 ("Invalid parameter encoding")."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.bad_parameters() from None


def body_params(request: Request) -> Params:
    """request.request_parameters: a form or JSON body, nested with Rack's rules."""
    if not has_body(request):
        return {}
    mimetype = request.mimetype
    if mimetype == "application/json":
        raw = request.get_data(cache=True)
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise errors.bad_request("The request body is not valid JSON.") from None
        # Rails wraps a JSON body that is not an object in `_json`.
        return data if isinstance(data, dict) else {"_json": data}
    if mimetype == "multipart/form-data":
        params: Params = {}
        for key, value in request.form.items(multi=True):
            if key is not None:  # a part whose name cannot be read: Rack skips it too
                add_param(params, key, value)
        return params
    if mimetype in ("application/x-www-form-urlencoded", ""):
        return parse_query(_utf8(request.get_data(cache=True)))
    return {}


def rails_params(request: Request) -> tuple[Params, Params, Params]:
    """(params, query, body): params is Rails' `request_parameters.merge(query_parameters)`,
    so the query wins."""
    query = query_params(request.environ)
    body = body_params(request)
    return {**body, **query}, query, body


def _awk_split2(value: str) -> list[str]:
    """Ruby's `value.split(" ", 2)`: leading blanks dropped, split at the first blank run."""
    value = value.lstrip(_AWK_SPACE)
    for index, char in enumerate(value):
        if char in _AWK_SPACE:
            return [value[:index], value[index:].lstrip(_AWK_SPACE)]
    return [value] if value else []


def access_token(environ: dict[str, Any], params: Params) -> str | None:
    """AuthenticationMethods.access_token: the Bearer header, else the access_token param."""
    # A repeated header reaches Rack joined by ", " (waitress joins it so in the environ).
    header = environ.get("HTTP_AUTHORIZATION")
    if header is not None and header.strip(_AWK_SPACE):
        parts = _awk_split2(header)
        if parts[0] == "Bearer":
            # `Authorization: Bearer` alone is no token at all, and the param is not read.
            return parts[1] if len(parts) > 1 else None
    value = params.get("access_token")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # `.presence`: blank is absent
    # An array or hash is present but can never be a token.
    return value if isinstance(value, str) else "\x00"


def base_url(request: Request) -> str:
    """request.base_url as Rails builds it: scheme and Host, default ports dropped."""
    # Werkzeug empties a Host header it cannot use (`a b`, `x:abc`): fall back to the
    # address the server listens on rather than build `http:///...`.
    host = request.host or f"{request.environ.get('SERVER_NAME', 'localhost')}:" + str(
        request.environ.get("SERVER_PORT", "80")
    )
    scheme = request.scheme
    default_port = {"http": ":80", "https": ":443"}.get(scheme)
    if default_port and host.endswith(default_port):
        host = host[: -len(default_port)]
    return f"{scheme}://{host}"


def request_url(request: Request, base: str | None = None) -> str:
    """The absolute URL of this path as the client wrote it (`self` stays `self`); `base`:
    `base_url(request)` when the caller has it already."""
    if base is None:
        base = base_url(request)
    return base + quote(request.script_root + request.path, safe=_PATH_SAFE)
