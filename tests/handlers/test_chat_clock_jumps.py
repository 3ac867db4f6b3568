"""The command rate limit runs on the monotonic clock: a wall-clock step does not move it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.sim.telegram import FakeTelegram
from tests.chat_harness import PRIVATE, running_bot


async def test_a_wall_clock_set_back_does_not_keep_a_chat_rate_limited(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        for _ in range(20):
            await bot.say(PRIVATE, "/help")
        refused = await bot.say(PRIVATE, "/help")
        assert refused["text"].startswith("Even rustig aan")
        bot.clock.jump(timedelta(hours=-1))  # NTP or an operator sets the clock back
        bot.clock.advance(timedelta(seconds=61))  # a minute passes
        again = await bot.say(PRIVATE, "/help")
        assert "Zo werkt nieuwsbot" in again["text"]


async def test_a_wall_clock_set_forward_does_not_lift_the_rate_limit(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        for _ in range(20):
            await bot.say(PRIVATE, "/help")
        refused = await bot.say(PRIVATE, "/help")
        assert refused["text"].startswith("Even rustig aan")
        bot.clock.jump(timedelta(hours=1))
        await bot.silence(PRIVATE, "/help")  # still within the minute: refused silently
