"""Blueprint /api/v1: the eight User Observees endpoints. Parse -> store -> serialize."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from . import params as rails
from .model import Account, User
from .pagination import PageRequest, Params, link_header, parse_page_request
from .responses import json_response
from .sandbox import Sandbox, current
from .serializers import UserView, pairing_code_json, user_json
from .settings import Settings
from .store import Page, Store

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated API request, read once."""

    store: Store
    settings: Settings
    caller: User
    domain: Account
    params: Params
    query: Params


def mock() -> Sandbox:
    """The sandbox the request was sent to (the default one for unprefixed paths)."""
    return current()


def atomic(view: Callable[..., Response]) -> Callable[..., Response]:
    """Run a whole API call under the store's lock: authentication, the host's root account
    and the action see one state, even while a fixture is being replaced."""

    @functools.wraps(view)
    def locked(**kwargs: str) -> Response:
        # Read the body before taking the lock; the journal keeps what was parsed here.
        params, query, g.canvas_body = rails.rails_params(request)
        g.canvas_params = params, query
        with mock().store.locked():
            return view(**kwargs)

    return locked


@bp.before_request
def _limit_body() -> None:
    """One limit for every API body, whatever its type: larger is a 413."""
    if not rails.has_body(request):
        return  # nothing to limit (most GETs)
    limit = mock().settings.max_body_bytes
    request.max_content_length = limit
    request.max_form_memory_size = limit
    request.max_form_parts = 4096  # Rack's multipart part limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def _call() -> Call:
    state = mock()
    params, query = g.canvas_params
    store: Store = state.store
    caller = store.authenticate(rails.access_token(request, params))
    g.canvas_user_id = caller.id  # for the request journal
    domain = store.domain_root_account(request.host)
    return Call(store, state.settings, caller, domain, params, query)


def _user_response(view: UserView) -> Response:
    return json_response(user_json(view, base_url=rails.base_url(request)))


def _wants_avatar(params: Params) -> bool:
    # `include=avatar_url` without brackets is a String, and String#include? is a substring test.
    include = params.get("include")
    if isinstance(include, list):
        return "avatar_url" in include
    return isinstance(include, str) and "avatar_url" in include


def _list_response(call: Call, page: Page, page_request: PageRequest) -> Response:
    base = rails.base_url(request)
    avatar = _wants_avatar(call.params)
    body = [user_json(view, base_url=base, include_avatar=avatar) for view in page.views]
    link = link_header(
        rails.request_url(request),
        call.query,
        page_request.page or 1,
        page_request.per_page,
        page.total,
    )
    # Canvas sends no Link header at all when every link is over its 6 KB budget.
    return json_response(body, headers=[("Link", link)] if link else [])


def _page_request(call: Call) -> PageRequest:
    return parse_page_request(
        call.params, call.settings.default_per_page, call.settings.max_per_page
    )


@bp.get("/users/<user_id>/observees", strict_slashes=False, provide_automatic_options=False)
@atomic
def list_observees(user_id: str) -> Response:
    call = _call()
    page_request = _page_request(call)
    page = call.store.list_observees(call.caller, user_id, call.domain, page_request)
    return _list_response(call, page, page_request)


@bp.get("/users/<user_id>/observers", strict_slashes=False, provide_automatic_options=False)
@atomic
def list_observers(user_id: str) -> Response:
    call = _call()
    page_request = _page_request(call)
    page = call.store.list_observers(call.caller, user_id, call.domain, page_request)
    return _list_response(call, page, page_request)


@bp.post("/users/<user_id>/observees", strict_slashes=False, provide_automatic_options=False)
@atomic
def add_observee_with_credentials(user_id: str) -> Response:
    call = _call()
    view = call.store.add_observee(call.caller, user_id, call.params, call.domain)
    return _user_response(view)


@bp.get(
    "/users/<user_id>/observees/<observee_id>",
    strict_slashes=False,
    provide_automatic_options=False,
)
@atomic
def show_observee(user_id: str, observee_id: str) -> Response:
    call = _call()
    view = call.store.show_observee(call.caller, user_id, observee_id, call.domain)
    return _user_response(view)


@bp.put(
    "/users/<user_id>/observees/<observee_id>",
    strict_slashes=False,
    provide_automatic_options=False,
)
@atomic
def add_observee(user_id: str, observee_id: str) -> Response:
    call = _call()
    view = call.store.link_observee(
        call.caller, user_id, observee_id, call.params.get("root_account_id"), call.domain
    )
    return _user_response(view)


@bp.delete(
    "/users/<user_id>/observees/<observee_id>",
    strict_slashes=False,
    provide_automatic_options=False,
)
@atomic
def remove_observee(user_id: str, observee_id: str) -> Response:
    call = _call()
    view = call.store.remove_observee(call.caller, user_id, observee_id, call.domain)
    return _user_response(view)


@bp.get(
    "/users/<user_id>/observers/<observer_id>",
    strict_slashes=False,
    provide_automatic_options=False,
)
@atomic
def show_observer(user_id: str, observer_id: str) -> Response:
    call = _call()
    view = call.store.show_observer(call.caller, user_id, observer_id, call.domain)
    return _user_response(view)


@bp.post(
    "/users/<user_id>/observer_pairing_codes", strict_slashes=False, provide_automatic_options=False
)
@atomic
def create_observer_pairing_code(user_id: str) -> Response:
    call = _call()
    code = call.store.create_pairing_code(call.caller, user_id, call.domain)
    return json_response(pairing_code_json(code))
