"""throttle.py: Canvas's leaky bucket (RequestThrottle), its headers and its 403, on the mock's
clock, without Flask."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from mock_canvas.clock import MockClock
from mock_canvas.throttle import (
    Admission,
    RawResponse,
    Throttle,
    ThrottleConfig,
    client_identifier,
    rate_limit_exceeded,
    ruby_float,
)

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def ident(token: str) -> str:
    identifier = client_identifier(token)
    assert identifier is not None
    return identifier


TOKEN = ident("parent-token")


def frozen_clock() -> MockClock:
    clock = MockClock()
    clock.freeze(T0)
    return clock


def make(clock: MockClock | None = None, **config: Any) -> tuple[Throttle, MockClock]:
    clock = clock or frozen_clock()
    return Throttle(ThrottleConfig(**config), clock), clock


def request(
    throttle: Throttle, identifier: str | None = TOKEN, cost: float | None = None
) -> tuple[Admission, dict[str, str]]:
    """One whole request: begin, then finish; the admission and the headers as a dict."""
    admission = throttle.begin(identifier)
    return admission, dict(throttle.finish(admission, cost))


# --- formatting and identifiers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (599.0, "599.0"),
        (0.0, "0.0"),
        (-2.0, "-2.0"),
        (-0.0, "-0.0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (201.5, "201.5"),
        (0.0001, "0.0001"),
        (1e-05, "1.0e-05"),
        (1.5e-07, "1.5e-07"),
        (1e15, "1000000000000000.0"),
        (1e16, "1.0e+16"),
        (1.25e20, "1.25e+20"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
    ],
)
def test_ruby_float_formats_like_float_to_s(value: float, text: str) -> None:
    assert ruby_float(value) == text


def test_client_identifier_hashes_the_token_with_sha256() -> None:
    identifier = client_identifier("parent-token", "10.0.0.1")
    assert identifier == "token:" + hashlib.sha256(b"parent-token").hexdigest()
    assert "parent-token" not in identifier


def test_client_identifier_falls_back_to_the_ip_without_a_token() -> None:
    assert client_identifier(None, "10.0.0.1") == "ip:10.0.0.1"
    assert client_identifier("", "10.0.0.1") == "ip:10.0.0.1"  # Canvas: `.presence`
    assert client_identifier(None, None) is None


def test_rate_limit_exceeded_is_canvas_plain_text_403() -> None:
    assert rate_limit_exceeded() == RawResponse(
        403,
        (("Content-Type", "text/plain; charset=utf-8"), ("X-Rate-Limit-Remaining", "0.0")),
        b"403 Forbidden (Rate Limit Exceeded)\n",
    )


# --- the bucket -----------------------------------------------------------------------------


def test_first_request_costs_one_and_leaves_599() -> None:
    throttle, _ = make()
    admission, headers = request(throttle)
    assert admission.throttled is False
    assert admission.remaining == 550.0  # the 50 reserved up front while it runs
    assert headers == {"X-Request-Cost": "1.0", "X-Rate-Limit-Remaining": "599.0"}


def test_sequential_requests_are_refused_from_the_551st_on_a_frozen_clock() -> None:
    # count after k requests is k; request k+1 is refused when k + 50 >= 600.
    throttle, _ = make()
    for n in range(1, 551):
        admission, headers = request(throttle)
        assert not admission.throttled, n
    assert headers == {"X-Request-Cost": "1.0", "X-Rate-Limit-Remaining": "50.0"}
    admission, headers = request(throttle)
    assert admission.throttled is True
    assert admission.remaining == 0.0
    # RequestThrottle#call: no X-Request-Cost when throttled, and X-Rate-Limit-Remaining is
    # the bucket's remaining (the up-front cost refunded), not the "0.0" of the 403 itself.
    assert headers == {"X-Rate-Limit-Remaining": "50.0"}


def test_refused_requests_cost_nothing_and_stay_refused() -> None:
    throttle, _ = make()
    for _ in range(550):
        request(throttle)
    for _ in range(5):
        admission, headers = request(throttle)
        assert admission.throttled
        assert headers == {"X-Rate-Limit-Remaining": "50.0"}


def test_bucket_leaks_ten_per_second_of_the_mock_clock() -> None:
    throttle, clock = make()
    for _ in range(551):
        request(throttle)  # 550 in, the last refused: count 550
    clock.advance(seconds=1)  # leaks 10: count 540
    admission, headers = request(throttle)
    assert not admission.throttled
    assert admission.remaining == 10.0  # 540 + 50 reserved
    assert headers == {"X-Request-Cost": "1.0", "X-Rate-Limit-Remaining": "59.0"}
    for _ in range(9):
        assert not request(throttle)[0].throttled  # up to count 550 again
    assert request(throttle)[0].throttled


def test_remaining_peeks_at_the_leaked_count_without_touching_it() -> None:
    throttle, clock = make()
    request(throttle, cost=100.0)
    clock.advance(seconds=2.5)
    assert throttle.remaining(TOKEN) == 525.0  # 600 - (100 - 25)
    assert throttle.remaining(TOKEN) == 525.0
    assert throttle.remaining("token:unknown") == 600.0


def test_leak_matches_canvas_lua_spec_numbers() -> None:
    # LeakyBucket spec: count 150 at t=15.0, outflow 15.5, at t=20.2 the count is 69.4.
    throttle, clock = make(outflow=15.5, up_front_cost=0.0)
    request(throttle, cost=150.0)
    clock.advance(seconds=5.2)
    assert throttle.remaining(TOKEN) == pytest.approx(600.0 - 69.4)


def test_leak_never_takes_the_new_request_below_its_own_cost() -> None:
    # "doesn't leak the current request": the leak stops at 0 before the cost is added.
    throttle, clock = make(up_front_cost=0.0)
    request(throttle, cost=1.0)
    admission = throttle.begin(TOKEN)
    clock.advance(seconds=50)  # would leak 500 from a count of 1
    headers = dict(throttle.finish(admission, 5.0))
    assert headers["X-Rate-Limit-Remaining"] == "595.0"


def test_header_values_are_ruby_floats() -> None:
    throttle, _ = make()
    _, headers = request(throttle, cost=0.00001)
    assert headers == {"X-Request-Cost": "1.0e-05", "X-Rate-Limit-Remaining": "599.99999"}


def test_refund_after_a_long_request_clamps_at_zero() -> None:
    # "clamps a negative increment to 0": reserve 20, finish 6 s later at cost 5.
    throttle, clock = make(outflow=15.5, up_front_cost=20.0)
    admission = throttle.begin(TOKEN)
    clock.advance(seconds=6)
    headers = dict(throttle.finish(admission, 5.0))
    assert headers == {"X-Request-Cost": "5.0", "X-Rate-Limit-Remaining": "600.0"}


def test_a_clock_moved_back_leaks_nothing() -> None:
    throttle, clock = make()
    request(throttle, cost=100.0)
    clock.advance(seconds=-30)
    _, headers = request(throttle)
    assert headers["X-Rate-Limit-Remaining"] == "499.0"


def test_invalid_pairing_codes_add_200_and_throttle_the_fourth_request() -> None:
    throttle, _ = make()
    penalty = throttle.cost(invalid_pairing_code=True)
    assert penalty == 201.0
    seen = [request(throttle, cost=penalty)[1] for _ in range(3)]
    assert seen == [
        {"X-Request-Cost": "201.0", "X-Rate-Limit-Remaining": "399.0"},
        {"X-Request-Cost": "201.0", "X-Rate-Limit-Remaining": "198.0"},
        {"X-Request-Cost": "201.0", "X-Rate-Limit-Remaining": "-3.0"},
    ]
    admission, headers = request(throttle)
    assert admission.throttled
    assert headers == {"X-Rate-Limit-Remaining": "-3.0"}


def test_cost_adds_extra_and_ignores_nonsense_like_calculate_cost() -> None:
    throttle, _ = make(request_cost=2.5)
    assert throttle.cost() == 2.5
    assert throttle.cost(8.0) == 10.5
    assert throttle.cost(-100.0) == 2.5
    assert throttle.cost(float("nan")) == 2.5
    assert throttle.cost(1.0, invalid_pairing_code=True) == 203.5


def test_parallel_requests_pay_the_up_front_cost_until_they_finish() -> None:
    throttle, _ = make()
    admissions = [throttle.begin(TOKEN) for _ in range(12)]
    assert [a.throttled for a in admissions] == [False] * 11 + [True]  # 12 x 50 = 600
    assert [a.remaining for a in admissions[:3]] == [550.0, 500.0, 450.0]
    headers = [dict(throttle.finish(a)) for a in admissions]
    assert headers[0] == {"X-Request-Cost": "1.0", "X-Rate-Limit-Remaining": "49.0"}
    assert headers[-1] == {"X-Rate-Limit-Remaining": "589.0"}  # 11 requests of 1 each
    assert throttle.remaining(TOKEN) == 589.0


def test_the_bucket_never_holds_more_than_maximum() -> None:
    throttle, _ = make()
    admissions = [throttle.begin(TOKEN) for _ in range(20)]
    assert admissions[-1].remaining == -200.0  # capped at 800, not 1000
    for admission in admissions:
        throttle.finish(admission)
    # 800 - 11 x 49 - 9 x 50 would be -189: clamped at 0 on the way, as the Lua script does.
    assert throttle.remaining(TOKEN) == 600.0


def test_buckets_are_per_token() -> None:
    throttle, _ = make()
    other = ident("student-token")
    for _ in range(550):
        request(throttle)
    assert request(throttle)[0].throttled
    admission, headers = request(throttle, other)
    assert not admission.throttled
    assert headers["X-Rate-Limit-Remaining"] == "599.0"


def test_disabled_still_meters_and_sends_headers_but_refuses_nobody() -> None:
    throttle, _ = make(enabled=False)
    for _ in range(600):
        admission, headers = request(throttle)
        assert not admission.throttled
    assert headers == {"X-Request-Cost": "1.0", "X-Rate-Limit-Remaining": "0.0"}
    admission, headers = request(throttle)
    assert not admission.throttled
    assert headers == {"X-Request-Cost": "1.0", "X-Rate-Limit-Remaining": "-1.0"}


def test_a_request_without_identifier_is_not_metered() -> None:
    throttle, _ = make()
    admission, headers = request(throttle, None)
    assert admission.throttled is False
    assert headers == {}
    assert throttle.bucket_count() == 0


def test_finish_twice_charges_once_and_returns_the_same_headers() -> None:
    throttle, _ = make()
    admission = throttle.begin(TOKEN)
    first = throttle.finish(admission, 3.0)
    assert throttle.finish(admission, 100.0) == first
    assert admission.finished
    assert throttle.remaining(TOKEN) == 597.0


def test_finish_refuses_a_negative_cost() -> None:
    throttle, _ = make()
    admission = throttle.begin(TOKEN)
    with pytest.raises(ValueError, match="cost: must be a finite number >= 0"):
        throttle.finish(admission, -1.0)


def test_concurrent_requests_on_one_token_are_all_counted() -> None:
    throttle, _ = make(hwm=10_000.0, maximum=10_000.0)
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        for _ in range(100):
            request(throttle)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert throttle.remaining(TOKEN) == 9_200.0


# --- memory ---------------------------------------------------------------------------------


def test_leaked_out_buckets_are_forgotten() -> None:
    throttle, clock = make()
    request(throttle, ident("a"))
    clock.advance(seconds=0.2)  # leaks 2 > count 1
    request(throttle, ident("b"))
    assert throttle.bucket_count() == 1


def test_buckets_untouched_for_an_hour_are_forgotten() -> None:
    throttle, clock = make(outflow=0.0)  # never leaks: only the hour removes it
    request(throttle, ident("a"))
    clock.advance(seconds=3599)
    request(throttle, ident("b"))
    assert throttle.bucket_count() == 2
    clock.advance(seconds=1)
    request(throttle, ident("c"))
    assert throttle.bucket_count() == 2
    assert throttle.remaining(ident("a")) == 600.0


def test_bucket_count_is_capped_least_recently_used_first() -> None:
    throttle, _ = make(max_buckets=3)
    names = [ident(f"token-{i}") for i in range(5)]
    for name in names:
        request(throttle, name)
    request(throttle, names[2])  # touched again: now the most recent
    request(throttle, ident("token-5"))
    assert throttle.bucket_count() == 3
    assert throttle.remaining(names[3]) == 600.0  # evicted
    assert throttle.remaining(names[2]) == 598.0
    assert throttle.remaining(names[4]) == 599.0


def test_reset_forgets_every_bucket() -> None:
    throttle, _ = make()
    for _ in range(551):
        request(throttle)
    assert throttle.reset() == 1
    assert throttle.bucket_count() == 0
    assert request(throttle)[1]["X-Rate-Limit-Remaining"] == "599.0"


# --- configuration --------------------------------------------------------------------------


def test_config_defaults_are_canvas_defaults() -> None:
    config = ThrottleConfig()
    assert (config.hwm, config.maximum, config.outflow, config.up_front_cost) == (
        600.0,
        800.0,
        10.0,
        50.0,
    )
    assert (config.request_cost, config.invalid_pairing_code_penalty, config.enabled) == (
        1.0,
        200.0,
        True,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hwm": 0.0}, "hwm: must be greater than 0"),
        ({"maximum": 500.0}, "maximum: must be at least hwm"),
        ({"outflow": -1.0}, "outflow: must be a finite number >= 0"),
        ({"request_cost": float("inf")}, "request_cost: must be a finite number >= 0"),
        ({"up_front_cost": True}, "up_front_cost: must be a number"),
        ({"enabled": 1}, "enabled: must be true or false"),
        ({"max_buckets": 0}, "max_buckets: must be an integer >= 1"),
        ({"max_buckets": 2.5}, "max_buckets: must be an integer >= 1"),
        ({"bucket_ttl": 0.0}, "bucket_ttl: must be greater than 0"),
    ],
)
def test_config_refuses_bad_values(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        ThrottleConfig(**changes)
    assert str(caught.value) == message
