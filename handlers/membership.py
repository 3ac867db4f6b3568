"""Chats that change under the bot: a group upgraded to a supergroup, a chat coming back."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.runtime.services import services

log = logging.getLogger(__name__)


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Telegram announces an upgrade in both chats; move the group's data to the new id.

    Without this the members would talk from the new id with no follows, while
    pushes kept going to the old one until a send failed with ChatMigrated.
    """
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    if await services(context).store.migrate_chat(old, new) is not None:
        log.info("Chat %s was upgraded to %s; its follows moved along", old, new)


async def reactivate_if_back(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message or button press from a deactivated chat proves we can reach it again."""
    chat = update.effective_chat
    if chat is None or (update.message is None and update.callback_query is None):
        return
    store = services(context).store
    record = store.get_chat(chat.id)
    if record is not None and not record.active:
        await store.reactivate(chat.id)
        log.info("Chat %s is back; pushes resume", chat.id)
