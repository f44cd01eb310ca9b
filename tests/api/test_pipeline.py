"""The /api/v1 pipeline (traffic.CanvasPipeline + api.dispatch), outside Flask's request cycle:
what it sends must be what Flask sent, on both transports."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from mock_canvas.app import create_app
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.conftest import ApiClient

LIST = "/api/v1/users/self/observees"


def test_a_list_answer_carries_json_link_length_and_throttle_headers(api: ApiClient) -> None:
    got = api.get(LIST, token="big-observer-1", query={"per_page": "10"})
    assert got.status == 200
    assert got.headers["content-type"] == "application/json; charset=utf-8"
    assert int(got.headers["content-length"]) == len(got.text.encode("utf-8"))
    assert len(got.body) == 10
    assert 'rel="next"' in got.headers["link"]
    assert got.headers["x-request-cost"] == "0.02"
    assert float(got.headers["x-rate-limit-remaining"]) > 0


def test_head_of_a_list_is_the_get_without_its_body(api: ApiClient) -> None:
    query = {"per_page": "3"}
    get = api.get(LIST, token="big-observer-1", query=query)
    head = api.request("HEAD", LIST, token="big-observer-1", query=query)
    assert (head.status, head.text) == (200, "")
    for name in ("content-type", "content-length", "link", "x-request-cost"):
        assert head.headers[name] == get.headers[name]
    entry = api.app.extensions["mock_canvas"].journal.entries()[-1]
    assert (entry.method, entry.action, entry.status) == ("HEAD", "list_observees", 200)


def test_an_unknown_method_is_the_plain_404_metered_and_kept_without_an_action(
    api: ApiClient,
) -> None:
    got = api.request("PATCH", LIST, token="big-observer-1")
    assert got.status == 404
    assert got.body == {"errors": [{"message": "The specified resource does not exist."}]}
    assert got.headers["x-request-cost"] == "0.02"
    entry = api.app.extensions["mock_canvas"].journal.entries()[-1]
    assert (entry.method, entry.path, entry.action, entry.status) == ("PATCH", LIST, None, 404)


def test_a_bug_in_a_view_is_a_canvas_500_and_its_request_reaches_the_listeners(
    default_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(Settings(), store=Store(default_dataset))
    told: list[tuple[Exception, str]] = []
    app.extensions["mock_canvas"].error_listeners.append(lambda exc, req: told.append((exc, req)))
    bug = ValueError("a bug")

    def broken(*args: object, **kwargs: object) -> None:
        raise bug

    monkeypatch.setattr(Store, "list_observees", broken)
    got = app.test_client().get(
        LIST + "?per_page=2", headers={"Authorization": "Bearer big-observer-1"}
    )
    assert got.status_code == 500
    assert got.get_json() == {
        "errors": [{"message": "An error occurred.", "error_code": "internal_server_error"}]
    }
    assert got.headers["X-Request-Cost"] == "0.02"  # metered like any answer
    assert told == [(bug, "GET /api/v1/users/self/observees?per_page=2")]
    entry = app.extensions["mock_canvas"].journal.entries()[-1]
    assert (entry.action, entry.status) == ("list_observees", 500)


def test_a_bug_before_the_view_is_a_canvas_500_too(
    default_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mock_canvas.faults import FaultRegistry

    app = create_app(Settings(), store=Store(default_dataset))
    told: list[str] = []
    app.extensions["mock_canvas"].error_listeners.append(lambda exc, req: told.append(req))

    def broken(self: FaultRegistry, value: str) -> None:
        raise KeyError(value)

    monkeypatch.setattr(FaultRegistry, "header_fault", broken)
    got = app.test_client().get(
        LIST, headers={"Authorization": "Bearer big-observer-1", "X-Mock-Canvas-Fault": "x"}
    )
    assert got.status_code == 500
    assert got.get_json()["errors"][0]["error_code"] == "internal_server_error"
    assert told == ["GET /api/v1/users/self/observees"]
    assert app.extensions["mock_canvas"].journal.entries()[-1].status == 500


# From the review of the pipeline: each of these passed before it left Flask's request cycle.


@pytest.mark.parametrize(
    "path",
    ["/sandboxes/a//api/v1/users/self/observees", "//api/v1/users/self/observees"],
)
def test_a_doubled_slash_before_api_v1_is_still_a_canvas_request(
    default_dataset: Dataset, path: str
) -> None:
    app = create_app(Settings(), store=Store(default_dataset))
    told: list[str] = []
    app.extensions["mock_canvas"].error_listeners.append(lambda exc, req: told.append(req))
    environ = EnvironBuilder(path="/", headers={"Authorization": "Bearer parent-token"})
    env = environ.get_environ()
    env["PATH_INFO"] = path  # what a base URL ending in "/" plus "/api/v1/..." sends
    body, status, headers = run_wsgi_app(app, env, buffered=True)
    assert status == "200 OK", b"".join(body)
    assert headers["X-Request-Cost"] == "0.02"
    assert told == []


def test_a_doubled_slash_inside_the_path_is_werkzeugs_redirect(api: ApiClient) -> None:
    got = api.get("/api/v1/users/self//observees", token="parent-token")
    if api.mode == "live":  # requests follows the 308 to the merged path
        assert (got.status, len(got.body)) == (200, 2)
    else:
        assert got.status == 308
        assert got.headers["location"] == "http://localhost/api/v1/users/self/observees"


def test_a_route_of_the_apps_own_under_api_v1_is_served_by_flask_and_metered(
    default_dataset: Dataset,
) -> None:
    app = create_app(Settings(), store=Store(default_dataset))
    app.add_url_rule("/api/v1/courses", "courses", lambda: {"courses": []})
    got = app.test_client().get("/api/v1/courses", headers={"Authorization": "Bearer x"})
    assert (got.status_code, got.get_json()) == (200, {"courses": []})
    assert got.headers["X-Request-Cost"] == "0.02"
    entry = app.extensions["mock_canvas"].journal.entries()[-1]
    assert (entry.path, entry.action, entry.status) == ("/api/v1/courses", None, 200)


def _bug(*args: object, **kwargs: object) -> None:
    raise KeyError("a bug")


@pytest.mark.parametrize(
    "target",
    [
        "mock_canvas.throttle.Throttle.begin",
        "mock_canvas.throttle.Throttle.finish",
        "mock_canvas.store.Store.fork",
        "mock_canvas.journal.Journal.record",
        "mock_canvas.faults.FaultRegistry.header_fault",
    ],
)
def test_a_bug_anywhere_in_the_pipeline_is_told_and_never_escapes(
    default_dataset: Dataset, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    app = create_app(Settings(), store=Store(default_dataset))
    told: list[str] = []
    app.extensions["mock_canvas"].error_listeners.append(lambda exc, req: told.append(req))
    monkeypatch.setattr(target, _bug)
    env = EnvironBuilder(
        path="/sandboxes/new1/api/v1/users/self/observees",
        headers={"Authorization": "Bearer parent-token", "X-Mock-Canvas-Fault": "latency_ms=1"},
    ).get_environ()
    env["QUERY_STRING"] = "a=\xff"  # not UTF-8: the listener still gets a readable request
    body, status, _ = run_wsgi_app(app, env, buffered=True)
    if target.endswith("Journal.record"):  # the answer was on its way: sent, the bug told
        assert status == "400 BAD REQUEST"  # Rails' answer to a query that is not UTF-8
    else:
        assert status == "500 INTERNAL SERVER ERROR"
        assert b'"error_code":"internal_server_error"' in b"".join(body)
    assert told == ["GET /api/v1/users/self/observees?a=\ufffd"]


def test_a_failing_listener_does_not_stop_the_500(
    default_dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(Settings(), store=Store(default_dataset))
    app.extensions["mock_canvas"].error_listeners.append(lambda exc: None)  # type: ignore[arg-type,misc]
    monkeypatch.setattr("mock_canvas.store.Store.list_observees", _bug)
    got = app.test_client().get(LIST, headers={"Authorization": "Bearer parent-token"})
    assert got.status_code == 500
