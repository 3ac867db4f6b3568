"""Turning a hold off releases what it held: now, as one message (issue 15, item 1).

Through the production Application: the user switches the digest or quiet hours
with real commands while news waits in the outbox; the push must come without
another poll cycle or a drain by the test (the handler kicks the engine).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.sim.feeds import FeedServer
from bot.sim.telegram import Call, FakeTelegram
from tests.app_harness import NOW, ManualClock, RunningApp, is_push, rss_item
from tests.e2e.test_push_e2e import (
    FOLLOWER,
    UKRAINE_LEAD,
    UKRAINE_TITLE,
    follow,
    start_with_baseline,
)

# Long enough for a wrongly held push to show up if it were going to.
SILENCE_S = 3.0


# Distinct events (so stories do not fold them into one), all about Ukraine.
EVENTS = (
    (UKRAINE_TITLE, UKRAINE_LEAD),
    (
        "Oekraïne en Polen sluiten graanakkoord",
        "WARSCHAU (ANP) - Oekraïne en Polen hebben een akkoord gesloten over de doorvoer "
        "van graan over de grens bij Dorohoesk.",
    ),
    (
        "Zelensky bezoekt troepen bij Charkiv",
        "CHARKIV (ANP) - De Oekraïense president Zelensky heeft soldaten in het oosten van "
        "het land bezocht en medailles uitgereikt.",
    ),
)


def title(n: int) -> str:
    return f"{EVENTS[n][0]} ({n + 1})"


def publish(feeds: FeedServer, clock: ManualClock, n: int) -> None:
    feeds.publish_item(
        "/nos.xml",
        rss_item(f"nos-h{n}", title(n), EVENTS[n][1], clock.now, f"https://nos.nl/l/h{n}"),
    )


def pushed(call: Call) -> bool:
    return call.ok and is_push(str(call.params.get("text", "")))


async def say(fake: FakeTelegram, text: str) -> str:
    reply = await fake.send_and_wait(FOLLOWER, text)
    return str(reply["text"])


async def next_push(app: RunningApp, after: int) -> str:
    """The next push to the follower, sent by the engine on its own (no drain here)."""
    call = await app.fake.wait_for_call(
        "sendMessage", chat_id=FOLLOWER, predicate=pushed, after=after, timeout=10
    )
    return str(call.params["text"])


async def no_push(app: RunningApp, after: int) -> None:
    try:
        call = await app.fake.wait_for_call(
            "sendMessage", chat_id=FOLLOWER, predicate=pushed, after=after, timeout=SILENCE_S
        )
    except TimeoutError:
        return
    raise AssertionError(f"unexpected push: {call.params['text']!r}")


async def test_digest_off_sends_the_held_news_now_as_one_message(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)  # 15:00 local
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        assert "08:00" in await say(fake_telegram, "/samenvatting 08:00")
        await app.cycle()
        publish(feed_server, clock, 0)
        publish(feed_server, clock, 1)
        await app.cycle()
        assert app.pushes(FOLLOWER) == []
        assert app.services.store.pending_count() == 1

        mark = fake_telegram.mark()
        assert "je krijgt nieuws weer direct" in await say(fake_telegram, "/samenvatting uit")
        text = await next_push(app, mark)
        assert title(0) in text
        assert title(1) in text
        await app.drain()
        assert app.services.store.pending_count() == 0
        # Exactly once: not again at 08:00, nor in a later cycle.
        clock.now = NOW.replace(day=2, hour=6, minute=1)
        await app.cycle()
        assert len(app.pushes(FOLLOWER)) == 1


async def test_quiet_hours_off_sends_the_held_news_now_as_one_message(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW.replace(hour=20, minute=50))  # 22:50 local
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        assert "23:00" in await say(fake_telegram, "/stil 23:00-07:00")
        await app.cycle()  # 23:00: quiet hours begin
        for n in range(3):
            publish(feed_server, clock, n)
            await app.cycle()
        assert app.pushes(FOLLOWER) == []

        mark = fake_telegram.mark()
        assert "Stille uren staan uit" in await say(fake_telegram, "/stil uit")
        text = await next_push(app, mark)
        assert text.startswith("📰")
        assert "3 nieuwe berichten" in text
        await app.drain()
        assert app.services.store.pending_count() == 0
        clock.now = NOW.replace(day=2, hour=5, minute=1)  # 07:01: the old end passes
        await app.cycle()
        assert len(app.pushes(FOLLOWER)) == 1


async def test_quiet_hours_moved_away_from_now_release_the_news(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW.replace(hour=20, minute=50))  # 22:50 local
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await say(fake_telegram, "/stil 23:00-07:00")
        await app.cycle()  # 23:00
        publish(feed_server, clock, 0)
        await app.cycle()  # 23:10
        assert app.pushes(FOLLOWER) == []

        mark = fake_telegram.mark()
        await say(fake_telegram, "/stil 01:00-06:00")  # 23:10 is no longer quiet
        assert title(0) in await next_push(app, mark)


async def test_quiet_hours_that_still_cover_now_keep_holding_until_their_new_end(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW.replace(hour=20, minute=50))  # 22:50 local
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await say(fake_telegram, "/stil 23:00-07:00")
        await app.cycle()  # 23:00
        publish(feed_server, clock, 0)
        await app.cycle()  # 23:10

        mark = fake_telegram.mark()
        await say(fake_telegram, "/stil 23:00-06:00")
        await no_push(app, mark)
        clock.now = NOW.replace(day=2, hour=4, minute=1)  # 06:01 local: the new end
        await app.drain()
        assert len(app.pushes(FOLLOWER)) == 1


async def test_a_moved_digest_time_moves_the_held_news_with_it(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)  # 15:00 local
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await say(fake_telegram, "/samenvatting 08:00")
        await app.cycle()
        publish(feed_server, clock, 0)
        await app.cycle()  # 15:20

        mark = fake_telegram.mark()
        await say(fake_telegram, "/samenvatting 20:30")
        await no_push(app, mark)
        clock.now = NOW.replace(hour=18, minute=31)  # 20:31 local, the same day
        await app.drain()
        pushes = app.pushes(FOLLOWER)
        assert len(pushes) == 1
        assert pushes[0].startswith("🗞")


async def test_digest_off_during_quiet_hours_waits_for_their_end(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW.replace(hour=20, minute=50))  # 22:50 local
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await say(fake_telegram, "/samenvatting 08:00")
        await say(fake_telegram, "/stil 23:00-07:00")
        await app.cycle()  # 23:00
        publish(feed_server, clock, 0)
        await app.cycle()

        mark = fake_telegram.mark()
        await say(fake_telegram, "/samenvatting uit")
        await no_push(app, mark)
        clock.now = NOW.replace(day=2, hour=5, minute=1)  # 07:01 local
        await app.drain()
        assert len(app.pushes(FOLLOWER)) == 1


async def test_a_retry_hold_is_not_a_setting_and_stays(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW.replace(hour=20, minute=50))  # 22:50 local
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await app.cycle()  # 23:00
        fake_telegram.fail("sendMessage", chat_id=FOLLOWER, kind="server_error", times=4)
        publish(feed_server, clock, 0)
        await app.cycle()  # three quick failures: waits 30 s in the outbox
        assert app.services.store.pending_count() == 1
        await say(fake_telegram, "/stil 23:00-07:00")

        mark = fake_telegram.mark()
        await say(fake_telegram, "/stil uit")
        await no_push(app, mark)
        clock.advance(timedelta(minutes=1))
        await app.drain()
        assert len(app.pushes(FOLLOWER)) == 1
