"""The manifest: a deleted, emptied or swapped chat/outbox shard refuses the start.

Each test builds a real store, damages its directory the way an operator, a
disk or a bad restore would, and opens it again.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind
from bot.store import (
    SCHEMA_VERSION,
    ManifestMismatchError,
    OutboxEntry,
    Store,
    StoreCorruptError,
    StoreRefusedError,
    atomic,
    outbox_entry_id,
)
from bot.store.layout import (
    CHATS_DIR,
    OUTBOX_DIR,
    Meta,
    read_meta,
    shard_of,
    shard_path,
    write_meta,
)
from bot.store.manifest import MANIFEST_FILE, read_manifest
from tests.store_support import T0

SHARDS = 4
UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
SPORT = FollowKey(FollowKind.SECTION, "sport", "Sport")
# Two chats in shard 1, one in shard 2 (of 4).
CHATS = (1001, 1005, 1002)


def chat_shard(root: Path, chat_id: int) -> Path:
    return shard_path(root / CHATS_DIR, shard_of(chat_id, SHARDS))


async def open_store(root: Path) -> Store:
    return await Store.open(root, clock=ManualClock(T0), shard_count=SHARDS, freeze_gc=False)


async def build_store(root: Path) -> None:
    store = await open_store(root)
    try:
        for chat_id in CHATS:
            await store.ensure_chat(chat_id, "private")
            await store.add_follows(chat_id, [UA])
        entry = OutboxEntry(outbox_entry_id(1001, "s1"), 1001, "push", {"n": 1}, T0)
        await store.enqueue([entry])
    finally:
        await store.close()


async def refusal(root: Path) -> ManifestMismatchError:
    with pytest.raises(ManifestMismatchError) as refused:
        await open_store(root)
    return refused.value


async def test_the_manifest_records_count_and_checksum_of_every_shard(tmp_path: Path) -> None:
    await build_store(tmp_path)
    state = read_manifest(tmp_path)
    assert state is not None
    assert {name: record.docs for name, record in state.files.items()} == {
        "chats/shard-001.json": 2,
        "chats/shard-002.json": 1,
        "outbox/shard-001.json": 1,
    }
    store = await open_store(tmp_path)  # and it matches, so it opens
    try:
        assert [r.chat_id for r in store.iter_chats()] == list(CHATS)
    finally:
        await store.close()


async def test_a_deleted_chat_shard_refuses_the_start_naming_file_and_recovery(
    tmp_path: Path,
) -> None:
    await build_store(tmp_path)
    chat_shard(tmp_path, 1001).unlink()

    refused = await refusal(tmp_path)

    assert refused.path == chat_shard(tmp_path, 1001)
    message = str(refused)
    assert str(chat_shard(tmp_path, 1001)) in message
    assert "the file is missing (the manifest lists 2 documents)" in message
    assert "restore the data directory from a backup" in message
    assert "nieuwsbot store repair" in message
    assert "\n" not in message


async def test_an_emptied_chat_shard_refuses_the_start(tmp_path: Path) -> None:
    await build_store(tmp_path)
    chat_shard(tmp_path, 1002).write_text('{"chats": {}}', encoding="utf-8")

    refused = await refusal(tmp_path)

    assert refused.path == chat_shard(tmp_path, 1002)
    assert "changed outside the bot (the manifest lists 1 document, the file has 0)" in str(refused)


async def test_an_old_copy_of_a_shard_is_refused(tmp_path: Path) -> None:
    await build_store(tmp_path)
    old = chat_shard(tmp_path, 1001).read_bytes()
    store = await open_store(tmp_path)
    try:
        await store.add_follows(1005, [SPORT])
    finally:
        await store.close()
    # A restore of one file from a backup, even one write old, is told from a
    # crash mid-write: the clean close settled the manifest.
    chat_shard(tmp_path, 1001).write_bytes(old)

    refused = await refusal(tmp_path)

    assert "the manifest lists 2 documents, the file has 2" in str(refused)


async def test_a_deleted_outbox_shard_and_an_unknown_shard_are_refused(tmp_path: Path) -> None:
    await build_store(tmp_path)
    shard_path(tmp_path / OUTBOX_DIR, 1).unlink()
    stranger = shard_path(tmp_path / CHATS_DIR, 3)
    stranger.write_text('{"chats": {"1003": {}}}', encoding="utf-8")

    refused = await refusal(tmp_path)

    # Named in order; the message counts the rest.
    assert refused.path == stranger
    assert "the store never wrote this file" in str(refused)
    assert "(and 1 more file)" in str(refused)


async def test_an_unreadable_chat_shard_is_refused_never_moved_aside(tmp_path: Path) -> None:
    await build_store(tmp_path)
    chat_shard(tmp_path, 1002).write_bytes(b'{"chats": {"1002": {"type": "priv')

    refused = await refusal(tmp_path)

    assert "the file is unreadable (" in str(refused)
    assert chat_shard(tmp_path, 1002).exists()
    assert not list((tmp_path / CHATS_DIR).glob("*.corrupt-*"))


async def test_a_crash_after_announcing_a_write_opens_with_the_old_shard(
    tmp_path: Path,
) -> None:
    await build_store(tmp_path)
    before = chat_shard(tmp_path, 1001).read_bytes()
    store = await open_store(tmp_path)
    try:
        await store.add_follows(1001, [SPORT])
        announced = (tmp_path / MANIFEST_FILE).read_bytes()  # as a crash would leave it
    finally:
        await store.close()
    # The disk as a crash between the manifest write and the shard replace leaves it.
    (tmp_path / MANIFEST_FILE).write_bytes(announced)
    chat_shard(tmp_path, 1001).write_bytes(before)
    state = read_manifest(tmp_path)
    assert state is not None
    assert [note.name for note in state.writing] == ["chats/shard-001.json"]

    store = await open_store(tmp_path)
    try:
        record = store.get_chat(1001)
        assert record is not None
        assert record.follows == (UA,)
        await store.add_follows(1001, [SPORT])  # and writing goes on from there
    finally:
        await store.close()
    store = await open_store(tmp_path)
    try:
        record = store.get_chat(1001)
        assert record is not None
        assert record.follows == (UA, SPORT)
    finally:
        await store.close()


async def test_a_crash_during_the_first_write_of_a_shard_opens_without_it(
    tmp_path: Path,
) -> None:
    await build_store(tmp_path)
    store = await open_store(tmp_path)
    try:
        await store.ensure_chat(1003, "private")  # shard 3's first write
        announced = (tmp_path / MANIFEST_FILE).read_bytes()
    finally:
        await store.close()
    # As a crash leaves it: the shard was announced, never written.
    (tmp_path / MANIFEST_FILE).write_bytes(announced)
    chat_shard(tmp_path, 1003).unlink()

    store = await open_store(tmp_path)
    try:
        assert store.get_chat(1003) is None
        assert store.chat_count() == 3
    finally:
        await store.close()
    state = read_manifest(tmp_path)
    assert state is not None
    assert state.writing == ()
    assert "chats/shard-003.json" not in state.files


async def test_a_missing_or_unreadable_manifest_is_refused(tmp_path: Path) -> None:
    await build_store(tmp_path)
    manifest = tmp_path / MANIFEST_FILE
    content = manifest.read_bytes()
    manifest.unlink()
    with pytest.raises(StoreRefusedError, match=r"manifest\.json is missing"):
        await open_store(tmp_path)

    manifest.write_bytes(content[: len(content) // 2])
    with pytest.raises(StoreCorruptError) as refused:
        await open_store(tmp_path)
    assert refused.value.path == manifest
    assert "nieuwsbot store repair" in str(refused.value)


async def test_a_store_from_before_the_manifest_gets_one_on_first_open(tmp_path: Path) -> None:
    await build_store(tmp_path)
    (tmp_path / MANIFEST_FILE).unlink()
    write_meta(tmp_path, Meta(schema_version=2, shard_count=SHARDS))

    store = await open_store(tmp_path)
    try:
        assert store.chat_count() == 3
    finally:
        await store.close()

    assert read_meta(tmp_path) == Meta(SCHEMA_VERSION, SHARDS)
    state = read_manifest(tmp_path)
    assert state is not None
    assert state.files["chats/shard-001.json"].docs == 2
    # From now on the manifest guards the shards.
    chat_shard(tmp_path, 1001).unlink()
    await refusal(tmp_path)


def documents_on_disk(root: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for directory in (CHATS_DIR, OUTBOX_DIR):
        for path in (root / directory).glob("shard-*.json"):
            tables = json.loads(path.read_text(encoding="utf-8"))
            counts[f"{directory}/{path.name}"] = sum(map(len, tables.values()))
    return counts


async def test_shard_writes_keep_the_manifest_exact(tmp_path: Path) -> None:
    await build_store(tmp_path)
    store = await open_store(tmp_path)
    try:
        await store.delete_chat(1005)
        await store.mark_sent([outbox_entry_id(1001, "s1")])
        await store.migrate_chat(1002, -1002)
    finally:
        await store.close()
    state = read_manifest(tmp_path)
    assert state is not None
    assert (
        {name: record.docs for name, record in state.files.items()}
        == documents_on_disk(tmp_path)
        == {"chats/shard-001.json": 1, "chats/shard-002.json": 1, "outbox/shard-001.json": 1}
    )
    store = await open_store(tmp_path)
    await store.close()


# One broadcast's outbox over all four shards: shard 1 already holds an entry
# (build_store), shards 0, 2 and 3 get their first.
BROADCAST = (1004, 1005, 1002, 1003)


def broadcast_entries(story: str) -> list[OutboxEntry]:
    return [
        OutboxEntry(outbox_entry_id(chat, story), chat, "push", {"n": chat}, T0)
        for chat in BROADCAST
    ]


def outbox_shard(root: Path, chat_id: int) -> Path:
    return shard_path(root / OUTBOX_DIR, shard_of(chat_id, SHARDS))


async def test_a_multi_shard_enqueue_writes_the_manifest_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await build_store(tmp_path)
    store = await open_store(tmp_path)
    written: list[str] = []
    real_write = atomic.write_atomically

    def recording(path: Path, payload: bytes) -> None:
        written.append(path.relative_to(tmp_path).as_posix())
        real_write(path, payload)

    monkeypatch.setattr(atomic, "write_atomically", recording)
    try:
        await store.enqueue(broadcast_entries("s2"))
        assert written[0] == MANIFEST_FILE
        assert sorted(written[1:]) == sorted(
            f"outbox/shard-{shard_of(chat, SHARDS):03d}.json" for chat in BROADCAST
        )
        state = read_manifest(tmp_path)
        assert state is not None
        assert sorted(note.name for note in state.writing) == sorted(written[1:])
        assert {note.name: note.before for note in state.writing}[
            "outbox/shard-002.json"
        ] is None  # announced before its first write
    finally:
        monkeypatch.undo()
        await store.close()
    state = read_manifest(tmp_path)
    assert state is not None
    assert state.writing == ()
    assert {name: record.docs for name, record in state.files.items()} == documents_on_disk(
        tmp_path
    )


async def test_a_crash_anywhere_in_a_multi_shard_write_opens_and_resumes(
    tmp_path: Path,
) -> None:
    """Every subset of the announced shards replaced, the rest still old: all open."""
    await build_store(tmp_path)
    paths = {chat: outbox_shard(tmp_path, chat) for chat in BROADCAST}
    before = {chat: path.read_bytes() if path.exists() else None for chat, path in paths.items()}
    manifest_before = (tmp_path / MANIFEST_FILE).read_bytes()
    store = await open_store(tmp_path)
    try:
        await store.enqueue(broadcast_entries("s2"))
        announced = (tmp_path / MANIFEST_FILE).read_bytes()  # as a crash would leave it
    finally:
        await store.close()
    after = {chat: path.read_bytes() for chat, path in paths.items()}
    wanted = {outbox_entry_id(chat, "s2") for chat in BROADCAST}

    states = [
        (manifest_before, frozenset[int]()),  # died before the announcement was durable
        *(
            (announced, frozenset(done))
            for size in range(len(BROADCAST) + 1)
            for done in itertools.combinations(BROADCAST, size)
        ),
    ]
    for manifest, done in states:
        (tmp_path / MANIFEST_FILE).write_bytes(manifest)
        for chat, path in paths.items():
            content = after[chat] if chat in done else before[chat]
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(content)

        store = await open_store(tmp_path)  # opens: each shard is old or new
        try:
            pending = {entry.id for entry in store.pending()}
            assert pending & wanted == {outbox_entry_id(chat, "s2") for chat in done}
            assert outbox_entry_id(1001, "s1") in pending  # the older entry survives
            # The next cycle re-plans the same ids: the missing ones are queued, once.
            queued = await store.enqueue(broadcast_entries("s2"))
            assert {entry.chat_id for entry in queued} == set(BROADCAST) - done
            assert {entry.id for entry in store.pending()} >= wanted
        finally:
            await store.close()
        store = await open_store(tmp_path)
        try:
            assert sorted(e.chat_id for e in store.pending() if e.id in wanted) == sorted(BROADCAST)
        finally:
            await store.close()
        state = read_manifest(tmp_path)
        assert state is not None
        assert {name: record.docs for name, record in state.files.items()} == (
            documents_on_disk(tmp_path)
        )


async def test_a_failed_shard_write_in_a_batch_keeps_memory_equal_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full at the third shard: the two written are pending, the rest are not."""
    await build_store(tmp_path)
    store = await open_store(tmp_path)
    real_write = atomic.write_atomically
    shard_writes: list[Path] = []

    def failing_third_shard(path: Path, payload: bytes) -> None:
        if path.parent.name == OUTBOX_DIR:
            shard_writes.append(path)
            if len(shard_writes) == 3:
                raise OSError(28, "No space left on device")
        real_write(path, payload)

    monkeypatch.setattr(atomic, "write_atomically", failing_third_shard)
    try:
        with pytest.raises(OSError, match="No space left"):
            await store.enqueue(broadcast_entries("s2"))
        monkeypatch.undo()
        written = set(shard_writes[:2])
        pending = {e.chat_id for e in store.pending() if e.id.endswith(":s2")}
        assert pending == {chat for chat in BROADCAST if outbox_shard(tmp_path, chat) in written}
        # Retrying queues exactly the rest: no entry is stored twice.
        queued = await store.enqueue(broadcast_entries("s2"))
        assert {e.chat_id for e in queued} == set(BROADCAST) - pending
    finally:
        monkeypatch.undo()
        await store.close()
    store = await open_store(tmp_path)
    try:
        ids = [e.id for e in store.pending()]
        assert sorted(ids) == sorted(
            [outbox_entry_id(1001, "s1"), *(outbox_entry_id(c, "s2") for c in BROADCAST)]
        )
    finally:
        await store.close()
    on_disk = documents_on_disk(tmp_path)
    assert on_disk["outbox/shard-001.json"] == 2  # 1001's and 1005's, each once
