"""Plain records the store hands out. Immutable, so they can be shared across threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.model import FollowKey

TIME_FIELDS = ("quiet_start", "quiet_end", "digest_time")
FLAG_FIELDS = ("link_previews", "summaries")
# Flags a chat may leave unset (None): the operator's configuration decides then.
OPTIONAL_FLAGS = frozenset({"link_previews"})
CHOICE_FIELDS = ("updates",)

# What later reports of a story the chat was notified of become (``updates``):
UPDATES_SILENT = "silent"  # gathered into silent follow-ups replying to the push
UPDATES_OFF = "off"  # nothing (they stay in /laatste)
UPDATES_SEPARATE = "separate"  # every report its own push, as before stories
UPDATES_CHOICES = (UPDATES_SILENT, UPDATES_OFF, UPDATES_SEPARATE)


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """Per-chat preferences. Formats ("HH:MM") are validated by the handlers.

    Only the types are checked here, so a bug elsewhere cannot write something
    into the database that would fail to load at the next start-up.
    """

    quiet_start: str | None = None
    quiet_end: str | None = None
    digest_time: str | None = None
    # /voorbeeld: None until the chat chooses; then push.link_previews no longer applies.
    link_previews: bool | None = None
    summaries: bool = True
    # One of UPDATES_CHOICES; an unknown stored value reads as the default.
    updates: str = UPDATES_SILENT

    def __post_init__(self) -> None:
        for name in TIME_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"setting {name} must be a string or None, not {value!r}")
        for name in FLAG_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, bool) and not (value is None and name in OPTIONAL_FLAGS):
                raise TypeError(f"setting {name} must be a bool, not {value!r}")
        for name in CHOICE_FIELDS:
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"setting {name} must be a string, not {getattr(self, name)!r}")

    @property
    def quiet_hours(self) -> tuple[str, str] | None:
        """("HH:MM", "HH:MM") when both ends are set, else None."""
        if self.quiet_start and self.quiet_end:
            return (self.quiet_start, self.quiet_end)
        return None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in TIME_FIELDS + FLAG_FIELDS + CHOICE_FIELDS}


DEFAULT_SETTINGS = ChatSettings()


@dataclass(frozen=True, slots=True)
class ChatRecord:
    """Everything stored about one chat. Privacy: no names, no message texts."""

    chat_id: int
    chat_type: str
    follows: tuple[FollowKey, ...]
    settings: ChatSettings
    active: bool
    deactivated_at: datetime | None
    created_at: datetime
    deactivation_reason: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One message that must reach a chat.

    ``id`` is deterministic (see :func:`outbox_entry_id`) so that enqueuing the
    same story for the same chat twice is a no-op.
    """

    id: str
    chat_id: int
    kind: str
    payload: dict[str, Any] = field(compare=False)
    created_at: datetime
    attempts: int = 0
    not_before: datetime | None = None


def outbox_entry_id(chat_id: int, story_id: str) -> str:
    """The outbox id of ``story_id`` for ``chat_id``: ``"<chat_id>:<story_id>"``.

    Pass the story id (``item.duplicate_of or item.id``) so that a story merged
    from two outlets maps to one entry. ``migrate_chat`` rewrites the chat part
    of ids built this way.
    """
    return f"{chat_id}:{story_id}"
