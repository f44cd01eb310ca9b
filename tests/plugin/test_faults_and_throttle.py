"""The handles' faults (`fault()`, `clear_faults()`) and Canvas's throttle, per test."""

from __future__ import annotations

import pytest
import requests

from mock_canvas.testing import MockCanvas, MockCanvasClient

OBSERVEES = "/api/v1/users/self/observees"
THROTTLED = "403 Forbidden (Rate Limit Exceeded)\n"
COUNTING = {
    "version": 1,
    "settings": {"throttle_request_cost": 1},
    "accounts": [{"id": 1, "name": "School"}],
    "users": [
        {
            "id": 1,
            "name": "Pat Parent",
            "tokens": ["pat"],
            "logins": [{"account": 1, "unique_id": "pat"}],
        }
    ],
}


def test_a_fault_for_the_next_two_calls_only(mock_canvas_client: MockCanvasClient) -> None:
    rule = mock_canvas_client.fault(action="list_observees", status=503, times=2)
    assert rule >= 1
    statuses = [
        mock_canvas_client.get(OBSERVEES, user="Parent Smith").status_code for _ in range(3)
    ]
    assert statuses == [503, 503, 200]
    mock_canvas_client.assert_called("list_observees", times=2, status=503)
    with pytest.raises(ValueError, match="status"):
        mock_canvas_client.fault(status=200)


def test_rules_do_not_outlive_their_test_part_1(mock_canvas_client: MockCanvasClient) -> None:
    mock_canvas_client.fault(status=500, times=None)
    mock_canvas_client.fault(sandbox="*", status=503, times=None)
    assert mock_canvas_client.get(OBSERVEES, user="Parent Smith").status_code == 500


def test_rules_do_not_outlive_their_test_part_2(mock_canvas_client: MockCanvasClient) -> None:
    assert mock_canvas_client.get(OBSERVEES, user="Parent Smith").status_code == 200
    assert (
        mock_canvas_client.get("/sandboxes/x" + OBSERVEES, user="Parent Smith").status_code == 200
    )


def test_clear_faults(mock_canvas_client: MockCanvasClient) -> None:
    mock_canvas_client.fault(status=500, times=None)
    mock_canvas_client.clear_faults()
    assert mock_canvas_client.get(OBSERVEES, user="Parent Smith").status_code == 200


def test_a_client_throttled_after_n_requests(mock_canvas: MockCanvas) -> None:
    mock_canvas.load(COUNTING)
    mock_canvas.clock.freeze()
    session = requests.Session()
    session.headers["Authorization"] = "Bearer pat"
    answers = [session.get(mock_canvas.url + OBSERVEES, timeout=10) for _ in range(551)]
    assert [r.status_code for r in answers[:550]] == [200] * 550
    last = answers[550]
    assert (last.status_code, last.text) == (403, THROTTLED)
    assert last.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert last.headers["X-Rate-Limit-Remaining"] == "50.0"
    assert "X-Request-Cost" not in last.headers
    mock_canvas.assert_called("list_observees", times=1, status=403)


def test_the_next_test_starts_with_an_empty_bucket(mock_canvas: MockCanvas) -> None:
    mock_canvas.clock.freeze()  # else the bucket leaks while the request runs
    r = requests.get(
        mock_canvas.url + OBSERVEES, headers=mock_canvas.auth_headers("Parent Smith"), timeout=10
    )
    assert (r.status_code, r.headers["X-Rate-Limit-Remaining"]) == (200, "599.98")
