"""What the sender does with the answer to one ``send_message``.

``classify`` maps python-telegram-bot 22 exceptions to an ``Outcome``. The
order of the checks is the whole point, because PTB's exception tree is not the
one you would guess:

* ``BadRequest`` and ``TimedOut`` are subclasses of ``NetworkError``. An
  ``except NetworkError`` placed first would retry a malformed message forever
  and treat "chat not found" as a network blip. Check ``BadRequest`` (and
  ``TimedOut``) before ``NetworkError``.
* ``ChatMigrated`` and ``RetryAfter`` subclass ``TelegramError`` directly, not
  ``BadRequest``: they carry data (the new chat id, the wait) and must be
  checked before any generic ``TelegramError`` fallback.
* ``Forbidden`` (HTTP 403) is always final for that chat: blocked, kicked,
  deactivated user. Some of the same situations arrive as a 400 ``BadRequest``
  ("chat not found"), recognised by their description.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)


class Action(StrEnum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"  # wait as Telegram says, then re-queue; never drop
    DEACTIVATE = "deactivate"  # the chat cannot be reached any more
    MIGRATE = "migrate"  # rewrite the chat id everywhere, re-send
    RESEND_PLAIN = "resend_plain"  # Telegram rejected our HTML: once more as plain text
    DROP = "drop"  # this message can never be sent: log it, do not loop
    RETRY_LATER = "retry_later"  # transient: back off, keep it in the outbox
    HALT = "halt"  # the token is refused: stop sending altogether, keep the outbox


@dataclass(frozen=True, slots=True)
class Outcome:
    action: Action
    retry_after: float | None = None  # seconds, for RETRY_AFTER
    new_chat_id: int | None = None  # for MIGRATE
    reason: str = ""  # Telegram's description, for the log


SENT = Outcome(Action.SENT)

# Descriptions (folded) of 400/403 answers meaning the chat is gone for us.
# Telegram words them in several ways over the years; substrings suffice.
_GONE = (
    "chat not found",
    "user is deactivated",
    "bot was kicked",
    "bot was blocked",
    "bot is not a member",
    "group chat was deleted",
    "group chat was deactivated",
    "chat_write_forbidden",
    "have no rights to send",
    "not enough rights to send",
    "need administrator rights",
    "peer_id_invalid",
    "user_is_blocked",
    "bot can't initiate conversation",
    "bot can't send messages to bots",
)
# Descriptions of 400 answers a plain-text re-send avoids: our markup or links.
_BAD_MARKUP = (
    "can't parse entities",
    "can't parse message text",
    "unsupported start tag",
    "can't find end tag",
    "unclosed start tag",
    "wrong http url",
    "wrong url host",
    "url host is empty",
    "unsupported url protocol",
)


def classify(exc: BaseException | None) -> Outcome:
    """The sender's next step after a send that raised ``exc`` (None: it worked)."""
    if exc is None:
        return SENT
    reason = str(exc)
    folded = reason.casefold()
    # Subclasses before their bases: see the module docstring.
    if isinstance(exc, RetryAfter):
        return Outcome(Action.RETRY_AFTER, retry_after=retry_seconds(exc), reason=reason)
    if isinstance(exc, ChatMigrated):
        return Outcome(Action.MIGRATE, new_chat_id=exc.new_chat_id, reason=reason)
    if isinstance(exc, Forbidden):
        return Outcome(Action.DEACTIVATE, reason=reason)
    if isinstance(exc, BadRequest):
        if any(marker in folded for marker in _GONE):
            return Outcome(Action.DEACTIVATE, reason=reason)
        if any(marker in folded for marker in _BAD_MARKUP):
            return Outcome(Action.RESEND_PLAIN, reason=reason)
        # "Message is too long", "message text is empty", ...: re-sending the
        # same message cannot succeed.
        return Outcome(Action.DROP, reason=reason)
    if isinstance(exc, TimedOut | NetworkError):
        # Includes 5xx answers: PTB raises those as NetworkError.
        return Outcome(Action.RETRY_LATER, reason=reason)
    if isinstance(exc, InvalidToken):
        return Outcome(Action.HALT, reason=reason)
    if isinstance(exc, TelegramError | OSError | TimeoutError):
        return Outcome(Action.RETRY_LATER, reason=reason)
    # Anything else is a bug on our side (formatting, data): retrying the same
    # message would fail the same way.
    return Outcome(Action.DROP, reason=f"{type(exc).__name__}: {reason}")


def retry_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds."""
    # PTB 22 returns an int or a timedelta depending on PTB_TIMEDELTA and warns
    # about the int form; accept both without the warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: object = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float):
        return float(value)
    return 1.0
