"""Hostile input on every endpoint, on both transports.

Every probe must end in a Canvas-shaped JSON error (4xx, `application/json; charset=utf-8`,
a body with an `errors` list) or in the correct success: never a 5xx, a traceback or HTML,
and an error must leave the links and pairing codes exactly as they were.

Where Canvas's own answer is known (the spec, or Rails/Rack behaviour the research notes
quote), the test asserts that answer, and a mock that differs fails. Where the live server's
HTTP parser (waitress) legitimately answers before the app, the test says so per transport.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from mock_canvas.model import Dataset, PairingCode
from tests.api.helpers import (
    INVALID_CODE,
    INVALID_CREDENTIALS,
    INVALID_TOKEN,
    JSON_TYPE,
    NOT_FOUND,
    UNAUTHENTICATED,
    UNKNOWN_OBSERVEE,
)
from tests.conftest import ApiClient, Resp

ADMIN = "admin-token"
NO_OBSERVEE = {
    "errors": [{"message": "One of access_token, pairing_code or observee[unique_id] is required."}]
}
TOO_LARGE = {"errors": [{"message": "An error occurred.", "error_code": "payload_too_large"}]}
WWW_AUTHENTICATE = 'Bearer realm="canvas-lms"'
MIB = 1024 * 1024

State = tuple[list[tuple[int, int, int, str]], list[tuple[str, int, str, str]]]


# -- helpers ----------------------------------------------------------------------------


def state(api: ApiClient) -> State:
    """The changing part of the store: every link row and every pairing code."""
    exported = api.store.export()
    links = sorted(
        (link.observer_id, link.student_id, link.root_account_id, link.state)
        for link in exported.links
    )
    codes = sorted(
        (code.code, code.user_id, code.expires_at.isoformat(), code.workflow_state)
        for code in exported.pairing_codes
    )
    return links, codes


def assert_no_crash(r: Resp) -> None:
    """Never a 5xx, a traceback or HTML; always JSON of Canvas's content type."""
    assert r.status < 500, r.text[:500]
    assert r.header("Content-Type") == JSON_TYPE, (r.status, r.header("Content-Type"), r.text[:200])
    assert "Traceback" not in r.text
    assert "<html" not in r.text.lower()
    assert r.body is not None


def assert_canvas_error(r: Resp, status: int | None = None, body: Any = None) -> None:
    """A 4xx with a Canvas error body: `{"errors": [{"message": str, ...}], ...}`."""
    assert_no_crash(r)
    assert 400 <= r.status < 500, (r.status, r.text[:300])
    if status is not None:
        assert r.status == status, (r.status, r.text[:300])
    assert isinstance(r.body, dict)
    assert isinstance(r.body.get("errors"), list) and r.body["errors"]
    for error in r.body["errors"]:
        assert isinstance(error, dict) and isinstance(error.get("message"), str)
    if body is not None:
        assert r.body == body


def assert_user(r: Resp, user_id: int) -> None:
    assert_no_crash(r)
    assert r.status == 200, r.text[:300]
    assert isinstance(r.body, dict) and r.body["id"] == user_id
    for secret in ("password", "token", "email", "access_token"):
        assert secret not in r.body


def assert_list(r: Resp, ids: list[int] | None = None) -> None:
    assert_no_crash(r)
    assert r.status == 200, r.text[:300]
    assert isinstance(r.body, list)
    if ids is not None:
        assert [user["id"] for user in r.body] == ids


def _parse(status: int, headers: dict[str, str], text: str) -> Resp:
    body = None
    if headers.get("content-type", "").startswith("application/json") and text:
        body = json.loads(text)
    return Resp(status, headers, text, body)


def _live_address(api: ApiClient) -> tuple[str, int]:
    assert api.base_url is not None
    parts = urlsplit(api.base_url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def send_bytes(api: ApiClient, data: bytes) -> Resp:
    """One raw HTTP/1.1 exchange with the live server, byte for byte."""
    host, port = _live_address(api)
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        response.begin()
        text = response.read().decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in response.getheaders()}
        return _parse(response.status, headers, text)


def exact(
    api: ApiClient,
    method: str,
    target: str,
    *,
    token: str | None = None,
    body: bytes = b"",
    content_type: str | None = None,
) -> Resp:
    """Send `target` (path and query) exactly as written.

    requests re-quotes a whole URL as soon as it holds one invalid %-escape (`%zz` becomes
    `%25zz` and `%FF` becomes `%25FF`), so the live transport writes the request itself.
    The Flask test client passes the query string through untouched."""
    headers: dict[str, str] = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if content_type is not None:
        headers["Content-Type"] = content_type
    if api.mode == "inprocess":
        return api.request(method, target, headers=headers, data=body or None)
    host, port = _live_address(api)
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return send_bytes(api, head + body)


def multipart(fields: list[tuple[str, str]], boundary: str = "mockcanvasboundary") -> bytes:
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return ("".join(chunks) + f"--{boundary}--\r\n").encode()


def link_rows(api: ApiClient) -> set[tuple[int, int, int]]:
    return {(o, s, r) for o, s, r, st in state(api)[0] if st == "active"}


def code_values(api: ApiClient) -> set[str]:
    return {code for code, _user, _expires, st in state(api)[1] if st == "active"}


# -- the eight endpoints ----------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    template: str  # `{u}` is :user_id, `{o}` the second id where there is one
    u: str  # an id for which a valid admin call succeeds
    o: str | None
    body: dict[str, str] | None  # a body that makes the admin call succeed
    ok_status: int
    mutates: bool

    def path(self, u: str | None = None, o: str | None = None) -> str:
        return self.template.format(u=self.u if u is None else u, o=self.o if o is None else o)


