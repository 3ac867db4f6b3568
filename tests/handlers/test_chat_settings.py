"""/stil, /samenvatting and /stop through the real Application."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sim.telegram import FakeTelegram
from tests.chat_harness import PRIVATE, buttons, payloads, running_bot


async def test_quiet_hours_are_validated_and_stored(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        usage = (await bot.say(PRIVATE, "/stil"))["text"]
        assert "Nu: uit." in usage
        assert "/stil 23:00-07:00" in usage

        answer = await bot.say(PRIVATE, "/stil 23:00-7:00")
        assert answer["text"] == (
            "🌙 Stille uren ingesteld: van 23:00 tot 07:00 krijg je geen meldingen."
        )
        record = bot.chat(PRIVATE)
        assert record is not None
        assert (record.settings.quiet_start, record.settings.quiet_end) == ("23:00", "07:00")
        assert "Nu: stil van 23:00 tot 07:00." in (await bot.say(PRIVATE, "/stil"))["text"]

        off = await bot.say(PRIVATE, "/stil uit")
        assert "Stille uren staan uit" in off["text"]
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.settings.quiet_start is None
        assert record.settings.quiet_end is None


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("25:00-07:00", "„25:00” is geen geldige tijd"),
        ("23:00-7:5", "„7:5” is geen geldige tijd"),
        ("08:00-08:00", "Begin en einde zijn gelijk"),
        ("abc", "„abc” begrijp ik niet"),
        ("23:00", "Geef begin en einde"),
    ],
)
async def test_invalid_quiet_hours_get_a_clear_error(
    fake_telegram: FakeTelegram, tmp_path: Path, argument: str, expected: str
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        text = (await bot.say(PRIVATE, f"/stil {argument}"))["text"]
        assert expected in text
        assert "<code>" in text  # every error shows an example
        assert bot.chat(PRIVATE) is None


async def test_digest_time_is_validated_and_stored(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/samenvatting 8:00")
        assert "elke dag om 08:00 één samenvatting" in answer["text"]
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.settings.digest_time == "08:00"

        invalid = await bot.say(PRIVATE, "/samenvatting 25:00")
        assert "„25:00” is geen geldige tijd" in invalid["text"]
        usage = await bot.say(PRIVATE, "/samenvatting")
        assert "Nu: elke dag om 08:00." in usage["text"]

        off = await bot.say(PRIVATE, "/samenvatting uit")
        assert "staat uit" in off["text"]
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.settings.digest_time is None


async def test_stop_deletes_the_chat_after_confirmation(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.say(PRIVATE, "/volg oekraine, sport")
        await bot.say(PRIVATE, "/samenvatting 07:30")

        ask = await bot.say(PRIVATE, "/stop")
        assert "Weet je het zeker?" in ask["text"]
        assert payloads(ask) == {"Ja, stop en wis alles": "stop:y", "Nee, laat maar": "stop:n"}
        kept = await bot.press(PRIVATE, ask["message_id"], buttons(ask)["Nee, laat maar"])
        assert kept["text"] == "Oké, er is niets veranderd."
        assert bot.follows(PRIVATE) == {"country:UA", "section:sport"}

        ask = await bot.say(PRIVATE, "/stop")
        done = await bot.press(PRIVATE, ask["message_id"], buttons(ask)["Ja, stop en wis alles"])
        assert "Je gegevens zijn gewist" in done["text"]
        assert bot.chat(PRIVATE) is None
        assert len(bot.services.index) == 0

        # A later /start starts fresh: nothing is checked, nothing is stored.
        welcome = await bot.say(PRIVATE, "/start")
        assert not any(text.startswith("✓") for text in buttons(welcome))
        assert bot.chat(PRIVATE) is None


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/stil 23-7", "van 23:00 tot 07:00"),
        ("/stil 23:00 tot 07:00", "van 23:00 tot 07:00"),
        ("/stil 23u-7u", "van 23:00 tot 07:00"),
        ("/stil 23.00-07.00", "van 23:00 tot 07:00"),
        ("/samenvatting 8 uur", "elke dag om 08:00"),
        ("/samenvatting 8u", "elke dag om 08:00"),
        ("/samenvatting 08.00", "elke dag om 08:00"),
        ("/samenvatting 20:30", "elke dag om 20:30"),
    ],
)
async def test_times_are_accepted_as_people_type_them(
    fake_telegram: FakeTelegram, tmp_path: Path, command: str, expected: str
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        assert expected in (await bot.say(PRIVATE, command))["text"]
        assert bot.chat(PRIVATE) is not None


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/stil 25-7", "„25” is geen geldige tijd"),
        ("/stil morgen", "„morgen” begrijp ik niet"),
        ("/samenvatting morgen", "„morgen” is geen geldige tijd"),
    ],
)
async def test_other_times_still_get_the_clear_error(
    fake_telegram: FakeTelegram, tmp_path: Path, command: str, expected: str
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        text = (await bot.say(PRIVATE, command))["text"]
        assert expected in text
        assert "<code>" in text
        assert bot.chat(PRIVATE) is None


async def test_link_previews_are_chosen_per_chat(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        usage = (await bot.say(PRIVATE, "/voorbeeld"))["text"]
        assert "Nu: uit." in usage  # the operator's default (push.link_previews = false)
        assert "<code>/voorbeeld aan</code>" in usage
        assert bot.chat(PRIVATE) is None  # looking changes nothing

        on = await bot.say(PRIVATE, "/voorbeeld aan")
        assert on["text"].startswith("🔗 Voorbeelden staan aan")
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.settings.link_previews is True
        assert "Nu: aan." in (await bot.say(PRIVATE, "/voorbeeld"))["text"]
        assert "🔗 Voorbeeld van het artikel: aan" in (await bot.say(PRIVATE, "/mijn"))["text"]

        off = await bot.say(PRIVATE, "/voorbeeld uit")
        assert off["text"].startswith("Voorbeelden staan uit")
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.settings.link_previews is False
        assert "🔗 Voorbeeld van het artikel: uit" in (await bot.say(PRIVATE, "/mijn"))["text"]

        wrong = await bot.say(PRIVATE, "/voorbeeld misschien")
        assert "„misschien” begrijp ik niet" in wrong["text"]
        assert "<code>/voorbeeld aan</code>" in wrong["text"]
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.settings.link_previews is False


async def test_link_previews_are_in_the_menu_and_the_help(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        menu = {entry["command"] for entry in fake_telegram.commands(language_code="nl")}
        assert "voorbeeld" in menu
        assert "/voorbeeld" in (await bot.say(PRIVATE, "/help"))["text"]
