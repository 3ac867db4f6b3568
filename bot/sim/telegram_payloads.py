"""Checks on what the bot sends, with the answers Telegram gives when they fail.

Message text (:func:`render_text`: empty, too long or bad HTML), inline
keyboards (:func:`check_reply_markup`: button shape, ``callback_data`` size,
URL schemes) and the values a few methods accept (chat actions, command names,
webhook secret tokens). Failures raise :class:`~bot.sim.telegram_errors.ApiError`
with Telegram's "Bad Request" descriptions.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.telegram_text import CALLBACK_DATA_LIMIT_BYTES, TELEGRAM_MESSAGE_LIMIT
from bot.sim.telegram_errors import bad_request
from bot.sim.telegram_html import HtmlParseError, parse_telegram_html, utf16_len

__all__ = [
    "CHAT_ACTIONS",
    "COMMAND_NAME_RE",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_MESSAGE_UTF16",
    "SECRET_TOKEN_RE",
    "callback_datas",
    "check_reply_markup",
    "render_text",
]

JsonDict = dict[str, Any]

MAX_MESSAGE_UTF16 = TELEGRAM_MESSAGE_LIMIT
MAX_CALLBACK_DATA_BYTES = CALLBACK_DATA_LIMIT_BYTES

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_SCHEMES = ("http://", "https://", "tg://")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def check_reply_markup(markup: Any) -> JsonDict | None:
    """Validate ``reply_markup``; return it when it is an inline keyboard."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None  # reply keyboards, remove_keyboard, force_reply: not stored
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard: expected an Array of Arrays")
    for row in rows:
        for button in row:
            _check_button(button)
    return markup


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if "callback_data" in button and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if "url" in button and (not isinstance(url, str) or not url.startswith(_URL_SCHEMES)):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def callback_datas(markup: JsonDict | None) -> set[str]:
    """The ``callback_data`` of every button on a stored inline keyboard."""
    if not markup:
        return set()
    return {
        button["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    }


def render_text(params: JsonDict) -> tuple[str, list[JsonDict]]:
    """The text and entities Telegram would store for a send or edit."""
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    parse_mode = params.get("parse_mode")
    if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
        try:
            plain, entities = parse_telegram_html(text)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    else:
        # Markdown modes are passed through unparsed; the project uses HTML.
        given = params.get("entities")
        plain, entities = text, list(given) if isinstance(given, list) else []
    if not plain.strip():
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_MESSAGE_UTF16:
        raise bad_request("message is too long")
    return plain, entities
