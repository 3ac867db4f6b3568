"""The push engine with stories: silent replies, folding into held pushes, the 30-minute rule.

A real Store, PTB's ExtBot and the fake Bot API, wired as ``post_init`` wires
them (``tests/deliver/test_engine.py``'s ``Rig``); cycles go through the real
``Router`` (match → plan with the store's threads → enqueue) and then store
the items, as the poll cycle does. The reports are the Nunspeet accident as
NRC, NOS and ND wrote it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import ExtBot

from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.deliver.pacer import Pacer
from bot.deliver.plan import FOLLOWUP
from bot.deliver.ratelimit import PacedRateLimiter
from bot.deliver.route import Router
from bot.sim.telegram import FakeTelegram
from bot.sim.telegram_records import Call
from bot.store import Store, outbox_entry_id
from bot.store.records import OutboxEntry
from tests.deliver.test_engine import AMS, MAX_AGE, NOW, Rig
from tests.stories.nunspeet import FIRE, ND, NOS, NRC, Report

CHAT = 1401
NUNSPEET = FollowKey(FollowKind.KEYWORD, "nunspeet", "nunspeet")
STORY = NRC.guid


def report(source: Report, minutes: float, story: str | None = STORY) -> NewsItem:
    return NewsItem(
        id=source.guid,
        feed=source.outlet.lower(),
        source=source.outlet,
        link=source.link,
        title=source.title,
        summary=source.lead,
        text=source.lead,
        published=NOW + timedelta(minutes=minutes),
        story=story,
    )


class StoryRig:
    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self.router = Router(
            index=rig.index,
            store=rig.store,
            delivery=rig.delivery,
            clock=rig.clock,
            tz=AMS,
            max_age=MAX_AGE,
        )

    async def cycle(self, *items: NewsItem) -> None:
        """A poll cycle found ``items``: route them (plan, enqueue), store them, drain."""
        await self.router(items)
        await self.rig.store.add_items(items)
        await self.rig.delivery.drain()

    def sends(self) -> list[Call]:
        return [c for c in self.rig.fake.calls_of("sendMessage", CHAT) if c.ok]


@pytest.fixture
async def stories(tmp_path: Path, fake_telegram: FakeTelegram) -> AsyncIterator[StoryRig]:
    clock = ManualClock(NOW)
    store = await Store.open(tmp_path / "data", clock=clock, shard_count=4, freeze_gc=False)
    limiter = PacedRateLimiter(Pacer(private_interval_s=0.05))
    bot: ExtBot[str] = ExtBot(
        fake_telegram.token, base_url=fake_telegram.base_url, rate_limiter=limiter
    )
    async with bot:
        try:
            rig = Rig(fake_telegram, store, bot, clock)
            await rig.subscribe(CHAT, NUNSPEET)
            yield StoryRig(rig)
        finally:
            await store.close()


def params(call: Call) -> dict[str, Any]:
    return call.params


async def test_a_later_report_is_a_silent_reply_to_the_push(stories: StoryRig) -> None:
    await stories.cycle(report(NRC, 0))
    stories.rig.clock.advance(timedelta(minutes=10))
    await stories.cycle(report(NOS, 10))
    push, reply = stories.sends()
    assert "disable_notification" not in params(push)
    assert params(reply)["disable_notification"] is True
    assert params(reply)["reply_parameters"] == {
        "message_id": push.result["message_id"],
        "allow_sending_without_reply": True,
    }
    assert reply.result["reply_to_message"]["message_id"] == push.result["message_id"]
    text = params(reply)["text"]
    assert text.startswith("🧵 <b>Meer over dit verhaal:</b>\nNOS — ")
    assert f'<a href="{NOS.link}">{NOS.title}</a>' in text
    thread = stories.rig.store.thread(CHAT, STORY)
    assert thread is not None
    assert thread.message_id == push.result["message_id"]
    assert thread.last_followup_at == stories.rig.clock.now


async def test_reports_of_one_cycle_are_one_push_with_the_others_linked(
    stories: StoryRig,
) -> None:
    await stories.cycle(report(NRC, 0), report(NOS, 3), report(FIRE, 4, story=None))
    (push,) = stories.sends()
    text = params(push)["text"]
    assert text.startswith("📰 <b>2 nieuwe berichten</b>")  # two stories, not three reports
    assert f'ook bij: <a href="{NOS.link}">NOS</a>' in text


async def test_a_follow_up_within_30_minutes_of_the_last_waits_for_them(
    stories: StoryRig,
) -> None:
    rig = stories.rig
    await stories.cycle(report(NRC, 0))
    rig.clock.advance(timedelta(minutes=10))
    await stories.cycle(report(NOS, 10))
    replied_at = rig.clock.now
    # A follow-up planned as if no follow-up had gone out (the engine is the guard).
    late = OutboxEntry(
        id=outbox_entry_id(CHAT, "f-late"),
        chat_id=CHAT,
        kind=FOLLOWUP,
        payload={"followup": STORY, "reports": [[ND.guid, [["keyword:nunspeet", "nunspeet"]]]]},
        created_at=rig.clock.now,
        not_before=rig.clock.now,
    )
    await rig.store.add_items([report(ND, 12)])
    await rig.store.enqueue([late])
    rig.clock.advance(timedelta(minutes=5))
    await rig.delivery.drain()
    assert len(stories.sends()) == 2
    (held,) = rig.store.pending(replied_at + timedelta(minutes=30))
    assert held.not_before == replied_at + timedelta(minutes=30)
    rig.clock.now = replied_at + timedelta(minutes=30)
    await rig.delivery.drain()
    third = stories.sends()[2]
    assert ND.link in params(third)["text"]
    assert params(third)["disable_notification"] is True


async def test_quiet_hours_fold_later_reports_into_the_held_push(stories: StoryRig) -> None:
    rig = stories.rig
    await rig.store.set_settings(CHAT, quiet_start="14:00", quiet_end="16:00")  # NOW is 15:00
    await stories.cycle(report(NRC, 0))
    rig.clock.advance(timedelta(minutes=10))
    await stories.cycle(report(NOS, 10))
    rig.clock.advance(timedelta(minutes=10))
    await stories.cycle(report(ND, 20))
    assert stories.sends() == []
    rig.clock.advance(timedelta(minutes=45))  # 16:05
    await rig.delivery.drain()
    (push,) = stories.sends()
    text = params(push)["text"]
    assert "disable_notification" not in params(push)
    assert NRC.title in text
    assert f'<a href="{NOS.link}">NOS</a>' in text
    assert f'<a href="{ND.link}">ND</a>' in text
    assert rig.store.pending_count() == 0
    # The folded follow-ups count as this story's last follow-up.
    thread = rig.store.thread(CHAT, STORY)
    assert thread is not None
    assert thread.last_followup_at == rig.clock.now


async def test_a_follow_up_waits_while_its_push_waits_for_a_retry(stories: StoryRig) -> None:
    rig = stories.rig
    rig.fake.fail("sendMessage", chat_id=CHAT, kind="retry_after", retry_after=2)
    await stories.cycle(report(NRC, 0))
    assert stories.sends() == []  # 429: the push waits two seconds in the outbox
    rig.clock.advance(timedelta(seconds=1))
    await stories.cycle(report(NOS, 0.5))
    assert stories.sends() == []  # the reply does not overtake its push
    await asyncio.sleep(2.1)  # the rate limiter holds the chat for the time Telegram asked
    rig.clock.advance(timedelta(seconds=2))
    await rig.delivery.drain()
    (push,) = stories.sends()
    assert NRC.title in params(push)["text"]
    rig.clock.advance(timedelta(minutes=1))
    await rig.delivery.drain()
    push, reply = stories.sends()
    assert params(reply)["reply_parameters"]["message_id"] == push.result["message_id"]
    assert NOS.link in params(reply)["text"]
    assert rig.store.pending_count() == 0


async def test_a_digest_lists_the_story_once_with_its_outlets(stories: StoryRig) -> None:
    rig = stories.rig
    await rig.store.set_settings(CHAT, digest_time="18:00")
    await stories.cycle(report(NRC, 0))
    rig.clock.advance(timedelta(minutes=20))
    await stories.cycle(report(NOS, 20), report(FIRE, 21, story=None))
    rig.clock.advance(timedelta(hours=3))  # 18:20
    await rig.delivery.drain()
    (digest,) = stories.sends()
    text = params(digest)["text"]
    assert "<b>nunspeet</b> (2)" in text  # two stories
    assert text.count(NRC.title) == 1
    assert NOS.title not in text
    assert f'<a href="{NOS.link}">NOS</a>' in text
