"""Push latency for /status: which sends count, from when, and the day-long window."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.model import NewsItem
from bot.deliver.plan import AWAY, DIGEST, PUSH
from bot.deliver.stats import (
    LATENCY_BIN_RATIO,
    DeliveryStats,
    LatencyWindow,
    publication_time,
    push_latencies,
)
from bot.store.records import OutboxEntry

NOW = datetime(2026, 10, 1, 13, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


class Ticks:
    """A monotonic clock that moves when told."""

    def __init__(self) -> None:
        self.now = 50_000.0

    def __call__(self) -> float:
        return self.now


def item(item_id: str, published: datetime, first_seen: datetime | None) -> NewsItem:
    return NewsItem(
        id=item_id,
        feed="NOS Algemeen",
        source="NOS",
        link=f"https://nos.nl/l/{item_id}",
        title="Titel",
        summary="",
        text="",
        published=published,
        first_seen=first_seen,
    )


def entry(
    kind: str,
    *story_ids: str,
    created_at: datetime = NOW,
    not_before: datetime | None = NOW,
) -> OutboxEntry:
    return OutboxEntry(
        id=f"1:{'+'.join(story_ids)}",
        chat_id=1,
        kind=kind,
        payload={"stories": [[story_id, [["section", "algemeen"]]] for story_id in story_ids]},
        created_at=created_at,
        not_before=not_before,
    )


@pytest.mark.parametrize(
    ("published", "first_seen", "counted_from"),
    [
        # The feed's date, when it lies before the bot first saw the item.
        (NOW - 3 * MIN, NOW, NOW - 3 * MIN),
        (NOW, NOW, NOW),
        (NOW - 119 * MIN, NOW, NOW - 119 * MIN),
        (NOW - 2 * 60 * MIN, NOW, NOW - 2 * 60 * MIN),
        # Further back: the feed backdated the item (a creation time).
        (NOW - 2 * 60 * MIN - MIN, NOW, NOW),
        (NOW - timedelta(days=3), NOW, NOW),
        # After the bot saw it: the publisher's clock is wrong.
        (NOW + MIN, NOW, NOW),
        # Stored before first_seen existed: the date is all there is.
        (NOW - 3 * MIN, None, NOW - 3 * MIN),
    ],
)
def test_latency_counts_from_a_believable_publication_time(
    published: datetime, first_seen: datetime | None, counted_from: datetime
) -> None:
    assert publication_time(item("a", published, first_seen)) == counted_from


def test_only_pushes_sent_promptly_count_one_sample_per_story() -> None:
    items = {
        "a": item("a", NOW - 2 * MIN, NOW - MIN),
        "b": item("b", NOW - 5 * MIN, NOW - MIN),
    }
    sent_at = NOW + 30 * timedelta(seconds=1)

    def latencies(*entries: OutboxEntry) -> list[float]:
        return push_latencies(entries, sent_at=sent_at, lookup=items.get)

    # A push listing two stories: one sample each.
    assert latencies(entry(PUSH, "a", "b")) == [150.0, 330.0]
    # A story pruned since (no longer stored) is skipped.
    assert latencies(entry(PUSH, "a", "gone")) == [150.0]
    # Digests and "while you were away" lines wait by design.
    assert latencies(entry(DIGEST, "a"), entry(AWAY)) == []
    # Retried within 15 minutes of planning: the wait is ours, it counts.
    retried = entry(PUSH, "a", not_before=NOW + 15 * MIN)
    assert latencies(retried) == [150.0]
    # Held for the chat's quiet hours: the reader's choice, left out.
    held = entry(PUSH, "a", not_before=NOW + 7 * 60 * MIN)
    assert latencies(held) == []
    # Sent "before" publication (the wall clock was set back): says nothing.
    assert push_latencies([entry(PUSH, "a")], sent_at=NOW - 5 * MIN, lookup=items.get) == []


def test_the_window_reads_percentiles_within_one_percent() -> None:
    rng = random.Random(7)
    samples = [rng.lognormvariate(4.0, 0.8) for _ in range(5_000)]  # median ~55 s
    window = LatencyWindow(Ticks())
    for seconds in samples:
        window.add(seconds)
    ordered = sorted(samples)
    for fraction in (0.5, 0.9, 0.99):
        exact = ordered[int(fraction * len(ordered)) - 1]
        read = window.percentile(fraction)
        assert read is not None
        assert abs(read - exact) / exact <= (LATENCY_BIN_RATIO - 1) / 2 + 1e-9, fraction
    assert window.count() == 5_000
    # Below a second, in one bin.
    tiny = LatencyWindow(Ticks())
    tiny.add(0.2)
    assert tiny.percentile(0.5) == 0.5


def test_the_window_keeps_a_day_and_forgets_older_hours() -> None:
    ticks = Ticks()
    window = LatencyWindow(ticks)
    assert window.percentile(0.5) is None
    assert window.count() == 0
    for _ in range(10):
        window.add(600.0)  # a slow morning
    ticks.now += 12 * 3600
    for _ in range(30):
        window.add(60.0)
    assert window.count() == 40
    assert window.percentile(0.9) == pytest.approx(600.0, rel=0.01)
    ticks.now += 13 * 3600  # the morning is more than a day ago
    assert window.count() == 30
    assert window.percentile(0.9) == pytest.approx(60.0, rel=0.01)
    ticks.now += 12 * 3600
    assert window.count() == 0
    assert window.percentile(0.5) is None


def test_memory_stays_bounded_for_a_big_broadcast() -> None:
    """100,000 chats reading one story: a few hundred counters, not 100,000 samples."""
    window = LatencyWindow(Ticks())
    rng = random.Random(3)
    for _ in range(100_000):
        window.add(30.0 + rng.uniform(0, 4000))  # the broadcast's tail: an hour at 25/s
    counters = sum(len(counts) for _, counts in window._slots)
    assert counters < 250
    median = window.percentile(0.5)
    assert median == pytest.approx(2030.0, rel=0.03)


def test_delivery_stats_record_a_confirmed_push() -> None:
    stats = DeliveryStats(Ticks())
    stored = {"a": item("a", NOW - 2 * MIN, NOW - MIN)}
    stats.pushed([entry(PUSH, "a")], sent_at=NOW, lookup=stored.get)
    assert stats.push_latency.count() == 1
    assert stats.push_latency.percentile(0.5) == pytest.approx(120.0, rel=0.01)
