"""Around every request to the Canvas endpoints (/api/v1): Canvas's request throttle and the
mock's fault injection, in the order Canvas's stack would meet them.

1. The throttle (RequestThrottle, a Rack middleware: before routing and authentication) meters
   the caller's bucket (its token, else its IP) and refuses a full one with Canvas's text 403.
2. A fault, from the X-Mock-Canvas-Fault header or the first rule that matches, waits, answers
   an error or drops the connection before the action runs.
3. After the response, whatever it was, the throttle charges the request's cost and sets
   X-Request-Cost and X-Rate-Limit-Remaining.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from . import errors
from . import params as rails
from .faults import HEADER, Fault, FaultSpecError, RequestInfo, request_drop
from .sandbox import Sandbox, current
from .throttle import RawResponse, client_identifier, rate_limit_exceeded

API_PREFIX = "/api/v1/"
DROPPED = 0  # the journal's status for a request whose connection a fault dropped


def _raw(answer: RawResponse) -> Response:
    response = Response(answer.body, status=answer.status)
    for name, value in answer.headers:
        response.headers[name] = value
    return response


def _metered_token() -> str | None:
    """AuthenticationMethods.access_token(request, :GET): the Bearer header, else the query's
    access_token (the throttle never reads the body)."""
    try:
        query = rails.query_params(request)
    except errors.CanvasError:  # a query Rack cannot parse: the view answers its 400
        query = {}
    return rails.access_token(request, query)


def _fault(sandbox: Sandbox, token: str | None) -> Fault | None:
    header = request.headers.get(HEADER)
    if header is not None and sandbox.settings.fault_header == "on":
        try:
            return sandbox.faults.header_fault(header)
        except FaultSpecError as exc:
            raise errors.CanvasError(400, {"errors": [{"message": str(exc)}]}) from None
    if not sandbox.faults:
        return None  # no rule anywhere: nothing to match (most requests)
    endpoint = request.endpoint or ""
    return sandbox.faults.match(
        RequestInfo(
            method=request.method,
            path=request.path,
            action=endpoint.removeprefix("api.") if endpoint.startswith("api.") else None,
            user_id=sandbox.store.peek_user_id(token),
            sandbox=sandbox.name,
        )
    )


def _before() -> Response | None:
    if not request.path.startswith(API_PREFIX):
        return None
    sandbox = current()
    token = _metered_token()
    if sandbox.settings.throttle != "off":
        throttle = sandbox.throttle
        admission = throttle.begin(client_identifier(token, request.remote_addr))
        g.throttle = throttle, admission
        if admission.throttled:
            return _raw(rate_limit_exceeded())
    fault = _fault(sandbox, token)
    if fault is None:
        return None
    if fault.latency_seconds:
        time.sleep(fault.latency_seconds)
    if fault.drop:
        request_drop(request.environ)  # DropMiddleware closes the connection instead
        g.fault_dropped = True
        return Response(b"", status=500)  # never sent
    answer = fault.response()
    return None if answer is None else _raw(answer)


def _after(response: Response) -> Response:
    metered = g.get("throttle")
    if metered is not None:
        throttle, admission = metered
        cost = throttle.cost(invalid_pairing_code=g.get("invalid_pairing_code", False))
        for name, value in throttle.finish(admission, None if admission.throttled else cost):
            response.headers[name] = value
    return response


def install(app: Flask) -> None:
    """Register the hooks (after the journal's, so its after_request sees the final answer)."""
    app.before_request(_before)
    app.after_request(_after)
