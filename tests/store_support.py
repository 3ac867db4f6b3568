"""Shared by the store tests: a fixed start time and reopening a store like a restart."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import ManualClock
from bot.store import Store

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

__all__ = ["T0", "reopen"]


async def reopen(store: Store, clock: ManualClock) -> Store:
    """Close ``store`` and load its directory again, as a restarted bot would."""
    await store.close()
    return await Store.open(store.root, clock=clock, freeze_gc=False)
