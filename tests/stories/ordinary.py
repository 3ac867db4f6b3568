"""The ordinary multi-outlet story set (tests/fixtures/stories/ordinary.jsonl).

Real reports of ordinary Dutch news events from several outlets, 2017-2025
(incidents, verdicts, resignations, results, storms, company figures), with
look-alike non-pairs: the same dossier on the next day, announced vs
happened, reactions, explainers, analyses. The README next to the file has
the labelling rules, the time convention and the provenance.

The items are replayed in publication order the way the ingest pipeline
treats a new item: wire-copy de-duplication first (``assign_duplicates``,
which sets ``duplicate_of``), then the story assigner (``assign_stories``).
The pairs are every two items of one part published within 72 hours of each
other; the figures are those of ``labelled.figures`` (pairwise precision,
cross-outlet recall, also without verbatim copies).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

from bot.core.model import NewsItem
from bot.ingest.decide import STORY_WINDOW as DEDUPE_WINDOW
from bot.ingest.decide import assign_duplicates, assign_stories
from bot.ingest.dedupe import StoryIndex
from bot.stories import StoryAssigner
from tests.stories.labelled import HERE, Figures, Pair, figures, news_item

FILE = "ordinary.jsonl"
# A second fresh batch (part "fresh2"), gathered and labelled by the README's
# rules after the third round's method was final, before anything ran on it.
FRESH2_FILE = "fresh2.jsonl"
# A third (part "fresh3"), gathered the same way after the second was evaluated;
# the method had not changed since.
FRESH3_FILE = "fresh3.jsonl"
# A fourth (part "fresh4"), gathered the same way while the fourth round's
# reaction pieces were built, evaluated once on them.
FRESH4_FILE = "fresh4.jsonl"
# A sixth (part "fresh5"), gathered after the fourth round's method was final
# (reaction pieces), evaluated once on it.
FRESH5_FILE = "fresh5.jsonl"
# A seventh (part "fresh6"), gathered while the fifth round's rules were built
# (same article, headline word, time bar), evaluated once on them.
FRESH6_FILE = "fresh6.jsonl"
# An eighth (part "fresh7"), gathered after the fifth round's method was final,
# evaluated once on it.
FRESH7_FILE = "fresh7.jsonl"
# A ninth (part "fresh8"), gathered the same way after that, evaluated once on
# the same method.
FRESH8_FILE = "fresh8.jsonl"
# A tenth (part "fresh9"), gathered after the sixth round's method was final
# (the time bar stops rising), evaluated once on it. Most of its headlines are
# the words of the article's URL (fresh9.md).
FRESH9_FILE = "fresh9.jsonl"
# An eleventh (part "fresh10"), gathered while the sixth round's last rules
# (compound parts, tributes) were built, evaluated once on them.
FRESH10_FILE = "fresh10.jsonl"
# A twelfth (part "fresh11"), gathered after that and evaluated once on the
# sixth round's final method (reaction words too).
FRESH11_FILE = "fresh11.jsonl"
# A thirteenth (part "fresh12"), gathered in the seventh round and evaluated
# once on the sixth round's final method, unchanged.
FRESH12_FILE = "fresh12.jsonl"
# A fourteenth (part "fresh13"), gathered after that and evaluated once on
# the seventh round's method (grief and sympathy words too).
FRESH13_FILE = "fresh13.jsonl"
# A fifteenth (part "fresh14"), gathered after that and evaluated once on the
# seventh round's final method (mourning and frustration words too).
FRESH14_FILE = "fresh14.jsonl"
# A sixteenth (part "fresh15"), gathered after that and evaluated once on the
# seventh round's final method (photo and video pages too).
FRESH15_FILE = "fresh15.jsonl"
# A seventeenth (part "fresh16"), gathered after that and evaluated once on
# the same method.
FRESH16_FILE = "fresh16.jsonl"
# An eighteenth (part "fresh17"), gathered after that and evaluated once on
# the same method.
FRESH17_FILE = "fresh17.jsonl"
# A nineteenth (part "fresh18"), gathered after that and evaluated once on
# the same method.
FRESH18_FILE = "fresh18.jsonl"
PAIR_SPAN = timedelta(hours=72)
# Kinds that are the report of an event (a live page is judged by its headline).
REPORT_KINDS = frozenset({"news", "live"})


def records() -> list[dict[str, Any]]:
    rows = []
    for name in (
        FILE,
        FRESH2_FILE,
        FRESH3_FILE,
        FRESH4_FILE,
        FRESH5_FILE,
        FRESH6_FILE,
        FRESH7_FILE,
        FRESH8_FILE,
        FRESH9_FILE,
        FRESH10_FILE,
        FRESH11_FILE,
        FRESH12_FILE,
        FRESH13_FILE,
        FRESH14_FILE,
        FRESH15_FILE,
        FRESH16_FILE,
        FRESH17_FILE,
        FRESH18_FILE,
    ):
        with (HERE / name).open(encoding="utf-8") as lines:
            rows.extend(json.loads(line) for line in lines)
    return rows


def load_items(part: str | None = None) -> list[NewsItem]:
    """The items of ``part`` (or all), oldest first (ties by id)."""
    items = [news_item(r) for r in records() if part is None or r["part"] == part]
    return sorted(items, key=lambda item: (item.published, item.id))


def _copy(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two outlets carrying one text: the same headline or the same opening of the lead."""
    title_a, title_b = (str(r["title"]).casefold() for r in (a, b))
    lead_a, lead_b = (str(r["description"]).split(" - ", 1)[-1][:80].casefold() for r in (a, b))
    return title_a == title_b or lead_a == lead_b


