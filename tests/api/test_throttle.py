"""Canvas's request throttle: a leaky bucket per token, its headers, its text 403."""

from __future__ import annotations

import pytest

from mock_canvas.app import create_app
from mock_canvas.model import Dataset
from mock_canvas.settings import Settings
from mock_canvas.store import Store
from tests.conftest import ApiClient

OBSERVEES = "/api/v1/users/self/observees"
THROTTLED_BODY = "403 Forbidden (Rate Limit Exceeded)\n"


def freeze(api: ApiClient) -> None:
    assert api.put("/__mock__/clock", json={"freeze": "2030-01-01T00:00:00Z"}).status == 200


def test_every_token_request_carries_cost_and_remaining(api: ApiClient) -> None:
    freeze(api)
    r = api.get(OBSERVEES, token="parent-token")
    assert r.status == 200
    assert r.header("X-Request-Cost") == "0.02"
    assert r.header("X-Rate-Limit-Remaining") == "599.98"
    r = api.get(OBSERVEES, token="parent-token")
    assert r.header("X-Rate-Limit-Remaining") == "599.96"
    # Errors are metered too (the throttle runs before authentication), per token.
    r = api.get(OBSERVEES, token="no-such-token")
    assert (r.status, r.header("X-Rate-Limit-Remaining")) == (401, "599.98")
    # The control API is not Canvas: no throttle there.
    assert api.get("/__mock__/clock").header("X-Rate-Limit-Remaining") is None


def test_three_wrong_pairing_codes_fill_the_bucket(api: ApiClient) -> None:
    freeze(api)
    for _ in range(3):
        r = api.post(OBSERVEES, token="newparent-token", json={"pairing_code": "nope42"})
        assert r.status == 422
        assert r.header("X-Request-Cost") == "200.02"
    assert r.header("X-Rate-Limit-Remaining") == "-0.06000000000005912"
    r = api.get(OBSERVEES, token="newparent-token")
    assert r.status == 403
    assert r.text == THROTTLED_BODY
    assert r.header("content-type") == "text/plain; charset=utf-8"
    assert r.header("X-Request-Cost") is None
    assert r.header("X-Rate-Limit-Remaining") == "-0.06000000000005912"
    assert api.get(OBSERVEES, token="parent-token").status == 200  # another token's bucket
    # Six seconds of the mock's clock leak 60 units: let in again.
    assert api.put("/__mock__/clock", json={"advance_seconds": 6}).status == 200
    r = api.get(OBSERVEES, token="newparent-token")
    assert (r.status, r.header("X-Rate-Limit-Remaining")) == (200, "59.91999999999996")
    journal = api.get("/__mock__/requests", query={"status": 403}).body
    assert [(e["action"], e["user_id"]) for e in journal] == [("list_observees", None)]


def client(dataset: Dataset, **settings: object) -> ApiClient:
    api = ApiClient("inprocess", create_app(Settings(**settings), store=Store(dataset)))  # type: ignore[arg-type]
    freeze(api)
    return api


def test_a_client_is_throttled_after_n_requests(default_dataset: Dataset) -> None:
    api = client(default_dataset, throttle_request_cost=1.0)
    for n in range(550):
        r = api.get(OBSERVEES, token="parent-token")
        assert r.status == 200, n
    assert r.header("X-Rate-Limit-Remaining") == "50.0"
    r = api.get(OBSERVEES, token="parent-token")
    assert (r.status, r.text) == (403, THROTTLED_BODY)
    assert r.header("X-Rate-Limit-Remaining") == "50.0"
    assert api.get(OBSERVEES, token="parent-token").status == 403  # refused ones cost 0
    # A reset empties the buckets.
    assert api.post("/__mock__/reset").status == 200
    freeze(api)
    assert api.get(OBSERVEES, token="parent-token").status == 200


def test_report_mode_meters_without_refusing_and_off_sends_nothing(
    default_dataset: Dataset,
) -> None:
    report = client(default_dataset, throttle="report", throttle_request_cost=300.0)
    for _ in range(3):
        r = report.get(OBSERVEES, token="parent-token")
        assert r.status == 200
    assert r.header("X-Rate-Limit-Remaining") == "-200.0"  # 900 capped at the maximum, 800
    off = client(default_dataset, throttle="off")
    r = off.get(OBSERVEES, token="parent-token")
    assert r.status == 200
    assert r.header("X-Request-Cost") is None and r.header("X-Rate-Limit-Remaining") is None


@pytest.mark.parametrize("token_in", ["header", "query"])
def test_the_query_token_is_metered_like_the_header(
    default_dataset: Dataset, token_in: str
) -> None:
    api = client(default_dataset)
    if token_in == "header":
        r = api.get(OBSERVEES, token="parent-token")
    else:
        r = api.get(OBSERVEES, query={"access_token": "parent-token"})
    assert r.header("X-Rate-Limit-Remaining") == "599.98"
    r = api.get(OBSERVEES, token="parent-token")
    assert r.header("X-Rate-Limit-Remaining") == "599.96"  # the same bucket
