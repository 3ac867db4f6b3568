"""Where each kind of data lives inside the data directory, and the meta file.

Data is split by how often it changes, so that a frequent small change never
rewrites a large file:

- ``meta.json``: schema version and shard count (changes on migrations only).
- ``manifest.json``: count and checksum of every chat and outbox shard
  (rewritten with each of their writes, see ``bot.store.manifest``).
- ``.lock``: held by the process that has the directory open (``bot.store.lock``).
- ``chats/shard-NNN.json``: chats and their follows, sharded by chat id
  (changes on every /volg, /ontvolg, setting; grows with users).
- ``items/YYYY-MM-DDTHH.json``: recent items, one file per UTC hour of first
  sight (changes every poll cycle, but only the current hour's file).
- ``seen/YYYY-MM-DD.json``: "already seen" markers, one file per UTC day.
- ``feeds.json``: per-feed polling state (one write per poll cycle).
- ``outbox/shard-NNN.json``: pending messages and delivered markers, sharded
  like the chats (changes on every send).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Document

from bot.store.atomic import AtomicJSONStorage
from bot.store.errors import SchemaError, StoreCorruptError

SCHEMA_VERSION = 3

# 512 shards put ~200 chats (~50 kB of JSON) in each file at 100,000 chats.
# A follow change parses and rewrites one shard; measured on a busy 2-core
# machine that costs ~2 ms of CPU plus two fsyncs, leaving headroom under the
# 20 ms p99 budget when other processes compete for CPU and disk (64 shards,
# ~400 kB each, measured p50 44 ms). Start-up still reads only 25 MB. The count
# actually used is the one recorded in meta.json; this constant only seeds new
# stores, so changing it later needs a resharding migration.
SHARD_COUNT = 512

META_FILE = "meta.json"
CHATS_DIR = "chats"
ITEMS_DIR = "items"
SEEN_DIR = "seen"
FEEDS_FILE = "feeds.json"
OUTBOX_DIR = "outbox"

META_RECOVERY = "restore it from a backup of the data directory"

_META_TABLE = "meta"
_META_DOC_ID = 1


@dataclass(frozen=True, slots=True)
class Meta:
    schema_version: int
    shard_count: int


def shard_of(chat_id: int, shard_count: int) -> int:
    """Python's ``%`` is non-negative for negative group ids too."""
    return chat_id % shard_count


def shard_path(directory: Path, shard: int) -> Path:
    return directory / f"shard-{shard:03d}.json"


def read_meta(root: Path) -> Meta | None:
    """The meta record, or None for a directory that holds no store yet."""
    path = root / META_FILE
    db = TinyDB(path, storage=AtomicJSONStorage)
    try:
        doc = db.table(_META_TABLE).get(doc_id=_META_DOC_ID)
    except StoreCorruptError as exc:
        raise StoreCorruptError(path, exc.reason, META_RECOVERY) from exc
    finally:
        db.close()
    if doc is None:
        if path.exists() or _has_data(root):
            raise StoreCorruptError(
                path, "missing schema version next to existing data", META_RECOVERY
            )
        return None
    try:
        return Meta(int(doc["schema_version"]), int(doc["shard_count"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreCorruptError(path, f"bad meta record {dict(doc)!r}", META_RECOVERY) from exc


def write_meta(root: Path, meta: Meta) -> None:
    if meta.shard_count < 1:
        raise SchemaError(f"shard count must be positive, got {meta.shard_count}")
    db = TinyDB(root / META_FILE, storage=AtomicJSONStorage)
    try:
        body = {"schema_version": meta.schema_version, "shard_count": meta.shard_count}
        db.table(_META_TABLE).upsert(Document(body, doc_id=_META_DOC_ID))
    finally:
        db.close()


def _has_data(root: Path) -> bool:
    return any(
        (root / name).exists() for name in (CHATS_DIR, ITEMS_DIR, SEEN_DIR, FEEDS_FILE, OUTBOX_DIR)
    )
