"""The request journal: GET/DELETE /__mock__/requests, its filters, redaction and bound."""

from __future__ import annotations

import re
from datetime import datetime

from mock_canvas.app import create_app
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings, from_env
from mock_canvas.store import Store
from tests.conftest import ApiClient

REQUESTS = "/__mock__/requests"
KEYS = [
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
]
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def summary(entries: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(e["method"], e["path"], e["action"], e["user_id"], e["status"]) for e in entries]


def test_empty_after_a_reset(api: ApiClient) -> None:
    r = api.get(REQUESTS)
    assert r.status == 200
    assert r.body == []


def test_every_canvas_request_is_recorded(api: ApiClient) -> None:
    api.get("/api/v1/users/self/observees", token="parent-token", query={"per_page": "1"})
    api.get("/api/v1/users/self/observers/100", token="student-token")
    api.delete("/api/v1/users/self/observees/200", token="parent-token")
    api.get("/api/v1/users/self/observees")  # no token
    api.get("/api/v1/nowhere", token="parent-token")  # no such endpoint
    api.get("/__mock__/health")  # the control API is not recorded
    r = api.get(REQUESTS)
    assert r.status == 200
    assert summary(r.body) == [
        ("GET", "/api/v1/users/self/observees", "list_observees", 100, 200),
        ("GET", "/api/v1/users/self/observers/100", "show_observer", 200, 200),
        ("DELETE", "/api/v1/users/self/observees/200", "remove_observee", 100, 200),
        ("GET", "/api/v1/users/self/observees", "list_observees", None, 401),
        ("GET", "/api/v1/nowhere", None, None, 404),
    ]
    first = r.body[0]
    assert list(first) == KEYS
    assert first["query"] == "per_page=1"
    assert first["body"] is None
    assert TIME_RE.match(first["time"])
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    ids = [e["id"] for e in r.body]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_secrets_are_redacted_in_the_query_and_the_body(api: ApiClient) -> None:
    api.post(
        "/api/v1/users/self/observees",
        token="parent-token",
        json={"observee": {"unique_id": "student@canvas.test", "password": "student-pass"}},
    )
    api.post(
        "/api/v1/users/self/observees",
        data="access_token=newparent-token&pairing_code=Eli202&root_account_id=all",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    api.get(
        "/api/v1/users/self/observees",
        query={"access_token": "parent-token", "observee[password]": "x", "page": "1"},
    )
    r = api.get(REQUESTS)
    assert r.status == 200
    assert [e["body"] for e in r.body] == [
        {"observee": {"unique_id": "student@canvas.test", "password": "[REDACTED]"}},
        {"access_token": "[REDACTED]", "pairing_code": "[REDACTED]", "root_account_id": "all"},
        None,
    ]
    assert r.body[2]["query"] == (
        "access_token=[REDACTED]&observee%5Bpassword%5D=[REDACTED]&page=1"
    )
    assert [(e["user_id"], e["status"]) for e in r.body] == [(100, 200), (102, 200), (100, 200)]
    for secret in ("student-pass", "newparent-token", "Eli202", "parent-token"):
        assert secret not in r.text


def test_an_unreadable_body_is_recorded_without_it(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/self/observees",
        token="parent-token",
        data="{",
        headers={"Content-Type": "application/json"},
    )
    assert r.status == 400
    r = api.get(REQUESTS)
    assert r.status == 200
    assert summary(r.body) == [
        ("POST", "/api/v1/users/self/observees", "add_observee_with_credentials", None, 400)
    ]
    assert r.body[0]["body"] is None


def test_filters(api: ApiClient) -> None:
    api.get("/api/v1/users/self/observees", token="parent-token")
    api.get("/api/v1/users/self/observees", token="student-token")
    api.get("/api/v1/users/self/observers", token="student-token")
    api.get("/api/v1/users/100/observees", token="noperm-token")
    r = api.get(REQUESTS, query={"action": "list_observees"})
    assert r.status == 200
    assert [e["user_id"] for e in r.body] == [100, 200, 2]
    r = api.get(REQUESTS, query={"user": "200"})
    assert r.status == 200
    assert [e["action"] for e in r.body] == ["list_observees", "list_observers"]
    r = api.get(REQUESTS, query={"status": "403"})
    assert r.status == 200
    assert summary(r.body) == [("GET", "/api/v1/users/100/observees", "list_observees", 2, 403)]
    r = api.get(REQUESTS, query={"action": "list_observees", "user": "200", "status": "200"})
    assert r.status == 200
    assert len(r.body) == 1
    r = api.get(REQUESTS, query={"action": "add_observee"})
    assert r.status == 200
    assert r.body == []


def test_since_follows_the_mock_clock(api: ApiClient) -> None:
    api.put("/__mock__/clock", json={"freeze": "2030-01-01T00:00:00Z"})
    api.get("/api/v1/users/self/observees", token="parent-token")
    api.put("/__mock__/clock", json={"advance_seconds": 60})
    api.get("/api/v1/users/self/observers", token="student-token")
    r = api.get(REQUESTS)
    assert [e["time"] for e in r.body] == ["2030-01-01T00:00:00.000Z", "2030-01-01T00:01:00.000Z"]
    r = api.get(REQUESTS, query={"since": "2030-01-01T00:00:30Z"})
    assert r.status == 200
    assert [e["action"] for e in r.body] == ["list_observers"]
    r = api.get(REQUESTS, query={"since": "2030-01-01T00:01:00Z"})
    assert [e["action"] for e in r.body] == ["list_observers"]
    r = api.get(REQUESTS, query={"since": "2030-01-01T00:01:01Z"})
    assert r.status == 200
    assert r.body == []


def test_after_id_and_limit_page_the_newest(api: ApiClient) -> None:
    for _ in range(5):
        api.get("/api/v1/users/self/observees", token="parent-token")
    api.get("/api/v1/users/self/observers", token="student-token")
    ids = [e["id"] for e in api.get(REQUESTS).body]
    assert len(ids) == 6
    r = api.get(REQUESTS, query={"after_id": str(ids[3])})
    assert (r.status, [e["id"] for e in r.body]) == (200, ids[4:])
    r = api.get(REQUESTS, query={"limit": "2"})
    assert (r.status, [e["id"] for e in r.body]) == (200, ids[4:])  # the newest, oldest first
    r = api.get(REQUESTS, query={"limit": "3", "action": "list_observees"})
    assert [e["id"] for e in r.body] == ids[2:5]
    r = api.get(REQUESTS, query={"after_id": str(ids[-1])})
    assert (r.status, r.body) == (200, [])
    r = api.get(REQUESTS, query={"limit": "1000", "after_id": "-1"})
    assert [e["id"] for e in r.body] == ids


def test_bad_filters_are_a_400(api: ApiClient) -> None:
    for query, message in [
        ({"limit": "0"}, "limit must be an integer of at least 1."),
        ({"limit": "-3"}, "limit must be an integer of at least 1."),
        ({"limit": "ten"}, "limit must be an integer."),
        ({"after_id": "x"}, "after_id must be an integer."),
        ({"user": "me"}, "user must be an integer."),
        ({"status": "ok"}, "status must be an integer."),
        ({"since": "yesterday"}, "since must be an ISO 8601 date-time with a zone"),
        ({"since": "2030-01-01T00:00:00"}, "since must be an ISO 8601 date-time with a zone"),
    ]:
        r = api.get(REQUESTS, query=query)
        assert r.status == 400, query
        assert list(r.body) == ["errors"]
        assert r.body["errors"][0]["message"].startswith(message)


def test_delete_clears_and_reset_empties(api: ApiClient) -> None:
    api.get("/api/v1/users/self/observees", token="parent-token")
    api.get("/api/v1/users/self/observees", token="parent-token")
    r = api.delete(REQUESTS)
    assert r.status == 200
    assert r.body == {"status": "ok", "cleared": 2}
    assert api.get(REQUESTS).body == []
    api.get("/api/v1/users/self/observees", token="parent-token")
    assert api.post("/__mock__/reset").status == 200
    r = api.get(REQUESTS)
    assert r.status == 200
    assert r.body == []
    r = api.delete(REQUESTS)
    assert r.body == {"status": "ok", "cleared": 0}


def test_unknown_methods_are_the_json_404(api: ApiClient) -> None:
    r = api.post(REQUESTS)
    assert r.status == 404
    assert r.body == {"errors": [{"message": "The specified resource does not exist."}]}


def test_the_journal_is_a_ring_buffer(default_dataset: Dataset) -> None:
    app = create_app(Settings(journal_size=3), store=Store(default_dataset))
    client = app.test_client()
    headers = {"Authorization": "Bearer parent-token"}
    for page in range(1, 6):
        assert (
            client.get(f"/api/v1/users/self/observees?page={page}", headers=headers).status_code
            == 200
        )
    r = client.get(REQUESTS)
    assert r.status_code == 200
    assert [e["query"] for e in r.get_json()] == ["page=3", "page=4", "page=5"]
    assert [e["id"] for e in r.get_json()] == [3, 4, 5]


def test_journal_size_comes_from_the_environment() -> None:
    assert Settings().journal_size == 1000
    assert from_env({"MOCK_CANVAS_JOURNAL_SIZE": "50"}).journal_size == 50
    for bad, problem in [("0", "must be between 1 and 1000000"), ("x", "must be an integer")]:
        try:
            from_env({"MOCK_CANVAS_JOURNAL_SIZE": bad})
        except ValueError as exc:
            assert str(exc) == f"MOCK_CANVAS_JOURNAL_SIZE: {problem}"
        else:
            raise AssertionError(f"{bad!r} was accepted")


def test_the_journal_needs_the_control_token(default_dataset: Dataset) -> None:
    app = create_app(Settings(control_token="sekrit"), store=Store(default_dataset))
    client = app.test_client()
    assert (
        client.get(
            "/api/v1/users/self/observees", headers={"Authorization": "Bearer parent-token"}
        ).status_code
        == 200
    )
    for method in ("GET", "DELETE"):
        r = client.open(REQUESTS, method=method)
        assert r.status_code == 401
        assert r.get_json()["errors"][0]["message"].startswith("This control call needs")
    r = client.get(REQUESTS, headers={"Authorization": "Bearer sekrit"})
    assert r.status_code == 200
    assert [e["action"] for e in r.get_json()] == ["list_observees"]
    assert datetime.fromisoformat(r.get_json()[0]["time"]).tzinfo is not None


def test_big_bodies_and_queries_are_not_kept_whole(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/users/self/observees",
        token="parent-token",
        data="junk=" + "x" * 20000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status == 400
    api.get("/api/v1/users/self/observees", token="parent-token", query={"q": "y" * 5000})
    r = api.get(REQUESTS)
    assert r.status == 200
    assert r.body[0]["body"] == "[20005 bytes, not kept]"
    assert r.body[0]["user_id"] == 100
    assert r.body[1]["query"] == "q=" + "y" * 4094 + "..."
    assert r.body[1]["status"] == 200
