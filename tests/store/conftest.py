"""Fixtures shared by the store tests: a manual clock at T0 and an open store on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.store import Store
from tests.store_support import T0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def store_shard_count() -> int:
    """Outbox shards of the ``store`` fixture; a module overrides it where it matters."""
    return 4


@pytest.fixture
async def store(tmp_path: Path, clock: ManualClock, store_shard_count: int) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path, clock=clock, shard_count=store_shard_count, freeze_gc=False)
    yield opened
    await opened.close()
