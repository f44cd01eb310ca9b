"""Canvas's request throttle: a leaky bucket per client (RequestThrottle and its LeakyBucket in
app/middleware/request_throttle.rb). No Flask here: the pipeline calls `begin` before a request
and `finish` after it, and renders `rate_limit_exceeded()` for a throttled one."""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

Headers = tuple[tuple[str, str], ...]

REQUEST_COST = "X-Request-Cost"
RATE_LIMIT_REMAINING = "X-Rate-Limit-Remaining"
# RequestThrottle#rate_limit_exceeded, byte for byte.
RATE_LIMIT_EXCEEDED_BODY = b"403 Forbidden (Rate Limit Exceeded)\n"
RATE_LIMIT_EXCEEDED_TYPE = "text/plain; charset=utf-8"


def ruby_float(value: float) -> str:
    """`Float#to_s`: what Canvas puts in its headers ("1.0", "599.5", "1.0e-05", "1.0e+16")."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    # Both languages print the shortest round-tripping digits and switch to an exponent at
    # the same points (1e16 and 1e-5); Ruby keeps ".0" on the mantissa.
    text = repr(float(value))
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}{e}{exponent}"


def client_identifier(token: str | None, remote_addr: str | None = None) -> str | None:
    """The bucket a request fills, in RequestThrottle#client_identifiers' order for the
    mock's clients: a token (any token, valid or not: Canvas hashes the string without
    looking it up), else the client's IP. Tokens are kept as SHA-256 hex, never raw."""
    if token:  # Canvas: `.presence`, so an empty token falls through to the IP
        return "token:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    if remote_addr:
        return "ip:" + remote_addr
    return None


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A response that is not Canvas JSON, as bytes, for the HTTP layer to send as is."""

    status: int
    headers: Headers
    body: bytes


def rate_limit_exceeded() -> RawResponse:
    """The throttled (and block-listed) answer; `finish` then sets the final
    X-Rate-Limit-Remaining over the "0.0" here, as RequestThrottle#call does."""
    return RawResponse(
        403,
        (("Content-Type", RATE_LIMIT_EXCEEDED_TYPE), (RATE_LIMIT_REMAINING, "0.0")),
        RATE_LIMIT_EXCEEDED_BODY,
    )


@dataclass(frozen=True, slots=True)
class ThrottleConfig:
    """LeakyBucket's settings (request_throttle.* in Canvas) and the mock's cost model."""

    # False: Canvas's request_throttle.enabled=false: costs are still metered and the headers
    # still sent, nobody is refused.
    enabled: bool = True
    hwm: float = 600.0  # "full" at count >= hwm; X-Rate-Limit-Remaining is hwm - count
    maximum: float = 800.0  # the bucket never holds more
    outflow: float = 10.0  # units leaked per second of the mock's clock
    up_front_cost: float = 50.0  # reserved when a request starts, refunded when it ends
    # Canvas charges CPU seconds + DB seconds (a few hundredths for these endpoints); the
    # mock charges a fixed cost so a test can count: 550 requests in a row on a frozen
    # clock, the 551st is refused.
    request_cost: float = 1.0
    # What a failed pairing-code attempt adds (increment_request_cost), on top of request_cost.
    invalid_pairing_code_penalty: float = 200.0
    max_buckets: int = 10_000  # least recently used buckets go first past this
    bucket_ttl: float = 3600.0  # seconds untouched before a bucket is forgotten (Redis EXPIRE)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "enabled":
                if not isinstance(value, bool):
                    raise ValueError("enabled: must be true or false")
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{f.name}: must be a number")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{f.name}: must be a finite number >= 0")
        if self.hwm <= 0:
            raise ValueError("hwm: must be greater than 0")
        if self.maximum < self.hwm:
            raise ValueError("maximum: must be at least hwm")
        if not isinstance(self.max_buckets, int) or self.max_buckets < 1:
            raise ValueError("max_buckets: must be an integer >= 1")
        if self.bucket_ttl <= 0:
            raise ValueError("bucket_ttl: must be greater than 0")


class Admission:
    """One request let in (or refused) by `Throttle.begin`; hand it back to `finish`."""

    __slots__ = ("_headers", "identifier", "remaining", "throttled", "up_front_cost")

    def __init__(
        self, identifier: str | None, throttled: bool, up_front_cost: float, remaining: float
    ) -> None:
        self.identifier = identifier  # None: not metered, no headers
        self.throttled = throttled  # answer rate_limit_exceeded() instead of handling it
        self.up_front_cost = up_front_cost
        self.remaining = remaining  # hwm - count with the up-front cost reserved
        self._headers: Headers | None = None  # set by finish

    @property
    def finished(self) -> bool:
        return self._headers is not None

    def __repr__(self) -> str:
        return (
            f"Admission(throttled={self.throttled}, remaining={self.remaining!r}, "
            f"finished={self.finished})"
        )


class _Bucket:
    __slots__ = ("count", "last_touched")

    def __init__(self, now: float) -> None:
        self.count = 0.0
        self.last_touched = now


