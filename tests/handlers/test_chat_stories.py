"""/updates, /volg belangrijk and stories in /laatste and /zoek, through the real Application."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.model import NewsItem
from bot.sim.telegram import FakeTelegram
from tests.chat_harness import ADMIN, GROUP, MEMBER, NOW, PRIVATE, buttons, running_bot
from tests.stories.nunspeet import FIRE, ND, NOS, NRC, Report

STORY = NRC.guid


def report(source: Report, minutes_ago: int, story: str | None = STORY) -> NewsItem:
    at = NOW - timedelta(minutes=minutes_ago)
    return NewsItem(
        id=source.guid,
        feed=source.outlet.lower(),
        source=source.outlet,
        link=source.link,
        title=source.title,
        summary=source.lead,
        text=source.lead,
        published=at,
        first_seen=at,
        story=story,
    )


# The parade: NRC first, NOS 20 minutes later, ND 40 minutes after NRC; the fire alone.
PARADE = [report(NRC, 60), report(NOS, 40), report(ND, 20)]
THE_FIRE = report(FIRE, 30, story=None)


async def test_updates_shows_sets_and_refuses(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        usage = (await bot.say(PRIVATE, "/updates"))["text"]
        assert "Nu: stil, als antwoord op het eerste bericht." in usage
        assert "/updates apart" in usage
        assert bot.chat(PRIVATE) is None  # asking stores nothing

        answer = (await bot.say(PRIVATE, "/updates apart"))["text"]
        assert "elk bericht apart en met melding" in answer
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.settings.updates == "separate"
        assert "Meer over een verhaal: apart" in (await bot.say(PRIVATE, "/mijn"))["text"]

        await bot.say(PRIVATE, "/updates UIT")
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.settings.updates == "off"
        assert "Nu: uit, alleen het eerste bericht." in (await bot.say(PRIVATE, "/updates"))["text"]

        await bot.say(PRIVATE, "/updates stil")
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.settings.updates == "silent"


@pytest.mark.parametrize("argument", ["luid", "stil apart", "<b>ja</b>"])
async def test_an_unknown_updates_choice_gets_the_three_choices(
    fake_telegram: FakeTelegram, tmp_path: Path, argument: str
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        text = (await bot.say(PRIVATE, f"/updates {argument}"))["text"]
        assert "ken ik niet als keuze" in text
        assert "<code>/updates stil</code>" in text
        assert bot.chat(PRIVATE) is None


async def test_in_a_group_only_admins_choose_updates(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.set_admins(GROUP, [ADMIN])
    async with running_bot(fake_telegram, tmp_path) as bot:
        refused = await bot.say(GROUP, "/updates uit", user_id=MEMBER)
        assert "alleen beheerders" in refused["text"]
        await bot.say(GROUP, "/updates uit", user_id=ADMIN)
        record = bot.chat(GROUP)
        assert record is not None
        assert record.settings.updates == "off"


async def test_mijn_shows_the_default_updates_choice(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        text = (await bot.say(PRIVATE, "/mijn"))["text"]
        assert "🧵 Meer over een verhaal: stil, als antwoord op het eerste bericht (/updates)" in (
            text
        )


async def test_volg_belangrijk_and_where_it_is_offered(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = (await bot.say(PRIVATE, "/volg belangrijk"))["text"]
        assert answer == "✅ Je volgt nu: Belangrijk nieuws (rubriek)"
        assert bot.follows(PRIVATE) == {"section:belangrijk"}
        topics = (await bot.say(PRIVATE, "/onderwerpen"))["text"]
        assert "minstens 3 nieuwssites binnen 60 minuten" in topics
        assert "<code>/volg belangrijk</code>" in topics
        assert "/volg <code>belangrijk</code>" in (await bot.say(PRIVATE, "/help"))["text"]
        await bot.say(PRIVATE, "/ontvolg belangrijk")
        assert bot.follows(PRIVATE) == set()

        # The /start keyboard has it; a tap follows it.
        welcome = await bot.say(PRIVATE, "/start")
        edited = await bot.press(
            PRIVATE, welcome["message_id"], buttons(welcome)["Belangrijk nieuws"]
        )
        assert "✓ Belangrijk nieuws" in buttons(edited)
        assert bot.follows(PRIVATE) == {"section:belangrijk"}


async def test_the_command_menu_has_updates(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path):
        commands = {
            c["command"]: c["description"] for c in fake_telegram.commands(language_code="nl")
        }
        assert commands["updates"] == "Meer over hetzelfde verhaal: stil, uit of apart"


async def test_laatste_lists_a_story_once_newest_report_first(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=[*PARADE, THE_FIRE]) as bot:
        text = (await bot.say(PRIVATE, "/laatste"))["text"]
        assert "3. " not in text
        first, second = text.split("\n\n2. ")
        assert ND.title in first  # the parade's newest report leads its entry
        assert NRC.title not in text
        assert NOS.title not in text
        assert f'ook bij: <a href="{NRC.link}">NRC</a> · <a href="{NOS.link}">NOS</a>' in first
        assert FIRE.title in second
        assert "ook bij" not in second


async def test_zoek_lists_stories_too(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path, items=[*PARADE, THE_FIRE]) as bot:
        text = (await bot.say(PRIVATE, "/zoek lichtjesparade"))["text"]
        assert text.count(ND.title) == 1
        assert "2. " not in text  # the fire does not mention the parade
        assert f'<a href="{NOS.link}">NOS</a>' in text


async def test_laatste_belangrijk_lists_the_important_stories(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=[*PARADE, THE_FIRE]) as bot:
        text = (await bot.say(PRIVATE, "/laatste belangrijk"))["text"]
        assert "Belangrijk nieuws" in text
        assert ND.title in text
        assert FIRE.title not in text  # one outlet
    # Two outlets only: nothing important.
    async with running_bot(fake_telegram, tmp_path / "two", items=PARADE[:2]) as bot:
        text = (await bot.say(PRIVATE, "/laatste belangrijk"))["text"]
        assert "Geen nieuws over Belangrijk nieuws" in text
