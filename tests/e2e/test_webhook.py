"""Webhook mode: ``nieuwsbot run`` with ``[telegram] webhook_url`` against the fake Bot API.

The bot registers its webhook (with the secret token) at start-up; the fake then
POSTs updates to it like Telegram does. A request without the secret is refused.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.sim.telegram import FakeTelegram

SECRET = "webhook-secret_123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_updates_arrive_by_webhook_and_need_the_secret(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> None:
    port = free_port()
    webhook_url = f"http://127.0.0.1:{port}/telegram/hook"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{fake_telegram.base_url}"\n'
        f'webhook_url = "{webhook_url}"\nwebhook_listen = "127.0.0.1"\n'
        f'webhook_port = {port}\nwebhook_secret = "{SECRET}"\n'
        f'[storage]\npath = "{tmp_path / "data"}"\n',
        encoding="utf-8",
    )
    log = tmp_path / "bot.log"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": bot_token}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config)],
            env=env,
            stdout=out,
            stderr=out,
        )
    try:
        registered = await fake_telegram.wait_for_call("setWebhook", timeout=30)
        assert registered.params["url"] == webhook_url
        assert registered.params["secret_token"] == SECRET
        assert not fake_telegram.calls_of("getUpdates")

        reply = await fake_telegram.send_and_wait(3001, "/start", timeout=15)
        assert "Welkom" in reply["text"]
        delivery = fake_telegram.webhook_deliveries[-1]
        assert delivery.ok

        forged = urllib.request.Request(
            webhook_url,
            data=json.dumps({"update_id": 999, "message": {}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            await asyncio.to_thread(urllib.request.urlopen, forged, timeout=5)
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 403
    finally:
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        process.wait(timeout=30)
    assert process.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
    assert time.monotonic() - started < 20
    assert bot_token not in log.read_text(encoding="utf-8")
