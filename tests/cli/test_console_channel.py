"""``:kanaal`` and ``:inline`` in ``nieuwsbot console``: channel posts and an inline answer."""

from __future__ import annotations

import pytest

from bot.cli.console_render import ConsoleCommand, Inline, Unknown, parse_line, render_inline
from bot.sim.samples import pending_items
from tests.cli.test_console import BANNER_HINT, Screen, start_console

__all__ = ["start_console"]  # the fixture, shared with the console's main tests


def test_kanaal_links_a_channel_whose_posts_are_shown(start_console: object) -> None:
    console = start_console()  # type: ignore[operator]
    screen: Screen = console.screen
    screen.wait_for(BANNER_HINT)

    at = console.type(":kanaal")
    at = screen.wait_for("Proefkanaal @console_kanaal gemaakt", after=at)
    screen.wait_for("is gekoppeld", after=at)

    at = console.type("/kanaal @console_kanaal volg oekraine")
    screen.wait_for("✅ Je volgt nu: Oekraïne (land)", after=at)

    # The channel follows Ukraine, the console user does not: the push lands in the channel.
    ukraine = pending_items()[0]
    at = console.type(":nieuw")
    at = screen.wait_for("📣 in kanaal @console_kanaal:", after=at)
    screen.wait_for(ukraine.title, after=at)


def test_inline_shows_the_bots_inline_answer(start_console: object) -> None:
    console = start_console()  # type: ignore[operator]
    screen: Screen = console.screen
    screen.wait_for(BANNER_HINT)
    at = console.type(":inline oekraine")
    at = screen.wait_for("🔎 @nieuwsbot_console_bot oekraine:", after=at)
    screen.wait_for("\n1. ", after=at)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (":kanaal", ConsoleCommand.CHANNEL),
        (":Channel", ConsoleCommand.CHANNEL),
        (":inline oekraine", Inline("oekraine")),
        (":inline   Max Verstappen ", Inline("Max Verstappen")),
        (":inline", Inline("")),
        (":kanaal extra", Unknown("kanaal extra")),
    ],
)
def test_parse_console_lines(line: str, expected: object) -> None:
    assert parse_line(line) == expected


def test_render_inline_lists_titles_descriptions_and_the_next_page() -> None:
    answer = {
        "results": [
            {"title": "Oekraïne meldt aanval", "description": "NOS · 13:54\nDrones vielen aan."},
            {"title": "Bedoel je Oekraïne?"},
        ],
        "next_offset": "20",
    }
    assert render_inline("nieuwsbot_bot", "oekrane", answer) == (
        "🔎 @nieuwsbot_bot oekrane: 2 resultaten\n"
        "1. Oekraïne meldt aanval\n"
        "   NOS · 13:54\n"
        "   Drones vielen aan.\n"
        "2. Bedoel je Oekraïne?\n"
        "… meer resultaten met offset „20”"
    )
