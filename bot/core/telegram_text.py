"""How Telegram measures text, and cutting text to its limits; pure, no telegram import.

Telegram counts a message's length (and entity offsets) in UTF-16 code units,
where an emoji outside the Basic Multilingual Plane counts two, and refuses a
message over 4096 of them after entity parsing. Callback data is capped at 64
bytes of UTF-8. The bot, the fake Bot API and the tests all use these.
"""

from __future__ import annotations

import html

from bot.core.text import ELLIPSIS

TELEGRAM_MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT_BYTES = 64


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (emoji outside the BMP count 2)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, max_chars: int) -> str:
    """Plain ``text`` cut to ``max_chars`` characters, the last one "…" when cut.

    For labels in buttons, pop-ups, tables and admin lines, where a cut word is
    fine; spaces before the "…" are dropped.
    """
    if len(text) <= max_chars:
        return text
    return text[: max(max_chars - 1, 0)].rstrip() + ELLIPSIS


def clip_html(text: str, max_units: int) -> str:
    """``text`` escaped, cut (at a word if one is near) so the result is <= ``max_units``.

    Units are UTF-16 code units of the escaped text, which is never shorter than
    what Telegram counts after parsing, so the clipped text always fits.
    """
    escaped = html.escape(text, quote=False)
    if utf16_len(escaped) <= max_units:
        return escaped
    if max_units < 1:
        return ""
    # Longest prefix whose escaped form plus an ellipsis fits: binary search.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if utf16_len(html.escape(text[:middle], quote=False)) + 1 <= max_units:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space >= low * 0.8:
        cut = cut[:space]
    return html.escape(cut.rstrip(" ,;:-–"), quote=False) + ELLIPSIS
