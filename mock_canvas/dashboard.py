"""Blueprint /__mock__/ (dashboard): the mock's state as an HTML page, for people.

Rendered on the server with Jinja2 (autoescaped: user data is always text); paging, search
and filters are query parameters, so every panel works without JavaScript. One small script
(static/dashboard.js) sends the actions to the same control API the tests use, with the
control token as a Bearer header, and shows Canvas's error when a rule refuses one.

The control token (MOCK_CANVAS_CONTROL_TOKEN) is never rendered into a page. The login form
sets a signed session cookie that lets *pages* (GET, read-only) render; the script keeps
the token in the tab's sessionStorage for the control calls, which never accept a cookie,
so another site cannot make a browser change the state (no CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from . import arrange
from .control import mock
from .serializers import iso8601

bp = Blueprint("dashboard", __name__, url_prefix="/__mock__", template_folder="templates")

SESSION_KEY = "mock_canvas_control"  # an HMAC of the control token, never the token
CSRF_KEY = "mock_canvas_csrf"
ASSETS = {"dashboard.css": "text/css; charset=utf-8", "dashboard.js": "text/javascript"}
JOURNAL_ROWS = 100
SANDBOX_PREFIX = "/sandboxes/"
# No inline script or style, nothing from elsewhere, never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@bp.record_once
def _configure(state: BlueprintSetupState) -> None:
    app = state.app
    if not app.secret_key:
        # Per process: a restart logs everyone out, which is what a test server wants.
        app.secret_key = secrets.token_bytes(32)
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


@bp.after_request
def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# -- the control token --------------------------------------------------------------------


def control_token() -> str | None:
    """The server's control token (a fixture cannot set it)."""
    mock_canvas = current_app.extensions["mock_canvas"]
    settings = getattr(mock_canvas, "base_settings", None) or mock_canvas.settings
    token: str | None = settings.control_token
    return token


def _marker(token: str) -> str:
    key = current_app.secret_key
    key_bytes = key.encode() if isinstance(key, str) else bytes(key or b"")
    return hmac.new(key_bytes, token.encode(), hashlib.sha256).hexdigest()


def _authorized(token: str) -> bool:
    """The session cookie of a login with this token, or the token as a Bearer header."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Bearer" and secrets.compare_digest(given.strip().encode(), token.encode()):
        return True
    marker = session.get(SESSION_KEY)
    return isinstance(marker, str) and secrets.compare_digest(marker, _marker(token))


# -- pages --------------------------------------------------------------------------------


@bp.get("/", provide_automatic_options=False)
def dashboard() -> ResponseReturnValue:
    token = control_token()
    if token and not _authorized(token):
        return redirect(url_for("dashboard.login_form"), 303)
    html = render_template("dashboard/index.html", **_context(request.args))
    return Response(html, content_type="text/html; charset=utf-8")


@bp.get("/login", provide_automatic_options=False)
def login_form() -> ResponseReturnValue:
    if not control_token():
        return redirect(url_for("dashboard.dashboard"), 303)
    return _login_page(None, 200)


@bp.post("/login", provide_automatic_options=False)
def login() -> ResponseReturnValue:
    token = control_token()
    if not token:
        return redirect(url_for("dashboard.dashboard"), 303)
    given = request.form.get("token", "")
    if not secrets.compare_digest(given.strip().encode(), token.encode()):
        return _login_page("That is not the control token.", 401)
    session.clear()
    session[SESSION_KEY] = _marker(token)
    session[CSRF_KEY] = secrets.token_urlsafe(32)
    return redirect(url_for("dashboard.dashboard"), 303)


@bp.post("/logout", provide_automatic_options=False)
def logout() -> ResponseReturnValue:
    """Forget the login. The form carries the session's CSRF value: another site cannot
    log a person out."""
    expected = session.get(CSRF_KEY)
    given = request.form.get("csrf", "")
    if isinstance(expected, str) and secrets.compare_digest(given.encode(), expected.encode()):
        session.clear()
    return redirect(url_for("dashboard.login_form"), 303)


def _login_page(error: str | None, status: int) -> Response:
    html = render_template("dashboard/login.html", error=error, asset=asset_url)
    return Response(html, status=status, content_type="text/html; charset=utf-8")


@cache
def _asset(name: str) -> tuple[bytes, str]:
    data = resources.files("mock_canvas").joinpath("static", name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def asset_url(name: str) -> str:
    return url_for("dashboard.asset", name=name, v=_asset(name)[1])


@bp.get("/assets/<name>", provide_automatic_options=False)
def asset(name: str) -> ResponseReturnValue:
    """The page's stylesheet and script: public code, no secret, so no token needed."""
    if name not in ASSETS:
        raise NotFound()
    data, digest = _asset(name)
    response = Response(data, content_type=ASSETS[name])
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.set_etag(digest)
    return response.make_conditional(request)


