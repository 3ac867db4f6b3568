"""What the bot says for inline search, the share button and linked channels.

Kept apart from :mod:`bot.texts.chat` so the reach features (issue 14) stay in
their own modules. Inline titles and descriptions are plain text (Telegram shows
them unparsed); message texts are Telegram HTML with every value escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.core.telegram_text import clip

# --- Inline search ------------------------------------------------------------

# An inline result's title and description are plain text; longer ones are cut.
INLINE_TITLE_CHARS = 120
INLINE_DESCRIPTION_CHARS = 200


def inline_did_you_mean(options: Sequence[str]) -> str:
    """The title of the "Bedoel je …" result (plain text)."""
    return clip(f"Bedoel je {_or(options)}?", INLINE_TITLE_CHARS)


def inline_did_you_mean_hint(queries: Sequence[str], bot_username: str) -> str:
    """Its description: what to type instead (plain text)."""
    typed = " of ".join(f"@{bot_username} {query}" for query in queries[:3])
    return clip(f"Typ {typed}", INLINE_DESCRIPTION_CHARS)


def inline_how_to_search(bot_username: str) -> str:
    """The message the "Bedoel je …" result sends: how inline search works (HTML)."""
    name = escape(bot_username)
    return (
        f"🔎 Zoek nieuws in elk gesprek: typ <code>@{name}</code> gevolgd door een land "
        f"(<code>@{name} oekraine</code>), een rubriek (<code>@{name} sport</code>) of een "
        f"woord (<code>@{name} stikstof</code>) en kies een bericht uit de lijst."
    )


def inline_description(source_and_time: str, lead: str) -> str:
    """ "NOS · 13:54" and the lead, as one plain-text description."""
    text = f"{source_and_time}\n{lead}" if lead else source_and_time
    return clip(text, INLINE_DESCRIPTION_CHARS)


def _or(options: Sequence[str]) -> str:
    if len(options) <= 1:
        return "".join(options)
    return f"{', '.join(options[:-1])} of {options[-1]}"


# --- Share button ----------------------------------------------------------------

SHARE_BUTTON = "↗️ Deel"
