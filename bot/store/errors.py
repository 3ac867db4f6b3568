"""Exceptions raised by the storage layer."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class for every storage failure the bot may want to report."""


class StoreCorruptError(StoreError):
    """A database file exists but cannot be understood.

    Raised instead of starting with an empty database: silently ignoring an
    unreadable file would throw away every subscription it holds.
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"database file {path} is unreadable: {reason}")
        self.path = path
        self.reason = reason


class SchemaError(StoreError):
    """The data directory has a schema version this code cannot handle."""


class UnknownChatError(StoreError, LookupError):
    """An operation names a chat that was never created with ``ensure_chat``."""

    def __init__(self, chat_id: int) -> None:
        super().__init__(f"unknown chat {chat_id}")
        self.chat_id = chat_id


class FollowLimitError(StoreError):
    """Adding the requested follows would exceed the per-chat maximum.

    Nothing is added when this is raised, so the handler can tell the user how
    many slots are left (``limit - current``) without a half-applied change.
    """

    def __init__(self, chat_id: int, limit: int, current: int, requested: int) -> None:
        super().__init__(
            f"chat {chat_id} follows {current}, adding {requested} exceeds the limit of {limit}"
        )
        self.chat_id = chat_id
        self.limit = limit
        self.current = current
        self.requested = requested
