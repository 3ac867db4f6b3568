"""What ``nieuwsbot console`` shows and understands; pure functions over plain data.

Bot API calls recorded by the loopback server become terminal text: Telegram
HTML with bold (ANSI, only on a terminal), links written out as
``titel (https://…)``, entities unescaped, and inline keyboards as numbered
buttons. Typed lines become console inputs. The console's own texts are Dutch,
like everything else a user of the bot reads, and live in :mod:`bot.texts.console`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any

from bot.texts.console import (
    BANNER_HINT,
    FETCHING,
    HELP,
    NOTHING_PENDING,
    REPLY_NOTE,
    SILENT_NOTE,
    STALE_BUTTON,
    STARTING,
    banner,
    fetched,
    inline_heading,
    inline_more,
    link_button,
    no_such_button,
    nobody_follows,
    published,
    replying_to,
    unknown_command,
)

__all__ = [
    "BANNER_HINT",
    "FETCHING",
    "HELP",
    "NOTHING_PENDING",
    "STALE_BUTTON",
    "STARTING",
    "BotOutput",
    "Button",
    "ConsoleCommand",
    "ConsoleInput",
    "Inline",
    "Nothing",
    "Pick",
    "Say",
    "Unknown",
    "banner",
    "fetched",
    "html_to_terminal",
    "keyboard_buttons",
    "link_button",
    "no_such_button",
    "nobody_follows",
    "parse_line",
    "published",
    "render_call",
    "render_inline",
    "render_keyboard",
    "unknown_command",
    "user_line",
]

# --- Dutch console texts: bot/texts/console.py --------------------------------------


def user_line(text: str) -> str:
    """A line the user typed, repeated when input does not come from a terminal."""
    return f"> {text}"


# --- typed lines ------------------------------------------------------------------


class ConsoleCommand(StrEnum):
    NEW = "nieuw"
    CHANNEL = "kanaal"
    HELP = "help"
    STOP = "stop"


_COMMAND_WORDS: dict[str, ConsoleCommand] = {
    "nieuw": ConsoleCommand.NEW,
    "new": ConsoleCommand.NEW,
    "kanaal": ConsoleCommand.CHANNEL,
    "channel": ConsoleCommand.CHANNEL,
    "help": ConsoleCommand.HELP,
    "hulp": ConsoleCommand.HELP,
    "?": ConsoleCommand.HELP,
    "stop": ConsoleCommand.STOP,
    "quit": ConsoleCommand.STOP,
    "exit": ConsoleCommand.STOP,
    "q": ConsoleCommand.STOP,
}
# A button number; longer digit strings are text (a year, a postcode).
_PICK_RE = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True, slots=True)
class Pick:
    """The user picks button ``number`` (1-based) of the latest keyboard."""

    number: int


@dataclass(frozen=True, slots=True)
class Say:
    """Text the user sends to the bot as a chat message."""

    text: str


@dataclass(frozen=True, slots=True)
class Inline:
    """``:inline oekraine``: what the bot answers to ``@bot oekraine`` typed in any chat."""

    query: str


@dataclass(frozen=True, slots=True)
class Unknown:
    """A ``:word`` the console does not know."""

    word: str


@dataclass(frozen=True, slots=True)
class Nothing:
    """An empty line."""


ConsoleInput = ConsoleCommand | Pick | Say | Inline | Unknown | Nothing


def parse_line(line: str) -> ConsoleInput:
    """What a typed line asks for: a console command, a button, or a chat message."""
    text = line.strip()
    if not text:
        return Nothing()
    if text.startswith(":"):
        word = text[1:].strip().casefold()
        first, _, query = text[1:].strip().partition(" ")
        if first.casefold() == "inline":
            return Inline(query.strip())
        return _COMMAND_WORDS.get(word) or Unknown(word)
    if _PICK_RE.fullmatch(text):
        return Pick(int(text))
    return Say(text)


# --- keyboards ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; ``number`` is what the user types to press it."""

    number: int
    text: str
    callback_data: str | None = None
    url: str | None = None


def _rows(markup: Mapping[str, Any] | None) -> list[list[Mapping[str, Any]]]:
    if not isinstance(markup, Mapping):
        return []
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        return []
    return [
        [button for button in row if isinstance(button, Mapping)]
        for row in rows
        if isinstance(row, list)
    ]