ENDPOINTS = [
    Endpoint("list_observees", "GET", "/api/v1/users/{u}/observees", "100", None, None, 200, False),
    Endpoint(
        "add_observee_with_credentials",
        "POST",
        "/api/v1/users/{u}/observees",
        "102",
        None,
        {"pairing_code": "Eli202"},
        200,
        True,
    ),
    Endpoint(
        "show_observee", "GET", "/api/v1/users/{u}/observees/{o}", "100", "200", None, 200, False
    ),
    Endpoint(
        "add_observee", "PUT", "/api/v1/users/{u}/observees/{o}", "102", "200", None, 200, True
    ),
    Endpoint(
        "remove_observee",
        "DELETE",
        "/api/v1/users/{u}/observees/{o}",
        "100",
        "200",
        None,
        200,
        True,
    ),
    Endpoint("list_observers", "GET", "/api/v1/users/{u}/observers", "200", None, None, 200, False),
    Endpoint(
        "show_observer", "GET", "/api/v1/users/{u}/observers/{o}", "200", "100", None, 200, False
    ),
    Endpoint(
        "create_pairing_code",
        "POST",
        "/api/v1/users/{u}/observer_pairing_codes",
        "202",
        None,
        None,
        200,
        True,
    ),
]
BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}
BODY_ENDPOINTS = [e for e in ENDPOINTS if e.method != "GET"]
GET_ENDPOINTS = [e for e in ENDPOINTS if e.method == "GET"]
SLOTS = [(e, slot) for e in ENDPOINTS for slot in ("u", "o") if slot == "u" or e.o is not None]


def _slot_id(item: tuple[Endpoint, str]) -> str:
    return f"{item[0].name}:{item[1]}"


def call(api: ApiClient, endpoint: Endpoint, path: str | None = None, **kw: Any) -> Resp:
    kw.setdefault("token", ADMIN)
    if endpoint.body is not None and "data" not in kw and "json" not in kw:
        kw["data"] = endpoint.body
    return api.request(endpoint.method, path or endpoint.path(), **kw)


def assert_success(r: Resp, endpoint: Endpoint) -> None:
    assert_no_crash(r)
    assert r.status == endpoint.ok_status, (endpoint.name, r.status, r.text[:300])
    if endpoint.name.startswith("list_"):
        assert isinstance(r.body, list)
    elif endpoint.name == "create_pairing_code":
        assert r.body["user_id"] == int(endpoint.u)
    else:
        assert isinstance(r.body, dict) and isinstance(r.body["id"], int)


# -- ids in paths -----------------------------------------------------------------------

BAD_IDS = [
    str(10**40),  # far beyond 19 digits
    "9" * 19,  # 19 digits, above 2**63 - 1: parses, matches nobody
    "-1",
    "0",
    "1.5",
    "+100",
    "%C3%A9",  # é
    "١٢",  # Arabic-Indic digits, percent-encoded by both clients: Ruby's \d is ASCII only
    "%EF%BC%91%EF%BC%90%EF%BC%90",  # fullwidth 100
    "1%2F00",  # an encoded slash is a slash to the router: no such route
    "%00",
    "1%000",
    "%20",  # nothing left after stripping
    "SELF",
    "%20self%20",  # `self` is matched before stripping, exactly
    "sis_user_id:",
    "SIS_USER_ID:P100",  # prefixes are case-sensitive
    "sis_user_id:p100",  # sis_user_id values are case-sensitive
    "lti_user_id:x",
]


@pytest.mark.parametrize("raw_id", BAD_IDS)
@pytest.mark.parametrize("target", SLOTS, ids=_slot_id)
def test_bad_id_is_404_and_changes_nothing(
    api: ApiClient, target: tuple[Endpoint, str], raw_id: str
) -> None:
    endpoint, slot = target
    path = endpoint.path(u=raw_id) if slot == "u" else endpoint.path(o=raw_id)
    before = state(api)
    r = call(api, endpoint, path)
    assert_canvas_error(r, 404, NOT_FOUND)
    assert r.header("WWW-Authenticate") is None
    assert state(api) == before


@pytest.mark.parametrize("target", SLOTS, ids=_slot_id)
def test_bad_id_without_token_is_401_first(api: ApiClient, target: tuple[Endpoint, str]) -> None:
    # require_user runs before any lookup: no token beats a bad id.
    endpoint, slot = target
    path = endpoint.path(u=str(10**40)) if slot == "u" else endpoint.path(o="%C3%A9")
    before = state(api)
    r = call(api, endpoint, path, token=None)
    assert_canvas_error(r, 401, UNAUTHENTICATED)
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE
    assert state(api) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_trailing_slash_is_the_same_endpoint(api: ApiClient, endpoint: Endpoint) -> None:
    r = call(api, endpoint, endpoint.path() + "/")
    assert_success(r, endpoint)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_ids_padded_with_ascii_whitespace_work_everywhere(
    api: ApiClient, endpoint: Endpoint
) -> None:
    # api_find strips the id: `%20100%09` is 100.
    u = f"%20{endpoint.u}%09"
    o = f"%0A{endpoint.o}%20" if endpoint.o else None
    r = call(api, endpoint, endpoint.path(u=u, o=o))
    assert_success(r, endpoint)


