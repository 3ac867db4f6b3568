"""Ingest speed: parse + normalise + tag of the NOS feed, against bare feedparser.

    /work/venv/bin/python bench/ingest.py          # about a minute; exit 1 on a miss
    /work/venv/bin/python bench/ingest.py --full   # more repeats, every fixture feed

Definition (the strict reading):

    ratio = time(feedparser.parse + our normalise + tag on the result)
            / time(bare feedparser.parse)

on the same bytes in the same run. Our side is ``parse_feed()`` (feedparser.parse
on the bytes plus building RawEntry values and dates) followed by ``normalise()``
and, when ``bot.tagging.tag`` exists, ``tag()`` applied with
``dataclasses.replace`` per entry, exactly as the pipeline does. The bare side
is ``feedparser.parse(body)`` with default options. Target: ratio <= 1.5.

``parse_feed`` calls feedparser with ``sanitize_html=False`` and
``resolve_relative_uris=False`` (bodies only become plain text), which makes its
feedparser call cheaper than the bare one. So the script also prints the ratio
the same normalise + tag work would give on top of a default-options parse:
(bare + (ours - parse_feed)) / bare.

Both sides run interleaved within each repeat, on one CPU core (affinity pinned
where the OS allows); the figures quoted are medians over repeats of the mean
time per feed within a repeat.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser

from bot.core.model import NewsItem, RawEntry
from bot.ingest.normalise import normalise
from bot.ingest.parse import parse_feed

FEEDS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "feeds"
NOS = "nos_nieuwsalgemeen_2026-10-01.xml"
TARGET_RATIO = 1.5
FIRST_SEEN = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

Tagger = Callable[..., Any]


def find_tagger() -> Tagger | None:
    """``bot.tagging.tag`` if another part of the project has provided it yet."""
    try:
        module = importlib.import_module("bot.tagging")
    except ImportError:
        return None
    tag = getattr(module, "tag", None)
    return tag if callable(tag) else None


def ingest(body: bytes, feed: str, tag: Tagger | None) -> list[NewsItem]:
    parsed = parse_feed(body, feed=feed)
    items = []
    for entry in parsed.entries:
        item = normalise(entry, source="NOS", first_seen=FIRST_SEEN)
        if tag is not None:
            item = apply_tags(item, entry, tag)
        items.append(item)
    return items


def apply_tags(item: NewsItem, entry: RawEntry, tag: Tagger) -> NewsItem:
    tags = tag(
        item.title, item.text, link=item.link, categories=entry.categories, dateline=item.dateline
    )
    return dataclasses.replace(item, countries=tuple(tags.countries), sections=tuple(tags.sections))


def mean_seconds(action: Callable[[], object], iterations: int) -> float:
    start = time.perf_counter()
    for _ in range(iterations):
        action()
    return (time.perf_counter() - start) / iterations


@dataclasses.dataclass(frozen=True)
class Result:
    feed: str
    entries: int
    bare: float  # seconds per feed, median over repeats
    parse_only: float
    parse_normalise: float
    ours: float

    @property
    def ratio(self) -> float:
        return self.ours / self.bare


def measure(name: str, tag: Tagger | None, repeats: int, iterations: int) -> Result:
    body = (FEEDS / name).read_bytes()
    entries = len(ingest(body, name, tag))  # warm-up, also checks it runs
    bare: list[float] = []
    parse_only: list[float] = []
    parse_normalise: list[float] = []
    ours: list[float] = []
    for _ in range(repeats):
        gc.collect()
        bare.append(mean_seconds(lambda: feedparser.parse(body), iterations))
        parse_only.append(mean_seconds(lambda: parse_feed(body, feed=name), iterations))
        parse_normalise.append(mean_seconds(lambda: ingest(body, name, None), iterations))
        ours.append(mean_seconds(lambda: ingest(body, name, tag), iterations))
    return Result(
        feed=name,
        entries=entries,
        bare=statistics.median(bare),
        parse_only=statistics.median(parse_only),
        parse_normalise=statistics.median(parse_normalise),
        ours=statistics.median(ours),
    )


def pin_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU {core}"


def report(result: Result, what: str) -> None:
    ms = 1000.0
    normalise_tag = result.ours - result.parse_only
    on_default_parse = (result.bare + normalise_tag) / result.bare
    print(
        f"{result.feed}: {result.entries} entries\n"
        f"  bare feedparser.parse {result.bare * ms:.2f} ms"
        f" | parse_feed {result.parse_only * ms:.2f} ms"
        f" | {what} {result.ours * ms:.2f} ms"
        f" (normalise+tag {normalise_tag * ms:.2f} ms ="
        f" normalise {(result.parse_normalise - result.parse_only) * ms:.2f}"
        f" + tag {(result.ours - result.parse_normalise) * ms:.2f};"
        f" {normalise_tag / max(result.entries, 1) * ms:.3f} ms/item)\n"
        f"  ratio {result.ratio:.2f}x, overhead {100 * (result.ratio - 1):+.0f}%"
        f" | on a default-options parse: {on_default_parse:.2f}x"
        f" | {result.entries / result.ours:.0f} items/s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="more repeats, every fixture feed")
    args = parser.parse_args(argv)
    repeats, iterations = (31, 40) if args.full else (15, 30)
    tag = find_tagger()
    print(f"python {sys.version.split()[0]}, feedparser {feedparser.__version__}, {pin_one_core()}")
    print(
        "tagging: bot.tagging.tag included"
        if tag
        else "tagging: bot.tagging.tag not available yet -> measuring parse + normalise only"
    )
    print(f"{repeats} repeats x {iterations} iterations per side, medians of repeats")
    names = sorted(path.name for path in FEEDS.glob("*.xml")) if args.full else [NOS]
    results = {name: measure(name, tag, repeats, iterations) for name in names}
    what = "parse+normalise+tag" if tag else "parse+normalise (no tagger yet)"
    for result in results.values():
        report(result, what)
    nos = results[NOS]
    verdict = "ok" if nos.ratio <= TARGET_RATIO else "MISS"
    print(f"NOS {what}: {nos.entries / nos.ours:.0f} items/s on one core")
    print(f"ingest: {nos.ratio:.2f}x feedparser (target <= {TARGET_RATIO}x feedparser) {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
