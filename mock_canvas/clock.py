"""The mock's notion of now: real time by default, or frozen at an instant, or offset from
real time. Everything time-dependent reads it (token and pairing-code expiry, new codes)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

LATEST = datetime.max.replace(tzinfo=UTC)
EARLIEST = datetime.min.replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _aware(at: datetime, name: str) -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime(2030, 1, 1, tzinfo=UTC))")
    return at.astimezone(UTC)


class MockClock:
    """A thread-safe clock: real, frozen at T, or real plus an offset. Callable: `clock()` is
    `clock.now()`, so it serves as Store.clock."""

    def __init__(self, source: Callable[[], datetime] = utc_now) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._frozen_at: datetime | None = None
        self._offset = timedelta(0)

    def __call__(self) -> datetime:
        return self.now()

    def now(self) -> datetime:
        """The mock's current time (aware, UTC)."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            try:
                return self._source() + self._offset
            except OverflowError:  # set to the last instant and running on: stay there
                return LATEST if self._offset > timedelta(0) else EARLIEST

    @property
    def frozen(self) -> bool:
        with self._lock:
            return self._frozen_at is not None

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop the clock, at `at` or at the current (mock) time; the frozen instant."""
        instant = self.now() if at is None else _aware(at, "at")
        with self._lock:
            self._frozen_at = instant
        return instant

    def set(self, at: datetime) -> datetime:
        """Jump to `at`: a frozen clock stays frozen there, a running one runs on from it."""
        instant = _aware(at, "at")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = instant
            else:
                self._offset = instant - self._source()
        return instant

    def advance(self, delta: timedelta | None = None, /, **parts: float) -> datetime:
        """Move the clock on by a timedelta or by timedelta's keywords (`days=7`); the new
        time. A negative duration moves it back."""
        step = (delta or timedelta(0)) + timedelta(**parts)
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += step
            else:
                self._offset += step
        return self.now()

    def unfreeze(self) -> datetime:
        """Let a frozen clock run again, from the instant it was frozen at."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - self._source()
                self._frozen_at = None
        return self.now()

    def real(self) -> None:
        """Back to real time: not frozen, no offset (what a reset does)."""
        with self._lock:
            self._frozen_at = None
            self._offset = timedelta(0)
