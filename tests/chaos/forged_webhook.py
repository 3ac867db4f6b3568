"""Forged webhook POSTs to the real ``nieuwsbot run`` in webhook mode (with a secret).

Held means: a POST without the ``X-Telegram-Bot-Api-Secret-Token`` header, or
with a wrong one, is answered 403 and changes nothing: a forged ``/ontvolg``
"from" a user leaves the follow in place, a forged ``/status`` "from the
admin" is not answered into the attacker's chat.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bot.sim.telegram import FakeTelegram
from tests.chaos.disk import follows_intact
from tests.chaos.harness import ADMIN, BotProcess, ask, write_config

SECRET = "chaos-webhook-secret_42"
USER = 5701
ATTACKER = 6660002
# Long enough for an update that got through to be answered (milliseconds on loopback).
SILENCE_S = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def forged(update_id: int, chat_id: int, sender: int, text: str) -> dict[str, Any]:
    command = text.split(" ", 1)[0]
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Mallory"},
            "from": {"id": sender, "is_bot": False, "first_name": "Mallory"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


def post(url: str, update: dict[str, Any], secret: str | None) -> int:
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
        return int(error.code)


async def forged_webhook_posts(work: Path) -> str:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    with FakeTelegram() as fake:
        data = work / "data"
        config = write_config(
            work,
            fake,
            data,
            telegram_extra=(
                f'webhook_url = "{hook}"\nwebhook_listen = "127.0.0.1"\n'
                f'webhook_port = {port}\nwebhook_secret = "{SECRET}"\n'
            ),
        )
        with BotProcess(config, fake.token, work / "bot.log") as bot:
            await bot.start_ready(fake, "setWebhook")
            # A genuine update (the fake posts it with the secret) is taken.
            reply = await ask(fake, USER, "/volg oekraine", bot)
            assert reply.startswith("✅"), reply

            attempts = [
                (forged(990001, USER, USER, "/ontvolg oekraine"), None),
                (forged(990002, USER, USER, "/ontvolg oekraine"), "wrong-secret"),
                (forged(990003, ATTACKER, ADMIN, "/status"), None),
                (forged(990004, ATTACKER, ADMIN, "/status"), "wrong-secret"),
            ]
            after = fake.mark()
            codes = [await asyncio.to_thread(post, hook, u, secret) for u, secret in attempts]
            assert codes == [403] * len(attempts), codes
            await asyncio.sleep(SILENCE_S)
            answered = [c for c in fake.calls[after:] if c.method == "sendMessage"]
            assert not answered, f"a forged update was answered: {answered}"
            listing = await ask(fake, USER, "/mijn", bot)
            assert "Oekraïne" in listing, listing
            assert bot.stop() == 0, bot.log_tail()
        await follows_intact(data, [USER], {})
    return f"{len(attempts)} forged POSTs (no or wrong secret) → 403, nothing answered or changed"
