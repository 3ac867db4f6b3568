"""Benchmark: publication -> detection latency of adaptive polling, by replay.

Target, for items that feeds publish in hours when they publish at least one
item an hour ("busy"): median latency <= 60 s, p90 <= 150 s, with at most 1.5x
the requests of the fixed 300 s policy over the same feeds, in the same run.

    python bench/latency.py          # one simulated week, 25 feeds, a few seconds
    python bench/latency.py --full   # four weeks and three seeds

Where the publication times come from (all files in the repository):

1. Timestamps. (a) The publication dates of the items of the six real RSS
   files in tests/fixtures/feeds (copies of shared data/feeds: NOS algemeen,
   Tweakers, and swelbyboy's re-publications of NOS, RTV Noord, Omroep Brabant
   and Omroep Gelderland; windows1252.xml is left out, it was written for the
   project), read with the bot's own ``parse_feed`` and turned into Dutch
   time: 63 items. (b) The 275 ``pubDate`` values (Dutch local time as saved)
   and outlets of the krantenkiezer "Rutte" dossier (shared
   data/articles/krantenkiezer; only those two columns are copied, to
   tests/fixtures/publishing/krantenkiezer_pubdates.tsv).
2. Hour-of-day shape p(h): all those timestamps counted per local hour,
   smoothed over the neighbouring hours (weights 1/4, 1/2, 1/4, around the
   clock) and normalised to sum to 1.
3. Daily volume of a real feed: its items after the oldest one divided by the
   share of a day's publishing (under p) that falls between its oldest and
   newest item.
4. The 25 simulated feeds are the 25 outlets that appear most in the dossier.
   Feed i publishes V_i = n_i * k items a day, n_i being its number of dossier
   items and k the ratio sum(real daily volume) / sum(dossier items) over the
   outlets that have a real feed too (NOS: NOS algemeen; Omroep Gelderland:
   its swelbyboy copy). The dossier fixes how outlets compare, the real feeds
   fix the scale.
5. Publications: an inhomogeneous Poisson process per feed with rate
   V_i * p(h) items an hour in local hour h (Europe/Amsterdam), over whole
   days from Monday 5 October 2026, from a fixed seed.

The replay. A simulated clock (the ``Clock`` seam: a callable the code reads)
runs a poll cycle every ``--tick`` seconds (10 s; the cycle polls the feeds
that ``schedule.is_due`` says are due). A poll sees every item published up to
that moment: the first poll at or after an item's publication detects it; a
poll that finds nothing new (a 304) costs a request all the same. Every
policy goes through the transition the poll cycle uses,
``decide.next_state_after_fetch`` (a 200 when the poll found something, else
a 304), with the real jitter: it teaches the policy the number of items the
poll found (never the true publication times) and schedules the next poll.
The fixed policy is an ``AdaptivePolicy`` whose bounds are both 300 s. Feeds
start with no history, so the adaptive figures include learning. Busy items are
items published in an hour in which their feed's true rate V_i * p(h) is at
least one an hour.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import math
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import ScheduleConfig
from bot.ingest.adaptive import AdaptivePolicy
from bot.ingest.decide import next_state_after_fetch
from bot.ingest.feedstate import FeedState
from bot.ingest.fetch import FetchResult
from bot.ingest.parse import parse_feed
from bot.ingest.publishing import hour_pieces
from bot.ingest.schedule import is_due

TARGET_MEDIAN_S = 60.0
TARGET_P90_S = 150.0
TARGET_REQUEST_RATIO = 1.5
BUSY_PER_HOUR = 1.0
N_FEEDS = 25
FIXED_INTERVAL = timedelta(seconds=300)
TZ = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 10, 5, tzinfo=TZ)  # a Monday
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
REAL_FEEDS = (
    "nos_nieuwsalgemeen_2026-10-01.xml",
    "swelbyboy_nos_2026-02-02.xml",
    "swelbyboy_omroep-brabant_2026-02-15.xml",
    "swelbyboy_omroep-gelderland_2026-02-10.xml",
    "swelbyboy_rtv-noord_2025-12-10.xml",
    "tweakers_mixed_2026-10-01_trimmed.xml",
)
DOSSIER = ROOT / "tests" / "fixtures" / "publishing" / "krantenkiezer_pubdates.tsv"
# Dossier outlets with a real feed among REAL_FEEDS: they set the volume scale.
ANCHORS = {
    "nos": "nos_nieuwsalgemeen_2026-10-01.xml",
    "omroepgelderland": "swelbyboy_omroep-gelderland_2026-02-10.xml",
}


# --- the publication model, from the data ---------------------------------------


@dataclass(frozen=True)
class SimFeed:
    name: str
    per_day: float

    def rate(self, hour: int, profile: Sequence[float]) -> float:
        """True items per hour in this local hour."""
        return self.per_day * profile[hour]


def feed_timestamps() -> dict[str, list[datetime]]:
    stamps: dict[str, list[datetime]] = {}
    for name in REAL_FEEDS:
        parsed = parse_feed((FEEDS / name).read_bytes(), feed=name)
        stamps[name] = sorted(e.published for e in parsed.entries if e.published is not None)
    return stamps


def dossier_rows() -> list[tuple[str, datetime]]:
    with DOSSIER.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return [
            (row["outlet"], datetime.fromisoformat(row["published_local"]).replace(tzinfo=TZ))
            for row in reader
        ]


def hour_profile(moments: Sequence[datetime]) -> list[float]:
    counts = Counter(moment.astimezone(TZ).hour for moment in moments)
    smoothed = [
        0.25 * counts[(h - 1) % 24] + 0.5 * counts[h] + 0.25 * counts[(h + 1) % 24]
        for h in range(24)
    ]
    total = sum(smoothed)
    return [value / total for value in smoothed]


def daily_volume(stamps: Sequence[datetime], profile: Sequence[float]) -> float:
    """Items a day that put len(stamps) - 1 items after the first, under the profile."""
    share = sum(
        profile[hour] * seconds / 3600 for hour, seconds in hour_pieces(stamps[0], stamps[-1], TZ)
    )
    return (len(stamps) - 1) / share


@dataclass(frozen=True)
class Workload:
    profile: list[float]
    feeds: list[SimFeed]
    real_volumes: dict[str, float]
    scale: float
    n_timestamps: int


def workload() -> Workload:
    stamps = feed_timestamps()
    rows = dossier_rows()
    moments = [m for feed in stamps.values() for m in feed] + [m for _, m in rows]
    profile = hour_profile(moments)
    real = {name: daily_volume(feed, profile) for name, feed in stamps.items()}
    per_outlet = Counter(outlet for outlet, _ in rows)
    scale = sum(real[feed] for feed in ANCHORS.values()) / sum(per_outlet[o] for o in ANCHORS)
    ranked = sorted(per_outlet.items(), key=lambda kv: (-kv[1], kv[0]))[:N_FEEDS]
    feeds = [SimFeed(outlet, count * scale) for outlet, count in ranked]
    return Workload(profile, feeds, real, scale, len(moments))


def publications(
    feed: SimFeed, profile: Sequence[float], days: int, rng: random.Random
) -> list[datetime]:
    """Poisson arrivals, piecewise constant per local hour (exponential gaps restart each hour)."""
    moments: list[datetime] = []
    hour_start = START.astimezone(UTC)
    end = (START + days * DAY).astimezone(UTC)
    while hour_start < end:
        per_hour = feed.rate(hour_start.astimezone(TZ).hour, profile)
        offset = rng.expovariate(per_hour) if per_hour > 0 else math.inf
        while offset < 1.0:
            moments.append(hour_start + offset * HOUR)
            offset += rng.expovariate(per_hour)
        hour_start += HOUR
    return moments


# --- the replay ----------------------------------------------------------------


@dataclass
class SimClock:
    """The Clock seam of the replay: what the scheduling code reads as now."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