def test_trailing_slash_keeps_the_path_in_link_headers(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees/", token="parent-token")
    assert_list(r, [201, 200])
    assert "/api/v1/users/self/observees/?page=1&per_page=10>" in (r.header("Link") or "")


@pytest.mark.parametrize(
    "raw_id",
    ["%C2%A0100", "%E2%80%83100", "100%1F"],
    ids=["nbsp", "em-space", "unit-separator"],
)
def test_non_ascii_whitespace_around_an_id_is_not_stripped(api: ApiClient, raw_id: str) -> None:
    # Ruby's String#strip removes ASCII whitespace (and NUL) only; Python's str.strip() also
    # removes U+00A0, U+2003 and \x1c-\x1f. Canvas: `" 100"` with a no-break space is a 404.
    r = api.get(f"/api/v1/users/{raw_id}/observees", token=ADMIN)
    assert_canvas_error(r, 404, NOT_FOUND)


@pytest.mark.parametrize(
    "raw_id",
    ["%20sis_user_id:P100", "sis_user_id:P100%20", "%09sis_login_id:parent@canvas.test%0A"],
    ids=["leading-space", "trailing-space", "tab-and-newline"],
)
def test_sis_ids_are_stripped_like_decimal_ids(api: ApiClient, raw_id: str) -> None:
    # Api.sis_parse_id does `id = id.to_s.strip` *before* matching `sis_user_id:...`.
    r = api.get(f"/api/v1/users/{raw_id}/observees", token=ADMIN)
    assert_list(r, [201, 200])


# -- JSON bodies ------------------------------------------------------------------------

MALFORMED_JSON = [
    b"{",
    b'{"pairing_code": ',
    b"{'pairing_code': 'Eli202'}",
    b'{"pairing_code": "Eli202",}',
    b"\xff\xfe{",
    b'{"pairing_code": "\xe9"}',  # Latin-1 bytes: not UTF-8
    b"[" * 100_000 + b"]" * 100_000,  # nesting deeper than any parser allows
    b"nul",
]


@pytest.mark.parametrize("raw", MALFORMED_JSON, ids=lambda raw: repr(raw[:20]))
@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=lambda e: e.name)
def test_malformed_json_is_a_400(api: ApiClient, endpoint: Endpoint, raw: bytes) -> None:
    before = state(api)
    r = call(api, endpoint, headers={"Content-Type": "application/json"}, data=raw)
    assert_canvas_error(r, 400)
    assert state(api) == before


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS, ids=lambda e: e.name)
def test_malformed_json_on_a_get(api: ApiClient, endpoint: Endpoint) -> None:
    # Rails would parse a JSON body on a GET too (a 400); the mock ignores GET bodies (a 200).
    r = call(api, endpoint, headers={"Content-Type": "application/json"}, data=b"{")
    assert_no_crash(r)
    if r.status != 200:
        assert_canvas_error(r, 400)


def test_malformed_json_without_a_token_is_refused_either_way(api: ApiClient) -> None:
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees", headers={"Content-Type": "application/json"}, data=b"{"
    )
    assert_canvas_error(r)
    assert r.status in (400, 401)
    assert state(api) == before


@pytest.mark.parametrize(
    "raw", [b"[1,2]", b'"Eli202"', b"42", b"null", b"true", b'["pairing_code","Eli202"]']
)
def test_json_body_that_is_not_an_object_identifies_nobody(api: ApiClient, raw: bytes) -> None:
    # Rails wraps it in `_json`: no access_token, pairing_code or observee at all.
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        headers={"Content-Type": "application/json"},
        data=raw,
    )
    assert_canvas_error(r, 400, NO_OBSERVEE)
    assert state(api) == before


@pytest.mark.parametrize("raw", [b"[1,2]", b'"x"', b"42", b"null"])
@pytest.mark.parametrize(
    "name", ["add_observee", "remove_observee", "create_pairing_code"], ids=str
)
def test_json_body_that_is_not_an_object_is_ignored_where_no_body_is_read(
    api: ApiClient, name: str, raw: bytes
) -> None:
    endpoint = BY_NAME[name]
    r = call(api, endpoint, headers={"Content-Type": "application/json"}, data=raw)
    assert_success(r, endpoint)


@pytest.mark.parametrize(
    "observee", ["student@canvas.test", ["student@canvas.test"], 5, None, True, ""]
)
def test_observee_that_is_not_a_hash_identifies_nobody(api: ApiClient, observee: Any) -> None:
    # Canvas raises on `params[:observee][:unique_id]` (a 500); the mock's documented 400.
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees", token="newparent-token", json={"observee": observee}
    )
    assert_canvas_error(r, 400, NO_OBSERVEE)
    assert state(api) == before


@pytest.mark.parametrize(
    "unique_id",
    [None, 5, True, ["student@canvas.test"], {"a": "student@canvas.test"}, "", "\ud800"],
    ids=["null", "number", "true", "list", "object", "empty", "lone-surrogate"],
)
def test_observee_unique_id_of_the_wrong_type_is_unknown(api: ApiClient, unique_id: Any) -> None:
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        json={"observee": {"unique_id": unique_id, "password": "student-pass"}},
    )
    assert_canvas_error(r, 422, UNKNOWN_OBSERVEE)
    assert state(api) == before


@pytest.mark.parametrize(
    "password",
    [None, 5, True, False, ["student-pass"], {"a": "student-pass"}, "", "\ud800", "é" * 100],
    ids=["null", "number", "true", "false", "list", "object", "empty", "lone-surrogate", "long"],
)
def test_observee_password_of_the_wrong_type_is_invalid_credentials(
    api: ApiClient, password: Any
) -> None:
    before = state(api)
    # json.dumps writes "\ud800" as the escape `\ud800`: valid JSON, a lone surrogate in Python.
    raw = json.dumps(
        {"observee": {"unique_id": "student@canvas.test", "password": password}}
    ).encode()
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        headers={"Content-Type": "application/json"},
        data=raw,
    )
    assert_canvas_error(r, 401, INVALID_CREDENTIALS)
    assert r.header("WWW-Authenticate") is None
    assert state(api) == before


@pytest.mark.parametrize(
    "code",
    [
        {"code": "Eli202"},
        ["Nope00"],
        [],
        202,
        0,
        True,
        "",
        " Eli202",
        "Eli202 ",
        "eli202",
        "\ud800",
    ],
    ids=[
        "object",
        "list",
        "empty-list",
        "number",
        "zero",
        "true",
        "empty",
        "leading-space",
        "trailing-space",
        "wrong-case",
        "lone-surrogate",
    ],
)
def test_pairing_code_that_matches_no_code_is_invalid(api: ApiClient, code: Any) -> None:
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        headers={"Content-Type": "application/json"},
        data=json.dumps({"pairing_code": code}).encode(),
    )
    assert_canvas_error(r, 422, INVALID_CODE)
    assert state(api) == before
    assert "Eli202" in code_values(api)


def test_pairing_code_null_is_absent(api: ApiClient) -> None:
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees", token="newparent-token", json={"pairing_code": None}
    )
    assert_canvas_error(r, 400, NO_OBSERVEE)
    assert state(api) == before


def test_pairing_code_false_is_absent(api: ApiClient) -> None:
    # `elsif params[:pairing_code]`: JSON false is falsy in Ruby, so Canvas skips the code
    # branch exactly as for null, and the code is never looked up.
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees", token="newparent-token", json={"pairing_code": False}
    )
    assert_canvas_error(r, 400, NO_OBSERVEE)
    assert state(api) == before


