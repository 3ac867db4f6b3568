"""Outbox: persisted before sending, marked after confirmation, exactly once across restarts."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.core.clock import ManualClock
from bot.store import OutboxEntry, Store, outbox_entry_id
from tests.store_support import T0, reopen


def entry(chat_id: int, story: str, minute: int = 0) -> OutboxEntry:
    return OutboxEntry(
        id=outbox_entry_id(chat_id, story),
        chat_id=chat_id,
        kind="push",
        payload={"story": story, "text": "Opnieuw doden in Afghanistan"},
        created_at=T0 + timedelta(minutes=minute),
    )


async def test_enqueue_is_idempotent_per_chat_and_story(store: Store) -> None:
    first = [entry(1, "nos-1"), entry(2, "nos-1"), entry(1, "nos-2")]
    assert await store.enqueue(first) == first
    assert await store.enqueue([entry(1, "nos-1", minute=5), entry(1, "nos-3")]) == [
        entry(1, "nos-3")
    ]
    assert await store.enqueue([entry(3, "x"), entry(3, "x")]) == [entry(3, "x")]
    assert store.pending_count() == 5


async def test_pending_is_oldest_first_and_respects_not_before(store: Store) -> None:
    await store.enqueue([entry(1, "b", minute=2), entry(2, "a", minute=1), entry(3, "c", 3)])
    await store.reschedule(outbox_entry_id(2, "a"), T0 + timedelta(minutes=10), attempts=1)
    assert [e.id for e in store.pending(T0 + timedelta(minutes=5))] == ["1:b", "3:c"]
    due_later = store.pending(T0 + timedelta(minutes=10))
    assert [e.id for e in due_later] == ["2:a", "1:b", "3:c"]
    assert due_later[0].attempts == 1
    assert [e.id for e in store.pending(T0 + timedelta(minutes=10), limit=1)] == ["2:a"]
    await store.reschedule("2:a", T0 + timedelta(minutes=20))  # quiet hours: no new attempt
    assert store.pending(T0 + timedelta(minutes=20))[0].attempts == 1


async def test_sent_entries_become_markers_that_block_resending(
    store: Store, clock: ManualClock
) -> None:
    await store.enqueue([entry(1, "nos-1"), entry(1, "nos-2")])
    assert await store.mark_sent(["1:nos-1", "1:unknown"]) == ["1:nos-1"]
    assert [e.id for e in store.pending()] == ["1:nos-2"]
    assert store.is_delivered("1:nos-1")
    # the same story arriving again (merged from another outlet) is not queued
    assert await store.enqueue([entry(1, "nos-1")]) == []


async def test_restart_resends_pending_and_never_sent_ones(
    store: Store, clock: ManualClock
) -> None:
    """Simulates: enqueue, send two, crash before marking the third."""
    await store.enqueue([entry(1, "a"), entry(2, "a"), entry(3, "a")])
    await store.mark_sent(["1:a", "2:a"])
    await store.reschedule("3:a", None, attempts=1)
    reopened = await reopen(store, clock)
    try:
        pending = reopened.pending()
        assert [(e.id, e.attempts, e.payload["story"]) for e in pending] == [("3:a", 1, "a")]
        assert reopened.is_delivered("1:a")
        assert reopened.is_delivered("2:a")
        assert await reopened.enqueue([entry(1, "a"), entry(3, "a")]) == []
    finally:
        await reopened.close()


async def test_drop_forgets_without_marking_delivered(store: Store) -> None:
    await store.enqueue([entry(1, "a"), entry(1, "b")])
    assert await store.drop(["1:a", "9:zz"]) == ["1:a"]
    assert not store.is_delivered("1:a")
    assert [e.id for e in store.pending()] == ["1:b"]
    assert not await store.reschedule("1:a", None, attempts=2)


async def test_delivered_markers_expire(store: Store, clock: ManualClock) -> None:
    await store.enqueue([entry(1, "a"), entry(2, "b")])
    await store.mark_sent(["1:a"])
    clock.now = T0 + timedelta(days=2)
    await store.mark_sent(["2:b"])
    result = await store.prune(T0 + timedelta(days=3, minutes=1))
    assert result.delivered_markers == 1
    assert not store.is_delivered("1:a")
    assert store.is_delivered("2:b")
    reopened = await reopen(store, clock)
    try:
        assert not reopened.is_delivered("1:a")
        assert reopened.is_delivered("2:b")
    finally:
        await reopened.close()


async def test_writes_are_serialised_in_call_order(store: Store) -> None:
    """Many concurrent calls from handlers: one writer, all applied, none lost."""
    import asyncio

    entries = [entry(n, "s") for n in range(40)]
    await asyncio.gather(*(store.enqueue([e]) for e in entries))
    await asyncio.gather(*(store.mark_sent([e.id]) for e in entries[::2]))
    assert store.pending_count() == 20
    assert all(store.is_delivered(e.id) for e in entries[::2])


async def test_release_held_moves_only_that_chats_kind_and_hold(
    store: Store, clock: ManualClock
) -> None:
    quiet_end = T0 + timedelta(hours=8)
    retry = T0 + timedelta(seconds=30)
    held = [entry(1, "a"), entry(1, "b"), entry(1, "retry"), entry(2, "a")]
    digest = dataclasses.replace(entry(1, "digest"), kind="digest")
    await store.enqueue([*held, digest])
    for entry_id in ("1:a", "1:b", "2:a", "1:digest"):
        await store.reschedule(entry_id, quiet_end)
    await store.reschedule("1:retry", retry, attempts=1)

    moved = await store.release_held(1, ("push", "away"), quiet_end, T0)
    assert sorted(moved) == ["1:a", "1:b"]
    assert [e.id for e in store.pending(T0)] == ["1:a", "1:b"]
    reopened = await reopen(store, clock)
    try:
        assert [e.id for e in reopened.pending(T0)] == ["1:a", "1:b"]
        later = {e.id: e.not_before for e in reopened.pending(quiet_end)}
        assert later == {
            "1:a": T0,
            "1:b": T0,
            "1:retry": retry,
            "2:a": quiet_end,
            "1:digest": quiet_end,
        }
    finally:
        await reopened.close()
