"""Stories end to end: one event from several outlets is one notification, then silent replies.

The production Application, the loopback feed server (one feed per outlet) and
the fake Bot API. NRC, NOS and ND report the Nunspeet light-parade accident
over three poll cycles (ten minutes apart); a follower of ``nunspeet`` must get
one notified push and, within those cycles, at most one silent follow-up that
replies to it. Every assertion reads the Bot API calls the fake recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.sim.telegram_records import Call
from tests.app_harness import (
    NOW,
    ManualClock,
    RunningApp,
    make_config,
    running_app,
    serve_feed,
)
from tests.stories.nunspeet import AD, FIRE, ND, NOS, NRC, OUTLET_FEEDS, PARADE, Report

FOLLOWER = 1101


@pytest.fixture
async def app(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> AsyncIterator[RunningApp]:
    for path, (outlet, _) in OUTLET_FEEDS.items():
        serve_feed(feed_server, path, outlet, [])
    config = make_config(fake_telegram, feed_server, tmp_path / "data", OUTLET_FEEDS)
    async with running_app(config, fake_telegram, feed_server, ManualClock(NOW)) as running:
        await running.cycle()  # every feed's baseline: empty
        yield running


async def say(fake: FakeTelegram, chat_id: int, text: str) -> str:
    reply = await fake.send_and_wait(chat_id, text)
    return str(reply["text"])


def publish(app: RunningApp, report: Report) -> None:
    app.feeds.publish_item(report.feed_path, report.rss(app.clock.now))


def news_sends(app: RunningApp, chat_id: int) -> list[Call]:
    """The chat's delivered news messages (pushes and follow-ups), not command replies."""
    return [
        call
        for call in app.fake.calls_of("sendMessage", chat_id)
        if call.ok and _only_share_button(call.params) and _is_news(call.params)
    ]


def _only_share_button(params: dict[str, Any]) -> bool:
    """News carries at most the "Deel" button; command replies carry other keyboards."""
    markup = params.get("reply_markup")
    if not markup:
        return True
    buttons = [button for row in markup["inline_keyboard"] for button in row]
    return all("switch_inline_query" in button for button in buttons)


def _is_news(params: dict[str, Any]) -> bool:
    text = str(params.get("text", ""))
    return "via " in text or "Meer over dit verhaal" in text or text.startswith("📰")


def notified(calls: list[Call]) -> list[Call]:
    return [call for call in calls if not call.params.get("disable_notification")]


def silent(calls: list[Call]) -> list[Call]:
    return [call for call in calls if call.params.get("disable_notification")]


async def three_outlets_over_three_cycles(app: RunningApp) -> None:
    for report in PARADE:
        publish(app, report)
        await app.cycle()


async def test_one_event_from_three_outlets_is_one_push_and_one_silent_reply(
    app: RunningApp,
) -> None:
    assert (await say(app.fake, FOLLOWER, "/volg nunspeet")).startswith("✅")
    await three_outlets_over_three_cycles(app)

    sends = news_sends(app, FOLLOWER)
    (push,) = notified(sends)
    assert NRC.title in push.params["text"]
    assert "via nunspeet" in push.params["text"]
    assert "reply_parameters" not in push.params
    # Within the three cycles (20 minutes): one follow-up, NOS's report, as a
    # silent reply to the push.
    (followup,) = silent(sends)
    assert followup.params["disable_notification"] is True
    assert followup.params["reply_parameters"] == {
        "message_id": push.result["message_id"],
        "allow_sending_without_reply": True,
    }
    assert "Meer over dit verhaal" in followup.params["text"]
    assert "NOS — " in followup.params["text"]
    assert NOS.link in followup.params["text"]
    assert NRC.link not in followup.params["text"]

    # ND's report waits for the 30 minutes since that follow-up, then is the next one.
    app.clock.advance(timedelta(minutes=19))
    await app.drain()
    assert len(news_sends(app, FOLLOWER)) == 2
    app.clock.advance(timedelta(minutes=2))
    await app.drain()
    sends = news_sends(app, FOLLOWER)
    assert len(notified(sends)) == 1
    second = silent(sends)[1]
    assert ND.link in second.params["text"]
    assert second.params["reply_parameters"]["message_id"] == push.result["message_id"]
    assert app.services.store.pending_count() == 0


