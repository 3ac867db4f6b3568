"""Delivery counters for /status: sends and 429s in a sliding hour."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 3600.0


class HourlyCounter:
    """Counts events in the last hour; memory is bounded by the events in that hour."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._events: deque[float] = deque()
        self.total = 0

    def add(self) -> None:
        self._events.append(self._clock())
        self.total += 1

    def last_hour(self) -> int:
        horizon = self._clock() - WINDOW_S
        while self._events and self._events[0] < horizon:
            self._events.popleft()
        return len(self._events)


class DeliveryStats:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.sent = HourlyCounter(clock)
        self.retry_after = HourlyCounter(clock)
        self.failed = HourlyCounter(clock)
