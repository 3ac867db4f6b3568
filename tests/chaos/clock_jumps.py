"""The wall clock stepped back an hour and forward a month, through the Clock seam.

The real process runs on the real clock, which a test cannot step, so this
fault runs in this process: the production Application through
``running_app`` (the one lifecycle) with a ``ManualClock``, whose ``jump``
moves the wall clock only (``advance`` is time passing). Held means: after a
backward jump of an hour the feed is still polled every cycle and a chat that
hit the command limit is answered a minute later; after a forward jump of a
month plus housekeeping the story's seen marker and item are still there and
nothing is pushed twice, also after the clock is put right.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.clock import ManualClock
from bot.deliver.pacer import Pacer
from bot.deliver.ratelimit import PacedRateLimiter
from bot.ingest.pipeline import stored_feed_state
from bot.runtime.jobs import run_housekeeping, run_poll_cycle
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from handlers.guards import COMMANDS_PER_WINDOW
from tests.app_harness import NOW, make_config, rss_item, running_app, serve_feed
from tests.chaos.disk import FEED, LEAD, TITLE

FOLLOWER = 5601
TALKER = 5602
HOUR = timedelta(hours=1)
MONTH = timedelta(days=31)
POLL = timedelta(seconds=70)  # the harness config polls every 60 s


async def clock_jumps(work: Path) -> str:
    clock = ManualClock(NOW)
    with FakeTelegram() as fake, FeedServer() as feeds:
        serve_feed(feeds, FEED, "NOS", [])
        config = make_config(fake, feeds, work / "data", {FEED: ("NOS", ())})
        async with running_app(config, fake, feeds, clock) as app:
            # Telegram's one-message-a-second per chat (the pacer, on the real
            # monotonic clock) would make the 21 answers below take 21 s; the
            # fake does not enforce it, so this run spaces chats by nothing.
            limiter = app.application.bot.rate_limiter
            assert isinstance(limiter, PacedRateLimiter)
            limiter.pacer = Pacer(global_rate=30.0, private_interval_s=0.0)
            store = app.services.store
            reply = await fake.send_and_wait(FOLLOWER, "/volg oekraine")
            assert reply["text"].startswith("✅"), reply["text"]
            await app.cycle()  # baseline
            feeds.publish_item(FEED, rss_item("nos-klok", TITLE, LEAD, clock.now, "https://x/k"))
            await app.cycle()
            assert len(app.pushes(FOLLOWER)) == 1
            (story,) = store.recent(limit=None, include_duplicates=True)

            # Back an hour: polling goes on at its (adaptive, jittered) interval,
            # read afresh before each poll: it may change from one poll to the next.
            clock.jump(-HOUR)
            polled = len(feeds.requests_for(FEED))
            for cycle in range(1, 4):
                state = stored_feed_state(store, feeds.url(FEED))
                assert state is not None
                assert state.next_check is not None
                assert state.last_attempt is not None
                interval = state.next_check - state.last_attempt
                assert interval < HOUR, f"the next poll waits out the jump ({interval})"
                clock.advance(max(POLL, interval + timedelta(seconds=10)))
                await run_poll_cycle(app.services)
                assert len(feeds.requests_for(FEED)) == polled + cycle, "polling stopped"

            # A chat at its command limit, the clock set back: a minute later it is answered.
            for _ in range(COMMANDS_PER_WINDOW):
                await fake.send_and_wait(TALKER, "/help")
            refused = await fake.send_and_wait(TALKER, "/help")
            assert refused["text"].startswith("Even rustig aan"), refused["text"]
            clock.jump(-HOUR)
            clock.advance(timedelta(seconds=61))
            again = await fake.send_and_wait(TALKER, "/help")
            assert "Zo werkt nieuwsbot" in again["text"], "still rate-limited after the jump"

            # Forward a month, housekeeping runs: the story is still known, not re-pushed.
            clock.jump(MONTH)
            await app.cycle()  # the feed still lists the story
            await run_housekeeping(app.services)
            assert store.is_seen(story.id), "housekeeping pruned the story's seen marker"
            assert store.get_item(story.id) is not None, "housekeeping pruned the story"
            await app.cycle()
            clock.jump(-MONTH)  # the clock is put right
            await app.cycle()
            await app.cycle()
            assert len(app.pushes(FOLLOWER)) == 1, app.pushes(FOLLOWER)
    return (
        "back 1 h: 3/3 polls on time, a rate-limited chat answered 61 s later; "
        "forward 31 days + housekeeping: seen marker and item kept, pushed once in all"
    )
