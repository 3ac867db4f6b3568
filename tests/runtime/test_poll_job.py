"""The poll job as scheduled in the production Application: a short tick, the
configured adaptive policy, and a first poll soon after start-up."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ScheduleConfig
from bot.core.clock import utc_now
from bot.runtime.jobs import POLL_TICK_S, poll_tick_seconds
from bot.runtime.lifecycle import running
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.app_harness import make_config, rss_item, serve_feed


@pytest.mark.parametrize(
    ("poll_interval_seconds", "tick"),
    [
        (300, POLL_TICK_S),  # the default: every feed on its own schedule, checked every 10 s
        (60, POLL_TICK_S),
        (10, 10.0),
        (2, 2.0),  # a test setup polling every 2 s keeps its pace
    ],
)
def test_the_poll_job_ticks_every_10_s_or_faster_for_test_intervals(
    poll_interval_seconds: int, tick: float
) -> None:
    assert poll_tick_seconds(poll_interval_seconds) == tick


async def test_the_running_bot_ticks_every_10_s_with_the_configured_policy(
    fake_telegram: FakeTelegram, feed_server: FeedServer, tmp_path: Path
) -> None:
    serve_feed(feed_server, "/nos.xml", "NOS", [rss_item("n-1", "Titel", "Tekst.", utc_now())])
    config = make_config(fake_telegram, feed_server, tmp_path / "data", {"/nos.xml": ("NOS", ())})
    config = replace(
        config,
        schedule=ScheduleConfig(
            poll_interval_seconds=300, min_interval_seconds=90, max_interval_seconds=600
        ),
    )
    async with running(config, utc_now, schedule=True, poll_timeout=1) as bot:
        [job] = bot.application.job_queue.get_jobs_by_name("poll")
        assert job.job.trigger.interval == timedelta(seconds=POLL_TICK_S)
        pipeline = bot.services.pipeline
        assert pipeline is not None
        assert pipeline.policy is not None
        assert (pipeline.policy.start, pipeline.policy.shortest, pipeline.policy.longest) == (
            timedelta(seconds=300),
            timedelta(seconds=90),
            timedelta(seconds=600),
        )
        # The first tick (1 s after start-up) polls the new feed.
        deadline = time.monotonic() + 10
        while not feed_server.requests_for("/nos.xml"):
            assert time.monotonic() < deadline, "the first poll did not come"
            await asyncio.sleep(0.05)
