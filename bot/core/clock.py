"""The one seam for time: production reads ``utc_now``; tests, the console's
samples and the benchmarks inject a clock of their own.

A clock is any callable returning an aware UTC ``datetime``. ``ManualClock``
only moves when told to (tests); ``OffsetClock`` is real time plus an offset
(benchmarks that need a poll cycle due without waiting, while the per-chat
command windows still slide in real time).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
# Seconds on a clock that never jumps (``time.monotonic``): for pacing and intervals.
MonotonicClock = Callable[[], float]


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until ``advance`` or ``set``."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


class OffsetClock:
    """Wall time plus an offset that only grows with ``advance``."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, delta: timedelta) -> datetime:
        self.offset += delta
        return self()
