"""Confirmed sends recorded in batches (``SentMarks``) against a real Store."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path

import pytest

import bot.store.atomic as atomic
from bot.core.clock import ManualClock
from bot.deliver.marks import SentMarks
from bot.store import OutboxEntry, Store, outbox_entry_id
from tests.store_support import T0

CHATS = list(range(5001, 5041))  # 40 chats over all 8 shards


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path, clock=ManualClock(T0), shard_count=8, freeze_gc=False)
    await opened.enqueue(
        [OutboxEntry(outbox_entry_id(c, "s1"), c, "push", {"n": c}, T0) for c in CHATS]
    )
    try:
        yield opened
    finally:
        await opened.close()


class Recorder:
    """The store's mark_sent_many, noting each batch it was given."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.batches: list[list[str]] = []
        self.started = asyncio.Event()

    async def __call__(self, message_ids: Mapping[str, int | None]) -> list[str]:
        self.batches.append(list(message_ids))
        self.started.set()
        return await self.store.mark_sent_many(message_ids)


def ids_of(chats: Sequence[int]) -> list[str]:
    return [outbox_entry_id(c, "s1") for c in chats]


async def test_sends_confirmed_together_are_recorded_in_one_write(store: Store) -> None:
    write = Recorder(store)
    marks = SentMarks(write, lambda error, ids: None)
    for entry_id in ids_of(CHATS):  # 40 workers' confirmations, none waits
        marks.add([entry_id])
    assert all(marks.holds(i) for i in ids_of(CHATS))
    assert not any(store.is_delivered(i) for i in ids_of(CHATS))

    await marks.flush()

    assert len(write.batches) == 1
    assert sorted(write.batches[0]) == sorted(ids_of(CHATS))
    assert all(store.is_delivered(i) for i in ids_of(CHATS))
    assert not any(marks.holds(i) for i in ids_of(CHATS))
    assert store.pending_count() == 0


async def test_sends_confirmed_during_a_write_go_into_the_next(store: Store) -> None:
    write = Recorder(store)
    marks = SentMarks(write, lambda error, ids: None)
    marks.add(ids_of(CHATS[:1]))
    await write.started.wait()  # the first write is under way
    for chat in CHATS[1:]:
        marks.add(ids_of([chat]))
    marks.add(ids_of(CHATS[:1]))  # a repeat while held is ignored

    await marks.flush()

    assert write.batches == [ids_of(CHATS[:1]), ids_of(CHATS[1:])]
    assert all(store.is_delivered(i) for i in ids_of(CHATS))


async def test_a_refused_write_hands_the_batch_on_and_nothing_is_lost(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused: list[tuple[OSError, list[str]]] = []
    marks = SentMarks(store.mark_sent_many, lambda error, ids: refused.append((error, list(ids))))

    def full_disk(path: Path, payload: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(atomic, "write_atomically", full_disk)
    marks.add(ids_of(CHATS[:5]))
    await marks.flush()
    monkeypatch.undo()

    ((error, ids),) = refused
    assert error.errno == errno.ENOSPC
    assert ids == ids_of(CHATS[:5])
    assert not any(marks.holds(i) for i in ids)  # the engine's outage holds them now
    assert not any(store.is_delivered(i) for i in ids)
    assert store.pending_count() == len(CHATS)  # still pending on disk, nothing dropped
