"""Country tagging quality on the hand-labelled development set.

The labels (tests/fixtures/tagging/devset.jsonl) follow LABELLING.md and were
written before the tagger; item-level micro precision and recall over
(item, country) pairs must meet the project's targets.
"""

from __future__ import annotations

import json

import pytest

from bot.ingest.dateline import split_dateline
from bot.tagging import tag
from tests.paths import FIXTURES

DEVSET = FIXTURES / "tagging" / "devset.jsonl"
PRECISION_TARGET = 0.97
RECALL_TARGET = 0.93


def _items() -> list[dict[str, object]]:
    return [json.loads(line) for line in DEVSET.read_text("utf-8").splitlines() if line]


def _predict(item: dict[str, object]) -> set[str]:
    dateline, text = split_dateline(str(item["text"]))
    link = item["link"]
    tags = tag(
        str(item["title"]), text, link=link if isinstance(link, str) else None, dateline=dateline
    )
    return set(tags.countries)


def test_devset_covers_all_shared_sources() -> None:
    sources = {str(item["source"]).split("/")[0] for item in _items()}
    assert sources == {"feeds", "articles"}
    assert len(_items()) >= 80


def test_country_precision_and_recall_meet_targets() -> None:
    true_pos = false_pos = false_neg = 0
    errors = []
    for item in _items():
        gold = set(item["gold"])  # type: ignore[call-overload]
        got = _predict(item)
        true_pos += len(got & gold)
        false_pos += len(got - gold)
        false_neg += len(gold - got)
        if got != gold:
            errors.append(f"{item['id']}: +{sorted(got - gold)} -{sorted(gold - got)}")
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    report = f"precision {precision:.3f} recall {recall:.3f}; " + "; ".join(errors)
    assert precision >= PRECISION_TARGET, report
    assert recall >= RECALL_TARGET, report


@pytest.mark.parametrize("item", _items(), ids=lambda item: str(item["id"])[-16:])
def test_no_item_gets_a_country_it_does_not_mention(item: dict[str, object]) -> None:
    # Precision matters most: a follower must not get items about other countries.
    assert _predict(item) <= set(item["gold"])  # type: ignore[call-overload]
