"""A wall clock set back must not freeze feed polling.

Feed schedules are stored in wall-clock time (they must survive a restart), so
``is_due`` sanity-checks them: a next check further ahead than any delay the
schedule ever sets, or a clock that now reads earlier than the last attempt,
means the clock was set back, and the feed is due now.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.ingest.feedstate import FeedState
from bot.ingest.schedule import (
    BACKOFF_CAP,
    RETRY_AFTER_CAP,
    ServerHints,
    is_due,
    longest_delay,
    next_state_after_error,
    next_state_after_success,
)
from bot.runtime.jobs import run_poll_cycle
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.app_harness import NOW, make_config, running_app, serve_feed

URL = "https://feeds.nos.nl/nosnieuwsalgemeen"
T = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def polled(at: datetime, delay: timedelta, errors: int = 0) -> FeedState:
    """A feed last polled at ``at`` and scheduled ``delay`` later."""
    return FeedState(
        URL, next_check=at + delay, last_attempt=at, consecutive_errors=errors, last_success=at
    )


@pytest.mark.parametrize(
    ("state", "now", "due"),
    [
        pytest.param(polled(T, 5 * MIN), T + 4 * MIN, False, id="waiting"),
        pytest.param(polled(T, 5 * MIN), T + 5 * MIN, True, id="come"),
        pytest.param(polled(T, BACKOFF_CAP, errors=9), T + 30 * MIN, False, id="backing off"),
        pytest.param(polled(T, RETRY_AFTER_CAP, errors=1), T + MIN, False, id="retry-after"),
        # The clock was set back an hour a minute after the poll.
        pytest.param(polled(T, 5 * MIN), T - 59 * MIN, True, id="set back an hour"),
        pytest.param(polled(T, 5 * MIN), T - 1 * MIN, True, id="set back a little"),
        # A schedule from a clock that ran a day ahead (restored from elsewhere).
        pytest.param(
            FeedState(URL, next_check=T + 24 * HOUR), T, True, id="a day ahead, no attempt"
        ),
        pytest.param(FeedState(URL, next_check=T + 2 * HOUR), T, False, id="within the caps"),
    ],
)
def test_is_due_under_clock_steps(state: FeedState, now: datetime, due: bool) -> None:
    assert is_due(state, now) is due


@pytest.mark.parametrize("interval", [MIN, 5 * MIN, HOUR, 3 * HOUR])
def test_no_delay_the_schedule_sets_is_taken_for_a_clock_step(interval: timedelta) -> None:
    """Every next check the transitions produce is waited for, not pulled in."""
    rng = random.Random(7)
    hints = ServerHints(ttl=24 * HOUR, max_age=24 * HOUR, retry_after=72 * HOUR)
    state = FeedState(URL)
    for errors in range(12):
        failed = next_state_after_error(
            state, now=T, interval=interval, error="HTTP 503", retry_after=72 * HOUR, rng=rng
        )
        assert failed.next_check is not None
        assert failed.next_check - T <= longest_delay(interval)
        assert not is_due(failed, T + MIN, interval=interval), errors
        state = failed
    ok = next_state_after_success(state, now=T, interval=interval, hints=hints, rng=rng)
    assert not is_due(ok, T + MIN, interval=interval)


async def test_a_clock_set_back_an_hour_does_not_stop_polling(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    serve_feed(feed_server, "/nos.xml", "NOS", [])
    config = make_config(fake_telegram, feed_server, tmp_path / "data", {"/nos.xml": ("NOS", ())})
    async with running_app(config, fake_telegram, feed_server, clock) as app:
        await app.cycle()
        assert len(feed_server.requests_for("/nos.xml")) == 1
        clock.jump(-HOUR)
        clock.advance(MIN + timedelta(seconds=10))  # the poll interval is 60 s
        for minute in range(1, 4):
            await run_poll_cycle(app.services)
            assert len(feed_server.requests_for("/nos.xml")) == 1 + minute
            # The next poll is an interval away (jittered, stretched for an idle
            # feed), never the hour the clock went back: go there.
            state = app.services.store.get_feed_state(feed_server.url("/nos.xml"))
            assert state is not None
            next_check = datetime.fromisoformat(str(state["next_check"]))
            assert timedelta(0) < next_check - clock() <= 2 * MIN
            clock.advance(next_check - clock())