def keyboard_buttons(markup: Mapping[str, Any] | None) -> tuple[Button, ...]:
    """Every button of an inline keyboard, numbered from 1 row by row."""
    buttons: list[Button] = []
    for row in _rows(markup):
        for raw in row:
            data, url = raw.get("callback_data"), raw.get("url")
            buttons.append(
                Button(
                    number=len(buttons) + 1,
                    text=str(raw.get("text", "")),
                    callback_data=data if isinstance(data, str) else None,
                    url=url if isinstance(url, str) else None,
                )
            )
    return tuple(buttons)


def render_keyboard(markup: Mapping[str, Any] | None) -> str:
    """One line per keyboard row, columns aligned: ``[1] Binnenland  [2] ✓ Buitenland``.

    A link button shows its address. Empty when there is no keyboard.
    """
    grid: list[list[str]] = []
    number = 0
    for row in _rows(markup):
        cells: list[str] = []
        for raw in row:
            number += 1
            label, url = str(raw.get("text", "")), raw.get("url")
            cells.append(
                f"[{number}] {label} ({url})" if isinstance(url, str) else f"[{number}] {label}"
            )
        grid.append(cells)
    # Only cells with a neighbour to their right are padded, so one long link
    # button on its own row does not push every other column apart.
    widths: dict[int, int] = {}
    for cells in grid:
        for column, cell in enumerate(cells[:-1]):
            widths[column] = max(widths.get(column, 0), len(cell))
    return "\n".join(
        "  ".join(cell.ljust(widths.get(column, 0)) for column, cell in enumerate(cells)).rstrip()
        for cells in grid
    )


# --- Telegram HTML ---------------------------------------------------------------------

_BOLD = ("\x1b[1m", "\x1b[22m")
_ITALIC = ("\x1b[3m", "\x1b[23m")
_UNDERLINE = ("\x1b[4m", "\x1b[24m")
_STRIKE = ("\x1b[9m", "\x1b[29m")
_CODE = ("\x1b[36m", "\x1b[39m")
_DIM = ("\x1b[2m", "\x1b[22m")
# Telegram's HTML subset: tag -> the ANSI style it gets on a terminal.
_STYLES: dict[str, tuple[str, str]] = {
    "b": _BOLD,
    "strong": _BOLD,
    "i": _ITALIC,
    "em": _ITALIC,
    "u": _UNDERLINE,
    "ins": _UNDERLINE,
    "s": _STRIKE,
    "strike": _STRIKE,
    "del": _STRIKE,
    "code": _CODE,
    "pre": _CODE,
}
_QUOTE_MARK = "│ "


