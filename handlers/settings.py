"""/stil, /samenvatting, /voorbeeld, /updates and /stop.

This layer validates and stores the settings; the push engine honours them.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.runtime.services import services
from bot.store.records import UPDATES_OFF, UPDATES_SEPARATE, UPDATES_SILENT, ChatSettings
from bot.texts import chat as texts
from handlers.args import (
    ArgError,
    clean,
    command_argument,
    is_off,
    parse_clock,
    parse_quiet_hours,
    parse_switch,
)
from handlers.callback_data import Confirmation
from handlers.guards import may_change, sealed_keyboard
from handlers.keyboards import confirm_keyboard
from handlers.replies import message_text, reply


async def quiet_hours(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None or not await may_change(update, context):
        return
    try:
        argument = command_argument(message_text(update))
    except ArgError as error:
        await reply(update, str(error))
        return
    await set_quiet_hours(update, context, chat.id, chat.type, argument)


async def set_quiet_hours(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    chat_type: str,
    argument: str,
) -> None:
    """Show or set the quiet hours of ``chat_id``; answer in the update's chat."""
    store = services(context).store
    try:
        if not argument:
            record = store.get_chat(chat_id)
            settings = record.settings if record is not None else None
            current = settings.quiet_hours if settings is not None else None
            await reply(update, texts.quiet_usage(current))
            return
        if is_off(argument):
            start: str | None = None
            end: str | None = None
        else:
            start, end = parse_quiet_hours(argument)
    except ArgError as error:
        await reply(update, str(error))
        return
    before = await _change_settings(context, chat_id, chat_type, quiet_start=start, quiet_end=end)
    await reply(update, texts.quiet_set(start, end) if start and end else texts.QUIET_OFF)
    _release_held(context, chat_id, before)


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None or not await may_change(update, context):
        return
    store = services(context).store
    try:
        argument = command_argument(message_text(update))
        if not argument:
            record = store.get_chat(chat.id)
            await reply(update, texts.digest_usage(record.settings.digest_time if record else None))
            return
        at = None if is_off(argument) else parse_clock(argument)
    except ArgError as error:
        await reply(update, str(error))
        return
    before = await _change_settings(context, chat.id, chat.type, digest_time=at)
    await reply(update, texts.digest_set(at) if at else texts.DIGEST_OFF)
    _release_held(context, chat.id, before)


async def link_previews(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A preview of the article under each push, or none; unset follows push.link_previews."""
    chat = update.effective_chat
    if chat is None or not await may_change(update, context):
        return
    found = services(context)
    try:
        argument = command_argument(message_text(update))
        if not argument:
            record = found.store.get_chat(chat.id)
            choice = record.settings.link_previews if record is not None else None
            shown = found.config.push.link_previews if choice is None else choice
            await reply(update, texts.previews_usage(shown))
            return
        wanted = parse_switch(argument, "voorbeeld")
    except ArgError as error:
        await reply(update, str(error))
        return
    await _change_settings(context, chat.id, chat.type, link_previews=wanted)
    await reply(update, texts.PREVIEWS_ON if wanted else texts.PREVIEWS_OFF)


async def _change_settings(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, chat_type: str, **fields: str | bool | None
) -> ChatSettings | None:
    """Store the new settings; the old ones if they differ, else None."""
    store = services(context).store
    before = (await store.ensure_chat(chat_id, chat_type)).settings
    after = (await store.set_settings(chat_id, **fields)).settings
    return before if after != before else None


def _release_held(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, before: ChatSettings | None
) -> None:
    """What the old settings held back goes out now (or at the new digest time)."""
    delivery = services(context).delivery
    if before is not None and delivery is not None:
        delivery.release_held(chat_id, before)


# The /updates choices: the stored value for each word a chat types.
UPDATES_BY_WORD = {
    texts.UPDATES_WORD_SILENT: UPDATES_SILENT,
    texts.UPDATES_WORD_OFF: UPDATES_OFF,
    texts.UPDATES_WORD_SEPARATE: UPDATES_SEPARATE,
}
UPDATES_WORDS = {stored: word for word, stored in UPDATES_BY_WORD.items()}


def updates_word(stored: str) -> str:
    """The word a chat types for its stored /updates choice (an unknown one reads as stil)."""
    return UPDATES_WORDS.get(stored, texts.UPDATES_WORD_SILENT)


def parse_updates(argument: str) -> str:
    """``stil`` / ``uit`` / ``apart`` -> the stored choice; anything else is an ArgError."""
    word = clean(argument).casefold()
    if word in UPDATES_BY_WORD:
        return UPDATES_BY_WORD[word]
    if is_off(word):
        return UPDATES_OFF
    raise ArgError(texts.updates_invalid(argument))


async def updates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/updates stil|uit|apart: what later reports of a story the chat had become."""
    chat = update.effective_chat
    if chat is None or not await may_change(update, context):
        return
    store = services(context).store
    try:
        argument = command_argument(message_text(update))
        if not argument:
            record = store.get_chat(chat.id)
            current = record.settings.updates if record is not None else UPDATES_SILENT
            await reply(update, texts.updates_usage(updates_word(current)))
            return
        choice = parse_updates(argument)
    except ArgError as error:
        await reply(update, str(error))
        return
    await store.ensure_chat(chat.id, chat.type)
    await store.set_settings(chat.id, updates=choice)
    await reply(update, texts.updates_set(updates_word(choice)))


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask first: the button in :mod:`handlers.callbacks` deletes the chat's data."""
    chat = update.effective_chat
    if chat is None or not await may_change(update, context):
        return
    keyboard = sealed_keyboard(context, chat.id, confirm_keyboard(Confirmation.STOP))
    await reply(update, texts.STOP_CONFIRM, keyboard)
