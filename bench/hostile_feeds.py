"""Hostile feeds: peak memory and wall time of the real fetch + parse path (issue 11).

    python bench/hostile_feeds.py          # about a minute; exit 1 on a miss
    python bench/hostile_feeds.py --full   # five runs per feed instead of three

Each feed is served by the loopback feed server (in this process) and polled
by a child process that is a bot without Telegram: the real ``IngestPipeline``
(real httpx fetcher, parse worker process, item building, store in a temporary
directory) runs one cycle over that one feed. In the child:

* idle = VmRSS after imports, with the store open and the parse worker started;
  the peak is VmHWM after the cycle (reset to idle first via clear_refs) minus
  idle: "bot";
* the parse worker's peak over its own idle VmRSS, from RUSAGE_CHILDREN after
  it has been stopped (a worker killed over its budget counts too): "worker";
* "total" = bot + worker, as if both peaks were at the same moment (an upper
  bound); the target is total <= 100 MB for every feed;
* "stall" is the longest the event loop was late for a 5 ms timer during the
  cycle: how long a chat command would have waited at worst.

Feeds (bodies built here, none on disk):

* entities: a 4 MB feed whose DTD declares a 10,000-character entity that its
  items reference 800,000 times (feedparser expanded it into gigabytes);
* 100k entries: 100,000 small items, about 3 MB;
* gzip bomb: 1 GiB of spaces in a 1 MB gzip body;
* loose parser, 3 MB and 0.4 MB: no DTD, one element with 300,000 (40,000)
  attributes and an entity XML does not know, so feedparser falls back to its
  loose parser, which is quadratic on this (hours; 14 s for 0.26 MB). The
  large one runs into the parse worker's memory budget, the small one into its
  time budget (20 s); each runs once;
* plain 4 MB: a valid feed of 4 MB (1,900 items), for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

TARGET_MB = 100.0
MB = 1024 * 1024


@dataclass(frozen=True)
class HostileFeed:
    name: str
    path: str
    body: bytes
    headers: dict[str, str]
    runs_once: bool = False


def _rss(items: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<rss version="2.0"><channel>'
        "<title>Vijandig</title><link>https://example.nl/</link><description>d</description>\n"
        f"{items}</channel></rss>\n"
    ).encode()


def _dated_item(n: int, text: str) -> str:
    stamp = (datetime(2026, 10, 1, 12, 0, tzinfo=UTC) - timedelta(minutes=n)).strftime(
        "%a, %d %b %Y %H:%M:%S +0000"
    )
    return (
        f"<item><title>Bericht {n}</title><guid>https://example.nl/{n}</guid>"
        f"<link>https://example.nl/{n}</link><pubDate>{stamp}</pubDate>"
        f"<description>{text}</description></item>\n"
    )


def _loose_item(attributes: int) -> str:
    """One element with many attributes, then an entity XML does not know."""
    names = " ".join(f"a{n}='1'" for n in range(attributes))
    return f"<item><title>x</title><description><b {names}/>&nbsp;</description></item>"


def build_feeds() -> list[HostileFeed]:
    entity_items = "".join(_dated_item(n, "&big;" * 2000) for n in range(400))
    entities = _rss(entity_items, f'<!DOCTYPE rss [\n<!ENTITY big "{"x" * 10_000}">\n]>\n')
    many = _rss("".join(f"<item><title>{n}</title></item>\n" for n in range(100_000)))
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    space = b" " * MB
    bomb = packer.compress(b"<rss>") + b"".join(packer.compress(space) for _ in range(1024))
    bomb += packer.flush()
    loose_large = _rss(_loose_item(300_000))
    loose_slow = _rss(_loose_item(40_000))
    plain = _rss(
        "".join(_dated_item(n, "Lorem ipsum dolor sit amet consectetur " * 50) for n in range(1900))
    )
    return [
        HostileFeed("entities", "/entities.xml", entities, {}),
        HostileFeed("100k entries", "/many.xml", many, {}),
        HostileFeed("gzip bomb", "/bomb.xml", bomb, {"Content-Encoding": "gzip"}),
        HostileFeed("loose parser, 3 MB", "/loose.xml", loose_large, {}, runs_once=True),
        HostileFeed("loose parser, 0.4 MB", "/slow.xml", loose_slow, {}, runs_once=True),
        HostileFeed("plain 4 MB", "/plain.xml", plain, {}),
    ]


# --- the child: one bot, one cycle ------------------------------------------------


def _status(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {name} in /proc/self/status")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def _child(url: str) -> dict[str, object]:
    from bot.config import FeedConfig, FetchConfig
    from bot.ingest.fetch import make_fetcher
    from bot.ingest.parse_worker import worker_memory
    from bot.ingest.pipeline import IngestPipeline
    from bot.store import Store

    now = datetime(2026, 10, 1, 12, 30, tzinfo=UTC)

    def clock() -> datetime:
        return now

    with tempfile.TemporaryDirectory() as data:
        store = await Store.open(Path(data), clock=clock)
        client, fetcher = make_fetcher(FetchConfig(), clock)
        feed = FeedConfig(name="vijand", url=url)
        pipeline = IngestPipeline(
            feeds=[feed],
            fetcher=fetcher,
            store=store,
            clock=clock,
            interval=timedelta(minutes=5),
            rng=random.Random(1),
        )
        worker_idle = pipeline.parse_worker.call("warm-up", worker_memory)["idle VmRSS"]
        gc.collect()
        idle = _status("VmRSS")
        exact_peak = _reset_peak()

        stall = 0.0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal stall
            loop = asyncio.get_running_loop()
            while not done.is_set():
                before = loop.time()
                await asyncio.sleep(0.005)
                stall = max(stall, loop.time() - before - 0.005)

        probe = asyncio.create_task(ticker())
        started = time.perf_counter()
        async with client:
            report = await pipeline.run_cycle(force=True)
        wall = time.perf_counter() - started
        done.set()
        await probe
        bot_peak = _status("VmHWM") - idle
        pipeline.close()
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 - worker_idle
        stored = len(store.recent(limit=None, include_duplicates=True))
        await store.close()
    (outcome,) = report.outcomes
    return {
        "bot_mb": max(bot_peak, 0) / MB,
        "worker_mb": max(worker_peak, 0) / MB,
        "idle_mb": idle / MB,
        "worker_idle_mb": worker_idle / MB,
        "wall_s": wall,
        "stall_ms": stall * 1000,
        "stored": stored,
        "error": outcome.error,
        "exact_peak": exact_peak,
    }


# --- the parent ----------------------------------------------------------------------


def _run_child(url: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed for {url}:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _median(runs: list[dict[str, object]], key: str) -> float:
    return statistics.median(float(str(run[key])) for run in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--full", action="store_true", help="five runs per feed")
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args.child))))
        return 0

    from bot.sim.feeds import FeedServer

    runs = 5 if args.full else 3
    feeds = build_feeds()
    worst = 0.0
    with FeedServer() as server:
        for feed in feeds:
            server.serve(feed.path, feed.body, headers=feed.headers)
        print(
            f"{'feed':<24} {'body':>8} {'wall':>7} {'stall':>7} "
            f"{'bot':>7} {'worker':>7} {'total':>7}  outcome"
        )
        for feed in feeds:
            results = [
                _run_child(server.url(feed.path)) for _ in range(1 if feed.runs_once else runs)
            ]
            bot = _median(results, "bot_mb")
            worker = _median(results, "worker_mb")
            total = statistics.median(
                float(str(r["bot_mb"])) + float(str(r["worker_mb"])) for r in results
            )
            worst = max(worst, total)
            error = results[-1]["error"]
            outcome = f"error: {error}" if error else f"ok, {results[-1]['stored']} items stored"
            print(
                f"{feed.name:<24} {len(feed.body) / MB:>6.1f}MB "
                f"{_median(results, 'wall_s'):>6.2f}s {_median(results, 'stall_ms'):>5.0f}ms "
                f"{bot:>5.1f}MB {worker:>5.1f}MB {total:>5.1f}MB  {outcome}"
            )
        first = results[0]
        print(
            f"idle: bot {float(str(first['idle_mb'])):.0f} MB, parse worker "
            f"{float(str(first['worker_idle_mb'])):.0f} MB; medians of {runs} runs "
            "(the loose-parser feeds once); peaks exact: "
            f"{'yes' if first['exact_peak'] else 'no (VmHWM not resettable)'}"
        )
    verdict = "ok" if worst <= TARGET_MB else "MISS"
    print(f"hostile_feeds: {worst:.0f} MB (target {TARGET_MB:.0f} MB) {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
