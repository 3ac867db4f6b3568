"""The manifest: a deleted, emptied or swapped chat/outbox shard refuses the start.

Each test builds a real store, damages its directory the way an operator, a
disk or a bad restore would, and opens it again.
"""

from __future__ import annotations

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
    assert state.writing is not None
    assert state.writing.name == "chats/shard-001.json"

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
    assert state.writing is None
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
