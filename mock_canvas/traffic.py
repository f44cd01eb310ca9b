"""Around every request to the Canvas endpoints (/api/v1): the sandbox, Canvas's request
throttle, the mock's fault injection and the request journal, as one WSGI middleware in front
of Flask, in the order Canvas's stack would meet them:

1. The throttle (RequestThrottle, a Rack middleware: before routing and authentication) meters
   the caller's bucket (its token, else its IP) and refuses a full one with Canvas's text 403.
2. A fault, from the X-Mock-Canvas-Fault header or the first rule that matches, waits, answers
   an error or drops the connection before the action runs.
3. The handler (api.dispatch: routing, the view, Canvas's error bodies) answers; it notes the
   action, the caller, the parsed body and a wrong pairing code on the request's `CanvasCall`.
4. When the response starts, whatever it is, the throttle charges the request's cost and sets
   X-Request-Cost and X-Rate-Limit-Remaining; then the request goes into the journal of the
   sandbox it was sent to.

Everything here reads the WSGI environ directly and runs once per request: no Flask request
cycle, hooks or context-local lookups (this is the hot path of every Canvas call). Every other
path goes straight on to Flask.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.utils import get_content_length
from werkzeug.wrappers import Request

from . import errors
from . import params as rails
from .faults import DROP_ENVIRON_KEY, Fault, FaultSpecError, RequestInfo, request_drop
from .journal import redact, redact_query
from .responses import ErrorListener, render_error, unexpected
from .sandbox import Sandbox, Sandboxes
from .throttle import (
    Admission,
    Headers,
    RawResponse,
    Throttle,
    client_identifier,
    rate_limit_exceeded,
)

API_PREFIX = "/api/v1/"
CALL_KEY = "mock_canvas.call"
DROPPED = 0  # the journal's status for a request whose connection a fault dropped
FAULT_HEADER_KEY = "HTTP_X_MOCK_CANVAS_FAULT"  # the X-Mock-Canvas-Fault header in the environ
# What the request journal keeps of one request, at most (it keeps journal_size requests).
JOURNAL_MAX_BODY = 16 * 1024
JOURNAL_MAX_QUERY = 4096

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class CanvasCall:
    """One request to /api/v1 as it goes through the app: its sandbox (set by the pipeline),
    then what the app learns (the action, the caller, the parsed body, a wrong pairing code),
    read back for the journal and the throttle."""

    __slots__ = ("action", "body", "invalid_pairing_code", "sandbox", "user_id")

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.action: str | None = None  # the view's name; None for no route
        self.user_id: int | None = None  # the authenticated caller
        self.body: Any = None  # the parsed body (params), before redaction
        self.invalid_pairing_code = False  # the throttle charges it extra


# The answer to a Canvas request is any WSGI application (a Flask Response, a JsonAnswer);
# None hands the request to the app (Flask) inside the pipeline.
Handler = Callable[[dict[str, Any], CanvasCall], WSGIApp | None]
# The app's routing (api.Router.match): (endpoint, arguments), else werkzeug's HTTPException.
Route = Callable[[dict[str, Any]], tuple[str, Mapping[str, Any]]]


def request_path(environ: dict[str, Any]) -> str:
    """Werkzeug's `request.path`: PATH_INFO decoded as UTF-8, one leading slash."""
    path: str = environ.get("PATH_INFO") or ""
    return "/" + path.encode("latin1").decode(errors="replace").lstrip("/")


