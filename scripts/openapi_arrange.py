"""OpenAPI 3.1 path items and schemas of the arrange endpoints and the dashboard, for
scripts/build_openapi.py to merge:

    from openapi_arrange import PATHS as ARRANGE_PATHS, SCHEMAS as ARRANGE_SCHEMAS
    SCHEMAS.update(ARRANGE_SCHEMAS)   # before build()
    PATHS.update(ARRANGE_PATHS)

Self-contained (no import of build_openapi, which imports this). It refers to these
components of build_openapi.py: responses `ControlTokenRequired`, `NotFound`,
`PayloadTooLarge`; security scheme `controlToken`.
"""

from __future__ import annotations

from typing import Any

JSON = "application/json"
HTML = "text/html"
FORM = "application/x-www-form-urlencoded"
Schema = dict[str, Any]
CONTROL_SECURITY: list[dict[str, list[str]]] = [{}, {"controlToken": []}]
OPEN: list[dict[str, list[str]]] = [{}]
ISO = "ISO 8601 with a zone (`Z` or an offset), e.g. `2030-01-01T00:00:00Z`"


def ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def schema(name: str) -> Schema:
    return ref("schemas", name)


def json_content(body: Schema) -> Schema:
    return {JSON: {"schema": body}}


def obj(properties: Schema, required: list[str] | None = None, **extra: Any) -> Schema:
    return {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
        "additionalProperties": False,
        **extra,
    }


def page_of(key: str, item: str, description: str) -> Schema:
    return obj(
        {
            key: {"type": "array", "items": schema(item)},
            "total": {"type": "integer", "minimum": 0, "description": "Matching items."},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        },
        description=description,
    )


TIME: Schema = {"type": "string", "format": "date-time", "examples": ["2030-01-01T00:00:00Z"]}
NULLABLE_TIME: Schema = {**TIME, "type": ["string", "null"]}
ID: Schema = {"type": "integer", "minimum": 1}

# -- schemas ------------------------------------------------------------------------------

