"""Two ``nieuwsbot run`` on one data directory: the second exits 2, the first serves on.

Held means: the second process exits with status 2 within seconds, printing one
line that names the first one's pid; the first still answers, takes a new
follow, and pushes a story to every follower exactly once; the follows are
all on disk afterwards.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.app_harness import serve_feed
from tests.chaos.disk import (
    DE,
    FEED,
    SETTLE_S,
    TITLE,
    follow_all,
    follows_intact,
    news,
    wait_for_baseline,
)
from tests.chaos.harness import BotProcess, ask, exactly_once, pushes, wait_until, write_config

CHATS = list(range(5301, 5307))
REFUSAL_TIMEOUT_S = 30.0
REFUSAL_TARGET_S = 15.0


async def two_processes(work: Path) -> str:
    with FakeTelegram() as fake, FeedServer() as feeds:
        data = work / "data"
        serve_feed(feeds, FEED, "NOS", [])
        config = write_config(work, fake, data, {"NOS": feeds.url(FEED)})
        with BotProcess(config, fake.token, work / "first.log") as first:
            await first.start_ready(fake)
            await follow_all(fake, first, CHATS)

            started = time.monotonic()
            second = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "bot", "run", "--config", str(config)],
                env={**os.environ, "TELEGRAM_BOT_TOKEN": fake.token},
                capture_output=True,
                text=True,
                timeout=REFUSAL_TIMEOUT_S,
                check=False,
            )
            took = time.monotonic() - started
            assert second.returncode == 2, (second.returncode, second.stderr[-2000:])
            assert "Traceback" not in second.stderr
            lines = second.stderr.splitlines()
            refusals = [line for line in lines if line.startswith("nieuwsbot:")]
            assert refusals == [
                f"nieuwsbot: data directory {data.resolve()} is in use by process {first.pid} "
                "(another nieuwsbot run?)"
            ], second.stderr[-2000:]
            assert took < REFUSAL_TARGET_S, f"the refusal took {took:.1f} s"

            # The first one serves on: a change is taken, news goes out once.
            reply = await ask(fake, CHATS[0], "/volg duitsland", first)
            assert reply.startswith("✅"), reply
            await wait_for_baseline(feeds, first)
            feeds.publish_item(FEED, news("nos-two", TITLE))
            await wait_until(
                lambda: set(pushes(fake, TITLE)) == set(CHATS), 30, "the broadcast", bot=first
            )
            await asyncio.sleep(SETTLE_S)
            assert exactly_once(fake, TITLE, CHATS), dict(pushes(fake, TITLE))
            assert first.stop() == 0, first.log_tail()
        await follows_intact(data, CHATS, {CHATS[0]: {DE}})
    return (
        f"second run exit 2 in {took:.1f} s naming pid {first.pid}; first kept serving: "
        f"{len(CHATS)}/{len(CHATS)} pushed once, follows intact"
    )
