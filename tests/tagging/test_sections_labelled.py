"""Section quality on the hand-labelled general-feed items (tests/fixtures/sections/).

Items are tagged from their text alone, as a general feed delivers them: no
link (its path often names the outlet's own section), no categories. The
project's target is precision and recall of at least 0.95 for buitenland and
binnenland on the held-out part (bench/sections.py reports it); this test fails
when either part drops below the target minus a small margin.
"""

from __future__ import annotations

import json

import pytest

from bot.ingest.dateline import split_dateline
from bot.tagging import SECTIONS, tag
from tests.paths import FIXTURES

LABELLED = FIXTURES / "sections" / "sections.jsonl"
TARGET = 0.95
MARGIN = 0.03
CLASSES = ("buitenland", "binnenland")


def _items() -> list[dict[str, object]]:
    return [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line]


def _predict(item: dict[str, object]) -> set[str]:
    dateline, text = split_dateline(str(item["text"]))
    return set(
        tag(str(item["title"]), text, feed_sections=("algemeen",), dateline=dateline).sections
    )


def test_labelled_set_is_big_enough_and_well_formed() -> None:
    items = _items()
    assert len(items) >= 150
    assert len({item["id"] for item in items}) == len(items)
    slugs = {entry.slug for entry in SECTIONS}
    for item in items:
        sections = item["sections"]
        assert isinstance(sections, list)
        assert set(sections) <= slugs, item["id"]
        # One place per item: home, abroad, or (sport) neither.
        assert not {"binnenland", "buitenland"} <= set(sections), item["id"]
        assert item["part"] in ("dev", "heldout")
    for part in ("dev", "heldout"):
        in_part = [item for item in items if item["part"] == part]
        assert sum("buitenland" in item["sections"] for item in in_part) >= 10  # type: ignore[operator]


@pytest.mark.parametrize("part", ["dev", "heldout"])
@pytest.mark.parametrize("slug", CLASSES)
def test_precision_and_recall_from_text_alone(part: str, slug: str) -> None:
    true_pos = gold = predicted = 0
    errors = []
    for item in _items():
        if item["part"] != part:
            continue
        expected = slug in item["sections"]  # type: ignore[operator]
        got = slug in _predict(item)
        true_pos += expected and got
        gold += expected
        predicted += got
        if expected != got:
            errors.append(f"{item['id']}: {'missed' if expected else 'wrongly'}")
    precision = true_pos / predicted
    recall = true_pos / gold
    report = f"{slug} {part}: P {precision:.3f} R {recall:.3f}; " + "; ".join(errors)
    assert precision >= TARGET - MARGIN, report
    assert recall >= TARGET - MARGIN, report