def test_pairing_code_as_a_json_number_matches_a_numeric_code(
    api: ApiClient, default_dataset: Dataset
) -> None:
    # `ObserverPairingCode.where(code: 123456)` casts the number to the string column's type.
    extra = PairingCode(202, "123456", datetime(2030, 1, 1, tzinfo=UTC))
    api.store.load(
        dataclasses.replace(default_dataset, pairing_codes=[*default_dataset.pairing_codes, extra])
    )
    r = api.post(
        "/api/v1/users/self/observees", token="newparent-token", json={"pairing_code": 123456}
    )
    assert_user(r, 202)
    assert r.body["observation_link_root_account_ids"] == [1]
    assert (102, 202, 1) in link_rows(api)
    assert "123456" not in code_values(api)


@pytest.mark.parametrize(
    "token",
    [{"token": "eli-token"}, ["nope"], 5, True, "", "   ", "\ud800", "x" * 10_000],
    ids=["object", "list", "number", "true", "empty", "blank", "lone-surrogate", "10k"],
)
def test_access_token_in_the_body_that_names_nobody_is_unknown(api: ApiClient, token: Any) -> None:
    # `if params[:access_token]`: any non-nil, non-false value takes the token branch.
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        headers={"Content-Type": "application/json"},
        data=json.dumps({"access_token": token, "pairing_code": "Eli202"}).encode(),
    )
    assert_canvas_error(r, 422, UNKNOWN_OBSERVEE)
    assert state(api) == before


def test_access_token_null_is_absent(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        json={"access_token": None, "pairing_code": "Eli202"},
    )
    assert_user(r, 202)
    assert (102, 202, 1) in link_rows(api)
    assert "Eli202" not in code_values(api)


def test_access_token_false_is_absent(api: ApiClient) -> None:
    # JSON false is falsy in Ruby: Canvas goes on to the pairing code.
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        json={"access_token": False, "pairing_code": "Eli202"},
    )
    assert_user(r, 202)
    assert (102, 202, 1) in link_rows(api)


@pytest.mark.parametrize(
    "root",
    [str(10**40), "1" * 5000, "-1", "0", "\u0661", "1.5", "ALL", "", [1], {"id": 1}, True, "3"],
    ids=[
        "huge",
        "5000-digits",
        "negative",
        "zero",
        "arabic-digit",
        "decimal",
        "ALL",
        "empty",
        "list",
        "object",
        "true",
        "sub-account",
    ],
)
@pytest.mark.parametrize("name", ["add_observee", "add_observee_with_credentials"], ids=str)
def test_bad_root_account_id_is_404(api: ApiClient, name: str, root: Any) -> None:
    # api_find(Account, ...) finds nothing (a sub-account is found but is no common root).
    endpoint = BY_NAME[name]
    before = state(api)
    payload: dict[str, Any] = {"root_account_id": root, **(endpoint.body or {})}
    r = call(api, endpoint, json=payload)
    assert_canvas_error(r, 404, NOT_FOUND)
    assert state(api) == before
    assert "Eli202" in code_values(api)


def test_root_account_id_as_a_json_number_is_an_id(api: ApiClient) -> None:
    r = api.put("/api/v1/users/102/observees/200", token=ADMIN, json={"root_account_id": 1})
    assert_user(r, 200)
    assert r.body["observation_link_root_account_ids"] == [1]
    assert (102, 200, 1) in link_rows(api)


# -- body size --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["form", "json", "multipart", "octet-stream"])
@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=lambda e: e.name)
def test_body_over_one_mib_is_413(api: ApiClient, endpoint: Endpoint, kind: str) -> None:
    filler = "x" * (2 * MIB)
    if kind == "form":
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        data = f"pairing_code=Eli202&junk={filler}".encode()
    elif kind == "json":
        headers = {"Content-Type": "application/json"}
        data = json.dumps({"pairing_code": "Eli202", "junk": filler}).encode()
    elif kind == "multipart":
        headers = {"Content-Type": "multipart/form-data; boundary=mockcanvasboundary"}
        data = multipart([("pairing_code", "Eli202"), ("junk", filler)])
    else:
        # The README: API request bodies over max_body_bytes are a 413, whatever their type
        # (the mock does not parse this one, but it still accepted 2 MB).
        headers = {"Content-Type": "application/octet-stream"}
        data = filler.encode()
    before = state(api)
    r = call(api, endpoint, headers=headers, data=data)
    assert_canvas_error(r, 413, TOO_LARGE)
    assert state(api) == before


def test_body_over_one_mib_without_a_token_is_413(api: ApiClient) -> None:
    before = state(api)
    r = api.post("/api/v1/users/self/observees", data=b"junk=" + b"x" * (2 * MIB))
    assert_canvas_error(r, 413, TOO_LARGE)
    assert state(api) == before


def test_chunked_body_over_one_mib_is_413(api: ApiClient) -> None:
    def chunks() -> Any:
        yield b"pairing_code=Eli202&junk="
        for _ in range(32):
            yield b"x" * 65536

    before = state(api)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if api.mode == "live":
        # No Content-Length: requests sends `Transfer-Encoding: chunked`.
        r = api.post("/api/v1/users/self/observees", token=ADMIN, headers=headers, data=chunks())
    else:
        # The Flask test client cannot stream; the same bytes with a length.
        r = api.post(
            "/api/v1/users/self/observees", token=ADMIN, headers=headers, data=b"".join(chunks())
        )
    assert_canvas_error(r, 413, TOO_LARGE)
    assert state(api) == before


def test_body_of_exactly_one_mib_is_read(api: ApiClient) -> None:
    head = b"pairing_code=Eli202&junk="
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        data=head + b"x" * (MIB - len(head)),
    )
    assert_user(r, 202)
    assert (102, 202, 1) in link_rows(api)


