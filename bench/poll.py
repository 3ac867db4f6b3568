"""Benchmark: one polling cycle over 50 feeds that all answer 304.

Target: ``FeedFetcher.fetch_many`` over 50 feeds on the loopback feed server,
every one answering 304 Not Modified, in <= 1.0 s wall time.

Setup: one FeedServer serves the files of ``tests/fixtures/feeds`` under 50
paths; every feed is fetched once so its state carries the ETag and
Last-Modified. Then cycles are timed in two ways, with the production limits
(8 at a time globally, 2 per host — and all 50 feeds share one host here,
the worst case for the per-host cap):

* warm: one client reused, keep-alive connections already open;
* cold: a fresh client per cycle, so connection setup is included (between
  real polls minutes apart, idle keep-alive connections have expired).

The verdict uses the slower of the two medians.

It also times the poll job's idle tick (every 10 s; most ticks have nothing
due): ``IngestPipeline.run_cycle`` over the same 50 feeds, each with a learned
publishing model and its next poll minutes away, in a real store, plus the
feed-state read of the admins' alert check that follows it. Such a tick must
make no request and write nothing; it is printed, not judged.

    python bench/poll.py          # a few seconds
    python bench/poll.py --full   # more cycles
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import FeedConfig, ScheduleConfig
from bot.ingest.adaptive import AdaptivePolicy
from bot.ingest.decide import next_state_after_fetch
from bot.ingest.feedstate import FeedState
from bot.ingest.fetch import FeedFetcher, make_client
from bot.ingest.pipeline import IngestPipeline, feed_states_by_name
from bot.sim.feeds import FeedServer
from bot.store import Store
from bot.store.layout import FEEDS_FILE

TARGET_S = 1.0
N_FEEDS = 50
FEEDS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "feeds"
USER_AGENT = "nieuwsbot-bench/0.1"
CONTACT_URL = "https://nieuwsbot.example/contact"


async def primed_states(server: FeedServer, paths: Sequence[str]) -> list[FeedState]:
    """Fetch every feed once so the states carry validators, as after a first poll."""
    async with make_client(USER_AGENT, CONTACT_URL) as client:
        fetcher = FeedFetcher(client)
        states = [FeedState(server.url(path)) for path in paths]
        results = await fetcher.fetch_many(states)
    bad = [r for r in results if r.status != "ok"]
    if bad:
        raise SystemExit(f"priming failed: {bad[0].url}: {bad[0].error}")
    now = datetime.now(UTC)
    rng = random.Random(1)
    policy = AdaptivePolicy.from_config(ScheduleConfig())
    return [
        next_state_after_fetch(s, r, now=now, policy=policy, rng=rng)
        for s, r in zip(states, results, strict=True)
    ]


async def timed_cycle(fetcher: FeedFetcher, states: Sequence[FeedState]) -> float:
    started = time.perf_counter()
    results = await fetcher.fetch_many(states)
    elapsed = time.perf_counter() - started
    statuses = {r.status for r in results}
    if statuses != {"not_modified"}:
        raise SystemExit(f"expected only 304s, got {sorted(statuses)}")
    return elapsed


def learned(state: FeedState, policy: AdaptivePolicy, now: datetime) -> FeedState:
    """The state after two days of hourly polls finding a few items each (a full model)."""
    state = replace(state, last_success=now - timedelta(hours=48))
    for hours in range(47, -1, -1):
        moment = now - timedelta(hours=hours)
        state = replace(policy.learn(state, now=moment, new_items=3), last_success=moment)
    return replace(state, last_attempt=now, next_check=now + timedelta(minutes=5))


async def idle_ticks(
    server: FeedServer, paths: Sequence[str], states: Sequence[FeedState], ticks: int
) -> tuple[list[float], list[float]]:
    """Seconds per idle ``run_cycle`` and per alert-check read, nothing being due."""
    now = datetime.now(UTC)
    policy = AdaptivePolicy.from_config(ScheduleConfig())
    feeds = [FeedConfig(name=path, url=server.url(path)) for path in paths]
    with tempfile.TemporaryDirectory() as data:
        store = await Store.open(data, clock=lambda: now)
        try:
            await store.put_feed_states({s.url: learned(s, policy, now).to_dict() for s in states})
            async with make_client(USER_AGENT, CONTACT_URL) as client:
                pipeline = IngestPipeline(
                    feeds=feeds,
                    fetcher=FeedFetcher(client),
                    store=store,
                    clock=lambda: now,
                    interval=policy.start,
                    policy=policy,
                )
                server.reset_observations()
                written = (Path(data) / FEEDS_FILE).stat().st_mtime_ns
                cycles, reads = [], []
                for _ in range(ticks):
                    started = time.perf_counter()
                    report = await pipeline.run_cycle()
                    cycles.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    feed_states_by_name(feeds, store)
                    reads.append(time.perf_counter() - started)
                    if report.outcomes:
                        raise SystemExit("an idle tick polled a feed")
                pipeline.close()
            if server.requests:
                raise SystemExit(f"an idle tick made {len(server.requests)} requests")
            if (Path(data) / FEEDS_FILE).stat().st_mtime_ns != written:
                raise SystemExit("an idle tick wrote the feed states")
        finally:
            await store.close()
    return cycles, reads


async def measure(cycles: int) -> tuple[list[float], list[float], int, list[float], list[float]]:
    files = sorted(FEEDS.glob("*.xml"))
    if not files:
        raise SystemExit(f"no feed fixtures in {FEEDS}")
    with FeedServer() as server:
        paths = []
        for n in range(N_FEEDS):
            path = f"/feed-{n:02d}.xml"
            server.serve_file(path, files[n % len(files)])
            paths.append(path)
        states = await primed_states(server, paths)
        server.reset_observations()

        async with make_client(USER_AGENT, CONTACT_URL) as client:
            fetcher = FeedFetcher(client)
            await timed_cycle(fetcher, states)  # opens the keep-alive connections
            warm = [await timed_cycle(fetcher, states) for _ in range(cycles)]

        cold = []
        for _ in range(cycles):
            async with make_client(USER_AGENT, CONTACT_URL) as client:
                cold.append(await timed_cycle(FeedFetcher(client), states))
        requests = len(server.requests)
        idle, reads = await idle_ticks(server, paths, states, ticks=cycles * 30)
        return warm, cold, requests, idle, reads


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="run 30 cycles instead of 7")
    args = parser.parse_args(argv)
    cycles = 30 if args.full else 7

    warm, cold, requests, idle, reads = asyncio.run(measure(cycles))
    for name, timings in (("warm", warm), ("cold", cold)):
        print(
            f"{name}: {N_FEEDS} feeds x 304, {cycles} cycles: "
            f"median {statistics.median(timings) * 1000:.1f} ms, "
            f"min {min(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms"
        )
    print(f"server answered {requests} requests")
    print(
        f"idle tick ({N_FEEDS} feeds with learned models, none due, {len(idle)} ticks): "
        f"run_cycle median {statistics.median(idle) * 1000:.2f} ms, "
        f"max {max(idle) * 1000:.2f} ms; alert-check read median "
        f"{statistics.median(reads) * 1000:.2f} ms; 0 requests, 0 writes"
    )
    worst = max(statistics.median(warm), statistics.median(cold))
    verdict = "ok" if worst <= TARGET_S else "MISS"
    print(f"poll: {worst:.3f} s (target <= {TARGET_S} s) {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
