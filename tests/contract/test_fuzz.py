"""Fuzzing: schemathesis, driven by the packaged OpenAPI document, against a live server.

One test per documented operation (the eight Canvas endpoints and the control API). The
server is a real one (waitress, random port) seeded with the packaged default fixture, and the
store goes back to that fixture before every case, so cases never see each other's changes.
Schemathesis runs three phases: `examples` (the document's examples), `coverage` (boundary and
invalid values of each parameter) and `fuzzing` (Hypothesis, positive and negative data,
MAX_EXAMPLES per operation). In the fuzzing phase a schema hook mixes the seeded fixture's real
tokens, user ids (every id form), linked pairs, logins and passwords, pairing codes, root
account ids and hosts into the generated requests, so they reach real code paths.

Each response must be: not a 5xx, a documented status, a documented content type, a body
matching the documented schema, the documented headers, and JSON (the throttling 403 and the
YAML state aside). A failure found here becomes a test in test_fuzz_regressions.py first.

The summary (cases per operation and phase, statuses, time) is printed at the end of the run.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict
from schemathesis import Case, HookContext

from mock_canvas.app import create_app, load_dataset
from mock_canvas.model import Dataset
from mock_canvas.server import MockCanvasServer
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.contract.fuzz_support import (
    CHECKS,
    FIXTURE_POPULATION_CAP,
    MIN_CASES_PER_CANVAS_OPERATION,
    TALLY,
    Vocabulary,
    assert_json_body,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.live]

MAX_EXAMPLES = MIN_CASES_PER_CANVAS_OPERATION
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
DOCUMENT = json.loads(
    resources.files("mock_canvas").joinpath("data/openapi.json").read_text("utf-8")
)
schema = schemathesis.openapi.from_dict(DOCUMENT)


@cache
def seed() -> Dataset:
    """The packaged default fixture: data behind the ids (parsed once)."""
    return load_dataset(Settings())


@cache
def vocabulary() -> Vocabulary:
    return Vocabulary.of(seed())


# -- the fuzzing phase: real values mixed into generated requests -------------------------


@dataclass(frozen=True)
class Mix:
    """What one case takes from the vocabulary (None: keep the generated value)."""

    token: str | None
    token_in_query: bool
    host: str | None
    pair: tuple[str, str] | None
    first: str | None
    second: str | None
    root_account_id: str | None
    student: tuple[str, Any] | None  # ("access_token" | "pairing_code" | "login", value)


def _mix(v: Vocabulary) -> st.SearchStrategy[Mix]:
    login = st.tuples(st.sampled_from(v.logins), st.booleans()).map(
        lambda pair: (pair[0][0], pair[0][1] if pair[1] else pair[0][1] + "-wrong")
    )
    student = st.one_of(
        st.tuples(st.just("access_token"), st.sampled_from(v.all_tokens)),
        st.tuples(st.just("pairing_code"), st.sampled_from(v.pairing_codes)),
        st.tuples(st.just("login"), login),
    )
    return st.builds(
        Mix,
        token=v.token(),
        token_in_query=st.integers(0, 9).map(lambda n: n == 0),
        host=v.sometimes(v.hosts, 0.2),
        pair=v.sometimes(v.links, 0.4),
        first=v.sometimes(v.user_refs, 0.6),
        second=v.sometimes(v.user_refs, 0.6),
        root_account_id=v.sometimes(v.root_account_ids, 0.4),
        student=st.one_of(student, student, st.none()),
    )


def operation_id(case: Case[Any]) -> str:
    return str(case.operation.definition.raw.get("operationId"))


def _apply(case: Case[Any], mix: Mix) -> Case[Any]:
    operation = case.operation
    headers = CaseInsensitiveDict(case.headers or {})
    query = dict(case.query or {})
    if mix.token is not None:
        if mix.token_in_query:
            headers.pop("Authorization", None)
            query["access_token"] = mix.token
        else:
            headers["Authorization"] = f"Bearer {mix.token}"
    if mix.host is not None:
        headers["Host"] = mix.host
    path = dict(case.path_parameters or {})
    names = [name for name in ("user_id", "observee_id", "observer_id") if name in path]
    if mix.pair is not None and len(names) == 2:
        observer, student = mix.pair
        path.update(
            {"user_id": observer, "observee_id": student}
            if "observee_id" in path
            else {"user_id": student, "observer_id": observer}
        )
    else:
        for name, ref in zip(names, (mix.first, mix.second), strict=False):
            if ref is not None:
                path[name] = ref
    if mix.root_account_id is not None and operation.method.upper() in ("POST", "PUT", "DELETE"):
        query["root_account_id"] = mix.root_account_id
    if mix.student is not None and operation_id(case) == "add_observee_with_credentials":
        _set_student(case, *mix.student)
    case.headers, case.query, case.path_parameters = headers, query, path
    return case


def _set_student(case: Case[Any], how: str, value: Any) -> None:
    """POST /observees: identify the student the way `how` says, dropping the others."""
    if case.media_type is None or not isinstance(case.body, dict):
        case.media_type, case.body = FORM_TYPES[0], {}
    body = dict(case.body)
    nested = case.media_type not in FORM_TYPES
    for key in ("access_token", "pairing_code", "observee", "observee[unique_id]"):
        body.pop(key, None)
    if how == "login":
        unique_id, password = value
        if nested:
            body["observee"] = {"unique_id": unique_id, "password": password}
        else:
            body["observee[unique_id]"] = unique_id
            body["observee[password]"] = password
    else:
        body[how] = value
    case.body = body


@schema.hook
def flatmap_case(context: HookContext, case: Case[Any]) -> st.SearchStrategy[Case[Any]]:
    """Runs in the fuzzing phase only: the Canvas operations get the fixture's real values."""
    if not case.operation.path.startswith("/api/v1/"):
        return st.just(case)
    return _mix(vocabulary()).map(lambda mix: _apply(case, mix))


