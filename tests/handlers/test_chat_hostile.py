"""Hostile and odd input gets a clear Dutch answer and never crashes a handler.

The harness fails a test if any handler raised; the fake Bot API rejects
invalid HTML, over-long messages and callback data over 64 bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.sim.telegram import Call, FakeTelegram
from tests.chat_harness import PRIVATE, running_bot, seed_items

HOSTILE = {
    "empty": "",
    "5000 chars": "oekraine " * 555 + "x",
    "one long word": "a" * 5000,
    "emoji": "🇺🇦🔥💥",
    "right-to-left": "\u202eاوكرانيا\u202c",
    "markup": "<b>Poetin</b> & <i>Zelensky</i>",
    "entities": "&amp; &lt;b&gt;",
    "empty quotes": '""',
    "zero-width": "oek\u200braï\u200dne\ufeff",
    "only zero-width": "\u200b\u200c\u200d",
    "unclosed quote": '"Mark Rutte',
    "commas": ",,, ,",
    "newlines": "sport\n\n\ntech",
}
COMMANDS = ("/volg", "/ontvolg", "/laatste", "/zoek", "/stil", "/samenvatting", "/voorbeeld")


@pytest.mark.parametrize("command", COMMANDS)
async def test_hostile_arguments_get_an_answer(
    fake_telegram: FakeTelegram, tmp_path: Path, command: str
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        await bot.say(PRIVATE, "/volg sport")
        for name, argument in HOSTILE.items():
            bot.clock.advance(timedelta(minutes=1))  # stay under the rate limit
            answer = await bot.say(PRIVATE, f"{command} {argument}")
            assert answer["text"].strip(), name
            assert "Sorry, er ging iets mis" not in answer["text"], name
            # User text comes back escaped only: no tag of ours contains it raw.
            assert "<b>Poetin</b>" not in answer["text"], name


async def test_hostile_follows_are_stored_safely(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        markup = await bot.say(PRIVATE, '/volg "<b>Poetin</b> & co"')
        assert "&lt;b&gt;poetin&lt;/b&gt; &amp; co" in markup["text"].casefold()
        invisible = await bot.say(PRIVATE, "/volg oek\u200braï\u200dne")
        assert invisible["text"] == "✅ Je volgt nu: Oekraïne (land)"
        long_input = await bot.say(PRIVATE, "/volg " + "x" * 5000)
        assert "te lang" in long_input["text"]
        mine = await bot.say(PRIVATE, "/mijn")
        assert "Oekraïne" in mine["text"]
        assert bot.follows(PRIVATE) == {"keyword:<b>poetin</b> & co", "country:UA"}


async def test_forged_or_stale_buttons_change_nothing(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        welcome = await bot.say(PRIVATE, "/start")
        for data in ("t:s:<b>", "t:s:bestaatniet", "t:c:ZZ", "x:y", "stop", "u#0000000000"):
            query_id = fake_telegram.press_button(
                PRIVATE, welcome["message_id"], data, strict=False
            )
            call = await fake_telegram.wait_for_call(
                "answerCallbackQuery", predicate=_answers(query_id)
            )
            assert call.params["text"] == "Deze knop werkt niet meer. Typ de opdracht opnieuw."
        assert bot.chat(PRIVATE) is None


def _answers(query_id: str) -> Callable[[Call], bool]:
    return lambda call: call.params.get("callback_query_id") == query_id


async def test_rate_limit_answers_politely_once(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        for _ in range(20):
            await bot.say(PRIVATE, "/help")
        bot.clock.advance(timedelta(seconds=20))
        refused = await bot.say(PRIVATE, "/help")
        assert refused["text"] == (
            "Even rustig aan: je kunt over 40 seconden weer opdrachten sturen."
        )
        await bot.silence(PRIVATE, "/help")

        bot.clock.advance(timedelta(seconds=41))
        again = await bot.say(PRIVATE, "/help")
        assert "Zo werkt nieuwsbot" in again["text"]
