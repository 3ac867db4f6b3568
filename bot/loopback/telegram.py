"""A fake Telegram Bot API server on 127.0.0.1 for tests, console mode and benchmarks.

The real python-telegram-bot HTTP stack talks to it exactly as it talks to
``api.telegram.org``: point ``base_url`` at :attr:`FakeTelegram.base_url` and
every request lands here, is answered in Telegram's envelope
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ...,
"description": ..., "parameters": ...}``) and is recorded as a :class:`Call`.

The server is stdlib only: a ``ThreadingHTTPServer`` in a daemon thread,
HTTP/1.1 with keep-alive. All state sits behind one re-entrant lock; long
polling and the blocking waiters use conditions on that lock, so ``stop()``
wakes every waiter at once and shutdown is quick.

Layout of this module: request decoding, Telegram's HTML subset, payload
validation, then :class:`FakeTelegram` (lifecycle, Bot API methods, user
simulation, waiters, fault injection, webhook delivery) and the HTTP handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import http.client
import json
import logging
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, get_args
from urllib.parse import parse_qsl, unquote, urlsplit

from bot.loopback.telegram_limits import FloodLimiter, FloodPolicy

__all__ = [
    "Call",
    "FakeTelegram",
    "FaultKind",
    "HtmlParseError",
    "WebhookDelivery",
    "command_entities",
    "decode_params",
    "parse_telegram_html",
    "utf16_len",
]

_LOG = logging.getLogger(__name__)

JsonDict = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]
FaultKind = Literal[
    "retry_after",
    "blocked",
    "kicked",
    "deactivated",
    "bad_html",
    "chat_not_found",
    "migrate",
    "server_error",
    "slow",
    "timeout",
]
_FAULT_KINDS = frozenset(get_args(FaultKind))

MAX_MESSAGE_UTF16 = 4096
MAX_CALLBACK_DATA_BYTES = 64
# Who writes in a group chat when a test does not say.
DEFAULT_GROUP_USER_ID = 1000
# How long a "timeout" fault holds the answer when no delay is given: longer than
# any client read timeout the project uses.
DEFAULT_TIMEOUT_HOLD_S = 30.0
# Update types Telegram delivers when allowed_updates is empty or never set.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Call:
    """One Bot API request as the fake saw and answered it.

    ``at`` is ``time.monotonic()`` when the request arrived, so benchmarks can
    measure send rates; ``response`` is the JSON envelope that was returned.
    """

    method: str
    params: JsonDict
    at: float
    response: JsonDict
    http_status: int

    @property
    def ok(self) -> bool:
        return self.http_status == HTTPStatus.OK

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int | str) else None


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One attempt to POST an update to the configured webhook."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    at: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class ApiError(Exception):
    """A Bot API error answer; raised inside method handlers."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def envelope(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(reason: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, f"Bad Request: {reason}")


# ------------------------------------------------------------------ request decoding

# PTB sends form fields with every non-string value JSON-encoded, so "123" may be
# a chat id or a text. The field name decides how a value is read back.
_INT_PARAMS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "message_thread_id",
        "reply_to_message_id",
        "cache_time",
        "max_connections",
        "until_date",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "allow_paid_broadcast",
        "only_if_banned",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "link_preview_options",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "reply_parameters",
        "menu_button",
        "rights",
    }
)
_TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "callback_query_id",
        "inline_message_id",
        "action",
        "language_code",
        "ip_address",
        "data",
    }
)
_INT_RE = re.compile(r"-?\d+")


