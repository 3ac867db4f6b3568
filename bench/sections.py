"""Section quality: buitenland/binnenland precision and recall from text alone.

Runs ``bot.tagging.tag`` over the hand-labelled general-feed items of
``tests/fixtures/sections/sections.jsonl`` as a general feed would deliver them
(``feed_sections=("algemeen",)``, no link: the URL path often names the
outlet's own section and would give the answer away, no categories). The wire
dateline stays: it is part of the text. Prints precision and recall per class
for the dev part (tuned on), the held-out parts (``heldout``: the shared data;
``heldout2``: web pages of other outlets and years; ``heldout3``: a second batch
of web pages gathered after the tuning; ``heldout4``: a third batch, weighted to
hard cases, labelled before the tagger ran on it; ``heldout5``: a fourth, a
representative sample of general-feed lists, labelled before the tagger ran
on it; ``heldout6`` … ``heldout23``: eighteen more of the same kind, each
gathered after the rules of its time; docs/tagging.md says which figure of
each is clean), all held-out parts together, and all,
and ends with one verdict line on all held-out parts together; exit 1 on a miss.

    python bench/sections.py            # figures (a few seconds)
    python bench/sections.py --errors   # also list every misfiled item
    python bench/sections.py --full     # the same run: the labelled set is the record size
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.dateline import split_dateline
from bot.tagging import tag

LABELLED = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sections" / "sections.jsonl"
)
CLASSES = ("buitenland", "binnenland")
TARGET = 0.95
HELD_OUT = tuple(f"heldout{n}" for n in ("", *range(2, 24)))
PARTS = ("dev", *HELD_OUT, "held-out", "all")


@dataclass(frozen=True, slots=True)
class Scored:
    id: str
    part: str
    title: str
    gold: frozenset[str]
    got: frozenset[str]


def load() -> list[dict[str, object]]:
    return [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line]


def predict(item: dict[str, object]) -> frozenset[str]:
    """Sections of ``item`` from its title and text only, as a general feed item."""
    dateline, text = split_dateline(str(item["text"]))
    tags = tag(str(item["title"]), text, feed_sections=("algemeen",), dateline=dateline)
    return frozenset(tags.sections)


def score(items: list[dict[str, object]]) -> list[Scored]:
    return [
        Scored(
            id=str(item["id"]),
            part=str(item["part"]),
            title=str(item["title"]) or str(item["text"])[:80],
            gold=frozenset(item["sections"]),  # type: ignore[arg-type]
            got=predict(item),
        )
        for item in items
    ]


def precision_recall(scored: list[Scored], slug: str) -> tuple[float, float, int, int]:
    """Precision, recall, gold count and predicted count of one class."""
    true_pos = sum(1 for row in scored if slug in row.gold and slug in row.got)
    gold = sum(1 for row in scored if slug in row.gold)
    predicted = sum(1 for row in scored if slug in row.got)
    precision = true_pos / predicted if predicted else 1.0
    recall = true_pos / gold if gold else 1.0
    return precision, recall, gold, predicted


def in_part(scored: list[Scored], part: str) -> list[Scored]:
    if part == "all":
        return scored
    if part == "held-out":
        return [row for row in scored if row.part in HELD_OUT]
    return [row for row in scored if row.part == part]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list misfiled items")
    parser.add_argument("--full", action="store_true", help="same run (kept for uniformity)")
    parser.add_argument(
        "--part", choices=PARTS, default=None, help="list errors of this part only (with --errors)"
    )
    args = parser.parse_args()
    scored = score(load())
    print(f"items: {len(scored)} labelled general-feed items (tests/fixtures/sections)")
    for part in PARTS:
        rows = in_part(scored, part)
        figures = []
        for slug in CLASSES:
            precision, recall, gold, predicted = precision_recall(rows, slug)
            figures.append(
                f"{slug} P {precision:.3f} R {recall:.3f} (gold {gold}, got {predicted})"
            )
        print(f"{part:>8} ({len(rows)} items): " + "; ".join(figures))
    if args.errors:
        for row in in_part(scored, args.part or "all"):
            wrong = [slug for slug in CLASSES if (slug in row.gold) != (slug in row.got)]
            if wrong:
                print(
                    f"  {row.part} {row.id[-28:]}: gold {sorted(row.gold)} got {sorted(row.got)}"
                    f" | {row.title[:70]}"
                )
    heldout = in_part(scored, "held-out")
    results = {slug: precision_recall(heldout, slug) for slug in CLASSES}
    ok = all(
        precision >= TARGET and recall >= TARGET for precision, recall, _, _ in results.values()
    )
    figures = " ".join(
        f"{slug} P/R {precision:.3f}/{recall:.3f}"
        for slug, (precision, recall, _, _) in results.items()
    )
    print(f"sections: {figures} (target {TARGET}, held-out parts) {'ok' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
