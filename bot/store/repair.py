"""``nieuwsbot store repair``: make a refused data directory open again, accepting the loss.

The store refuses to start when a chat or outbox shard is unreadable, missing,
or differs from the manifest, because starting anyway would silently drop
those chats' follows or those pending messages. When there is no backup to
restore, the operator accepts the loss explicitly with this repair:

1. unreadable chat and outbox shards are moved aside (``<name>.corrupt-<time>``,
   kept for inspection, never deleted);
2. the manifest is rebuilt from the shards as they are now;
3. the store is opened (and closed) to prove it starts; a shard whose
   documents do not load is moved aside too and the steps repeat.

It reports every file it changed or accepted. It takes the directory lock, so
it refuses to run beside the bot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from bot.core.clock import Clock
from bot.store.errors import SchemaError, StoreCorruptError, StoreRefusedError
from bot.store.layout import SCHEMA_VERSION, SHARD_COUNT, read_meta
from bot.store.lock import DirectoryLock
from bot.store.manifest import (
    MANIFEST_FILE,
    TRACKED_DIRS,
    FileRecord,
    Manifest,
    ManifestState,
    read_manifest,
    record_of,
    scan_files,
    tracked_files,
)
from bot.store.quarantine import move_aside
from bot.store.store import Store

# The schema version that introduced the manifest; older stores get theirs
# from the migration when the store opens.
MANIFEST_SCHEMA = 3

T = TypeVar("T")

_CONTENTS = {"chats": "chats", "outbox": "outbox entries"}
# Every round but the last moves one shard aside: at most one round per chat
# and outbox shard, plus the one that opens.
_MAX_ROUNDS = 2 * SHARD_COUNT + 1


@dataclass(frozen=True, slots=True)
class RepairResult:
    changes: list[str]  # one line per file moved aside, accepted or rebuilt
    chats: int
    pending: int


async def repair_store(root: Path, clock: Clock) -> RepairResult:
    """Repair ``root`` until it opens; raises :class:`StoreRefusedError` if it cannot."""
    changes: list[str] = []
    for _ in range(_MAX_ROUNDS):
        changes.extend(_locked(root, partial(_repair_files, root, clock)))
        try:
            store = await Store.open(root, clock=clock, freeze_gc=False)
        except StoreCorruptError as exc:
            if not _is_tracked_shard(root, exc.path):
                raise
            changes.append(_locked(root, partial(_set_aside, root, exc.path, exc.reason, clock)))
            continue
        try:
            return RepairResult(changes, store.chat_count(), store.pending_count())
        finally:
            await store.close()
    raise StoreRefusedError(f"data directory {root} still does not open after repair")


def _locked(root: Path, job: Callable[[], T]) -> T:
    """Run ``job`` holding the directory lock (refused while the bot runs)."""
    if not root.is_dir():
        raise StoreRefusedError(f"data directory {root} does not exist: nothing to repair")
    lock = DirectoryLock.acquire(root)
    try:
        return job()
    finally:
        lock.release()


def _repair_files(root: Path, clock: Clock) -> list[str]:
    meta = read_meta(root)
    if meta is None:
        raise StoreRefusedError(f"{root} holds no store: nothing to repair")
    if meta.schema_version > SCHEMA_VERSION:
        raise SchemaError(
            f"{root} has schema version {meta.schema_version}, newer than this code "
            f"({SCHEMA_VERSION}); repair it with the version that wrote it"
        )
    changes: list[str] = []
    moved: set[str] = set()
    for name, path in tracked_files(root).items():
        try:
            record_of(path, path.read_bytes())
        except StoreCorruptError as exc:
            changes.append(_set_aside(root, path, exc.reason, clock))
            moved.add(name)
    if meta.schema_version < MANIFEST_SCHEMA:
        return changes  # the migration at open builds the manifest
    try:
        old = read_manifest(root)
    except StoreCorruptError:
        old = None
    files = scan_files(root, tracked_files(root).values())
    differences = _differences(old, files, reported=moved)
    if old is None or old.writing or old.files != files:
        Manifest(root, files).save()
    return changes + differences


def _differences(
    old: ManifestState | None, files: dict[str, FileRecord], reported: set[str]
) -> list[str]:
    if old is None:
        return [f"{MANIFEST_FILE}: missing or unreadable; rebuilt from the shards on disk"]
    changes: list[str] = []
    for name in sorted((set(old.files) | set(files)) - reported):
        before, after = old.files.get(name), files.get(name)
        if before == after:
            continue
        if any(w.name == name and w.before == after for w in old.writing):
            continue  # a write interrupted by a crash: the file is the last durable state
        what = _CONTENTS.get(name.split("/", 1)[0], "documents")
        if before is not None and after is None:
            changes.append(f"{name}: missing; accepted the loss of {before.docs} {what}")
        elif before is None and after is not None:
            changes.append(f"{name}: not in the manifest; accepted as it is ({after.docs} {what})")
        elif before is not None and after is not None:
            changes.append(
                f"{name}: changed outside the bot; accepted as it is "
                f"({before.docs} {what} in the manifest, {after.docs} in the file)"
            )
    return changes


def _set_aside(root: Path, path: Path, reason: str, clock: Clock) -> str:
    target = move_aside(path, clock())
    name = path.relative_to(root).as_posix()
    what = _CONTENTS.get(path.parent.name, "documents")
    return f"{name}: unreadable ({reason}); moved aside to {target.name}, its {what} are lost"


def _is_tracked_shard(root: Path, path: Path) -> bool:
    return path.parent.name in TRACKED_DIRS and path.parent.parent == root and path.exists()
