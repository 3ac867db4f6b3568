"""/start, /help, /hulp, /onderwerpen and plain text in private chats."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.runtime.services import services
from bot.texts import chat as texts
from handlers import topics
from handlers.guards import sealed_keyboard
from handlers.keyboards import toggle_keyboard
from handlers.replies import reply


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The welcome, with a keyboard of popular follows (✓ on those already followed)."""
    chat = update.effective_chat
    if chat is None:
        return
    store = services(context).store
    record = store.get_chat(chat.id)
    if record is not None and not record.active:
        # A chat that blocked the bot and came back: its follows apply again.
        await store.reactivate(chat.id)
    followed = record.follows if record is not None else ()
    keyboard = sealed_keyboard(context, chat.id, toggle_keyboard(topics.popular(), followed))
    await reply(update, texts.WELCOME, keyboard)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, texts.HELP)


async def list_topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    news = services(context).config.news
    important = (news.important_outlets, news.important_window_minutes)
    await reply(update, texts.topics(topics.section_choices(), important))


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Not a command: point at /help rather than stay silent (private chats only)."""
    await reply(update, texts.PLAIN_TEXT)
