"""Where a digest's first story ends (bot/tagging/digest.py)."""

from __future__ import annotations

import pytest

from bot.tagging.digest import first_story_ends, is_digest

CASES = [
    # (title, text, title's first story, text's first story)
    (
        "Wekdienst 1/10: • Tweede dag begrotingsdebat • Nederlands elftal speelt",
        "Goedemorgen! Het is de tweede dag van de Beschouwingen. En Oranje speelt.",
        "Wekdienst 1/10: • Tweede dag begrotingsdebat ",
        "Goedemorgen! Het is de tweede dag van de Beschouwingen.",
    ),
    (
        "Wekdienst 15/5: Formatie-deadline • Palestijnen herdenken de Nakba",
        "Goedemorgen! Er lijkt een doorbraak te zijn. Ook herdenken Palestijnen de Nakba.",
        "Wekdienst 15/5: Formatie-deadline ",
        "Goedemorgen! Er lijkt een doorbraak te zijn.",
    ),
    (
        "",
        "Goedemorgen! In de twaalf provincies worden Statenleden geïnstalleerd. En Duitsland ...",
        "",
        "Goedemorgen! In de twaalf provincies worden Statenleden geïnstalleerd.",
    ),
]


@pytest.mark.parametrize(("title", "text", "title_first", "text_first"), CASES)
def test_first_story_ends(title: str, text: str, title_first: str, text_first: str) -> None:
    assert is_digest(title, text)
    title_end, text_end = first_story_ends(title, text)
    assert (title[:title_end] if title_end >= 0 else title) == title_first
    assert text[:text_end] == text_first


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Kabinet valt over stikstof", "Het kabinet is gevallen. Goedemorgen zei niemand."),
        ("Wekker om zeven uur", "De wekdienst van de NS begint vandaag."),
    ],
)
def test_other_items_are_not_digests(title: str, text: str) -> None:
    assert not is_digest(title, text)
