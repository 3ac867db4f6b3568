"""Buttons that work only in the chat, and for as long as, the bot offered them.

Telegram hands callback data back from the client verbatim, so a modified
client can press any data on any of the bot's messages: ``stop:y`` on a welcome
message, a follow of a keyword nobody typed. Every button the bot sends
therefore carries a token after its payload::

    stop:y~h3k9QwErTy-_
           ^^^          the minute it was issued (base 36, monotonic clock)
              ^^^^^^^^  HMAC-SHA256 of (chat id, minute, payload), 48 bits

The key is a random secret of this process (never the bot token), so a token
cannot be made for another chat, another payload or another time, and buttons
of an earlier run stop working after a restart: typing the command again gives
fresh ones. The monotonic clock suits a per-process secret and is immune to a
stepped wall clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

SEPARATOR = "~"
_MAC_BYTES = 6
_MAC_CHARS = 8  # base64url of 6 bytes, no padding
# Minutes of the monotonic clock in base 36: five digits last 115 years.
_STAMP_CHARS = 5
# What a token adds to a payload at most; callback_data budgets for it.
TOKEN_BYTES = len(SEPARATOR) + _STAMP_CHARS + _MAC_CHARS
_STAMP_RE = re.compile(r"[0-9a-z]{1,5}")


@dataclass(frozen=True, slots=True)
class Opened:
    """A press whose token is valid: the payload and how old the button is."""

    payload: str
    age_s: float


class ButtonTokens:
    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def seal(self, chat_id: int, payload: str, now: float) -> str:
        """``payload`` with a token for ``chat_id``, issued at ``now`` (monotonic seconds)."""
        stamp = _base36(max(0, int(now // 60)))
        return f"{payload}{SEPARATOR}{stamp}{self._mac(chat_id, stamp, payload)}"

    def open(self, chat_id: int, data: str | None, now: float) -> Opened | None:
        """The payload of a press in ``chat_id`` if its token is ours; else None.

        The age counts from the start of the minute the button was issued, so a
        button is never taken for younger than it is.
        """
        if not data:
            return None
        payload, separator, token = data.rpartition(SEPARATOR)
        stamp, mac = token[:-_MAC_CHARS], token[-_MAC_CHARS:]
        if not separator or not _STAMP_RE.fullmatch(stamp):
            return None
        if not hmac.compare_digest(mac, self._mac(chat_id, stamp, payload)):
            return None
        issued = int(stamp, 36) * 60
        return Opened(payload, max(0.0, now - issued))

    def _mac(self, chat_id: int, stamp: str, payload: str) -> str:
        message = f"{chat_id}\n{stamp}\n{payload}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()[:_MAC_BYTES]
        return base64.urlsafe_b64encode(digest).decode("ascii")


def payload_of(data: str) -> str:
    """The payload of callback data the bot sent (token removed, not checked)."""
    payload, separator, _ = data.rpartition(SEPARATOR)
    return payload if separator else data


def sealed(
    markup: InlineKeyboardMarkup | None, seal: Callable[[str], str]
) -> InlineKeyboardMarkup | None:
    """``markup`` with every button's callback data sealed."""
    if markup is None:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(button.text, callback_data=seal(button.callback_data))
                if isinstance(button.callback_data, str)
                else button
                for button in row
            ]
            for row in markup.inline_keyboard
        ]
    )


def carries(message: Any, data: str) -> bool:
    """Whether ``data`` is the callback data of a button on ``message``.

    Telegram fills a press's message from its own copy, so this binds a press
    to the message that offered the button.
    """
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return False
    return any(button.callback_data == data for row in markup.inline_keyboard for button in row)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text
