"""The one error handler: log with context, apologise in Dutch, never crash."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.texts import chat as texts

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.info("Update %s: the chat blocked the bot", _update_id(update))
        return
    log.error("Update %s failed", _update_id(update), exc_info=error)
    if isinstance(update, Update) and update.callback_query is not None:
        # Stop the button's spinner even when its handler failed.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    if isinstance(update, Update) and update.effective_message and update.effective_chat:
        try:
            await update.effective_message.reply_text(texts.GENERIC_ERROR)
        except TelegramError:
            log.warning("Could not send the error apology to chat %s", update.effective_chat.id)


def _update_id(update: object) -> str:
    return str(update.update_id) if isinstance(update, Update) else "(no update)"
