"""Linked Telegram channels: ``/kanaal``, forwarded channel posts, and the bot's rights there.

A channel is a chat like a group (negative id, type ``channel``) whose follows
and settings are managed from the private chat of one of its administrators:
``/kanaal @naam volg …`` runs the same follow and settings code as ``/volg`` in
a chat, aimed at the channel's id. Every change re-checks with getChatMember
that the sender administers the channel (cached for at most five minutes).
Pushes reach the channel through the same outbox, planner and pacer as any chat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import Enum
from typing import Any

from telegram import (
    ChatFullInfo,
    ChatMember,
    ChatMemberAdministrator,
    Message,
    MessageOriginChannel,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes
from telegram.ext.filters import MessageFilter

from bot.core.text import fold
from bot.runtime.services import services
from bot.store.channels import ChannelLink
from bot.texts import channels as texts
from bot.texts import chat as chat_texts
from handlers.args import ArgError, command_argument, split_terms
from handlers.channel_args import ChannelAction, ChannelCommand, parse_channel_command
from handlers.follow import Target, follow_terms, follows_summary, unfollow_terms
from handlers.guards import guards
from handlers.replies import message_text, reply
from handlers.settings import set_quiet_hours

log = logging.getLogger(__name__)

CHANNELS_KEY = "nieuwsbot.handlers.channels"
# A channel that keeps typing commands hears the refusal at most this often.
REFUSAL_INTERVAL = timedelta(minutes=10)
_ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})
_ALL = frozenset({"alles", "alle", "allemaal", "all"})
LOST_RIGHTS_REASON = "channel: the bot may not post any more"


class Problem(Enum):
    """Why a channel cannot be linked or managed; each has its Dutch explanation."""

    NOT_FOUND = "not-found"
    NOT_A_CHANNEL = "not-a-channel"
    BOT_NOT_ADMIN = "bot-not-admin"
    BOT_CANNOT_POST = "bot-cannot-post"
    USER_NOT_ADMIN = "user-not-admin"
    TELEGRAM_FAILED = "telegram-failed"


_EXPLANATIONS = {
    Problem.NOT_FOUND: texts.not_found,
    Problem.NOT_A_CHANNEL: texts.not_a_channel,
    Problem.BOT_NOT_ADMIN: texts.bot_not_admin,
    Problem.BOT_CANNOT_POST: texts.bot_cannot_post,
    Problem.USER_NOT_ADMIN: texts.user_not_admin,
    Problem.TELEGRAM_FAILED: texts.telegram_failed,
}


def explain(problem: Problem, name: str) -> str:
    return _EXPLANATIONS[problem](name)


def bot_problem(status: str, can_post: bool) -> Problem | None:
    """What the bot's own membership means for posting (None: it may post)."""
    if status != ChatMember.ADMINISTRATOR:
        return Problem.BOT_NOT_ADMIN
    return None if can_post else Problem.BOT_CANNOT_POST


def member_can_post(member: ChatMember) -> bool:
    return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)


# getChatMemberCount answers for /status are reused this long.
SUBSCRIBERS_TTL = timedelta(minutes=10)
# /status lists at most this many channels.
STATUS_CHANNELS = 10


@dataclass
class ChannelState:
    """In-memory bookkeeping: command refusals sent, subscriber counts fetched (monotonic s)."""

    refused_at: dict[int, float] = field(default_factory=dict)
    subscribers: dict[int, tuple[int, float]] = field(default_factory=dict)


def _state(context: Any) -> ChannelState:
    found = context.application.bot_data.setdefault(CHANNELS_KEY, ChannelState())
    assert isinstance(found, ChannelState)
    return found


class _ChannelForward(MessageFilter):
    """Messages forwarded from a channel."""

    def filter(self, message: Message) -> bool:
        return isinstance(message.forward_origin, MessageOriginChannel)


CHANNEL_FORWARD = _ChannelForward(name="CHANNEL_FORWARD")


def display_name(link: ChannelLink) -> str:
    return link.username or str(link.channel_id)


# --- verification ----------------------------------------------------------------


async def _channel_chat(context: Any, ref: str | int) -> ChatFullInfo | Problem:
    try:
        chat = await context.bot.get_chat(ref)
    except (BadRequest, Forbidden) as error:
        log.info("getChat for a channel failed: %s", error)
        return Problem.NOT_FOUND
    except TelegramError as error:
        log.warning("getChat for a channel failed: %s", error)
        return Problem.TELEGRAM_FAILED
    if chat.type != ChatType.CHANNEL:
        return Problem.NOT_A_CHANNEL
    assert isinstance(chat, ChatFullInfo)
    return chat


async def _bot_may_post(context: Any, channel_id: int) -> Problem | None:
    try:
        member = await context.bot.get_chat_member(channel_id, context.bot.id)
    except (BadRequest, Forbidden):
        return Problem.BOT_NOT_ADMIN
    except TelegramError as error:
        log.warning("getChatMember (bot) for channel %s failed: %s", channel_id, error)
        return Problem.TELEGRAM_FAILED
    return bot_problem(member.status, member_can_post(member))


