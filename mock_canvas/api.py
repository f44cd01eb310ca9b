"""/api/v1: the eight User Observees endpoints. Parse -> store -> serialize.

The routes are declared on the `api` blueprint (so Flask's URL map lists them: the OpenAPI
contract, the dashboard and the journal's action names read it), but Flask never runs them:
CanvasPipeline (traffic.py) hands every /api/v1 request to `dispatch` here, which routes it with
the same URL map and answers without Flask's request cycle. One request costs the mock's own
work plus werkzeug's routing, request and response objects (the hot path of every test).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import Map, MapAdapter, RequestRedirect
from werkzeug.wrappers import Request

from . import errors
from . import params as rails
from .model import Account, User
from .pagination import PageRequest, Params, link_header, parse_page_request
from .responses import (
    ErrorListener,
    JsonAnswer,
    json_answer,
    render_error,
    render_http_exception,
    unexpected,
)
from .serializers import UserView, pairing_code_json, user_json, user_json_text
from .settings import Settings
from .store import Page, Store
from .traffic import CanvasCall, request_method, request_path

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# What a view answers: a JSON 200 (JsonAnswer) or an error (a Flask Response); both WSGI apps.
Answer = JsonAnswer | Response
View = Callable[..., Answer]
# Endpoint ("api.list_observees") -> the view, wrapped by `atomic`: what `dispatch` calls.
VIEWS: dict[str, View] = {}


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated API request, read once."""

    request: Request
    store: Store
    settings: Settings
    caller: User
    domain: Account
    params: Params
    query: Params


def atomic(view: View) -> View:
    """Run a whole API call under the store's lock: authentication, the host's root account
    and the action see one state, even while a fixture is being replaced. The view gets the
    `Call` as its first argument."""

    @functools.wraps(view)
    def locked(req: Request, canvas: CanvasCall, **kwargs: str) -> Answer:
        # Read the body before taking the lock; the journal keeps what was parsed here.
        params, query, canvas.body = rails.rails_params(req)
        sandbox = canvas.sandbox
        store: Store = sandbox.store
        with store.locked():
            caller = store.authenticate(rails.access_token(req.environ, params))
            canvas.user_id = caller.id  # for the request journal
            domain = store.domain_root_account(req.host)
            call = Call(req, store, sandbox.settings, caller, domain, params, query)
            return view(call, **kwargs)

    return locked


def _served_by_the_pipeline(**kwargs: str) -> Answer:
    # The blueprint's routes exist for the URL map; CanvasPipeline answers every request.
    raise RuntimeError("/api/v1 is served by mock_canvas.traffic.CanvasPipeline, not Flask")


def route(method: str, rule: str) -> Callable[[View], View]:
    """Declare a Canvas endpoint: its rule on the blueprint, its view in VIEWS."""

    def register(view: View) -> View:
        bp.add_url_rule(
            rule,
            view.__name__,
            _served_by_the_pipeline,
            methods=[method],
            strict_slashes=False,
            provide_automatic_options=False,
        )
        VIEWS[f"{bp.name}.{view.__name__}"] = atomic(view)
        return view

    return register


class Router:
    """Routes a request with the app's URL map. The routes match on the path and the method
    alone, so one map adapter bound at start-up serves every request. What binding to the
    request itself would refuse (a Host werkzeug cannot encode: its 400) is checked once per
    distinct Host, and werkzeug's redirects (`//` in a path) are built from the request's own
    adapter, for their Location."""

    MAX_HOSTS = 1024  # Host values whose check is kept

    def __init__(self, url_map: Map) -> None:
        self.url_map = url_map
        self._adapter = url_map.bind("localhost")
        self._hosts: dict[tuple[object, ...], bool] = {}

    def match(self, environ: dict[str, Any]) -> tuple[str, Mapping[str, Any]]:
        """(endpoint, arguments), or werkzeug's HTTPException (400 for a bad Host, 404,
        405, a redirect)."""
        self._check_host(environ)
        try:
            endpoint, args = self._adapter.match(request_path(environ), request_method(environ))
        except RequestRedirect:
            endpoint, args = self._bound(environ).match()
        return str(endpoint), args

    def _bound(self, environ: dict[str, Any]) -> MapAdapter:
        return self.url_map.bind_to_environ(environ, subdomain="")

    def _check_host(self, environ: dict[str, Any]) -> None:
        key = tuple(
            environ.get(name)
            for name in ("HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme")
        )
        usable = self._hosts.get(key)
        if usable is None:
            try:
                self._bound(environ)
                usable = True
            except HTTPException:
                usable = False
            if len(self._hosts) >= self.MAX_HOSTS:
                self._hosts.clear()
            self._hosts[key] = usable
        if not usable:
            self._bound(environ)  # raises werkzeug's answer again


