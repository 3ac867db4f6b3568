"""What users type after /volg: countries, sections, keywords, near misses."""

from __future__ import annotations

import pytest

from bot.core.model import FollowKey, FollowKind
from bot.tagging.resolve import (
    Ambiguous,
    Rejected,
    RejectReason,
    Resolved,
    Suggestions,
    edit_distance,
    resolve,
)

UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
US = FollowKey(FollowKind.COUNTRY, "US", "Verenigde Staten")


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("oekraine", UA),
        ("Oekraïne", UA),
        ("oekraïense", UA),
        ("Oekraïners", UA),
        ("kyiv", UA),
        ("Kiev", UA),
        ("vs", US),
        ("VS", US),
        ("amerika", US),
        ("Verenigde Staten", US),
        ("  verenigde   staten ", US),
        ("saudi-arabie", FollowKey(FollowKind.COUNTRY, "SA", "Saudi-Arabië")),
        ("Saoedi-Arabië", FollowKey(FollowKind.COUNTRY, "SA", "Saudi-Arabië")),
        ("wit-rusland", FollowKey(FollowKind.COUNTRY, "BY", "Belarus")),
        ("engeland", FollowKey(FollowKind.COUNTRY, "GB", "Verenigd Koninkrijk")),
        ("nederland", FollowKey(FollowKind.COUNTRY, "NL", "Nederland")),
        ("buitenland", FollowKey(FollowKind.SECTION, "buitenland", "Buitenland")),
        ("Sport", FollowKey(FollowKind.SECTION, "sport", "Sport")),
        ("geld", FollowKey(FollowKind.SECTION, "economie", "Economie")),
        ("Poetin", FollowKey(FollowKind.KEYWORD, "poetin", "Poetin")),
        ('"Poetin"', FollowKey(FollowKind.KEYWORD, "poetin", "Poetin")),
        ("“Oekraïne”", FollowKey(FollowKind.KEYWORD, "oekraine", "Oekraïne")),
        (
            "'Verenigde Staten'",
            FollowKey(FollowKind.KEYWORD, "verenigde staten", "Verenigde Staten"),
        ),
        ("amsterdam", FollowKey(FollowKind.KEYWORD, "amsterdam", "amsterdam")),
        ("klimaat top", FollowKey(FollowKind.KEYWORD, "klimaat top", "klimaat top")),
        ("mail", FollowKey(FollowKind.KEYWORD, "mail", "mail")),
        ("C++", FollowKey(FollowKind.KEYWORD, "c++", "C++")),
    ],
)
def test_resolves_to_one_key(term: str, expected: FollowKey) -> None:
    result = resolve(term)
    assert isinstance(result, Resolved)
    assert result.key == expected
    assert result.key.label == expected.label


@pytest.mark.parametrize(
    ("term", "best"),
    [
        ("oekrane", UA),
        ("Oekrajine", UA),
        ("buitnland", FollowKey(FollowKind.SECTION, "buitenland", "Buitenland")),
        ("frankrjik", FollowKey(FollowKind.COUNTRY, "FR", "Frankrijk")),
        ("politie", FollowKey(FollowKind.SECTION, "politiek", "Politiek")),
    ],
)
def test_near_miss_gives_suggestions_not_a_follow(term: str, best: FollowKey) -> None:
    result = resolve(term)
    assert isinstance(result, Suggestions)
    assert result.options[0] == best
    assert 2 <= len(result.options) <= 5
    # The word itself stays on offer: "politie" may well be meant.
    assert result.options[-1].kind is FollowKind.KEYWORD


@pytest.mark.parametrize(
    ("term", "codes"),
    [("georgia", {"GE"}), ("Congo", {"CD", "CG"}), ("korea", {"KR", "KP"})],
)
def test_ambiguous_word_asks(term: str, codes: set[str]) -> None:
    result = resolve(term)
    assert isinstance(result, Ambiguous)
    assert {key.value for key in result.options if key.kind is FollowKind.COUNTRY} == codes
    assert result.question.startswith("Wat bedoel je met")


def test_georgia_offers_country_and_keyword() -> None:
    result = resolve("georgia")
    assert isinstance(result, Ambiguous)
    assert [str(key) for key in result.options] == ["country:GE", "keyword:georgia"]
    assert result.options[0].label == "Georgië"


@pytest.mark.parametrize(
    ("term", "reason"),
    [
        ("", RejectReason.EMPTY),
        ("   ", RejectReason.EMPTY),
        ('""', RejectReason.EMPTY),
        ("x", RejectReason.TOO_SHORT),
        ("a" * 41, RejectReason.TOO_LONG),
        ("!!!", RejectReason.NO_LETTERS),
        ("de", RejectReason.STOP_WORD),
        ("Het", RejectReason.STOP_WORD),
        ('"de en het"', RejectReason.STOP_WORD),
    ],
)
def test_rejected(term: str, reason: RejectReason) -> None:
    result = resolve(term)
    assert isinstance(result, Rejected)
    assert result.reason is reason


@pytest.mark.parametrize(
    ("left", "right", "distance"),
    [("oekrane", "oekraine", 1), ("mial", "mail", 1), ("abc", "abc", 0), ("abcd", "wxyz", 3)],
)
def test_edit_distance(left: str, right: str, distance: int) -> None:
    assert edit_distance(left, right, limit=2) == distance
