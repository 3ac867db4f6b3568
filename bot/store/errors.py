"""Exceptions raised by the storage layer."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class for every storage failure the bot may want to report."""


class StoreRefusedError(StoreError):
    """The data directory cannot be opened as it is; the message says why and what to do.

    ``nieuwsbot`` prints it as one line and exits 2 (no traceback, no restart
    loop): only the operator can resolve it.
    """


class StoreCorruptError(StoreRefusedError):
    """A database file exists but cannot be understood.

    Raised instead of starting with an empty database: silently ignoring an
    unreadable file would throw away every subscription it holds. ``recovery``
    (appended to the message) tells the operator what to do about it.
    """

    def __init__(self, path: Path, reason: str, recovery: str = "") -> None:
        message = f"database file {path} is unreadable: {reason}"
        super().__init__(f"{message}; {recovery}" if recovery else message)
        self.path = path
        self.reason = reason
        self.recovery = recovery


class SchemaError(StoreRefusedError):
    """The data directory has a schema version this code cannot handle."""


class ManifestMismatchError(StoreRefusedError):
    """A chat or outbox shard is missing or differs from what the store last wrote."""

    def __init__(self, path: Path, detail: str, recovery: str, others: int = 0) -> None:
        more = f" (and {others} more file{'s' if others != 1 else ''})" if others else ""
        super().__init__(
            f"database file {path} does not match the store manifest: {detail}{more}; {recovery}"
        )
        self.path = path
        self.detail = detail


class StoreLockedError(StoreRefusedError):
    """Another process holds the data directory's lock."""

    def __init__(self, root: Path, pid: int | None) -> None:
        holder = f"process {pid}" if pid is not None else "another process"
        super().__init__(f"data directory {root} is in use by {holder} (another nieuwsbot run?)")
        self.root = root
        self.pid = pid


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
