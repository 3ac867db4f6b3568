"""Decoding Bot API request parameters into typed values.

A Bot API method accepts its parameters in the query string and in an
``application/x-www-form-urlencoded``, ``multipart/form-data`` or JSON body.
:func:`decode_params` reads all of them into one dict and types each value by
its field name, so the fake server's method handlers see the same data however
a client encoded it.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["decode_params"]

JsonDict = dict[str, Any]

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
        "is_personal",
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
        "results",
        "button",
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
        "inline_query_id",
        "next_offset",
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
