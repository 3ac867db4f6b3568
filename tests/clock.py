"""A settable clock for tests: the bot and its store read time only through it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class Clock:
    """The wall clock (call it) and a monotonic clock (``monotonic``) that moves with it.

    ``advance`` is time passing: both clocks move. ``jump`` (or assigning
    ``now``) sets the wall clock only, as NTP or an operator would.
    """

    now: datetime
    elapsed: float = 0.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.elapsed

    def advance(self, delta: timedelta) -> None:
        self.now += delta
        self.elapsed += delta.total_seconds()

    def jump(self, delta: timedelta) -> None:
        self.now += delta