def _normalise_value(name: str, value: Any) -> Any:
    if name in _TEXT_PARAMS:
        return value
    if name in _INT_PARAMS:
        return _as_number(value)
    if name in _BOOL_PARAMS:
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}
        return value
    if isinstance(value, str) and (name in _JSON_PARAMS or value[:1] in {"{", "["}):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _as_number(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _INT_RE.fullmatch(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return value  # e.g. "@channelname" as chat_id
    return int(number) if number.is_integer() else number


def decode_params(content_type: str, body: bytes, query: str = "") -> JsonDict:
    """Read Bot API parameters from a query string plus a form, multipart or JSON body.

    Values are typed by field name (ids and limits become ints, flags bools,
    markup and lists decoded JSON) so handlers see the same data whichever way a
    client encoded it. Raises ``ValueError`` for an unreadable body.
    """
    raw: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
    media_type = content_type.split(";", 1)[0].strip().lower()
    if body:
        if media_type == "application/json":
            decoded = json.loads(body.decode("utf-8"))
            if not isinstance(decoded, dict):
                raise ValueError("JSON body must be an object")
            raw.update(decoded)
        elif media_type == "multipart/form-data":
            raw.update(_multipart_fields(content_type, body))
        else:
            raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {name: _normalise_value(name, value) for name, value in raw.items()}


def _multipart_fields(content_type: str, body: bytes) -> JsonDict:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: JsonDict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        filename = part.get_filename()
        # Uploads are not kept: the project never sends files, the size is enough
        # to assert on.
        fields[name] = (
            {"filename": filename, "size": len(payload)} if filename else payload.decode("utf-8")
        )
    return fields


# ------------------------------------------------------------- Telegram's HTML subset


class HtmlParseError(ValueError):
    """Markup Telegram would reject with "can't parse entities"."""


_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_SPECIAL_RE = re.compile(r"[<&]")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(markup: str, index: int) -> int:
    return len(markup[:index].encode("utf-8"))


def _decode_entity(markup: str, index: int) -> tuple[str, int] | None:
    match = _ENTITY_RE.match(markup, index)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named], match.end()
    code_point = int(decimal, 10) if decimal else int(hexadecimal, 16)
    if code_point == 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        return None
    return chr(code_point), match.end()


def _unescape_attribute(value: str) -> str:
    # Attribute values are decoded leniently (as TDLib does); only text is strict.
    out: list[str] = []
    index = 0
    while (amp := value.find("&", index)) >= 0:
        out.append(value[index:amp])
        decoded = _decode_entity(value, amp)
        if decoded is None:
            out.append("&")
            index = amp + 1
        else:
            out.append(decoded[0])
            index = decoded[1]
    out.append(value[index:])
    return "".join(out)


@dataclass(slots=True)
class _OpenTag:
    name: str
    offset16: int
    offset_chars: int
    attributes: dict[str, str]
    language: str | None = None


class _HtmlParser:
    """Single pass over the markup, producing plain text and entities like TDLib."""

    def __init__(self, markup: str) -> None:
        self.markup = markup
        self.pieces: list[str] = []
        self.length16 = 0
        self.length_chars = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def run(self) -> tuple[str, list[JsonDict]]:
        markup, index = self.markup, 0
        while index < len(markup):
            special = _SPECIAL_RE.search(markup, index)
            stop = special.start() if special else len(markup)
            if stop > index:
                self._append(markup[index:stop])
            if special is None:
                break
            if markup[stop] == "&":
                index = self._entity(stop)
            elif markup.startswith("</", stop):
                index = self._end_tag(stop)
            else:
                index = self._start_tag(stop)
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.pieces), self.entities

    def _append(self, text: str) -> None:
        self.pieces.append(text)
        self.length16 += utf16_len(text)
        self.length_chars += len(text)

    def _error(self, what: str, index: int) -> HtmlParseError:
        return HtmlParseError(f"{what} at byte offset {_byte_offset(self.markup, index)}")

    def _entity(self, index: int) -> int:
        decoded = _decode_entity(self.markup, index)
        if decoded is None:
            # Stricter than Telegram, which keeps a stray "&" literally: an
            # unescaped "&" in our output is always an escaping bug.
            raise HtmlParseError(
                f'Unescaped "&" at byte offset {_byte_offset(self.markup, index)}: '
                "write &amp;, &lt;, &gt;, &quot; or &#N;"
            )
        self._append(decoded[0])
        return decoded[1]

    def _skip_space(self, index: int) -> int:
        markup = self.markup
        while index < len(markup) and markup[index].isspace():
            index += 1
        return index

    def _read_name(self, index: int, stops: str) -> int:
        markup = self.markup
        while index < len(markup) and not markup[index].isspace() and markup[index] not in stops:
            index += 1
        return index

    def _start_tag(self, begin: int) -> int:
        markup = self.markup
        name_end = self._read_name(begin + 1, ">")
        name = markup[begin + 1 : name_end].lower()
        if name not in _TAG_ENTITY_TYPES:
            if name_end >= len(markup):
                raise self._error("Unclosed start tag", begin)
            raise self._error(f'Unsupported start tag "{name}"', begin)
        attributes: dict[str, str] = {}
        index = name_end
        while True:
            index = self._skip_space(index)
            if index >= len(markup):
                raise self._error("Unclosed start tag", begin)
            if markup[index] == ">":
                index += 1
                break
            attr_end = self._read_name(index, "=>")
            attr_name = markup[index:attr_end].lower()
            if not attr_name:
                raise self._error(f'Empty attribute name in the tag "{name}"', begin)
            index, value = self._attribute_value(self._skip_space(attr_end), begin)
            attributes[attr_name] = value
        self._check_attributes(name, attributes, begin)
        self.stack.append(_OpenTag(name, self.length16, self.length_chars, attributes))
        return index

    def _attribute_value(self, index: int, begin: int) -> tuple[int, str]:
        markup = self.markup
        if index >= len(markup) or markup[index] != "=":
            return index, ""
        index = self._skip_space(index + 1)
        if index >= len(markup):
            raise self._error("Unclosed start tag", begin)
        quote = markup[index]
        if quote in "\"'":
            close = markup.find(quote, index + 1)
            if close < 0:
                raise self._error("Unclosed start tag", begin)
            return close + 1, _unescape_attribute(markup[index + 1 : close])
        value_end = self._read_name(index, ">")
        return value_end, _unescape_attribute(markup[index:value_end])

    def _check_attributes(self, name: str, attributes: dict[str, str], begin: int) -> None:
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self._error('Tag "span" must have class "tg-spoiler"', begin)
        if name == "tg-emoji" and not attributes.get("emoji-id"):
            raise self._error('Tag "tg-emoji" must have attribute "emoji-id"', begin)

    def _end_tag(self, begin: int) -> int:
        markup = self.markup
        name_end = self._read_name(begin + 2, ">")
        name = markup[begin + 2 : name_end].lower()
        index = self._skip_space(name_end)
        if index >= len(markup) or markup[index] != ">":
            raise self._error("Unclosed end tag", begin)
        if not self.stack:
            raise self._error("Unexpected end tag", begin)
        opened = self.stack.pop()
        if name and name != opened.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {_byte_offset(self.markup, begin)}, "
                f'expected "</{opened.name}>", found "</{name}>"'
            )
        self._close(opened)
        return index + 1

    def _close(self, opened: _OpenTag) -> None:
        language = opened.attributes.get("class", "")
        inside_pre = bool(self.stack) and self.stack[-1].name == "pre"
        if opened.name == "code" and inside_pre and language.startswith("language-"):
            # <pre><code class="language-x"> is one pre entity with a language.
            self.stack[-1].language = language.removeprefix("language-")
            return
        length = self.length16 - opened.offset16
        if length <= 0:
            return
        entity: JsonDict = {
            "type": _TAG_ENTITY_TYPES[opened.name],
            "offset": opened.offset16,
            "length": length,
        }
        if opened.name == "a":
            inner = "".join(self.pieces)[opened.offset_chars :]
            entity["url"] = opened.attributes.get("href") or inner
        elif opened.name == "pre" and opened.language:
            entity["language"] = opened.language
        elif opened.name == "blockquote" and "expandable" in opened.attributes:
            entity["type"] = "expandable_blockquote"
        elif opened.name == "tg-emoji":
            entity["custom_emoji_id"] = opened.attributes["emoji-id"]
        self.entities.append(entity)


