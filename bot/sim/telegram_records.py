"""What the fake Bot API records about the bot's traffic, and the views tests use.

Every request becomes a :class:`Call`; every webhook POST a
:class:`WebhookDelivery`. :func:`call_matcher` builds the filters the waiters
use, and :func:`sent_view` / :func:`message_view` shape a send or an edit into
the flat dict tests assert on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

__all__ = [
    "Call",
    "CallPredicate",
    "WebhookDelivery",
    "call_matcher",
    "message_view",
    "sent_view",
    "succeeded",
]

JsonDict = dict[str, Any]


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


CallPredicate = Callable[[Call], bool]


def succeeded(call: Call) -> bool:
    """A :data:`CallPredicate` for calls Telegram answered with ``ok``."""
    return call.ok


def call_matcher(
    method: str | tuple[str, ...], chat_id: int | None, predicate: CallPredicate | None
) -> CallPredicate:
    """A filter for calls to ``method`` (one of several), in a chat, passing ``predicate``."""
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


def sent_view(method: str, params: JsonDict, message: JsonDict) -> JsonDict:
    """A successful send or edit: the request's text and markup, the stored message's ids."""
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


def message_view(call: Call) -> JsonDict:
    """What a test asserts on for a send or an edit: the request plus ids."""
    result = call.result
    if isinstance(result, dict):
        return sent_view(call.method, call.params, result)
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
