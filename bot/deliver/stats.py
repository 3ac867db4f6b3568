"""Delivery figures for /status: sends and 429s in a sliding hour, and how long
news took from publication to a reader's chat over the last day.

Push latency is one sample per story per push message Telegram confirmed: what
each reader experienced, so a broadcast to many chats weighs as much as its
readers. It runs from the story's publication, where the feed's date is
believable (``publication_time``), to the confirmation. Digests, "while you
were away" lines and pushes held for the chat's quiet hours are left out: they
wait because the reader asked them to.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.core.model import NewsItem
from bot.deliver.plan import PUSH
from bot.store.records import OutboxEntry

WINDOW_S = 3600.0
# Push latencies are kept for a day, in hourly slots (the window slides by the hour).
LATENCY_WINDOW_SLOTS = 24
LATENCY_SLOT_S = 3600.0
# Samples are counted in bins 2 % wide on a log scale, so memory stays bounded
# (a few hundred counters per slot) however many chats a broadcast reaches; a
# percentile is read at its bin's middle, within 1 % of the exact figure.
LATENCY_BIN_RATIO = 1.02
# A feed date further than this before the bot first saw the item is not
# believed: no poll waits that long (the slowest is 15 min, server hints at
# most 2 h), so the feed backdated the item (an article's creation time).
MAX_PUBLISHED_LEAD = timedelta(hours=2)
# An entry due this long after it was planned waited for the chat's quiet
# hours (the engine's own retries wait at most 15 minutes at a time).
HELD_FOR_QUIET_HOURS = timedelta(minutes=15)


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


class LatencyWindow:
    """Latencies (seconds) of the last ``LATENCY_WINDOW_SLOTS`` hours, as binned counts."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._slots: deque[tuple[int, Counter[int]]] = deque()

    def add(self, seconds: float) -> None:
        slot = self._expire()
        if not self._slots or self._slots[-1][0] != slot:
            self._slots.append((slot, Counter()))
        self._slots[-1][1][_bin(seconds)] += 1

    def count(self) -> int:
        self._expire()
        return sum(sum(counts.values()) for _, counts in self._slots)

    def percentile(self, fraction: float) -> float | None:
        """The nearest-rank percentile (``0.5``: the median); None without samples."""
        self._expire()
        merged: Counter[int] = Counter()
        for _, counts in self._slots:
            merged.update(counts)
        total = sum(merged.values())
        if total == 0:
            return None
        rank = max(1, math.ceil(fraction * total))
        seen = 0
        for index in sorted(merged):
            seen += merged[index]
            if seen >= rank:
                return _bin_middle(index)
        raise AssertionError("rank beyond the samples")  # pragma: no cover

    def _expire(self) -> int:
        slot = int(self._clock() // LATENCY_SLOT_S)
        while self._slots and self._slots[0][0] <= slot - LATENCY_WINDOW_SLOTS:
            self._slots.popleft()
        return slot


class DeliveryStats:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.sent = HourlyCounter(clock)
        self.retry_after = HourlyCounter(clock)
        self.failed = HourlyCounter(clock)
        self.push_latency = LatencyWindow(clock)

    def pushed(
        self,
        entries: Sequence[OutboxEntry],
        *,
        sent_at: datetime,
        lookup: Callable[[str], NewsItem | None],
    ) -> None:
        """Record the latency of every story in a push message Telegram confirmed."""
        for seconds in push_latencies(entries, sent_at=sent_at, lookup=lookup):
            self.push_latency.add(seconds)


def publication_time(item: NewsItem) -> datetime:
    """When the story was published: the feed's date if believable, else first seen.

    Believable: not after the bot first saw the item (a date in the future is
    a wrong clock) and not more than ``MAX_PUBLISHED_LEAD`` before it.
    """
    seen = item.first_seen
    if seen is None or seen - MAX_PUBLISHED_LEAD <= item.published <= seen:
        return item.published
    return seen


def push_latencies(
    entries: Sequence[OutboxEntry],
    *,
    sent_at: datetime,
    lookup: Callable[[str], NewsItem | None],
) -> list[float]:
    """Seconds from publication to ``sent_at`` for each story the push entries list."""
    latencies: list[float] = []
    for entry in entries:
        if entry.kind != PUSH or _held(entry):
            continue
        for story_id, _via in entry.payload.get("stories", []):
            item = lookup(story_id)
            if item is None:
                continue
            seconds = (sent_at - publication_time(item)).total_seconds()
            if seconds >= 0:  # a clock set back meanwhile says nothing
                latencies.append(seconds)
    return latencies


def _held(entry: OutboxEntry) -> bool:
    return (
        entry.not_before is not None and entry.not_before - entry.created_at > HELD_FOR_QUIET_HOURS
    )


def _bin(seconds: float) -> int:
    if seconds < 1:
        return 0
    return 1 + int(math.log(seconds) / math.log(LATENCY_BIN_RATIO))


def _bin_middle(index: int) -> float:
    if index == 0:
        return 0.5
    return float(LATENCY_BIN_RATIO ** (index - 0.5))
