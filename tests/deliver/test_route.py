"""The Router (match → plan → enqueue in chunks) with a real Store, PTB and the fake Bot API.

A cycle hands its new stories to the Router before it stores them; these tests
do the same (the stories are never added to the store), so every message
below was rendered from the stories the Router lent the engine.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import ExtBot

from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.deliver import route
from bot.deliver.audience import broadcast_order
from bot.deliver.engine import Delivery
from bot.deliver.match import FollowIndex
from bot.deliver.pacer import Pacer
from bot.deliver.ratelimit import PacedRateLimiter
from bot.deliver.route import Router
from bot.sim.telegram import FakeTelegram
from bot.store import OutboxEntry, Store

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 10, 1, 13, 0, tzinfo=UTC)
UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
SHARDS = 8
CHATS = list(range(3001, 3051))

DRONES = "Zeker 13 mijnwerkers dood door Russische drone-aanval"
KYIV = "Grote drone-aanval op Kyiv, zeker drie doden"


def news(item_id: str, title: str) -> NewsItem:
    return NewsItem(
        id=item_id,
        feed="nos-algemeen",
        source="NOS",
        link=f"https://nos.nl/l/{item_id}",
        title=title,
        summary="",
        text="",
        published=NOW - timedelta(minutes=2),
        countries=("UA",),
        sections=("buitenland",),
    )


class GatedStore(Store):
    """A real Store whose outbox writes after the first wait for the test's go."""

    gate: asyncio.Event | None = None
    enqueued: list[int]

    async def enqueue(self, entries: Sequence[OutboxEntry]) -> list[OutboxEntry]:
        self.enqueued.append(len(entries))
        if len(self.enqueued) > 1 and self.gate is not None:
            await asyncio.wait_for(self.gate.wait(), timeout=10)
        return await super().enqueue(entries)


@dataclass
class Parts:
    fake: FakeTelegram
    store: GatedStore
    delivery: Delivery
    index: FollowIndex

    def router(self, first_chunk: int = 500, chunk: int = 5000) -> Router:
        return Router(
            index=self.index,
            store=self.store,
            delivery=self.delivery,
            clock=ManualClock(NOW),
            tz=AMS,
            max_age=timedelta(hours=6),
            shard_count=SHARDS,
            first_chunk=first_chunk,
            chunk=chunk,
        )

    def pushes(self, title: str) -> list[int]:
        """Chats that got a message with ``title``, in the order the fake received them."""
        return [int(m["chat_id"]) for m in self.fake.sent_messages() if title in str(m.get("text"))]


@pytest.fixture
async def parts(tmp_path: Path, fake_telegram: FakeTelegram) -> AsyncIterator[Parts]:
    clock = ManualClock(NOW)
    store = await GatedStore.open(
        tmp_path / "data", clock=clock, shard_count=SHARDS, freeze_gc=False
    )
    assert isinstance(store, GatedStore)
    store.enqueued = []
    index = FollowIndex()
    for chat_id in CHATS:
        await store.ensure_chat(chat_id, "private")
        await store.add_follows(chat_id, [UA])
        index.add(chat_id, [UA])
    limiter = PacedRateLimiter(Pacer(global_rate=30, private_interval_s=0.1))
    bot: ExtBot[str] = ExtBot(
        fake_telegram.token, base_url=fake_telegram.base_url, rate_limiter=limiter
    )
    async with bot:
        # One worker: the messages leave in exactly the order the outbox gives them.
        delivery = Delivery(bot=bot, store=store, index=index, clock=clock, tz=AMS, workers=1)
        try:
            yield Parts(fake_telegram, store, delivery, index)
        finally:
            await delivery.close()
            await store.close()


async def test_two_stories_start_at_different_chats_and_both_reach_everyone(
    parts: Parts,
) -> None:
    router = parts.router()
    await router([news("2600568", DRONES)])
    await parts.delivery.wait_idle()
    await router([news("2600571", KYIV)])
    await parts.delivery.wait_idle()

    drones, kyiv = parts.pushes(DRONES), parts.pushes(KYIV)
    assert sorted(drones) == sorted(kyiv) == CHATS  # complete, each chat once
    assert drones[0] != kyiv[0]
    # The engine follows the planned order: shard by shard from the story's own start.
    assert drones == broadcast_order(CHATS, ["2600568"], SHARDS)
    assert kyiv == broadcast_order(CHATS, ["2600571"], SHARDS)
    assert parts.store.pending_count() == 0


async def test_the_first_chunk_is_sent_while_the_rest_is_still_being_written(
    parts: Parts,
) -> None:
    router = parts.router(first_chunk=5, chunk=20)
    parts.store.gate = asyncio.Event()
    routing = asyncio.create_task(router([news("2600568", DRONES)]))

    # The second chunk's write waits for this: the first push must not wait for it.
    first = await parts.fake.wait_for_call("sendMessage", timeout=10)
    assert not routing.done()
    assert parts.store.enqueued == [5, 20]
    order = broadcast_order(CHATS, ["2600568"], SHARDS)
    queued = {e.chat_id for e in parts.store.pending()} | set(parts.pushes(DRONES))
    assert queued == set(order[:5])  # chunk 1 only
    assert first.chat_id == order[0]
    parts.store.gate.set()
    await routing
    await parts.delivery.wait_idle()

    assert parts.store.enqueued == [5, 20, 20, 5]
    assert sorted(parts.pushes(DRONES)) == CHATS  # each chat exactly once
    assert parts.store.pending_count() == 0


async def test_routing_the_same_stories_again_after_a_crash_queues_only_what_is_missing(
    parts: Parts,
) -> None:
    """A crash between chunks: the next cycle re-plans; the outbox keeps ids unique."""
    story = news("2600568", DRONES)
    order = broadcast_order(CHATS, [story.id], SHARDS)
    parts.store.gate = asyncio.Event()
    routing = asyncio.create_task(parts.router(first_chunk=5, chunk=20)([story]))
    await parts.fake.wait_for_call("sendMessage", timeout=10)
    routing.cancel()  # chunk 1 durable and going out, chunk 2 never written
    with pytest.raises(asyncio.CancelledError):
        await routing
    await parts.delivery.wait_idle()
    assert parts.pushes(DRONES) == order[:5]
    assert parts.store.pending_count() == 0

    parts.store.gate = None
    await parts.router(first_chunk=5, chunk=20)([story])  # the next cycle re-plans
    await parts.delivery.wait_idle()

    assert sorted(parts.pushes(DRONES)) == CHATS  # each chat exactly once
    assert parts.pushes(DRONES) == order


async def test_planning_in_slices_plans_every_chat_of_a_chunk_once(
    parts: Parts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(route, "PLAN_SLICE", 3)  # 20-chat chunks planned 3 chats at a time
    await parts.router(first_chunk=5, chunk=20)([news("2600568", DRONES)])
    await parts.delivery.wait_idle()

    assert parts.store.enqueued == [5, 20, 20, 5]
    assert parts.pushes(DRONES) == broadcast_order(CHATS, ["2600568"], SHARDS)
