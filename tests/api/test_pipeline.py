"""The /api/v1 pipeline (traffic.CanvasPipeline + api.dispatch), outside Flask's request cycle:
what it sends must be what Flask sent, on both transports."""

from __future__ import annotations

import pytest

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
