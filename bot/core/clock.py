"""The seams for time: production uses ``utc_now`` and ``time.monotonic``, tests inject their own.

``Clock`` is the wall clock, for what happens at a time of day or is stored
(publication times, schedules, quiet hours). It can be set back or forward
(NTP, an operator). ``Monotonic`` never jumps: durations and rate limits that
live only in this process are measured on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
Monotonic = Callable[[], float]


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
