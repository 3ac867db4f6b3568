"""Forged, copied and stale button presses change nothing.

A modified client can send any callback data for any of the bot's messages.
Buttons carry a token bound to the chat and the time they were offered, and a
press must match a button on the message it was pressed on; an invalid or
expired press gets a Dutch pop-up and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.sim.telegram import Call, FakeTelegram
from tests.chat_harness import PRIVATE, ChatBot, buttons, running_bot

OTHER = 4343
EXPIRED = "Deze knop werkt niet meer. Typ de opdracht opnieuw."


def _answers(query_id: str) -> Callable[[Call], bool]:
    return lambda call: call.params.get("callback_query_id") == query_id


async def forged_press(bot: ChatBot, chat_id: int, message_id: int, data: str) -> str:
    """Press ``data`` whether or not the message has that button; the pop-up text."""
    query_id = bot.fake.press_button(chat_id, message_id, data, strict=False)
    call = await bot.fake.wait_for_call("answerCallbackQuery", predicate=_answers(query_id))
    return str(call.params.get("text"))


async def test_a_forged_stop_on_a_welcome_message_deletes_nothing(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.say(PRIVATE, "/volg oekraine, sport")
        welcome = await bot.say(PRIVATE, "/start")
        assert await forged_press(bot, PRIVATE, welcome["message_id"], "stop:y") == EXPIRED
        assert await forged_press(bot, PRIVATE, welcome["message_id"], "ua:y") == EXPIRED
        assert bot.follows(PRIVATE) == {"country:UA", "section:sport"}


async def test_a_forged_follow_of_an_unparsed_keyword_is_refused(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/volg oekrane")  # a typo: suggestion buttons
        for data in ("f:k:de", "f:k:het", "t:k:xx", "f:c:ZZ"):
            assert await forged_press(bot, PRIVATE, answer["message_id"], data) == EXPIRED
        assert bot.follows(PRIVATE) == set()


async def test_a_button_copied_from_another_chat_is_refused(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        mine = await bot.say(PRIVATE, "/start")
        theirs = await bot.say(OTHER, "/stop")
        stolen = buttons(theirs)["Ja, stop en wis alles"]
        await bot.say(PRIVATE, "/volg sport")
        assert await forged_press(bot, PRIVATE, mine["message_id"], stolen) == EXPIRED
        assert bot.follows(PRIVATE) == {"section:sport"}


async def test_a_genuine_button_with_its_token_altered_is_refused(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.say(PRIVATE, "/volg sport")
        ask = await bot.say(PRIVATE, "/stop")
        genuine = buttons(ask)["Ja, stop en wis alles"]
        altered = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
        assert await forged_press(bot, PRIVATE, ask["message_id"], altered) == EXPIRED
        assert bot.follows(PRIVATE) == {"section:sport"}


async def test_buttons_expire(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.say(PRIVATE, "/volg sport")
        ask = await bot.say(PRIVATE, "/stop")
        welcome = await bot.say(PRIVATE, "/start")
        # A confirmation lives an hour; a follow keyboard two days.
        bot.clock.advance(timedelta(hours=1, minutes=2))
        stop = buttons(ask)["Ja, stop en wis alles"]
        assert await forged_press(bot, PRIVATE, ask["message_id"], stop) == EXPIRED
        assert bot.follows(PRIVATE) == {"section:sport"}
        edited = await bot.press(PRIVATE, welcome["message_id"], buttons(welcome)["Tech"])
        assert "✓ Tech" in buttons(edited)  # redrawn: its buttons are issued anew
        bot.clock.advance(timedelta(hours=48, minutes=1))
        economy = buttons(edited)["Economie"]
        assert await forged_press(bot, PRIVATE, welcome["message_id"], economy) == EXPIRED
        assert bot.follows(PRIVATE) == {"section:sport", "section:tech"}


async def test_every_button_fits_telegrams_64_bytes_with_its_token(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        ascii_keyword = "a" * 20 + " " + "b" * 19  # 40 characters, the longest keyword
        cyrillic = "ж" * 40  # 80 bytes: unfollowed by digest
        await bot.say(PRIVATE, f'/volg "{ascii_keyword}", "{cyrillic}"')
        listed = await bot.say(PRIVATE, "/ontvolg")
        datas = buttons(listed)
        assert len(datas) == 2
        for data in datas.values():
            assert len(data.encode("utf-8")) <= 64
        (by_digest,) = [data for text, data in datas.items() if "ж" in text]
        edited = await bot.press(PRIVATE, listed["message_id"], by_digest)
        assert not any("ж" in text for text in buttons(edited))
        (spelled,) = buttons(edited).values()
        done = await bot.press(PRIVATE, listed["message_id"], spelled)
        assert "Je volgt niets meer" in done["text"]
        assert bot.follows(PRIVATE) == set()
