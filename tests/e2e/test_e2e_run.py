"""``nieuwsbot run`` as a real process against the loopback fake Bot API.

This is the bot exactly as an operator starts it: the console script's code path,
a config file, the token from the environment. A user sends /start and a Dutch
welcome arrives; SIGTERM stops it cleanly; the token never shows up in its logs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sim.telegram import FakeTelegram

STARTUP_TIMEOUT_S = 30.0


def write_config(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{base_url}"\nadmins = [42]\n\n'
        f'[storage]\npath = "{tmp_path / "data"}"\n\n'
        "[schedule]\npoll_interval_seconds = 300\n" + extra,
        encoding="utf-8",
    )
    return config


@pytest.fixture
def bot_process(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> Iterator[subprocess.Popen[str]]:
    config = write_config(tmp_path, fake_telegram.base_url)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": bot_token, "NIEUWSBOT_CONFIG": str(config)}
    # Debug logging is verbose: a file, not a pipe nobody drains while the test runs.
    with (tmp_path / "bot.log").open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "-v", "run"], env=env, stdout=log, stderr=log, text=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


async def test_start_gets_a_dutch_welcome_and_sigterm_stops_cleanly(
    bot_process: subprocess.Popen[str], fake_telegram: FakeTelegram, bot_token: str, tmp_path: Path
) -> None:
    # getUpdates is recorded only when its long poll ends; deleteWebhook precedes polling.
    await fake_telegram.wait_for_call("deleteWebhook", timeout=STARTUP_TIMEOUT_S)
    reply = await fake_telegram.send_and_wait(1001, "/start", timeout=15)
    assert "Welkom" in reply["text"]
    assert reply["chat_id"] == 1001
    # The bot menu was set in Dutch at start-up.
    assert fake_telegram.calls_of("setMyCommands")

    started = time.monotonic()
    bot_process.send_signal(signal.SIGTERM)
    bot_process.wait(timeout=30)
    output = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert bot_process.returncode == 0, output
    assert time.monotonic() - started < 20
    assert "Traceback" not in output
    assert bot_token not in output
    assert bot_token.split(":")[1] not in output


def test_run_without_token_exits_2_with_one_clear_message(tmp_path: Path) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9/bot")
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_refused_token_is_one_clear_line_and_never_printed(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    wrong = "987654321:AAWrongTokenWrongTokenWrongToken123"
    config = write_config(tmp_path, fake_telegram.base_url)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        env={**os.environ, "TELEGRAM_BOT_TOKEN": wrong},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "refused the token" in result.stderr
    assert wrong not in output
    assert wrong.split(":")[1] not in output
