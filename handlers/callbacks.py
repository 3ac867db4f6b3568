"""Inline button presses: follow toggles, suggestions, unfollows, confirmations.

A press is acted on only if its token is valid for this chat and young enough,
its data is a button of the message it was pressed on, and its payload decodes
to a key that typed input would also give (:func:`topics.labelled`). Anything
else (an old keyboard, a forged client, a button copied from another chat) gets
a short toast and changes nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.core.model import FollowKey
from bot.runtime.services import Services, services
from bot.store import MAX_FOLLOWS, FollowLimitError
from bot.texts import chat as texts
from handlers import topics
from handlers.button_tokens import carries, payload_of
from handlers.callback_data import (
    Confirmation,
    ConfirmPress,
    FollowAction,
    FollowPress,
    UnfollowDigestPress,
    decode,
    key_digest,
)
from handlers.guards import may_change, opened_press, sealed_keyboard
from handlers.keyboards import toggle_keyboard, unfollow_keyboard
from handlers.replies import edit, edit_keyboard

log = logging.getLogger(__name__)

# How long a button works: a confirmation (stop, unfollow all) answers the
# question just asked; a follow keyboard may be used again the next day.
CONFIRM_LIFETIME = timedelta(hours=1)
BUTTON_LIFETIME = timedelta(hours=48)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    message = query.message
    opened = opened_press(context, chat.id, query.data)
    press = decode(opened.payload) if opened is not None else None
    if (
        opened is None
        or press is None
        or not isinstance(message, Message)
        or not carries(message, query.data or "")
        or opened.age_s > _lifetime(press).total_seconds()
    ):
        log.info("Refused a forged, foreign or expired button press in chat %s", chat.id)
        await query.answer(texts.BUTTON_EXPIRED)
        return
    if not await may_change(update, context):
        return
    svc = services(context)
    if isinstance(press, ConfirmPress):
        await _confirm(svc, query, message, chat, press)
        return
    key = _pressed_key(svc, chat, press)
    if key is None:
        await query.answer(texts.BUTTON_EXPIRED)
        return
    if isinstance(press, UnfollowDigestPress) or press.action is FollowAction.UNFOLLOW:
        await _unfollow(context, svc, query, message, chat, key)
    elif press.action is FollowAction.TOGGLE:
        await _toggle(context, svc, query, message, chat, key)
    else:
        await _follow(svc, query, message, chat, key)


def _lifetime(press: ConfirmPress | FollowPress | UnfollowDigestPress) -> timedelta:
    return CONFIRM_LIFETIME if isinstance(press, ConfirmPress) else BUTTON_LIFETIME


def _pressed_key(
    svc: Services, chat: Chat, press: FollowPress | UnfollowDigestPress
) -> FollowKey | None:
    """The labelled key a press is about, or None if it names nothing real."""
    if isinstance(press, UnfollowDigestPress):
        record = svc.store.get_chat(chat.id)
        follows = record.follows if record is not None else ()
        return next((key for key in follows if key_digest(key) == press.digest), None)
    return topics.labelled(press.key)


async def _toggle(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    query: CallbackQuery,
    message: Message,
    chat: Chat,
    key: FollowKey,
) -> None:
    record = await svc.store.ensure_chat(chat.id, chat.type)
    if key in record.follows:
        await svc.store.remove_follows(chat.id, [key])
        toast = texts.toggled_off(key)
    else:
        try:
            await svc.store.add_follows(chat.id, [key])
        except FollowLimitError:
            await query.answer(texts.follow_limit_short(MAX_FOLLOWS), show_alert=True)
            return
        toast = texts.toggled_on(key)
    await query.answer(toast)
    redrawn = _redrawn_toggles(svc, chat, message.reply_markup)
    await edit_keyboard(message, sealed_keyboard(context, chat.id, redrawn))


def _redrawn_toggles(
    svc: Services, chat: Chat, markup: InlineKeyboardMarkup | None
) -> InlineKeyboardMarkup:
    """The same options as on the message, with ✓ from the chat's current follows."""
    options: list[FollowKey] = []
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            data = button.callback_data
            press = decode(payload_of(data)) if isinstance(data, str) else None
            if isinstance(press, FollowPress):
                labelled = topics.labelled(press.key)
                if labelled is not None:
                    options.append(labelled)
    record = svc.store.get_chat(chat.id)
    return toggle_keyboard(options, record.follows if record is not None else ())


async def _follow(
    svc: Services, query: CallbackQuery, message: Message, chat: Chat, key: FollowKey
) -> None:
    record = await svc.store.ensure_chat(chat.id, chat.type)
    if key in record.follows:
        await query.answer()
        await edit(message, texts.already_following([key]))
        return
    try:
        await svc.store.add_follows(chat.id, [key])
    except FollowLimitError:
        await query.answer()
        await edit(message, texts.follow_limit(MAX_FOLLOWS))
        return
    await query.answer(texts.toggled_on(key))
    await edit(message, texts.followed([key]))


async def _unfollow(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    query: CallbackQuery,
    message: Message,
    chat: Chat,
    key: FollowKey,
) -> None:
    removed = await _remove(svc, chat, key)
    await query.answer(texts.toggled_off(key) if removed else None)
    record = svc.store.get_chat(chat.id)
    follows = record.follows if record is not None else ()
    if follows:
        await edit_keyboard(message, sealed_keyboard(context, chat.id, unfollow_keyboard(follows)))
    else:
        await edit(message, texts.UNFOLLOW_ALL_DONE)


async def _remove(svc: Services, chat: Chat, key: FollowKey) -> bool:
    if svc.store.get_chat(chat.id) is None:
        return False
    return bool(await svc.store.remove_follows(chat.id, [key]))


async def _confirm(
    svc: Services, query: CallbackQuery, message: Message, chat: Chat, press: ConfirmPress
) -> None:
    await query.answer()
    if not press.yes:
        await edit(message, texts.CANCELLED)
        return
    if press.what is Confirmation.STOP:
        await svc.store.delete_chat(chat.id)
        log.info("Chat %s stopped; its data is deleted", chat.id)
        await edit(message, texts.STOP_DONE)
        return
    if svc.store.get_chat(chat.id) is not None:
        await svc.store.clear_follows(chat.id)
    await edit(message, texts.UNFOLLOW_ALL_DONE)