async def _user_is_admin(context: Any, channel_id: int, user_id: int) -> Problem | None:
    """The sender must administer the channel; answers are cached ≤ 5 minutes."""
    cache = guards(context).admins
    now = services(context).monotonic()
    known = cache.get(channel_id, user_id, now)
    if known is None:
        try:
            member = await context.bot.get_chat_member(channel_id, user_id)
        except (BadRequest, Forbidden):
            # Telegram hides a channel's members from a bot that is not its admin.
            return Problem.BOT_NOT_ADMIN
        except TelegramError as error:
            log.warning("getChatMember for channel %s failed: %s", channel_id, error)
            return Problem.TELEGRAM_FAILED
        known = member.status in _ADMIN_STATUSES
        cache.put(channel_id, user_id, known, now)
    return None if known else Problem.USER_NOT_ADMIN


# --- /kanaal ---------------------------------------------------------------------


async def channel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await reply(update, texts.PRIVATE_ONLY)
        return
    try:
        command = parse_channel_command(command_argument(message_text(update)))
    except ArgError as error:
        await reply(update, str(error))
        return
    if command.action is ChannelAction.LIST:
        await _list(update, context, user.id)
    elif command.action is ChannelAction.LINK:
        await _link(update, context, command.chat_ref, command.name, user.id)
    else:
        await _manage(update, context, command, user.id)


async def on_forwarded_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A post forwarded from a channel into the private chat asks to link that channel."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    origin = message.forward_origin
    if not isinstance(origin, MessageOriginChannel):
        return
    channel = origin.chat
    await _link(update, context, channel.id, channel.username or str(channel.id), user.id)


async def _list(update: Update, context: Any, user_id: int) -> None:
    store = services(context).store
    links = store.channel_links(linked_by=user_id)
    if not links:
        await reply(update, texts.HOW_TO_LINK)
        return
    rows = []
    for link in sorted(links, key=display_name):
        record = store.get_chat(link.channel_id)
        follows = len(record.follows) if record is not None else 0
        rows.append((display_name(link), follows, record is not None and record.active))
    await reply(update, texts.linked_channels(rows))


async def _link(update: Update, context: Any, ref: str | int, name: str, user_id: int) -> None:
    found = await _channel_chat(context, ref)
    if isinstance(found, Problem):
        await reply(update, explain(found, name))
        return
    name = found.username or str(found.id)
    problem = await _bot_may_post(context, found.id) or await _user_is_admin(
        context, found.id, user_id
    )
    if problem is not None:
        await reply(update, explain(problem, name))
        return
    store = services(context).store
    before = store.channel_link(found.id)
    link = ChannelLink(
        channel_id=found.id,
        username=found.username or "",
        title=found.title or name,
        linked_by=user_id,
        linked_at=services(context).now(),
    )
    await store.link_channel(link)
    log.info("Channel %s linked by user %s", found.id, user_id)
    await reply(
        update, texts.relinked(name) if before is not None else texts.linked(name, link.title)
    )


async def _manage(update: Update, context: Any, command: ChannelCommand, user_id: int) -> None:
    store = services(context).store
    link = _known_link(store.channel_links(), command)
    if link is None:
        found = await _channel_chat(context, command.chat_ref)
        if isinstance(found, Problem):
            await reply(update, explain(found, command.name))
            return
        link = store.channel_link(found.id)
        if link is None:
            await reply(update, texts.not_linked(found.username or str(found.id)))
            return
    name = display_name(link)
    problem = await _user_is_admin(context, link.channel_id, user_id)
    if problem is not None:
        await reply(update, explain(problem, name))
        return
    await _apply(update, context, command, link)


def _known_link(links: list[ChannelLink], command: ChannelCommand) -> ChannelLink | None:
    if command.channel_id is not None:
        return next((link for link in links if link.channel_id == command.channel_id), None)
    wanted = command.name.casefold()
    return next((link for link in links if link.username.casefold() == wanted), None)


async def _apply(update: Update, context: Any, command: ChannelCommand, link: ChannelLink) -> None:
    """Run one management action on a verified channel; answers go to the private chat."""
    store = services(context).store
    name, channel_id = display_name(link), link.channel_id
    action = command.action
    if action is ChannelAction.MINE:
        await reply(update, f"{texts.heading(name)}\n\n{follows_summary(context, channel_id)}")
    elif action is ChannelAction.QUIET:
        await set_quiet_hours(update, context, channel_id, ChatType.CHANNEL, command.rest)
    elif action is ChannelAction.STOP:
        await store.delete_chat(channel_id)
        log.info("Channel %s unlinked", channel_id)
        await reply(update, texts.stopped(name))
    else:
        try:
            terms = split_terms(command.rest)
        except ArgError as error:
            await reply(update, str(error))
            return
        if action is ChannelAction.FOLLOW:
            if not terms:
                await reply(update, texts.follow_usage(name))
                return
            target = Target(
                channel_id, ChatType.CHANNEL, buttons=False, heading=texts.heading(name)
            )
            await follow_terms(update, context, target, terms)
        elif not terms:
            await reply(update, texts.unfollow_usage(name))
        elif len(terms) == 1 and not terms[0].quoted and fold(terms[0].text) in _ALL:
            record = store.get_chat(channel_id)
            removed = await store.clear_follows(channel_id) if record is not None else []
            answer = chat_texts.unfollowed(removed) if removed else chat_texts.NO_FOLLOWS
            await reply(update, f"{texts.heading(name)}\n{answer}")
        else:
            await unfollow_terms(update, context, channel_id, terms, heading=texts.heading(name))


