"""Webhook mode is never open: no secret, no start; forged updates change nothing.

``nieuwsbot run`` as a real process against the fake Bot API. Without
``webhook_secret`` it refuses to start. With one, updates POSTed without the
``X-Telegram-Bot-Api-Secret-Token`` header (or with a wrong one) are refused:
a forged ``/status`` "from an admin" is not answered, and a forged migrate
service message does not move a group's follows.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind
from bot.sim.telegram import FakeTelegram
from bot.store import Store
from tests.e2e.test_webhook import SECRET, free_port
from tests.store_support import T0

ADMIN = 42
ATTACKER_CHAT = 6660001
GROUP = -4001234
SUPERGROUP = -1004001234
UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
# Long enough for a processed update's reply (milliseconds on loopback) to show.
SILENCE_S = 2.0


def write_config(tmp_path: Path, fake: FakeTelegram, port: int, secret: str | None) -> Path:
    secret_line = f'webhook_secret = "{secret}"\n' if secret is not None else ""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{fake.base_url}"\nadmins = [{ADMIN}]\n'
        f'webhook_url = "http://127.0.0.1:{port}/telegram/hook"\n'
        f'webhook_listen = "127.0.0.1"\nwebhook_port = {port}\n{secret_line}'
        f'[storage]\npath = "{tmp_path / "data"}"\n',
        encoding="utf-8",
    )
    return config


def post(url: str, update: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        url, data=json.dumps(update).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def message(update_id: int, chat: dict[str, object], **fields: object) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": ADMIN, "is_bot": False, "first_name": "Beheerder"},
            **fields,
        },
    }


FORGED_STATUS = message(
    900001,
    {"id": ATTACKER_CHAT, "type": "private", "first_name": "Mallory"},
    text="/status",
    entities=[{"type": "bot_command", "offset": 0, "length": 7}],
)
FORGED_MIGRATE = message(
    900002,
    {"id": GROUP, "type": "group", "title": "Nieuwsgroep"},
    migrate_to_chat_id=SUPERGROUP,
)


async def test_webhook_mode_without_a_secret_refuses_to_start(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> None:
    config = write_config(tmp_path, fake_telegram, free_port(), secret=None)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        env={**os.environ, "TELEGRAM_BOT_TOKEN": bot_token},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "nieuwsbot: config error: telegram.webhook_secret is required in webhook mode "
        "(telegram.webhook_url is set): without it anyone who finds the URL can send the bot "
        'forged updates. Generate one with: python3 -c "import secrets; '
        'print(secrets.token_urlsafe(32))" and set webhook_secret = "<it>" under [telegram].'
    ]
    assert not fake_telegram.calls_of("setWebhook")
    assert not fake_telegram.calls_of("getMe")


async def seed_group(data: Path) -> None:
    store = await Store.open(data, clock=ManualClock(T0), freeze_gc=False)
    try:
        await store.ensure_chat(GROUP, "group")
        await store.add_follows(GROUP, [UA])
    finally:
        await store.close()


async def group_follows(data: Path) -> dict[int, tuple[FollowKey, ...] | None]:
    store = await Store.open(data, clock=ManualClock(T0), freeze_gc=False)
    try:
        found = {chat_id: store.get_chat(chat_id) for chat_id in (GROUP, SUPERGROUP)}
        return {chat_id: r.follows if r else None for chat_id, r in found.items()}
    finally:
        await store.close()


async def test_forged_updates_without_the_secret_change_nothing(
    tmp_path: Path, fake_telegram: FakeTelegram, bot_token: str
) -> None:
    await seed_group(tmp_path / "data")
    port = free_port()
    config = write_config(tmp_path, fake_telegram, port, secret=SECRET)
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config)],
            env={**os.environ, "TELEGRAM_BOT_TOKEN": bot_token},
            stdout=out,
            stderr=out,
        )
    try:
        await fake_telegram.wait_for_call("setWebhook", timeout=30)
        # The webhook server is up once a genuine update (with the secret) is answered.
        reply = await fake_telegram.send_and_wait(3001, "/start", timeout=15)
        assert "Welkom" in reply["text"]

        for forged in (FORGED_STATUS, FORGED_MIGRATE):
            assert await asyncio.to_thread(post, hook, forged, None) == 403
            assert await asyncio.to_thread(post, hook, forged, "wrong-secret") == 403
        await asyncio.sleep(SILENCE_S)
        assert not fake_telegram.calls_of("sendMessage", chat_id=ATTACKER_CHAT)
        assert not fake_telegram.calls_of("sendMessage", chat_id=GROUP)

        # The control: the very same update with the right secret is answered,
        # so the header was all that kept the forged /status out.
        assert await asyncio.to_thread(post, hook, FORGED_STATUS, SECRET) == 200
        await fake_telegram.wait_for_message(ATTACKER_CHAT, timeout=15)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert process.returncode == 0, log.read_text(encoding="utf-8")[-3000:]

    assert await group_follows(tmp_path / "data") == {GROUP: (UA,), SUPERGROUP: None}
