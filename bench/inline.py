"""Benchmark: inline search answers at a store of a week of news.

Measures our own time for one inline answer (``bot.deliver.inline.answer_inline``
with the store lookup the handler uses): resolving the query, the store scan,
grouping by story and formatting up to 20 articles. HTTP to Telegram is not
included. Target: p95 <= 50 ms.

The store holds a week of news, synthesised from the 338 real, tagged items of
``tests/fixtures/stories/items.jsonl`` (29 outlets): every item is replayed
``REPLAYS`` times (15,210 items) with a fresh id (``<id>~<replay>``), a
published time drawn uniformly from the week before ``NOW`` (seeded), and its
own story, except that every third item of a replay joins the story of the
item before it (so grouping by story has work to do). Sections and countries
are the fixture's tags; titles and leads are the real ones.

The queries mix what people type: an empty query, countries common and rare
in the data (Nederland, Oekraïne), sections, keywords that occur and one that
does not (a full scan), a typo ("Bedoel je"), one letter, a word still being
typed (the prefix search), and a second page. Each round times every query
once; p95 and median are over all answers, in wall time on one core.

    python bench/inline.py          # about a minute
    python bench/inline.py --full   # more rounds
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the labelled fixtures' loader lives in tests/

from bot.core.clock import ManualClock  # noqa: E402
from bot.core.model import NewsItem  # noqa: E402
from bot.deliver.inline import answer_inline, store_lookup  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.stories.labelled import load_items  # noqa: E402

TARGET_P95_MS = 50.0
REPLAYS = 45
NOW = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Amsterdam")
SEED = 14
QUERIES: tuple[tuple[str, str], ...] = (
    ("", ""),
    ("nederland", ""),
    ("oekraine", ""),
    ("politiek", ""),
    ("sport", ""),
    ("kabinet", ""),
    ("corona", ""),
    ("zeppelinwerf", ""),  # occurs nowhere: the whole store is scanned
    ("oekrane", ""),  # a typo: "Bedoel je Oekraïne?" plus the keyword search
    ("o", ""),  # one letter: the latest stories
    ("nederla", ""),  # still typing: no whole word matches, the prefix search does
    ("binnenland", "20"),  # the second page
)


def week_of_news() -> list[NewsItem]:
    real = load_items()
    rng = random.Random(SEED)
    week = timedelta(days=7).total_seconds()
    items: list[NewsItem] = []
    for replay in range(REPLAYS):
        previous: NewsItem | None = None
        for index, item in enumerate(real):
            published = NOW - timedelta(seconds=rng.uniform(0, week))
            story = previous.story_id if previous is not None and index % 3 == 2 else None
            copy = replace(
                item,
                id=f"{item.id}~{replay}",
                published=published,
                first_seen=published,
                story=story,
                duplicate_of=None,
            )
            items.append(copy)
            previous = copy
    return items


async def measure(rounds: int) -> list[float]:
    with tempfile.TemporaryDirectory() as directory:
        clock = ManualClock(NOW)
        store = await Store.open(Path(directory) / "data", clock=clock)
        try:
            items = week_of_news()
            for start in range(0, len(items), 2000):
                await store.add_items(items[start : start + 2000])
            print(f"store: {store.item_count()} items, {REPLAYS} replays of the fixture")
            lookup = store_lookup(store)
            timings: list[float] = []
            counts: dict[str, int] = {}
            for _ in range(rounds):
                for query, offset in QUERIES:
                    began = time.perf_counter()
                    page = answer_inline(
                        query, offset, lookup=lookup, now=NOW, tz=TZ, bot_username="nieuwsbot"
                    )
                    timings.append((time.perf_counter() - began) * 1000)
                    counts[f"{query!r}+{offset or 0}"] = len(page.articles)
            print("results per query:", ", ".join(f"{q} {n}" for q, n in counts.items()))
            return timings
        finally:
            await store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--full", action="store_true", help="200 rounds")
    args = parser.parse_args()
    rounds = 200 if args.full else args.rounds
    timings = asyncio.run(measure(rounds))
    ordered = sorted(timings)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"answers: {len(timings)}, median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
    )
    verdict = "ok" if p95 <= TARGET_P95_MS else "MISS"
    print(f"inline: p95 {p95:.1f} ms (target {TARGET_P95_MS:.0f} ms) {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
