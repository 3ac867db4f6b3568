"""Shared by the store tests: a fixed start time and reopening a store like a restart."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store import Store
from tests.clock import Clock

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

__all__ = ["T0", "Clock", "reopen"]


async def reopen(store: Store, clock: Clock) -> Store:
    """Close ``store`` and load its directory again, as a restarted bot would."""
    await store.close()
    return await Store.open(store.root, clock=clock, freeze_gc=False)