class CanvasPipeline:
    """WSGI middleware: /api/v1 requests go through steps 1-4 above to `handler`; every other
    path goes straight on to `app`."""

    def __init__(
        self,
        app: WSGIApp,
        sandboxes: Sandboxes,
        route: Route,
        handler: Handler,
        error_listeners: Iterable[ErrorListener] = (),
    ) -> None:
        self.app = app
        self.sandboxes = sandboxes
        self.route = route  # to name the action of a request answered before routing
        self.handler = handler
        self.error_listeners = error_listeners  # told of a bug here, as api.dispatch tells

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # As routing sees the path: `//api/v1/...` (a base URL ending in `/`) is /api/v1 too.
        if not environ.get("PATH_INFO", "").lstrip("/").startswith(API_PREFIX[1:]):
            return self.app(environ, start_response)
        responded: list[bool] = []

        def responding(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            responded.append(True)
            return start_response(status, headers, exc_info)

        try:
            return self._serve(environ, responding)
        except Exception as exc:
            if responded or environ.get(DROP_ENVIRON_KEY):
                raise  # too late for another answer (or the connection is being dropped)
            # A bug in the mock outside the view: told, answered like Canvas's 500.
            answer = unexpected(exc, Request(environ), self.error_listeners)
            return answer(environ, start_response)

    def _serve(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            sandbox = self.sandboxes.for_environ(environ)
        except errors.CanvasError as error:  # a bad name, an unknown or unaffordable sandbox
            refusal = render_error(error, self.sandboxes.default.settings.auth_error_status)
            return refusal(environ, start_response)  # answered, not kept
        started = time.perf_counter()
        when = sandbox.clock.now()
        call = environ[CALL_KEY] = CanvasCall(sandbox)
        token = _metered_token(environ)
        throttle = sandbox.throttle
        admission: Admission | None = None
        if sandbox.settings.throttle != "off":
            admission = throttle.begin(client_identifier(token, environ.get("REMOTE_ADDR")))
        statuses: list[int] = []

        def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(int(status[:3]))
            if admission is not None:
                headers = _set_headers(headers, _finish(throttle, admission, call))
            return start_response(status, headers, exc_info)

        try:
            try:
                early = self._early_answer(environ, sandbox, token, admission)
            except Exception as exc:  # a bug in the mock: told, answered like Canvas's 500
                early = unexpected(exc, Request(environ), self.error_listeners)
            if early is not None:  # answered before routing: the journal still names the action
                call.action = self._action(environ)
            answer = self.handler(environ, call) if early is None else early
            # None: a route the app has under /api/v1 besides Canvas's (an embedder's own).
            return (self.app if answer is None else answer)(environ, respond)
        finally:
            if admission is not None:
                _finish(throttle, admission, call)  # when the app raised: the reservation back
            dropped = bool(environ.get(DROP_ENVIRON_KEY))
            if statuses or dropped:
                try:
                    _journal(environ, call, when, started, DROPPED if dropped else statuses[0])
                except Exception as exc:  # the answer is on its way: a bug told, not raised
                    unexpected(exc, Request(environ), self.error_listeners)

    def _early_answer(
        self,
        environ: dict[str, Any],
        sandbox: Sandbox,
        token: str | None,
        admission: Admission | None,
    ) -> Response | None:
        """What answers before the app: the throttle's 403 or a fault's (after its latency);
        None lets the request through."""
        if admission is not None and admission.throttled:
            return _raw(rate_limit_exceeded())
        try:
            fault = self._fault(environ, sandbox, token)
        except errors.CanvasError as error:  # a bad X-Mock-Canvas-Fault header
            return render_error(error, sandbox.settings.auth_error_status)
        if fault is None:
            return None
        if fault.latency_seconds:
            time.sleep(fault.latency_seconds)
        if fault.drop:
            request_drop(environ)  # DropMiddleware closes the connection instead
            return Response(b"", status=500)  # never sent
        answer = fault.response()
        return None if answer is None else _raw(answer)

    def _fault(self, environ: dict[str, Any], sandbox: Sandbox, token: str | None) -> Fault | None:
        header = environ.get(FAULT_HEADER_KEY)
        if header is not None and sandbox.settings.fault_header == "on":
            try:
                return sandbox.faults.header_fault(header)
            except FaultSpecError as exc:
                raise errors.CanvasError(400, {"errors": [{"message": str(exc)}]}) from None
        if not sandbox.faults:
            return None  # no rule anywhere: nothing to match (most requests)
        return sandbox.faults.match(
            RequestInfo(
                method=request_method(environ),
                path=request_path(environ),
                action=self._action(environ),
                user_id=sandbox.store.peek_user_id(token),
                sandbox=sandbox.name,
            )
        )

    def _action(self, environ: dict[str, Any]) -> str | None:
        """The Canvas action (view name) the request routes to, None for no route: only for
        requests answered before Flask routes them (throttled, faulted)."""
        try:
            endpoint, _ = self.route(environ)
        except HTTPException:
            return None
        name = str(endpoint)
        return name.removeprefix("api.") if name.startswith("api.") else None


def request_method(environ: dict[str, Any]) -> str:
    """Werkzeug's `request.method`."""
    return str(environ.get("REQUEST_METHOD", "GET")).upper()


def _metered_token(environ: dict[str, Any]) -> str | None:
    """AuthenticationMethods.access_token(request, :GET): the Bearer header, else the query's
    access_token (the throttle never reads the body)."""
    try:
        query = rails.query_params(environ)
    except errors.CanvasError:  # a query Rack cannot parse: the view answers its 400
        query = {}
    return rails.access_token(environ, query)


def _finish(throttle: Throttle, admission: Admission, call: CanvasCall) -> Headers:
    """Charge the request (once: a second call returns the same headers)."""
    if admission.throttled:
        return throttle.finish(admission, None)
    return throttle.finish(admission, throttle.cost(invalid_pairing_code=call.invalid_pairing_code))


def _set_headers(headers: list[tuple[str, str]], values: Headers) -> list[tuple[str, str]]:
    """werkzeug's Headers.set for each value: the first header of that name replaced in place,
    any other of that name removed, else appended."""
    result = list(headers)
    for name, value in values:
        lower = name.lower()
        at = [i for i, (n, _) in enumerate(result) if n.lower() == lower]
        if not at:
            result.append((name, value))
            continue
        result[at[0]] = (name, value)
        for i in reversed(at[1:]):
            del result[i]
    return result


def _raw(answer: RawResponse) -> Response:
    response = Response(answer.body, status=answer.status)
    for name, value in answer.headers:
        response.headers[name] = value  # set: a name given twice keeps its last value
    return response


def _journal(
    environ: dict[str, Any], call: CanvasCall, when: Any, started: float, status: int
) -> None:
    size = (
        get_content_length(environ.get("CONTENT_LENGTH"), environ.get("HTTP_TRANSFER_ENCODING"))
        or 0
    )
    body: object
    if size > JOURNAL_MAX_BODY:  # bounded entries: a long run of big bodies stays small
        body = f"[{size} bytes, not kept]"
    else:  # parsed once, by the view's `atomic` wrapper
        parsed = call.body
        body = redact(parsed) or None if parsed else None
    query = redact_query(environ.get("QUERY_STRING", ""))
    if len(query) > JOURNAL_MAX_QUERY:
        query = query[:JOURNAL_MAX_QUERY] + "..."
    call.sandbox.journal.record(
        time=when,
        method=request_method(environ),
        path=request_path(environ),
        query=query,
        body=body,
        user_id=call.user_id,
        action=call.action,
        status=status,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
    )
