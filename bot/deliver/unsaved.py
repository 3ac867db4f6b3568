"""What the push engine knows while the store refuses writes (disk full, read-only).

A message Telegram confirmed must never be sent again by this process, even when
the store cannot record it as sent. ``StoreOutage`` keeps those outbox entry ids
in memory until a write succeeds, and remembers whether an outage is under way so
that it is logged and reported to the admins once, not on every outbox tick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class StoreOutage:
    """Sends confirmed but not yet durable, and whether the store is refusing writes."""

    # Outbox entry ids Telegram accepted whose "sent" mark is not on disk yet.
    unsaved: set[str] = field(default_factory=set)
    down_since: datetime | None = None
    error: OSError | None = None
    # The admins were told about this outage (so they are told when it ends).
    alerted: bool = False

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def holds(self, entry_id: str) -> bool:
        """True if ``entry_id`` was sent already and must not go out again."""
        return entry_id in self.unsaved

    def failed(self, error: OSError, now: datetime, unsaved: Iterable[str] = ()) -> bool:
        """Record a refused write; True when it starts an outage (log and alert then)."""
        self.unsaved.update(unsaved)
        self.error = error
        if self.down_since is not None:
            return False
        self.down_since = now
        self.alerted = False
        return True

    def saved(self, ids: Iterable[str]) -> None:
        """These confirmed sends are durable now (or no longer in the outbox)."""
        self.unsaved.difference_update(ids)

    def recovered(self) -> None:
        """A write succeeded and nothing confirmed is left unsaved: the outage is over."""
        self.down_since = None
        self.error = None
        self.alerted = False
