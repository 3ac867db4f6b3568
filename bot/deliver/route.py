"""The join between ingest and delivery: new stories → matches → plan → outbox.

A poll cycle hands its new stories to a ``Router``; the router finds the chats
whose follows match (``FollowIndex``), plans what each chat gets and when
(``plan``: quiet hours, digests, age limit) and persists the plan in the
outbox (``Delivery.enqueue``) before the items are marked seen, so a crash in
between re-plans instead of losing a push.

A big audience is planned and persisted in chunks, in the broadcast's fair
order (``bot.deliver.audience``): once the first chunk is durable the engine is
kicked and sends it while the rest is still being written, so the first push
leaves within a fraction of a second however many chats follow the story.
Exactly-once is unchanged: an entry is only sent after it is durable, and
after a crash between chunks the next cycle re-plans the same entry ids, of
which the outbox queues only the ones it does not hold yet.
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
from bot.deliver.audience import CHUNK, FIRST_CHUNK, broadcast_order, chunks
from bot.deliver.match import FollowIndex
from bot.deliver.plan import ChatPrefs, plan, prefs_from_settings
from bot.store.layout import SHARD_COUNT
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
    shard_count: int = SHARD_COUNT  # the store's: chunks then touch few outbox files
    first_chunk: int = FIRST_CHUNK
    chunk: int = CHUNK

    async def __call__(self, stories: Sequence[NewsItem]) -> None:
        matches = self.index.match(stories)
        if not matches:
            return
        # Sends may start before the cycle stores these stories: lend them to the engine.
        self.delivery.hold_stories(stories)
        order = broadcast_order(matches, (story.id for story in stories), self.shard_count)
        now = self.clock()
        planned = 0
        for part in chunks(order, self.first_chunk, self.chunk):
            entries = plan(
                {chat_id: matches[chat_id] for chat_id in part},
                self._prefs,
                now=now,
                tz=self.tz,
                max_age=self.max_age,
            )
            await self.delivery.enqueue(entries, queued_at=now, position=planned)
            planned += len(entries)
            self.delivery.kick()  # this chunk is durable: it may go out while the next is written
        if planned:
            log.info("%d new stories, %d messages planned", len(stories), planned)

    def _prefs(self, chat_id: int) -> ChatPrefs:
        chat = self.store.get_chat(chat_id)
        return prefs_from_settings(chat.settings) if chat else ChatPrefs()