def _limit_body(req: Request, settings: Settings) -> None:
    """One limit for every API body, whatever its type: larger is a 413."""
    if not rails.has_body(req):
        return  # nothing to limit (most GETs)
    limit = settings.max_body_bytes
    req.max_content_length = limit
    req.max_form_memory_size = limit
    req.max_form_parts = 4096  # Rack's multipart part limit
    if req.content_length is not None and req.content_length > limit:
        raise RequestEntityTooLarge()


def dispatch(
    environ: dict[str, Any],
    canvas: CanvasCall,
    router: Router,
    error_listeners: Iterable[ErrorListener],
) -> Answer | RequestRedirect | None:
    """Answer one /api/v1 request: route it, run its view, render any error as Canvas does
    (an unknown path or method is the API's plain 404). None for a route under /api/v1 that is
    not Canvas's (added to the app by an embedder): the pipeline hands it to Flask."""
    settings = canvas.sandbox.settings
    req = Request(environ)
    try:
        try:
            endpoint, args = router.match(environ)
        except RequestRedirect as redirect:  # `//` in the path: werkzeug's 308, as Flask sends
            return redirect
        except HTTPException as exc:
            return render_http_exception(exc)
        view = VIEWS.get(endpoint)
        if view is None:
            return None  # a route of the app's own under /api/v1: Flask serves it
        canvas.action = endpoint.removeprefix("api.")
        _limit_body(req, settings)
        return view(req, canvas, **args)
    except errors.CanvasError as error:
        if isinstance(error, errors.InvalidPairingCode):
            canvas.invalid_pairing_code = True  # the throttle charges it extra
        return render_error(error, settings.auth_error_status)
    except HTTPException as exc:  # a body over the limit, a form werkzeug cannot read
        return render_http_exception(exc)
    except Exception as exc:  # a bug in the mock: listeners told (the pytest plugin), a 500
        return unexpected(exc, req, error_listeners)


def _user_response(call: Call, view: UserView) -> Answer:
    return json_answer(user_json(view, base_url=rails.base_url(call.request)))


def _wants_avatar(params: Params) -> bool:
    # `include=avatar_url` without brackets is a String, and String#include? is a substring test.
    include = params.get("include")
    if isinstance(include, list):
        return "avatar_url" in include
    return isinstance(include, str) and "avatar_url" in include


def _list_response(call: Call, page: Page, page_request: PageRequest) -> Answer:
    base = rails.base_url(call.request)
    avatar = _wants_avatar(call.params)
    users = [user_json_text(view, base_url=base, include_avatar=avatar) for view in page.views]
    link = link_header(
        rails.request_url(call.request, base),
        call.query,
        page_request.page or 1,
        page_request.per_page,
        page.total,
    )
    # Canvas sends no Link header at all when every link is over its 6 KB budget.
    body = "[" + ",".join(users) + "]"
    return JsonAnswer(body, 200, [("Link", link)] if link else ())


def _page_request(call: Call) -> PageRequest:
    return parse_page_request(
        call.params, call.settings.default_per_page, call.settings.max_per_page
    )


@route("GET", "/users/<user_id>/observees")
def list_observees(call: Call, user_id: str) -> Answer:
    page_request = _page_request(call)
    page = call.store.list_observees(call.caller, user_id, call.domain, page_request)
    return _list_response(call, page, page_request)


@route("GET", "/users/<user_id>/observers")
def list_observers(call: Call, user_id: str) -> Answer:
    page_request = _page_request(call)
    page = call.store.list_observers(call.caller, user_id, call.domain, page_request)
    return _list_response(call, page, page_request)


@route("POST", "/users/<user_id>/observees")
def add_observee_with_credentials(call: Call, user_id: str) -> Answer:
    view = call.store.add_observee(call.caller, user_id, call.params, call.domain)
    return _user_response(call, view)


@route("GET", "/users/<user_id>/observees/<observee_id>")
def show_observee(call: Call, user_id: str, observee_id: str) -> Answer:
    view = call.store.show_observee(call.caller, user_id, observee_id, call.domain)
    return _user_response(call, view)


@route("PUT", "/users/<user_id>/observees/<observee_id>")
def add_observee(call: Call, user_id: str, observee_id: str) -> Answer:
    view = call.store.link_observee(
        call.caller, user_id, observee_id, call.params.get("root_account_id"), call.domain
    )
    return _user_response(call, view)


@route("DELETE", "/users/<user_id>/observees/<observee_id>")
def remove_observee(call: Call, user_id: str, observee_id: str) -> Answer:
    view = call.store.remove_observee(call.caller, user_id, observee_id, call.domain)
    return _user_response(call, view)


@route("GET", "/users/<user_id>/observers/<observer_id>")
def show_observer(call: Call, user_id: str, observer_id: str) -> Answer:
    view = call.store.show_observer(call.caller, user_id, observer_id, call.domain)
    return _user_response(call, view)


@route("POST", "/users/<user_id>/observer_pairing_codes")
def create_observer_pairing_code(call: Call, user_id: str) -> Answer:
    code = call.store.create_pairing_code(call.caller, user_id, call.domain)
    return json_answer(pairing_code_json(code))
