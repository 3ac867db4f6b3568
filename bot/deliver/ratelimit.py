"""python-telegram-bot's rate-limiter hook, backed by our Pacer.

Every Bot API call of the Application passes through ``process_request``. Calls
that put a message in a chat (sendMessage, editMessageText, …) are paced: broadcasts (the
push engine passes ``rate_limit_args=BROADCAST``) at normal priority, everything
else — replies to commands and button presses — with priority, so a reply never
waits behind a broadcast. Other calls (getUpdates, answerCallbackQuery,
getChatMember, getMe…) are not paced at all.

A ``RetryAfter`` on a broadcast is re-raised: the push engine re-queues the
message and pauses that chat. A ``RetryAfter`` on a reply is waited out and the
call retried once, because the user is waiting for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.deliver.outcome import retry_seconds
from bot.deliver.pacer import Pacer
from bot.deliver.stats import DeliveryStats

log = logging.getLogger(__name__)

BROADCAST = "broadcast"
# Telegram asks for waits of a few seconds under normal load; a reply that would
# have to wait longer than this is dropped with a log line rather than held.
MAX_REPLY_WAIT_S = 30.0
# Only calls that put a message in a chat count against Telegram's flood limits;
# getChatMember, answerCallbackQuery, getUpdates and the like are never paced.
_PACED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")
_NOT_A_MESSAGE = frozenset({"sendChatAction"})


class ShuttingDown(Exception):
    """A broadcast send was withheld because the process is stopping; it stays queued."""


class PacedRateLimiter(BaseRateLimiter[str]):
    def __init__(self, pacer: Pacer, stats: DeliveryStats | None = None) -> None:
        self.pacer = pacer
        self.stats = stats or DeliveryStats()
        # Set by the Application once built: False as soon as shutdown begins.
        self.accepting: Callable[[], bool] = lambda: True

    async def initialize(self) -> None:
        """Nothing to set up: the pacer is created with the limiter."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = _chat_id(data)
        paced = endpoint.startswith(_PACED_PREFIXES) and endpoint not in _NOT_A_MESSAGE
        if chat_id is None or not paced:
            return await callback(*args, **kwargs)
        broadcast = rate_limit_args == BROADCAST
        await self.pacer.acquire(chat_id, priority=not broadcast)
        if broadcast and not self.accepting():
            # A broadcast may have waited for its slot while SIGTERM arrived: leave
            # it in the outbox rather than start a request the shutdown may cut off.
            raise ShuttingDown
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:
            self.stats.retry_after.add()
            wait = retry_seconds(error)
            self.pacer.pause_chat(chat_id, wait)
            if broadcast or wait > MAX_REPLY_WAIT_S:
                raise
            log.info("Reply to chat %s: Telegram asks to wait %.0f s", chat_id, wait)
            await asyncio.sleep(wait)
            await self.pacer.acquire(chat_id, priority=True)
            return await callback(*args, **kwargs)


def _chat_id(data: dict[str, Any]) -> int | None:
    value = data.get("chat_id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None
