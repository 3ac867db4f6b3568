"""/status through the production Application: admins see health, others the usual pointer."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import ManualClock
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.texts import chat as texts
from tests.app_harness import NOW, make_config, running_app, serve_feed

ADMIN = 9001  # make_config's admin id


async def test_status_for_admins_only(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    serve_feed(feed_server, "/nos.xml", "NOS", [])
    feed_server.fault("/broken.xml", status=500, times=None)
    config = make_config(
        fake_telegram,
        feed_server,
        tmp_path / "data",
        {"/nos.xml": ("NOS", ()), "/broken.xml": ("AD", ())},
    )
    async with running_app(config, fake_telegram, feed_server, ManualClock(NOW)) as app:
        await fake_telegram.send_and_wait(1234, "/volg oekraine")
        await app.cycle()
        answer = await fake_telegram.send_and_wait(ADMIN, "/status")
        assert "Oekraïne" in answer["text"]
        assert "HTTP 500" in answer["text"]
        other = await fake_telegram.send_and_wait(1234, "/status")
        assert other["text"] == texts.unknown_command("status", None)
