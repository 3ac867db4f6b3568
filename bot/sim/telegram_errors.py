"""Bot API error answers and the faults a test can inject to provoke them.

:class:`ApiError` is raised inside the fake server's method handlers and
becomes Telegram's error envelope (``{"ok": false, "error_code": ...,
"description": ..., "parameters": ...}``). :func:`bad_request` and
:func:`retry_after` build the common ones; :class:`Fault` is one injected
failure and :func:`fault_error` the answer Telegram gives for its kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal, get_args

__all__ = [
    "FAULT_KINDS",
    "NOT_MODIFIED",
    "ApiError",
    "Fault",
    "FaultKind",
    "bad_request",
    "fault_error",
    "too_many_requests",
]

JsonDict = dict[str, Any]
# What :meth:`FakeTelegram.fail` can make a call do.
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
FAULT_KINDS = frozenset(get_args(FaultKind))

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


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


def bad_request(reason: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, f"Bad Request: {reason}")


def too_many_requests(seconds: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


@dataclass(slots=True)
class Fault:
    """One injected failure, consumed by the calls it matches."""

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


def fault_error(fault: Fault, params: JsonDict) -> ApiError:
    """The error Telegram answers with for ``fault`` on a call with ``params``.

    Not for ``slow`` and ``timeout``, which delay a correct answer instead;
    ``server_error`` answers ``fault.status`` (500, 502, 503 or 504).
    """
    chat_id = params.get("chat_id")
    if fault.kind == "retry_after":
        return too_many_requests(fault.retry_after)
    if fault.kind == "blocked":
        return ApiError(403, "Forbidden: bot was blocked by the user")
    if fault.kind == "kicked":
        return ApiError(403, "Forbidden: bot was kicked from the group chat")
    if fault.kind == "deactivated":
        return ApiError(403, "Forbidden: user is deactivated")
    if fault.kind == "bad_html":
        return bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag \"b\""
        )
    if fault.kind == "chat_not_found":
        return bad_request("chat not found")
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
