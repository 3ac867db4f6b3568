"""Exactly once across a crash or a stop: signal the bot mid-broadcast, restart, count copies.

The bot runs as a real ``nieuwsbot run`` process against the loopback fake Bot API
and feed server. It is killed between two sends (pacing at 5 messages/s leaves
200 ms gaps); the restarted process finds the rest in its outbox. Killing while a
request is in flight is the one case that can duplicate (Telegram accepted the
message, we never heard back): docs/design.md explains why that case is at least
once rather than at most once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.app_harness import rss_item, serve_feed

CHATS = list(range(2001, 2031))
KILL_AFTER = 10


def start_bot(config: Path, token: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config)],
            env=env,
            stdout=out,
            stderr=out,
        )


def push_counts(fake: FakeTelegram) -> Counter[int]:
    return Counter(
        int(message["chat_id"])
        for message in fake.sent_messages()
        if "via Oekraïne" in message["text"]
    )


async def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGTERM], ids=["kill", "term"])
async def test_stopped_mid_broadcast_every_chat_gets_exactly_one_copy(
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    feed_server: FeedServer,
    bot_token: str,
    stop_signal: signal.Signals,
) -> None:
    """SIGKILL (a crash) or SIGTERM (a deploy) mid-broadcast: a restart sends the rest."""
    serve_feed(feed_server, "/nos.xml", "NOS", [])
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{fake_telegram.base_url}"\n'
        f'[storage]\npath = "{tmp_path / "data"}"\n'
        "[schedule]\npoll_interval_seconds = 2\n"
        "[push]\nmessages_per_second = 5.0\n"
        f'[[feeds]]\nname = "NOS"\nurl = "{feed_server.url("/nos.xml")}"\n',
        encoding="utf-8",
    )
    log = tmp_path / "bot.log"
    first = start_bot(config, bot_token, log)
    try:
        for chat in CHATS:
            reply = await fake_telegram.send_and_wait(chat, "/volg oekraine", timeout=30)
            assert reply["text"].startswith("✅"), reply["text"]
        # The first fetch of the feed is its baseline; wait for it before publishing.
        await wait_until(lambda: feed_server.requests_for("/nos.xml"), 30, "first poll")
        await asyncio.sleep(0.5)
        feed_server.publish_item(
            "/nos.xml",
            rss_item(
                "nos-crash",
                "Oekraïne meldt grote drone-aanval op Kyiv",
                "KYIV (ANP) - Rusland heeft Kyiv in de nacht aangevallen met drones.",
                datetime.now(UTC),  # the bot process runs on the real clock
                "https://nos.nl/l/crash",
            ),
        )
        await wait_until(
            lambda: sum(push_counts(fake_telegram).values()) >= KILL_AFTER, 60, "broadcast"
        )
        # Between two paced sends (200 ms apart): the last one is acknowledged and marked.
        await asyncio.sleep(0.1)
        first.send_signal(stop_signal)
        first.wait(timeout=30)
        if stop_signal == signal.SIGTERM:
            assert first.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
        delivered_before = sum(push_counts(fake_telegram).values())
        assert delivered_before < len(CHATS), "the broadcast finished before the kill"
    finally:
        if first.poll() is None:
            first.kill()

    second = start_bot(config, bot_token, log)
    try:
        await wait_until(lambda: len(push_counts(fake_telegram)) == len(CHATS), 60, "the rest")
        await asyncio.sleep(1.5)  # room for a duplicate to show up, if there were one
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    counts = push_counts(fake_telegram)
    assert set(counts) == set(CHATS)
    assert set(counts.values()) == {1}, counts
    assert second.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