Decide = Callable[[FeedState, datetime, int, random.Random], FeedState]


@dataclass(frozen=True, slots=True)
class FlatPolicy(AdaptivePolicy):
    """For comparison only: the same rule on the feed's rate over the whole day."""

    def interval(self, state: FeedState, *, now: datetime) -> timedelta:
        model = state.publishing
        if model is None or model.watched_hours <= 0:
            return self.start
        return self.interval_for_rate(model.overall_rate(self.prior_rate))


def fixed_policy() -> AdaptivePolicy:
    """The fixed 300 s poll: an adaptive policy whose bounds are both 300 s."""
    return AdaptivePolicy(
        start=FIXED_INTERVAL, shortest=FIXED_INTERVAL, longest=FIXED_INTERVAL, tz=TZ
    )


def through_the_pipeline_transition(policy: AdaptivePolicy) -> Decide:
    """What the poll cycle does with a feed that answered: ``next_state_after_fetch``."""

    def decide(state: FeedState, now: datetime, new_items: int, rng: random.Random) -> FeedState:
        # A poll that finds something new is a 200, one that finds nothing a 304.
        result = FetchResult(url=state.url, status="ok" if new_items else "not_modified")
        return next_state_after_fetch(
            state, result, now=now, policy=policy, rng=rng, new_items=new_items
        )

    return decide


