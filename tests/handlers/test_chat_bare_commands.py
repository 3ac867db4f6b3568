"""Commands that arrive without Telegram's bot_command entity still work.

Real Telegram always marks "/volg" with an entity; some Bot API emulators do not.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bot.sim.telegram import FakeTelegram
from tests.chat_harness import PRIVATE, running_bot


def bare(chat_id: int, text: str, user_id: int | None = None) -> dict[str, Any]:
    chat_type = "private" if chat_id > 0 else "supergroup"
    return {
        "message": {
            "message_id": int(time.monotonic() * 1000) % 1_000_000,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "title": "Groep"},
            "from": {"id": user_id or chat_id, "is_bot": False, "first_name": "Emu"},
            "text": text,
        }
    }


async def test_command_without_entity_is_dispatched(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        after = fake_telegram.mark()
        fake_telegram.add_update(bare(PRIVATE, "/volg oekraine"))
        answer = await fake_telegram.wait_for_message(PRIVATE, after=after)
        assert answer["text"] == "✅ Je volgt nu: Oekraïne (land)"
        assert bot.follows(PRIVATE) == {"country:UA"}

        after = fake_telegram.mark()
        fake_telegram.add_update(bare(PRIVATE, "/onbekend"))
        answer = await fake_telegram.wait_for_message(PRIVATE, after=after)
        assert "/help" in answer["text"]


async def test_bare_command_for_another_bot_is_ignored(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    group, admin = -100_4242, 77
    fake_telegram.set_admins(group, [admin])
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.silence(group, "/volg@andere_bot sport", user_id=admin)
        assert bot.follows(group) == set()
        after = fake_telegram.mark()
        fake_telegram.add_update(bare(PRIVATE, "/volg@nieuwsbot_test_bot sport"))
        answer = await fake_telegram.wait_for_message(PRIVATE, after=after)
        assert answer["text"] == "✅ Je volgt nu: Sport (rubriek)"


async def test_unknown_command_without_entity_gets_the_suggestion(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path):
        after = fake_telegram.mark()
        fake_telegram.add_update(bare(PRIVATE, "/follow oekraine"))
        answer = await fake_telegram.wait_for_message(PRIVATE, after=after)
        assert answer["text"] == "„/follow” ken ik niet. Bedoel je <code>/volg oekraine</code>?"
