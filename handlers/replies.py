"""Sending and editing replies: HTML parse mode, length cap, no link previews.

Every handler answers through these helpers so the hygiene rules (valid HTML,
at most 4096 characters, previews off) are enforced in one place.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.telegram_text import TELEGRAM_MESSAGE_LIMIT, utf16_len

log = logging.getLogger(__name__)

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_CUT_MARK = "…"


def fit_lines(text: str, limit: int = TELEGRAM_MESSAGE_LIMIT) -> str:
    """Drop whole lines from the end until ``text`` fits, marking the cut with "…".

    Our texts open and close their tags on one line, so dropping lines keeps
    the HTML valid where cutting mid-line would not.
    """
    if utf16_len(text) <= limit:
        return text
    lines = text.split("\n")
    while lines and utf16_len("\n".join(lines)) + 1 + len(_CUT_MARK) > limit:
        lines.pop()
    return "\n".join([*lines, _CUT_MARK])


def message_text(update: Update) -> str:
    """The text of the update's message ("" for none, e.g. a photo)."""
    message = update.effective_message
    return (message.text or "") if message is not None else ""


async def reply(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer the update's message in its chat (HTML, no previews)."""
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(
        fit_lines(text),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        link_preview_options=_NO_PREVIEW,
    )


async def edit(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Replace the text (and keyboard) of one of our messages."""
    try:
        await message.edit_text(
            fit_lines(text),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            link_preview_options=_NO_PREVIEW,
        )
    except BadRequest as error:
        # Two quick presses can ask for the same state twice; that is fine.
        if "not modified" not in str(error).lower():
            raise


async def edit_keyboard(message: Message, keyboard: InlineKeyboardMarkup | None) -> None:
    """Redraw only the keyboard of one of our messages."""
    try:
        await message.edit_reply_markup(reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
