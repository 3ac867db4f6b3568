"""The join between ingest and delivery: new stories → matches → plan → outbox.

A poll cycle hands its new stories to a ``Router``; the router finds the chats
whose follows match (``FollowIndex``), plans what each chat gets and when
(``plan``: quiet hours, digests, age limit) and persists the plan in the
outbox (``Delivery.enqueue``) before the items are marked seen, so a crash in
between re-plans instead of losing a push.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.model import NewsItem
from bot.deliver.match import FollowIndex
from bot.deliver.plan import ChatPrefs, plan, prefs_from_settings
from bot.store.protocol import DeliveryStore

if TYPE_CHECKING:
    from bot.deliver.engine import Delivery

log = logging.getLogger(__name__)


@dataclass
class Router:
    """Routes a cycle's new stories into the outbox."""

    index: FollowIndex
    store: DeliveryStore
    delivery: Delivery
    clock: Clock
    tz: ZoneInfo
    max_age: timedelta

    async def __call__(self, stories: Sequence[NewsItem]) -> None:
        matches = self.index.match(stories)
        planned = plan(matches, self._prefs, now=self.clock(), tz=self.tz, max_age=self.max_age)
        await self.delivery.enqueue(planned)
        if planned:
            log.info("%d new stories, %d messages planned", len(stories), len(planned))

    def _prefs(self, chat_id: int) -> ChatPrefs:
        chat = self.store.get_chat(chat_id)
        return prefs_from_settings(chat.settings) if chat else ChatPrefs()
