"""/volg of a country that rarely makes the news: followed, with a warning.

For tests/handlers/ (kept outside the tagging worktree's allowed paths).
"""

from __future__ import annotations

from pathlib import Path

from bot.sim.telegram import FakeTelegram
from tests.chat_harness import PRIVATE, running_bot


async def test_follow_of_a_minor_territory_warns(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/volg jersey, oekraine")
        assert answer["text"] == (
            "✅ Je volgt nu: Jersey (land), Oekraïne (land)\n"
            "ℹ️ Over Jersey (land) verschijnt maar zelden nieuws: verwacht er niet veel "
            "berichten over."
        )
        assert bot.follows(PRIVATE) == {"country:JE", "country:UA"}


async def test_follow_of_a_news_rich_country_does_not_warn(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/volg oekraine")
        assert answer["text"] == "✅ Je volgt nu: Oekraïne (land)"
