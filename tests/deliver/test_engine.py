"""The push engine (``Delivery``) on its own: a real Store, PTB's ExtBot, the fake Bot API.

Each test builds what ``post_init`` builds (store, follow index, paced bot,
Delivery), plans through the same match → plan → enqueue join the poll job
uses, and drains the outbox by hand. Telegram's refusals come from the fake's
fault injection, so PTB turns real HTTP answers into its exceptions.

Titles are real NOS headlines (tests/fixtures/feeds/), some shortened.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import ExtBot

from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.deliver import engine
from bot.deliver.engine import Delivery, DrainReport
from bot.deliver.format import to_plain_text
from bot.deliver.match import FollowIndex
from bot.deliver.pacer import Pacer
from bot.deliver.plan import ChatPrefs, PlannedEntry, prefs_from_settings
from bot.deliver.plan import plan as plan_entries
from bot.deliver.ratelimit import PacedRateLimiter
from bot.sim.telegram import FakeTelegram, FaultKind
from bot.store import Store
from bot.store.outbox import migrated_id

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 10, 1, 13, 0, tzinfo=UTC)  # Thursday 15:00 in Amsterdam
MAX_AGE = timedelta(hours=6)

UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
SPORT = FollowKey(FollowKind.SECTION, "sport", "Sport")

FOLLOWER, OTHER = 1001, 1002


def news(item_id: str, title: str, published: datetime, **fields: Any) -> NewsItem:
    return NewsItem(
        id=item_id,
        feed="nos-algemeen",
        source="NOS",
        link=f"https://nos.nl/l/{item_id}",
        title=title,
        summary=fields.pop("summary", ""),
        text="",
        published=published,
        countries=("UA",),
        sections=("buitenland",),
        **fields,
    )


DRONES = "Zeker 13 mijnwerkers dood door Russische drone-aanval"
KYIV = "Grote drone-aanval op Kyiv, zeker drie doden"
TALKS = "Zelensky: geen gesprekken zolang aanvallen doorgaan"


class Rig:
    """The engine and what it needs, wired as ``post_init`` wires them."""

    def __init__(
        self, fake: FakeTelegram, store: Store, bot: ExtBot[str], clock: ManualClock
    ) -> None:
        self.fake = fake
        self.store = store
        self.bot = bot
        self.clock = clock
        self.index = FollowIndex()
        store.on_follows_changed(self._follows_changed)
        self.delivery = Delivery(bot=bot, store=store, index=self.index, clock=clock, tz=AMS)

    def _follows_changed(
        self, chat_id: int, added: tuple[FollowKey, ...], removed: tuple[FollowKey, ...]
    ) -> None:
        self.index.remove(chat_id, removed)
        self.index.add(chat_id, added)

    async def subscribe(
        self, chat_id: int, *keys: FollowKey, chat_type: str = "private", **settings: str
    ) -> None:
        await self.store.ensure_chat(chat_id, chat_type)
        await self.store.add_follows(chat_id, list(keys))
        if settings:
            await self.store.set_settings(chat_id, **settings)

    async def publish(self, *items: NewsItem) -> None:
        """A poll cycle found ``items``: store them, plan them and enqueue, as the poll job does."""
        await self.store.add_items(items)
        await self.delivery.enqueue(self.plan(items))

    def plan(self, items: Sequence[NewsItem]) -> list[PlannedEntry]:
        def prefs_for(chat_id: int) -> ChatPrefs:
            chat = self.store.get_chat(chat_id)
            assert chat is not None
            return prefs_from_settings(chat.settings)

        matches = self.index.match(items)
        return plan_entries(matches, prefs_for, now=self.clock(), tz=AMS, max_age=MAX_AGE)

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.fake.sent_messages(chat_id)]

    def pending_of(self, chat_id: int) -> list[str]:
        return [
            e.id
            for e in self.store.pending(datetime.max.replace(tzinfo=UTC))
            if e.chat_id == chat_id
        ]


@pytest.fixture
async def rig(tmp_path: Path, fake_telegram: FakeTelegram) -> AsyncIterator[Rig]:
    clock = ManualClock(NOW)
    store = await Store.open(tmp_path / "data", clock=clock, shard_count=4, freeze_gc=False)
    # A tenth of Telegram's one-message-a-second spacing per chat keeps this file
    # fast where a chat gets a second send; the spacing itself is test_pacer's.
    limiter = PacedRateLimiter(Pacer(private_interval_s=0.1))
    bot: ExtBot[str] = ExtBot(
        fake_telegram.token, base_url=fake_telegram.base_url, rate_limiter=limiter
    )
    async with bot:
        try:
            yield Rig(fake_telegram, store, bot, clock)
        finally:
            await store.close()


def at(hours: float = 0, minutes: float = 0) -> datetime:
    return NOW + timedelta(hours=hours, minutes=minutes)


# -- coalescing ----------------------------------------------------------------


async def test_entries_of_several_cycles_coalesce_into_one_message_per_chat(rig: Rig) -> None:
    await rig.subscribe(FOLLOWER, UA)
    await rig.subscribe(OTHER, UA)
    await rig.publish(news("2600568", DRONES, at(minutes=-2)))
    rig.clock.advance(timedelta(minutes=10))
    await rig.publish(news("2600571", KYIV, at(minutes=8)))
    rig.clock.advance(timedelta(minutes=10))
    await rig.publish(news("2600575", TALKS, at(minutes=19)))
    assert len(rig.pending_of(FOLLOWER)) == 3

    report = await rig.delivery.drain()

    assert report == DrainReport(chats=2, sent=2)
    for chat_id in (FOLLOWER, OTHER):
        (text,) = rig.texts(chat_id)
        assert text.startswith("📰 <b>3 nieuwe berichten</b> via Oekraïne")
        # newest first, each story once
        assert text.index(TALKS) < text.index(KYIV) < text.index(DRONES)
        assert rig.pending_of(chat_id) == []
    assert rig.fake.sent_messages(FOLLOWER)[0]["parse_mode"] == "HTML"
    assert rig.fake.sent_messages(FOLLOWER)[0]["link_preview_options"] == {"is_disabled": True}
    assert len(rig.fake.calls_of("sendMessage")) == 2


async def test_a_delivered_story_is_not_planned_again(rig: Rig) -> None:
    await rig.subscribe(FOLLOWER, UA)
    story = news("2600568", DRONES, at(minutes=-2))
    await rig.publish(story)
    await rig.delivery.drain()
    await rig.publish(story)  # the same story seen again in a later cycle
    assert await rig.delivery.drain() == DrainReport()
    assert len(rig.texts(FOLLOWER)) == 1


async def test_an_away_line_and_a_push_are_two_messages_away_first(rig: Rig) -> None:
    await rig.subscribe(FOLLOWER, UA)
    await rig.publish(
        news("2600401", "Oekraïne krijgt extra luchtafweer", at(hours=-9)),
        news("2600402", "Kyiv zonder stroom na aanval", at(hours=-8)),
        news("2600568", DRONES, at(minutes=-2)),
    )
    report = await rig.delivery.drain()
    assert report == DrainReport(chats=1, sent=2)
    away, push = rig.texts(FOLLOWER)
    assert away == "Terwijl je weg was: 2 berichten over Oekraïne — /laatste oekraine"
    assert DRONES in push


# -- quiet hours and digests -----------------------------------------------------


async def test_quiet_hours_hold_pushes_until_they_end_then_send_one_message(rig: Rig) -> None:
    await rig.subscribe(FOLLOWER, UA, quiet_start="23:00", quiet_end="07:00")
    rig.clock.now = datetime(2026, 10, 1, 22, 55, tzinfo=AMS).astimezone(UTC)
    await rig.publish(news("2600568", DRONES, rig.clock.now))  # planned before 23:00: due now
    rig.clock.now = datetime(2026, 10, 1, 23, 5, tzinfo=AMS).astimezone(UTC)
    await rig.publish(news("2600571", KYIV, rig.clock.now))  # planned inside: due at 07:00

    assert await rig.delivery.drain() == DrainReport(chats=1)  # held by the engine
    rig.clock.now = datetime(2026, 10, 2, 6, 59, tzinfo=AMS).astimezone(UTC)
    assert await rig.delivery.drain() == DrainReport()
    assert rig.texts(FOLLOWER) == []
    assert len(rig.pending_of(FOLLOWER)) == 2

    rig.clock.now = datetime(2026, 10, 2, 7, 0, tzinfo=AMS).astimezone(UTC)
    assert await rig.delivery.drain() == DrainReport(chats=1, sent=1)
    (text,) = rig.texts(FOLLOWER)
    assert text.startswith("📰 <b>2 nieuwe berichten</b>")
    assert KYIV in text
    assert DRONES in text


async def test_a_digest_chat_gets_one_digest_at_its_time(rig: Rig) -> None:
    await rig.subscribe(FOLLOWER, UA, SPORT, digest_time="18:00")
    await rig.publish(news("2600568", DRONES, at(minutes=-2)))
    rig.clock.advance(timedelta(hours=1))
    await rig.publish(
        dataclasses.replace(
            news("2600999", "Feyenoord wint ruim van Sparta", at(minutes=58)),
            countries=(),
            sections=("sport",),
        )
    )
    assert await rig.delivery.drain() == DrainReport()
    rig.clock.now = datetime(2026, 10, 1, 18, 0, tzinfo=AMS).astimezone(UTC)
    assert await rig.delivery.drain() == DrainReport(chats=1, sent=1)
    (text,) = rig.texts(FOLLOWER)
    assert "Je dagelijkse nieuwsoverzicht" in text.split("\n", 1)[0]
    assert "Feyenoord wint ruim van Sparta" in text
    assert DRONES in text


# -- Telegram says no ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("chat_id", "chat_type", "kind"),
    [
        (FOLLOWER, "private", "blocked"),
        (FOLLOWER, "private", "deactivated"),
        (-100777, "supergroup", "kicked"),
        (-4777, "group", "chat_not_found"),
    ],
)
async def test_a_chat_that_is_gone_is_deactivated_and_others_still_get_news(
    rig: Rig, chat_id: int, chat_type: str, kind: FaultKind
) -> None:
    await rig.subscribe(chat_id, UA, chat_type=chat_type)
    await rig.subscribe(OTHER, UA)
    rig.fake.fail("sendMessage", chat_id=chat_id, kind=kind, times=None)
    await rig.publish(news("2600568", DRONES, at(minutes=-2)))

    report = await rig.delivery.drain()

    assert report == DrainReport(chats=2, sent=1, deactivated=1)
    chat = rig.store.get_chat(chat_id)
    assert chat is not None
    assert not chat.active
    assert chat.follows == (UA,)  # kept, should the chat come back
    assert chat_id not in rig.index
    assert rig.pending_of(chat_id) == []
    assert len(rig.texts(OTHER)) == 1
    await rig.publish(news("2600571", KYIV, at(minutes=1)))  # no longer planned for it
    assert await rig.delivery.drain() == DrainReport(chats=1, sent=1)
    assert len(rig.fake.calls_of("sendMessage", chat_id)) == 1


async def test_a_migrated_group_gets_its_news_under_the_new_id(rig: Rig) -> None:
    old, new = -4001, -1004001
    await rig.subscribe(old, UA, chat_type="group")
    rig.fake.fail("sendMessage", chat_id=old, kind="migrate", migrate_to=new)
    story = news("2600568", DRONES, at(minutes=-2))
    await rig.publish(story)
    (entry_id,) = rig.pending_of(old)

    report = await rig.delivery.drain()

    assert report == DrainReport(chats=1, sent=1)
    assert rig.texts(old) == []
    assert len(rig.texts(new)) == 1
    assert rig.store.get_chat(old) is None
    moved = rig.store.get_chat(new)
    assert moved is not None
    assert moved.follows == (UA,)
    assert old not in rig.index
    assert rig.index.follows(new) == frozenset({UA})
    assert rig.store.is_delivered(migrated_id(entry_id, old, new))
    await rig.publish(story)  # seen again: the new id has had it
    assert await rig.delivery.drain() == DrainReport()


async def test_after_a_migration_the_chats_other_messages_follow_to_the_new_id(rig: Rig) -> None:
    old, new = -4002, -1004002
    await rig.subscribe(old, UA, chat_type="group")
    rig.fake.fail("sendMessage", chat_id=old, kind="migrate", migrate_to=new)
    await rig.publish(
        news("2600401", "Oekraïne krijgt extra luchtafweer", at(hours=-9)),
        news("2600568", DRONES, at(minutes=-2)),
    )
    rig.delivery.kick()  # the outbox job's path: it drains again after a migration
    await rig.delivery.wait_idle()
    away, push = rig.texts(new)
    assert away.startswith("Terwijl je weg was: 1 bericht over Oekraïne")
    assert DRONES in push
    assert rig.texts(old) == []
    assert rig.store.pending_count() == 0


async def test_a_429_requeues_the_chat_for_the_time_telegram_asks(rig: Rig) -> None:
    await rig.subscribe(FOLLOWER, UA)
    await rig.subscribe(OTHER, UA)
    rig.fake.fail("sendMessage", chat_id=FOLLOWER, kind="retry_after", retry_after=2)
    await rig.publish(news("2600568", DRONES, at(minutes=-2)))

    assert await rig.delivery.drain() == DrainReport(chats=2, sent=1, requeued=1)
    (held,) = rig.store.pending(at(hours=1))
    assert (held.chat_id, held.not_before, held.attempts) == (
        FOLLOWER,
        at() + timedelta(seconds=2),
        0,
    )
    assert await rig.delivery.drain() == DrainReport()  # not due before the wait is over
    assert rig.texts(FOLLOWER) == []

    rig.clock.advance(timedelta(seconds=2))
    assert await rig.delivery.drain() == DrainReport(chats=1, sent=1)
    assert len(rig.texts(FOLLOWER)) == 1
    assert [c.http_status for c in rig.fake.calls_of("sendMessage", FOLLOWER)] == [429, 200]


async def test_html_telegram_refuses_is_sent_again_as_plain_text(rig: Rig) -> None:
    await rig.subscribe(FOLLOWER, UA)
    rig.fake.fail("sendMessage", chat_id=FOLLOWER, kind="bad_html")
    await rig.publish(news("2600568", DRONES, at(minutes=-2), summary="Zeker dertien doden."))

    assert await rig.delivery.drain() == DrainReport(chats=1, sent=1)

    refused, accepted = rig.fake.calls_of("sendMessage", FOLLOWER)
    assert refused.http_status == 400
    assert refused.params["parse_mode"] == "HTML"
    assert accepted.ok
    assert "parse_mode" not in accepted.params
    assert accepted.params["text"] == to_plain_text(refused.params["text"])
    assert "<a href" in refused.params["text"]
    assert "<" not in accepted.params["text"]
    assert DRONES in accepted.params["text"]
    assert rig.pending_of(FOLLOWER) == []


async def test_a_server_error_is_retried_at_once_a_few_times(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "RETRY_BASE_S", 0.01)  # the backoff's length is not the point
    await rig.subscribe(FOLLOWER, UA)
    rig.fake.fail("sendMessage", chat_id=FOLLOWER, kind="server_error", status=502, times=2)
    await rig.publish(news("2600568", DRONES, at(minutes=-2)))

    assert await rig.delivery.drain() == DrainReport(chats=1, sent=1)
    statuses = [c.http_status for c in rig.fake.calls_of("sendMessage", FOLLOWER)]
    assert statuses == [502, 502, 200]


async def test_a_lasting_server_error_leaves_the_message_in_the_outbox_for_later(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "RETRY_BASE_S", 0.01)
    await rig.subscribe(FOLLOWER, UA)
    rig.fake.fail("sendMessage", chat_id=FOLLOWER, kind="server_error", times=None)
    await rig.publish(news("2600568", DRONES, at(minutes=-2)))

    assert await rig.delivery.drain() == DrainReport(chats=1, requeued=1)
    (held,) = rig.store.pending(at(hours=1))
    assert (held.attempts, held.not_before) == (1, at() + timedelta(seconds=30))
    assert len(rig.fake.calls_of("sendMessage", FOLLOWER)) == engine.INLINE_ATTEMPTS

    rig.fake.clear_faults()
    rig.clock.advance(timedelta(seconds=30))
    assert await rig.delivery.drain() == DrainReport(chats=1, sent=1)
    assert len(rig.texts(FOLLOWER)) == 1


async def test_a_refused_token_stops_broadcasting_and_keeps_the_outbox(
    rig: Rig, fake_telegram: FakeTelegram
) -> None:
    await rig.subscribe(FOLLOWER, UA)
    await rig.subscribe(OTHER, UA)
    await rig.publish(news("2600568", DRONES, at(minutes=-2)))
    # The token was revoked: Telegram answers 401 to every call.
    revoked: ExtBot[str] = ExtBot(
        "123456:REVOKED", base_url=fake_telegram.base_url, rate_limiter=PacedRateLimiter(Pacer())
    )
    delivery = Delivery(
        bot=revoked, store=rig.store, index=rig.index, clock=rig.clock, tz=AMS, workers=1
    )
    try:
        report = await delivery.drain()
    finally:
        await revoked.shutdown()

    assert report == DrainReport(chats=2)
    assert [c.http_status for c in fake_telegram.calls_of("sendMessage")] == [401]
    assert rig.store.pending_count() == 2  # nothing dropped, nothing deactivated
    assert all(chat.active for chat in rig.store.iter_chats())
    delivery.kick()  # stopped for good: a kick starts nothing
    await delivery.wait_idle()
    assert len(fake_telegram.calls_of("sendMessage")) == 1


# -- gone before the drain ---------------------------------------------------------


@pytest.mark.parametrize("gone", ["deleted", "deactivated"])
async def test_entries_planned_for_a_chat_that_left_meanwhile_are_dropped_unsent(
    rig: Rig, gone: str
) -> None:
    await rig.subscribe(FOLLOWER, UA)
    story = news("2600568", DRONES, at(minutes=-2))
    await rig.store.add_items([story])
    planned = rig.plan([story])
    # /stop (or a block noticed by another send) lands while the cycle is still
    # planning: the entries are written after the chat left.
    if gone == "deleted":
        await rig.store.delete_chat(FOLLOWER)
    else:
        await rig.store.deactivate(FOLLOWER, "Forbidden: bot was blocked by the user")
    await rig.delivery.enqueue(planned)
    assert len(rig.pending_of(FOLLOWER)) == 1

    assert await rig.delivery.drain() == DrainReport(chats=1)
    assert rig.pending_of(FOLLOWER) == []
    assert rig.fake.calls_of("sendMessage") == []


async def test_an_entry_whose_stories_were_pruned_is_dropped_unsent(rig: Rig) -> None:
    await rig.subscribe(FOLLOWER, UA)
    await rig.publish(news("2600568", DRONES, at(minutes=-2)))
    (entry,) = rig.store.pending()
    pruned = dataclasses.replace(
        entry,
        id=f"{FOLLOWER}:pruned",
        payload={"stories": [["2500001", [["country:UA", "Oekraïne"]]]], "more": 0},
    )
    await rig.store.drop([entry.id])
    await rig.store.enqueue([pruned])

    assert await rig.delivery.drain() == DrainReport(chats=1)
    assert rig.store.pending_count() == 0
    assert rig.fake.calls_of("sendMessage") == []
