"""The harness's silence check itself: it must catch a wrong answer that comes late.

A handler added for this test (in a handler group of its own, ahead of the
production handlers) answers one group message after 1.5 s, well past the 0.2 s
the check used to wait; the production handlers ignore plain text in groups.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.sim.telegram import FakeTelegram
from tests.chat_harness import GROUP, running_bot

SLOW_S = 1.5


async def answer_slowly(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await asyncio.sleep(SLOW_S)
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "Te laat, maar toch een antwoord")


async def test_silence_fails_on_a_slow_wrong_answer(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        bot.application.add_handler(
            MessageHandler(filters.Regex("^goedemorgen allemaal$"), answer_slowly), group=-10
        )
        started = time.monotonic()
        with pytest.raises(AssertionError, match="Te laat, maar toch een antwoord"):
            await bot.silence(GROUP, "goedemorgen allemaal")
        assert time.monotonic() - started >= SLOW_S


async def test_silence_returns_once_the_handlers_are_done(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        started = time.monotonic()
        await bot.silence(GROUP, "goedemorgen allemaal")
        # No fixed sleep: only the update's round trip through the long poll.
        assert time.monotonic() - started < SLOW_S
