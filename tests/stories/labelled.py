"""The labelled story data of tests/fixtures/stories/, and the figures it gives.

Shared by ``test_assign.py`` and ``bench/stories.py``. Items become
``NewsItem``s through the real normaliser and tagger (as a feed entry would),
are replayed through a ``StoryAssigner`` in publication order, and the labelled
pairs are scored against the stories that come out:

* pairwise precision: of the labelled pairs put in one story, the share
  labelled same;
* cross-outlet recall: of the same-story pairs from two outlets, the share put
  in one story (also without the verbatim copies, which wire-copy merging
  would catch anyway).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.model import NewsItem, RawEntry
from bot.ingest.normalise import normalise
from bot.stories import StoryAssigner
from bot.tagging import tag

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "stories"
DEV = "dev"
HELDOUT = "heldout"
HELDOUT_FROM = datetime.fromisoformat("2021-12-15T00:00:00+01:00")
HELDOUT_ORIGINS = ("feeds/nos_nieuwsalgemeen", "feeds/tweakers")
# The two dev folds settings are chosen on: dev items published before this,
# and from it on (the single-outlet feeds of 2025-2026 fall in the second).
DEV_FOLD_SPLIT = datetime.fromisoformat("2021-12-01T00:00:00+01:00")


@dataclass(frozen=True, slots=True)
class Pair:
    a: str
    b: str
    same: bool
    part: str
    category: str
    note: str


@dataclass(frozen=True, slots=True)
class Figures:
    precision: float
    cross_recall: float
    cross_recall_own_text: float
    merged_same: int
    merged_different: int
    cross_same: int
    cross_found: int
    own_text_same: int
    own_text_found: int
    false_by_category: dict[str, int]
    missed_by_category: dict[str, int]

    def line(self) -> str:
        return (
            f"precision {self.precision:.3f} ({self.merged_same}/"
            f"{self.merged_same + self.merged_different}), cross-outlet recall "
            f"{self.cross_recall:.3f} ({self.cross_found}/{self.cross_same}), "
            f"without copies {self.cross_recall_own_text:.3f} "
            f"({self.own_text_found}/{self.own_text_same})"
        )


def _read(name: str) -> list[dict[str, Any]]:
    with (HERE / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def news_item(record: dict[str, Any]) -> NewsItem:
    """A fixture record as the pipeline would build it from a feed entry."""
    published = datetime.fromisoformat(record["pubDate"])
    entry = RawEntry(
        feed=record["outlet"],
        guid=record["id"],
        link=record["link"],
        title=record["title"],
        html=record["description"],
        published=published,
    )
    item = normalise(entry, source=record["outlet"], first_seen=published)
    tags = tag(item.title, item.text, link=item.link, dateline=item.dateline)
    return replace(item, id=record["id"], sections=tags.sections, countries=tags.countries)


def load_items() -> list[NewsItem]:
    """Every fixture item, oldest first (ties by id)."""
    items = [news_item(record) for record in _read("items.jsonl")]
    return sorted(items, key=lambda item: (item.published, item.id))


def load_parts() -> dict[str, str]:
    """Item id -> the part (dev or held-out) it belongs to.

    The rule of ``build_pairs.py``: the held-out part is every item from 15
    December 2021 on, and the NOS feed of 1 October 2026 with Tweakers.
    """
    parts: dict[str, str] = {}
    for record in _read("items.jsonl"):
        heldout = record["origin"].startswith(HELDOUT_ORIGINS) or (
            record["origin"].startswith("articles/")
            and datetime.fromisoformat(record["pubDate"]) >= HELDOUT_FROM
        )
        parts[record["id"]] = HELDOUT if heldout else DEV
    return parts


def load_pairs(part: str | None = None) -> list[Pair]:
    pairs = [Pair(**record) for record in _read("pairs.jsonl")]
    return [pair for pair in pairs if part is None or pair.part == part]


def load_labels() -> dict[str, dict[str, Any]]:
    return {label["id"]: label for label in _read("labels.jsonl")}


def replay(items: Iterable[NewsItem], assigner: StoryAssigner | None = None) -> dict[str, str]:
    """Item id -> story id, assigning ``items`` in the order given."""
    assigner = StoryAssigner() if assigner is None else assigner
    return {item.id: assigner.assign(item) for item in items}


def figures(pairs: Sequence[Pair], stories: dict[str, str], outlets: dict[str, str]) -> Figures:
    """Pairwise precision and cross-outlet recall of ``stories`` on ``pairs``."""
    merged_same = merged_different = 0
    cross_same = cross_found = own_same = own_found = 0
    false_by: Counter[str] = Counter()
    missed_by: Counter[str] = Counter()
    for pair in pairs:
        together = stories[pair.a] == stories[pair.b]
        if together and pair.same:
            merged_same += 1
        elif together:
            merged_different += 1
            false_by[pair.category] += 1
        if pair.same and outlets[pair.a] != outlets[pair.b]:
            cross_same += 1
            cross_found += together
            if pair.category != "copy":
                own_same += 1
                own_found += together
        if pair.same and not together:
            missed_by[pair.category] += 1
    merged = merged_same + merged_different
    return Figures(
        precision=merged_same / merged if merged else 1.0,
        cross_recall=cross_found / cross_same if cross_same else 1.0,
        cross_recall_own_text=own_found / own_same if own_same else 1.0,
        merged_same=merged_same,
        merged_different=merged_different,
        cross_same=cross_same,
        cross_found=cross_found,
        own_text_same=own_same,
        own_text_found=own_found,
        false_by_category=dict(false_by),
        missed_by_category=dict(missed_by),
    )


def evaluate(part: str, assigner: StoryAssigner | None = None) -> Figures:
    """Replay the items ``part`` is evaluated on and score its pairs.

    Dev: the dev items alone. Held-out: every item (the held-out items then
    arrive with the dev items before them in the window, as in production).
    """
    parts = load_parts()
    items = load_items()
    if part == DEV:
        items = [item for item in items if parts[item.id] == DEV]
    stories = replay(items, assigner)
    outlets = {item.id: item.source for item in items}
    return figures(load_pairs(part), stories, outlets)


def evaluate_dev_folds(make: Callable[[], StoryAssigner] = StoryAssigner) -> list[Figures]:
    """The two dev folds, each replayed alone through a fresh assigner and scored on its pairs."""
    parts = load_parts()
    dev = [item for item in load_items() if parts[item.id] == DEV]
    outlets = {item.id: item.source for item in dev}
    pairs = load_pairs(DEV)
    folds = []
    for early in (True, False):
        items = [item for item in dev if (item.published < DEV_FOLD_SPLIT) is early]
        ids = {item.id for item in items}
        stories = replay(items, make())
        folds.append(figures([p for p in pairs if p.a in ids and p.b in ids], stories, outlets))
    return folds
