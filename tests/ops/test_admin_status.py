"""/status through the production Application: admins see health, others the usual pointer."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import ManualClock
from bot.ingest.pipeline import stored_feed_state
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.texts import chat as texts
from bot.texts.admin import short_span
from tests.app_harness import NOW, make_config, rss_item, running_app, serve_feed

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


async def test_status_shows_push_latency_and_poll_intervals_after_a_real_push(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    serve_feed(feed_server, "/nos.xml", "NOS", [])
    config = make_config(fake_telegram, feed_server, tmp_path / "data", {"/nos.xml": ("NOS", ())})
    clock = ManualClock(NOW)
    async with running_app(config, fake_telegram, feed_server, clock) as app:
        await fake_telegram.send_and_wait(1234, "/volg oekraine")
        before = await fake_telegram.send_and_wait(ADMIN, "/status")
        assert "⚡ Publicatie → push (24 uur): nog geen pushes" in before["text"]
        await app.cycle()  # the baseline
        # Published now; the next cycle (10 minutes on) finds and pushes it.
        feed_server.publish_item(
            "/nos.xml",
            rss_item(
                "nos-1",
                "Oekraïne meldt grote drone-aanval op Kyiv",
                "KYIV (ANP) - Drones vielen de stad aan.",
                clock(),
                "https://nos.nl/l/1",
            ),
        )
        await app.cycle()
        assert len(app.pushes(1234)) == 1
        answer = await fake_telegram.send_and_wait(ADMIN, "/status")
        text = answer["text"]
        assert "⚡ Publicatie → push (24 uur): mediaan 10 min, 90% binnen 10 min (1 push)" in text
        # The interval the bot scheduled after that poll, as the store holds it.
        state = stored_feed_state(app.services.store, feed_server.url("/nos.xml"))
        assert state is not None
        assert state.next_check is not None
        assert state.last_attempt is not None
        shown = short_span(state.next_check - state.last_attempt)
        assert f"⏲ Ophaalinterval: {shown} (NOS nos.xml)" in text