class _TerminalHtml(HTMLParser):
    """Telegram HTML to terminal text; Telegram has already checked the markup."""

    def __init__(self, *, ansi: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._ansi = ansi
        self.out: list[str] = []
        # The text alone, without escape codes: what a link's words are compared on.
        self._plain: list[str] = []
        self._open: dict[str, int] = {}
        self._links: list[tuple[str | None, int]] = []
        self._quotes: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = _STYLES.get(tag)
        if style is not None:
            self._style(style, opening=True)
        elif tag == "a":
            self._links.append((dict(attrs).get("href"), len(self._plain)))
        elif tag == "blockquote":
            self._quotes.append(len(self.out))

    def handle_endtag(self, tag: str) -> None:
        style = _STYLES.get(tag)
        if style is not None:
            self._style(style, opening=False)
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            words = "".join(self._plain[start:]).strip()
            if href and href.startswith(("http://", "https://")) and href != words:
                self._emit(f" ({href})")
        elif tag == "blockquote" and self._quotes:
            start = self._quotes.pop()
            quoted = "".join(self.out[start:]).strip("\n")
            del self.out[start:]
            self.out.append("\n".join(_QUOTE_MARK + line for line in quoted.split("\n")))

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self._plain.append(text)

    def _style(self, style: tuple[str, str], *, opening: bool) -> None:
        # Nested bold inside bold must not switch bold off at the inner end.
        depth = self._open.get(style[0], 0)
        if opening:
            self._open[style[0]] = depth + 1
            if depth == 0 and self._ansi:
                self.out.append(style[0])
        elif depth > 0:
            self._open[style[0]] = depth - 1
            if depth == 1 and self._ansi:
                self.out.append(style[1])


def html_to_terminal(text: str, *, ansi: bool) -> str:
    """Telegram HTML as terminal text: styles as ANSI codes (or dropped), links spelled out."""
    parser = _TerminalHtml(ansi=ansi)
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


def _body(params: Mapping[str, Any], *, ansi: bool) -> str:
    text = str(params.get("text", ""))
    parse_mode = params.get("parse_mode")
    if isinstance(parse_mode, str) and parse_mode.casefold() == "html":
        return html_to_terminal(text, ansi=ansi)
    return text


# --- recorded Bot API calls --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BotOutput:
    """A bot action as the console shows it.

    ``buttons`` is the keyboard the message now has (empty: none), or None when
    the action does not touch a message's keyboard (a toast).
    """

    text: str
    message_id: int | None = None
    buttons: tuple[Button, ...] | None = None


def _header(note: str, *, ansi: bool) -> str:
    title = f"── nieuwsbot{f' ({note})' if note else ''} "
    line = title + "─" * max(3, 40 - len(title))
    return f"{_DIM[0]}{line}{_DIM[1]}" if ansi else line


def _message_id(params: Mapping[str, Any], result: Any) -> int | None:
    if isinstance(result, Mapping) and isinstance(result.get("message_id"), int):
        return int(result["message_id"])
    value = params.get("message_id")
    return value if isinstance(value, int) else None


def _with_keyboard(parts: Sequence[str], markup: Any) -> str:
    keyboard = render_keyboard(markup if isinstance(markup, Mapping) else None)
    return "\n".join([*parts, keyboard] if keyboard else parts)


def _send_note(params: Mapping[str, Any], result: Any) -> str:
    """ "stil, zonder melding · antwoord" for a story's follow-up; empty for a plain message."""
    notes = []
    if params.get("disable_notification"):
        notes.append(SILENT_NOTE)
    if isinstance(result, Mapping) and isinstance(result.get("reply_to_message"), Mapping):
        notes.append(REPLY_NOTE)
    return " · ".join(notes)


def _replied_line(result: Any) -> str:
    """ "↪ antwoord op: <first line of the earlier message>", or empty when not a reply."""
    replied = result.get("reply_to_message") if isinstance(result, Mapping) else None
    if not isinstance(replied, Mapping):
        return ""
    first = str(replied.get("text") or "").strip().split("\n", 1)[0]
    return replying_to(first) if first else ""


def render_call(
    method: str, params: Mapping[str, Any], result: Any, *, ansi: bool
) -> BotOutput | None:
    """How the console shows one successful Bot API call; None for calls users never see."""
    markup = params.get("reply_markup")
    buttons = keyboard_buttons(markup if isinstance(markup, Mapping) else None)
    message_id = _message_id(params, result)
    if method == "sendMessage":
        head = [_header(_send_note(params, result), ansi=ansi)]
        replied = _replied_line(result)
        if replied:
            head.append(replied)
        text = _with_keyboard([*head, _body(params, ansi=ansi)], markup)
        return BotOutput(text, message_id, buttons)
    if method == "editMessageText":
        text = _with_keyboard([_header("bewerkt", ansi=ansi), _body(params, ansi=ansi)], markup)
        return BotOutput(text, message_id, buttons)
    if method == "editMessageReplyMarkup":
        note = "knoppen bijgewerkt" if buttons else "knoppen verwijderd"
        return BotOutput(_with_keyboard([_header(note, ansi=ansi)], markup), message_id, buttons)
    if method == "deleteMessage":
        return BotOutput(_header("bericht verwijderd", ansi=ansi), message_id, ())
    if method == "answerCallbackQuery":
        toast = params.get("text")
        if not isinstance(toast, str) or not toast:
            return None
        mark = "⚠️" if params.get("show_alert") else "💬"
        return BotOutput(f"{mark} {toast}")
    return None


def render_inline(bot_username: str, query: str, answer: Mapping[str, Any]) -> str:
    """An ``answerInlineQuery`` as a numbered list: title, then description (plain text)."""
    results = answer.get("results")
    rows = results if isinstance(results, list) else []
    lines = [inline_heading(bot_username, query, len(rows))]
    for number, result in enumerate(rows, start=1):
        lines.append(f"{number}. {result.get('title', '')}")
        description = str(result.get("description") or "")
        lines.extend(f"   {line}" for line in description.splitlines() if line.strip())
    offset = answer.get("next_offset")
    if isinstance(offset, str) and offset:
        lines.append(inline_more(offset))
    return "\n".join(lines)
