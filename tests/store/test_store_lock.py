"""One process per data directory: a second opener is refused at once, naming the holder."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.store import Store, StoreLockedError, StoreRefusedError
from bot.store.lock import LOCK_FILE
from tests.paths import ROOT
from tests.store_support import T0

# A second process that opens the store, says so, and keeps it open until killed.
HOLDER = """
import asyncio, sys
from datetime import UTC, datetime
from bot.store import Store

async def main() -> None:
    store = await Store.open(sys.argv[1], clock=lambda: datetime.now(UTC), shard_count=4)
    await store.ensure_chat(1001, "private")
    print("open", flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def start_holder(root: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "open":
        process.kill()
        raise AssertionError(f"holder did not open the store: {line!r} {process.communicate()}")
    return process


async def test_a_second_open_in_the_same_process_is_refused(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    absolute = await asyncio.to_thread(tmp_path.resolve)
    first = await Store.open(tmp_path, clock=clock, shard_count=4, freeze_gc=False)
    try:
        with pytest.raises(StoreLockedError) as refused:
            await Store.open(tmp_path, clock=clock, shard_count=4, freeze_gc=False)
        assert refused.value.pid == os.getpid()
        assert str(refused.value) == (
            f"data directory {absolute} is in use by process {os.getpid()} (another nieuwsbot run?)"
        )
        assert isinstance(refused.value, StoreRefusedError)
        # The refused opener touched nothing: the first store still writes.
        await first.ensure_chat(1001, "private")
    finally:
        await first.close()
    reopened = await Store.open(tmp_path, clock=clock, freeze_gc=False)
    try:
        assert reopened.get_chat(1001) is not None
    finally:
        await reopened.close()


async def test_another_process_holding_the_directory_is_named(tmp_path: Path) -> None:
    holder = start_holder(tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(StoreLockedError) as refused:
            await Store.open(tmp_path, clock=ManualClock(T0), freeze_gc=False)
        assert time.monotonic() - started < 2, "refused at once, not after waiting"
        assert refused.value.pid == holder.pid
        assert f"in use by process {holder.pid}" in str(refused.value)
    finally:
        holder.kill()
        holder.wait(timeout=10)


async def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = start_holder(tmp_path)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    # The pid is still in the file, but the kernel dropped the lock with the process.
    assert (tmp_path / LOCK_FILE).read_text().strip() == str(holder.pid)
    store = await Store.open(tmp_path, clock=ManualClock(T0), freeze_gc=False)
    try:
        assert store.get_chat(1001) is not None
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())
    finally:
        await store.close()
    assert (tmp_path / LOCK_FILE).read_text() == "", "close() releases and clears the pid"
