"""Housekeeping judges ages against the news: a clock set a month ahead prunes nothing extra."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.runtime.jobs import run_housekeeping
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.store.retention import PRUNE_SLACK, prune_reference
from tests.app_harness import NOW, make_config, rss_item, running_app, serve_feed

T = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
TITLE = "Oekraïne meldt grote drone-aanval op Kyiv"
LEAD = "KYIV (ANP) - Rusland heeft de Oekraïense hoofdstad in de nacht aangevallen met drones."
FOLLOWER = 1201


@pytest.mark.parametrize(
    ("now", "newest", "reference"),
    [
        pytest.param(T, T - timedelta(minutes=5), T, id="sane clock"),
        pytest.param(T, T - timedelta(hours=20), T, id="quiet feeds: still now"),
        pytest.param(T, None, T, id="nothing stored"),
        pytest.param(T + timedelta(days=30), T, T + PRUNE_SLACK, id="clock a month ahead"),
        pytest.param(T, T + timedelta(hours=2), T, id="news from the future: now"),
    ],
)
def test_prune_reference(now: datetime, newest: datetime | None, reference: datetime) -> None:
    assert prune_reference(now, newest) == reference


async def test_a_clock_set_a_month_ahead_neither_prunes_markers_nor_repeats_a_story(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    serve_feed(feed_server, "/nos.xml", "NOS", [])
    config = make_config(fake_telegram, feed_server, tmp_path / "data", {"/nos.xml": ("NOS", ())})
    async with running_app(config, fake_telegram, feed_server, clock) as app:
        store = app.services.store
        reply = await fake_telegram.send_and_wait(FOLLOWER, "/volg oekraine")
        assert reply["text"].startswith("✅"), reply["text"]
        await app.cycle()  # baseline
        feed_server.publish_item(
            "/nos.xml", rss_item("nos-2", TITLE, LEAD, clock.now, "https://nos.nl/l/2")
        )
        await app.cycle()
        assert len(app.pushes(FOLLOWER)) == 1
        (story,) = store.recent(limit=None, include_duplicates=True)

        clock.jump(timedelta(days=31))  # a bad NTP source, an operator's typo
        await app.cycle()  # the feed still lists the story
        await run_housekeeping(app.services)
        assert store.is_seen(story.id)
        assert store.get_item(story.id) is not None

        clock.jump(timedelta(days=-31))  # the clock is put right
        await app.cycle()
        await app.cycle()
        assert len(app.pushes(FOLLOWER)) == 1

        # With a sane clock housekeeping prunes as before: a week and a day on,
        # with fresh news, the story itself goes and its seen marker stays.
        clock.advance(timedelta(days=8))
        feed_server.publish_item(
            "/nos.xml",
            rss_item("nos-3", "Graanakkoord gesloten", "Een akkoord.", clock.now, "https://x/3"),
        )
        await app.cycle()
        await run_housekeeping(app.services)
        assert store.get_item(story.id) is None
        assert store.is_seen(story.id)
