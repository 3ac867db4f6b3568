"""The seams for time: production uses ``utc_now`` and ``time.monotonic``; tests,
the console's samples and the benchmarks inject their own.

``Clock`` is the wall clock, for what happens at a time of day or is stored
(publication times, schedules, quiet hours). It can be set back or forward
(NTP, an operator). ``Monotonic`` never jumps: durations and rate limits that
live only in this process are measured on it.

``ManualClock`` only moves when told to (tests); ``OffsetClock`` is real time
plus an offset (benchmarks that need a poll cycle due without waiting, while
the per-chat command windows still slide in real time).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
Monotonic = Callable[[], float]


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class ManualClock:
    """A wall clock (call it) and a monotonic clock (``monotonic``) that stand still.

    ``advance`` is time passing: both clocks move. ``jump`` (or ``set``) moves
    the wall clock only, as NTP or an operator would.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self.now = start
        self.elapsed = 0.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.elapsed

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        self.elapsed += delta.total_seconds()
        return self.now

    def jump(self, delta: timedelta) -> None:
        self.now += delta

    def set(self, moment: datetime) -> None:
        self.now = moment


class OffsetClock:
    """Wall time plus an offset that only grows with ``advance``."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset.total_seconds()

    def advance(self, delta: timedelta) -> datetime:
        self.offset += delta
        return self()
