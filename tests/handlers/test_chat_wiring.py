"""The chat handlers as production wires them, started by the one lifecycle."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config, StorageConfig, TelegramConfig
from bot.core.clock import ManualClock
from bot.runtime.lifecycle import running
from bot.sim.telegram import FakeTelegram
from tests.chat_harness import NOW, PRIVATE


async def test_production_application_answers_chat_commands(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    config = Config(
        telegram=TelegramConfig(token=fake_telegram.token, base_url=fake_telegram.base_url),
        storage=StorageConfig(path=str(tmp_path / "data")),
    )
    async with running(config, ManualClock(NOW), schedule=False, poll_timeout=1):
        followed = await fake_telegram.send_and_wait(PRIVATE, "/volg oekraine, sport")
        assert followed["text"] == "✅ Je volgt nu: Oekraïne (land), Sport (rubriek)"
        empty = await fake_telegram.send_and_wait(PRIVATE, "/laatste oekraine")
        assert empty["text"].startswith("Geen nieuws over Oekraïne in de afgelopen 7 dagen")
        assert {entry["command"] for entry in fake_telegram.commands(language_code="nl")} >= {
            "volg",
            "laatste",
        }
