"""Every country follow the bot confirms is one the tagger can produce.

``/volg jersey`` once answered "Je volgt nu: Jersey (land)" while the tagger
treated "Jersey" as never a country, so nothing could ever match. These tests
walk the whole country table: each word ``resolve`` maps to a country (name,
slug, variants, adjectives, inhabitants) and each display name the confirmation
shows must come out of ``tag`` for a plain Dutch sentence naming it.
"""

from __future__ import annotations

import pytest

from bot.core.model import FollowKind
from bot.tagging import countries, country, tag
from bot.tagging.resolve import Ambiguous, Resolved, resolve

# A plain sentence per kind of word, as Dutch news writes it.
NAME_SENTENCE = "Het nieuws van vandaag gaat over {}."
ADJECTIVE_E_SENTENCE = "De {} regering neemt nieuwe maatregelen."
ADJECTIVE_SENTENCE = "Een {} bedrijf neemt de fabriek over."
INHABITANT_SENTENCE = "{} protesteren in de hoofdstad."


def _capitalised(word: str) -> str:
    # Slugs are lower case ("polen", "chili"); in a sentence a name is written
    # with a capital, and the tagger may rightly ignore "polen" (poles).
    return word[:1].upper() + word[1:]


def _confirmed_words() -> list[tuple[str, str, str]]:
    """(sentence, word, code) for every word resolve() confirms as a country."""
    rows = []
    for entry in countries():
        kinds = [(NAME_SENTENCE, word) for word in (entry.name, entry.slug, *entry.variants)]
        kinds += [
            (ADJECTIVE_E_SENTENCE if word.endswith("e") else ADJECTIVE_SENTENCE, word)
            for word in entry.adjectives
        ]
        kinds += [(INHABITANT_SENTENCE, word) for word in entry.inhabitants]
        for template, word in kinds:
            result = resolve(word)
            if isinstance(result, Resolved) and result.key.kind is FollowKind.COUNTRY:
                rows.append((template.format(_capitalised(word)), word, result.key.value))
    return rows


CONFIRMED = _confirmed_words()


def test_the_table_is_walked_whole() -> None:
    assert len(CONFIRMED) > 1200
    assert {code for _, _, code in CONFIRMED} >= {"UA", "US", "JE", "CD", "NL"}


@pytest.mark.parametrize(
    ("sentence", "word", "code"), CONFIRMED, ids=[f"{code}-{word}" for _, word, code in CONFIRMED]
)
def test_every_confirmed_word_is_tagged(sentence: str, word: str, code: str) -> None:
    assert code in tag("", sentence).countries, f"/volg {word} confirms {code}"


@pytest.mark.parametrize("code", [entry.code for entry in countries()])
def test_every_confirmed_country_name_is_tagged(code: str) -> None:
    # Buttons (ambiguous words, near misses) confirm a country by its display
    # name: "Je volgt nu: Congo (land)" must match news that says "Congo".
    name = country(code).name
    assert code in tag("", NAME_SENTENCE.format(name)).countries


def test_jersey_is_followable_and_flagged_rare() -> None:
    result = resolve("jersey")
    assert isinstance(result, Resolved)
    assert result.key.value == "JE"
    assert result.rare
    assert tag("", "Het Kanaaleiland Jersey krijgt een nieuwe stroomkabel.").countries == ("JE",)


@pytest.mark.parametrize("term", ["oekraine", "vs", "nederland", "congo-brazzaville", "Sudan"])
def test_news_rich_countries_are_not_rare(term: str) -> None:
    result = resolve(term)
    assert isinstance(result, Resolved)
    assert not result.rare


def test_rare_flag_marks_exactly_the_minor_territories() -> None:
    for entry in countries():
        result = resolve(entry.name)
        if isinstance(result, Ambiguous):
            continue
        assert isinstance(result, Resolved), entry.name
        assert result.rare == country(result.key.value).minor, entry.name


def test_sections_and_keywords_are_never_rare() -> None:
    for term in ("buitenland", "sport", "stikstof", '"Mark Rutte"'):
        result = resolve(term)
        assert isinstance(result, Resolved)
        assert not result.rare