def parse_telegram_html(markup: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram's HTML parse mode into plain text and message entities.

    Raises :class:`HtmlParseError` with a Telegram-style reason (byte offsets,
    tag names) for unknown, unclosed or mismatched tags and for ``<`` or ``&``
    that are not escaped.
    """
    return _HtmlParser(markup).run()


_COMMAND_RE = re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_])")


def command_entities(text: str) -> list[JsonDict]:
    """``bot_command`` entities as Telegram attaches them to a user's message."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in _COMMAND_RE.finditer(text)
    ]


# ------------------------------------------------------------------ payload checks

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
_CHAT_ACTIONS = frozenset(
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
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _check_reply_markup(markup: Any) -> JsonDict | None:
    """Validate ``reply_markup``; return it when it is an inline keyboard."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None  # reply keyboards, remove_keyboard, force_reply: not stored
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request("can't parse inline keyboard: expected an Array of Arrays")
    for row in rows:
        for button in row:
            _check_button(button)
    return markup


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if "callback_data" in button and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise _bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if "url" in button and (not isinstance(url, str) or not url.startswith(_URL_SCHEMES)):
        raise _bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _callback_datas(markup: JsonDict | None) -> set[str]:
    if not markup:
        return set()
    return {
        button["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    }


def _render_text(params: JsonDict) -> tuple[str, list[JsonDict]]:
    """The text and entities Telegram would store for a send or edit."""
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _bad_request("message text is empty")
    parse_mode = params.get("parse_mode")
    if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
        try:
            plain, entities = parse_telegram_html(text)
        except HtmlParseError as exc:
            raise _bad_request(f"can't parse entities: {exc}") from exc
    else:
        # Markdown modes are passed through unparsed; the project uses HTML.
        given = params.get("entities")
        plain, entities = text, list(given) if isinstance(given, list) else []
    if not plain.strip():
        raise _bad_request("message text is empty")
    if utf16_len(plain) > MAX_MESSAGE_UTF16:
        raise _bad_request("message is too long")
    return plain, entities


# -------------------------------------------------------------------------- state


@dataclass(slots=True)
class _Fault:
    method: str  # lower-cased method name, "*" for any
    chat_id: int | None
    kind: FaultKind
    remaining: int | None
    retry_after: int
    migrate_to: int | None
    delay_s: float
    status: int

    def matches(self, method: str, params: JsonDict) -> bool:
        if self.method not in {"*", method.lower()}:
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id


@dataclass(slots=True)
class _Stored:
    message: JsonDict
    from_bot: bool


@dataclass(slots=True)
class _Chat:
    info: JsonDict
    next_message_id: int = 1
    messages: dict[int, _Stored] = field(default_factory=dict)
    admins: set[int] = field(default_factory=set)
    creator: int | None = None


@dataclass(slots=True)
class _CallbackQuery:
    chat_id: int
    message_id: int
    data: str
    answer: JsonDict | None = None


def _update_type(update: JsonDict) -> str:
    return next((key for key in update if key != "update_id"), "")


def _chat_type_for(chat_id: int) -> ChatType:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _utc_now() -> datetime:
    return datetime.now(UTC)


MethodHandler = Callable[[JsonDict], Any]
CallPredicate = Callable[[Call], bool]


class FakeTelegram:
    """An in-process Telegram Bot API server plus helpers that play the user.

    Use as a context manager (or ``start()``/``stop()``), hand :attr:`base_url`
    and :attr:`token` to python-telegram-bot, then drive conversations with
    :meth:`send_text` / :meth:`press_button` and await the bot's answers with
    :meth:`send_and_wait`, :meth:`wait_for_message` or :meth:`wait_for_call`.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",  # noqa: S107 - a fake bot's token, not a secret
        bot_id: int = 123456,
        username: str = "nieuwsbot_test_bot",
        first_name: str = "Nieuwsbot",
        enforce_flood_limits: bool = False,
        flood_policy: FloodPolicy | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._token = token
        self.bot_id = bot_id
        self.username = username
        self.enforce_flood_limits = enforce_flood_limits
        self._clock = clock
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self._lock = threading.RLock()
        self._updates_cond = threading.Condition(self._lock)
        self._calls_cond = threading.Condition(self._lock)
        self._webhook_cond = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._calls: list[Call] = []
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, JsonDict] = {}
        self._sent: list[JsonDict] = []
        self._pending: deque[JsonDict] = deque()
        self._update_log: list[JsonDict] = []
        self._next_update_id = 1
        self._poll_generation = 0
        self._allowed_updates: list[str] = []
        self._callbacks: dict[str, _CallbackQuery] = {}
        self._faults: list[_Fault] = []
        self._commands: dict[str, list[JsonDict]] = {}
        self._limiter = FloodLimiter(flood_policy)
        self.flood_429_count = 0
        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_queue: deque[JsonDict] = deque()
        self._webhook_deliveries: list[WebhookDelivery] = []
        self._webhook_last_error: tuple[int, str] | None = None
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._methods: dict[str, tuple[str, MethodHandler]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._get_me),
                ("getUpdates", self._get_updates),
                ("sendMessage", self._send_message),
                ("editMessageText", self._edit_message_text),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("answerCallbackQuery", self._answer_callback_query),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("getChat", self._get_chat),
                ("getChatMember", self._get_chat_member),
                ("sendChatAction", self._send_chat_action),
                ("close", self._harmless),
                ("logOut", self._harmless),
            )
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def token(self) -> str:
        return self._token

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url``; PTB appends ``<token>/<method>``."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeTelegram:
        if self._server is not None:
            raise RuntimeError("FakeTelegram already started")
        self._stopping.clear()
        self._server = _Server(self)
        self._threads = [
            threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.01},
                name="fake-telegram-http",
                daemon=True,
            ),
            threading.Thread(target=self._webhook_loop, name="fake-telegram-webhook", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        server = self._server
        if server is None:
            return
        self._stopping.set()
        with self._lock:
            # Wake long polls, blocking waiters and the webhook worker.
            self._updates_cond.notify_all()
            self._calls_cond.notify_all()
            self._webhook_cond.notify_all()
        server.shutdown()
        server.server_close()
        server.drop_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        self._server = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ recording

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every call so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_of(self, method: str, chat_id: int | str | None = None) -> list[Call]:
        with self._lock:
            return [
                call
                for call in self._calls
                if call.method == method and (chat_id is None or call.chat_id == chat_id)
            ]

    def sent_messages(self, chat_id: int | None = None) -> list[JsonDict]:
        """Every message the bot sent successfully, as sent (text still in HTML)."""
        with self._lock:
            return [
                dict(view) for view in self._sent if chat_id is None or view["chat_id"] == chat_id
            ]

    def message(self, chat_id: int, message_id: int) -> JsonDict:
        """The current state of a stored message (after edits), as Telegram shapes it."""
        with self._lock:
            return json.loads(json.dumps(self._chats[chat_id].messages[message_id].message))  # type: ignore[no-any-return]

    @property
    def updates(self) -> list[JsonDict]:
        """Every update created so far, whether delivered by polling or webhook."""
        with self._lock:
            return list(self._update_log)

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        with self._lock:
            return list(self._webhook_deliveries)

    def callback_answer(self, query_id: str) -> JsonDict | None:
        """The bot's answerCallbackQuery parameters for a press, or None if unanswered."""
        with self._lock:
            query = self._callbacks.get(query_id)
            return dict(query.answer) if query and query.answer is not None else None

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """The command list set with setMyCommands for a scope and language."""
        with self._lock:
            return list(self._commands.get(_commands_key(scope, language_code), []))

    # ------------------------------------------------------------- chats and users

    def add_chat(
        self,
        chat_id: int,
        *,
        chat_type: ChatType | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str = "Test",
    ) -> JsonDict:
        """Create (or return) a chat; the type defaults from the id's sign and prefix."""
        with self._lock:
            return dict(self._ensure_chat(chat_id, chat_type, title, username, first_name).info)

    def set_admins(
        self, chat_id: int, user_ids: Iterable[int], *, creator: int | None = None
    ) -> None:
        """Make users administrators of a group chat (and one of them its creator)."""
        with self._lock:
            chat = self._ensure_chat(chat_id, None)
            chat.admins = set(user_ids)
            chat.creator = creator
            for user_id in [*chat.admins, *([creator] if creator is not None else [])]:
                if user_id != self.bot_id:
                    self._ensure_user(user_id)

    def _ensure_chat(
        self,
        chat_id: int,
        chat_type: ChatType | None,
        title: str | None = None,
        username: str | None = None,
        first_name: str = "Test",
    ) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        kind = chat_type or _chat_type_for(chat_id)
        if (kind == "private") != (chat_id > 0):
            raise ValueError(f"chat id {chat_id} cannot be a {kind} chat")
        info: JsonDict = {"id": chat_id, "type": kind}
        if kind == "private":
            info["first_name"] = first_name
        else:
            info["title"] = title or f"Testgroep {abs(chat_id)}"
        if username:
            info["username"] = username
        chat = _Chat(info=info)
        self._chats[chat_id] = chat
        return chat

    def _ensure_user(
        self, user_id: int, first_name: str = "Test", username: str | None = None
    ) -> JsonDict:
        user = self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "nl"}
            self._users[user_id] = user
        if username:
            user["username"] = username
        return user

    def _resolve_chat(self, params: JsonDict, *, create: bool) -> _Chat:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            for known in self._chats.values():
                if str(known.info.get("username", "")).lower() == wanted:
                    return known
            raise _bad_request("chat not found")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool) or chat_id == 0:
            raise _bad_request("chat not found" if chat_id else "chat_id is empty")
        chat = self._chats.get(chat_id)
        if chat is None:
            if not create:
                raise _bad_request("chat not found")
            # Lenient on purpose: subscribers restored from storage are messaged
            # without a test having to introduce every chat first.
            chat = self._ensure_chat(chat_id, None)
        return chat

    def _store(
        self, chat: _Chat, sender: JsonDict, fields: JsonDict, *, from_bot: bool
    ) -> JsonDict:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JsonDict = {
            "message_id": message_id,
            "from": dict(sender),
            "chat": dict(chat.info),
            "date": int(self._clock().timestamp()),
            **fields,
        }
        chat.messages[message_id] = _Stored(message=message, from_bot=from_bot)
        return message

    # --------------------------------------------------------------- user simulation

    def add_update(self, update: JsonDict) -> JsonDict:
        """Queue a raw update (an ``update_id`` is assigned when missing)."""
        with self._lock:
            return self._enqueue(dict(update))

    def _enqueue(self, update: JsonDict) -> JsonDict:
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._update_log.append(update)
        if self._webhook_url:
            self._webhook_queue.append(update)
            self._webhook_cond.notify_all()
        else:
            self._pending.append(update)
            self._updates_cond.notify_all()
        return update

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType | None = None,
        username: str | None = None,
        first_name: str = "Test",
    ) -> JsonDict:
        """A user writes ``text`` in a chat; returns the queued update.

        Private chats have the user's id by default; in groups the writer is
        :data:`DEFAULT_GROUP_USER_ID` unless ``user_id`` is given. Commands get
        their ``bot_command`` entities like in Telegram.
        """
        with self._lock:
            chat = self._ensure_chat(chat_id, chat_type, username=username, first_name=first_name)
            sender_id = self._sender_id(chat, user_id)
            sender = self._ensure_user(sender_id, first_name, username)
            fields: JsonDict = {"text": text}
            entities = command_entities(text)
            if entities:
                fields["entities"] = entities
            message = self._store(chat, sender, fields, from_bot=False)
            return self._enqueue({"message": message})

    send_command = send_text

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        strict: bool = True,
    ) -> str:
        """A user presses an inline button on one of the bot's messages.

        Returns the callback query id. With ``strict`` the data must belong to a
        button currently on that message, since a real user can press nothing else.
        """
        with self._lock:
            chat = self._chats.get(chat_id)
            stored = chat.messages.get(message_id) if chat else None
            if chat is None or stored is None or not stored.from_bot:
                raise ValueError(f"no bot message {message_id} in chat {chat_id}")
            buttons = _callback_datas(stored.message.get("reply_markup"))
            if strict and data not in buttons:
                raise ValueError(f"message {message_id} has no button {data!r}; has {buttons}")
            sender = self._ensure_user(self._sender_id(chat, user_id))
            query_id = str(4_000_000_000_000_000_000 + self._next_update_id)
            self._callbacks[query_id] = _CallbackQuery(chat_id, message_id, data)
            self._enqueue(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": dict(sender),
                        "message": json.loads(json.dumps(stored.message)),
                        "chat_instance": str((chat_id * 2_654_435_761) % 10**19),
                        "data": data,
                    }
                }
            )
            return query_id

    def _sender_id(self, chat: _Chat, user_id: int | None) -> int:
        chat_id = int(chat.info["id"])
        if chat.info["type"] == "private":
            if user_id is not None and user_id != chat_id:
                raise ValueError("in a private chat the user id is the chat id")
            return chat_id
        return DEFAULT_GROUP_USER_ID if user_id is None else user_id

    # ------------------------------------------------------------------- waiting

    async def wait_for_call(
        self,
        method: str | tuple[str, ...],
        *,
        chat_id: int | None = None,
        predicate: CallPredicate | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a test deadline, not an I/O timeout
        after: int | None = None,
    ) -> Call:
        """Await the first call to ``method`` (at index >= ``after``) that matches.

        Polls without blocking the event loop, so the bot under test keeps running.
        """
        matcher = _call_matcher(method, chat_id, predicate)
        deadline = time.monotonic() + timeout
        index = after or 0
        while True:
            with self._lock:
                fresh = self._calls[index:]
            for call in fresh:
                if matcher(call):
                    return call
            index += len(fresh)
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(method, chat_id, timeout, after))
            await asyncio.sleep(0.01)

    def wait_for_call_blocking(
        self,
        method: str | tuple[str, ...],
        *,
        chat_id: int | None = None,
        predicate: CallPredicate | None = None,
        timeout: float = 10.0,
        after: int | None = None,
    ) -> Call:
        """Like :meth:`wait_for_call`, for threads other than the bot's event loop."""
        matcher = _call_matcher(method, chat_id, predicate)
        deadline = time.monotonic() + timeout
        index = after or 0
        with self._calls_cond:
            while True:
                for call in self._calls[index:]:
                    if matcher(call):
                        return call
                index = len(self._calls)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopping.is_set():
                    raise TimeoutError(self._timeout_message(method, chat_id, timeout, after))
                self._calls_cond.wait(remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        after: int | None = None,
        methods: tuple[str, ...] = ("sendMessage", "editMessageText"),
    ) -> JsonDict:
        """Await the bot's next successful message (or edit) to ``chat_id``."""
        call = await self.wait_for_call(
            methods, chat_id=chat_id, predicate=_succeeded, timeout=timeout, after=after
        )
        return _message_view(call)

    def wait_for_message_blocking(
        self,
        chat_id: int,
        *,
        timeout: float = 10.0,
        after: int | None = None,
        methods: tuple[str, ...] = ("sendMessage", "editMessageText"),
    ) -> JsonDict:
        call = self.wait_for_call_blocking(
            methods, chat_id=chat_id, predicate=_succeeded, timeout=timeout, after=after
        )
        return _message_view(call)

    def mark(self) -> int:
        """The current number of calls: pass as ``after`` to wait for the next one."""
        with self._lock:
            return len(self._calls)

    async def send_and_wait(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType | None = None,
        username: str | None = None,
        first_name: str = "Test",
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> JsonDict:
        """Send a user message and return the bot's next message or edit in that chat."""
        after = self.mark()
        self.send_text(
            chat_id,
            text,
            user_id=user_id,
            chat_type=chat_type,
            username=username,
            first_name=first_name,
        )
        return await self.wait_for_message(chat_id, timeout=timeout, after=after)

    def send_and_wait_blocking(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType | None = None,
        timeout: float = 10.0,
    ) -> JsonDict:
        after = self.mark()
        self.send_text(chat_id, text, user_id=user_id, chat_type=chat_type)
        return self.wait_for_message_blocking(chat_id, timeout=timeout, after=after)

    async def press_and_wait(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> JsonDict:
        """Press a button and return the bot's next edit or message in that chat."""
        after = self.mark()
        self.press_button(chat_id, message_id, data, user_id=user_id)
        return await self.wait_for_message(
            chat_id,
            timeout=timeout,
            after=after,
            methods=("editMessageText", "editMessageReplyMarkup", "sendMessage"),
        )

    def _timeout_message(
        self, method: str | tuple[str, ...], chat_id: int | None, timeout: float, after: int | None
    ) -> str:
        with self._lock:
            recent = [
                f"{call.method}({call.chat_id}) -> {call.http_status}"
                for call in self._calls[(after or 0) :][-8:]
            ]
        return f"no {method} call for chat {chat_id} within {timeout}s; recent calls: {recent}"

    # ------------------------------------------------------------------- faults

    def fail(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        kind: FaultKind,
        times: int | None = 1,
        retry_after: int = 1,
        migrate_to: int | None = None,
        delay_s: float = 0.0,
        status: int = 500,
    ) -> None:
        """Make the next ``times`` calls to ``method`` (``"*"``: any) fail like Telegram.

        ``chat_id`` narrows the fault to one chat; ``times=None`` keeps it until
        :meth:`clear_faults`. ``status`` picks 500, 502, 503 or 504 for
        ``server_error``. ``slow`` answers correctly after ``delay_s``;
        ``timeout`` performs the call but holds the answer for ``delay_s``
        (default 30 s), like a reply lost to a client read timeout.
        """
        if kind not in _FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if method != "*" and method.lower() not in self._methods:
            raise ValueError(f"unknown Bot API method {method!r}")
        if status not in {500, 502, 503, 504}:
            raise ValueError("server_error status must be 500, 502, 503 or 504")
        with self._lock:
            self._faults.append(
                _Fault(
                    method=method.lower(),
                    chat_id=chat_id,
                    kind=kind,
                    remaining=times,
                    retry_after=retry_after,
                    migrate_to=migrate_to,
                    delay_s=delay_s,
                    status=status,
                )
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, params: JsonDict) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, params):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # --------------------------------------------------------------- dispatching

    def handle_request(self, path: str, content_type: str, body: bytes) -> tuple[int, JsonDict]:
        """Answer one HTTP request; the HTTP layer only moves bytes."""
        at = time.monotonic()
        parts = urlsplit(path)
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)/?", parts.path)
        if match is None:
            return HTTPStatus.NOT_FOUND, {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        token, method_name = unquote(match.group(1)), unquote(match.group(2))
        try:
            params = decode_params(content_type, body, parts.query)
        except (ValueError, UnicodeDecodeError):
            params, error = {}, _bad_request("can't parse request body")
            status, envelope = error.code, error.envelope()
        else:
            status, envelope = self._answer(token, method_name, params)
        entry = self._methods.get(method_name.lower())
        call = Call(entry[0] if entry else method_name, params, at, envelope, status)
        with self._lock:
            self._calls.append(call)
            self._calls_cond.notify_all()
        return status, envelope

    def _answer(self, token: str, method_name: str, params: JsonDict) -> tuple[int, JsonDict]:
        if token != self._token:
            return HTTPStatus.UNAUTHORIZED, ApiError(401, "Unauthorized").envelope()
        entry = self._methods.get(method_name.lower())
        if entry is None:
            return HTTPStatus.NOT_FOUND, ApiError(404, "Not Found: method not found").envelope()
        name, handler = entry
        fault = self._take_fault(name, params)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.delay_s)
        elif fault is not None and fault.kind != "timeout":
            error = self._fault_error(fault, params)
            return error.code, error.envelope()
        try:
            with self._lock:
                self._check_flood(name, params)
                result = handler(params)
        except ApiError as error:
            status, envelope = error.code, error.envelope()
        else:
            status, envelope = HTTPStatus.OK, {"ok": True, "result": result}
        if fault is not None and fault.kind == "timeout":
            self._stopping.wait(fault.delay_s or DEFAULT_TIMEOUT_HOLD_S)
        return status, envelope

    def _check_flood(self, method: str, params: JsonDict) -> None:
        chat_id = params.get("chat_id")
        if not self.enforce_flood_limits or method != "sendMessage" or not isinstance(chat_id, int):
            return
        wait = self._limiter.admit(chat_id, time.monotonic())
        if wait is not None:
            self.flood_429_count += 1
            raise _retry_after(wait)

    def _fault_error(self, fault: _Fault, params: JsonDict) -> ApiError:
        chat_id = params.get("chat_id")
        if fault.kind == "retry_after":
            return _retry_after(fault.retry_after)
        if fault.kind == "blocked":
            return ApiError(403, "Forbidden: bot was blocked by the user")
        if fault.kind == "kicked":
            return ApiError(403, "Forbidden: bot was kicked from the group chat")
        if fault.kind == "deactivated":
            return ApiError(403, "Forbidden: user is deactivated")
        if fault.kind == "bad_html":
            return _bad_request(
                "can't parse entities: Can't find end tag corresponding to start tag \"b\""
            )
        if fault.kind == "chat_not_found":
            return _bad_request("chat not found")
        if fault.kind == "migrate":
            target = fault.migrate_to
            if target is None:
                target = int(f"-100{abs(chat_id)}") if isinstance(chat_id, int) else -1001
            return ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": target},
            )
        return ApiError(fault.status, HTTPStatus(fault.status).phrase)

    # --------------------------------------------------------------- Bot API methods

    def _harmless(self, params: JsonDict) -> bool:
        return True

    def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        limit = params.get("limit", 100)
        timeout = params.get("timeout", 0)
        limit = min(100, max(1, limit)) if isinstance(limit, int) else 100
        timeout = max(0.0, float(timeout)) if isinstance(timeout, int | float) else 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if isinstance(offset, int):
            self._confirm(offset)
        # A newer getUpdates ends an older one, as Telegram does for a second instance.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_cond.notify_all()
        deadline = time.monotonic() + timeout
        while True:
            ready = self._deliverable(limit)
            if ready or self._stopping.is_set():
                return ready
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._updates_cond.wait(remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
        elif offset > 0:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()

    def _deliverable(self, limit: int) -> list[JsonDict]:
        allowed = set(self._allowed_updates)
        kept: deque[JsonDict] = deque()
        for update in self._pending:
            kind = _update_type(update)
            # Updates the bot did not ask for are dropped, never delivered later.
            if (kind in allowed) if allowed else (kind not in _OPT_IN_UPDATE_TYPES):
                kept.append(update)
        self._pending = kept
        return list(kept)[:limit]

    def _send_message(self, params: JsonDict) -> JsonDict:
        chat = self._resolve_chat(params, create=True)
        plain, entities = _render_text(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        fields: JsonDict = {"text": plain}
        if entities:
            fields["entities"] = entities
        if markup is not None:
            fields["reply_markup"] = markup
        reply = self._reply_target(chat, params)
        if reply is not None:
            fields["reply_to_message"] = reply
        message = self._store(chat, self.bot_user, fields, from_bot=True)
        self._sent.append(_sent_view("sendMessage", params, message))
        return message

    def _reply_target(self, chat: _Chat, params: JsonDict) -> JsonDict | None:
        reply = params.get("reply_parameters")
        target = reply.get("message_id") if isinstance(reply, dict) else None
        target = target or params.get("reply_to_message_id")
        if not isinstance(target, int):
            return None
        stored = chat.messages.get(target)
        if stored is not None:
            return dict(stored.message)
        tolerant = params.get("allow_sending_without_reply") or (
            isinstance(reply, dict) and reply.get("allow_sending_without_reply")
        )
        if tolerant:
            return None
        raise _bad_request("message to be replied not found")

    def _editable(self, params: JsonDict) -> _Stored:
        chat = self._resolve_chat(params, create=False)
        message_id = params.get("message_id")
        stored = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if stored is None:
            raise _bad_request("message to edit not found")
        if not stored.from_bot:
            raise _bad_request("message can't be edited")
        return stored

    def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id"):
            _render_text(params)
            _check_reply_markup(params.get("reply_markup"))
            return True
        stored = self._editable(params)
        plain, entities = _render_text(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        message = stored.message
        unchanged = (
            message.get("text") == plain
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        )
        if unchanged:
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message["text"] = plain
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(self._clock().timestamp())
        return dict(message)

    def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id"):
            _check_reply_markup(params.get("reply_markup"))
            return True
        stored = self._editable(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        if stored.message.get("reply_markup") == markup:
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        _set_or_drop(stored.message, "reply_markup", markup)
        stored.message["edit_date"] = int(self._clock().timestamp())
        return dict(stored.message)

    def _delete_message(self, params: JsonDict) -> bool:
        chat = self._resolve_chat(params, create=False)
        if chat.messages.pop(params.get("message_id"), None) is None:  # type: ignore[arg-type]
            raise _bad_request("message to delete not found")
        return True

    def _answer_callback_query(self, params: JsonDict) -> bool:
        query = self._callbacks.get(str(params.get("callback_query_id")))
        if query is None or query.answer is not None:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.answer = {
            key: params[key] for key in ("text", "show_alert", "url", "cache_time") if key in params
        }
        return True

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _commands_key(params.get("scope"), str(params.get("language_code", "")))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        key = _commands_key(params.get("scope"), str(params.get("language_code", "")))
        return list(self._commands.get(key, []))

    def _delete_my_commands(self, params: JsonDict) -> bool:
        key = _commands_key(params.get("scope"), str(params.get("language_code", "")))
        self._commands.pop(key, None)
        return True

    def _set_webhook(self, params: JsonDict) -> bool:
        url = str(params.get("url", ""))
        if not url:
            return self._delete_webhook(params)
        if not url.startswith(("http://", "https://")):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._webhook_url = url
        self._webhook_secret = str(secret) if secret is not None else None
        self._webhook_last_error = None
        # Updates nobody fetched yet now go to the webhook, in order.
        self._webhook_queue.extend(self._pending)
        self._pending.clear()
        self._updates_cond.notify_all()  # a running long poll now gets 409-free []
        self._webhook_cond.notify_all()
        return True

    def _delete_webhook(self, params: JsonDict) -> bool:
        self._webhook_url = ""
        self._webhook_secret = None
        self._pending.extendleft(reversed(self._webhook_queue))
        self._webhook_queue.clear()
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._webhook_queue or self._pending),
        }
        if self._webhook_url:
            info["max_connections"] = 40
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        if self._webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _get_chat(self, params: JsonDict) -> JsonDict:
        chat = self._resolve_chat(params, create=False)
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_chat_member(self, params: JsonDict) -> JsonDict:
        chat = self._resolve_chat(params, create=False)
        user_id = params.get("user_id")
        if user_id == self.bot_id:
            user = dict(self.bot_user)
        elif isinstance(user_id, int) and user_id in self._users:
            user = dict(self._users[user_id])
        else:
            raise _bad_request("user not found")
        if chat.info["type"] != "private" and user_id == chat.creator:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if chat.info["type"] != "private" and user_id in chat.admins:
            return {"status": "administrator", "user": user, **_ADMIN_RIGHTS}
        return {"status": "member", "user": user}

    def _send_chat_action(self, params: JsonDict) -> bool:
        self._resolve_chat(params, create=True)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    # ------------------------------------------------------------ webhook delivery

    def _webhook_loop(self) -> None:
        backoff = 0.05
        while True:
            with self._webhook_cond:
                while not self._stopping.is_set() and not (
                    self._webhook_url and self._webhook_queue
                ):
                    self._webhook_cond.wait()
                if self._stopping.is_set():
                    return
                update, url, secret = (
                    self._webhook_queue[0],
                    self._webhook_url,
                    self._webhook_secret,
                )
            status, error = _post_update(url, update, secret)
            delivery = WebhookDelivery(
                int(update["update_id"]), url, status, error, time.monotonic()
            )
            with self._lock:
                self._webhook_deliveries.append(delivery)
                if delivery.ok:
                    if self._webhook_queue and self._webhook_queue[0] is update:
                        self._webhook_queue.popleft()
                else:
                    self._webhook_last_error = (
                        int(self._clock().timestamp()),
                        error or f"Wrong response from the webhook: {status}",
                    )
            if delivery.ok:
                backoff = 0.05
            else:
                # Telegram keeps retrying a failing webhook with growing pauses.
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 1.0)


_ADMIN_RIGHTS: JsonDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def _retry_after(seconds: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def _commands_key(scope: Any, language_code: str) -> str:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{language_code}"


def _set_or_drop(message: JsonDict, key: str, value: Any) -> None:
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value


def _succeeded(call: Call) -> bool:
    return call.ok


def _call_matcher(
    method: str | tuple[str, ...], chat_id: int | None, predicate: CallPredicate | None
) -> CallPredicate:
    methods = (method,) if isinstance(method, str) else method

    def matches(call: Call) -> bool:
        if call.method not in methods:
            return False
        if chat_id is not None and _call_chat_id(call) != chat_id:
            return False
        return predicate is None or predicate(call)

    return matches


def _call_chat_id(call: Call) -> int | str | None:
    # "@username" targets resolve through the answer's chat.
    result = call.result
    if isinstance(result, dict) and isinstance(result.get("chat"), dict):
        return result["chat"].get("id")  # type: ignore[no-any-return]
    return call.chat_id


def _sent_view(method: str, params: JsonDict, message: JsonDict) -> JsonDict:
    return {
        "method": method,
        "chat_id": message["chat"]["id"],
        "message_id": message["message_id"],
        "text": params.get("text"),
        "plain_text": message.get("text"),
        "entities": message.get("entities", []),
        "parse_mode": params.get("parse_mode"),
        "reply_markup": params.get("reply_markup"),
        "link_preview_options": params.get("link_preview_options"),
        "disable_web_page_preview": params.get("disable_web_page_preview"),
    }


def _message_view(call: Call) -> JsonDict:
    """What a test asserts on for a send or an edit: the request plus ids."""
    result = call.result
    if isinstance(result, dict):
        return _sent_view(call.method, call.params, result)
    return {
        "method": call.method,
        "chat_id": call.chat_id,
        "message_id": call.params.get("message_id"),
        "text": call.params.get("text"),
        "plain_text": None,
        "entities": [],
        "parse_mode": call.params.get("parse_mode"),
        "reply_markup": call.params.get("reply_markup"),
        "link_preview_options": call.params.get("link_preview_options"),
        "disable_web_page_preview": call.params.get("disable_web_page_preview"),
    }


def _post_update(url: str, update: JsonDict, secret: str | None) -> tuple[int | None, str | None]:
    """POST one update to a webhook; returns (HTTP status, error text)."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, json.dumps(update).encode("utf-8"), headers)
        response = connection.getresponse()
        response.read()
    except OSError as exc:
        return None, f"Connection failed: {exc}"
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status, None
    return response.status, f"Wrong response from the webhook: {response.status} {response.reason}"


# ------------------------------------------------------------------------ HTTP layer

_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def drop_connections(self) -> None:
        """End idle keep-alive connections so their handler threads exit."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeTelegram/1.0"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # One write per response and no Nagle delay: keep-alive round trips stay
        # sub-millisecond, which the 25 msg/s benchmarks rely on.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.track(self.connection, open_=False)
        with contextlib.suppress(OSError):  # client went away mid-answer
            super().finish()

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        self._serve(self._read_body())

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self, body: bytes) -> None:
        try:
            status, envelope = self.server.fake.handle_request(
                self.path, self.headers.get("Content-Type", ""), body
            )
        except Exception:
            _LOG.exception("fake Telegram failed on %s", self.path)
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            envelope = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        if status == HTTPStatus.BAD_GATEWAY:
            payload, content_type = _BAD_GATEWAY_HTML, "text/html"
        else:
            payload = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
            content_type = "application/json"
        connection = "close" if self.close_connection else "keep-alive"
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            f"Server: {self.server_version}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(payload)}\r\n"
            f"Connection: {connection}\r\n\r\n"
        )
        try:
            self.wfile.write(head.encode("latin-1") + payload)
        except OSError:
            self.close_connection = True  # the client gave up (timeout, cancelled poll)

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("fake Telegram: " + format, *args)
