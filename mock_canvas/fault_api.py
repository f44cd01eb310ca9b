"""Blueprint /__mock__/faults: register, list and remove fault rules for this sandbox."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from . import errors
from .control import _require_control_token, json_only, parsed_json
from .errors import bad_request
from .faults import ANY_SANDBOX, FaultRuleState, FaultSpecError, parse_rule
from .responses import json_response
from .sandbox import NAME, current

bp = Blueprint("faults", __name__, url_prefix="/__mock__/faults")
bp.before_request(_require_control_token)


def _body() -> Any:
    json_only()  # another site cannot plant a rule
    return parsed_json()


def _check_target(rule_sandbox: str | None, caller: str | None) -> None:
    """From a named sandbox, a rule may only target that sandbox: one test worker cannot
    fault another's. The default sandbox may target any sandbox, or all ("*")."""
    if caller is not None and rule_sandbox != caller:
        raise bad_request(f'sandbox: a rule made in sandbox "{caller}" can only apply there.')
    if rule_sandbox not in (None, ANY_SANDBOX) and not NAME.fullmatch(rule_sandbox):
        raise bad_request(f'sandbox: must be a sandbox name, "{ANY_SANDBOX}" or null.')


def _visible(rule_id: int) -> FaultRuleState:
    """A rule that can fire in this sandbox (its own or an every-sandbox one), else 404."""
    sandbox = current()
    for state in sandbox.faults.list_for(sandbox.name):
        if state.rule.id == rule_id:
            return state
    raise errors.not_found()


@bp.post("", provide_automatic_options=False)
def add_fault() -> Response:
    """A rule; `sandbox` defaults to the sandbox the call was sent to."""
    sandbox = current()
    try:
        parsed = parse_rule(_body(), sandbox=sandbox.name)
        _check_target(parsed.match.sandbox, sandbox.name)
        rule = sandbox.faults.add(parsed, owner=sandbox.name)
    except FaultSpecError as exc:
        raise bad_request(str(exc)) from None
    state = sandbox.faults.get(rule.id or 0)
    return json_response(state.to_json() if state else rule.to_json(), 201)


@bp.get("", provide_automatic_options=False)
def list_faults() -> Response:
    sandbox = current()
    return json_response([state.to_json() for state in sandbox.faults.list_for(sandbox.name)])


@bp.delete("", provide_automatic_options=False)
def clear_faults() -> Response:
    """The rules bound to this sandbox and the rules it made (its "*" ones too)."""
    sandbox = current()
    return json_response({"status": "ok", "cleared": sandbox.faults.clear_for(sandbox.name)})


@bp.get("/<int:rule_id>", provide_automatic_options=False)
def show_fault(rule_id: int) -> Response:
    return json_response(_visible(rule_id).to_json())


@bp.delete("/<int:rule_id>", provide_automatic_options=False)
def delete_fault(rule_id: int) -> Response:
    _visible(rule_id)
    current().faults.delete(rule_id)
    return json_response({"deleted": rule_id})