def _category(a: dict[str, Any], b: dict[str, Any]) -> str:
    if a["event"] == b["event"]:
        if a["outlet"] == b["outlet"]:
            return "same-outlet"
        return "copy" if _copy(a, b) else "cross-outlet"
    reports = [r["kind"] in REPORT_KINDS for r in (a, b)]
    if all(reports):
        same_day = a["pubDate"][:10] == b["pubDate"][:10]
        return "other-event-same-day" if same_day else "other-event-other-day"
    return "news-vs-feature" if any(reports) else "neither-is-news"


def load_pairs(part: str | None = None) -> list[Pair]:
    """Every two items of one part published within 72 hours of each other."""
    chosen = [r for r in records() if part is None or r["part"] == part]
    times = {r["id"]: datetime.fromisoformat(r["pubDate"]) for r in chosen}
    pairs = []
    for a, b in combinations(sorted(chosen, key=lambda r: r["id"]), 2):
        if a["part"] != b["part"] or abs(times[a["id"]] - times[b["id"]]) > PAIR_SPAN:
            continue
        same = a["event"] == b["event"]
        note = a["event"] if same else f"{a['event']} vs {b['event']}"
        pairs.append(Pair(a["id"], b["id"], same, a["part"], _category(a, b), note))
    return pairs


def replay_pipeline(
    items: list[NewsItem], make: Callable[[], StoryAssigner] = StoryAssigner
) -> dict[str, str]:
    """Item id -> story id: one arrival at a time, de-duplication first, then stories."""
    duplicates = StoryIndex()
    stories = make()
    stored: dict[str, NewsItem] = {}
    story_of: dict[str, str] = {}
    for item in items:
        assignment = assign_duplicates([item], duplicates, stored.get)
        for assigned in assign_stories(assignment.items, stories):
            stored[assigned.id] = assigned
            story_of[assigned.id] = assigned.story_id
        for updated in assignment.updated_stories:
            stored[updated.id] = updated
        duplicates.evict(item.published - DEDUPE_WINDOW)
    return story_of


def evaluate(part: str | None, make: Callable[[], StoryAssigner] = StoryAssigner) -> Figures:
    """Replay ``part`` (or every item) through a fresh pipeline and score its pairs."""
    items = load_items(part)
    stories = replay_pipeline(items, make)
    outlets = {item.id: item.source for item in items}
    return figures(load_pairs(part), stories, outlets)