# -- what the page shows ------------------------------------------------------------------


def human_seconds(seconds: int) -> str:
    """`in 6 d 23 h` or `3 h 5 min ago`: the two largest units."""
    rest = abs(seconds)
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if rest >= size or (size == 1 and not parts):
            parts.append(f"{rest // size} {unit}")
            rest %= size
        if len(parts) == 2:
            break
    text = " ".join(parts)
    return f"in {text}" if seconds > 0 else f"{text} ago"


def _int(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name, "").strip()
    return int(raw) if re.fullmatch(r"-?[0-9]{1,18}", raw) else None


def _account_tree(accounts: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Each account with its depth, sub-accounts under their parent."""
    children: dict[int | None, list[dict[str, Any]]] = {}
    for account in accounts:
        children.setdefault(account["parent_id"], []).append(account)
    tree: list[tuple[dict[str, Any], int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for account in children.get(parent, []):
            tree.append((account, depth))
            if depth < 32:  # a fixture cannot make a cycle; stay bounded anyway
                walk(account["id"], depth + 1)

    walk(None, 0)
    return tree


def _sandboxes() -> tuple[str | None, list[str], str]:
    """The current sandbox's name, every named sandbox, and the server root URL path."""
    current = getattr(mock(), "name", None)
    registry = getattr(current_app.extensions["mock_canvas"], "sandboxes", None)
    names: list[str] = []
    if registry is not None and hasattr(registry, "list"):
        names = [s.name for s in registry.list() if getattr(s, "name", None)]
    root = request.script_root
    if current is not None and root.endswith(SANDBOX_PREFIX + current):
        root = root[: -len(SANDBOX_PREFIX + current)]
    return current, names, root


def _context(args: Mapping[str, str]) -> dict[str, Any]:
    state = mock()
    store = state.store
    now = state.clock.now()
    accounts = arrange.accounts_list(store)
    query = args.get("q", "")
    users = arrange.users_page(state, query, arrange.page_args(args, lenient=True))
    link_root = _int(args, "links_root")
    link_state = args.get("links_state") if args.get("links_state") in arrange.LINK_STATES else None
    link_user = _int(args, "links_user")
    links = arrange.links_page(
        store,
        arrange.page_args(args, prefix="links_", lenient=True, per_page=10),
        root_account_id=link_root,
        link_state=link_state,
        user_id=link_user,
    )
    codes = arrange.pairing_codes_page(
        state, arrange.page_args(args, prefix="codes_", lenient=True, per_page=10)
    )
    action = args.get("action") or None
    journal_user = _int(args, "user")
    entries = state.journal.entries(action=action, user=journal_user)
    journal = [e.to_json() for e in reversed(entries[-JOURNAL_ROWS:])]
    current, sandboxes, root = _sandboxes()
    actions = sorted(
        rule.endpoint.removeprefix("api.")
        for rule in current_app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    )
    base = url_for("dashboard.dashboard")

    def page_url(**changes: Any) -> str:
        merged = {k: v for k, v in args.items() if k not in changes}
        merged.update({k: v for k, v in changes.items() if v not in (None, "")})
        return base + ("?" + urlencode(merged) if merged else "")

    return {
        "state": state,
        "now": iso8601(now),
        "frozen": state.clock.frozen,
        "counts": store.counts(),
        "source": store.dataset.source,
        "accounts": _account_tree(accounts),
        "roots": [a for a in accounts if a["parent_id"] is None],
        "query": query,
        "users": users,
        "links": links,
        "link_filter": {"root": link_root, "state": link_state, "user": link_user},
        "codes": codes,
        "journal": journal,
        "journal_filter": {"action": action, "user": journal_user},
        "actions": list(dict.fromkeys(actions)),
        "sandbox": current,
        "sandboxes": sandboxes,
        "server_root": root,
        "dashboard_path": base[len(request.script_root) :],
        "base": base,
        "token_required": bool(control_token()),
        "csrf": session.get(CSRF_KEY, ""),
        "page_url": page_url,
        "asset": asset_url,
        "human_seconds": human_seconds,
        "pages": _pages,
    }


def _pages(envelope: Mapping[str, Any]) -> int:
    total: int = envelope["total"]
    per_page: int = envelope["per_page"]
    return max(1, -(-total // per_page))
