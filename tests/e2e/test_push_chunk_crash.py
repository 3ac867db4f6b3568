"""A broadcast persisted in chunks, SIGKILLed between two chunks: every chat gets it once.

The first process (tests/e2e/chunked_bot.py: the production ``nieuwsbot run``
with chunks of 4 then 8 chats and a pause before each later chunk) starts the
broadcast; the test waits until the first two chunks are sent and their
delivered markers are on disk, checks that the later chunks are not, and kills
the process with SIGKILL. A plain ``nieuwsbot run`` on the same data directory
re-plans the story (it was never marked seen) and sends exactly the rest.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.core.model import FollowKey, FollowKind
from bot.deliver.audience import broadcast_order
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.store.chats import write_chat_shards
from bot.store.layout import CHATS_DIR, OUTBOX_DIR, SCHEMA_VERSION, SHARD_COUNT, Meta, write_meta
from bot.store.manifest import rebuild_manifest
from bot.store.records import DEFAULT_SETTINGS, ChatRecord
from tests.app_harness import rss_item, serve_feed
from tests.e2e import chunked_bot
from tests.paths import ROOT

CHATS = list(range(4001, 4031))
STORY = "nos-chunk"
UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
# Killed after the first two chunks: 4 + 8 chats.
SENT_BEFORE_KILL = chunked_bot.FIRST_CHUNK + chunked_bot.CHUNK


def seed(data: Path) -> None:
    data.mkdir()
    write_meta(data, Meta(SCHEMA_VERSION, SHARD_COUNT))
    created = datetime.now(UTC)
    write_chat_shards(
        data / CHATS_DIR,
        [
            ChatRecord(chat, "private", (UA,), DEFAULT_SETTINGS, True, None, created)
            for chat in CHATS
        ],
        SHARD_COUNT,
    )
    rebuild_manifest(data)


def start(command: list[str], config: Path, token: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "PYTHONPATH": str(ROOT)}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, *command, "run", "--config", str(config)],
            env=env,
            stdout=out,
            stderr=out,
        )


def outbox_on_disk(data: Path) -> dict[int, bool]:
    """Chat -> delivered, for this story's entries in the outbox files as they are now."""
    found: dict[int, bool] = {}
    for path in (data / OUTBOX_DIR).glob("shard-*.json"):
        for doc in json.loads(path.read_text(encoding="utf-8")).get("entries", {}).values():
            if doc["chat"] in CHATS:
                found[doc["chat"]] = doc["sent"] is not None
    return found


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
        await asyncio.sleep(0.01)


async def test_killed_between_chunks_every_chat_gets_the_story_exactly_once(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer, bot_token: str
) -> None:
    data = tmp_path / "data"
    seed(data)
    serve_feed(feed_server, "/nos.xml", "NOS", [])
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{fake_telegram.base_url}"\n'
        f'[storage]\npath = "{data}"\n'
        "[schedule]\npoll_interval_seconds = 2\n"
        "[push]\nmessages_per_second = 10.0\n"
        f'[[feeds]]\nname = "NOS"\nurl = "{feed_server.url("/nos.xml")}"\n',
        encoding="utf-8",
    )
    log = tmp_path / "bot.log"
    first = start([str(ROOT / "tests" / "e2e" / "chunked_bot.py")], config, bot_token, log)
    try:
        await wait_until(lambda: feed_server.requests_for("/nos.xml"), 30, "first poll")
        await asyncio.sleep(0.5)
        feed_server.publish_item(
            "/nos.xml",
            rss_item(
                STORY,
                "Oekraïne meldt grote drone-aanval op Kyiv",
                "KYIV (ANP) - Rusland heeft Kyiv in de nacht aangevallen met drones.",
                datetime.now(UTC),
                "https://nos.nl/l/chunk",
            ),
        )
        # Two chunks sent and marked on disk; the third waits in its pause.
        sent_chunks = set(broadcast_order(CHATS, [STORY], SHARD_COUNT)[:SENT_BEFORE_KILL])
        await wait_until(
            lambda: outbox_on_disk(data) == dict.fromkeys(sent_chunks, True),
            60,
            "the first two chunks sent and marked",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    # Killed between chunks: nothing of the later chunks was durable.
    assert outbox_on_disk(data) == dict.fromkeys(sent_chunks, True)
    assert set(push_counts(fake_telegram)) == sent_chunks
    assert "planned" not in log.read_text(encoding="utf-8")  # the cycle never finished

    second = start(["-m", "bot"], config, bot_token, log)
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
    assert outbox_on_disk(data) == dict.fromkeys(CHATS, True)
