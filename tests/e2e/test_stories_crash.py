"""A story across a crash: SIGKILL between the push and the follow-up, restart, no second push.

The bot runs as a real ``nieuwsbot run`` process against the loopback Bot API
and feed server. NRC reports the Nunspeet accident; the follower's push goes
out; the process is killed. NOS reports the same event while it is down. The
restarted process must know from its data directory (the delivered marker
that keeps the story thread and the message id) that the chat was notified:
NOS's report comes as a silent reply to the push, not as a second notification.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.app_harness import serve_feed
from tests.e2e.test_push_crash import start_bot, wait_until
from tests.stories.nunspeet import NOS, NRC

FOLLOWER = 3101


def news_to(fake: FakeTelegram, chat_id: int) -> list[dict[str, Any]]:
    """Params of the delivered sends about the story (pushes and follow-ups)."""
    return [
        {**call.params, "message_id": call.result["message_id"]}
        for call in fake.calls_of("sendMessage", chat_id)
        if call.ok and "Nunspeet" in str(call.params.get("text", ""))
    ]


async def test_sigkill_between_push_and_follow_up_gives_no_second_notification(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer, bot_token: str
) -> None:
    serve_feed(feed_server, NRC.feed_path, "NRC", [])
    serve_feed(feed_server, NOS.feed_path, "NOS", [])
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{fake_telegram.base_url}"\n'
        f'[storage]\npath = "{tmp_path / "data"}"\n'
        "[schedule]\npoll_interval_seconds = 2\n"
        f'[[feeds]]\nname = "NRC"\nsource = "NRC"\nurl = "{feed_server.url(NRC.feed_path)}"\n'
        f'[[feeds]]\nname = "NOS"\nsource = "NOS"\nurl = "{feed_server.url(NOS.feed_path)}"\n',
        encoding="utf-8",
    )
    log = tmp_path / "bot.log"
    first = start_bot(config, bot_token, log)
    try:
        reply = await fake_telegram.send_and_wait(FOLLOWER, "/volg nunspeet", timeout=30)
        assert reply["text"].startswith("✅"), reply["text"]
        await wait_until(lambda: feed_server.requests_for(NOS.feed_path), 30, "the baseline poll")
        await asyncio.sleep(0.5)
        # The bot process runs on the real clock.
        feed_server.publish_item(NRC.feed_path, NRC.rss(datetime.now(UTC)))
        await wait_until(lambda: news_to(fake_telegram, FOLLOWER), 60, "the push")
        # Telegram answered; the marker (with the thread) is written right after.
        await asyncio.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    (push,) = news_to(fake_telegram, FOLLOWER)
    assert not push.get("disable_notification")

    feed_server.publish_item(NOS.feed_path, NOS.rss(datetime.now(UTC)))
    second = start_bot(config, bot_token, log)
    try:
        await wait_until(lambda: len(news_to(fake_telegram, FOLLOWER)) >= 2, 60, "the follow-up")
        await asyncio.sleep(2.5)  # room for a second notification, if there were one
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    sends = news_to(fake_telegram, FOLLOWER)
    assert len(sends) == 2, [s["text"] for s in sends]
    followup = sends[1]
    assert followup["disable_notification"] is True
    assert followup["reply_parameters"]["message_id"] == push["message_id"]
    assert NOS.link in followup["text"]
    assert NRC.title not in followup["text"]
    assert second.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
