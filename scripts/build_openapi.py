"""Build mock_canvas/data/openapi.json, the OpenAPI 3.1 description of mock_canvas.

    python scripts/build_openapi.py          # rewrite the packaged document
    python scripts/build_openapi.py --check  # exit 1 when the packaged document is stale

The document is written by this script (edit here, not the JSON): eight Canvas endpoints and
the control API, every status each can answer with its schema, the `Link` header and the
Bearer schemes. tests/contract/ checks that it validates, that it is up to date with this
script, that it matches the Flask routes, and that the live server's answers match it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "mock_canvas" / "data" / "openapi.json"
VERSION = "0.1.0"

JSON = "application/json"
TEXT = "text/plain"
YAML = "application/yaml"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

Schema = dict[str, Any]


def ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def schema(name: str) -> Schema:
    return ref("schemas", name)


def one_message(message: Schema, **extra: Schema) -> Schema:
    """A Canvas error envelope with exactly one message object."""
    return {
        "type": "object",
        "required": [*extra, "errors"],
        "properties": {
            **extra,
            "errors": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1,
                "items": message,
            },
        },
        "additionalProperties": False,
    }


def message(text: str | list[str], **extra: Schema) -> Schema:
    """An `errors[]` item: {"message": text} plus the given keys (all required)."""
    value: Schema = {"const": text} if isinstance(text, str) else {"enum": text}
    return {
        "type": "object",
        "required": ["message", *extra],
        "properties": {"message": {"type": "string", **value}, **extra},
        "additionalProperties": False,
    }


# -- schemas ------------------------------------------------------------------------------

SCHEMAS: dict[str, Schema] = {
    "User": {
        "type": "object",
        "description": (
            "Api::V1::User#user_json plus observation_link_root_account_ids. Never an email, "
            "a password or a token. `sis_user_id`, `integration_id` and `login_id` appear "
            "only on the two list endpoints, only for an admin of the domain root account "
            "(`read_sis`/`manage_sis` for the first two, `view_user_logins` and a login in "
            "that account for `login_id`); `avatar_url` only on the list endpoints with "
            "`include[]=avatar_url`, when the user's account has the avatars service."
        ),
        "required": [
            "id",
            "name",
            "created_at",
            "sortable_name",
            "short_name",
            "observation_link_root_account_ids",
        ],
        "properties": {
            "id": {"type": "integer", "minimum": 1, "examples": [200]},
            "name": {"type": "string", "examples": ["Child Smith"]},
            "created_at": {
                "type": "string",
                "format": "date-time",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                "description": "ISO 8601, always UTC with `Z` (Canvas: the caller's zone).",
                "examples": ["2024-08-01T12:00:00Z"],
            },
            "sortable_name": {"type": "string", "examples": ["Smith, Child"]},
            "short_name": {"type": "string", "examples": ["Child Smith"]},
            "sis_user_id": {"type": ["string", "null"], "examples": ["S200"]},
            "integration_id": {"type": ["string", "null"], "examples": [None]},
            "login_id": {"type": "string", "examples": ["student@canvas.test"]},
            "avatar_url": {
                "type": "string",
                "format": "uri",
                "description": "Absolute: a relative stored path gets the request's base URL.",
                "examples": ["http://canvas.test/images/messages/avatar-50.png"],
            },
            "observation_link_root_account_ids": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "uniqueItems": True,
                "description": (
                    "Root accounts with an active link between this observer and student; "
                    "for a caller who is not the subject, only those where the caller has "
                    "`manage_user_observers` (can be empty)."
                ),
                "examples": [[1]],
            },
        },
        "additionalProperties": False,
    },
    "UserList": {"type": "array", "items": schema("User")},
    "PairingCode": {
        "type": "object",
        "required": ["user_id", "code", "expires_at", "workflow_state"],
        "properties": {
            "user_id": {"type": "integer", "minimum": 1, "examples": [202]},
            "code": {
                "type": "string",
                "pattern": "^[A-Za-z0-9]{6}$",
                "description": "Six characters of [A-Za-z0-9]; never equal to another active code.",
                "examples": ["Ab3xY9"],
            },
            "expires_at": {
                "type": "string",
                "format": "date-time",
                "description": "Creation time plus seven days, UTC.",
                "examples": ["2030-01-01T00:00:00Z"],
            },
            "workflow_state": {"const": "active"},
        },
        "additionalProperties": False,
    },
    "CanvasError": {
        "type": "object",
        "description": (
            'Canvas\'s error envelope: {"errors": [{"message": ...}]}, sometimes with a '
            "top-level `status` and per-message `error_code` or `expired_at`."
        ),
        "required": ["errors"],
        "properties": {
            "status": {"type": "string", "enum": ["unauthenticated", "unauthorized"]},
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "message": {"type": "string"},
                        "error_code": {"type": "string"},
                        "expired_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
    "GenericError": {
        "description": (
            "api_error_json's fallback, used for errors the framework raises (body too "
            "large, an invalid page number)."
        ),
        **one_message(
            message(
                "An error occurred.",
                error_code={
                    "type": "string",
                    "enum": ["bad_request", "not_found", "payload_too_large"],
                },
            )
        ),
    },
    "NotFound": {
        "description": (
            "`The specified resource does not exist.` for a missing record (a user, a link, "
            "an account, an unknown path or method); the generic body with `error_code` "
            "`not_found` for a `page` that is not a positive integer."
        ),
        "anyOf": [
            one_message(message("The specified resource does not exist.")),
            one_message(message("An error occurred.", error_code={"const": "not_found"})),
        ],
    },
    "Unauthenticated": {
        "description": "No token at all (no Bearer header, no `access_token`).",
        **one_message(message("user authorization required"), status={"const": "unauthenticated"}),
    },
    "InvalidAccessToken": {
        "description": "An unknown token, or the token of a deleted user.",
        **one_message(message("Invalid access token.")),
    },
    "ExpiredAccessToken": {
        "description": "An expired token; `expired_at` is the token's expiry.",
        **one_message(
            message(
                "Expired access token.",
                expired_at={"type": ["string", "null"], "format": "date-time"},
            )
        ),
    },
    "InvalidCredentials": {
        "description": (
            "POST /observees with `observee[unique_id]` of a known login and a wrong "
            "`observee[password]`; sent without `WWW-Authenticate`."
        ),
        **one_message(message("Invalid credentials provided.")),
    },
    "Unauthorized": {
        "description": (
            "Authenticated but not allowed (render_unauthorized_action). 403 by default; "
            "401 with the setting `auth_error_status: 401` (older Canvas)."
        ),
        **one_message(
            message("user not authorized to perform that action"),
            status={"const": "unauthorized"},
        ),
    },
    "UnprocessableObservee": {
        "description": "POST /observees: the student cannot be identified.",
        **one_message(message(["Unknown observee.", "Invalid pairing code."])),
    },
    "BadRequest": {
        "description": (
            "A JSON body that does not parse; POST /observees with none of `access_token`, "
            "`pairing_code`, `observee[unique_id]` (real Canvas: a 500); or, with the generic "
            "body, a query string or form body Rack refuses (a bad %-escape, bytes that are "
            "not UTF-8, names nested too deeply, `a=1&a[]=2`)."
        ),
        "anyOf": [
            one_message(
                message(
                    [
                        "The request body is not valid JSON.",
                        "One of access_token, pairing_code or observee[unique_id] is required.",
                    ]
                )
            ),
            one_message(message("An error occurred.", error_code={"const": "bad_request"})),
        ],
    },
    "PayloadTooLarge": {
        "description": (
            "A request body larger than `max_body_bytes` (API; default 1 MiB) or "
            "`max_fixture_bytes` (PUT /__mock__/fixtures; default 64 MiB)."
        ),
        **one_message(message("An error occurred.", error_code={"const": "payload_too_large"})),
    },
    "ThrottledText": {
        "type": "string",
        "const": "403 Forbidden (Rate Limit Exceeded)\n",
    },
    "RootAccountId": {
        "description": (
            "Which root accounts a new link goes in: absent = the domain root account only "
            "(the Host header's; unknown hosts use the default account), `all` = every root "
            "account the two users share, an id = that account (unknown: 404; anything else: "
            "404). Ignored by DELETE."
        ),
        "anyOf": [
            {"const": "all"},
            {"type": "integer", "minimum": 1},
        ],
        "examples": ["all", 1],
    },
    "AccessTokenValue": {
        "type": "string",
        "description": "A Canvas access token.",
        "examples": ["parent-token"],
    },
    "AddObserveeForm": {
        "type": "object",
        "description": (
            "How POST /observees finds the student, the first present wins: "
            "`access_token` (the student's token: unknown = 422 `Unknown observee.`), "
            "`pairing_code` (active and unexpired, case-sensitive, used up at once: else "
            "422 `Invalid pairing code.`), `observee[unique_id]` + `observee[password]` "
            "(a login in the domain root account: unknown = 422, wrong password = 401). "
            "None of them: 400. Without a Bearer header, `access_token` also authenticates "
            "the caller."
        ),
        "properties": {
            "access_token": schema("AccessTokenValue"),
            "pairing_code": {"type": "string", "examples": ["Eli202"]},
            "observee[unique_id]": {"type": "string", "examples": ["student@canvas.test"]},
            "observee[password]": {"type": "string", "examples": ["student-pass"]},
            "root_account_id": schema("RootAccountId"),
        },
    },
    "AddObserveeJson": {
        "type": "object",
        "description": "The same fields as the form body, `observee` as a nested object.",
        "properties": {
            "access_token": schema("AccessTokenValue"),
            "pairing_code": {"type": "string", "examples": ["Eli202"]},
            "observee": {
                "type": "object",
                "properties": {
                    "unique_id": {"type": "string", "examples": ["student@canvas.test"]},
                    "password": {"type": "string", "examples": ["student-pass"]},
                },
            },
            "root_account_id": schema("RootAccountId"),
        },
    },
    "LinkBody": {
        "type": "object",
        "description": "PUT /observees/:observee_id: the scope of the new links.",
        "properties": {
            "root_account_id": schema("RootAccountId"),
            "access_token": schema("AccessTokenValue"),
        },
    },
    "AccessTokenBody": {
        "type": "object",
        "description": "A body may carry the caller's token when there is no Bearer header.",
        "properties": {"access_token": schema("AccessTokenValue")},
    },
    # -- control API ----------------------------------------------------------------------
    "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"const": "ok"}},
        "additionalProperties": False,
    },
    "Counts": {
        "type": "object",
        "description": "What the store holds after the call.",
        "required": ["status", "accounts", "users", "active_links", "active_pairing_codes"],
        "properties": {
            "status": {"const": "ok"},
            "accounts": {"type": "integer", "minimum": 1},
            "users": {"type": "integer", "minimum": 0},
            "active_links": {"type": "integer", "minimum": 0},
            "active_pairing_codes": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "FixtureProblems": {
        "description": (
            "A refused fixture: one message per problem, `<source>: <path>: <problem>`; "
            "the state is unchanged."
        ),
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {"message": {"type": "string"}},
                    "additionalProperties": False,
                },
            }
        },
        "additionalProperties": False,
    },
    "ControlTokenRequired": {
        "description": "MOCK_CANVAS_CONTROL_TOKEN is set and the call did not send it.",
        **one_message(message("This control call needs the control token as a Bearer token.")),
    },
    "OpenApiDocument": {
        "type": "object",
        "description": "This document.",
        "required": ["openapi", "info", "paths"],
        "properties": {"openapi": {"type": "string", "pattern": "^3\\.1\\.[0-9]+$"}},
    },
    "Clock": {
        "type": "object",
        "description": "The mock's notion of now.",
        "required": ["now", "frozen"],
        "properties": {
            "now": {
                "type": "string",
                "format": "date-time",
                "description": "UTC, milliseconds, `Z`.",
                "examples": ["2030-01-01T00:00:00.000Z"],
            },
            "frozen": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "ClockChange": {
        "description": (
            "Exactly one action: `freeze` (`true`: at the current time, or at an ISO 8601 "
            "date-time with a zone), `set` (jump to a date-time; a frozen clock stays frozen, "
            "a running one runs on from there), `advance_seconds` (move on by a number of "
            "seconds, negative to move back; at most 100 years), `unfreeze` (`true`: run "
            "again from the frozen instant) or `real` (`true`: real time again)."
        ),
        "oneOf": [
            {
                "type": "object",
                "required": ["freeze"],
                "properties": {
                    "freeze": {
                        "anyOf": [{"const": True}, {"type": "string", "format": "date-time"}]
                    }
                },
                "additionalProperties": False,
            },
            {
                "type": "object",
                "required": ["set"],
                "properties": {"set": {"type": "string", "format": "date-time"}},
                "additionalProperties": False,
            },
            {
                "type": "object",
                "required": ["advance_seconds"],
                "properties": {"advance_seconds": {"type": "number"}},
                "additionalProperties": False,
            },
            {
                "type": "object",
                "required": ["unfreeze"],
                "properties": {"unfreeze": {"const": True}},
                "additionalProperties": False,
            },
            {
                "type": "object",
                "required": ["real"],
                "properties": {"real": {"const": True}},
                "additionalProperties": False,
            },
        ],
        "examples": [{"freeze": "2030-01-01T00:00:00Z"}, {"advance_seconds": 604800}],
    },
    "ControlBadRequest": {
        "description": "A control call's input cannot be used; nothing changed.",
        **one_message(
            {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
                "additionalProperties": False,
            }
        ),
    },
    "JournalEntry": {
        "type": "object",
        "description": (
            "One request to a Canvas endpoint. `access_token`, `password` and `pairing_code` "
            "values (at any nesting, in the query and the body) are `[REDACTED]`; headers are "
            "never kept."
        ),
        "required": [
            "id",
            "time",
            "method",
            "path",
            "query",
            "body",
            "user_id",
            "action",
            "status",
            "duration_ms",
        ],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "time": {
                "type": "string",
                "format": "date-time",
                "description": "When it came in, by the mock's clock.",
            },
            "method": {"type": "string", "examples": ["PUT"]},
            "path": {"type": "string", "examples": ["/api/v1/users/self/observees/200"]},
            "query": {
                "type": "string",
                "description": "The query string as sent, redacted; cut at 4096 characters.",
            },
            "body": {
                "description": (
                    "The parsed body, redacted; null when none or unreadable; for a body over "
                    "16 KiB, only `[<n> bytes, not kept]`."
                )
            },
            "user_id": {
                "type": ["integer", "null"],
                "description": "The authenticated caller; null when it did not authenticate.",
            },
            "action": {
                "description": "The Canvas action; null for an unknown path or method.",
                "enum": [
                    "list_observees",
                    "list_observers",
                    "add_observee_with_credentials",
                    "show_observee",
                    "add_observee",
                    "remove_observee",
                    "show_observer",
                    "create_observer_pairing_code",
                    None,
                ],
            },
            "status": {"type": "integer"},
            "duration_ms": {"type": "number", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "Journal": {"type": "array", "items": schema("JournalEntry")},
    "SnapshotName": {
        "type": "string",
        "pattern": "^[A-Za-z0-9._-]{1,64}$",
        "description": "1 to 64 characters of A-Z, a-z, 0-9, `.`, `_` and `-`.",
    },
    "SnapshotRequest": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": schema("SnapshotName")},
    },
    "Snapshot": {
        "type": "object",
        "description": "A named snapshot: when it was taken and how many rows it holds.",
        "required": ["name", "created_at", "links", "pairing_codes"],
        "properties": {
            "name": schema("SnapshotName"),
            "created_at": {"type": "string", "format": "date-time"},
            "links": {"type": "integer", "minimum": 0},
            "pairing_codes": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "SnapshotList": {"type": "array", "items": schema("Snapshot")},
    "Sandbox": {
        "type": "object",
        "description": (
            "A named sandbox: `fixture` is `server` while it is a copy of the server's "
            "fixture, `own` once it was given a fixture of its own. `estimated_bytes` is what "
            "the MOCK_CANVAS_MAX_SANDBOX_MB bound counts for it."
        ),
        "required": [
            "name",
            "created_at",
            "fixture",
            "source",
            "accounts",
            "users",
            "active_links",
            "active_pairing_codes",
            "estimated_bytes",
        ],
        "properties": {
            "name": schema("SandboxName"),
            "created_at": {"type": "string", "format": "date-time"},
            "fixture": {"enum": ["server", "own"]},
            "source": {"type": "string"},
            "accounts": {"type": "integer", "minimum": 1},
            "users": {"type": "integer", "minimum": 0},
            "active_links": {"type": "integer", "minimum": 0},
            "active_pairing_codes": {"type": "integer", "minimum": 0},
            "estimated_bytes": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "FaultRuleRequest": {
        "type": "object",
        "description": (
            "Which requests (every field given must match; none: every Canvas request of the "
            "sandbox) and what happens to them. `action`: a Canvas action or a list of them; "
            "`method`; `path`: a glob over the whole path (`/api/v1/users/*/observees`); "
            "`user_id`: the caller (Bearer header or `access_token` query parameter); "
            "`sandbox`: a name, `*` for every sandbox, absent for the one the call was sent "
            "to. Exactly one of `status` (400-599, with an optional JSON `body` and "
            "`headers`; else Canvas's body for that status, with `error_report_id` for a "
            "5xx), `throttled` (Canvas's text 403) or `drop` (close the connection), and/or "
            "`latency_ms` (0-120000; alone: wait, then answer as usual). `times` (default 1) "
            "or `probability` (0-1, with a `seed` for a repeatable pattern)."
        ),
        "properties": {
            "action": {"anyOf": [{"type": "string"}, {"type": "array"}]},
            "method": {"anyOf": [{"type": "string"}, {"type": "array"}]},
            "path": {"type": "string"},
            "user_id": {"anyOf": [{"type": "integer"}, {"type": "array"}]},
            "sandbox": {"type": ["string", "null"]},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "body": {},
            "headers": {"type": "object"},
            "throttled": {"type": "boolean"},
            "drop": {"type": "boolean"},
            "latency_ms": {"type": "number", "minimum": 0, "maximum": 120000},
            "times": {"type": ["integer", "null"], "minimum": 1},
            "probability": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "seed": {"type": ["integer", "null"]},
        },
    },
    "FaultRule": {
        "type": "object",
        "description": "A registered rule as posted, with its id, firings left and fired.",
        "required": ["id", "sandbox", "times", "remaining", "fired"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "sandbox": {"type": ["string", "null"]},
            "times": {"type": ["integer", "null"]},
            "remaining": {"type": ["integer", "null"]},
            "fired": {"type": "integer", "minimum": 0},
        },
    },
    "FaultRuleList": {"type": "array", "items": schema("FaultRule")},
    "FaultsCleared": {
        "type": "object",
        "required": ["status", "cleared"],
        "properties": {"status": {"const": "ok"}, "cleared": {"type": "integer", "minimum": 0}},
        "additionalProperties": False,
    },
    "FaultDeleted": {
        "type": "object",
        "required": ["deleted"],
        "properties": {"deleted": {"type": "integer", "minimum": 1}},
        "additionalProperties": False,
    },
    "SandboxList": {"type": "array", "items": schema("Sandbox")},
    "SandboxName": {
        "type": "string",
        "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        "description": (
            "1 to 64 characters of A-Z, a-z, 0-9, `.`, `_` and `-`, starting with a letter "
            "or digit."
        ),
    },
    "SandboxDeleted": {
        "type": "object",
        "required": ["deleted"],
        "properties": {"deleted": schema("SandboxName")},
        "additionalProperties": False,
    },
    "BadSandboxName": {
        "description": "The sandbox name in the path breaks the naming rule.",
        **one_message(
            message(
                "A sandbox name is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', "
                "starting with a letter or digit."
            )
        ),
    },
    "SandboxBound": {
        "description": (
            "MOCK_CANVAS_MAX_SANDBOXES sandboxes exist already, or the sandboxes' estimated "
            "total size would go over MOCK_CANVAS_MAX_SANDBOX_MB; nothing changed."
        ),
        **one_message(
            {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
                "additionalProperties": False,
            }
        ),
    },
    "Restored": {
        "type": "object",
        "description": "What the store holds after the restore.",
        "required": [
            "status",
            "restored",
            "accounts",
            "users",
            "active_links",
            "active_pairing_codes",
        ],
        "properties": {
            "status": {"const": "ok"},
            "restored": schema("SnapshotName"),
            "accounts": {"type": "integer", "minimum": 1},
            "users": {"type": "integer", "minimum": 0},
            "active_links": {"type": "integer", "minimum": 0},
            "active_pairing_codes": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "SnapshotDeleted": {
        "type": "object",
        "required": ["deleted"],
        "properties": {"deleted": schema("SnapshotName")},
        "additionalProperties": False,
    },
    "Cleared": {
        "type": "object",
        "required": ["status", "cleared"],
        "properties": {"status": {"const": "ok"}, "cleared": {"type": "integer", "minimum": 0}},
        "additionalProperties": False,
    },
}


def _fixture_schemas() -> dict[str, Schema]:
    """The fixture format: loose for uploads (FixtureDocument), exact for the state dump."""
    positive = {"type": "integer", "minimum": 1}
    time = {"type": "string", "format": "date-time"}
    settings = {
        "type": "object",
        "properties": {
            "auth_error_status": {"enum": [401, 403]},
            "default_per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "max_per_page": {"type": "integer", "minimum": 1, "maximum": 1000},
        },
        "additionalProperties": False,
    }
    permissions = {
        "type": "object",
        "properties": {
            name: {"type": "boolean"}
            for name in (
                "manage_user_observers",
                "generate_observer_pairing_code",
                "read_sis",
                "manage_sis",
                "view_user_logins",
            )
        },
        "additionalProperties": False,
    }
    sis = {"type": ["string", "integer"]}
    account = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": positive,
            "name": {"type": "string"},
            "domain": {"type": "string"},
            "default": {"type": "boolean"},
            "parent": positive,
            "self_registration": {"type": "boolean"},
            "teachers_can_generate_pairing_codes": {"type": "boolean"},
            "avatars": {"type": "boolean"},
        },
        "additionalProperties": False,
    }
    course = {
        "type": "object",
        "required": ["id", "account"],
        "properties": {"id": positive, "account": positive, "name": {"type": "string"}},
        "additionalProperties": False,
    }
    login: Schema = {
        "type": "object",
        "required": ["account", "unique_id"],
        "properties": {
            "account": positive,
            "unique_id": {"type": "string", "minLength": 1},
            "password": {"type": "string"},
            "sis_user_id": sis,
            "integration_id": sis,
        },
        "additionalProperties": False,
    }
    token = {
        "anyOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "required": ["token"],
                "properties": {"token": {"type": "string", "minLength": 1}, "expires_at": time},
                "additionalProperties": False,
            },
        ]
    }
    admin = {
        "type": "object",
        "required": ["account"],
        "properties": {"account": positive, "permissions": permissions},
        "additionalProperties": False,
    }
    enrollment = {
        "type": "object",
        "required": ["course"],
        "properties": {
            "course": positive,
            "type": {"enum": ["student", "teacher", "ta", "observer", "designer"]},
            "state": {"enum": ["active", "invited", "completed", "inactive", "deleted"]},
        },
        "additionalProperties": False,
    }
    user: Schema = {
        "type": "object",
        "properties": {
            "id": positive,
            "name": {"type": "string"},
            "sortable_name": {"type": "string"},
            "short_name": {"type": "string"},
            "created_at": time,
            "avatar_url": {"type": "string"},
            "state": {"enum": ["active", "deleted"]},
            "site_admin": {"type": "boolean"},
            "logins": {"type": "array", "items": login},
            "tokens": {"type": "array", "items": token},
            "admin": {"type": "array", "items": admin},
            "enrollments": {"type": "array", "items": enrollment},
        },
        "additionalProperties": False,
    }
    link = {
        "type": "object",
        "required": ["observer", "observee"],
        "properties": {
            "observer": positive,
            "observee": positive,
            "root_account": positive,
            "state": {"enum": ["active", "deleted"]},
        },
        "additionalProperties": False,
    }
    code = {
        "type": "object",
        "required": ["user", "code"],
        "properties": {
            "user": positive,
            "code": {"type": "string", "pattern": "^[A-Za-z0-9]{6}$"},
            "expires_at": time,
        },
        "additionalProperties": False,
    }
    generate = {
        "type": "object",
        "required": ["account"],
        "properties": {
            "account": positive,
            "students": {"type": "integer", "minimum": 0, "maximum": 1000000},
            "observers": {"type": "integer", "minimum": 0, "maximum": 1000000},
            "observees_per_observer": {
                "anyOf": [
                    {"type": "integer", "minimum": 0, "maximum": 1000},
                    {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 0, "maximum": 1000},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                ]
            },
            "token_prefix": {"type": "string"},
            "password": {"type": "string"},
            "course": positive,
        },
        "additionalProperties": False,
    }
    document = {
        "type": "object",
        "description": (
            "A fixture (format version 1, see the README). Ids must refer to existing "
            "records, names must be unique, and so on: whatever this schema cannot say, the "
            "server checks, answering 400 with every problem."
        ),
        "properties": {
            "version": {"const": 1},
            "seed": {"type": "integer"},
            "settings": settings,
            "accounts": {"type": "array", "minItems": 1, "items": account},
            "courses": {"type": "array", "items": course},
            "users": {"type": "array", "items": user},
            "observer_links": {"type": "array", "items": link},
            "pairing_codes": {"type": "array", "items": code},
            "generate": {"type": "array", "items": generate},
        },
        "required": ["accounts"],
        "additionalProperties": False,
    }

    def exact(item: Schema, required: list[str]) -> Schema:
        return {**item, "required": required}

    state_user = exact(
        {
            **user,
            "properties": {
                **user["properties"],
                "logins": {
                    "type": "array",
                    "items": {
                        **login,
                        "properties": {
                            **login["properties"],
                            "sis_user_id": {"type": "string"},
                            "integration_id": {"type": "string"},
                        },
                    },
                },
                "state": {"const": "deleted"},
                "site_admin": {"const": True},
            },
        },
        ["id", "name", "sortable_name", "short_name", "created_at"],
    )
    state = {
        "type": "object",
        "description": (
            "The whole current state in the fixture format, everything explicit (tokens and "
            "passwords included: they must round-trip). PUT it back to get the same state."
        ),
        "required": [
            "version",
            "accounts",
            "courses",
            "users",
            "observer_links",
            "pairing_codes",
        ],
        "properties": {
            "version": {"const": 1},
            "seed": {"type": "integer"},
            "settings": settings,
            "accounts": {
                "type": "array",
                "minItems": 1,
                "items": exact(
                    account,
                    [
                        "id",
                        "name",
                        "self_registration",
                        "teachers_can_generate_pairing_codes",
                        "avatars",
                    ],
                ),
            },
            "courses": {"type": "array", "items": exact(course, ["id", "account", "name"])},
            "users": {"type": "array", "items": state_user},
            "observer_links": {
                "type": "array",
                "items": exact(link, ["observer", "observee", "root_account", "state"]),
            },
            "pairing_codes": {
                "type": "array",
                "items": exact(code, ["user", "code", "expires_at"]),
            },
        },
        "additionalProperties": False,
    }
    return {"FixtureDocument": document, "State": state}


SCHEMAS.update(_fixture_schemas())

# The arrange endpoints and the dashboard are described in their own module, beside this one.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from openapi_arrange import PATHS as ARRANGE_PATHS  # noqa: E402
from openapi_arrange import SCHEMAS as ARRANGE_SCHEMAS  # noqa: E402

SCHEMAS.update(ARRANGE_SCHEMAS)

# -- parameters, headers, responses -------------------------------------------------------

ID_DESCRIPTION = (
    "A user: a decimal id (surrounding whitespace ignored, at most 19 digits), `self` (the "
    "caller), or `sis_user_id:X`, `sis_login_id:X` (case-insensitive), `sis_integration_id:X`, "
    "looked up among the logins of the domain root account. Anything else, an unknown or a "
    "deleted user: 404."
)


def path_id(name: str, what: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"{what}. {ID_DESCRIPTION}",
        "schema": {"type": "string", "minLength": 1},
        "examples": {
            "self": {"value": "self"},
            "id": {"value": "200"},
            "sis": {"value": "sis_login_id:student@canvas.test"},
        },
    }


PARAMETERS: dict[str, Schema] = {
    "UserId": path_id("user_id", "The subject user"),
    "ObserveeId": path_id("observee_id", "The student (observee)"),
    "ObserverId": path_id("observer_id", "The observer"),
    "AccessToken": {
        "name": "access_token",
        "in": "query",
        "description": (
            "The caller's token, read only without an `Authorization: Bearer` header (Canvas's "
            "AuthenticationMethods). Never carried into `Link` URLs."
        ),
        "schema": schema("AccessTokenValue"),
    },
    "Include": {
        "name": "include[]",
        "in": "query",
        "description": (
            "`avatar_url` adds each user's absolute `avatar_url`; other values are accepted "
            "and ignored."
        ),
        "style": "form",
        "explode": True,
        "schema": {
            "type": "array",
            "items": {"anyOf": [{"const": "avatar_url"}, {"type": "string"}]},
        },
    },
    "IncludeUnbracketed": {
        "name": "include",
        "in": "query",
        "description": (
            "Tolerated like Canvas does: a string containing `avatar_url` has the effect of "
            "`include[]=avatar_url`."
        ),
        "schema": {"anyOf": [{"const": "avatar_url"}, {"type": "string"}]},
    },
    "Page": {
        "name": "page",
        "in": "query",
        "description": (
            "Starts at 1; a page past the end is 200 `[]`. `0`, negative or non-numeric: 404 "
            "with `error_code` `not_found`. A repeated parameter takes its last value."
        ),
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    },
    "PerPage": {
        "name": "per_page",
        "in": "query",
        "description": (
            "Page size, default 10, clamped to 1..100 (`0`, negative and non-numeric become 1; "
            "both limits are settings). A repeated parameter takes its last value."
        ),
        "schema": {"type": "integer", "default": 10},
    },
    "RootAccountId": {
        "name": "root_account_id",
        "in": "query",
        "description": "See the schema; the query wins over the body (Rails' merge).",
        "schema": schema("RootAccountId"),
    },
    "IgnoredRootAccountId": {
        "name": "root_account_id",
        "in": "query",
        "description": "Documented by Canvas, ignored by DELETE (as in Canvas).",
        "schema": schema("RootAccountId"),
    },
    "StateFormat": {
        "name": "format",
        "in": "query",
        "description": (
            "`yaml` answers YAML; any other value (or none) answers JSON unless the `Accept` "
            "header prefers a YAML type (`application/yaml`, `application/x-yaml`, `text/yaml`)."
        ),
        "schema": {"anyOf": [{"enum": ["json", "yaml"]}, {"type": "string"}]},
    },
    "SnapshotName": {
        "name": "name",
        "in": "path",
        "required": True,
        "description": "The snapshot's name.",
        "schema": {"type": "string"},
    },
    "SandboxName": {
        "name": "name",
        "in": "path",
        "required": True,
        "description": "The sandbox's name.",
        "schema": {"type": "string"},
    },
    "FaultRuleId": {
        "name": "rule_id",
        "in": "path",
        "required": True,
        "description": "The rule's id.",
        "schema": {"type": "integer"},
    },
    "JournalAction": {
        "name": "action",
        "in": "query",
        "description": "Only requests to this Canvas action (e.g. `add_observee`).",
        "schema": {"type": "string"},
    },
    "JournalUser": {
        "name": "user",
        "in": "query",
        "description": "Only requests by this (authenticated) user id.",
        "schema": {"type": "integer"},
    },
    "JournalStatus": {
        "name": "status",
        "in": "query",
        "description": "Only requests answered with this status.",
        "schema": {"type": "integer"},
    },
    "JournalSince": {
        "name": "since",
        "in": "query",
        "description": "Only requests that came in at or after this ISO 8601 date-time (with `Z`).",
        "schema": {"type": "string", "format": "date-time"},
    },
    "JournalAfterId": {
        "name": "after_id",
        "in": "query",
        "description": "Only requests newer than this entry id (what a poller saw last).",
        "schema": {"type": "integer"},
    },
    "JournalLimit": {
        "name": "limit",
        "in": "query",
        "description": "Only the newest this many of the matching requests (still oldest first).",
        "schema": {"type": "integer", "minimum": 1},
    },
}

HEADERS: dict[str, Schema] = {
    "Link": {
        "description": (
            'Canvas pagination links: `<URL>; rel="NAME"` joined by `,` (no space), in the '
            "order current, next, prev, first, last, each only when it applies. Absolute URLs "
            "on the request's scheme, Host and path as written, carrying the other query "
            "parameters (sorted; not `page`, `per_page`, `access_token`, `api_key`), then "
            "`page=N&per_page=M`. A page past the end has no `last` and a `next`. Entries "
            "stop before 6 KB in total; when not even one fits, there is no Link header."
        ),
        "required": False,
        "schema": {
            "type": "string",
            "pattern": (
                '^<[^<>]+>; rel="(current|next|prev|first|last)"'
                '(,<[^<>]+>; rel="(current|next|prev|first|last)")*$'
            ),
        },
    },
    "WWW-Authenticate": {
        "description": (
            '`Bearer realm="canvas-lms"` on token problems (none, unknown, expired); absent '
            "on `Invalid credentials provided.` and on the 401 of `auth_error_status: 401`."
        ),
        "schema": {"const": 'Bearer realm="canvas-lms"'},
    },
    "WWW-Authenticate-Control": {
        "description": "Always sent with the control API's 401.",
        "required": True,
        "schema": {"const": 'Bearer realm="mock-canvas-control"'},
    },
    "X-Rate-Limit-Remaining": {
        "description": (
            "What is left in the caller's leaky bucket (`hwm - count`, Ruby's Float#to_s), "
            "after this request's cost: negative once over the high-water mark. Sent on every "
            "request to a Canvas endpoint (identified by its token, else its IP) unless "
            "`MOCK_CANVAS_THROTTLE=off`."
        ),
        "schema": {"type": "string", "pattern": "^-?[0-9]+\\.[0-9]+(e[+-][0-9]+)?$"},
    },
    "X-Request-Cost": {
        "description": (
            "What this request cost the bucket: `MOCK_CANVAS_THROTTLE_REQUEST_COST` (0.02), "
            "plus 200 for a wrong pairing code. Not sent on a throttled request."
        ),
        "schema": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+(e[+-][0-9]+)?$"},
    },
}


def json_content(body: Schema) -> Schema:
    return {JSON: {"schema": body}}


RESPONSES: dict[str, Schema] = {
    "User": {
        "description": "The user (for DELETE: after the removal).",
        "content": json_content(schema("User")),
    },
    "PairingCode": {
        "description": "The new pairing code.",
        "content": json_content(schema("PairingCode")),
    },
    "UserPage": {
        "description": (
            "One page of users, ordered by `sortable_name` (case- and accent-folded) then id."
        ),
        "headers": {"Link": ref("headers", "Link")},
        "content": json_content(schema("UserList")),
    },
    "BadRequest": {
        "description": "The request cannot be read.",
        "content": json_content(schema("BadRequest")),
    },
    "Unauthenticated": {
        "description": (
            "No, an unknown or an expired token (with `WWW-Authenticate`); with "
            "`auth_error_status: 401`, also *authenticated but not allowed*."
        ),
        "headers": {"WWW-Authenticate": ref("headers", "WWW-Authenticate")},
        "content": json_content(
            {
                "anyOf": [
                    schema("Unauthenticated"),
                    schema("InvalidAccessToken"),
                    schema("ExpiredAccessToken"),
                    schema("Unauthorized"),
                ]
            }
        ),
    },
    "UnauthenticatedOrBadCredentials": {
        "description": (
            "No, an unknown or an expired token (with `WWW-Authenticate`); a wrong "
            "`observee[password]` (without it); with `auth_error_status: 401`, also "
            "*authenticated but not allowed*."
        ),
        "headers": {"WWW-Authenticate": ref("headers", "WWW-Authenticate")},
        "content": json_content(
            {
                "anyOf": [
                    schema("Unauthenticated"),
                    schema("InvalidAccessToken"),
                    schema("ExpiredAccessToken"),
                    schema("InvalidCredentials"),
                    schema("Unauthorized"),
                ]
            }
        ),
    },
    "Forbidden": {
        "description": (
            "JSON: authenticated but not allowed (no `WWW-Authenticate`). text/plain: the "
            "request was throttled (Canvas's leaky bucket per token: high-water mark 600, "
            "10 units a second leak out, 50 reserved while a request runs; no "
            "`X-Request-Cost` then)."
        ),
        "content": {
            JSON: {"schema": schema("Unauthorized")},
            TEXT: {"schema": schema("ThrottledText")},
        },
    },
    "NotFound": {
        "description": "No such user, link, account or page.",
        "content": json_content(schema("NotFound")),
    },
    "PayloadTooLarge": {
        "description": "The body is larger than the limit.",
        "content": json_content(schema("PayloadTooLarge")),
    },
    "Unprocessable": {
        "description": "The student cannot be identified.",
        "content": json_content(schema("UnprocessableObservee")),
    },
    "BadSandboxName": {
        "description": "A sandbox name that breaks the naming rule.",
        "content": json_content(schema("BadSandboxName")),
    },
    "SandboxBound": {
        "description": "Over the number or size bound of the sandboxes; nothing changed.",
        "content": json_content(schema("SandboxBound")),
    },
    "NoSuchSandbox": {
        "description": "No sandbox of that name.",
        "content": json_content(schema("NotFound")),
    },
    "ControlTokenRequired": {
        "description": "Only when the server has a control token and the call lacks it.",
        "headers": {"WWW-Authenticate": ref("headers", "WWW-Authenticate-Control")},
        "content": json_content(schema("ControlTokenRequired")),
    },
}

# Every answer of a Canvas endpoint carries the throttle's headers.
CANVAS_RESPONSES = (
    "User",
    "PairingCode",
    "UserPage",
    "BadRequest",
    "Unauthenticated",
    "UnauthenticatedOrBadCredentials",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "Unprocessable",
)
for _name in CANVAS_RESPONSES:
    RESPONSES[_name]["headers"] = {
        **RESPONSES[_name].get("headers", {}),
        "X-Request-Cost": ref("headers", "X-Request-Cost"),
        "X-Rate-Limit-Remaining": ref("headers", "X-Rate-Limit-Remaining"),
    }

# -- operations ---------------------------------------------------------------------------

CANVAS_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
CONTROL_SECURITY: list[dict[str, list[str]]] = [{}, {"controlToken": []}]


def responses(ok: str, *errors: str) -> Schema:
    table = {
        "400": "BadRequest",
        "401": "Unauthenticated",
        "401c": "UnauthenticatedOrBadCredentials",
        "403": "Forbidden",
        "404": "NotFound",
        "413": "PayloadTooLarge",
        "422": "Unprocessable",
    }
    result: Schema = {"200": ref("responses", ok)}
    for code in errors:
        result[code[:3]] = ref("responses", table[code])
    return result


def body(json_schema: Schema, form_schema: Schema, description: str) -> Schema:
    return {
        "required": False,
        "description": description,
        "content": {
            FORM: {"schema": form_schema},
            MULTIPART: {"schema": form_schema},
            JSON: {"schema": json_schema},
        },
    }


def canvas(
    operation_id: str,
    tag: str,
    summary: str,
    description: str,
    parameters: list[Schema],
    ok: str,
    errors: tuple[str, ...],
    request_body: Schema | None = None,
) -> Schema:
    operation: Schema = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "description": description,
        "security": CANVAS_SECURITY,
        "parameters": [*parameters, ref("parameters", "AccessToken")],
    }
    if request_body is not None:
        operation["requestBody"] = request_body
    operation["responses"] = responses(ok, *errors)
    return operation


P = {name: ref("parameters", name) for name in PARAMETERS}
LIST_PARAMS = [P["Include"], P["IncludeUnbracketed"], P["Page"], P["PerPage"]]
# Every Canvas endpoint reads the query string and the body (GET too, as Rails does): a
# query or body Rack refuses is a 400, a body over the limit a 413.
ERRORS = ("400", "401", "403", "404", "413")
TOKEN_BODY = body(
    schema("AccessTokenBody"),
    schema("AccessTokenBody"),
    "Optional; read only for `access_token` (form, multipart or JSON).",
)

PATHS: dict[str, Schema] = {
    "/api/v1/users/{user_id}/observees": {
        "parameters": [P["UserId"]],
        "get": canvas(
            "list_observees",
            "Observees",
            "List observees",
            "The students linked to the observer `user_id` by an active link in any root "
            "account, each once. The caller must be the observer, or have "
            "`manage_user_observers` in one of the observer's root accounts (403; none: "
            "404). An admin sees every student; only `observation_link_root_account_ids` is "
            "filtered. Admins of the domain root account also see SIS and login fields.",
            LIST_PARAMS,
            "UserPage",
            ERRORS,
        ),
        "post": canvas(
            "add_observee_with_credentials",
            "Observees",
            "Add an observee with credentials",
            "Link a student to the observer `user_id` in every common root account within "
            "`root_account_id`'s scope (the self-or-admin check runs first with that scope). "
            "200 with the *student*, also when already linked or when nothing could be "
            "linked (no common root account).",
            [P["RootAccountId"]],
            "User",
            ("400", "401c", "403", "404", "413", "422"),
            body(
                schema("AddObserveeJson"),
                schema("AddObserveeForm"),
                "The student's token, a pairing code, or a login and password; nested names "
                "follow Rack's rules, a repeated parameter takes its last value, and the same "
                "name in the query wins over the body.",
            ),
        ),
    },
    "/api/v1/users/{user_id}/observees/{observee_id}": {
        "parameters": [P["UserId"], P["ObserveeId"]],
        "get": canvas(
            "show_observee",
            "Observees",
            "Show an observee",
            "404 unless an active link exists between the two in any root account.",
            [],
            "User",
            ERRORS,
        ),
        "put": canvas(
            "add_observee",
            "Observees",
            "Add an observee",
            "Admins only (no self shortcut: an observer linking for themselves gets 403). "
            "`root_account_id` absent = the domain root account only. No common root account "
            "in scope (also: a user and itself) = 404; common but no permission = 403. "
            "Idempotent; 200 with the student.",
            [P["RootAccountId"]],
            "User",
            ERRORS,
            body(
                schema("LinkBody"),
                schema("LinkBody"),
                "Optional: `root_account_id` and `access_token` (the query wins over the body).",
            ),
        ),
        "delete": canvas(
            "remove_observee",
            "Observees",
            "Remove an observee",
            "The observer themselves (every active link to the student) or an admin (the "
            "links in the admin's permitted accounts). Soft delete: adding again restores the "
            "row. 200 (never 204) with the student after the removal; no link selected: 404.",
            [P["IgnoredRootAccountId"]],
            "User",
            ERRORS,
            TOKEN_BODY,
        ),
    },
    "/api/v1/users/{user_id}/observers": {
        "parameters": [P["UserId"]],
        "get": canvas(
            "list_observers",
            "Observers",
            "List observers",
            "The mirror of List observees: the observers linked to the student `user_id`; "
            "the permission check is on the student.",
            LIST_PARAMS,
            "UserPage",
            ERRORS,
        ),
    },
    "/api/v1/users/{user_id}/observers/{observer_id}": {
        "parameters": [P["UserId"], P["ObserverId"]],
        "get": canvas(
            "show_observer",
            "Observers",
            "Show an observer",
            "The permission check is on the student (`user_id`); 404 unless the observer "
            "observes them.",
            [],
            "User",
            ERRORS,
        ),
    },
    "/api/v1/users/{user_id}/observer_pairing_codes": {
        "parameters": [P["UserId"]],
        "post": canvas(
            "create_observer_pairing_code",
            "Pairing codes",
            "Create observer pairing code",
            "The user must exist (deleted users count here), have an active student "
            "enrollment, and the domain root account must allow self-registration (403). The "
            "caller must be the student, an admin over one of the student's courses, or its "
            "teacher where the account lets teachers generate codes (403). Earlier codes stay "
            "valid.",
            [],
            "PairingCode",
            ERRORS,
            TOKEN_BODY,
        ),
    },
    "/__mock__/health": {
        "get": {
            "operationId": "health",
            "tags": ["Control"],
            "summary": "Health",
            "description": "200 once the fixtures are loaded; never needs the control token.",
            "security": [{}],
            "responses": {
                "200": {"description": "Ready.", "content": json_content(schema("Health"))}
            },
        }
    },
    "/__mock__/openapi.json": {
        "get": {
            "operationId": "openapi",
            "tags": ["Control"],
            "summary": "This document",
            "description": (
                "The OpenAPI document shipped in the package; like health, it never needs "
                "the control token (it holds no secret)."
            ),
            "security": [{}],
            "responses": {
                "200": {
                    "description": "The document.",
                    "content": json_content(schema("OpenApiDocument")),
                }
            },
        }
    },
    "/__mock__/reset": {
        "post": {
            "operationId": "reset",
            "tags": ["Control"],
            "summary": "Reset",
            "description": (
                "Back to the loaded fixture (links and pairing codes), nothing parsed again; "
                "the clock back to real time and the request journal emptied."
            ),
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {"description": "Reset.", "content": json_content(schema("Counts"))},
                "401": ref("responses", "ControlTokenRequired"),
            },
        }
    },
    "/__mock__/fixtures": {
        "put": {
            "operationId": "replace_fixtures",
            "tags": ["Control"],
            "summary": "Replace the fixture",
            "description": (
                "Load a new fixture (YAML or JSON, whatever the Content-Type) and replace the "
                "whole state; later resets go back to it. A bad fixture is refused whole."
            ),
            "security": CONTROL_SECURITY,
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {"schema": schema("FixtureDocument")},
                    YAML: {"schema": schema("FixtureDocument")},
                },
            },
            "responses": {
                "200": {"description": "Loaded.", "content": json_content(schema("Counts"))},
                "400": {
                    "description": "The fixture is refused; nothing changed.",
                    "content": json_content(schema("FixtureProblems")),
                },
                "401": ref("responses", "ControlTokenRequired"),
                "413": ref("responses", "PayloadTooLarge"),
            },
        }
    },
    "/__mock__/state": {
        "get": {
            "operationId": "state",
            "tags": ["Control"],
            "summary": "The whole state",
            "description": (
                "The current state in the fixture format; loading it gives the same state."
            ),
            "security": CONTROL_SECURITY,
            "parameters": [P["StateFormat"]],
            "responses": {
                "200": {
                    "description": "JSON, or YAML when asked for.",
                    "content": {
                        JSON: {"schema": schema("State")},
                        YAML: {"schema": schema("State")},
                    },
                },
                "401": ref("responses", "ControlTokenRequired"),
            },
        }
    },
    "/__mock__/snapshots": {
        "post": {
            "operationId": "save_snapshot",
            "tags": ["Control"],
            "summary": "Save a named snapshot",
            "description": (
                "Keep a copy of the current links, pairing codes and token expiries under a "
                "name; an existing name is replaced. At most 100 are kept. A reset keeps them; "
                "replacing the fixture drops them."
            ),
            "security": CONTROL_SECURITY,
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": schema("SnapshotRequest")}},
            },
            "responses": {
                "201": {"description": "Saved.", "content": json_content(schema("Snapshot"))},
                "400": {
                    "description": "A bad name, or 100 snapshots already kept; nothing changed.",
                    "content": json_content(schema("ControlBadRequest")),
                },
                "401": ref("responses", "ControlTokenRequired"),
            },
        },
        "get": {
            "operationId": "list_snapshots",
            "tags": ["Control"],
            "summary": "List the snapshots",
            "description": "The named snapshots kept, oldest first.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {
                    "description": "The snapshots.",
                    "content": json_content(schema("SnapshotList")),
                },
                "401": ref("responses", "ControlTokenRequired"),
            },
        },
    },
    "/__mock__/snapshots/{name}/restore": {
        "parameters": [P["SnapshotName"]],
        "post": {
            "operationId": "restore_snapshot",
            "tags": ["Control"],
            "summary": "Restore a snapshot",
            "description": (
                "The links, pairing codes and token expiries become the snapshot's; the "
                "snapshot is kept, and a reset still goes back to the loaded fixture."
            ),
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {
                    "description": "Restored.",
                    "content": json_content(schema("Restored")),
                },
                "401": ref("responses", "ControlTokenRequired"),
                "404": {
                    "description": "No snapshot of that name.",
                    "content": json_content(schema("NotFound")),
                },
            },
        },
    },
    "/__mock__/snapshots/{name}": {
        "parameters": [P["SnapshotName"]],
        "delete": {
            "operationId": "delete_snapshot",
            "tags": ["Control"],
            "summary": "Delete a snapshot",
            "description": "Forget a named snapshot.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {
                    "description": "Deleted.",
                    "content": json_content(schema("SnapshotDeleted")),
                },
                "401": ref("responses", "ControlTokenRequired"),
                "404": {
                    "description": "No snapshot of that name.",
                    "content": json_content(schema("NotFound")),
                },
            },
        },
    },
    "/__mock__/sandboxes": {
        "get": {
            "operationId": "list_sandboxes",
            "tags": ["Sandboxes"],
            "summary": "List the sandboxes",
            "description": "The named sandboxes, by name (the default sandbox is not listed).",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {
                    "description": "The sandboxes.",
                    "content": json_content(schema("SandboxList")),
                },
                "401": ref("responses", "ControlTokenRequired"),
            },
        },
    },
    "/__mock__/sandboxes/{name}": {
        "parameters": [P["SandboxName"]],
        "put": {
            "operationId": "put_sandbox",
            "tags": ["Sandboxes"],
            "summary": "Create or replace a sandbox",
            "description": (
                "With an empty body, a fresh copy of the server's fixture (copy-on-write: "
                "cheap whatever the fixture's size); with a fixture body (YAML or JSON), a "
                "sandbox with a fixture of its own. A sandbox of that name is replaced (200); "
                "a new one is created (201). A sandbox is also made from the server's fixture "
                "on the first request to `/sandboxes/{name}/...`."
            ),
            "security": CONTROL_SECURITY,
            "requestBody": {
                "required": False,
                "content": {
                    JSON: {"schema": schema("FixtureDocument")},
                    YAML: {"schema": schema("FixtureDocument")},
                },
            },
            "responses": {
                "200": {"description": "Replaced.", "content": json_content(schema("Sandbox"))},
                "201": {"description": "Created.", "content": json_content(schema("Sandbox"))},
                "400": {
                    "description": "A bad name or a refused fixture; nothing changed.",
                    "content": json_content(
                        {"anyOf": [schema("BadSandboxName"), schema("FixtureProblems")]}
                    ),
                },
                "401": ref("responses", "ControlTokenRequired"),
                "413": ref("responses", "PayloadTooLarge"),
                "507": ref("responses", "SandboxBound"),
            },
        },
        "get": {
            "operationId": "show_sandbox",
            "tags": ["Sandboxes"],
            "summary": "Show a sandbox",
            "description": "What the sandbox holds. Does not create it.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {"description": "The sandbox.", "content": json_content(schema("Sandbox"))},
                "400": ref("responses", "BadSandboxName"),
                "401": ref("responses", "ControlTokenRequired"),
                "404": ref("responses", "NoSuchSandbox"),
            },
        },
        "delete": {
            "operationId": "delete_sandbox",
            "tags": ["Sandboxes"],
            "summary": "Delete a sandbox",
            "description": "Forget the sandbox and everything in it.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {
                    "description": "Deleted.",
                    "content": json_content(schema("SandboxDeleted")),
                },
                "400": ref("responses", "BadSandboxName"),
                "401": ref("responses", "ControlTokenRequired"),
                "404": ref("responses", "NoSuchSandbox"),
            },
        },
    },
    "/__mock__/sandboxes/{name}/reset": {
        "parameters": [P["SandboxName"]],
        "post": {
            "operationId": "reset_sandbox",
            "tags": ["Sandboxes"],
            "summary": "Reset a sandbox",
            "description": (
                "Like `POST /sandboxes/{name}/__mock__/reset`: back to its fixture, its clock "
                "to real time, its journal emptied. Does not create it."
            ),
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {"description": "Reset.", "content": json_content(schema("Sandbox"))},
                "400": ref("responses", "BadSandboxName"),
                "401": ref("responses", "ControlTokenRequired"),
                "404": ref("responses", "NoSuchSandbox"),
            },
        },
    },
    "/__mock__/faults": {
        "post": {
            "operationId": "add_fault",
            "tags": ["Faults"],
            "summary": "Add a fault rule",
            "description": (
                "Make matching Canvas requests fail, wait or lose their connection. Rules "
                "are tried oldest first; the first that fires wins and uses up one firing. A "
                "rule made inside a named sandbox applies there only; the default sandbox "
                "may make rules for any sandbox or all (`*`). A reset of a sandbox removes "
                "the rules bound to it and the rules it made. JSON bodies only (415), so "
                "that another site cannot plant a rule."
            ),
            "security": CONTROL_SECURITY,
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": schema("FaultRuleRequest")}},
            },
            "responses": {
                "201": {"description": "Added.", "content": json_content(schema("FaultRule"))},
                "400": {
                    "description": "A bad rule (the message names the field); nothing added.",
                    "content": json_content(schema("ControlBadRequest")),
                },
                "401": ref("responses", "ControlTokenRequired"),
                "415": {
                    "description": "The body was not sent as application/json.",
                    "content": json_content(schema("ControlBadRequest")),
                },
            },
        },
        "get": {
            "operationId": "list_faults",
            "tags": ["Faults"],
            "summary": "List the fault rules",
            "description": "The rules that can fire in this sandbox, oldest first.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {
                    "description": "The rules.",
                    "content": json_content(schema("FaultRuleList")),
                },
                "401": ref("responses", "ControlTokenRequired"),
            },
        },
        "delete": {
            "operationId": "clear_faults",
            "tags": ["Faults"],
            "summary": "Remove this sandbox's fault rules",
            "description": "The rules bound to this sandbox and the rules it made.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {
                    "description": "Removed.",
                    "content": json_content(schema("FaultsCleared")),
                },
                "401": ref("responses", "ControlTokenRequired"),
            },
        },
    },
    "/__mock__/faults/{rule_id}": {
        "parameters": [P["FaultRuleId"]],
        "get": {
            "operationId": "show_fault",
            "tags": ["Faults"],
            "summary": "Show a fault rule",
            "description": "A rule that can fire in this sandbox, with its firings left.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {"description": "The rule.", "content": json_content(schema("FaultRule"))},
                "401": ref("responses", "ControlTokenRequired"),
                "404": {
                    "description": "No such rule here.",
                    "content": json_content(schema("NotFound")),
                },
            },
        },
        "delete": {
            "operationId": "delete_fault",
            "tags": ["Faults"],
            "summary": "Remove a fault rule",
            "description": "Remove one rule that can fire in this sandbox.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {
                    "description": "Removed.",
                    "content": json_content(schema("FaultDeleted")),
                },
                "401": ref("responses", "ControlTokenRequired"),
                "404": {
                    "description": "No such rule here.",
                    "content": json_content(schema("NotFound")),
                },
            },
        },
    },
    "/__mock__/clock": {
        "get": {
            "operationId": "clock",
            "tags": ["Control"],
            "summary": "The clock",
            "description": "The mock's current time and whether it is frozen.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {"description": "The clock.", "content": json_content(schema("Clock"))},
                "401": ref("responses", "ControlTokenRequired"),
            },
        },
        "put": {
            "operationId": "set_clock",
            "tags": ["Control"],
            "summary": "Freeze, set or advance the clock",
            "description": (
                "Everything time-dependent follows the mock's clock: token and pairing-code "
                "expiry and the expiry of new pairing codes. A reset returns it to real time."
            ),
            "security": CONTROL_SECURITY,
            "requestBody": {
                "required": True,
                "content": {JSON: {"schema": schema("ClockChange")}},
            },
            "responses": {
                "200": {
                    "description": "The clock after the change.",
                    "content": json_content(schema("Clock")),
                },
                "400": {
                    "description": "Not one known action, or a bad value; nothing changed.",
                    "content": json_content(schema("ControlBadRequest")),
                },
                "401": ref("responses", "ControlTokenRequired"),
            },
        },
    },
    "/__mock__/requests": {
        "get": {
            "operationId": "list_requests",
            "tags": ["Control"],
            "summary": "The request journal",
            "description": (
                "The requests to the Canvas endpoints (`/api/v1`) since the last reset or "
                "clear, oldest first, that match every filter given. The journal keeps the "
                "last `journal_size` (default 1000)."
            ),
            "security": CONTROL_SECURITY,
            "parameters": [
                P["JournalAction"],
                P["JournalUser"],
                P["JournalStatus"],
                P["JournalSince"],
                P["JournalAfterId"],
                P["JournalLimit"],
            ],
            "responses": {
                "200": {"description": "The requests.", "content": json_content(schema("Journal"))},
                "400": {
                    "description": "A filter that cannot be read.",
                    "content": json_content(schema("ControlBadRequest")),
                },
                "401": ref("responses", "ControlTokenRequired"),
            },
        },
        "delete": {
            "operationId": "clear_requests",
            "tags": ["Control"],
            "summary": "Clear the request journal",
            "description": "Forget every request recorded; how many there were.",
            "security": CONTROL_SECURITY,
            "responses": {
                "200": {"description": "Cleared.", "content": json_content(schema("Cleared"))},
                "401": ref("responses", "ControlTokenRequired"),
            },
        },
    },
}


PATHS.update(ARRANGE_PATHS)

# Every control call that changes state refuses another site's browser (the Origin header).
RESPONSES["CrossSite"] = {
    "description": (
        "Sent from a page on another site (an `Origin` that is not this server): refused, "
        "so a web page cannot change a developer's mock. Clients that are not browsers send "
        "no `Origin`."
    ),
    "content": json_content(one_message(message("Control calls from another site are refused."))),
}
DASHBOARD_OPERATIONS = frozenset({"login", "logout"})
for _path, _item in PATHS.items():
    for _method, _operation in _item.items():
        if (
            _path.startswith("/__mock__/")
            and _method in ("post", "put", "delete")
            and _operation["operationId"] not in DASHBOARD_OPERATIONS
        ):
            _operation["responses"]["403"] = ref("responses", "CrossSite")


def build() -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mock_canvas: Canvas LMS User Observees API",
            "version": VERSION,
            "summary": "A stateful emulator of Canvas's User Observees API, and its control API.",
            "description": (
                "The eight endpoints of Canvas's User Observees API as mock_canvas answers "
                "them (see the README's *Differences from Canvas*), and the mock's own control "
                "API under `/__mock__`. Every body, error bodies included, is JSON "
                "(`application/json; charset=utf-8`), except the throttle's 403 and "
                "the YAML state. The `Host` header picks the domain root account."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [
            {"url": "/", "description": "Wherever the mock listens: the default sandbox."},
            {
                "url": "/sandboxes/{sandbox}",
                "description": "A named sandbox (see the Sandboxes tag).",
                "variables": {"sandbox": {"default": "my-sandbox"}},
            },
        ],
        "tags": [
            {"name": "Observees", "description": "Canvas: UserObserveesController."},
            {"name": "Observers", "description": "Canvas: UserObserveesController (mirror)."},
            {"name": "Pairing codes", "description": "Canvas: ObserverPairingCodesApiController."},
            {"name": "Control", "description": "mock_canvas only: for test authors."},
            {
                "name": "Dashboard",
                "description": "mock_canvas only: the HTML dashboard for people.",
            },
            {
                "name": "Faults",
                "description": (
                    "mock_canvas only: rules that make Canvas requests fail, wait or drop. "
                    "Any Canvas endpoint can then answer any 4xx/5xx a rule asks for. The "
                    "header `X-Mock-Canvas-Fault: status=503` (or `throttled`, `drop`, "
                    "`latency_ms=200`, joined by `;`) does the same for one request "
                    "(`MOCK_CANVAS_FAULT_HEADER=off` ignores it)."
                ),
            },
            {
                "name": "Sandboxes",
                "description": (
                    "mock_canvas only: named, isolated copies of the state. Every path of "
                    "this document is also served under `/sandboxes/{sandbox}` (the second "
                    "server), by that sandbox: made on first use from the server's fixture, "
                    "a 400 for a bad name and a 507 over the bounds. The sandbox routes "
                    "themselves are served on the unprefixed paths only."
                ),
            },
        ],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "headers": HEADERS,
            "responses": RESPONSES,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A Canvas access token, `Authorization: Bearer <token>`. Without the "
                        "header, the `access_token` query or body parameter is read instead."
                    ),
                },
                "controlToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "MOCK_CANVAS_CONTROL_TOKEN: needed by the control API (but health and "
                        "this document) only when the server has one."
                    ),
                },
            },
        },
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the document is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is stale: run python scripts/build_openapi.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
