"""What the fuzzer needs besides the OpenAPI document: the seeded data's real values, the
checks, and a tally of the cases it generated (printed at the end of the run).

The fuzzer draws most values from the document's schemas, which rarely hit a real user, a
token or a pairing code. `Vocabulary` holds the seeded fixture's real ones (users in every id
form, linked pairs, tokens, logins and passwords, pairing codes, root accounts) so that the
generated requests reach the real code paths (200s, 403s, 422s), not only 401s and 404s.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mock_canvas.model import Dataset

# Every response: not a 5xx, a documented status, a documented content type, a body that
# matches the documented schema, and the documented headers (the `Link` header above all).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
MIN_CASES_PER_CANVAS_OPERATION = 200
FULLWIDTH_100 = "\uff11\uff10\uff10"  # not an id: Canvas's ids are ASCII digits
FIXTURE_POPULATION_CAP = 20  # PUT /__mock__/fixtures: `generate:` sizes the fuzzer may ask for


@dataclass(frozen=True)
class Vocabulary:
    """Real values of the seeded fixture, for the fuzzer to mix into generated requests."""

    tokens: tuple[str, ...]  # every token of the hand-written users (valid, expired, deleted)
    all_tokens: tuple[str, ...]  # the generated population's too
    user_refs: tuple[str, ...]  # `self`, ids (also padded), sis_user_id:, sis_login_id:, ...
    links: tuple[tuple[str, str], ...]  # (observer id, student id), active or deleted
    logins: tuple[tuple[str, str], ...]  # (unique_id, password)
    pairing_codes: tuple[str, ...]
    root_account_ids: tuple[str, ...] = ("all", "1", "2", "3", "99", " 1 ", "x")
    hosts: tuple[str, ...] = ("canvas.test", "riverside.test", "RIVERSIDE.test:8080")

    @classmethod
    def of(cls, dataset: Dataset) -> Vocabulary:
        # The default fixture's hand-written users have ids up to 500; its generated
        # population comes after (their links below bring some of them in).
        explicit = [u for u in dataset.users if u.id <= 500]
        # `self`, ids that match nobody and strings that are no id at all.
        refs = ["self", "0", "-1", "abc", "99999", " 100 ", FULLWIDTH_100]
        for user in explicit:
            refs.append(str(user.id))
            for login in user.logins:
                refs.append(f"sis_login_id:{login.unique_id}")
                refs.append(f"sis_login_id:{login.unique_id.upper()}")
                if login.sis_user_id:
                    refs.append(f"sis_user_id:{login.sis_user_id}")
                if login.integration_id:
                    refs.append(f"sis_integration_id:{login.integration_id}")
        logins = [
            (login.unique_id, login.password or "")
            for user in dataset.users
            for login in user.logins
        ]
        logins.append(("nobody@canvas.test", "password"))
        return cls(
            tokens=tuple(t.token for u in explicit for t in u.tokens),
            all_tokens=(*(t.token for u in dataset.users for t in u.tokens), "no-such-token"),
            user_refs=tuple(dict.fromkeys(refs)),
            links=tuple((str(k.observer_id), str(k.student_id)) for k in dataset.links),
            logins=tuple(logins),
            pairing_codes=(*(c.code for c in dataset.pairing_codes), "eli202", "ZZZZZZ"),
        )

    # -- strategies ---------------------------------------------------------------------

    def token(self) -> st.SearchStrategy[str | None]:
        """None keeps what the generator made (random, or no Authorization at all)."""
        return st.one_of(st.sampled_from(self.tokens), st.sampled_from(self.all_tokens), st.none())

    def sometimes(self, values: tuple[Any, ...], chance: float = 0.5) -> st.SearchStrategy[Any]:
        """A real value with about `chance`, else None (keep the generated one)."""
        percent = round(100 * chance)
        real = st.sampled_from(values)
        return st.integers(1, 100).flatmap(lambda n: real if n <= percent else st.none())


@dataclass
class Tally:
    """Cases per operation and phase, and the statuses seen, for the end-of-run summary."""

    cases: Counter[tuple[str, str]] = field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    seconds_per_operation: defaultdict[str, float] = field(
        default_factory=lambda: defaultdict(float)
    )
    failed: set[str] = field(default_factory=set)
    seconds: float = 0.0

    def fuzzing_cases(self, operation: str) -> int:
        return self.cases[(operation, "fuzzing")]

    def lines(self) -> list[str]:
        operations = sorted({op for op, _ in self.cases})
        phases = sorted({phase for _, phase in self.cases})
        total = sum(self.cases.values())
        out = [f"{total} cases in {self.seconds:.1f}s ({', '.join(phases)} phases)"]
        for op in operations:
            per_phase = ", ".join(f"{p} {self.cases[(op, p)]}" for p in phases)
            statuses = ", ".join(
                f"{s}x{n}" for (o, s), n in sorted(self.statuses.items()) if o == op
            )
            seconds = self.seconds_per_operation[op]
            out.append(f"  {op}: {per_phase}; statuses {statuses}; {seconds:.1f}s in requests")
        return out


TALLY = Tally()


def is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


DASHBOARD_PATHS = frozenset(
    {"/__mock__/", "/__mock__/login", "/__mock__/logout", "/__mock__/assets/{name}"}
)


def assert_json_body(
    operation: str, method: str, status: int, content_type: str, body: bytes
) -> None:
    """Every body is JSON, except the throttling 403 (text/plain) and the YAML state; a
    HEAD response has the headers of the GET and no body."""
    sent = f"{method.upper()} (for {operation})"
    if operation == "GET /__mock__/state" and status == 200 and "yaml" in content_type:
        return
    if operation.split(" ", 1)[1] in DASHBOARD_PATHS:  # HTML, CSS and JS for people
        return
    if status == 403 and content_type.startswith("text/plain"):
        return
    assert is_json(content_type), f"{sent} -> {status} {content_type!r}: not JSON"
    if method.upper() != "HEAD":
        json.loads(body)