# -- the other phases: a token from a fixed rotation ---------------------------------------

_ROTATION = itertools.cycle(
    ["admin-token", "parent-token", "student-token", "noperm-token", "eli-token", None]
)


def _rotate_token(case: Case[Any]) -> None:
    token = next(_ROTATION)
    if token is not None and case.operation.path.startswith("/api/v1/"):
        case.headers = CaseInsensitiveDict(case.headers or {})
        case.headers["Authorization"] = f"Bearer {token}"


def _cap_population(case: Case[Any]) -> None:
    """PUT /__mock__/fixtures: keep `generate:` small (up to a million users is allowed, and
    the fuzzer likes maxima: that is minutes per case, not a bug)."""
    if operation_id(case) != "replace_fixtures" or not isinstance(case.body, dict):
        return
    entries = case.body.get("generate")
    if not isinstance(entries, list):
        return
    for entry in entries:
        if isinstance(entry, dict):
            for key in ("students", "observers"):
                size = entry.get(key)
                if isinstance(size, int) and size > FIXTURE_POPULATION_CAP:
                    entry[key] = FIXTURE_POPULATION_CAP


# -- the live server ----------------------------------------------------------------------


@dataclass
class FuzzTarget:
    app: Flask
    url: str

    @property
    def store(self) -> Store:
        store: Store = self.app.extensions["mock_canvas"].store
        return store

    def restore(self) -> None:
        """Back to the seeded fixture: PUT /__mock__/fixtures may have replaced it."""
        if self.store.dataset is not seed():
            self.store.load(seed())
        self.store.reset()


@pytest.fixture(scope="module")
def fuzz_target() -> Iterator[FuzzTarget]:
    app = create_app(Settings(), store=Store(seed()))
    started = time.perf_counter()
    with MockCanvasServer(app) as server:
        yield FuzzTarget(app, server.url)
    TALLY.seconds += time.perf_counter() - started


@pytest.fixture
def enough_cases() -> Iterator[None]:
    """After each operation's test: the fuzzing phase generated MAX_EXAMPLES cases for every
    Canvas operation (a test that failed is reported by its own failure instead)."""
    before = dict(TALLY.cases)
    failed_before = set(TALLY.failed)
    yield
    ran = {op for (op, phase), n in TALLY.cases.items() if n != before.get((op, phase), 0)}
    for op in ran - TALLY.failed - failed_before:
        if op.split(" ", 1)[1].startswith("/api/v1/"):
            got = TALLY.fuzzing_cases(op)
            assert got >= MAX_EXAMPLES, f"{op}: only {got} generated cases"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_fuzz(case: Case[Any], fuzz_target: FuzzTarget, enough_cases: None) -> None:
    fuzz_target.restore()
    phase = case.meta.phase.name.value if case.meta is not None else "explicit"
    if phase != "fuzzing":
        _rotate_token(case)
    _cap_population(case)
    operation = case.operation.label
    started = time.perf_counter()
    try:
        response = case.call_and_validate(base_url=fuzz_target.url, checks=CHECKS, timeout=30)
        content_type = response.headers.get("content-type", [""])[0]
        assert_json_body(
            operation, case.method, response.status_code, content_type, response.content
        )
    except BaseException:
        TALLY.failed.add(operation)
        raise
    finally:
        TALLY.cases[(operation, phase)] += 1
        TALLY.seconds_per_operation[operation] += time.perf_counter() - started
    TALLY.statuses[(operation, response.status_code)] += 1
