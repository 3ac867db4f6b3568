"""``nieuwsbot health`` against a real ``nieuwsbot run`` (the Dockerfile's HEALTHCHECK).

Healthy while the bot runs; unhealthy, naming why, after it stopped cleanly
and after it was killed (the pid stays in the lock file, nobody holds the lock).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.sim.telegram import FakeTelegram
from tests.e2e.test_e2e_run import STARTUP_TIMEOUT_S, write_config
from tests.e2e.test_store_refusals import start_run, stop


def health(config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "health", "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


async def test_health_follows_a_running_bot_and_its_clean_stop(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> None:
    config = write_config(tmp_path, fake_telegram.base_url)
    log = tmp_path / "bot.log"
    process = start_run(config, bot_token, log)
    try:
        await fake_telegram.wait_for_call("deleteWebhook", timeout=STARTUP_TIMEOUT_S)
        calls_before = len(fake_telegram.calls)
        alive = await asyncio.to_thread(health, config)
        assert alive.returncode == 0, alive.stderr
        assert alive.stdout == f"ok: process {process.pid}, data dir writable\n"
        assert alive.stderr == ""
        # No Bot API call of its own (the bot's long polling goes on meanwhile).
        assert not [c for c in fake_telegram.calls[calls_before:] if c.method != "getUpdates"]
        # The probe left the bot its lock: /start still works.
        reply = await fake_telegram.send_and_wait(1001, "/start", timeout=15)
        assert "Welkom" in reply["text"]
    finally:
        stop(process, log)

    stopped = await asyncio.to_thread(health, config)
    assert stopped.returncode == 1
    data = (tmp_path / "data").resolve()
    assert stopped.stderr == f"nieuwsbot: unhealthy: no process holds {data} (no pid in .lock)\n"


async def test_health_sees_a_killed_bot(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> None:
    config = write_config(tmp_path, fake_telegram.base_url)
    process = start_run(config, bot_token, tmp_path / "bot.log")
    try:
        await fake_telegram.wait_for_call("deleteWebhook", timeout=STARTUP_TIMEOUT_S)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    killed = await asyncio.to_thread(health, config)
    assert killed.returncode == 1
    assert killed.stderr == (
        f"nieuwsbot: unhealthy: process {process.pid} (named in .lock) is not running\n"
    )