class Throttle:
    """Thread-safe leaky buckets keyed by `client_identifier`, leaking by the mock's clock."""

    def __init__(self, config: ThrottleConfig, clock: Callable[[], datetime]) -> None:
        self.config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # least recently used first

    def begin(self, identifier: str | None) -> Admission:
        """Reserve the up-front cost and judge the request (RequestThrottle#call up to
        `allowed?`): refused when the bucket, leaked and with the reservation, is at or over
        hwm and throttling is enabled."""
        config = self.config
        if identifier is None:
            return Admission(None, False, 0.0, config.hwm)
        with self._lock:
            now = self._now()
            self._forget_idle(now)
            bucket = self._bucket(identifier, now)
            self._increment(bucket, config.up_front_cost, now)
            full = bucket.count >= config.hwm  # LeakyBucket#full?
            remaining = config.hwm - bucket.count
            self._enforce_cap()
        return Admission(identifier, full and config.enabled, config.up_front_cost, remaining)

    def cost(self, extra: float = 0.0, *, invalid_pairing_code: bool = False) -> float:
        """A handled request's cost: request_cost plus `extra` (ignored unless a finite
        number >= 0, as calculate_cost ignores a bad extra-request-cost), plus the penalty
        when the request used an invalid pairing code."""
        if not math.isfinite(extra) or extra < 0:
            extra = 0.0
        if invalid_pairing_code:
            extra += self.config.invalid_pairing_code_penalty
        return self.config.request_cost + extra

    def finish(self, admission: Admission, cost: float | None = None) -> Headers:
        """Refund the up-front cost and charge the request's cost (LeakyBucket
        #reserve_capacity's `ensure`), then the headers to *set* on the response, replacing
        any already there. `cost` defaults to `cost()` for a handled request and 0.0 for a
        refused one. Call it for every admission, also when the handler raised or the
        connection is dropped; a second call returns the same headers and charges nothing."""
        if admission._headers is not None:
            return admission._headers
        if admission.identifier is None:
            admission._headers = ()
            return ()
        if cost is None:
            cost = 0.0 if admission.throttled else self.cost()
        if not math.isfinite(cost) or cost < 0:
            raise ValueError("cost: must be a finite number >= 0")
        config = self.config
        with self._lock:
            if admission._headers is not None:  # finished meanwhile by another thread
                return admission._headers
            now = self._now()
            bucket = self._bucket(admission.identifier, now)
            self._increment(bucket, cost - admission.up_front_cost, now)
            remaining = config.hwm - bucket.count  # LeakyBucket#remaining
            self._enforce_cap()
            headers: list[tuple[str, str]] = []
            if not admission.throttled:  # `unless throttled`
                headers.append((REQUEST_COST, ruby_float(cost)))
            headers.append((RATE_LIMIT_REMAINING, ruby_float(remaining)))
            admission._headers = tuple(headers)
        return admission._headers

    def remaining(self, identifier: str) -> float:
        """hwm minus the bucket's count leaked to now; the bucket is not touched."""
        with self._lock:
            bucket = self._buckets.get(identifier)
            if bucket is None:
                return self.config.hwm
            return self.config.hwm - self._leaked(bucket, self._now())

    def bucket_count(self) -> int:
        """How many buckets are kept."""
        with self._lock:
            return len(self._buckets)

    def reset(self) -> int:
        """Forget every bucket (as a fresh Redis would); how many there were."""
        with self._lock:
            count = len(self._buckets)
            self._buckets.clear()
        return count

    def _now(self) -> float:
        return self._clock().timestamp()

    def _bucket(self, identifier: str, now: float) -> _Bucket:
        bucket = self._buckets.get(identifier)
        if bucket is None:
            bucket = self._buckets[identifier] = _Bucket(now)
        else:
            self._buckets.move_to_end(identifier)
        return bucket

    def _leaked(self, bucket: _Bucket, now: float) -> float:
        # increment_bucket.lua's leak: only a positive count leaks, and a clock that went
        # back leaks nothing.
        count = bucket.count
        if count > 0:
            loss = self.config.outflow * (now - bucket.last_touched)
            if loss > 0:
                count -= loss
        return max(count, 0.0)

    def _increment(self, bucket: _Bucket, amount: float, now: float) -> None:
        # increment_bucket.lua: leak (not below 0), add, clamp to [0, maximum], touch.
        count = self._leaked(bucket, now) + amount
        bucket.count = min(max(count, 0.0), self.config.maximum)
        bucket.last_touched = now

    def _forget_idle(self, now: float) -> None:
        # A bucket that has leaked empty is the same as no bucket, and Redis forgets one an
        # hour after its last write: drop those from the least recently used end.
        ttl = self.config.bucket_ttl
        while self._buckets:
            identifier, bucket = next(iter(self._buckets.items()))
            if self._leaked(bucket, now) > 0 and now - bucket.last_touched < ttl:
                break
            del self._buckets[identifier]

    def _enforce_cap(self) -> None:
        while len(self._buckets) > self.config.max_buckets:
            self._buckets.popitem(last=False)
