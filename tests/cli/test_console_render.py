"""Console rendering: Telegram HTML, keyboards and recorded calls as terminal text; typed lines."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cli.console_render import (
    BotOutput,
    Button,
    ConsoleCommand,
    Nothing,
    Pick,
    Say,
    Unknown,
    html_to_terminal,
    keyboard_buttons,
    no_such_button,
    nobody_follows,
    parse_line,
    render_call,
    render_keyboard,
)
from bot.core.model import Dateline, FollowKey, FollowKind, NewsItem
from bot.deliver.format import format_push
from bot.deliver.match import Matched
from bot.texts import chat as texts
from handlers import topics
from handlers.keyboards import toggle_keyboard

BOLD, UNBOLD = "\x1b[1m", "\x1b[22m"

# (Telegram HTML as the handlers send it, plain terminal text)
PLAIN_CASES = [
    ("<b>Zo werkt nieuwsbot</b>", "Zo werkt nieuwsbot"),
    ("Volg <code>/volg oekraine</code>", "Volg /volg oekraine"),
    ("Rutte &amp; Schoof &lt;live&gt; &quot;update&quot;", 'Rutte & Schoof <live> "update"'),
    (
        '<b><a href="https://nos.nl/l/2584123">Kabinet &amp; Kamer</a></b>',
        "Kabinet & Kamer (https://nos.nl/l/2584123)",
    ),
    # A link whose words are its address is written once.
    ('<a href="https://nos.nl/">https://nos.nl/</a>', "https://nos.nl/"),
    # Mentions and other non-web links keep only their words.
    ('<a href="tg://user?id=42">Anna</a>', "Anna"),
    ("<i>schuin</i> <u>onder</u> <s>weg</s>", "schuin onder weg"),
    ('<tg-spoiler>geheim</tg-spoiler> <span class="tg-spoiler">ook</span>', "geheim ook"),
    ("<blockquote>regel een\nregel twee</blockquote>", "│ regel een\n│ regel twee"),
    ("<pre>code\n  ingesprongen</pre>", "code\n  ingesprongen"),
    ("Oekraïne 🇺🇦 – „citaat”", "Oekraïne 🇺🇦 – „citaat”"),
]


@pytest.mark.parametrize(("html", "expected"), PLAIN_CASES)
def test_html_to_plain_terminal_text(html: str, expected: str) -> None:
    assert html_to_terminal(html, ansi=False) == expected


ANSI_CASES = [
    ("<b>Welkom</b>!", f"{BOLD}Welkom{UNBOLD}!"),
    # Bold inside bold stays bold until the outer tag closes.
    ("<b>a <strong>b</strong> c</b>", f"{BOLD}a b c{UNBOLD}"),
    ("<i>x</i>", "\x1b[3mx\x1b[23m"),
    ("<code>/volg</code>", "\x1b[36m/volg\x1b[39m"),
    (
        '<b><a href="https://x.example/a">Titel</a></b>',
        f"{BOLD}Titel (https://x.example/a){UNBOLD}",
    ),
]


@pytest.mark.parametrize(("html", "expected"), ANSI_CASES)
def test_html_to_ansi_terminal_text(html: str, expected: str) -> None:
    assert html_to_terminal(html, ansi=True) == expected


def test_real_welcome_text_has_no_markup_left() -> None:
    shown = html_to_terminal(texts.WELCOME, ansi=False)
    assert shown.startswith("👋 Welkom bij nieuwsbot!\n")
    assert '/volg oekraine, /volg buitenland of /volg "Poetin".' in shown
    assert "<" not in shown
    assert "&" not in shown


def test_real_push_shows_title_with_link_and_source_line() -> None:
    item = NewsItem(
        id="voorbeeld-1",
        feed="voorbeeld-buitenland",
        source="Voorbeeldnieuws",
        link="https://voorbeeld.nieuwsbot.example/buitenland/a?b=1&c=2",
        title="Oekraïne & Rusland <wisselen> gevangenen uit",
        summary="Oekraïne en Rusland hebben elk 150 krijgsgevangenen vrijgelaten.",
        text="Oekraïne en Rusland hebben elk 150 krijgsgevangenen vrijgelaten.",
        published=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        dateline=Dateline("KYIV", ("ANP", "RTR")),
        sections=("buitenland",),
        countries=("UA",),
    )
    key = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
    html = format_push(
        [Matched(item, (key,))],
        tz=ZoneInfo("Europe/Amsterdam"),
        now=datetime(2026, 10, 1, 9, 5, tzinfo=UTC),
        more_command=None,
    )
    lines = html_to_terminal(html, ansi=False).split("\n")
    assert lines[0] == (
        "Oekraïne & Rusland <wisselen> gevangenen uit "
        "(https://voorbeeld.nieuwsbot.example/buitenland/a?b=1&c=2)"
    )
    assert lines[1] == "📍 Kyiv · Voorbeeldnieuws · 11:00"


WELCOME_MARKUP = {
    "inline_keyboard": [
        [
            {"text": "Binnenland", "callback_data": "f:t:s:binnenland"},
            {"text": "✓ Buitenland", "callback_data": "f:t:s:buitenland"},
        ],
        [{"text": "Oekraïne", "callback_data": "f:t:c:UA"}],
        [{"text": "Lees meer", "url": "https://voorbeeld.nieuwsbot.example/"}],
    ]
}


def test_keyboard_buttons_are_numbered_row_by_row() -> None:
    assert keyboard_buttons(WELCOME_MARKUP) == (
        Button(1, "Binnenland", callback_data="f:t:s:binnenland"),
        Button(2, "✓ Buitenland", callback_data="f:t:s:buitenland"),
        Button(3, "Oekraïne", callback_data="f:t:c:UA"),
        Button(4, "Lees meer", url="https://voorbeeld.nieuwsbot.example/"),
    )


def test_keyboard_rows_are_aligned_columns() -> None:
    assert render_keyboard(WELCOME_MARKUP).split("\n") == [
        "[1] Binnenland  [2] ✓ Buitenland",
        "[3] Oekraïne",
        "[4] Lees meer (https://voorbeeld.nieuwsbot.example/)",
    ]


@pytest.mark.parametrize("markup", [None, {}, {"inline_keyboard": "kapot"}, {"keyboard": [[]]}])
def test_no_keyboard_renders_nothing(markup: dict[str, object] | None) -> None:
    assert render_keyboard(markup) == ""
    assert keyboard_buttons(markup) == ()


def test_real_start_keyboard_shows_check_on_followed() -> None:
    popular = topics.popular()
    markup = toggle_keyboard(popular, [popular[1]]).to_dict()
    first_row = render_keyboard(markup).split("\n")[0]
    assert first_row == "[1] Binnenland  [2] ✓ Buitenland"
    assert len(keyboard_buttons(markup)) == len(popular)


def test_sent_message_with_keyboard() -> None:
    shown = render_call(
        "sendMessage",
        {
            "chat_id": 1000,
            "text": "<b>Kies</b>",
            "parse_mode": "HTML",
            "reply_markup": WELCOME_MARKUP,
        },
        {"message_id": 7, "chat": {"id": 1000}},
        ansi=False,
    )
    assert shown is not None
    assert shown.message_id == 7
    assert shown.buttons == keyboard_buttons(WELCOME_MARKUP)
    lines = shown.text.split("\n")
    assert lines[0].startswith("── nieuwsbot ──")
    assert lines[1] == "Kies"
    assert lines[2] == "[1] Binnenland  [2] ✓ Buitenland"


def test_a_silent_reply_shows_as_such_with_the_message_it_answers() -> None:
    followup = (
        "🧵 <b>Meer over dit verhaal:</b>\n"
        'NOS — <b><a href="https://nos.nl/artikel/2600901">Negen gewonden nadat auto '
        "inrijdt op publiek bij lichtjesparade Nunspeet</a></b> · 21:40"
    )
    shown = render_call(
        "sendMessage",
        {
            "chat_id": 1000,
            "text": followup,
            "parse_mode": "HTML",
            "disable_notification": True,
            "reply_parameters": {"message_id": 7, "allow_sending_without_reply": True},
        },
        {
            "message_id": 9,
            "reply_to_message": {
                "message_id": 7,
                "text": "Auto rijdt in op publiek bij lichtjesparade in Nunspeet\nNRC · 21:05",
            },
        },
        ansi=False,
    )
    assert shown is not None
    assert shown.text.split("\n") == [
        "── nieuwsbot (stil, zonder melding · antwoord) ───",
        "↪ antwoord op: Auto rijdt in op publiek bij lichtjesparade in Nunspeet",
        "🧵 Meer over dit verhaal:",
        "NOS — Negen gewonden nadat auto inrijdt op publiek bij lichtjesparade Nunspeet "
        "(https://nos.nl/artikel/2600901) · 21:40",
    ]
    # Silent without a reply (the first message was deleted): only the note.
    alone = render_call(
        "sendMessage",
        {"text": followup, "parse_mode": "HTML", "disable_notification": True},
        {"message_id": 10},
        ansi=False,
    )
    assert alone is not None
    assert alone.text.startswith("── nieuwsbot (stil, zonder melding) ─")


def test_text_without_parse_mode_is_shown_as_sent() -> None:
    shown = render_call("sendMessage", {"text": "<b>geen html</b>"}, {"message_id": 1}, ansi=False)
    assert shown is not None
    assert shown.text.endswith("\n<b>geen html</b>")


def test_edits_keyboard_changes_and_toasts() -> None:
    edited = render_call(
        "editMessageText",
        {"chat_id": 1000, "message_id": 7, "text": "Klaar", "parse_mode": "HTML"},
        {"message_id": 7},
        ansi=False,
    )
    assert edited is not None
    assert edited.text.split("\n")[0].startswith("── nieuwsbot (bewerkt) ──")
    assert edited.text.split("\n")[1:] == ["Klaar"]
    # An edit without reply_markup leaves the message without buttons.
    assert (edited.message_id, edited.buttons) == (7, ())

    keyboard = render_call(
        "editMessageReplyMarkup",
        {"chat_id": 1000, "message_id": 7, "reply_markup": WELCOME_MARKUP},
        {"message_id": 7},
        ansi=False,
    )
    assert keyboard is not None
    assert "(knoppen bijgewerkt)" in keyboard.text
    assert keyboard.buttons == keyboard_buttons(WELCOME_MARKUP)

    removed = render_call(
        "editMessageReplyMarkup", {"chat_id": 1000, "message_id": 7}, True, ansi=False
    )
    assert removed is not None
    assert removed.buttons == ()
    assert "knoppen verwijderd" in removed.text

    toast = render_call(
        "answerCallbackQuery",
        {"callback_query_id": "1", "text": "Je volgt nu Sport"},
        True,
        ansi=False,
    )
    assert toast == BotOutput("💬 Je volgt nu Sport")
    alert = render_call(
        "answerCallbackQuery", {"text": "Alleen beheerders", "show_alert": True}, True, ansi=False
    )
    assert alert == BotOutput("⚠️ Alleen beheerders")


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("answerCallbackQuery", {"callback_query_id": "1"}),  # a silent acknowledgement
        ("getUpdates", {"offset": 3}),
        ("setMyCommands", {"commands": []}),
        ("sendChatAction", {"chat_id": 1000, "action": "typing"}),
    ],
)
def test_calls_users_never_see_print_nothing(method: str, params: dict[str, object]) -> None:
    assert render_call(method, params, True, ansi=False) is None


LINES = [
    ("/volg oekraine\n", Say("/volg oekraine")),
    ("  /laatste buitenland  ", Say("/laatste buitenland")),
    ("hallo", Say("hallo")),
    ("1", Pick(1)),
    (" 12\n", Pick(12)),
    ("2026", Say("2026")),  # a year, not a button
    ("1 2", Say("1 2")),
    (":nieuw", ConsoleCommand.NEW),
    (":NIEUW\n", ConsoleCommand.NEW),
    (":new", ConsoleCommand.NEW),
    (":help", ConsoleCommand.HELP),
    (":hulp", ConsoleCommand.HELP),
    (":stop", ConsoleCommand.STOP),
    (":quit", ConsoleCommand.STOP),
    (":q", ConsoleCommand.STOP),
    (":wat", Unknown("wat")),
    ("", Nothing()),
    ("   \n", Nothing()),
]


@pytest.mark.parametrize(("line", "expected"), LINES)
def test_parse_line(line: str, expected: object) -> None:
    assert parse_line(line) == expected


def test_dutch_hints() -> None:
    assert no_such_button(9, 0) == "Er zijn geen knoppen om te kiezen."
    assert no_such_button(3, 1) == "Er is geen knop 3; kies 1."
    assert no_such_button(9, 8) == "Er is geen knop 9; kies 1 tot en met 8."
    assert nobody_follows([("Sport", "sport"), ("Nederland", "nederland")]) == (
        "Niemand volgt dit bericht (Sport, Nederland), dus er komt geen pushbericht. "
        "Volg het bijvoorbeeld met /volg sport en typ dan nog eens :nieuw."
    )
