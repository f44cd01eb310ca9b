"""The OpenAPI document: valid, up to date, served, complete, and true to the server.

- it validates as OpenAPI 3.1 (openapi-spec-validator);
- it is what scripts/build_openapi.py writes;
- GET /__mock__/openapi.json serves it, without the control token;
- every route under /api/v1 and /__mock__ is documented, and every documented operation is a
  route (operationId = the Flask view's name);
- real answers, one or more for every documented (operation, status, content type), validate
  against the documented schemas and headers with jsonschema (the throttling 403 is not
  implemented: its documented body is checked against Canvas's literal text instead).
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest
import requests
import yaml
from flask import Flask
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from mock_canvas.app import create_app
from mock_canvas.faults import parse_rule
from mock_canvas.model import Dataset
from mock_canvas.server import MockCanvasServer
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.conftest import MINIMAL_FIXTURE

ROOT = Path(__file__).resolve().parents[2]
DOC_URI = "urn:mock-canvas:openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
KB = 1024


@cache
def document() -> dict[str, Any]:
    text = resources.files("mock_canvas").joinpath("data/openapi.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


@cache
def registry() -> Registry:
    resource: Resource[Any] = Resource.from_contents(document(), default_specification=DRAFT202012)
    return cast("Registry[Any]", Registry().with_resource(DOC_URI, resource))


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow a `$ref` to a component (responses, headers, parameters)."""
    while "$ref" in node:
        target: Any = document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def validate_value(value: Any, at: str) -> None:
    """Validate against the schema at the JSON pointer `at` of the document."""
    validator = jsonschema.Draft202012Validator(
        {"$ref": DOC_URI + at},
        registry=registry(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    validator.validate(value)


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every documented operation."""
    for path, item in document()["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


@cache
def operation_index() -> dict[str, tuple[str, str]]:
    """operationId -> (path template, method)."""
    return {op["operationId"]: (path, method) for path, method, op in operations()}


# -- the document ---------------------------------------------------------------------------


def test_document_validates_as_openapi_3_1() -> None:
    validate(document())
    assert document()["openapi"].startswith("3.1.")


def test_document_is_what_the_build_script_writes() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_openapi", ROOT / "scripts/build_openapi.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    packaged = resources.files("mock_canvas").joinpath("data/openapi.json").read_text("utf-8")
    assert packaged == module.render(), "stale: run python scripts/build_openapi.py"


def test_document_covers_what_the_issue_asks_for() -> None:
    doc = document()
    params = {p["name"] for p in doc["components"]["parameters"].values()}
    assert {"include[]", "page", "per_page", "root_account_id", "access_token"} <= params
    form = doc["components"]["schemas"]["AddObserveeForm"]["properties"]
    assert {"observee[unique_id]", "observee[password]", "pairing_code", "access_token"} <= set(
        form
    )
    bearer = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert "Link" in doc["components"]["headers"]
    canvas = [(p, m, op) for p, m, op in operations() if p.startswith("/api/v1/")]
    assert len(canvas) == 8
    for _, _, op in canvas:
        assert op["security"] == [{"bearerAuth": []}]
        forbidden = resolve(op["responses"]["403"])
        assert set(forbidden["content"]) == {"application/json", "text/plain"}
        assert "throttled" in forbidden["description"]
        for code, response in op["responses"].items():
            headers = resolve(response)["headers"]
            assert {"X-Request-Cost", "X-Rate-Limit-Remaining"} <= set(headers), code


def test_the_throttle_body_matches_canvas_text() -> None:
    validate_value(
        "403 Forbidden (Rate Limit Exceeded)\n", pointer("components", "schemas", "ThrottledText")
    )


# -- served ---------------------------------------------------------------------------------


def test_served_at_mock_openapi_json(contract_dataset: Dataset) -> None:
    app = create_app(Settings(), store=Store(contract_dataset))
    r = app.test_client().get("/__mock__/openapi.json")
    assert r.status_code == 200
    assert r.content_type == "application/json; charset=utf-8"
    assert r.get_json() == document()


def test_served_without_the_control_token(contract_dataset: Dataset) -> None:
    app = create_app(Settings(control_token="sekrit"), store=Store(contract_dataset))
    client = app.test_client()
    assert client.get("/__mock__/openapi.json").status_code == 200
    assert client.get("/__mock__/state").status_code == 401  # the lock is still on


@pytest.mark.live
def test_served_by_the_live_server(contract_dataset: Dataset) -> None:
    app = create_app(Settings(), store=Store(contract_dataset))
    with MockCanvasServer(app) as server:
        r = requests.get(server.url + "/__mock__/openapi.json", timeout=10)
    assert r.status_code == 200
    assert r.json() == document()


# -- routes ---------------------------------------------------------------------------------


def test_every_route_is_documented_and_every_operation_is_a_route(
    contract_dataset: Dataset,
) -> None:
    app = create_app(Settings(), store=Store(contract_dataset))
    routes: dict[tuple[str, str], str] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1/", "/__mock__/")):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method in ("HEAD", "OPTIONS"):  # Flask's automatic ones
                continue
            routes[(path, method.lower())] = rule.endpoint.split(".")[-1]
    documented = {(path, method): op["operationId"] for path, method, op in operations()}
    assert set(routes) == set(documented)
    assert routes == documented  # operationId is the view function's name


def test_path_parameters_are_declared_for_every_template_variable() -> None:
    for path, _, op in operations():
        item = document()["paths"][path]
        declared = {
            resolve(p)["name"]
            for p in [*item.get("parameters", []), *op.get("parameters", [])]
            if resolve(p)["in"] == "path"
        }
        assert declared == set(re.findall(r"{([^}]+)}", path)), path


# -- real answers against the documented schemas ------------------------------------------------

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
BIG = "x" * (2 * KB)  # over the `limits` app's 1 KB


@dataclass(frozen=True)
class Example:
    """One real request, and the status it must get."""

    operation: str  # operationId
    status: int
    path: str
    token: str | None = None
    # default | limits (1 KB bodies) | auth401 | locked (control token) | bounded (1 sandbox)
    app: str = "default"
    query: dict[str, Any] | None = None
    json: Any = None
    data: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    media: str = "application/json"  # the documented content type it must match

    @property
    def id(self) -> str:
        return f"{self.operation}-{self.status}-{self.path}-{self.token}-{self.app}"


def canvas_errors(
    op: str, path: str, *, forbidden: tuple[str, str], not_found: str
) -> list[Example]:
    """400, 401 (none, unknown, expired, and the 401 setting), 403, 404 and 413 of one operation."""
    path_403, token_403 = forbidden
    return [
        Example(op, 400, path + "?a=%zz", "admin-token"),  # a bad %-escape
        Example(op, 400, path, "admin-token", data="{", content_type="application/json"),
        Example(op, 401, path),
        Example(op, 401, path, "no-such-token"),
        Example(op, 401, path, "parent-expired-token"),
        Example(op, 401, path_403, token_403, app="auth401"),
        Example(op, 403, path_403, token_403),
        Example(op, 404, not_found, "admin-token"),
        Example(op, 413, path, "admin-token", app="limits", data=f"junk={BIG}", content_type=FORM),
        Example(
            op,
            403,
            path,
            "admin-token",
            headers={"X-Mock-Canvas-Fault": "throttled"},
            media="text/plain",
        ),
    ]


OBSERVEES = "/api/v1/users/{}/observees"
OBSERVERS = "/api/v1/users/{}/observers"
CODES = "/api/v1/users/{}/observer_pairing_codes"

EXAMPLES: list[Example] = [
    # GET /observees
    Example("list_observees", 200, OBSERVEES.format("self"), "parent-token"),
    Example(
        "list_observees",
        200,
        OBSERVEES.format(100),
        "admin-token",
        query={"include[]": "avatar_url", "per_page": "1"},
    ),
    Example("list_observees", 200, OBSERVEES.format("self"), "big-observer-1", query={"page": "2"}),
    Example("list_observees", 200, OBSERVEES.format("self"), "parent-token", query={"page": "9"}),
    Example("list_observees", 404, OBSERVEES.format("self"), "parent-token", query={"page": "0"}),
    *canvas_errors(
        "list_observees",
        OBSERVEES.format("self"),
        forbidden=(OBSERVEES.format(100), "noperm-token"),
        not_found=OBSERVEES.format(99999),
    ),
    # GET /observers
    Example("list_observers", 200, OBSERVERS.format("self"), "dana-token"),
    Example(
        "list_observers", 200, OBSERVERS.format(201), "admin-token", query={"include": "avatar_url"}
    ),
    *canvas_errors(
        "list_observers",
        OBSERVERS.format("self"),
        forbidden=(OBSERVERS.format(200), "noperm-token"),
        not_found=OBSERVERS.format("abc"),
    ),
    # POST /observees
    Example(
        "add_observee_with_credentials",
        200,
        OBSERVEES.format("self"),
        "newparent-token",
        data="pairing_code=Eli202",
        content_type=FORM,
    ),
    Example(
        "add_observee_with_credentials",
        200,
        OBSERVEES.format(102),
        "admin-token",
        json={"observee": {"unique_id": "student@canvas.test", "password": "student-pass"}},
    ),
    Example(
        "add_observee_with_credentials",
        200,
        OBSERVEES.format("self"),
        "parent-token",
        json={"access_token": "eli-token", "root_account_id": "all"},
    ),
    Example("add_observee_with_credentials", 400, OBSERVEES.format("self"), "parent-token"),
    Example(
        "add_observee_with_credentials",
        401,
        OBSERVEES.format("self"),
        "parent-token",
        json={"observee": {"unique_id": "student@canvas.test", "password": "wrong"}},
    ),
    Example(
        "add_observee_with_credentials",
        404,
        OBSERVEES.format(102),
        "admin-token",
        json={"pairing_code": "Eli202", "root_account_id": 99},
    ),
    Example(
        "add_observee_with_credentials",
        422,
        OBSERVEES.format("self"),
        "parent-token",
        json={"pairing_code": "nope42"},
    ),
    Example(
        "add_observee_with_credentials",
        422,
        OBSERVEES.format("self"),
        "parent-token",
        data="access_token=no-such-token",
        content_type=FORM,
    ),
    *canvas_errors(
        "add_observee_with_credentials",
        OBSERVEES.format("self"),
        forbidden=(OBSERVEES.format(102), "noperm-token"),
        not_found=OBSERVEES.format(500),
    ),
    # GET /observees/:id
    Example("show_observee", 200, OBSERVEES.format("self") + "/200", "parent-token"),
    Example("show_observee", 200, OBSERVEES.format(101) + "/201", "riverside-admin-token"),
    *canvas_errors(
        "show_observee",
        OBSERVEES.format("self") + "/200",
        forbidden=(OBSERVEES.format(100) + "/200", "noperm-token"),
        not_found=OBSERVEES.format(100) + "/202",
    ),
    # PUT /observees/:id
    Example("add_observee", 200, OBSERVEES.format(102) + "/203", "admin-token"),
    Example(
        "add_observee",
        200,
        OBSERVEES.format(101) + "/201",
        "admin-token",
        data="root_account_id=all",
        content_type=FORM,
    ),
    *canvas_errors(
        "add_observee",
        OBSERVEES.format(102) + "/203",
        forbidden=(OBSERVEES.format(100) + "/202", "parent-token"),
        not_found=OBSERVEES.format(100) + "/100",
    ),
    # DELETE /observees/:id
    Example("remove_observee", 200, OBSERVEES.format("self") + "/200", "parent-token"),
    Example("remove_observee", 200, OBSERVEES.format(101) + "/201", "riverside-admin-token"),
    *canvas_errors(
        "remove_observee",
        OBSERVEES.format("self") + "/200",
        forbidden=(OBSERVEES.format(100) + "/200", "noperm-token"),
        not_found=OBSERVEES.format(102) + "/200",
    ),
    # GET /observers/:id
    Example("show_observer", 200, OBSERVERS.format("self") + "/100", "student-token"),
    *canvas_errors(
        "show_observer",
        OBSERVERS.format("self") + "/100",
        forbidden=(OBSERVERS.format(200) + "/100", "noperm-token"),
        not_found=OBSERVERS.format(200) + "/101",
    ),
    # POST /observer_pairing_codes
    Example("create_observer_pairing_code", 200, CODES.format("self"), "eli-token"),
    Example("create_observer_pairing_code", 200, CODES.format(201), "riverside-teacher-token"),
    *canvas_errors(
        "create_observer_pairing_code",
        CODES.format("self"),
        forbidden=(CODES.format("self"), "frankie-token"),
        not_found=CODES.format(99999),
    ),
    # the control API
    Example("health", 200, "/__mock__/health"),
    Example("health", 200, "/__mock__/health", app="locked"),
    Example("openapi", 200, "/__mock__/openapi.json"),
    Example("openapi", 200, "/__mock__/openapi.json", app="locked"),
    Example("reset", 200, "/__mock__/reset"),
    Example("reset", 401, "/__mock__/reset", app="locked"),
    Example("replace_fixtures", 200, "/__mock__/fixtures", json=MINIMAL_FIXTURE),
    Example(
        "replace_fixtures",
        200,
        "/__mock__/fixtures",
        data=yaml.safe_dump(MINIMAL_FIXTURE),
        content_type="application/yaml",
    ),
    Example("replace_fixtures", 400, "/__mock__/fixtures", json={"accounts": [], "bogus": 1}),
    Example(
        "replace_fixtures", 400, "/__mock__/fixtures", data="a: [", content_type="application/yaml"
    ),
    Example("replace_fixtures", 401, "/__mock__/fixtures", app="locked", json=MINIMAL_FIXTURE),
    Example(
        "replace_fixtures",
        413,
        "/__mock__/fixtures",
        app="limits",
        data=json.dumps({**MINIMAL_FIXTURE, "pad": BIG}),
        content_type="application/json",
    ),
    Example("state", 200, "/__mock__/state"),
    Example("state", 200, "/__mock__/state", query={"format": "yaml"}, media="application/yaml"),
    Example(
        "state", 200, "/__mock__/state", headers={"Accept": "text/yaml"}, media="application/yaml"
    ),
    Example("state", 401, "/__mock__/state", app="locked"),
    Example("clock", 200, "/__mock__/clock"),
    Example("clock", 401, "/__mock__/clock", app="locked"),
    Example("set_clock", 200, "/__mock__/clock", json={"freeze": "2030-01-01T00:00:00Z"}),
    Example("set_clock", 200, "/__mock__/clock", json={"advance_seconds": 3600}),
    Example("set_clock", 400, "/__mock__/clock", json={"set": "tomorrow"}),
    Example("set_clock", 401, "/__mock__/clock", app="locked", json={"real": True}),
    Example("list_requests", 200, "/__mock__/requests"),
    Example("list_requests", 200, "/__mock__/requests", query={"action": "list_observees"}),
    Example("list_requests", 400, "/__mock__/requests", query={"status": "ok"}),
    Example("list_requests", 401, "/__mock__/requests", app="locked"),
    Example("clear_requests", 200, "/__mock__/requests"),
    Example("clear_requests", 401, "/__mock__/requests", app="locked"),
    # send() keeps one snapshot, "saved", of the reset state.
    Example("save_snapshot", 201, "/__mock__/snapshots", json={"name": "before-sync"}),
    Example("save_snapshot", 400, "/__mock__/snapshots", json={"name": "no spaces"}),
    Example("save_snapshot", 401, "/__mock__/snapshots", app="locked", json={"name": "x"}),
    Example("list_snapshots", 200, "/__mock__/snapshots"),
    Example("list_snapshots", 401, "/__mock__/snapshots", app="locked"),
    Example("restore_snapshot", 200, "/__mock__/snapshots/saved/restore"),
    Example("restore_snapshot", 404, "/__mock__/snapshots/nope/restore"),
    Example("restore_snapshot", 401, "/__mock__/snapshots/saved/restore", app="locked"),
    Example("delete_snapshot", 200, "/__mock__/snapshots/saved"),
    Example("delete_snapshot", 404, "/__mock__/snapshots/nope"),
    Example("delete_snapshot", 401, "/__mock__/snapshots/saved", app="locked"),
    # send() keeps one sandbox, "kept", made from the server's fixture.
    Example("list_sandboxes", 200, "/__mock__/sandboxes"),
    Example("list_sandboxes", 401, "/__mock__/sandboxes", app="locked"),
    Example("put_sandbox", 201, "/__mock__/sandboxes/fresh"),
    Example("put_sandbox", 201, "/__mock__/sandboxes/own", json=MINIMAL_FIXTURE),
    Example("put_sandbox", 200, "/__mock__/sandboxes/kept"),
    Example("put_sandbox", 400, "/__mock__/sandboxes/-bad"),
    Example("put_sandbox", 400, "/__mock__/sandboxes/own", json={"accounts": [], "bogus": 1}),
    Example("put_sandbox", 401, "/__mock__/sandboxes/fresh", app="locked"),
    Example(
        "put_sandbox",
        413,
        "/__mock__/sandboxes/own",
        app="limits",
        data="accounts: []\n" + "#" * 2 * KB,
        content_type="application/yaml",
    ),
    Example("put_sandbox", 507, "/__mock__/sandboxes/fresh", app="bounded"),
    Example("show_sandbox", 200, "/__mock__/sandboxes/kept"),
    Example("show_sandbox", 400, "/__mock__/sandboxes/-bad"),
    Example("show_sandbox", 401, "/__mock__/sandboxes/kept", app="locked"),
    Example("show_sandbox", 404, "/__mock__/sandboxes/nope"),
    Example("reset_sandbox", 200, "/__mock__/sandboxes/kept/reset"),
    Example("reset_sandbox", 400, "/__mock__/sandboxes/-bad/reset"),
    Example("reset_sandbox", 401, "/__mock__/sandboxes/kept/reset", app="locked"),
    Example("reset_sandbox", 404, "/__mock__/sandboxes/nope/reset"),
    Example("delete_sandbox", 200, "/__mock__/sandboxes/kept"),
    Example("delete_sandbox", 400, "/__mock__/sandboxes/-bad"),
    Example("delete_sandbox", 401, "/__mock__/sandboxes/kept", app="locked"),
    Example("delete_sandbox", 404, "/__mock__/sandboxes/nope"),
    # send() keeps one fault rule, id 1, that never fires (on an action-less path).
    Example("add_fault", 201, "/__mock__/faults", json={"action": "show_observer", "status": 503}),
    Example("add_fault", 400, "/__mock__/faults", json={"status": 200}),
    Example("add_fault", 401, "/__mock__/faults", app="locked", json={"status": 503}),
    Example("add_fault", 415, "/__mock__/faults", data="{}", content_type="text/plain"),
    Example("list_faults", 200, "/__mock__/faults"),
    Example("list_faults", 401, "/__mock__/faults", app="locked"),
    Example("clear_faults", 200, "/__mock__/faults"),
    Example("clear_faults", 401, "/__mock__/faults", app="locked"),
    Example("show_fault", 200, "/__mock__/faults/{kept}"),
    Example("show_fault", 401, "/__mock__/faults/{kept}", app="locked"),
    Example("show_fault", 404, "/__mock__/faults/999999"),
    Example("delete_fault", 200, "/__mock__/faults/{kept}"),
    Example("delete_fault", 401, "/__mock__/faults/{kept}", app="locked"),
    Example("delete_fault", 404, "/__mock__/faults/999999"),
    # the arrange endpoints
    Example("list_accounts", 200, "/__mock__/accounts"),
    Example("list_accounts", 401, "/__mock__/accounts", app="locked"),
    Example("list_users", 200, "/__mock__/users", query={"search": "smith"}),
    Example("list_users", 400, "/__mock__/users", query={"page": "0"}),
    Example("list_users", 401, "/__mock__/users", app="locked"),
    Example("list_links", 200, "/__mock__/links", query={"root_account_id": "1"}),
    Example("list_links", 400, "/__mock__/links", query={"page": "x"}),
    Example("list_links", 401, "/__mock__/links", app="locked"),
    *[
        example
        for op, ok, pair in [
            ("add_link", 201, {"observer_id": 102, "student_id": 203}),
            ("remove_link", 200, {"observer_id": 100, "student_id": 200}),
        ]
        for example in [
            Example(op, ok, "/__mock__/links", json=pair),
            Example(op, 400, "/__mock__/links", json={"observer_id": "x"}),
            Example(op, 401, "/__mock__/links", app="locked", json=pair),
            Example(op, 404, "/__mock__/links", json={"observer_id": 999, "student_id": 200}),
            Example(op, 413, "/__mock__/links", app="limits", data=BIG, content_type=JSON_TYPE),
            Example(op, 415, "/__mock__/links", data="observer_id=1", content_type=FORM),
            Example(op, 422, "/__mock__/links", json={"observer_id": 102, "student_id": 400}),
        ]
    ],
    Example("list_pairing_codes", 200, "/__mock__/pairing_codes"),
    Example("list_pairing_codes", 400, "/__mock__/pairing_codes", query={"user_id": "x"}),
    Example("list_pairing_codes", 401, "/__mock__/pairing_codes", app="locked"),
    Example("add_pairing_code", 201, "/__mock__/pairing_codes", json={"user_id": 202}),
    Example("add_pairing_code", 400, "/__mock__/pairing_codes", json={"user_id": "x"}),
    Example("add_pairing_code", 401, "/__mock__/pairing_codes", app="locked", json={}),
    Example("add_pairing_code", 404, "/__mock__/pairing_codes", json={"user_id": 999}),
    Example(
        "add_pairing_code",
        413,
        "/__mock__/pairing_codes",
        app="limits",
        data=BIG,
        content_type=JSON_TYPE,
    ),
    Example("add_pairing_code", 415, "/__mock__/pairing_codes", data="x", content_type=FORM),
    Example(
        "add_pairing_code", 422, "/__mock__/pairing_codes", json={"user_id": 202, "code": "Eli202"}
    ),
    Example("expire_token", 200, "/__mock__/tokens/expire", json={"token": "parent-token"}),
    Example("expire_token", 400, "/__mock__/tokens/expire", json={"token": ""}),
    Example("expire_token", 401, "/__mock__/tokens/expire", app="locked", json={}),
    Example("expire_token", 404, "/__mock__/tokens/expire", json={"token": "nope"}),
    Example(
        "expire_token",
        413,
        "/__mock__/tokens/expire",
        app="limits",
        data=BIG,
        content_type=JSON_TYPE,
    ),
    Example("expire_token", 415, "/__mock__/tokens/expire", data="x", content_type=FORM),
    # the dashboard
    Example("dashboard", 200, "/__mock__/", media="text/html"),
    Example("login_form", 200, "/__mock__/login", app="locked", media="text/html"),
    Example(
        "login",
        401,
        "/__mock__/login",
        app="locked",
        data="token=wrong",
        content_type=FORM,
        media="text/html",
    ),
    Example(
        "login", 413, "/__mock__/login", app="lockedlimits", data=f"token={BIG}", content_type=FORM
    ),
    Example(
        "logout", 413, "/__mock__/logout", app="lockedlimits", data=f"csrf={BIG}", content_type=FORM
    ),
    Example("asset", 200, "/__mock__/assets/dashboard.css", media="text/css"),
    Example("asset", 200, "/__mock__/assets/dashboard.js", media="text/javascript"),
    Example("asset", 404, "/__mock__/assets/nope.js"),
]


def cross_site_examples() -> list[Example]:
    """A state-changing control call with another site's Origin, for every such operation."""
    examples = []
    for operation, (path, method) in operation_index().items():
        if path.startswith("/__mock__/") and method in ("post", "put", "delete"):
            if operation in ("login", "logout"):
                continue  # the dashboard's own forms: CSRF-checked by the dashboard
            target = path.replace("{rule_id}", "{kept}").replace(
                "{name}", "saved" if "/snapshots/" in path else "kept"
            )
            examples.append(Example(operation, 403, target, headers={"Origin": "http://evil.test"}))
    return examples


EXAMPLES += cross_site_examples()


@pytest.fixture(scope="module")
def apps(contract_dataset: Dataset) -> dict[str, Flask]:
    return {
        "default": create_app(Settings(), store=Store(contract_dataset)),
        "limits": create_app(
            Settings(max_body_bytes=KB, max_fixture_bytes=KB), store=Store(contract_dataset)
        ),
        "auth401": create_app(Settings(auth_error_status=401), store=Store(contract_dataset)),
        "locked": create_app(Settings(control_token="sekrit"), store=Store(contract_dataset)),
        "bounded": create_app(Settings(max_sandboxes=1), store=Store(contract_dataset)),
        "lockedlimits": create_app(
            Settings(control_token="sekrit", max_body_bytes=KB, max_fixture_bytes=KB),
            store=Store(contract_dataset),
        ),
    }


def send(app: Flask, example: Example, dataset: Dataset) -> TestResponse:
    store: Store = app.extensions["mock_canvas"].store
    if store.dataset is not dataset:
        store.load(dataset)
    mock = app.extensions["mock_canvas"]
    mock.reset()  # the store, the clock and the journal
    mock.clear_snapshots()
    mock.save_snapshot("saved")
    mock.sandboxes.clear()
    mock.sandboxes.put("kept", None)
    mock.default.faults.clear()
    kept = mock.default.faults.add(parse_rule({"path": "/nowhere", "status": 500, "times": None}))
    headers = dict(example.headers)
    if example.token is not None:
        headers["Authorization"] = f"Bearer {example.token}"
    method = operation_index()[example.operation][1].upper()
    return app.test_client().open(
        example.path.replace("{kept}", str(kept.id)),
        method=method,
        headers=headers,
        query_string=example.query,
        json=example.json,
        data=example.data,
        content_type=example.content_type,
    )


def located(node: dict[str, Any], inline_at: str) -> str:
    """The pointer of a node: its `$ref` target, else where it sits inline."""
    return str(node["$ref"]) if "$ref" in node else inline_at


def check_against_document(example: Example, r: TestResponse) -> None:
    """The status, content type, body and headers are what the document says."""
    path, method = operation_index()[example.operation]
    status = str(r.status_code)
    responses = document()["paths"][path][method]["responses"]
    assert status in responses, f"undocumented status {status}: {r.text}"
    at = located(responses[status], pointer("paths", path, method, "responses", status))
    response = resolve(responses[status])
    media = r.mimetype
    assert media == example.media, (media, r.text[:200])
    assert media in response.get("content", {}), f"undocumented content type {media}"
    if "yaml" in media:
        body = yaml.safe_load(r.get_data())
    elif media.startswith("text/"):
        body = r.get_data(as_text=True)
    else:
        body = r.get_json()
    validate_value(body, at + "/content/" + media.replace("/", "~1") + "/schema")
    for name, header in response.get("headers", {}).items():
        value = r.headers.get(name)
        if value is None:
            assert not resolve(header).get("required"), f"missing required header {name}"
            continue
        validate_value(value, located(header, f"{at}/headers/{name}") + "/schema")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_real_answers_match_the_document(
    example: Example, apps: dict[str, Flask], contract_dataset: Dataset
) -> None:
    r = send(apps[example.app], example, contract_dataset)
    assert r.status_code == example.status, r.text[:300]
    check_against_document(example, r)


def test_a_full_journal_matches_the_document(
    apps: dict[str, Flask], contract_dataset: Dataset
) -> None:
    """GET /__mock__/requests with entries of every kind: authenticated or not, a body or
    none, an unknown path (no action)."""
    app = apps["default"]
    send(app, Example("reset", 200, "/__mock__/reset"), contract_dataset)
    client = app.test_client()
    parent = {"Authorization": "Bearer parent-token"}
    client.get(OBSERVEES.format("self") + "?per_page=1&access_token=x", headers=parent)
    client.post(OBSERVEES.format("self"), headers=parent, json={"pairing_code": "nope42"})
    client.post(OBSERVEES.format("self"), data="observee[password]=p", content_type=FORM)
    client.get("/api/v1/nowhere")
    r = client.get("/__mock__/requests")
    assert r.status_code == 200
    assert len(r.get_json()) == 4
    assert [e["action"] for e in r.get_json()][-1] is None
    check_against_document(Example("list_requests", 200, "/__mock__/requests"), r)


def test_every_documented_answer_has_an_example() -> None:
    """Each documented (operation, status, content type) is produced by an example above."""
    documented = {
        (op["operationId"], int(status), media)
        for _, _, op in operations()
        for status, response in op["responses"].items()
        for media in resolve(response).get("content", {})
    }
    exercised = {(e.operation, e.status, e.media) for e in EXAMPLES}
    assert exercised == documented
