"""A linked channel end to end: stories reach it once with a threaded follow-up, /status shows it.

The production Application, the loopback feed server and the fake Bot API. The
channel is linked and given its follows from its admin's private chat; the
pushes then go through the same outbox, planner and pacer as any chat's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.app_harness import NOW, ManualClock, RunningApp, make_config, running_app, serve_feed
from tests.e2e.test_stories_e2e import (
    news_sends,
    notified,
    publish,
    say,
    silent,
    three_outlets_over_three_cycles,
)
from tests.stories.nunspeet import ND, NOS, NRC, OUTLET_FEEDS

CHANNEL = -1001234567890
NAME = "nieuwsNL"
OWNER = 4201
OPERATOR = 9001  # make_config's admin id


@pytest.fixture
async def app(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> AsyncIterator[RunningApp]:
    for path, (outlet, _) in OUTLET_FEEDS.items():
        serve_feed(feed_server, path, outlet, [])
    fake_telegram.add_channel(CHANNEL, NAME, creator=OWNER, subscribers=1234)
    config = make_config(fake_telegram, feed_server, tmp_path / "data", OUTLET_FEEDS)
    async with running_app(config, fake_telegram, feed_server, ManualClock(NOW)) as running:
        await running.cycle()  # every feed's baseline: empty
        assert "is gekoppeld" in await say(fake_telegram, OWNER, f"/kanaal @{NAME}")
        answer = await say(fake_telegram, OWNER, f"/kanaal @{NAME} volg nunspeet")
        assert "✅ Je volgt nu: nunspeet" in answer
        yield running


async def settled(app: RunningApp, update: dict[str, Any]) -> None:
    """Wait until the handlers are done with an injected update."""
    await app.fake.wait_for_call(
        "getUpdates",
        predicate=lambda call: int(call.params.get("offset", 0)) > update["update_id"],
    )
    await asyncio.wait_for(app.application.update_queue.join(), 10)


async def test_a_story_reaches_the_channel_once_with_a_threaded_follow_up(
    app: RunningApp,
) -> None:
    await three_outlets_over_three_cycles(app)
    sends = news_sends(app, CHANNEL)
    (push,) = notified(sends)
    assert NRC.title in push.params["text"]
    (followup,) = silent(sends)
    assert followup.params["reply_parameters"]["message_id"] == push.result["message_id"]
    assert NOS.link in followup.params["text"]
    # The admin's private chat manages the channel; it gets no news itself.
    assert news_sends(app, OWNER) == []
    # ND's report waits out the 30 minutes since that follow-up, then threads too.
    app.clock.advance(timedelta(minutes=21))
    await app.drain()
    sends = news_sends(app, CHANNEL)
    assert len(notified(sends)) == 1
    second = silent(sends)[1]
    assert ND.link in second.params["text"]
    assert second.params["reply_parameters"]["message_id"] == push.result["message_id"]
    assert app.services.store.pending_count() == 0


async def test_a_demoted_bot_stops_posting_to_the_channel(app: RunningApp) -> None:
    publish(app, NRC)
    await app.cycle()
    assert len(news_sends(app, CHANNEL)) == 1
    await settled(app, app.fake.set_bot_standing(CHANNEL, "member", can_post=False))
    publish(app, NOS)
    await app.cycle()
    publish(app, ND)
    await app.cycle()
    assert len(news_sends(app, CHANNEL)) == 1
    # Stopped, not failing: no send to the channel was even attempted.
    assert [call for call in app.fake.calls_of("sendMessage", CHANNEL) if not call.ok] == []
    assert app.services.store.pending_count() == 0


async def test_status_lists_the_channel_with_its_subscribers(app: RunningApp) -> None:
    text = await say(app.fake, OPERATOR, "/status")
    assert "📣 <b>Kanalen</b> (1)" in text
    assert f"@{NAME}: 1234 abonnees, 1 onderwerp(en)" in text
    await say(app.fake, OPERATOR, "/status")
    # The count is cached: one getChatMemberCount for two /status.
    assert len(app.fake.calls_of("getChatMemberCount")) == 1