def test_body_of_one_mib_and_one_byte_is_413(api: ApiClient) -> None:
    head = b"pairing_code=Eli202&junk="
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        data=head + b"x" * (MIB + 1 - len(head)),
    )
    assert_canvas_error(r, 413, TOO_LARGE)
    assert state(api) == before


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS, ids=lambda e: e.name)
def test_get_with_a_large_body(api: ApiClient, endpoint: Endpoint) -> None:
    # The mock never reads a GET body (a 200); refusing it (413) would be fine too.
    r = call(api, endpoint, data=b"junk=" + b"x" * (2 * MIB))
    assert_no_crash(r)
    if r.status != 200:
        assert_canvas_error(r, 413, TOO_LARGE)


def test_multipart_field_under_one_mib_is_read(api: ApiClient) -> None:
    # The documented limit is max_body_bytes (1 MiB); a 700 KB multipart field is under it,
    # and a form-encoded body of the same size is accepted.
    data = multipart([("junk", "x" * 700_000), ("pairing_code", "Eli202")])
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        headers={"Content-Type": "multipart/form-data; boundary=mockcanvasboundary"},
        data=data,
    )
    assert_user(r, 202)
    assert (102, 202, 1) in link_rows(api)


def test_form_field_under_one_mib_is_read(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        data=b"junk=" + b"x" * 700_000 + b"&pairing_code=Eli202",
    )
    assert_user(r, 202)


def test_multipart_with_many_fields_under_one_mib_is_read(api: ApiClient) -> None:
    # 1501 small parts, about 120 KB: Rack allows 4096 parts; only the byte limit applies here.
    fields = [("include[]", "x")] * 1500 + [("pairing_code", "Eli202")]
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        headers={"Content-Type": "multipart/form-data; boundary=mockcanvasboundary"},
        data=multipart(fields),
    )
    assert_user(r, 202)


# -- content types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", b"pairing_code=Eli202"),
        ("application/xml", b"<pairing_code>Eli202</pairing_code>"),
        ("text/xml", b"<observee><unique_id>student@canvas.test</unique_id></observee>"),
        ("application/octet-stream", b"pairing_code=Eli202"),
        ("image/png", b"\x89PNG\r\n\x1a\n"),
        ("application/x-www-form-urlencoded; charset=latin-1", b"pairing_code=Eli20\xe9"),
    ],
    ids=["text-plain", "app-xml", "text-xml", "octet-stream", "png", "latin1-form"],
)
def test_unparsed_content_types_carry_no_params(
    api: ApiClient, content_type: str, data: bytes
) -> None:
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        headers={"Content-Type": content_type},
        data=data,
    )
    assert_canvas_error(r)
    assert r.status in (400, 422)
    assert state(api) == before


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=mockcanvasboundary",
        "multipart/form-data; boundary=mockcanvasboundary; charset=utf-8",
        "MULTIPART/FORM-DATA; boundary=mockcanvasboundary",
    ],
)
def test_multipart_body_is_read(api: ApiClient, content_type: str) -> None:
    data = multipart([("pairing_code", "Eli202"), ("root_account_id", "all")])
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        headers={"Content-Type": content_type},
        data=data,
    )
    assert_user(r, 202)
    assert (102, 202, 1) in link_rows(api)


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("multipart/form-data; boundary=mockcanvasboundary", b"garbage"),
        ("multipart/form-data", multipart([("pairing_code", "Eli202")])),
        ("multipart/form-data; boundary=other", multipart([("pairing_code", "Eli202")])),
        (
            "multipart/form-data; boundary=mockcanvasboundary",
            multipart([("pairing_code", "Eli202")])[:-20],
        ),
        (
            "multipart/form-data; boundary=mockcanvasboundary",
            b"--mockcanvasboundary\r\nContent-Disposition: form-data; "
            b'name="pairing_code"; filename="code.txt"\r\n\r\nEli202\r\n--mockcanvasboundary--\r\n',
        ),
    ],
    ids=["garbage", "no-boundary", "wrong-boundary", "truncated", "file-part"],
)
def test_broken_multipart_identifies_nobody(api: ApiClient, content_type: str, data: bytes) -> None:
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        headers={"Content-Type": content_type},
        data=data,
    )
    assert_canvas_error(r)
    assert r.status in (400, 422)
    assert state(api) == before


def test_query_parameters_win_over_body_parameters(api: ApiClient) -> None:
    # Rails: `params = request_parameters.merge(query_parameters)`, the query string wins.
    before = state(api)
    r = api.post(
        "/api/v1/users/self/observees",
        token="newparent-token",
        query={"pairing_code": "Nope00"},
        data={"pairing_code": "Eli202"},
    )
    assert_canvas_error(r, 422, INVALID_CODE)
    assert state(api) == before


# -- headers ----------------------------------------------------------------------------

SELF_OBSERVEES = "/api/v1/users/self/observees"


def test_empty_authorization_header_falls_back_to_the_param(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, headers={"Authorization": ""})
    assert_canvas_error(r, 401, UNAUTHENTICATED)
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE
    r = api.get(
        SELF_OBSERVEES, headers={"Authorization": ""}, query={"access_token": "parent-token"}
    )
    assert_list(r, [201, 200])


def test_bearer_alone_is_no_token_and_the_param_is_not_read(api: ApiClient) -> None:
    r = api.get(
        SELF_OBSERVEES, headers={"Authorization": "Bearer"}, query={"access_token": "parent-token"}
    )
    assert_canvas_error(r, 401, UNAUTHENTICATED)
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE


@pytest.mark.parametrize("value", ["Bearer ", "Bearer\t"], ids=["space", "tab"])
def test_bearer_and_trailing_blank(api: ApiClient, value: str) -> None:
    r = api.get(SELF_OBSERVEES, headers={"Authorization": value})
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE
    if api.mode == "live":
        # waitress trims the trailing space (RFC 9110 OWS), leaving `Bearer` alone: no token.
        assert_canvas_error(r, 401, UNAUTHENTICATED)
    else:
        # The test client keeps it: `"Bearer ".split(" ", 2)` is ["Bearer", ""], and Canvas
        # looks the empty token up and fails.
        assert_canvas_error(r, 401, INVALID_TOKEN)


