"""The handles' clock and request journal: `.clock`, `calls()` and `assert_called()`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from mock_canvas.testing import MockCanvas, MockCanvasClient

OBSERVEES = "/api/v1/users/self/observees"
CODES = "/api/v1/users/self/observer_pairing_codes"


def test_clock_freeze_advance_and_set(mock_canvas_client: MockCanvasClient) -> None:
    clock = mock_canvas_client.clock
    assert clock.frozen is False
    moment = clock.freeze(datetime(2030, 1, 1, tzinfo=UTC))
    assert moment == datetime(2030, 1, 1, tzinfo=UTC)
    assert clock.now() == moment
    assert clock.advance(days=7, hours=1) == datetime(2030, 1, 8, 1, tzinfo=UTC)
    assert clock.advance(timedelta(minutes=-60)) == datetime(2030, 1, 8, tzinfo=UTC)
    assert clock.set(datetime(2031, 1, 1, tzinfo=UTC)) == datetime(2031, 1, 1, tzinfo=UTC)
    assert clock.now() == datetime(2031, 1, 1, tzinfo=UTC)
    r = mock_canvas_client.get("/__mock__/clock")
    assert r.status_code == 200
    assert r.json == {"now": "2031-01-01T00:00:00.000Z", "frozen": True}
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2031, 1, 1))


def test_pairing_codes_expire_when_the_clock_is_advanced(
    mock_canvas_client: MockCanvasClient,
) -> None:
    mock_canvas_client.clock.freeze(datetime(2030, 6, 1, tzinfo=UTC))
    r = mock_canvas_client.post(CODES, user="Eli Carter")
    assert r.status_code == 200
    assert r.json is not None and r.json["expires_at"] == "2030-06-08T00:00:00Z"
    mock_canvas_client.clock.advance(days=7)
    r = mock_canvas_client.post(
        OBSERVEES, user="Riley Newparent", json={"pairing_code": r.json["code"]}
    )
    assert r.status_code == 422
    assert r.json == {"errors": [{"message": "Invalid pairing code."}]}


def test_the_clock_is_real_again_in_the_next_test_part_1(
    mock_canvas_client: MockCanvasClient,
) -> None:
    mock_canvas_client.clock.freeze(datetime(2040, 1, 1, tzinfo=UTC))
    mock_canvas_client.get(OBSERVEES, user="Parent Smith")
    assert len(mock_canvas_client.calls()) == 1


def test_the_clock_is_real_again_in_the_next_test_part_2(
    mock_canvas_client: MockCanvasClient,
) -> None:
    clock = mock_canvas_client.clock
    assert clock.frozen is False
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    assert mock_canvas_client.calls() == []


def test_reset_on_the_handle_resets_the_clock_and_the_journal(
    mock_canvas_client: MockCanvasClient,
) -> None:
    mock_canvas_client.clock.freeze(datetime(2040, 1, 1, tzinfo=UTC))
    mock_canvas_client.get(OBSERVEES, user="Parent Smith")
    mock_canvas_client.reset()
    assert mock_canvas_client.clock.frozen is False
    assert mock_canvas_client.calls() == []


def test_calls_and_assert_called(mock_canvas_client: MockCanvasClient) -> None:
    assert mock_canvas_client.put(OBSERVEES + "/99999", user="Ada Admin").status_code == 404
    assert mock_canvas_client.put("/api/v1/users/102/observees/203", user=1).status_code == 200
    assert mock_canvas_client.get(OBSERVEES, user="Parent Smith").status_code == 200
    calls = mock_canvas_client.calls("add_observee")
    assert [(c.path, c.user_id, c.status) for c in calls] == [
        ("/api/v1/users/self/observees/99999", 1, 404),
        ("/api/v1/users/102/observees/203", 1, 200),
    ]
    assert [c.action for c in mock_canvas_client.calls()] == [
        "add_observee",
        "add_observee",
        "list_observees",
    ]
    assert mock_canvas_client.calls(user="Parent Smith")[0].action == "list_observees"
    assert len(mock_canvas_client.calls("add_observee", status=200)) == 1
    matching = mock_canvas_client.assert_called("add_observee", times=2)
    assert matching == calls
    mock_canvas_client.assert_called("add_observee", times=1, status=200, user="Ada Admin")
    mock_canvas_client.assert_called("list_observees")
    with pytest.raises(ValueError, match="unknown Canvas action 'add_observees'"):
        mock_canvas_client.calls("add_observees")


def test_assert_called_shows_the_near_misses(mock_canvas_client: MockCanvasClient) -> None:
    mock_canvas_client.put(OBSERVEES + "/203", user="Parent Smith")
    mock_canvas_client.get(OBSERVEES, user="Parent Smith")
    with pytest.raises(AssertionError) as failure:
        mock_canvas_client.assert_called("add_observee", times=1, status=200)
    assert str(failure.value) == (
        "expected add_observee with status 200 to be called once, it was called 0 times\n"
        "nearest requests made:\n"
        "  PUT /api/v1/users/self/observees/203 -> 403 (add_observee, user 100)\n"
        "  GET /api/v1/users/self/observees -> 200 (list_observees, user 100)"
    )


def test_assert_called_with_nothing_made(mock_canvas_client: MockCanvasClient) -> None:
    with pytest.raises(AssertionError) as failure:
        mock_canvas_client.assert_called("list_observers")
    assert str(failure.value) == (
        "expected list_observers to be called at least once, it was called 0 times\n"
        "no request reached the Canvas endpoints"
    )


def test_the_live_server_records_too(mock_canvas: MockCanvas) -> None:
    r = requests.get(
        mock_canvas.url + OBSERVEES,
        params={"access_token": mock_canvas.token_for("Parent Smith")},
        timeout=10,
    )
    assert r.status_code == 200
    [call] = mock_canvas.assert_called("list_observees", times=1, user="Parent Smith")
    assert call.query == "access_token=[REDACTED]"
    assert call.status == 200


def test_a_failed_expectation_in_a_downstream_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_downstream="""
        def test_links(mock_canvas_client):
            mock_canvas_client.get(
                "/api/v1/users/self/observees/200", user="Parent Smith"
            )
            mock_canvas_client.assert_called("add_observee", times=1)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: expected add_observee to be called once, it was called 0 times",
            "*nearest requests made:",
            "*GET /api/v1/users/self/observees/200 -> 200 (show_observee, user 100)",
        ]
    )


def test_the_known_actions_are_the_canvas_views(mock_canvas_client: MockCanvasClient) -> None:
    from mock_canvas.testing import ACTIONS

    views = {
        rule.endpoint.removeprefix("api.")
        for rule in mock_canvas_client.app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert set(ACTIONS) == views
    assert len(ACTIONS) == 8