async def test_another_event_in_the_same_town_the_same_evening_is_its_own_push(
    app: RunningApp,
) -> None:
    await say(app.fake, FOLLOWER, "/volg nunspeet")
    publish(app, NRC)
    await app.cycle()
    publish(app, FIRE)
    await app.cycle()
    pushes = notified(news_sends(app, FOLLOWER))
    assert len(pushes) == 2
    assert FIRE.title in pushes[1].params["text"]
    assert silent(news_sends(app, FOLLOWER)) == []


async def test_updates_apart_gives_every_report_its_own_push(app: RunningApp) -> None:
    await say(app.fake, FOLLOWER, "/volg nunspeet")
    assert "apart" in await say(app.fake, FOLLOWER, "/updates apart")
    await three_outlets_over_three_cycles(app)
    sends = news_sends(app, FOLLOWER)
    assert len(notified(sends)) == 3
    for call, report in zip(sends, PARADE, strict=True):
        assert report.title in call.params["text"]
    assert silent(sends) == []


async def test_updates_uit_gives_only_the_first_report(app: RunningApp) -> None:
    await say(app.fake, FOLLOWER, "/volg nunspeet")
    assert "alleen het eerste bericht" in await say(app.fake, FOLLOWER, "/updates uit")
    await three_outlets_over_three_cycles(app)
    # Long enough for any held follow-up to have gone out.
    app.clock.advance(timedelta(hours=1))
    await app.drain()
    sends = news_sends(app, FOLLOWER)
    assert len(sends) == 1
    assert NRC.title in sends[0].params["text"]
    mine = await say(app.fake, FOLLOWER, "/mijn")
    assert "Meer over een verhaal: uit" in mine


async def test_laatste_shows_the_story_once_with_its_three_outlets(app: RunningApp) -> None:
    await three_outlets_over_three_cycles(app)
    publish(app, FIRE)
    await app.cycle()
    answer = await app.fake.send_and_wait(FOLLOWER, "/laatste nunspeet")
    text = str(answer["text"])
    # Two stories: the fire (newest) and the parade, led by its newest report (ND),
    # with NRC and NOS linked beside it.
    assert "2. " in text
    assert "3. " not in text
    parade = text[text.index("2. ") :]
    assert ND.title in parade
    assert "ook bij: " in parade
    assert f'<a href="{NRC.link}">NRC</a>' in parade
    assert f'<a href="{NOS.link}">NOS</a>' in parade
    assert FIRE.title in text[: text.index("2. ")]


async def test_belangrijk_fires_once_when_the_third_outlet_reports(app: RunningApp) -> None:
    assert (await say(app.fake, FOLLOWER, "/volg belangrijk")).startswith("✅")
    publish(app, NRC)
    await app.cycle()
    publish(app, NOS)
    await app.cycle()
    assert news_sends(app, FOLLOWER) == []  # two outlets: not yet important
    publish(app, ND)
    await app.cycle()
    (push,) = news_sends(app, FOLLOWER)
    assert not push.params.get("disable_notification")
    text = push.params["text"]
    assert NRC.title in text  # the story's first report leads
    assert "via Belangrijk nieuws" in text
    for report in PARADE:
        assert report.link in text  # every outlet named and linked
    # A fourth outlet: no second notification, a silent reply to the push.
    publish(app, AD)
    await app.cycle()
    sends = news_sends(app, FOLLOWER)
    assert len(notified(sends)) == 1
    (reply,) = silent(sends)
    assert AD.link in reply.params["text"]
    assert reply.params["reply_parameters"]["message_id"] == push.result["message_id"]


async def test_a_deleted_push_still_gets_its_follow_up_without_a_reply(app: RunningApp) -> None:
    await say(app.fake, FOLLOWER, "/volg nunspeet")
    publish(app, NRC)
    await app.cycle()
    (push,) = news_sends(app, FOLLOWER)
    app.fake.delete_by_user(FOLLOWER, push.result["message_id"])
    publish(app, NOS)
    await app.cycle()
    sends = news_sends(app, FOLLOWER)
    assert len(sends) == 2
    followup = sends[1]
    assert followup.params["disable_notification"] is True
    assert "reply_to_message" not in followup.result  # sent, not as a reply: the push is gone
