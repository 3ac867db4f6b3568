"""Push end to end: the production Application, the loopback Bot API and the loopback feeds.

Users follow through real commands; a poll cycle fetches real HTTP from the feed
server; the push engine sends through python-telegram-bot to the fake Bot API.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.app_harness import (
    NOW,
    ManualClock,
    is_push,
    make_config,
    rss_item,
    running_app,
    serve_feed,
)

UKRAINE_TITLE = "Oekraïne meldt grote drone-aanval op Kyiv"
UKRAINE_LEAD = (
    "KYIV (ANP/RTR) - Rusland heeft de Oekraïense hoofdstad Kyiv in de nacht aangevallen "
    "met tientallen drones. Volgens burgemeester Klitsjko zijn zeker drie doden gevallen."
)
SPORT_TITLE = "Feyenoord wint ruim van Sparta"
SPORT_LEAD = "Feyenoord heeft zondag met 4-0 gewonnen van Sparta in De Kuip."

OLD = rss_item(
    "nos-1",
    "Kabinet presenteert plannen voor de woningmarkt",
    "Het kabinet wil meer betaalbare huizen bouwen.",
    NOW - timedelta(hours=1),
    "https://nos.nl/l/1",
)
FOLLOWER, SPORT_FAN, KEYWORD_FAN = 1001, 1002, 1003


def publish_ukraine(feeds: FeedServer, clock: ManualClock) -> None:
    """NOS publishes the Ukraine story, timed now."""
    feeds.publish_item(
        "/nos.xml", rss_item("nos-2", UKRAINE_TITLE, UKRAINE_LEAD, clock.now, "https://nos.nl/l/2")
    )


async def follow(fake: FakeTelegram, chat_id: int, what: str) -> None:
    reply = await fake.send_and_wait(chat_id, f"/volg {what}")
    assert reply["text"].startswith("✅"), reply["text"]


async def start_with_baseline(
    tmp_path: Path, fake: FakeTelegram, feeds: FeedServer, clock: ManualClock, **push: object
):  # type: ignore[no-untyped-def]
    serve_feed(feeds, "/nos.xml", "NOS", [OLD])
    serve_feed(feeds, "/nu.xml", "NU.nl", [])
    config = make_config(
        fake,
        feeds,
        tmp_path / "data",
        {"/nos.xml": ("NOS", ()), "/nu.xml": ("NU.nl", ())},
        **push,
    )
    return running_app(config, fake, feeds, clock)


async def test_ukraine_item_reaches_its_follower_once_and_not_the_sport_fan(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await follow(fake_telegram, SPORT_FAN, "sport")
        await follow(fake_telegram, KEYWORD_FAN, '"Klitsjko"')
        await app.cycle()  # baseline: the old item is stored, not pushed
        assert app.pushes(FOLLOWER) == []

        publish_ukraine(feed_server, clock)
        await app.cycle()
        await app.cycle()  # nothing new: no second copy

        pushes = app.pushes(FOLLOWER)
        assert len(pushes) == 1
        assert UKRAINE_TITLE in pushes[0]
        assert "via Oekraïne" in pushes[0]
        assert "Kyiv" in pushes[0]  # dateline city
        assert app.pushes(SPORT_FAN) == []
        keyword = app.pushes(KEYWORD_FAN)
        assert len(keyword) == 1
        assert "via Klitsjko" in keyword[0]


async def test_same_wire_story_from_two_outlets_is_one_push(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await app.cycle()
        publish_ukraine(feed_server, clock)
        feed_server.publish_item(
            "/nu.xml",
            rss_item(
                "nu-9",
                "Doden bij Russische drone-aanval op Oekraïense hoofdstad Kyiv",
                UKRAINE_LEAD,
                clock.now + timedelta(minutes=3),
                "https://www.nu.nl/9",
            ),
        )
        await app.cycle()
        pushes = app.pushes(FOLLOWER)
        assert len(pushes) == 1, pushes
        assert "ook bij NU.nl" in pushes[0]


async def test_retry_after_is_waited_out_and_nothing_is_lost(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await follow(fake_telegram, SPORT_FAN, "oekraine")
        await app.cycle()
        fake_telegram.fail("sendMessage", chat_id=FOLLOWER, kind="retry_after", retry_after=2)
        publish_ukraine(feed_server, clock)
        await app.cycle()
        assert app.pushes(FOLLOWER) == []  # refused with 429, waiting in the outbox
        assert len(app.pushes(SPORT_FAN)) == 1  # the other chat is not held up
        refused = [c for c in fake_telegram.calls_of("sendMessage", FOLLOWER) if not c.ok]
        assert [c.http_status for c in refused] == [429]
        assert app.services.store.pending_count() == 1
        clock.advance(timedelta(seconds=3))
        await app.drain()
        delivered = [c for c in fake_telegram.calls_of("sendMessage", FOLLOWER) if c.ok]
        assert len(app.pushes(FOLLOWER)) == 1
        assert delivered[-1].at - refused[0].at >= 2.0
        assert app.services.store.pending_count() == 0


async def test_blocked_chat_is_deactivated_and_others_still_get_news(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await follow(fake_telegram, SPORT_FAN, "oekraine")
        await app.cycle()
        fake_telegram.fail("sendMessage", chat_id=FOLLOWER, kind="blocked", times=None)
        publish_ukraine(feed_server, clock)
        await app.cycle()
        record = app.services.store.get_chat(FOLLOWER)
        assert record is not None
        assert not record.active
        assert record.follows  # kept for a returning /start
        assert FOLLOWER not in app.services.index
        assert len(app.pushes(SPORT_FAN)) == 1
        assert app.services.store.pending_count() == 0


async def test_migrated_group_gets_the_message_at_its_new_id(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    group, supergroup, admin = -4001, -1004001, 77
    fake_telegram.set_admins(group, [admin])
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        reply = await fake_telegram.send_and_wait(group, "/volg oekraine", user_id=admin)
        assert reply["text"].startswith("✅")
        await app.cycle()
        fake_telegram.fail("sendMessage", chat_id=group, kind="migrate", migrate_to=supergroup)
        publish_ukraine(feed_server, clock)
        await app.cycle()
        assert len(app.pushes(supergroup)) == 1
        assert app.services.store.get_chat(group) is None
        migrated = app.services.store.get_chat(supergroup)
        assert migrated is not None
        assert "country:UA" in {str(k) for k in migrated.follows}
        assert supergroup in app.services.index


async def test_quiet_hours_hold_pushes_and_deliver_one_message_when_they_end(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    # 22:50 in Amsterdam (UTC+2 on 1 October).
    clock = ManualClock(NOW.replace(hour=20, minute=50))
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        reply = await fake_telegram.send_and_wait(FOLLOWER, "/stil 23:00-07:00")
        assert "23:00" in reply["text"]
        await app.cycle()  # 23:00: quiet hours begin
        for n in range(3):
            feed_server.publish_item(
                "/nos.xml",
                rss_item(
                    f"nos-q{n}",
                    f"{UKRAINE_TITLE} ({n + 1})",
                    UKRAINE_LEAD + f" Update {n}.",
                    clock.now,
                    f"https://nos.nl/l/q{n}",
                ),
            )
            await app.cycle()
        assert app.pushes(FOLLOWER) == []
        clock.now = NOW.replace(day=2, hour=5, minute=1)  # 07:01 local
        await app.drain()
        pushes = app.pushes(FOLLOWER)
        # Three reports of one story: held, then one message, the first report
        # leading and the later two linked beside it (a story is one entry).
        assert len(pushes) == 1
        assert f"{UKRAINE_TITLE} (1)" in pushes[0]
        assert "ook bij: " in pushes[0]
        assert "https://nos.nl/l/q1" in pushes[0]
        assert "https://nos.nl/l/q2" in pushes[0]
        assert len(fake_telegram.sent_messages(FOLLOWER)) == 3  # two replies + this push


async def test_digest_mode_sends_one_daily_message(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)  # 15:00 local
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine, sport")
        reply = await fake_telegram.send_and_wait(FOLLOWER, "/samenvatting 08:00")
        assert "08:00" in reply["text"]
        await app.cycle()
        publish_ukraine(feed_server, clock)
        feed_server.publish_item(
            "/nu.xml",
            rss_item("nu-s", SPORT_TITLE, SPORT_LEAD, clock.now, "https://www.nu.nl/sport/1"),
        )
        await app.cycle()
        assert app.pushes(FOLLOWER) == []
        clock.now = NOW.replace(day=2, hour=6, minute=1)  # 08:01 local next day
        await app.drain()
        pushes = app.pushes(FOLLOWER)
        assert len(pushes) == 1
        assert pushes[0].startswith("🗞")
        assert "Oekraïne" in pushes[0]
        assert "Sport" in pushes[0]


async def test_backlog_after_downtime_is_counted_not_pushed(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await app.cycle()
        for n in range(4):
            feed_server.publish_item(
                "/nos.xml",
                rss_item(
                    f"nos-old{n}",
                    f"{UKRAINE_TITLE} ({n})",
                    UKRAINE_LEAD + f" Deel {n}.",
                    clock.now - timedelta(hours=8 + n),
                    f"https://nos.nl/l/old{n}",
                ),
            )
        await app.cycle()
        texts = [m["text"] for m in fake_telegram.sent_messages(FOLLOWER) if is_push(m["text"])]
        assert texts == ["Terwijl je weg was: 4 berichten over Oekraïne — /laatste oekraine"]


async def test_a_hanging_feed_does_not_delay_the_others(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await app.cycle()
        feed_server.fault("/nu.xml", delay_s=30)
        assert app.services.pipeline is not None
        app.services.pipeline.fetcher.deadline_s = 1.0  # type: ignore[attr-defined]
        publish_ukraine(feed_server, clock)
        started = time.monotonic()
        await app.cycle()
        assert time.monotonic() - started < 10
        assert len(app.pushes(FOLLOWER)) == 1
        assert app.services.last_cycle is not None
        failed = {o.feed for o in app.services.last_cycle.failed}
        assert failed == {"NU.nl nu.xml"}


async def test_rejected_html_is_resent_once_as_plain_text(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await app.cycle()
        fake_telegram.fail("sendMessage", chat_id=FOLLOWER, kind="bad_html")
        publish_ukraine(feed_server, clock)
        await app.cycle()
        sends = fake_telegram.calls_of("sendMessage", FOLLOWER)[-2:]
        assert [call.http_status for call in sends] == [400, 200]
        assert sends[0].params["parse_mode"] == "HTML"
        assert "parse_mode" not in sends[1].params
        assert UKRAINE_TITLE in sends[1].params["text"]
        assert "<b>" not in sends[1].params["text"]
        assert app.services.store.pending_count() == 0


async def test_server_errors_are_retried_then_kept_for_a_later_drain(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await app.cycle()
        # More failures than the quick retries: the message must wait, not vanish.
        fake_telegram.fail("sendMessage", chat_id=FOLLOWER, kind="server_error", times=4)
        publish_ukraine(feed_server, clock)
        await app.cycle()
        failed = [c for c in fake_telegram.calls_of("sendMessage", FOLLOWER) if not c.ok]
        assert len(failed) == 3
        assert app.pushes(FOLLOWER) == []
        assert app.services.store.pending_count() == 1
        await app.drain()  # not due yet: the entry waits for its backoff
        assert app.pushes(FOLLOWER) == []
        clock.advance(timedelta(minutes=1))
        await app.drain()  # the fourth failure: quick retry, then delivered
        assert len(app.pushes(FOLLOWER)) == 1
        assert app.services.store.pending_count() == 0


async def test_a_chat_that_comes_back_gets_pushes_again(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await app.cycle()
        fake_telegram.fail("sendMessage", chat_id=FOLLOWER, kind="blocked")
        publish_ukraine(feed_server, clock)
        await app.cycle()
        record = app.services.store.get_chat(FOLLOWER)
        assert record is not None
        assert not record.active
        # The user unblocks the bot and follows something: no /start needed.
        await follow(fake_telegram, FOLLOWER, "sport")
        record = app.services.store.get_chat(FOLLOWER)
        assert record is not None
        assert record.active
        feed_server.publish_item(
            "/nos.xml",
            rss_item(
                "nos-3",
                "Nieuwe aanval op Kyiv",
                UKRAINE_LEAD + " Opnieuw.",
                clock.now,
                "https://nos.nl/l/3",
            ),
        )
        await app.cycle()
        assert any("Nieuwe aanval op Kyiv" in text for text in app.pushes(FOLLOWER))


async def test_group_upgrade_message_moves_the_follows_at_once(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    group, supergroup, admin = -5001, -1005001, 88
    fake_telegram.set_admins(group, [admin])
    fake_telegram.set_admins(supergroup, [admin])
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        reply = await fake_telegram.send_and_wait(group, "/volg oekraine", user_id=admin)
        assert reply["text"].startswith("✅")
        await app.cycle()
        after = fake_telegram.mark()
        fake_telegram.add_update(
            {
                "message": {
                    "message_id": 900,
                    "date": int(clock.now.timestamp()),
                    "chat": {"id": group, "type": "group", "title": "Nieuws"},
                    "from": {"id": admin, "is_bot": False, "first_name": "Beheer"},
                    "migrate_to_chat_id": supergroup,
                }
            }
        )
        await fake_telegram.wait_for_call(
            "getUpdates", predicate=lambda c: int(c.params.get("offset", 0)) > 0, after=after
        )
        for _ in range(100):
            if app.services.store.get_chat(group) is None:
                break
            await asyncio.sleep(0.02)
        moved = app.services.store.get_chat(supergroup)
        assert moved is not None
        assert "country:UA" in {str(k) for k in moved.follows}
        stop = await fake_telegram.send_and_wait(supergroup, "/stop", user_id=admin)
        assert stop["reply_markup"] is not None  # asks for confirmation
        publish_ukraine(feed_server, clock)
        await app.cycle()
        assert len(app.pushes(supergroup)) == 1
        assert app.pushes(group) == []


async def test_each_chat_sees_its_own_spelling_of_a_keyword(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, '"KLITSJKO"')
        await follow(fake_telegram, SPORT_FAN, '"Klitsjko"')
        await app.cycle()
        publish_ukraine(feed_server, clock)
        await app.cycle()
        assert "via KLITSJKO" in app.pushes(FOLLOWER)[0]
        assert "via Klitsjko" in app.pushes(SPORT_FAN)[0]
