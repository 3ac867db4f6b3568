"""AtomicJSONStorage: durable whole-file JSON, never a silent empty start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tinydb import TinyDB

from bot.store.atomic import AtomicJSONStorage, remove_stale_temp_files
from bot.store.errors import StoreCorruptError


def test_missing_file_is_an_empty_database(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "absent.json")
    assert storage.read() is None
    assert not (tmp_path / "absent.json").exists()


def test_write_then_fresh_read_round_trips_non_ascii_compactly(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    AtomicJSONStorage(path).write({"t": {"1": {"title": "Oekraïne: ‘Kyiv’ – €5"}}})
    raw = path.read_text(encoding="utf-8")
    assert "Oekraïne" in raw  # ensure_ascii=False: readable, smaller
    assert raw.startswith('{"t":{"1":{"title":')
    assert "\n" not in raw
    assert AtomicJSONStorage(path).read() == {"t": {"1": {"title": "Oekraïne: ‘Kyiv’ – €5"}}}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "file is empty"),
        (b'{"t": {"1": {"a": 1}', "Expecting"),
        (b"\xff\xfe{}", "codec"),
        (b"[1, 2]", "not an object of tables"),
        (b'{"t": 3}', "not an object of tables"),
    ],
)
def test_unreadable_file_raises_naming_the_file(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "shard-007.json"
    path.write_bytes(content)
    with pytest.raises(StoreCorruptError, match=reason) as caught:
        AtomicJSONStorage(path).read()
    assert caught.value.path == path
    assert "shard-007.json" in str(caught.value)


def test_cached_read_does_not_parse_again(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    storage.write({"t": {"1": {"n": 1}}})
    path.write_text("not json any more")  # only a foreign writer could do this
    assert storage.read() == {"t": {"1": {"n": 1}}}


def test_uncached_storage_reads_the_file_each_time(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path, cache=False)
    storage.write({"t": {"1": {"n": 1}}})
    path.write_text(json.dumps({"t": {"1": {"n": 2}}}))
    assert storage.read() == {"t": {"1": {"n": 2}}}


def test_failed_write_keeps_old_file_and_forgets_mutated_cache(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.table("t").insert({"n": 1})
    with pytest.raises(TypeError):
        db.table("t").insert({"n": object()})  # not JSON: fails before touching disk
    assert json.loads(path.read_text()) == {"t": {"1": {"n": 1}}}
    assert [dict(doc) for doc in db.table("t").all()] == [{"n": 1}]
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_tinydb_on_atomic_storage_persists_every_write(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.table("chats").insert({"type": "private"})
    db.table("chats").update({"type": "group"}, doc_ids=[1])
    reopened = TinyDB(path, storage=AtomicJSONStorage)
    assert reopened.table("chats").get(doc_id=1) == {"type": "group"}


def test_stale_temp_files_are_removed_and_data_kept(tmp_path: Path) -> None:
    (tmp_path / "db.json").write_text("{}")
    (tmp_path / ".db.json.abc123.tmp").write_text('{"half')
    (tmp_path / ".shard-001.json.x.tmp").write_text("")
    assert remove_stale_temp_files(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.json"]
