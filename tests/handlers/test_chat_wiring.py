"""The chat handlers as production wires them: ``bot.runtime.app.build_application``."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config, StorageConfig, TelegramConfig
from bot.runtime.app import build_application
from bot.sim.telegram import FakeTelegram
from tests.chat_harness import NOW, PRIVATE
from tests.clock import Clock


async def test_production_application_answers_chat_commands(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    config = Config(
        telegram=TelegramConfig(token=fake_telegram.token, base_url=fake_telegram.base_url),
        storage=StorageConfig(path=str(tmp_path / "data")),
    )
    application = build_application(config, clock=Clock(NOW), schedule=False)
    async with application:
        # run_polling would call these hooks; the test drives the lifecycle itself.
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            followed = await fake_telegram.send_and_wait(PRIVATE, "/volg oekraine, sport")
            assert followed["text"] == "✅ Je volgt nu: Oekraïne (land), Sport (rubriek)"
            empty = await fake_telegram.send_and_wait(PRIVATE, "/laatste oekraine")
            assert empty["text"].startswith("Geen nieuws over Oekraïne in de afgelopen 7 dagen")
            assert {entry["command"] for entry in fake_telegram.commands(language_code="nl")} >= {
                "volg",
                "laatste",
            }
        finally:
            await application.updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