def test_token_with_a_trailing_space(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, headers={"Authorization": "Bearer parent-token "})
    if api.mode == "live":
        # waitress trims trailing whitespace from header values.
        assert_list(r, [201, 200])
    else:
        assert_canvas_error(r, 401, INVALID_TOKEN)


@pytest.mark.parametrize(
    "value",
    ["bearer parent-token", "BEARER parent-token", "Basic cGFyZW50LXRva2Vu", "Token parent-token"],
)
def test_other_schemes_are_ignored(api: ApiClient, value: str) -> None:
    r = api.get(SELF_OBSERVEES, headers={"Authorization": value})
    assert_canvas_error(r, 401, UNAUTHENTICATED)
    r = api.get(
        SELF_OBSERVEES, headers={"Authorization": value}, query={"access_token": "parent-token"}
    )
    assert_list(r, [201, 200])


@pytest.mark.parametrize(
    "value", ["Bearer  parent-token", "Bearer\tparent-token", "Bearer \t parent-token"]
)
def test_blank_runs_split_like_ruby(api: ApiClient, value: str) -> None:
    r = api.get(SELF_OBSERVEES, headers={"Authorization": value})
    assert_list(r, [201, 200])


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_token_of_8_kb_is_invalid(api: ApiClient, endpoint: Endpoint) -> None:
    before = state(api)
    r = call(api, endpoint, token="a" * 8192)
    assert_canvas_error(r, 401, INVALID_TOKEN)
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE
    assert "a" * 100 not in r.text
    assert state(api) == before


@pytest.mark.parametrize("token", ["é", "parent-tokené", "١٢", "\u2028", "🙂"])
def test_non_ascii_token_is_invalid(api: ApiClient, token: str) -> None:
    # On the wire a header is bytes; a WSGI server hands them to the app as Latin-1 text.
    # requests sends a str as Latin-1, so the live client gets the UTF-8 bytes instead.
    raw = token.encode("utf-8")
    value: Any = b"Bearer " + raw if api.mode == "live" else "Bearer " + raw.decode("latin-1")
    r = api.get(SELF_OBSERVEES, headers={"Authorization": value})
    assert_canvas_error(r, 401, INVALID_TOKEN)
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE


def test_non_ascii_access_token_param_is_invalid(api: ApiClient) -> None:
    r = api.get(SELF_OBSERVEES, query={"access_token": "parent-tokené"})
    assert_canvas_error(r, 401, INVALID_TOKEN)


@pytest.mark.parametrize("value", ["%20%20", "%09"])
def test_blank_access_token_param_is_no_token(api: ApiClient, value: str) -> None:
    # `request.params["access_token"].presence`: a blank string is absent, not a bad token.
    r = api.get(f"{SELF_OBSERVEES}?access_token={value}")
    assert_canvas_error(r, 401, UNAUTHENTICATED)


@pytest.mark.parametrize("query", ["access_token[]=parent-token", "access_token[a]=parent-token"])
def test_access_token_param_that_is_not_a_string_is_refused(api: ApiClient, query: str) -> None:
    r = api.get(f"{SELF_OBSERVEES}?{query}")
    assert_canvas_error(r, 401)
    assert r.header("WWW-Authenticate") == WWW_AUTHENTICATE


def test_non_ascii_values_in_other_headers_are_harmless(api: ApiClient) -> None:
    raw = "é١٢🙂".encode()
    value: Any = raw if api.mode == "live" else raw.decode("latin-1")
    r = api.get(
        SELF_OBSERVEES,
        token="parent-token",
        headers={"X-Anything": value, "Accept-Language": value, "User-Agent": value},
    )
    assert_list(r, [201, 200])


def test_control_character_in_a_header(api: ApiClient) -> None:
    before = state(api)
    r = api.get(SELF_OBSERVEES, headers={"Authorization": "Bearer parent-token\x01"})
    if api.mode == "live":
        # waitress's HTTP parser refuses the request before the app sees it, with its own
        # plain-text 400 ("Invalid header"): not Canvas's JSON. See the report.
        assert r.status == 400
        assert (r.header("Content-Type") or "").startswith("text/plain")
    else:
        assert_canvas_error(r, 401, INVALID_TOKEN)
    assert state(api) == before


MALFORMED_HTTP = [
    ("header-without-colon", b"X-Broken\r\n", 400),
    ("nul-in-header", b"Authorization: Bearer parent-token\x00\r\n", 400),
    ("space-in-header-name", b"X Broken: 1\r\n", 400),
    ("bad-content-length", b"Content-Length: abc\r\n", 400),
    ("double-content-length", b"Content-Length: 1\r\nContent-Length: 2\r\n", 400),
    ("headers-over-256-kb", b"X-Big: " + b"a" * 300_000 + b"\r\n", 431),
]


@pytest.mark.parametrize(
    ("label", "extra", "waitress_status"), MALFORMED_HTTP, ids=[m[0] for m in MALFORMED_HTTP]
)
def test_malformed_http(api: ApiClient, label: str, extra: bytes, waitress_status: int) -> None:
    before = state(api)
    if api.mode == "live":
        head = (
            b"POST /api/v1/users/self/observer_pairing_codes HTTP/1.1\r\n"
            b"Host: canvas.test\r\nConnection: close\r\n"
        )
        if b"Authorization" not in extra:
            head += b"Authorization: Bearer eli-token\r\n"
        r = send_bytes(api, head + extra + b"\r\n")
        # waitress answers malformed HTTP itself, in plain text, before the app runs: these
        # are the only non-JSON errors a client of the mock can get. See the report.
        assert r.status == waitress_status, (label, r.status, r.text[:200])
        assert (r.header("Content-Type") or "").startswith("text/plain")
        assert "Traceback" not in r.text
    else:
        # No HTTP parser in-process: the app itself answers the nearest well-formed request.
        r = api.post("/api/v1/users/self/observer_pairing_codes", token="eli-token\x00")
        assert_canvas_error(r, 401, INVALID_TOKEN)
    assert state(api) == before


