"""A store a crash left behind opens on a disk that refuses writes (read-only, full).

After a SIGKILL the manifest still carries its ``writing`` note and a temp file
may lie next to a shard; opening rewrites the one and deletes the other. On a
read-only disk both failed with an OSError, so ``nieuwsbot run`` exited 1 with
a traceback and systemd restarted it every 10 s. Now both are left for a start
that can write, with a warning, and the bot starts (and then reports the
outage as usual). tests/chaos (the read-only scenario) shows it with a real
read-only tmpfs; here the refusals are simulated so it runs without root.
"""

from __future__ import annotations

import errno
import logging
import shutil
from pathlib import Path

import pytest

import bot.store.atomic as atomic
from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind
from bot.store import Store
from bot.store.layout import OUTBOX_DIR
from bot.store.manifest import read_manifest
from tests.store_support import T0

CHAT = 1001
UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
DE = FollowKey(FollowKind.COUNTRY, "DE", "Duitsland")
LEFTOVER = ".shard-000.json.k1ll3d.tmp"


def refuse_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every store write and temp-file removal fails as on a read-only file system."""

    def refuse(path: Path, *args: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    real_unlink = Path.unlink

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path.name.endswith(atomic.TEMP_SUFFIX):
            refuse(path)
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(atomic, "write_atomically", refuse)
    monkeypatch.setattr(Path, "unlink", unlink)


async def crashed_store(tmp_path: Path) -> Path:
    """A data directory as a SIGKILL after a follow leaves it."""
    data, crashed = tmp_path / "data", tmp_path / "crashed"
    store = await Store.open(data, clock=ManualClock(T0), shard_count=4, freeze_gc=False)
    try:
        await store.ensure_chat(CHAT, "private")
        await store.add_follows(CHAT, [UA])
        shutil.copytree(data, crashed)  # before close() settles the manifest
    finally:
        await store.close()
    (crashed / OUTBOX_DIR / LEFTOVER).write_bytes(b'{"outbox": {"1": {"id": "')
    state = read_manifest(crashed)
    assert state is not None
    assert state.writing  # a write was announced and never settled
    return crashed


async def test_a_crashed_store_opens_read_only_and_settles_once_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    crashed = await crashed_store(tmp_path)
    leftover = crashed / OUTBOX_DIR / LEFTOVER
    clock = ManualClock(T0)

    refuse_writes(monkeypatch)
    caplog.set_level(logging.WARNING)
    store = await Store.open(crashed, clock=clock, freeze_gc=False)
    try:
        record = store.get_chat(CHAT)
        assert record is not None
        assert record.follows == (UA,)
        with pytest.raises(OSError, match="Read-only"):
            await store.add_follows(CHAT, [DE])
    finally:
        await store.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(m.startswith("could not remove the temp files in") for m in warnings), warnings
    assert any(m.startswith("could not rewrite") for m in warnings), warnings
    assert leftover.exists()

    monkeypatch.undo()
    store = await Store.open(crashed, clock=clock, freeze_gc=False)
    try:
        assert not leftover.exists()
        await store.add_follows(CHAT, [DE])
    finally:
        await store.close()
    store = await Store.open(crashed, clock=clock, freeze_gc=False)
    try:
        record = store.get_chat(CHAT)
        assert record is not None
        assert set(record.follows) == {UA, DE}
    finally:
        await store.close()
