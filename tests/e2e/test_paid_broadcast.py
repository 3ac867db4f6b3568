"""Paid broadcasts end to end: the production Application, the fake Bot API with flood limits.

``push.paid_broadcast`` puts ``allow_paid_broadcast`` on broadcast sends, and
on nothing else: command replies are free messages. Off (the default), no send
carries it. A 429 on a paid broadcast send still re-queues that chat.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.sim.feeds import FeedServer
from bot.sim.telegram import Call, FakeTelegram
from tests.app_harness import (
    NOW,
    ManualClock,
    is_push,
    make_config,
    rss_item,
    running_app,
    serve_feed,
)

OLD = rss_item(
    "nos-1",
    "Kabinet presenteert plannen voor de woningmarkt",
    "Het kabinet wil meer betaalbare huizen bouwen.",
    NOW - timedelta(hours=1),
    "https://nos.nl/l/1",
)
TITLE = "Oekraïne meldt grote drone-aanval op Kyiv"
FOLLOWERS = (1001, 1002, 1003)
ADMIN = 9001  # make_config's admin


def paid_flags(calls: list[Call]) -> list[object]:
    return [call.params.get("allow_paid_broadcast") for call in calls]


@pytest.mark.fake_telegram(enforce_flood_limits=True)
@pytest.mark.parametrize("paid", [True, False], ids=["paid", "default"])
async def test_the_paid_flag_is_on_broadcast_sends_only_and_only_when_configured(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer, paid: bool
) -> None:
    clock = ManualClock(NOW)
    serve_feed(feed_server, "/nos.xml", "NOS", [OLD])
    config = make_config(
        fake_telegram,
        feed_server,
        tmp_path / "data",
        {"/nos.xml": ("NOS", ())},
        paid_broadcast=paid,
        messages_per_second=1000.0 if paid else 25.0,
    )
    async with running_app(config, fake_telegram, feed_server, clock) as app:
        for chat_id in FOLLOWERS:
            reply = await fake_telegram.send_and_wait(chat_id, "/volg oekraine")
            assert reply["text"].startswith("✅")
        await app.cycle()  # baseline: the old item is stored, not pushed
        feed_server.publish_item(
            "/nos.xml",
            rss_item("nos-2", TITLE, "KYIV (ANP) - Drones.", clock.now, "https://nos.nl/l/2"),
        )
        await app.cycle()
        answer = await fake_telegram.send_and_wait(FOLLOWERS[0], "/laatste oekraine")
        assert TITLE in answer["text"]

        for chat_id in FOLLOWERS:
            assert len(app.pushes(chat_id)) == 1
    sends = fake_telegram.calls_of("sendMessage")
    pushes = [c for c in sends if is_push(str(c.params.get("text")))]
    replies = [c for c in sends if c not in pushes]
    assert len(pushes) == len(FOLLOWERS)
    assert len(replies) >= len(FOLLOWERS) + 1  # the /volg confirmations and /laatste
    assert paid_flags(pushes) == [True if paid else None] * len(FOLLOWERS)
    assert set(paid_flags(replies)) == {None}
    assert fake_telegram.flood_429_count == 0


@pytest.mark.fake_telegram(enforce_flood_limits=True)
async def test_a_429_on_a_paid_broadcast_send_requeues_that_chat(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    serve_feed(feed_server, "/nos.xml", "NOS", [OLD])
    config = make_config(
        fake_telegram,
        feed_server,
        tmp_path / "data",
        {"/nos.xml": ("NOS", ())},
        paid_broadcast=True,
        messages_per_second=1000.0,
    )
    async with running_app(config, fake_telegram, feed_server, clock) as app:
        for chat_id in FOLLOWERS:
            await fake_telegram.send_and_wait(chat_id, "/volg oekraine")
        await app.cycle()
        fake_telegram.fail("sendMessage", chat_id=FOLLOWERS[1], kind="retry_after", retry_after=3)
        feed_server.publish_item(
            "/nos.xml",
            rss_item("nos-2", TITLE, "KYIV (ANP) - Drones.", clock.now, "https://nos.nl/l/2"),
        )
        await app.cycle()
        delivery = app.services.delivery
        assert delivery is not None
        assert app.pushes(FOLLOWERS[1]) == []
        (held,) = app.services.store.pending(clock.now + timedelta(hours=1))
        assert held.chat_id == FOLLOWERS[1]
        assert held.not_before == clock.now + timedelta(seconds=3)

        clock.advance(timedelta(seconds=3))
        await app.drain()
        for chat_id in FOLLOWERS:
            assert len(app.pushes(chat_id)) == 1
    retried = fake_telegram.calls_of("sendMessage", FOLLOWERS[1])
    pushed = [c for c in retried if TITLE in str(c.params.get("text"))]
    assert [c.http_status for c in pushed] == [429, 200]
    assert paid_flags(pushed) == [True, True]