@dataclass
class Replay:
    latencies: list[float] = field(default_factory=list)  # seconds, busy items
    quiet_latencies: list[float] = field(default_factory=list)
    busy_by_day: dict[int, list[float]] = field(default_factory=dict)
    requests: int = 0


def replay(
    decide: Decide,
    feeds: Sequence[SimFeed],
    published: Sequence[Sequence[datetime]],
    profile: Sequence[float],
    *,
    days: int,
    tick: timedelta,
    seed: int,
) -> Replay:
    clock = SimClock(START.astimezone(UTC))
    end = clock.now + days * DAY
    rng = random.Random(seed)
    states = [FeedState(url=f"https://feeds.example/{feed.name}") for feed in feeds]
    detected = [0] * len(feeds)  # index of the next undetected publication
    result = Replay()
    # The cycle runs every tick; a feed is polled at the first tick it is due.
    queue = [(clock.now, index) for index in range(len(feeds))]
    while queue:
        moment, index = heapq.heappop(queue)
        if moment >= end:
            break
        clock.now = moment
        now = clock()
        state = states[index]
        assert is_due(state, now)
        result.requests += 1
        items = published[index]
        first = detected[index]
        last = first
        while last < len(items) and items[last] <= now:
            last += 1
        for published_at in items[first:last]:
            latency = (now - published_at).total_seconds()
            if feeds[index].rate(published_at.astimezone(TZ).hour, profile) >= BUSY_PER_HOUR:
                result.latencies.append(latency)
                day = (published_at - START).days
                result.busy_by_day.setdefault(day, []).append(latency)
            else:
                result.quiet_latencies.append(latency)
        detected[index] = last
        states[index] = decide(state, now, last - first, rng)
        heapq.heappush(queue, (_next_tick(states[index], clock.now, tick), index))
    return result


def _next_tick(state: FeedState, now: datetime, tick: timedelta) -> datetime:
    assert state.next_check is not None
    ticks = math.ceil((state.next_check - now) / tick)
    return now + max(ticks, 1) * tick


# --- report ----------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.floor(fraction * len(ordered)))]


