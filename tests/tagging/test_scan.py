"""The shared scan (bot/tagging/scan.py) gives each table exactly its own regex's matches."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bot.tagging.countries import alias_keys, country_pattern, light_fold, lower_same_length
from bot.tagging.scan import country_matches, scan, section_matches
from bot.tagging.sections import section_keys, section_pattern

DEVSET = Path(__file__).resolve().parent.parent / "fixtures" / "tagging" / "devset.jsonl"

# Texts where the two tables' keys meet: one table's key inside or around the
# other's, stems with endings, keys that open with an apostrophe, hyphens.
MEETINGS = [
    "De Tweede Kamer stemde over de Amerikaanse sancties tegen Rusland en de begroting.",
    "Oekraïense vluchtelingen in 's-Hertogenbosch krijgen voetballessen.",
    "Minister-president Schoof sprak met de Europese Commissie over de begroting.",
    "Voetbalclub Ajax won van Paris Saint-Germain; de Franse fans waren stil.",
    "x's-Gravenhage en Den Haag, Noord-Holland en Zuid-Holland, Verenigde Staten.",
    "Het kabinet-Schoof en de coalitie: een wetsvoorstel over de economie van China.",
    "",
    "Amerika, amerikaanse, Amerikanen en Latijns-Amerika; de VS en de V.S.",
]


def _same_as_own_regex(text: str) -> None:
    folded = light_fold(text)
    lowered = lower_same_length(folded)
    scanned = scan(folded)
    expected_countries = [m.span() for m in country_pattern().finditer(lowered)]
    expected_sections = [m.span() for m in section_pattern().finditer(lowered)]
    assert [m.span() for m in country_matches(scanned)] == expected_countries
    assert [m.span() for m in section_matches(scanned)] == expected_sections


@pytest.mark.parametrize("text", MEETINGS)
def test_each_table_gets_its_own_matches(text: str) -> None:
    _same_as_own_regex(text)


def test_the_scan_finds_both_tables_in_one_text() -> None:
    folded = light_fold(MEETINGS[0])
    scanned = scan(folded)
    assert [m.group() for m in country_matches(scanned)] == [
        "tweede kamer",
        "amerikaanse",
        "rusland",
    ]
    assert [m.group() for m in section_matches(scanned)] == ["tweede kamer", "begroting"]


def test_every_devset_text_matches_as_with_two_regexes() -> None:
    for line in DEVSET.read_text("utf-8").splitlines():
        item = json.loads(line)
        _same_as_own_regex(str(item["title"]))
        _same_as_own_regex(str(item["text"]))


def test_texts_made_of_keys_match_as_with_two_regexes() -> None:
    # Keys of both tables, cut short or run together, with and without
    # separators: where overlaps between the tables would show.
    words, stems = section_keys()
    keys = sorted(alias_keys() | words | stems)
    rng = random.Random(2026)
    separators = [" ", "-", ", ", "\n", "", "s ", "en "]
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 6)):
            key = rng.choice(keys)
            if rng.random() < 0.3:
                key = key[: rng.randint(1, len(key))]
            parts += [key, rng.choice(separators)]
        _same_as_own_regex("".join(parts))
