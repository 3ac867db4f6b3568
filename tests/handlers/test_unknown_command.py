"""An unknown command says so and suggests the nearest one (issue 15, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sim.telegram import FakeTelegram
from bot.texts import chat as texts
from handlers.registry import COMMANDS
from handlers.unknown import ENGLISH_NAMES, KNOWN_COMMANDS, nearest_command
from tests.chat_harness import ADMIN, GROUP, PRIVATE, running_bot


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # English names people type from other bots: explicit.
        ("follow", "volg"),
        ("FOLLOW", "volg"),
        ("subscribe", "volg"),
        ("unfollow", "ontvolg"),
        ("unsubscribe", "ontvolg"),
        ("latest", "laatste"),
        ("news", "laatste"),
        ("search", "zoek"),
        ("find", "zoek"),
        ("settings", "mijn"),
        ("list", "mijn"),
        ("topics", "onderwerpen"),
        ("quiet", "stil"),
        ("mute", "stil"),
        ("digest", "samenvatting"),
        ("summary", "samenvatting"),
        ("preview", "voorbeeld"),
        ("previews", "voorbeeld"),
        ("voorbeelden", "voorbeeld"),
        # Near misses of the Dutch names: the closest one.
        ("help2", "help"),
        ("volgen", "volg"),
        ("ontvolgen", "ontvolg"),
        ("zoeken", "zoek"),
        ("laatst", "laatste"),
        ("samenvating", "samenvatting"),
        ("stilte", "stil"),
        ("onderwerp", "onderwerpen"),
        ("Mijn", "mijn"),
        # Nothing close.
        ("foo", None),
        ("xyz", None),
        ("", None),
        ("status", None),  # admin-only: never suggested, not even as "/start"
    ],
)
def test_nearest_command(typed: str, expected: str | None) -> None:
    assert nearest_command(typed) == expected


def test_every_suggestion_is_a_registered_command() -> None:
    registered = {name for names, _ in COMMANDS for name in names}
    assert set(ENGLISH_NAMES.values()) <= registered
    assert set(KNOWN_COMMANDS) <= registered
    assert {name for name, _ in texts.COMMANDS} <= set(KNOWN_COMMANDS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/follow ukraine", "„/follow” ken ik niet. Bedoel je <code>/volg ukraine</code>?"),
        ("/follow", "„/follow” ken ik niet. Bedoel je /volg?"),
        ("/latest", "„/latest” ken ik niet. Bedoel je /laatste?"),
        ("/help2", "„/help2” ken ik niet. Bedoel je /help?"),
        ("/foo", "„/foo” ken ik niet. Typ /help voor alle opdrachten."),
    ],
)
async def test_an_unknown_command_in_a_private_chat_gets_a_suggestion(
    fake_telegram: FakeTelegram, tmp_path: Path, typed: str, expected: str
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, typed)
        assert answer["text"] == expected
        assert bot.chat(PRIVATE) is None  # nothing was followed or stored


async def test_a_suggestion_echoes_the_argument_escaped_and_clipped(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/follow <b>" + "x" * 500)
        assert "Bedoel je <code>/volg &lt;b&gt;xxx" in answer["text"]
        assert len(answer["text"]) < 250


async def test_in_a_group_only_commands_addressed_to_us_get_the_suggestion(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.set_admins(GROUP, [ADMIN])
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.silence(GROUP, "/follow ukraine", user_id=ADMIN)  # maybe another bot's
        answer = await bot.say(GROUP, "/follow@nieuwsbot_test_bot ukraine", user_id=ADMIN)
        assert "Bedoel je <code>/volg ukraine</code>?" in answer["text"]