def describe(workload: Workload) -> None:
    print(f"hour-of-day shape from {workload.n_timestamps} timestamps (share of a day, %):")
    print("  " + " ".join(f"{h:02d}:{100 * p:.1f}" for h, p in enumerate(workload.profile)))
    print(
        "real feed volumes (items/day): "
        + ", ".join(
            f"{name.split('_2')[0]} {volume:.1f}" for name, volume in workload.real_volumes.items()
        )
    )
    print(f"scale: {workload.scale:.2f} items/day per dossier item")
    print(
        "simulated feeds (items/day): "
        + ", ".join(f"{feed.name} {feed.per_day:.0f}" for feed in workload.feeds)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="four weeks, three seeds")
    parser.add_argument("--days", type=int, help="simulated days per seed")
    parser.add_argument("--seeds", type=int, help="how many seeds (replays of new weeks)")
    parser.add_argument("--tick", type=float, default=10.0, help="poll cycle period, seconds")
    args = parser.parse_args(argv)
    days = args.days or (28 if args.full else 7)
    seeds = args.seeds or (3 if args.full else 1)
    tick = timedelta(seconds=args.tick)
    started = time.perf_counter()
    load = workload()
    describe(load)
    schedule = ScheduleConfig()
    policies = {
        "fixed 300 s": through_the_pipeline_transition(fixed_policy()),
        "adaptive": through_the_pipeline_transition(AdaptivePolicy.from_config(schedule)),
        "flat (no hour of day)": through_the_pipeline_transition(FlatPolicy.from_config(schedule)),
    }
    totals = {name: Replay() for name in policies}
    n_items = 0
    for seed in range(1, seeds + 1):
        rng = random.Random(seed)
        published = [publications(feed, load.profile, days, rng) for feed in load.feeds]
        n_items += sum(map(len, published))
        for name, decide in policies.items():
            run = replay(
                decide, load.feeds, published, load.profile, days=days, tick=tick, seed=seed
            )
            total = totals[name]
            total.latencies += run.latencies
            total.quiet_latencies += run.quiet_latencies
            total.requests += run.requests
            for day, values in run.busy_by_day.items():
                total.busy_by_day.setdefault(day, []).extend(values)
    feed_days = N_FEEDS * days * seeds
    print(
        f"\n{seeds} x {days} days, {N_FEEDS} feeds, {n_items} items "
        f"({len(totals['fixed 300 s'].latencies)} busy), poll cycle every {args.tick:g} s"
    )
    print(
        f"{'policy':<22} {'busy p50':>9} {'busy p90':>9} {'quiet p50':>10} {'quiet p90':>10} "
        f"{'req/feed/day':>13}"
    )
    for name, total in totals.items():
        print(
            f"{name:<22} {statistics.median(total.latencies):>8.0f}s "
            f"{percentile(total.latencies, 0.9):>8.0f}s "
            f"{statistics.median(total.quiet_latencies):>9.0f}s "
            f"{percentile(total.quiet_latencies, 0.9):>9.0f}s "
            f"{total.requests / feed_days:>13.0f}"
        )
    adaptive = totals["adaptive"]
    print(
        "adaptive busy p50/p90 (s) on day 1, 2, ... of the replay: "
        + ", ".join(
            f"{day + 1}: {statistics.median(v):.0f}/{percentile(v, 0.9):.0f}"
            for day, v in sorted(adaptive.busy_by_day.items())
            if day < 7
        )
    )
    median = statistics.median(adaptive.latencies)
    p90 = percentile(adaptive.latencies, 0.9)
    ratio = adaptive.requests / totals["fixed 300 s"].requests
    ok = median <= TARGET_MEDIAN_S and p90 <= TARGET_P90_S and ratio <= TARGET_REQUEST_RATIO
    print(f"({time.perf_counter() - started:.1f} s)")
    print(
        f"latency: median {median:.0f} s, p90 {p90:.0f} s, requests {ratio:.2f}x "
        f"(target {TARGET_MEDIAN_S:.0f} s / {TARGET_P90_S:.0f} s / {TARGET_REQUEST_RATIO}x) "
        f"{'ok' if ok else 'MISS'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
