"""Telegram's way of counting text, and clipping text to a limit."""

from __future__ import annotations

import pytest

from bot.core.telegram_text import clip, utf16_len


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("", 0),
        ("Oekraïne", 8),  # one code unit for a letter with a diaeresis
        ("📰 Rubrieken", 12),  # the emoji is outside the BMP: two units
        ("🇳🇱", 4),  # a flag is two regional indicators, two units each
        ("€ 12", 4),
    ],
)
def test_utf16_len_counts_as_telegram_does(text: str, units: int) -> None:
    assert utf16_len(text) == units


@pytest.mark.parametrize(
    ("text", "max_chars", "clipped"),
    [
        ("Oekraïne", 8, "Oekraïne"),
        ("Verenigde Staten", 10, "Verenigde…"),
        # A space before the cut is dropped: "Verenigde…", not "Verenigde …".
        ("Verenigde Staten", 11, "Verenigde…"),
        ("Verenigde Staten", 12, "Verenigde S…"),
        ("abc", 1, "…"),
    ],
)
def test_clip_cuts_plain_text_with_an_ellipsis(text: str, max_chars: int, clipped: str) -> None:
    assert clip(text, max_chars) == clipped
    assert len(clipped) <= max_chars
