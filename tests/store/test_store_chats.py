"""Chat repository through the async Store API, reopened from disk where it matters."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind
from bot.store import (
    MAX_FOLLOWS,
    FollowLimitError,
    OutboxEntry,
    Store,
    StoreError,
    UnknownChatError,
    outbox_entry_id,
)
from bot.store.layout import CHATS_DIR, shard_of, shard_path
from tests.store_support import T0, reopen

UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
SPORT = FollowKey(FollowKind.SECTION, "sport", "Sport")
POETIN = FollowKey(FollowKind.KEYWORD, "poetin", "Poetin")
GROUP = -4001234  # a basic group: negative id
SUPERGROUP = -1004001234  # what it becomes after ChatMigrated
PRIVATE = 123456789


@pytest.fixture
def store_shard_count() -> int:
    return 8


async def test_ensure_chat_creates_once_and_survives_restart(
    store: Store, clock: ManualClock
) -> None:
    created = await store.ensure_chat(PRIVATE, "private")
    clock.now = T0 + timedelta(hours=1)
    again = await store.ensure_chat(PRIVATE, "private")
    assert again == created
    assert created.created_at == T0
    assert created.active
    assert created.follows == ()
    reopened = await reopen(store, clock)
    try:
        assert reopened.get_chat(PRIVATE) == created
    finally:
        await reopened.close()


async def test_chat_id_is_the_document_id_in_its_shard(store: Store, tmp_path: Path) -> None:
    await store.ensure_chat(GROUP, "group")
    await store.add_follows(GROUP, [UA])
    shard = json.loads(shard_path(tmp_path / CHATS_DIR, shard_of(GROUP, 8)).read_text())
    assert shard["chats"][str(GROUP)]["follows"] == [["country:UA", "Oekraïne"]]
    assert GROUP % 8 == shard_of(GROUP, 8) >= 0


async def test_add_and_remove_follows_report_real_changes(store: Store, clock: ManualClock) -> None:
    await store.ensure_chat(PRIVATE, "private")
    assert await store.add_follows(PRIVATE, [UA, SPORT]) == [UA, SPORT]
    assert await store.add_follows(PRIVATE, [SPORT, POETIN]) == [POETIN]
    assert await store.remove_follows(PRIVATE, [SPORT, FollowKey(FollowKind.KEYWORD, "x")]) == [
        SPORT
    ]
    reopened = await reopen(store, clock)
    try:
        record = reopened.get_chat(PRIVATE)
        assert record is not None
        assert record.follows == (UA, POETIN)
        assert [k.label for k in record.follows] == ["Oekraïne", "Poetin"]
        assert await reopened.clear_follows(PRIVATE) == [UA, POETIN]
        assert reopened.get_chat(PRIVATE).follows == ()  # type: ignore[union-attr]
    finally:
        await reopened.close()


async def test_follow_limit_adds_nothing(store: Store) -> None:
    await store.ensure_chat(PRIVATE, "private")
    first = [FollowKey(FollowKind.KEYWORD, f"woord{n}") for n in range(MAX_FOLLOWS - 1)]
    await store.add_follows(PRIVATE, first)
    with pytest.raises(FollowLimitError) as caught:
        await store.add_follows(PRIVATE, [UA, SPORT])
    assert (caught.value.limit, caught.value.current, caught.value.requested) == (50, 49, 2)
    assert len(store.get_chat(PRIVATE).follows) == MAX_FOLLOWS - 1  # type: ignore[union-attr]
    assert await store.add_follows(PRIVATE, [UA, first[0]]) == [UA]  # repeats don't count


async def test_unknown_chat_is_an_error(store: Store) -> None:
    with pytest.raises(UnknownChatError):
        await store.add_follows(PRIVATE, [UA])
    with pytest.raises(UnknownChatError):
        await store.set_settings(PRIVATE, summaries=False)


async def test_settings_persist_and_unknown_names_fail(store: Store, clock: ManualClock) -> None:
    await store.ensure_chat(PRIVATE, "private")
    await store.set_settings(PRIVATE, quiet_start="22:00", quiet_end="07:00")
    await store.set_settings(PRIVATE, link_previews=True)
    await store.set_settings(PRIVATE, updates="separate")
    with pytest.raises(TypeError):
        await store.set_settings(PRIVATE, language="nl")
    reopened = await reopen(store, clock)
    try:
        settings = reopened.get_chat(PRIVATE).settings  # type: ignore[union-attr]
        assert settings.as_dict() == {
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "digest_time": None,
            "link_previews": True,
            "summaries": True,
            "updates": "separate",
        }
    finally:
        await reopened.close()


async def test_listener_sees_active_follow_changes(store: Store) -> None:
    events: list[tuple[int, tuple[FollowKey, ...], tuple[FollowKey, ...]]] = []
    unsubscribe = store.on_follows_changed(lambda c, a, r: events.append((c, a, r)))
    await store.ensure_chat(PRIVATE, "private")
    await store.add_follows(PRIVATE, [UA, SPORT])
    await store.add_follows(PRIVATE, [UA])  # no change, no event
    await store.remove_follows(PRIVATE, [SPORT])
    await store.deactivate(PRIVATE, "forbidden")
    await store.add_follows(PRIVATE, [POETIN])  # inactive: kept, not announced
    await store.reactivate(PRIVATE)
    unsubscribe()
    await store.delete_chat(PRIVATE)
    assert events == [
        (PRIVATE, (UA, SPORT), ()),
        (PRIVATE, (), (SPORT,)),
        (PRIVATE, (), (UA,)),
        (PRIVATE, (UA, POETIN), ()),
    ]


async def test_failing_listener_does_not_break_the_store(store: Store) -> None:
    def broken(chat_id: int, added: object, removed: object) -> None:
        raise RuntimeError("index bug")

    store.on_follows_changed(broken)
    await store.ensure_chat(PRIVATE, "private")
    assert await store.add_follows(PRIVATE, [UA]) == [UA]


async def test_iter_chats_lists_active_chats_with_follows(store: Store) -> None:
    for chat_id in (1, 2, 3):
        await store.ensure_chat(chat_id, "private")
    await store.add_follows(1, [UA])
    await store.add_follows(2, [UA])
    await store.deactivate(2, "kicked")
    assert [r.chat_id for r in store.iter_chats()] == [1]
    assert store.chat_count() == 3


def entry(chat_id: int, story: str) -> OutboxEntry:
    return OutboxEntry(outbox_entry_id(chat_id, story), chat_id, "push", {"story": story}, T0)


async def test_deactivate_keeps_follows_and_drops_pending_messages(
    store: Store, clock: ManualClock
) -> None:
    await store.ensure_chat(PRIVATE, "private")
    await store.add_follows(PRIVATE, [UA])
    await store.enqueue([entry(PRIVATE, "nos-1")])
    assert await store.deactivate(PRIVATE, "forbidden", T0 + timedelta(minutes=1))
    assert not await store.deactivate(PRIVATE, "forbidden")
    assert store.pending() == []
    reopened = await reopen(store, clock)
    try:
        record = reopened.get_chat(PRIVATE)
        assert record is not None
        assert (record.active, record.follows, record.deactivation_reason) == (
            False,
            (UA,),
            "forbidden",
        )
        assert record.deactivated_at == T0 + timedelta(minutes=1)
        assert await reopened.reactivate(PRIVATE)
        assert reopened.get_chat(PRIVATE).active  # type: ignore[union-attr]
    finally:
        await reopened.close()


async def test_purge_deletes_only_chats_deactivated_long_enough(store: Store) -> None:
    for chat_id in (1, 2, 3):
        await store.ensure_chat(chat_id, "private")
        await store.add_follows(chat_id, [UA])
    await store.enqueue([entry(1, "nos-1"), entry(2, "nos-1")])
    await store.mark_sent([outbox_entry_id(1, "nos-1"), outbox_entry_id(2, "nos-1")])
    await store.deactivate(1, "forbidden", T0)
    await store.deactivate(2, "not_found", T0 + timedelta(days=20))
    purged = await store.purge_deactivated(timedelta(days=30), T0 + timedelta(days=31))
    assert purged == [1]
    assert not store.is_delivered(outbox_entry_id(1, "nos-1"))  # nothing of chat 1 is left
    assert store.is_delivered(outbox_entry_id(2, "nos-1"))
    assert store.get_chat(1) is None
    assert store.get_chat(2) is not None
    assert store.get_chat(3) is not None


async def test_delete_chat_forgets_everything(
    store: Store, clock: ManualClock, tmp_path: Path
) -> None:
    await store.ensure_chat(PRIVATE, "private")
    await store.add_follows(PRIVATE, [POETIN])
    await store.enqueue([entry(PRIVATE, "nos-1"), entry(PRIVATE, "nos-2")])
    await store.mark_sent([outbox_entry_id(PRIVATE, "nos-1")])
    assert await store.delete_chat(PRIVATE)
    assert not await store.delete_chat(PRIVATE)
    reopened = await reopen(store, clock)
    try:
        assert reopened.get_chat(PRIVATE) is None
        assert reopened.pending() == []
        assert not reopened.is_delivered(outbox_entry_id(PRIVATE, "nos-1"))
    finally:
        await reopened.close()
    on_disk = await asyncio.to_thread(
        lambda: "".join(p.read_text() for p in tmp_path.rglob("*.json"))
    )
    assert str(PRIVATE) not in on_disk
    assert "poetin" not in on_disk


async def test_migrate_chat_rewrites_chat_and_outbox(store: Store, clock: ManualClock) -> None:
    events: list[tuple[int, tuple[FollowKey, ...], tuple[FollowKey, ...]]] = []
    await store.ensure_chat(GROUP, "group")
    await store.add_follows(GROUP, [UA, SPORT])
    await store.set_settings(GROUP, summaries=False)
    await store.enqueue([entry(GROUP, "nos-1"), entry(GROUP, "nos-2")])
    await store.mark_sent([outbox_entry_id(GROUP, "nos-1")])
    store.on_follows_changed(lambda c, a, r: events.append((c, a, r)))

    migrated = await store.migrate_chat(GROUP, SUPERGROUP)

    assert migrated is not None
    assert (migrated.chat_id, migrated.chat_type, migrated.follows) == (
        SUPERGROUP,
        "supergroup",
        (UA, SPORT),
    )
    assert events == [(GROUP, (), (UA, SPORT)), (SUPERGROUP, (UA, SPORT), ())]
    reopened = await reopen(store, clock)
    try:
        assert reopened.get_chat(GROUP) is None
        assert reopened.get_chat(SUPERGROUP) == migrated
        assert not migrated.settings.summaries
        assert [e.id for e in reopened.pending()] == [outbox_entry_id(SUPERGROUP, "nos-2")]
        assert reopened.pending()[0].chat_id == SUPERGROUP
        assert reopened.is_delivered(outbox_entry_id(SUPERGROUP, "nos-1"))
        # the same story queued again for the new id is not sent twice
        assert await reopened.enqueue([entry(SUPERGROUP, "nos-1")]) == []
        # a second ChatMigrated for the same pair is harmless
        assert await reopened.migrate_chat(GROUP, SUPERGROUP) == migrated
    finally:
        await reopened.close()


async def test_migrate_into_existing_chat_merges_follows(store: Store) -> None:
    await store.ensure_chat(GROUP, "group")
    await store.add_follows(GROUP, [UA, SPORT])
    await store.ensure_chat(SUPERGROUP, "supergroup")
    await store.add_follows(SUPERGROUP, [POETIN])
    merged = await store.migrate_chat(GROUP, SUPERGROUP)
    assert merged is not None
    assert merged.follows == (POETIN, UA, SPORT)
    assert store.get_chat(GROUP) is None


async def test_closed_store_refuses_writes(store: Store) -> None:
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.ensure_chat(PRIVATE, "private")
