"""Commands the bot does not know: say so, and suggest the nearest one it does.

English names people bring from other bots map to their Dutch command
explicitly (``/follow`` -> ``/volg``); other near misses (``/volgen``,
``/help2``) go by similarity of spelling.
"""

from __future__ import annotations

import difflib

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.texts import chat as texts
from handlers.args import ArgError, command_argument
from handlers.replies import message_text, reply

# The commands a suggestion may name: the menu, plus /hulp. /status is for the
# operator's admins only and never suggested.
KNOWN_COMMANDS: tuple[str, ...] = (*(name for name, _ in texts.COMMANDS), "hulp")
HIDDEN_COMMANDS = frozenset({"status"})

ENGLISH_NAMES: dict[str, str] = {
    "follow": "volg",
    "subscribe": "volg",
    "add": "volg",
    "unfollow": "ontvolg",
    "unsubscribe": "ontvolg",
    "remove": "ontvolg",
    "latest": "laatste",
    "news": "laatste",
    "last": "laatste",
    "search": "zoek",
    "find": "zoek",
    "settings": "mijn",
    "list": "mijn",
    "mine": "mijn",
    "subscriptions": "mijn",
    "topics": "onderwerpen",
    "sections": "onderwerpen",
    "quiet": "stil",
    "mute": "stil",
    "silent": "stil",
    "digest": "samenvatting",
    "summary": "samenvatting",
    "preview": "voorbeeld",
    "previews": "voorbeeld",
}

# How alike (difflib's ratio) a typed name must be to a command to suggest it:
# "volgen" -> "volg" is 0.8, "help2" -> "help" 0.89; "foo" matches nothing.
SIMILARITY_CUTOFF = 0.6


def nearest_command(typed: str) -> str | None:
    """The command (without "/") someone who typed ``typed`` most likely meant."""
    name = typed.casefold()
    if not name or name in HIDDEN_COMMANDS:
        return None
    if name in ENGLISH_NAMES:
        return ENGLISH_NAMES[name]
    close = difflib.get_close_matches(name, KNOWN_COMMANDS, n=1, cutoff=SIMILARITY_CUTOFF)
    return close[0] if close else None


def command_name(text: str) -> str:
    """``/follow@nieuwsbot x`` -> ``follow``."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return first.removeprefix("/").partition("@")[0]


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a command no handler took: in private chats, and in groups when addressed to us.

    In a group, a command without ``@ourbot`` may be meant for another bot.
    """
    chat = update.effective_chat
    text = message_text(update)
    if chat is None or not text.startswith("/"):
        return
    first = text.split(maxsplit=1)[0]
    addressee = first.partition("@")[2]
    to_us = addressee.casefold() == context.bot.username.casefold()
    if chat.type != ChatType.PRIVATE and not to_us:
        return
    name = command_name(text)
    try:
        argument = command_argument(text)
    except ArgError:
        argument = ""
    await reply(update, texts.unknown_command(name, nearest_command(name), argument))
