"""classify() over real python-telegram-bot 22 exception instances."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.deliver.outcome import Action, Outcome, classify


@pytest.mark.parametrize(
    ("exc", "action"),
    [
        (None, Action.SENT),
        # 403s: always final for the chat.
        (Forbidden("Forbidden: bot was blocked by the user"), Action.DEACTIVATE),
        (Forbidden("Forbidden: user is deactivated"), Action.DEACTIVATE),
        (Forbidden("Forbidden: bot was kicked from the supergroup chat"), Action.DEACTIVATE),
        (Forbidden("Forbidden: bot is not a member of the channel chat"), Action.DEACTIVATE),
        # 400s that mean the chat is gone, as PTB words them after stripping.
        (BadRequest("Bad Request: chat not found"), Action.DEACTIVATE),
        (BadRequest("Bad Request: group chat was deactivated"), Action.DEACTIVATE),
        (BadRequest("Bad Request: not enough rights to send text messages"), Action.DEACTIVATE),
        (BadRequest("Bad Request: PEER_ID_INVALID"), Action.DEACTIVATE),
        # 400s our markup caused: re-send once as plain text.
        (
            BadRequest(
                'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 7'
            ),
            Action.RESEND_PLAIN,
        ),
        (
            BadRequest(
                "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b"
            ),
            Action.RESEND_PLAIN,
        ),
        (BadRequest("Bad Request: wrong HTTP URL specified"), Action.RESEND_PLAIN),
        # 400s that no re-send can fix.
        (BadRequest("Bad Request: message is too long"), Action.DROP),
        (BadRequest("Bad Request: message text is empty"), Action.DROP),
        # Transient: the outbox keeps the message.
        (TimedOut(), Action.RETRY_LATER),
        (NetworkError("Bad Gateway"), Action.RETRY_LATER),
        (NetworkError("Internal Server Error (500)"), Action.RETRY_LATER),
        (
            NetworkError("Unknown error in HTTP implementation: ConnectError('refused')"),
            Action.RETRY_LATER,
        ),
        (Conflict("Conflict: terminated by other getUpdates request"), Action.RETRY_LATER),
        (TelegramError("Invalid server response"), Action.RETRY_LATER),
        (ConnectionResetError(104, "Connection reset by peer"), Action.RETRY_LATER),
        (TimeoutError(), Action.RETRY_LATER),
        # The token itself is refused: nothing can be sent.
        (InvalidToken("Unauthorized"), Action.HALT),
        # Our own bug: do not loop on it.
        (ValueError("format_push needs at least one story"), Action.DROP),
    ],
)
def test_classify(exc: BaseException | None, action: Action) -> None:
    assert classify(exc).action is action


def test_bad_request_is_not_mistaken_for_a_network_error() -> None:
    # BadRequest subclasses NetworkError: the except-order pitfall.
    exc = BadRequest("Bad Request: chat not found")
    assert isinstance(exc, NetworkError)
    assert classify(exc).action is Action.DEACTIVATE


@pytest.mark.parametrize(
    ("retry_after", "seconds"),
    [(30, 30.0), (timedelta(seconds=7), 7.0), (timedelta(milliseconds=1500), 1.5)],
)
def test_retry_after_carries_the_wait(retry_after: int | timedelta, seconds: float) -> None:
    with warnings.catch_warnings():
        # PTB's own constructor warns about the int form it still reads.
        warnings.simplefilter("ignore")
        exc = RetryAfter(retry_after)
    outcome = classify(exc)
    assert outcome.action is Action.RETRY_AFTER
    assert outcome.retry_after == seconds
    assert "Flood control exceeded" in outcome.reason


def test_chat_migrated_carries_the_new_id() -> None:
    outcome = classify(ChatMigrated(-1001234567890))
    assert outcome == Outcome(
        Action.MIGRATE,
        new_chat_id=-1001234567890,
        reason="Group migrated to supergroup. New chat id: -1001234567890",
    )


def test_reason_keeps_telegrams_description() -> None:
    outcome = classify(BadRequest("Bad Request: message is too long"))
    assert outcome.reason == "Message is too long"
