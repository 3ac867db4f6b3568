"""/laatste and /zoek over a seeded item store, through the real Application."""

from __future__ import annotations

import re
from pathlib import Path

from bot.sim.telegram import FakeTelegram
from tests.chat_harness import PRIVATE, running_bot, seed_items


def titles(text: str) -> list[str]:
    """The linked titles of a list reply, in order."""
    return re.findall(r'<a href="[^"]+">(.*?)</a>', text)


async def test_latest_defaults_to_five_newest_first(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        answer = await bot.say(PRIVATE, "/laatste")
        text = answer["text"]
        assert text.startswith("🗞 <b>Laatste nieuws</b>")
        assert titles(text) == [
            "Framework vraagt 7659 euro voor Desktop met 192GB ram en zonder ssd",
            "Kabinet is bereid om kleinere spaarders en beleggers toch te ontzien",
            "Trump overweegt exportverbod diesel, 'zou heel Europa veel last van hebben'",
            "Vier nieuwe doden door westnijlvirus, maar uitbraak lijkt af te vlakken",
            "Opnieuw doden en gewonden in Afghanistan na Pakistaanse luchtaanvallen",
        ]
        assert "1. " in text
        assert "5. " in text
        assert "13:54" in text  # 11:54 UTC in Amsterdam
        assert answer["link_preview_options"] == {"is_disabled": True}


async def test_latest_for_a_country_section_and_keyword(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        ukraine = (await bot.say(PRIVATE, "/laatste oekraine"))["text"]
        assert "Laatste nieuws over Oekraïne" in ukraine
        assert titles(ukraine) == ["Oekraïne vraagt om meer luchtafweer"]

        sport = (await bot.say(PRIVATE, "/laatste sport"))["text"]
        assert len(titles(sport)) == 1
        assert "gisteren 23:00" in sport
        # Feed text with & and < is escaped, so the fake's HTML parser accepted it.
        assert "&amp;" in sport
        assert "&lt;live&gt;" in sport

        keyword = (await bot.say(PRIVATE, "/laatste westnijlvirus"))["text"]
        assert titles(keyword) == [
            "Vier nieuwe doden door westnijlvirus, maar uitbraak lijkt af te vlakken"
        ]

        two = (await bot.say(PRIVATE, "/laatste binnenland 2"))["text"]
        assert len(titles(two)) == 2


async def test_latest_count_is_clamped_and_validated(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        many = (await bot.say(PRIVATE, "/laatste 50"))["text"]
        assert len(titles(many)) == len(seed_items())
        assert "maximaal 20 tegelijk" in many

        zero = (await bot.say(PRIVATE, "/laatste 0"))["text"]
        assert "Kies een aantal van 1 tot 20" in zero


async def test_latest_nothing_found_is_helpful(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        text = (await bot.say(PRIVATE, "/laatste japan"))["text"]
        assert text.startswith("Geen nieuws over Japan in de afgelopen 7 dagen.")

    async with running_bot(fake_telegram, tmp_path / "empty") as bot:
        text = (await bot.say(PRIVATE, "/laatste"))["text"]
        assert "nog geen nieuws" in text


async def test_latest_near_miss_suggests_what_was_meant(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        text = (await bot.say(PRIVATE, "/laatste oekrane"))["text"]
        assert text.startswith("Geen nieuws over oekrane")
        assert text.endswith("Bedoel je /laatste oekraine?")


async def test_search_folds_accents_and_needs_all_words(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        folded = (await bot.say(PRIVATE, "/zoek OEKRAINE"))["text"]
        assert folded.startswith("🔎 <b>Gevonden voor „OEKRAINE”</b>")
        assert titles(folded) == ["Oekraïne vraagt om meer luchtafweer"]

        both = (await bot.say(PRIVATE, "/zoek café geërgerd"))["text"]
        assert titles(both) == ["Café in Eindhoven moet ‘per direct’ dicht"]

        nothing = (await bot.say(PRIVATE, "/zoek luchtafweer trump"))["text"]
        assert "Niets gevonden voor „luchtafweer trump” in de afgelopen 7 dagen" in nothing

        empty = (await bot.say(PRIVATE, "/zoek"))["text"]
        assert "Waar wil je naar zoeken?" in empty
