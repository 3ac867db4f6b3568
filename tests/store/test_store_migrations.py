"""Schema versions: a v1 data directory is migrated at open, newer ones are refused."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.model import FollowKey, FollowKind
from bot.store import SCHEMA_VERSION, SchemaError, Store, StoreCorruptError
from bot.store.layout import Meta, read_meta, write_meta
from bot.store.migrations import migrate_1_to_2
from tests.paths import FIXTURES

V1 = FIXTURES / "store_v1"
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def copy_v1(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(V1, root)
    return root


async def test_v1_directory_is_migrated_on_open(tmp_path: Path) -> None:
    root = copy_v1(tmp_path)
    store = await Store.open(root, clock=lambda: NOW, freeze_gc=False)
    try:
        assert read_meta(root) == Meta(schema_version=SCHEMA_VERSION, shard_count=4)
        assert store.shard_count == 4  # taken from meta.json, not the constant
        private = store.get_chat(123456789)
        assert private is not None
        assert private.follows == (
            FollowKey(FollowKind.KEYWORD, "oekraine"),
            FollowKey(FollowKind.KEYWORD, "poetin"),
            FollowKey(FollowKind.COUNTRY, "UA"),
            FollowKey(FollowKind.SECTION, "sport"),
        )
        assert [k.label for k in private.follows] == ["oekraine", "Poetin", "", ""]
        assert (private.settings.quiet_start, private.settings.quiet_end) == ("22:00", "07:00")
        assert private.settings.link_previews is True
        group = store.get_chat(-1001234567890)
        assert group is not None
        assert not group.active
        assert group.deactivation_reason == "forbidden"
        assert group.settings.digest_time == "08:00"
        assert group.settings.link_previews is None  # v1 stored its default: not a choice
        assert store.get_chat(987654322) is not None
        assert [r.chat_id for r in store.iter_chats()] == [123456789]
        # the migrated store takes writes as usual
        await store.add_follows(987654322, [FollowKey(FollowKind.COUNTRY, "BE", "België")])
    finally:
        await store.close()
    shard = json.loads((root / "chats" / "shard-001.json").read_text())
    assert shard["chats"]["123456789"]["settings"] == {
        "quiet_start": "22:00",
        "quiet_end": "07:00",
        "link_previews": True,
    }


async def test_interrupted_migration_runs_again_safely(tmp_path: Path) -> None:
    root = copy_v1(tmp_path)
    migrate_1_to_2(root, Meta(1, 4))  # shards rewritten, meta still says 1: a crash here
    assert read_meta(root) == Meta(1, 4)
    store = await Store.open(root, clock=lambda: NOW, freeze_gc=False)
    try:
        record = store.get_chat(123456789)
        assert record is not None
        assert len(record.follows) == 4
    finally:
        await store.close()


async def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    root = copy_v1(tmp_path)
    write_meta(root, Meta(SCHEMA_VERSION + 1, 4))
    before = (root / "chats" / "shard-001.json").read_bytes()
    with pytest.raises(SchemaError, match="newer"):
        await Store.open(root, clock=lambda: NOW, freeze_gc=False)
    assert (root / "chats" / "shard-001.json").read_bytes() == before


async def test_data_without_meta_is_corrupt_not_empty(tmp_path: Path) -> None:
    root = copy_v1(tmp_path)
    (root / "meta.json").unlink()
    with pytest.raises(StoreCorruptError, match=r"meta\.json"):
        await Store.open(root, clock=lambda: NOW, freeze_gc=False)


async def test_corrupt_shard_stops_start_up_with_its_name(tmp_path: Path) -> None:
    root = copy_v1(tmp_path)
    (root / "chats" / "shard-002.json").write_text('{"chats": {"-1001234567890": {"ty')
    with pytest.raises(StoreCorruptError, match=r"shard-002\.json"):
        await Store.open(root, clock=lambda: NOW, freeze_gc=False)


async def test_new_directory_gets_current_version_and_shard_count(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "fresh", clock=lambda: NOW, shard_count=16, freeze_gc=False)
    await store.close()
    assert read_meta(tmp_path / "fresh") == Meta(SCHEMA_VERSION, 16)
    reopened = await Store.open(
        tmp_path / "fresh", clock=lambda: NOW, shard_count=99, freeze_gc=False
    )
    try:
        assert reopened.shard_count == 16
    finally:
        await reopened.close()
