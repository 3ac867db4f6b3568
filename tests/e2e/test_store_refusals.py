"""``nieuwsbot run`` against a data directory that is busy, damaged or incomplete.

Real processes against the loopback fake Bot API. A store the bot must not
open (held by another run, a chat shard unreadable or missing) is one line on
stderr and exit status 2, which the systemd unit does not restart; a damaged
file the bot can rebuild (an items hour) is set aside and the bot starts.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind
from bot.sim.telegram import FakeTelegram
from bot.store import Store
from bot.store.layout import CHATS_DIR, ITEMS_DIR, shard_path
from tests.e2e.test_e2e_run import STARTUP_TIMEOUT_S, write_config
from tests.store.test_store_items import ITEMS
from tests.store_support import T0

SHARDS = 4
CHAT = 1001
REFUSAL_TIMEOUT_S = 30


async def seed_store(data: Path) -> None:
    store = await Store.open(data, clock=ManualClock(T0), shard_count=SHARDS, freeze_gc=False)
    try:
        await store.ensure_chat(CHAT, "private")
        await store.add_follows(CHAT, [FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")])
        await store.add_items(ITEMS[:3])
    finally:
        await store.close()


def start_run(config: Path, token: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config)],
            env={**os.environ, "TELEGRAM_BOT_TOKEN": token},
            stdout=out,
            stderr=out,
        )


def run_to_exit(config: Path, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        env={**os.environ, "TELEGRAM_BOT_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=REFUSAL_TIMEOUT_S,
        check=False,
    )


def refusal_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one error line of a refused start; the log lines before it are INFO."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    errors = [line for line in result.stderr.splitlines() if line.startswith("nieuwsbot:")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip().endswith(errors[0])
    assert not [line for line in result.stderr.splitlines() if " ERROR " in line]
    return errors[0]


def stop(process: subprocess.Popen[bytes], log: Path) -> str:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    output = log.read_text(encoding="utf-8")
    assert process.returncode == 0, output[-3000:]
    return output


async def test_a_second_run_on_the_same_directory_exits_2_naming_the_first(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> None:
    config = write_config(tmp_path, fake_telegram.base_url)
    log = tmp_path / "first.log"
    first = start_run(config, bot_token, log)
    try:
        await fake_telegram.wait_for_call("deleteWebhook", timeout=STARTUP_TIMEOUT_S)

        started = time.monotonic()
        second = await asyncio.to_thread(run_to_exit, config, bot_token)

        assert time.monotonic() - started < 15
        data = (tmp_path / "data").resolve()
        assert refusal_line(second) == (
            f"nieuwsbot: data directory {data} is in use by process {first.pid} "
            "(another nieuwsbot run?)"
        )
        # The first bot is undisturbed.
        reply = await fake_telegram.send_and_wait(1001, "/start", timeout=15)
        assert "Welkom" in reply["text"]
    finally:
        output = stop(first, log)
    assert "Traceback" not in output


async def test_an_unreadable_chat_shard_exits_2_with_one_line(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> None:
    config = write_config(tmp_path, fake_telegram.base_url)
    data = tmp_path / "data"
    await seed_store(data)
    shard = shard_path(data / CHATS_DIR, CHAT % SHARDS)
    shard.write_bytes(shard.read_bytes()[:40])

    result = await asyncio.to_thread(run_to_exit, config, bot_token)

    line = refusal_line(result)
    assert line.startswith(f"nieuwsbot: database file {shard} does not match the store manifest")
    assert "the file is unreadable" in line
    assert "nieuwsbot store repair" in line
    assert shard.exists(), "chat shards are never moved aside at start-up"
    assert not fake_telegram.calls_of("getUpdates")


async def test_a_deleted_chat_shard_exits_2_until_repair_accepts_the_loss(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> None:
    config = write_config(tmp_path, fake_telegram.base_url)
    data = tmp_path / "data"
    await seed_store(data)
    shard = shard_path(data / CHATS_DIR, CHAT % SHARDS)
    shard.unlink()

    refused = await asyncio.to_thread(run_to_exit, config, bot_token)

    assert refusal_line(refused) == (
        f"nieuwsbot: database file {shard} does not match the store manifest: the file is "
        "missing (the manifest lists 1 document); restore the data directory from a backup, "
        "or run `nieuwsbot store repair` to accept the loss"
    )

    repair = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "store", "repair", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert repair.returncode == 0, repair.stderr
    assert "chats/shard-001.json: missing; accepted the loss of 1 chats" in repair.stdout

    log = tmp_path / "bot.log"
    process = start_run(config, bot_token, log)
    try:
        await fake_telegram.wait_for_call("deleteWebhook", timeout=STARTUP_TIMEOUT_S)
    finally:
        output = stop(process, log)
    assert "ready as @" in output


async def test_a_corrupt_items_file_is_set_aside_and_the_bot_starts(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> None:
    config = write_config(tmp_path, fake_telegram.base_url)
    data = tmp_path / "data"
    await seed_store(data)
    (bucket,) = (data / ITEMS_DIR).glob("*.json")
    bucket.write_bytes(b"\x00garbage")

    log = tmp_path / "bot.log"
    process = start_run(config, bot_token, log)
    try:
        await fake_telegram.wait_for_call("deleteWebhook", timeout=STARTUP_TIMEOUT_S)
        reply = await fake_telegram.send_and_wait(CHAT, "/mijn", timeout=15)
        assert "Oekraïne" in reply["text"]  # the chats are untouched
    finally:
        output = stop(process, log)

    assert not bucket.exists()
    (aside,) = (data / ITEMS_DIR).glob(f"{bucket.name}.corrupt-*")
    assert aside.read_bytes() == b"\x00garbage"
    (warning,) = [line for line in output.splitlines() if "is unreadable" in line]
    assert " WARNING " in warning
    assert f"moved aside to {aside.name}" in warning
    assert "Traceback" not in output
