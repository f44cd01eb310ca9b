"""Failures found while fuzzing the mock against its OpenAPI document, as plain tests.

Each one was written before its fix and fails until the mock is fixed; the reproduction is
the smallest request that shows it. In-process (Flask test client): no socket needed.
"""

from __future__ import annotations

import json

import pytest
from flask import Flask

from mock_canvas.app import create_app
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from mock_canvas.store import Store

NOT_FOUND = {"errors": [{"message": "The specified resource does not exist."}]}
JSON_TYPE = "application/json; charset=utf-8"


@pytest.fixture
def app(contract_dataset: Dataset) -> Flask:
    return create_app(Settings(), store=Store(contract_dataset))


# -- found by schemathesis (coverage phase, "undeclared method" cases) ----------------------


@pytest.mark.parametrize(
    "path",
    [
        "/__mock__/health",
        "/__mock__/reset",
        "/__mock__/fixtures",
        "/__mock__/state",
        "/__mock__/openapi.json",
        "/api/v1/users/self/observees",  # the Canvas routes already do it right
    ],
)
def test_options_is_the_json_404_of_any_undeclared_method(app: Flask, path: str) -> None:
    # Was: 200, `text/html; charset=utf-8`, an empty body and `Allow: GET, OPTIONS, HEAD`
    # (Flask's automatic OPTIONS), on every control route: undocumented and not JSON.
    r = app.test_client().options(path)
    assert r.status_code == 404, (r.status_code, r.content_type, r.headers.get("Allow"))
    assert r.content_type == JSON_TYPE
    assert r.get_json() == NOT_FOUND


# -- found by schemathesis (fuzzing phase, multipart bodies of POST and DELETE /observees) ---

# A part whose `name` cannot be read: `name="\"` is a quoted string that never ends (the
# backslash escapes the closing quote). Werkzeug hands it over with the name None.
NAMELESS_PART = (
    b'--b\r\nContent-Disposition: form-data; name="\\"\r\n\r\nx\r\n'
    b'--b\r\nContent-Disposition: form-data; name="pairing_code"\r\n\r\nEli202\r\n--b--\r\n'
)


def test_a_multipart_part_without_a_readable_name_is_ignored(app: Flask) -> None:
    # Was: 500 {"errors":[{"message":"An error occurred.","error_code":"internal_server_error"}]}
    # (TypeError in pagination.add_param: `_KEY_HEAD.match(None)`). Rack skips a part
    # without a name; the rest of the body still counts.
    r = app.test_client().post(
        "/api/v1/users/self/observees",
        data=NAMELESS_PART,
        content_type="multipart/form-data; boundary=b",
        headers={"Authorization": "Bearer newparent-token"},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["id"] == 202  # Eli Carter, by the pairing code


# -- found by reading the code while writing the document (the fuzzer does not reach it:
#    it needs a date at the very edge of the datetime range) ------------------------------


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (
            {"users": [{"id": 1, "created_at": "9999-12-31T23:59:59-01:00"}]},
            "users[0].created_at",
        ),
        (
            {"users": [{"id": 1, "created_at": "0001-01-01T00:00:00+01:00"}]},
            "users[0].created_at",
        ),
        (
            {
                "users": [
                    {"id": 1, "tokens": [{"token": "t", "expires_at": "9999-12-31T23:59:59-01:00"}]}
                ]
            },
            "users[0].tokens[0].expires_at",
        ),
        (
            {
                "users": [{"id": 1}],
                "pairing_codes": [
                    {"user": 1, "code": "Ab3xY9", "expires_at": "0001-01-01T00:00:00+01:00"}
                ],
            },
            "pairing_codes[0].expires_at",
        ),
    ],
    ids=["created-at-past-9999", "created-at-before-0001", "token-expiry", "pairing-code-expiry"],
)
def test_a_fixture_time_outside_the_datetime_range_is_a_400(
    app: Flask, body: dict[str, object], where: str
) -> None:
    # Was: 500 {"errors":[{"message":"An error occurred.","error_code":"internal_server_error"}]}
    # (OverflowError from datetime.astimezone in fixtures.parse_time).
    fixture = {"version": 1, "accounts": [{"id": 1, "name": "Solo"}], **body}
    r = app.test_client().put("/__mock__/fixtures", data=json.dumps(fixture))
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.content_type == JSON_TYPE
    messages = [e["message"] for e in r.get_json()["errors"]]
    assert any(where in message for message in messages), messages


def test_a_yaml_timestamp_outside_the_datetime_range_is_a_400(app: Flask) -> None:
    # The same through YAML's own timestamp type (an unquoted date-time).
    text = "accounts: [{id: 1}]\nusers: [{id: 1, created_at: 9999-12-31 23:59:59 -01:00}]\n"
    r = app.test_client().put("/__mock__/fixtures", data=text, content_type="application/yaml")
    assert r.status_code == 400, r.get_data(as_text=True)
    assert any("users[0].created_at" in e["message"] for e in r.get_json()["errors"])