def test_raw_non_ascii_bytes_in_the_request_target(api: ApiClient) -> None:
    if api.mode == "live":
        r = send_bytes(
            api,
            b"GET /api/v1/users/\xd9\xa1\xd9\xa2/observees HTTP/1.1\r\nHost: canvas.test\r\n"
            b"Authorization: Bearer admin-token\r\nConnection: close\r\n\r\n",
        )
        # waitress refuses unencoded non-ASCII in the request target: plain-text 400.
        assert r.status == 400
        assert (r.header("Content-Type") or "").startswith("text/plain")
    else:
        r = api.get("/api/v1/users/١٢/observees", token=ADMIN)
        assert_canvas_error(r, 404, NOT_FOUND)


# -- Host -------------------------------------------------------------------------------


def test_ipv6_host_with_default_port(api: ApiClient) -> None:
    r = api.get("/api/v1/users/sis_user_id:P100/observees", token="parent-token", host="[::1]:80")
    assert_list(r, [201, 200])  # unknown host: the default root account (1) holds P100
    assert (r.header("Link") or "").startswith(
        "<http://[::1]/api/v1/users/sis_user_id:P100/observees?"
    )


def test_uppercase_host_with_trailing_dot_is_unknown(api: ApiClient) -> None:
    r = api.get("/api/v1/users/self/observees", token="guardian-token", host="EXAMPLE.TEST.")
    assert_list(r, [201])
    # The Link header repeats the Host as the client wrote it.
    assert (r.header("Link") or "").startswith("<http://EXAMPLE.TEST./api/v1/users/self/observees?")


def test_host_is_matched_case_insensitively(api: ApiClient) -> None:
    # R400 is a login of Robin's in account 2 (riverside.test) only.
    r = api.get(
        "/api/v1/users/sis_user_id:R400/observees", token="robin-token", host="RIVERSIDE.TEST:8080"
    )
    assert_list(r, [])


@pytest.mark.parametrize(
    "host",
    [
        "",
        "é.test",
        "canvas.test:abc",
        "a b",
        "user@riverside.test",
        "riverside.test/x",
        "riverside.test.",
    ],
    ids=["empty", "non-ascii", "bad-port", "space", "userinfo", "slash", "trailing-dot"],
)
def test_weird_host_is_the_default_root_account(api: ApiClient, host: str) -> None:
    # None of these is riverside.test: R400 is not found, P100 (account 1) is.
    r = api.get("/api/v1/users/sis_user_id:R400/observees", token="robin-token", host=host)
    assert_canvas_error(r, 404, NOT_FOUND)
    r = api.get("/api/v1/users/sis_user_id:P100/observees", token="parent-token", host=host)
    assert_list(r, [201, 200])


def test_host_with_a_label_over_63_characters_is_a_400(api: ApiClient) -> None:
    # The router refuses a Host that is not a valid IDNA name (werkzeug's BadHost).
    r = api.get("/api/v1/users/self/observees", token="parent-token", host="a" * 7000 + ".test")
    assert_canvas_error(r, 400)


def test_very_long_valid_host_never_sends_an_empty_link_header(api: ApiClient) -> None:
    # Every link would be over Canvas's 6 KB budget: Canvas then sends no Link header at all
    # (`headers["Link"] = links.join(",") unless links.empty?`), never an empty one.
    host = ".".join(["a" * 60] * 110)
    r = api.get("/api/v1/users/self/observees", token="parent-token", host=host)
    assert_list(r, [201, 200])
    assert r.header("Link") != ""


# -- query strings ----------------------------------------------------------------------

LIST = "/api/v1/users/100/observees"


def test_per_page_of_10_to_the_30_is_clamped(api: ApiClient) -> None:
    r = api.get(LIST, token=ADMIN, query={"per_page": str(10**30)})
    assert_list(r, [201, 200])
    assert "per_page=100>" in (r.header("Link") or "")


def test_per_page_of_5000_digits_is_clamped(api: ApiClient) -> None:
    # String#to_i has no digit limit; clamp(1, 100) gives 100.
    r = api.get(LIST, token=ADMIN, query={"per_page": "9" * 5000})
    assert_list(r, [201, 200])
    assert "per_page=100>" in (r.header("Link") or "")


@pytest.mark.parametrize("per_page", ["\u0665", "\uff15"], ids=["arabic-5", "fullwidth-5"])
def test_per_page_of_non_ascii_digits_is_one(api: ApiClient, per_page: str) -> None:
    # String#to_i reads ASCII digits only: "\u0665".to_i is 0, clamped to 1.
    r = api.get(LIST, token=ADMIN, query={"per_page": per_page})
    assert_list(r, [201])
    assert 'page=1&per_page=1>; rel="current"' in (r.header("Link") or "")


def test_page_past_any_end_is_empty(api: ApiClient) -> None:
    r = api.get(LIST, token=ADMIN, query={"page": "99999999999999999999"})
    assert_list(r, [])
    assert 'page=99999999999999999999&per_page=10>; rel="current"' in (r.header("Link") or "")


def test_page_of_5000_digits_is_empty(api: ApiClient) -> None:
    r = api.get(LIST, token=ADMIN, query={"page": "9" * 5000})
    assert_list(r, [])


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "\u0661", "\uff11", "1.5", "1e3"])
def test_bad_page_is_canvas_invalid_page(api: ApiClient, page: str) -> None:
    r = api.get(LIST, token=ADMIN, query={"page": page})
    assert_canvas_error(
        r, 404, {"errors": [{"message": "An error occurred.", "error_code": "not_found"}]}
    )


def test_thousand_empty_includes(api: ApiClient) -> None:
    r = api.get(LIST + "?" + "&".join(["include[]="] * 1000), token=ADMIN)
    assert_list(r, [201, 200])
    assert all("avatar_url" not in user for user in r.body)
    # The carried query is over Canvas's 6 KB link budget: no Link header, not an empty one.
    assert r.header("Link") != ""


def test_nested_query_params_are_carried_into_links(api: ApiClient) -> None:
    r = api.get(LIST + "?a[b][c][d]=1", token=ADMIN)
    assert_list(r, [201, 200])
    assert "?a%5Bb%5D%5Bc%5D%5Bd%5D=1&page=1&per_page=10>" in (r.header("Link") or "")


