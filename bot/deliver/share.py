"""The "Deel" button under a push: inline search for the story's topic.

``switch_inline_query`` opens the chat picker with ``@bot <topic>`` typed in,
so a reader can pass a story on without copying links. The topic is the follow
that brought the story (``oekraine``), else the first words of its title.
The engine adds the button with one call (:func:`share_markup`), reading the
outbox entries it is about to send.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.model import NewsItem
from bot.deliver.inline import search_word
from bot.deliver.plan import PUSH, key_from_json
from bot.store.records import OutboxEntry
from bot.texts import reach as texts

# Telegram caps the inline query text a button may prefill at 256 characters.
MAX_SHARE_QUERY_CHARS = 256
TITLE_WORDS = 4


def share_query(entries: Sequence[OutboxEntry], get_item: Callable[[str], NewsItem | None]) -> str:
    """The inline query for a push of ``entries``; "" when there is nothing to share."""
    if not entries or any(entry.kind != PUSH for entry in entries):
        return ""
    listed = [pair for entry in entries for pair in entry.payload.get("stories", [])]
    vias = [tuple(raw) for _, raw_via in listed for raw in raw_via[:1]]
    if vias and len(set(vias)) == 1:
        return search_word(key_from_json(vias[0]))[:MAX_SHARE_QUERY_CHARS]
    if len(listed) == 1:
        item = get_item(listed[0][0])
        if item is not None:
            return " ".join(item.title.split()[:TITLE_WORDS])[:MAX_SHARE_QUERY_CHARS]
    return ""


def share_markup(
    entries: Sequence[OutboxEntry], get_item: Callable[[str], NewsItem | None]
) -> InlineKeyboardMarkup | None:
    """The keyboard with the one "Deel" button, or None (digests, away lines)."""
    query = share_query(entries, get_item)
    if not query:
        return None
    button = InlineKeyboardButton(texts.SHARE_BUTTON, switch_inline_query=query)
    return InlineKeyboardMarkup([[button]])