SCHEMAS: dict[str, Schema] = {
    "ArrangeError": {
        "description": (
            "An arrange call refused; nothing changed. 400: a body or parameter that cannot "
            "be read; 404: an unknown user, root account or token (a token is never echoed); "
            "415: a body not sent as `application/json`; 422: a store rule refuses it (no "
            "common root account, not linked, a user and itself, a code in use)."
        ),
        **obj(
            {
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1,
                    "items": obj({"message": {"type": "string"}}),
                }
            }
        ),
        "examples": [{"errors": [{"message": "Users 102 and 400 share no root account."}]}],
    },
    "ArrangeAccount": obj(
        {
            "id": ID,
            "name": {"type": "string"},
            "parent_id": {"type": ["integer", "null"], "minimum": 1},
            "root_account_id": {**ID, "description": "Itself for a root account."},
            "domain": {"type": ["string", "null"]},
            "default": {
                "type": "boolean",
                "description": "The domain root account of requests to an unknown host.",
            },
        }
    ),
    "ArrangeAccountList": {"type": "array", "items": schema("ArrangeAccount")},
    "ArrangeUser": obj(
        {
            "id": ID,
            "name": {"type": "string"},
            "sortable_name": {"type": "string"},
            "short_name": {"type": "string"},
            "state": {"enum": ["active", "deleted"]},
            "logins": {
                "type": "array",
                "items": obj(
                    {
                        "account_id": ID,
                        "unique_id": {"type": "string"},
                        "sis_user_id": {"type": ["string", "null"]},
                        "integration_id": {"type": ["string", "null"]},
                    }
                ),
            },
            "tokens": {
                "type": "array",
                "description": (
                    "The fixture's tokens (public test data), with the expiry in force: "
                    "POST /__mock__/tokens/expire's until a reset. Passwords are never shown."
                ),
                "items": obj(
                    {
                        "token": {"type": "string"},
                        "expires_at": NULLABLE_TIME,
                        "expired": {"type": "boolean", "description": "By the mock's clock."},
                    }
                ),
            },
            "roles": obj(
                {
                    "site_admin": {"type": "boolean"},
                    "admin": {
                        "type": "array",
                        "items": obj(
                            {
                                "account_id": ID,
                                "permissions": {
                                    "type": "object",
                                    "additionalProperties": {"type": "boolean"},
                                    "description": "As set; every other permission is granted.",
                                },
                            }
                        ),
                    },
                    "enrollments": {
                        "type": "array",
                        "items": obj(
                            {
                                "course_id": ID,
                                "type": {"type": "string", "examples": ["student"]},
                                "state": {"type": "string", "examples": ["active"]},
                            }
                        ),
                    },
                }
            ),
        }
    ),
    "ArrangeUserPage": page_of("users", "ArrangeUser", "One page of users, by id."),
    "ArrangeLink": obj(
        {
            "observer_id": ID,
            "observer_name": {"type": ["string", "null"]},
            "student_id": ID,
            "student_name": {"type": ["string", "null"]},
            "root_account_id": ID,
            "root_account_name": {"type": ["string", "null"]},
            "state": {"enum": ["active", "deleted"]},
        }
    ),
    "ArrangeLinkPage": page_of(
        "links",
        "ArrangeLink",
        "One page of link rows (deleted ones too), by observer, student and root account id.",
    ),
    "ArrangeLinkRequest": obj(
        {
            "observer_id": ID,
            "student_id": ID,
            "root_account_id": {
                "type": ["integer", "null"],
                "description": "A root account; absent or null: every one the two share.",
            },
        },
        required=["observer_id", "student_id"],
        examples=[{"observer_id": 102, "student_id": 203, "root_account_id": 1}],
    ),
    "ArrangeLinked": obj(
        {
            "observer_id": ID,
            "student_id": ID,
            "root_account_ids": {
                "type": "array",
                "items": ID,
                "minItems": 1,
                "description": "The root accounts linked (POST) or unlinked (DELETE).",
            },
        }
    ),
    "ArrangePairingCode": obj(
        {
            "user_id": ID,
            "user_name": {"type": ["string", "null"]},
            "code": {"type": "string", "pattern": "^[A-Za-z0-9]{6}$"},
            "expires_at": TIME,
            "expired": {"type": "boolean", "description": "By the mock's clock."},
            "expires_in_seconds": {
                "type": "integer",
                "description": "By the mock's clock; negative once expired (how long ago).",
            },
        }
    ),
    "ArrangePairingCodePage": page_of(
        "pairing_codes",
        "ArrangePairingCode",
        "One page of the pairing codes kept (expired ones until a reset), soonest expiry first.",
    ),
    "ArrangePairingCodeRequest": obj(
        {
            "user_id": ID,
            "code": {
                "type": ["string", "null"],
                "pattern": "^[A-Za-z0-9]{6}$",
                "description": "Random when absent; 422 when an active code has it.",
            },
            "expires_at": {**NULLABLE_TIME, "description": f"{ISO}; absent: 7 days on."},
        },
        required=["user_id"],
    ),
    "TokenExpiryRequest": obj(
        {
            "token": {"type": "string", "minLength": 1},
            "at": {**NULLABLE_TIME, "description": f"{ISO}; absent: now, by the mock's clock."},
        },
        required=["token"],
    ),
    "ArrangeOk": obj({"status": {"const": "ok"}}),
}

# -- parameters and responses -------------------------------------------------------------


def query(name: str, description: str, value: Schema) -> Schema:
    return {"name": name, "in": "query", "description": description, "schema": value}


PAGE = query("page", "From 1.", {"type": "integer", "minimum": 1, "maximum": 1_000_000_000})
PER_PAGE = query(
    "per_page", "1 to 100, default 25.", {"type": "integer", "minimum": 1, "maximum": 100}
)


def error(description: str) -> Schema:
    return {"description": description, "content": json_content(schema("ArrangeError"))}


TOKEN_REQUIRED = ref("responses", "ControlTokenRequired")
TOO_LARGE = ref("responses", "PayloadTooLarge")
BAD_PARAMETER = error("A parameter that cannot be read.")
BAD_BODY = error("The body is not a JSON object of the documented fields.")
NOT_JSON = error("The body was not sent as `application/json`.")


def json_body(name: str) -> Schema:
    return {"required": True, "content": {JSON: {"schema": schema(name)}}}


def control(operation_id: str, summary: str, description: str, **rest: Any) -> Schema:
    return {
        "operationId": operation_id,
        "tags": ["Control"],
        "summary": summary,
        "description": description,
        "security": CONTROL_SECURITY,
        **rest,
    }


def ok(description: str, name: str) -> Schema:
    return {"description": description, "content": json_content(schema(name))}


LINK_ERRORS = {
    "400": BAD_BODY,
    "401": TOKEN_REQUIRED,
    "404": error("No user (or root account) with that id."),
    "413": TOO_LARGE,
    "415": NOT_JSON,
}

