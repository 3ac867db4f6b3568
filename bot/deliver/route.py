"""The join between ingest and delivery: new stories → matches → plan → outbox.

A poll cycle hands its new stories to a ``Router``; the router finds the chats
whose follows match (``FollowIndex``), plans what each chat gets and when
(``plan``: quiet hours, digests, age limit) and persists the plan in the
outbox (``Delivery.enqueue``) before the items are marked seen, so a crash in
between re-plans instead of losing a push.

Stories: the plan asks the store which stories each chat was notified of
(``DeliveryStore.thread``). Stories that just became important (``belangrijk``,
``bot.stories.important``) are added to the matches of the chats that follow
``belangrijk``: with every report so far for a chat not told of the story yet,
with only this cycle's new reports for one that was (they become its
follow-up). Later reports of an important story reach those chats the same way.

A big audience is planned and persisted in chunks, in the broadcast's fair
order (``bot.deliver.audience``): once the first chunk is durable the engine is
kicked and sends it while the rest is still being written, so the first push
leaves within a fraction of a second however many chats follow the story.
Exactly-once is unchanged: an entry is only sent after it is durable, and
after a crash between chunks the next cycle re-plans the same entry ids, of
which the outbox queues only the ones it does not hold yet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.important import important_key
from bot.core.model import FollowKey, NewsItem
from bot.deliver.audience import CHUNK, FIRST_CHUNK, broadcast_order, chunks
from bot.deliver.match import FollowIndex, Matched
from bot.deliver.plan import ChatPrefs, PlannedEntry, plan, prefs_from_settings
from bot.deliver.story_plan import started_by_cycle
from bot.store.layout import SHARD_COUNT
from bot.store.protocol import DeliveryStore
from bot.stories.important import ImportantStory

if TYPE_CHECKING:
    from bot.deliver.engine import Delivery

log = logging.getLogger(__name__)

# Chats planned between two turns of the event loop (~2 ms of work): a send
# takes several turns, so the first chunk's sends start at once even while
# the next chunks are being planned.
PLAN_SLICE = 100


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

    async def __call__(
        self, stories: Sequence[NewsItem], important: Sequence[ImportantStory] = ()
    ) -> None:
        fresh = frozenset(story.id for story in stories)
        matches: Mapping[int, Sequence[Matched]] = self.index.match(stories)
        if important:
            matches = self._with_important(matches, important, fresh)
        if not matches:
            return
        # Sends may start before the cycle stores these stories: lend them to the engine.
        self.delivery.hold_stories([*stories, *(r for s in important for r in s.reports)])
        order = broadcast_order(matches, fresh, self.shard_count)
        now = self.clock()
        planned = 0
        for part in chunks(order, self.first_chunk, self.chunk):
            entries: list[PlannedEntry] = []
            for start in range(0, len(part), PLAN_SLICE):
                # Planned a slice at a time, the loop free in between: the sends
                # of earlier chunks and command replies go on meanwhile.
                await asyncio.sleep(0)
                entries += plan(
                    {chat_id: matches[chat_id] for chat_id in part[start : start + PLAN_SLICE]},
                    self._prefs,
                    now=now,
                    tz=self.tz,
                    max_age=self.max_age,
                    threads=self.store.thread,
                    fresh=fresh,
                    threaded=self.store.story_threaded,
                )
            await self.delivery.enqueue(entries, queued_at=now, position=planned)
            planned += len(entries)
            self.delivery.kick()  # this chunk is durable: it may go out while the next is written
        if planned:
            log.info("%d new stories, %d messages planned", len(stories), planned)

    def _with_important(
        self,
        matches: Mapping[int, Sequence[Matched]],
        important: Sequence[ImportantStory],
        fresh: frozenset[str],
    ) -> dict[int, Sequence[Matched]]:
        """``matches`` plus the important stories for the chats that follow belangrijk."""
        key = important_key()
        followers = self.index.chats(key)
        merged: dict[int, Sequence[Matched]] = dict(matches)
        if not followers:
            return merged
        for story in important:
            reports = [r for r in story.reports if r.duplicate_of is None]
            new = [r for r in reports if r.id in fresh]
            for chat_id in followers:
                thread = self.store.thread(chat_id, story.story)
                if thread is not None and started_by_cycle(thread, fresh):
                    thread = None  # an earlier attempt at this very cycle: plan it again
                if thread is None and story.newly:
                    added = reports
                elif thread is not None:
                    added = new
                else:
                    continue
                if added:
                    merged[chat_id] = _add_via(merged.get(chat_id, ()), added, key)
        return merged

    def _prefs(self, chat_id: int) -> ChatPrefs:
        chat = self.store.get_chat(chat_id)
        return prefs_from_settings(chat.settings) if chat else ChatPrefs()


def _add_via(
    matched: Sequence[Matched], items: Sequence[NewsItem], key: FollowKey
) -> list[Matched]:
    """``matched`` with ``items`` reached via ``key`` too (a match already there gains the key)."""
    result = list(matched)
    position = {match.item.id: index for index, match in enumerate(result)}
    for item in items:
        index = position.get(item.id)
        if index is None:
            position[item.id] = len(result)
            result.append(Matched(item, (key,)))
        elif key not in result[index].via:
            result[index] = Matched(item, (*result[index].via, key))
    return result