# --- the bot's rights in a channel, and posts in it ----------------------------------


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Added, promoted, demoted or removed in a channel: post or stop, tell the admin once."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.CHANNEL:
        return
    channel_id = change.chat.id
    store = services(context).store
    link = store.channel_link(channel_id)
    if link is None:
        log.info(
            "Bot membership in unlinked channel %s is now %s",
            channel_id,
            change.new_chat_member.status,
        )
        return
    name = display_name(link)
    record = store.get_chat(channel_id)
    if member_can_post(change.new_chat_member):
        if record is not None and not record.active:
            await store.reactivate(channel_id)
            log.info("Channel %s: the bot may post again", channel_id)
        if link.loss_told and await _tell(context, link.linked_by, texts.rights_back(name)):
            await store.set_channel_link(replace(link, loss_told=False))
        return
    # Pending posts are dropped (they could not be sent); follows stay 30 days.
    await store.deactivate(channel_id, LOST_RIGHTS_REASON)
    log.info("Channel %s: the bot may not post any more; pushes stop", channel_id)
    if not link.loss_told and await _tell(context, link.linked_by, texts.lost_rights(name)):
        await store.set_channel_link(replace(link, loss_told=True))


async def _tell(context: Any, chat_id: int, text: str) -> bool:
    try:
        await context.bot.send_message(chat_id, text, parse_mode="HTML")
    except TelegramError as error:
        log.info("Could not tell chat %s about its channel: %s", chat_id, error)
        return False
    return True


async def on_channel_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Posts in a channel are ignored, except commands: those get one polite refusal.

    The refusal goes into the channel (that is where the command was typed), at
    most once per ``REFUSAL_INTERVAL`` per channel, and not at all where the bot
    is known to have lost its right to post.
    """
    post = update.channel_post
    if post is None or not post.text or not post.text.startswith("/"):
        return
    command = post.text.split(maxsplit=1)[0]
    _, at, addressee = command.partition("@")
    if at and addressee.casefold() != context.bot.username.casefold():
        return  # another bot's command
    channel_id = post.chat.id
    record = services(context).store.get_chat(channel_id)
    if record is not None and not record.active:
        return
    state, now = _state(context), services(context).monotonic()
    last = state.refused_at.get(channel_id)
    if last is not None and now - last < REFUSAL_INTERVAL.total_seconds():
        return
    state.refused_at[channel_id] = now
    try:
        await post.reply_text(texts.commands_in_channel(context.bot.username), parse_mode="HTML")
    except TelegramError as error:
        log.info("Could not answer a command in channel %s: %s", channel_id, error)


# --- /status ---------------------------------------------------------------------


async def channel_status_lines(context: Any) -> list[str]:
    """The /status section on linked channels (empty when there are none)."""
    store = services(context).store
    links = store.channel_links()
    if not links:
        return []
    listed: list[tuple[ChannelLink, int, bool]] = []
    for link in links:
        record = store.get_chat(link.channel_id)
        active = record is not None and record.active
        listed.append((link, len(record.follows) if record is not None else 0, active))
    # Posting channels with the most follows first; only those shown cost a
    # getChatMemberCount, so /status stays quick with many channels.
    listed.sort(key=lambda row: (not row[2], -row[1], display_name(row[0]).casefold()))
    rows: list[tuple[str, int | None, int, bool]] = []
    for link, follows, active in listed[:STATUS_CHANNELS]:
        subscribers = await _subscribers(context, link.channel_id) if active else None
        rows.append((display_name(link), subscribers, follows, active))
    return texts.status_channels(rows, len(listed))


async def _subscribers(context: Any, channel_id: int) -> int | None:
    state, now = _state(context), services(context).monotonic()
    cached = state.subscribers.get(channel_id)
    if cached is not None and now - cached[1] < SUBSCRIBERS_TTL.total_seconds():
        return cached[0]
    try:
        count = await context.bot.get_chat_member_count(channel_id)
    except TelegramError as error:
        log.info("getChatMemberCount for channel %s failed: %s", channel_id, error)
        return None
    state.subscribers[channel_id] = (count, now)
    return int(count)
