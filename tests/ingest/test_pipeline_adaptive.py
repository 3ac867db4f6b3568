"""Adaptive polling through the poll-cycle executor: real httpx against the loopback
feed server, a real store, the manual clock as the only time.

The driver runs the cycle as the poll job does, at 10 s ticks, but jumps over
the ticks at which no feed is due (such a tick fetches nothing: see the last
test). A feed's poll times are the clock readings of the cycles that fetched it.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import FeedConfig, FetchConfig, ScheduleConfig
from bot.core.clock import ManualClock
from bot.ingest.adaptive import AdaptivePolicy
from bot.ingest.fetch import make_fetcher
from bot.ingest.pipeline import IngestPipeline, stored_feed_state
from bot.runtime.jobs import POLL_TICK_S
from bot.sim.feeds import FeedServer
from bot.store import Store
from tests.app_harness import rss_item, serve_feed
from tests.plugin_feeds import MidpointRandom

AMS = ZoneInfo("Europe/Amsterdam")
TICK = timedelta(seconds=POLL_TICK_S)
# Monday 5 October 2026, midnight in Amsterdam (22:00 UTC the day before).
MONDAY = datetime(2026, 10, 5, tzinfo=AMS).astimezone(UTC)
# A feed lists its newest items only, as real feeds do.
LISTED = 20


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return (datetime(2026, 10, 5 + day, hour, minute, tzinfo=AMS)).astimezone(UTC)


@dataclass
class SimFeed:
    """A feed on the loopback server that publishes at given moments."""

    path: str
    publish_at: Sequence[datetime]
    headers: dict[str, str] = field(default_factory=dict)
    published: int = 0

    def catch_up(self, server: FeedServer, now: datetime) -> None:
        """Serve every item published up to ``now`` (the newest ``LISTED``)."""
        due = self.published
        while due < len(self.publish_at) and self.publish_at[due] <= now:
            due += 1
        if due == self.published and self.published:
            return
        self.published = due
        items = [
            rss_item(
                f"{self.path}-{n}",
                f"Bericht {n} van {self.path}",
                f"Tekst van bericht {n}.",
                self.publish_at[n],
                f"https://example.nl{self.path}/{n}",
            )
            for n in range(max(0, due - LISTED), due)
        ]
        serve_feed(server, self.path, self.path, items[::-1])
        if self.headers:
            server.serve(self.path, server.body(self.path), headers=self.headers)


@dataclass
class Poll:
    at: datetime
    status: str

    def local_hour(self) -> int:
        return self.at.astimezone(AMS).hour


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "data", clock=ManualClock(MONDAY), shard_count=2)
    yield opened
    await opened.close()


def every(start: datetime, end: datetime, gap: timedelta) -> list[datetime]:
    moments = []
    moment = start
    while moment < end:
        moments.append(moment)
        moment += gap
    return moments


def daytime_publishing(days: int) -> list[datetime]:
    """Every 5 minutes from 07:00 to 19:00 local time, silent at night."""
    return [
        moment
        for day in range(days)
        for moment in every(local(day, 7), local(day, 19), timedelta(minutes=5))
    ]


async def run_ticks(
    server: FeedServer,
    store: Store,
    feeds: Sequence[SimFeed],
    *,
    until: datetime,
    clock: ManualClock,
    schedule: ScheduleConfig | None = None,
    between: Callable[[datetime], None] = lambda now: None,
) -> dict[str, list[Poll]]:
    """Run poll cycles at 10 s ticks until ``until``; returns each feed's polls."""
    client, fetcher = make_fetcher(FetchConfig(timeout_seconds=5.0), clock)
    schedule = schedule or ScheduleConfig(poll_interval_seconds=300)
    configs = [FeedConfig(name=f.path, url=server.url(f.path)) for f in feeds]
    cycle = IngestPipeline(
        feeds=configs,
        fetcher=fetcher,
        store=store,
        clock=clock,
        interval=timedelta(seconds=schedule.poll_interval_seconds),
        rng=MidpointRandom(),  # no jitter: the gaps are the scheduled intervals
        policy=AdaptivePolicy.from_config(schedule),
    )
    polls: dict[str, list[Poll]] = {f.path: [] for f in feeds}
    start = clock()
    try:
        async with client:
            while clock() < until:
                between(clock())
                for feed in feeds:
                    feed.catch_up(server, clock())
                report = await cycle.run_cycle()
                for outcome in report.outcomes:
                    polls[outcome.feed].append(Poll(clock(), outcome.status))
                due = min(_next_check(store, config.url) for config in configs)
                ticks = max(1, math.ceil((due - start) / TICK) - (clock() - start) // TICK)
                clock.advance(ticks * TICK)
    finally:
        cycle.close()
    return polls


def _next_check(store: Store, url: str) -> datetime:
    state = stored_feed_state(store, url)
    assert state is not None
    assert state.next_check is not None
    return state.next_check


def between_polls(polls: Sequence[Poll]) -> list[float]:
    """Seconds from each poll to the next."""
    return [(after.at - before.at).total_seconds() for before, after in itertools.pairwise(polls)]


def gaps(polls: Sequence[Poll], hour: int, day: int | None = None) -> list[float]:
    """Seconds from each poll in local ``hour`` (of ``day``) to the next poll."""
    found = []
    for before, after in itertools.pairwise(polls):
        local_time = before.at.astimezone(AMS)
        if local_time.hour == hour and (day is None or local_time.day == 5 + day):
            found.append((after.at - before.at).total_seconds())
    return found


# --- a feed that speeds up in the morning and slows down at night ------------------------


# Day 2 (Tuesday) of a feed that publishes every 5 minutes from 07:00 to 19:00,
# after one day of learning from what the polls found: (local hour, median gap
# between polls at most / at least, seconds). 12 items an hour is polled every
# 69 s by the square-root rule (4 min × √(1/12)); on day 2 it is about 80 s (the
# rate is still partly the prior's, and the 10 s ticks round up). The night is
# believed quiet: about 300 s on day 2, slower as the nights add up. Rates are
# smoothed over neighbouring hours, so 06:00 already speeds up and 19:00 slows
# down gradually.
MORNING_AND_NIGHT = [
    (3, None, 240.0),
    (5, None, 240.0),
    (6, 200.0, 100.0),
    (7, 100.0, None),
    (10, 100.0, None),
    (13, 100.0, None),
    (18, 100.0, None),
    (20, None, 240.0),
    (23, None, 240.0),
]


async def test_a_feed_is_polled_fast_in_its_busy_hours_and_slowly_at_night(
    feed_server: FeedServer, store: Store
) -> None:
    feed = SimFeed("/dag.xml", daytime_publishing(days=2))
    clock = ManualClock(MONDAY)
    polls = (await run_ticks(feed_server, store, [feed], until=local(2, 0), clock=clock))[feed.path]

    table = []
    for hour, at_most, at_least in MORNING_AND_NIGHT:
        median = statistics.median(gaps(polls, hour, day=1))
        table.append((hour, round(median)))
        if at_most is not None:
            assert median <= at_most, table
        if at_least is not None:
            assert median >= at_least, table
    # The first day starts from poll_interval_seconds and learns as it goes.
    assert gaps(polls, 0, day=0)[0] == 300
    # Looking an hour ahead: the night's last poll is moved to the stroke of 06:00.
    assert local(1, 6) in [poll.at for poll in polls]
    # What the polls are for: the busy hours' items are found within two minutes.
    poll_times = [poll.at for poll in polls]
    latencies = [
        (next(t for t in poll_times if t >= published) - published).total_seconds()
        for published in feed.publish_at
        if published >= local(1, 7)
    ]
    assert statistics.median(latencies) <= 60
    assert max(latencies) <= 120
    # Every poll of the busy hours found what had been published: none failed.
    assert {poll.status for poll in polls} <= {"ok", "not_modified"}
    # What it learned is persisted with the feed state.
    state = stored_feed_state(store, feed_server.url(feed.path))
    assert state is not None
    assert state.publishing is not None


# --- server hints stay floors ---------------------------------------------------------------


async def test_a_max_age_of_120_s_is_never_polled_faster(
    feed_server: FeedServer, store: Store
) -> None:
    """Two feeds publishing every minute; one says max-age=120. Only that one is held back."""
    busy = every(MONDAY, local(0, 3), timedelta(minutes=1))
    cached = SimFeed("/cached.xml", busy, headers={"Cache-Control": "public, max-age=120"})
    free = SimFeed("/free.xml", busy)
    clock = ManualClock(MONDAY)
    polls = await run_ticks(feed_server, store, [cached, free], until=local(0, 3), clock=clock)

    cached_gaps, free_gaps = between_polls(polls[cached.path]), between_polls(polls[free.path])
    assert len(cached_gaps) > 20
    assert min(cached_gaps) >= 120
    # The same news without the header is polled at the 60 s floor once learned:
    # the hint, not the feed's rate, holds the first one back.
    assert min(free_gaps) == 60
    assert statistics.median(free_gaps[len(free_gaps) // 2 :]) < 120


# --- errors back off as before ---------------------------------------------------------------


async def test_an_erroring_feed_backs_off_from_poll_interval_seconds_and_recovers(
    feed_server: FeedServer, store: Store
) -> None:
    """A busy feed polled every minute starts failing, backs off, then comes back."""
    feed = SimFeed("/wankel.xml", every(MONDAY, local(1, 0), timedelta(minutes=1)))
    clock = ManualClock(MONDAY)
    fails_from, fixed_at = local(0, 3), local(0, 6)

    def weather(now: datetime) -> None:
        if fails_from <= now < fixed_at:
            feed_server.fault(feed.path, status=503, times=None)
        else:
            feed_server.clear_faults(feed.path)

    polls = (
        await run_ticks(feed_server, store, [feed], until=local(0, 7), clock=clock, between=weather)
    )[feed.path]

    before = [p for p in polls if p.at < fails_from]
    failing = [p for p in polls if fails_from <= p.at < fixed_at]
    after = [p for p in polls if p.at >= fixed_at]
    # Fast before the trouble: at the 60 s floor by the third hour.
    learned = between_polls(before)[-10:]
    assert max(learned) <= 70
    # Every failure doubles the wait from poll_interval_seconds (300 s), up to an
    # hour; the ticks round each wait up to 10 s.
    assert {p.status for p in failing} == {"error"}
    error_gaps = between_polls([*failing, after[0]])
    assert error_gaps[:5] == [300, 600, 1200, 2400, 3600]
    # Back: polled fast again, from what it learned before the failures.
    assert after[0].status == "ok"
    recovered = between_polls(after)
    assert statistics.median(recovered) <= 70


# --- a tick with nothing due ------------------------------------------------------------------


async def test_a_tick_with_nothing_due_fetches_nothing(
    feed_server: FeedServer, store: Store
) -> None:
    feed = SimFeed("/stil.xml", [MONDAY])
    clock = ManualClock(MONDAY)
    client, fetcher = make_fetcher(FetchConfig(timeout_seconds=5.0), clock)
    cycle = IngestPipeline(
        feeds=[FeedConfig(name="stil", url=feed_server.url(feed.path))],
        fetcher=fetcher,
        store=store,
        clock=clock,
        interval=timedelta(minutes=5),
        rng=MidpointRandom(),
    )
    feed.catch_up(feed_server, clock())
    try:
        async with client:
            first = await cycle.run_cycle()
            assert [o.status for o in first.outcomes] == ["ok"]
            feed_server.reset_observations()
            for _ in range(29):  # 290 s of ticks: the feed is due at 300 s
                clock.advance(TICK)
                report = await cycle.run_cycle()
                assert report.outcomes == ()
            assert feed_server.requests == []
            clock.advance(TICK)
            due = await cycle.run_cycle()
            assert [o.status for o in due.outcomes] == ["not_modified"]
    finally:
        cycle.close()
