"""Who may do what, and how often: the group-admin check and the command rate limit.

The limiter and the admin cache are plain objects that take the time as an
argument, in seconds of the monotonic clock (``Services.monotonic``): a wall
clock set back or forward must neither keep a chat limited nor lift its limit.
The async helpers at the bottom wire them to Telegram.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any

from telegram import Chat, ChatMember, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.runtime.services import services
from bot.texts import chat as texts
from handlers.button_tokens import ButtonTokens, Opened, sealed
from handlers.replies import reply

log = logging.getLogger(__name__)

GUARDS_KEY = "nieuwsbot.handlers.guards"

COMMANDS_PER_WINDOW = 20
RATE_WINDOW = timedelta(minutes=1)
# Admin lists change rarely; a few minutes of staleness saves a getChatMember
# call per command in busy groups.
ADMIN_TTL = timedelta(minutes=5)
# Forgotten entries are swept once the tables grow past this many chats.
_SWEEP_AT = 10_000
_ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


class Verdict(Enum):
    ALLOW = "allow"
    # Over the limit: tell the user once per window ...
    REFUSE_AND_TELL = "refuse-and-tell"
    # ... and stay silent after that, so the refusal itself cannot flood.
    REFUSE_SILENTLY = "refuse-silently"


class RateLimiter:
    """At most ``limit`` commands per chat in any sliding ``window``."""

    def __init__(self, limit: int = COMMANDS_PER_WINDOW, window: timedelta = RATE_WINDOW) -> None:
        self.limit = limit
        self.window = window.total_seconds()
        self._hits: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}

    def check(self, chat_id: int, now: float) -> Verdict:
        """Count one command of ``chat_id`` at ``now`` (monotonic seconds)."""
        if len(self._hits) > _SWEEP_AT:
            self._sweep(now)
        hits = self._hits.setdefault(chat_id, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return Verdict.ALLOW
        told = self._told.get(chat_id)
        if told is not None and now - told < self.window:
            return Verdict.REFUSE_SILENTLY
        self._told[chat_id] = now
        return Verdict.REFUSE_AND_TELL

    def retry_in(self, chat_id: int, now: float) -> float:
        """Seconds from ``now`` until ``chat_id`` may send a command again (0 if it may)."""
        hits = self._hits.get(chat_id)
        if not hits or len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[0] + self.window - now)

    def _sweep(self, now: float) -> None:
        stale = [
            chat for chat, hits in self._hits.items() if not hits or now - hits[-1] >= self.window
        ]
        for chat in stale:
            del self._hits[chat]
            self._told.pop(chat, None)


class AdminCache:
    """Remembers for ``ttl`` whether a user is an admin of a group."""

    def __init__(self, ttl: timedelta = ADMIN_TTL) -> None:
        self.ttl = ttl.total_seconds()
        self._entries: dict[tuple[int, int], tuple[bool, float]] = {}

    def get(self, chat_id: int, user_id: int, now: float) -> bool | None:
        """The cached answer at ``now`` (monotonic seconds); None if unknown or stale."""
        entry = self._entries.get((chat_id, user_id))
        if entry is None:
            return None
        is_admin, at = entry
        if now - at >= self.ttl:
            del self._entries[(chat_id, user_id)]
            return None
        return is_admin

    def put(self, chat_id: int, user_id: int, is_admin: bool, now: float) -> None:
        if len(self._entries) > _SWEEP_AT:
            self._entries = {
                key: entry for key, entry in self._entries.items() if now - entry[1] < self.ttl
            }
        self._entries[(chat_id, user_id)] = (is_admin, now)


@dataclass
class Guards:
    limiter: RateLimiter = field(default_factory=RateLimiter)
    admins: AdminCache = field(default_factory=AdminCache)
    buttons: ButtonTokens = field(default_factory=ButtonTokens)


def guards(context: Any) -> Guards:
    found = context.application.bot_data[GUARDS_KEY]
    assert isinstance(found, Guards)
    return found


def is_group(chat: Chat) -> bool:
    return chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def rate_limit(update: Update, context: Any) -> bool:
    """Count a command or button press; ``False`` (after a polite word) when over the limit."""
    chat = update.effective_chat
    if chat is None:
        return True
    limiter, now = guards(context).limiter, services(context).monotonic()
    verdict = limiter.check(chat.id, now)
    if verdict is Verdict.ALLOW:
        return True
    log.info("Chat %s is over the command rate limit", chat.id)
    if verdict is Verdict.REFUSE_AND_TELL:
        told = texts.rate_limited(limiter.retry_in(chat.id, now))
        if update.callback_query is not None:
            await update.callback_query.answer(told, show_alert=True)
        else:
            await reply(update, told)
    elif update.callback_query is not None:
        # A pressed button shows a spinner until answered.
        await update.callback_query.answer()
    return False


def sealed_keyboard(
    context: Any, chat_id: int, markup: InlineKeyboardMarkup | None
) -> InlineKeyboardMarkup | None:
    """``markup`` with every button bound to ``chat_id`` and to now."""
    tokens = guards(context).buttons
    now = services(context).monotonic()
    return sealed(markup, lambda payload: tokens.seal(chat_id, payload, now))


def opened_press(context: Any, chat_id: int, data: str | None) -> Opened | None:
    """The payload and age of a press in ``chat_id``, if its token is valid there."""
    return guards(context).buttons.open(chat_id, data, services(context).monotonic())


async def may_change(update: Update, context: Any) -> bool:
    """Whether the sender may change follows or settings; refuses politely if not.

    Anyone may in a private chat; in groups only admins (and the group itself,
    when an anonymous admin posts as the group).
    """
    chat = update.effective_chat
    if chat is None:
        return False
    if not is_group(chat):
        return True
    message = update.effective_message
    sender_chat = message.sender_chat if message is not None else None
    if update.callback_query is None and sender_chat is not None and sender_chat.id == chat.id:
        return True
    user = update.effective_user
    allowed = user is not None and await _is_admin(context, chat.id, user.id)
    if not allowed:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ADMINS_ONLY_SHORT, show_alert=True)
        else:
            await reply(update, texts.ADMINS_ONLY)
    return allowed


async def _is_admin(context: Any, chat_id: int, user_id: int) -> bool:
    cache = guards(context).admins
    now = services(context).monotonic()
    known = cache.get(chat_id, user_id, now)
    if known is not None:
        return known
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        # Not cached: a hiccup must not lock admins out for minutes.
        log.warning("getChatMember for chat %s failed: %s", chat_id, error)
        return False
    is_admin = member.status in _ADMIN_STATUSES
    cache.put(chat_id, user_id, is_admin, now)
    return is_admin