# -- paths --------------------------------------------------------------------------------

HTML_PAGE: Schema = {HTML: {"schema": {"type": "string"}}}
SEE_OTHER: Schema = {
    "description": "Go to the page in `Location`.",
    "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
}

PATHS: dict[str, Schema] = {
    "/__mock__/accounts": {
        "get": control(
            "list_accounts",
            "List the accounts",
            "Every account, root accounts and sub-accounts, in id order.",
            responses={
                "200": ok("The accounts.", "ArrangeAccountList"),
                "401": TOKEN_REQUIRED,
            },
        )
    },
    "/__mock__/users": {
        "get": control(
            "list_users",
            "List and search users",
            "The fixture's users in id order, with logins, tokens and roles (never a "
            "password). `search` is a case-insensitive substring of the name, sortable "
            "name, short name, a login's unique_id, SIS user id or integration id, or "
            "exactly the id. Indexed once per loaded fixture: a page or a search of "
            "100,000 users takes milliseconds.",
            parameters=[
                query("search", "What to look for; empty: every user.", {"type": "string"}),
                PAGE,
                PER_PAGE,
            ],
            responses={
                "200": ok("One page of users.", "ArrangeUserPage"),
                "400": BAD_PARAMETER,
                "401": TOKEN_REQUIRED,
            },
        )
    },
    "/__mock__/links": {
        "get": control(
            "list_links",
            "List the observation links",
            "Every link row, deleted ones too, that matches every filter given.",
            parameters=[
                query("root_account_id", "Only this root account's.", {"type": "integer"}),
                query(
                    "state", "Only active or only deleted rows.", {"enum": ["active", "deleted"]}
                ),
                query(
                    "user_id",
                    "Only the rows where this user is observer or student.",
                    {"type": "integer"},
                ),
                PAGE,
                PER_PAGE,
            ],
            responses={
                "200": ok("One page of links.", "ArrangeLinkPage"),
                "400": BAD_PARAMETER,
                "401": TOKEN_REQUIRED,
            },
        ),
        "post": control(
            "add_link",
            "Link an observer and a student",
            "Active links as a fixture's `observer_links:` makes them, with no Canvas "
            "permission check: in the root account given, else in every one the two share. "
            "Linking again is harmless; a deleted row is restored.",
            requestBody=json_body("ArrangeLinkRequest"),
            responses={
                "201": ok("Linked.", "ArrangeLinked"),
                **LINK_ERRORS,
                "422": error("No common root account (in scope), or a user and itself."),
            },
        ),
        "delete": control(
            "remove_link",
            "Unlink an observer and a student",
            "Soft-delete the active links (in the root account given, else in every one), as "
            "Canvas does: adding again restores the row.",
            requestBody=json_body("ArrangeLinkRequest"),
            responses={
                "200": ok("Unlinked.", "ArrangeLinked"),
                **LINK_ERRORS,
                "422": error("No active link (in that root account), or a user and itself."),
            },
        ),
    },
    "/__mock__/pairing_codes": {
        "get": control(
            "list_pairing_codes",
            "List the pairing codes",
            "The pairing codes kept, with their expiry relative to the mock's clock.",
            parameters=[
                query("user_id", "Only this user's codes.", {"type": "integer"}),
                PAGE,
                PER_PAGE,
            ],
            responses={
                "200": ok("One page of pairing codes.", "ArrangePairingCodePage"),
                "400": BAD_PARAMETER,
                "401": TOKEN_REQUIRED,
            },
        ),
        "post": control(
            "add_pairing_code",
            "Create a pairing code",
            "A pairing code for any user, as a fixture's `pairing_codes:` makes it (no "
            "permission or enrollment check): random unless given, valid 7 days by the "
            "mock's clock unless an expiry is given (a past one makes an expired code).",
            requestBody=json_body("ArrangePairingCodeRequest"),
            responses={
                "201": ok("Created.", "ArrangePairingCode"),
                "400": BAD_BODY,
                "401": TOKEN_REQUIRED,
                "404": error("No user with that id."),
                "413": TOO_LARGE,
                "415": NOT_JSON,
                "422": error(
                    "An active code has that value, or 7 days from the mock's clock pass "
                    "the year 9999."
                ),
            },
        ),
    },
    "/__mock__/tokens/expire": {
        "post": control(
            "expire_token",
            "Expire a token",
            "The token expires now (by the mock's clock) or at `at` (a future instant "
            "revives an expired token), until the next reset or fixture load. The answer "
            "never echoes the token.",
            requestBody=json_body("TokenExpiryRequest"),
            responses={
                "200": ok("Done.", "ArrangeOk"),
                "400": BAD_BODY,
                "401": TOKEN_REQUIRED,
                "404": error("No such token (not echoed)."),
                "413": TOO_LARGE,
                "415": NOT_JSON,
            },
        )
    },
    # -- the dashboard (HTML) -----------------------------------------------------------------
    "/__mock__/": {
        "get": {
            "operationId": "dashboard",
            "tags": ["Dashboard"],
            "summary": "The dashboard",
            "description": (
                "An HTML page of the state (accounts, users, links, pairing codes, the request "
                "journal, the clock, faults, sandboxes) with forms that call this control API. "
                "Paging and filters are query parameters (`q`, `page`, `per_page`, "
                "`links_root`, `links_state`, `links_user`, `links_page`, `codes_page`, "
                "`action`, `user`); an unusable value falls back to its default. With a "
                "control token, it needs the token as a Bearer header or the session cookie "
                "set by POST /__mock__/login, else it sends the login page's address."
            ),
            "security": CONTROL_SECURITY,
            "parameters": [
                query("q", "Search the users.", {"type": "string"}),
                query("page", "The users' page.", {"type": "string"}),
                query("per_page", "Users per page.", {"type": "string"}),
                query("links_root", "Links of one root account.", {"type": "string"}),
                query("links_state", "Active or deleted links.", {"type": "string"}),
                query("links_user", "Links of one user.", {"type": "string"}),
                query("links_page", "The links' page.", {"type": "string"}),
                query("codes_page", "The pairing codes' page.", {"type": "string"}),
                query("action", "Journal: one Canvas action.", {"type": "string"}),
                query("user", "Journal: one user id.", {"type": "string"}),
            ],
            "responses": {
                "200": {"description": "The page.", "content": HTML_PAGE},
                "303": SEE_OTHER,
            },
        }
    },
    "/__mock__/login": {
        "get": {
            "operationId": "login_form",
            "tags": ["Dashboard"],
            "summary": "The dashboard's login page",
            "description": (
                "Asks for the control token; without one, sends the dashboard's address."
            ),
            "security": OPEN,
            "responses": {
                "200": {"description": "The login form.", "content": HTML_PAGE},
                "303": SEE_OTHER,
            },
        },
        "post": {
            "operationId": "login",
            "tags": ["Dashboard"],
            "summary": "Log in to the dashboard",
            "description": (
                "The right token sets a signed session cookie (an HMAC of the token, never "
                "the token) that lets the dashboard's pages render; control calls still need "
                "the Bearer token. A wrong one: the form again, 401."
            ),
            "security": OPEN,
            "requestBody": {
                "required": True,
                "content": {
                    FORM: {
                        "schema": {"type": "object", "properties": {"token": {"type": "string"}}}
                    }
                },
            },
            "responses": {
                "303": SEE_OTHER,
                "401": {"description": "Not the control token.", "content": HTML_PAGE},
                "413": TOO_LARGE,
            },
        },
    },
    "/__mock__/logout": {
        "post": {
            "operationId": "logout",
            "tags": ["Dashboard"],
            "summary": "Log out of the dashboard",
            "description": (
                "Forgets the session when `csrf` is the session's value (another site cannot "
                "log a person out); sends the login page's address either way."
            ),
            "security": OPEN,
            "requestBody": {
                "content": {
                    FORM: {"schema": {"type": "object", "properties": {"csrf": {"type": "string"}}}}
                },
            },
            "responses": {"303": SEE_OTHER, "413": TOO_LARGE},
        }
    },
    "/__mock__/assets/{name}": {
        "parameters": [
            {
                "name": "name",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
                "examples": {"css": {"value": "dashboard.css"}, "js": {"value": "dashboard.js"}},
            }
        ],
        "get": {
            "operationId": "asset",
            "tags": ["Dashboard"],
            "summary": "The dashboard's stylesheet and script",
            "description": (
                "`dashboard.css` and `dashboard.js`, served by the mock itself (no CDN)."
            ),
            "security": OPEN,
            "responses": {
                "200": {
                    "description": "The file, with an ETag.",
                    "content": {
                        "text/css": {"schema": {"type": "string"}},
                        "text/javascript": {"schema": {"type": "string"}},
                    },
                },
                "304": {"description": "Not modified (If-None-Match)."},
                "404": ref("responses", "NotFound"),
            },
        },
    },
}
