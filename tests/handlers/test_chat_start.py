"""/start, /help, /onderwerpen, plain text and the bot menu, through the real Application."""

from __future__ import annotations

from pathlib import Path

from bot.sim.telegram import FakeTelegram
from tests.chat_harness import GROUP, PRIVATE, buttons, running_bot


async def test_start_welcomes_with_popular_follows(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/start")
        assert "Welkom bij nieuwsbot" in answer["text"]
        assert set(buttons(answer)) == {
            "Binnenland",
            "Buitenland",
            "Politiek",
            "Economie",
            "Sport",
            "Tech",
            "Oekraïne",
            "Verenigde Staten",
            "Belangrijk nieuws",
        }
        # Nothing is stored about a chat that only said hello.
        assert bot.chat(PRIVATE) is None


async def test_start_button_toggles_follow_and_check_mark(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        welcome = await bot.say(PRIVATE, "/start")
        data = buttons(welcome)["Oekraïne"]

        edited = await bot.press(PRIVATE, welcome["message_id"], data)
        assert edited["method"] == "editMessageReplyMarkup"
        assert buttons(edited)["✓ Oekraïne"] == data
        assert "Sport" in buttons(edited)
        assert bot.follows(PRIVATE) == {"country:UA"}
        record = bot.chat(PRIVATE)
        assert record is not None
        assert bot.services.index.chats(record.follows[0]) == {PRIVATE}

        again = await bot.press(PRIVATE, welcome["message_id"], data)
        assert "Oekraïne" in buttons(again)
        assert "✓ Oekraïne" not in buttons(again)
        assert bot.follows(PRIVATE) == set()


async def test_start_shows_existing_follows_checked(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.say(PRIVATE, "/volg sport")
        answer = await bot.say(PRIVATE, "/start")
        assert "✓ Sport" in buttons(answer)
        assert "Tech" in buttons(answer)


async def test_help_and_hulp_list_every_command_with_an_example(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        for command in ("/help", "/hulp"):
            text = (await bot.say(PRIVATE, command))["text"]
            for name in ("/volg", "/ontvolg", "/mijn", "/laatste", "/zoek", "/onderwerpen"):
                assert name in text
            for name in ("/stil", "/samenvatting", "/stop"):
                assert name in text
            assert "23:00-07:00" in text
            assert "oekraine" in text


async def test_topics_lists_sections_and_how_to_follow_countries(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        text = (await bot.say(PRIVATE, "/onderwerpen"))["text"]
        for label in ("Binnenland", "Buitenland", "Economie", "Sport", "Tech", "Cultuur"):
            assert label in text
        assert "/volg wetenschap" in text
        assert "Landen" in text
        assert "Trefwoorden" in text


async def test_plain_text_in_private_chat_points_to_help(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        text = (await bot.say(PRIVATE, "Hoi, wat kun je?"))["text"]
        assert "/help" in text
        unknown = (await bot.say(PRIVATE, "/weer"))["text"]
        assert "/help" in unknown


async def test_plain_text_in_group_gets_no_answer(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.silence(GROUP, "goedemorgen allemaal")


async def test_bot_menu_has_dutch_descriptions_for_nl_and_default(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path):
        for language in ("", "nl"):
            menu = {
                entry["command"]: entry["description"]
                for entry in fake_telegram.commands(language_code=language)
            }
            assert {"volg", "ontvolg", "mijn", "laatste", "zoek", "stil", "stop"} <= set(menu)
            assert menu["volg"] == "Volg een land, rubriek of trefwoord"