def test_scalar_after_array_takes_the_scalar(api: ApiClient) -> None:
    # Rack: `a[]=1` makes an array, then `a=2` replaces it.
    r = api.get(LIST + "?a[]=1&a=2", token=ADMIN)
    assert_list(r, [201, 200])
    assert "?a=2&page=1&per_page=10>" in (r.header("Link") or "")


# (id, query, may Canvas refuse it with a 400?)
HOSTILE_QUERIES = [
    ("1000-includes", "include[]=" + "&include[]=".join(["avatar_url"] * 1000), False),
    ("a-b-c-d", "a[b][c][d]=1", False),
    ("array-then-scalar", "a[]=1&a=2", False),
    # Rack raises ParameterTypeError (a String, then an Array); the mock keeps the array.
    ("scalar-then-array", "a=2&a[]=1", True),
    # Rack raises InvalidParameterError; the mock keeps the text.
    ("bad-escapes", "x=%zz&%zz=1&y=%", True),
    # Invalid UTF-8: Rails answers 400; the mock decodes to U+FFFD.
    ("invalid-utf8", "x=%FF&%FE=1", True),
    # Deeper than Rack's params depth limit: a 400 there.
    ("depth-40", "a" + "[b]" * 40 + "=1", True),
    ("depth-2000", "a" + "[b]" * 2000 + "=1", True),
    ("bracket-soup", "[]=1&[[]]=2&]=3&[=4&=5&&&", True),
    ("array-of-hashes", "a[][b]=1&a[][c]=2&a[]=3", False),
    ("per-page-clash", "per_page=10&per_page=abc&per_page[]=5", True),
    ("credentials-in-query", "observee[unique_id]=student@canvas.test&observee[password]=x", False),
]


@pytest.mark.parametrize(
    ("query", "may_be_400"), [q[1:] for q in HOSTILE_QUERIES], ids=[q[0] for q in HOSTILE_QUERIES]
)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_hostile_query_does_not_change_the_outcome(
    api: ApiClient, endpoint: Endpoint, query: str, may_be_400: bool
) -> None:
    before = state(api)
    body = b"pairing_code=Eli202" if endpoint.body else b""
    content_type = "application/x-www-form-urlencoded" if body else None
    r = exact(
        api,
        endpoint.method,
        f"{endpoint.path()}?{query}",
        token=ADMIN,
        body=body,
        content_type=content_type,
    )
    assert_no_crash(r)
    if may_be_400 and r.status == 400:
        assert_canvas_error(r, 400)
        assert state(api) == before
        return
    assert_success(r, endpoint)
    if not endpoint.mutates:
        assert state(api) == before


@pytest.mark.parametrize(
    "query",
    ["x=%zz", "%zz=1", "x=%FF", "x=%", "x=%2", "per_page=%zz", "include[]=%FFavatar_url"],
)
def test_invalid_percent_escapes_in_the_query(api: ApiClient, query: str) -> None:
    r = exact(api, "GET", f"{LIST}?{query}", token=ADMIN)
    assert_no_crash(r)
    if r.status != 200:
        # Rack raises InvalidParameterError and Rails answers 400: acceptable too.
        assert_canvas_error(r, 400)
    else:
        assert isinstance(r.body, list)


@pytest.mark.parametrize("depth", [100, 2000])
def test_deeply_nested_form_body(api: ApiClient, depth: int) -> None:
    before = state(api)
    data = b"pairing_code=Nope00&a" + b"[b]" * depth + b"=1"
    r = api.post("/api/v1/users/self/observees", token="newparent-token", data=data)
    assert_canvas_error(r)
    # Rack stops at its params depth limit with a 400; a shallower body reaches the code check.
    assert r.status in (400, 422)
    assert state(api) == before


@pytest.mark.parametrize(
    "query",
    [
        {"per_page": ["1", "2"]},
        {"include[]": ["avatar_url"] * 300, "include": "avatar_url"},
        {"page": "1", "per_page": "-5"},
        {"access_token": "admin-token", "api_key": "k", "page": "1"},
    ],
    ids=["per-page-twice", "include-both-ways", "negative-per-page", "excluded-keys"],
)
def test_odd_but_valid_queries_on_lists(api: ApiClient, query: dict[str, Any]) -> None:
    r = api.get(LIST, token=ADMIN, query=query)
    assert_list(r, [201, 200] if query.get("per_page") != "-5" else [201])
    link = r.header("Link") or ""
    assert "access_token" not in link and "api_key" not in link


@pytest.mark.parametrize("host", ["a b", "x:abc"])
def test_unusable_host_still_gives_absolute_links(api: ApiClient, host: str) -> None:
    r = api.get("/api/v1/users/self/observees", token="parent-token", host=host)
    assert r.status == 200
    link = r.header("link") or ""
    assert "http:///" not in link
    assert (
        link.startswith("<http://") and "/api/v1/users/self/observees?page=1&per_page=10>" in link
    )


def _raw_get(
    api: ApiClient, path: str, headers: list[tuple[str, str]]
) -> tuple[int, dict[str, str], Any]:
    """A GET with repeated header names, which neither requests nor a dict can send."""
    if api.mode == "live":
        assert api.base_url is not None
        parts = urlsplit(api.base_url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        connection.putrequest("GET", path)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        got = {k.lower(): v for k, v in response.getheaders()}
        connection.close()
        return response.status, got, json.loads(body)
    result = api.app.test_client().get(path, headers=headers)
    return result.status_code, {k.lower(): v for k, v in result.headers.items()}, result.get_json()


def test_repeated_authorization_headers_are_one_invalid_token(api: ApiClient) -> None:
    # Joined by ", " the way a server hands repeated headers to Rack: never a valid token.
    status, headers, body = _raw_get(
        api,
        "/api/v1/users/self/observees",
        [("Authorization", "Bearer parent-token"), ("Authorization", "Bearer student-token")],
    )
    assert status == 401
    assert body == {"errors": [{"message": "Invalid access token."}]}
    assert headers["www-authenticate"] == 'Bearer realm="canvas-lms"'
