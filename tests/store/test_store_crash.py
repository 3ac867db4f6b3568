"""SIGKILL a writer at random moments; the store must always load, old or new state.

The child (tests/store/store_crash_writer.py) prints ``ack <chat> <n>`` after each
step is durable. After every kill the data directory is opened and checked
against what was acknowledged: nothing acknowledged is missing, and at most
the single step in flight at the moment of the kill shows up beyond that.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.store import Store, outbox_entry_id
from tests.paths import ROOT

WRITER = Path(__file__).with_name("store_crash_writer.py")

KILLS = 30


@dataclass
class Acknowledged:
    last: int = -1  # highest step acknowledged over all runs
    next: int = 0  # the step the writer was working on when it was killed
    per_chat: dict[int, int] = field(default_factory=dict)
    steps: list[tuple[int, int]] = field(default_factory=list)  # (chat, n)
    # Steps killed half-way whose first write was durable: the restarted
    # writer resumes after them, so they are stored but never acknowledged.
    skipped: set[int] = field(default_factory=set)

    def allowed(self, acknowledged: int | None) -> set[int]:
        """What may be stored where ``acknowledged`` was confirmed last."""
        return {self.next} | self.skipped | ({acknowledged} if acknowledged is not None else set())


def run_and_kill(root: Path, delay: float) -> tuple[int, list[str], int]:
    """Start the writer, SIGKILL it ``delay`` s after it is ready; its output lines."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    ready = proc.stdout.readline()
    if not ready.startswith("ready"):
        proc.kill()
        raise AssertionError(f"writer did not start: {ready!r} {proc.communicate()[1]}")
    start = int(ready.split()[1])
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True)
    reader.start()
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    reader.join(timeout=10)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    temp_files = sum(1 for _ in root.rglob("*.tmp"))
    return start, lines, temp_files


def record_run(acked: Acknowledged, start: int, lines: list[str]) -> None:
    # A restart resumes after the step that was in flight if that step left
    # anything durable, otherwise it redoes it; nothing else is acceptable.
    assert start in (acked.next, acked.next + 1), (start, acked.next)
    if start == acked.next + 1:
        acked.skipped.add(acked.next)
    acked.next = start
    for line in lines:
        tag, chat, n = line.split()
        assert tag == "ack"
        assert int(n) == acked.next, "steps are acknowledged in order"
        acked.last = int(n)
        acked.next = int(n) + 1
        acked.per_chat[int(chat)] = int(n)
        acked.steps.append((int(chat), int(n)))


async def check_store(root: Path, acked: Acknowledged) -> None:
    store = await Store.open(root, clock=lambda: datetime.now(UTC), freeze_gc=False)
    try:
        for record in store.all_chats():
            counters = [int(k.value[1:]) for k in record.follows]
            assert len(counters) <= 30
            stored = max(counters, default=None)
            acknowledged = acked.per_chat.get(record.chat_id)
            if stored != acknowledged:
                assert stored in acked.allowed(acknowledged), (record.chat_id, stored, acked)
                assert acknowledged is None or (stored is not None and stored > acknowledged)
        state = store.get_feed_state("crash://feed")
        if acked.last >= 0:
            assert state is not None
            assert state["n"] in acked.allowed(acked.last)
        for chat_id, n in acked.steps:
            assert store.is_delivered(outbox_entry_id(chat_id, f"s{n}")), (chat_id, n)
        assert all(e.payload["n"] in acked.allowed(None) for e in store.pending())
        leftovers = await asyncio.to_thread(lambda: list(root.rglob("*.tmp")))
        assert not leftovers, "open() sweeps temp files of killed writes"
    finally:
        await store.close()


def test_sigkill_mid_write_never_corrupts_the_store(tmp_path: Path) -> None:
    rng = random.Random(20261001)
    acked = Acknowledged()
    root = tmp_path / "data"
    kills_with_temp_file = 0
    started = time.monotonic()
    for kill in range(KILLS):
        # Spread over the first ~quarter second of writing: some kills land
        # before the first write completes, most in the middle of a stream.
        delay = rng.choice([0.0, 0.005, 0.02]) if kill % 5 == 0 else rng.uniform(0.01, 0.25)
        start, lines, temp_files = run_and_kill(root, delay)
        kills_with_temp_file += temp_files > 0
        record_run(acked, start, lines)
        asyncio.run(check_store(root, acked))
    elapsed = time.monotonic() - started
    sys.stdout.write(  # shown with -s: evidence that kills landed mid-write
        f"{KILLS} kills, {acked.last + 1} steps acknowledged, {len(acked.skipped)} half-done, "
        f"{kills_with_temp_file} kills left a half-written temp file, {elapsed:.1f} s\n"
    )
    assert acked.last > KILLS, "the writer made progress between kills"
