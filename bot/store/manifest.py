"""The manifest: which chat and outbox shards exist, their document counts and checksums.

A chat shard that is deleted, emptied or swapped for an old copy still parses,
so without a record of what the store wrote such a loss would go unnoticed:
the bot would start and those chats would simply have no follows. The
manifest (``manifest.json`` in the data directory) is that record, and
``Store.open`` refuses to start when a shard does not match it.

Crash order. Every shard write goes through :meth:`Manifest.replace`:

1. the manifest is rewritten (atomically) with the shard's *new* count and
   checksum, plus a ``writing`` note holding the shard's *previous* record;
2. the shard is replaced (atomically).

A crash before 1 completes leaves both old; between 1 and 2 the manifest
announces a write that never happened, and the shard still matches the
``writing`` note's previous record, which :func:`open_manifest` accepts (the
write was never acknowledged, so nothing acknowledged is lost); after 2 both
are new. Only the last shard written can be in that state, so each manifest
write carries one ``writing`` note and drops the one before, and a clean close
drops the last one. A shard that matches neither record, a shard that is
missing, and a shard the manifest does not know are refused.

Batches. A write that touches many shards at once (a broadcast's outbox) runs
inside :meth:`Manifest.batch`: step 1 is done once for all of them (every new
record, one ``writing`` note per shard with its previous record), then the
shards are replaced one after the other. A crash anywhere in between leaves
each announced shard matching its new or its previous record, which is the
same rule; the batch as a whole was not acknowledged, so nothing acknowledged
is lost.

The manifest covers the files that cannot be rebuilt (chats, outbox); items,
seen markers and feed state come back from the feeds and are not in it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.store import atomic
from bot.store.atomic import Tables, parse_tables
from bot.store.errors import ManifestMismatchError, StoreCorruptError, StoreRefusedError
from bot.store.layout import CHATS_DIR, OUTBOX_DIR

log = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"
TRACKED_DIRS = (CHATS_DIR, OUTBOX_DIR)
SHARD_GLOB = "shard-*.json"
_FORMAT = 1

SHARD_RECOVERY = (
    "restore the data directory from a backup, or run `nieuwsbot store repair` to accept the loss"
)
MANIFEST_RECOVERY = (
    "restore the data directory from a backup, or run `nieuwsbot store repair` "
    "to rebuild the manifest from the shards as they are"
)


@dataclass(frozen=True, slots=True)
class FileRecord:
    docs: int
    digest: str


@dataclass(frozen=True, slots=True)
class Writing:
    """The shard announced last, and its record before that write (None: it did not exist)."""

    name: str
    before: FileRecord | None


@dataclass(frozen=True, slots=True)
class ManifestState:
    files: dict[str, FileRecord]
    writing: tuple[Writing, ...]  # empty: no write was announced and left unsettled


@dataclass(slots=True)
class ShardBatch:
    """The shard writes of one :meth:`Manifest.batch`, staged until the block ends."""

    staged: dict[str, tuple[Path, FileRecord, bytes]] = field(default_factory=dict)
    written: set[Path] = field(default_factory=set)  # replaced on disk so far


def digest_of(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def count_docs(tables: Tables) -> int:
    return sum(len(table) for table in tables.values())


def record_of(path: Path, payload: bytes) -> FileRecord:
    """The record of a shard's bytes; :class:`StoreCorruptError` if they do not parse."""
    return FileRecord(count_docs(parse_tables(path, payload)), digest_of(payload))


def tracked_files(root: Path) -> dict[str, Path]:
    """The chat and outbox shards on disk, by their name in the manifest."""
    return {
        f"{directory}/{path.name}": path
        for directory in TRACKED_DIRS
        for path in sorted((root / directory).glob(SHARD_GLOB))
    }


class Manifest:
    """The manifest of one data directory, written on the store's writer thread only.

    It is the :class:`~bot.store.atomic.ReplaceGuard` of every chat and
    outbox shard, so no shard is replaced without it.
    """

    def __init__(self, root: Path, files: Mapping[str, FileRecord]) -> None:
        self.root = root
        self._files = dict(files)
        self._announced = False  # the file on disk carries a ``writing`` note
        self._batch: ShardBatch | None = None

    @property
    def path(self) -> Path:
        return self.root / MANIFEST_FILE

    def files(self) -> dict[str, FileRecord]:
        return dict(self._files)

    def replace(self, path: Path, tables: Tables, payload: bytes) -> None:
        """Announce the shard's new record, then replace the shard (see the module doc).

        Inside :meth:`batch` the shard is only staged; the block's end writes it.
        """
        name = self._name_of(path)
        record = FileRecord(count_docs(tables), digest_of(payload))
        if self._batch is not None:
            self._batch.staged[name] = (path, record, payload)
            return
        self._write({**self._files, name: record}, (Writing(name, self._files.get(name)),))
        self._announced = True
        # Through the module: every store write has one seam (tests fill the disk there).
        atomic.write_atomically(path, payload)
        # Only now: if the shard write failed, the file on disk is still the
        # previous record, and the next announcement must name that one.
        self._files[name] = record

    @contextmanager
    def batch(self) -> Iterator[ShardBatch]:
        """Announce every shard written inside the block in ONE manifest write.

        Shard writes inside the block are staged (the caller's storage already
        holds the new contents in memory). When the block ends, the manifest
        is written once with all their new records and a ``writing`` note per
        shard, then the shards are replaced in turn; ``ShardBatch.written``
        lists those replaced, also when one of them fails. If the block itself
        raises, nothing is written. Callers must drop the in-memory copy of a
        staged shard that did not end up in ``written``.
        """
        if self._batch is not None:
            raise RuntimeError("manifest batches do not nest")
        batch = self._batch = ShardBatch()
        try:
            yield batch
        finally:
            self._batch = None
        self._commit(batch)

    def _commit(self, batch: ShardBatch) -> None:
        if not batch.staged:
            return
        notes = tuple(Writing(name, self._files.get(name)) for name in batch.staged)
        new_records = {name: record for name, (_, record, _) in batch.staged.items()}
        self._write({**self._files, **new_records}, notes)
        self._announced = True
        for name, (path, record, payload) in batch.staged.items():
            atomic.write_atomically(path, payload)
            self._files[name] = record  # only now, as in :meth:`replace`
            batch.written.add(path)

    def save(self) -> None:
        """Write the manifest without a ``writing`` note."""
        self._write(self._files, ())
        self._announced = False

    def settle(self) -> None:
        """At a clean close: drop the last ``writing`` note.

        Until then the shard written last may also be found one write older
        (as a crash mid-write leaves it); after a clean close it may not.
        """
        if self._announced:
            self.save()

    def _name_of(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _write(self, files: Mapping[str, FileRecord], writing: tuple[Writing, ...]) -> None:
        doc: dict[str, Any] = {
            "format": _FORMAT,
            "files": {name: [r.docs, r.digest] for name, r in files.items()},
        }
        notes = [{"file": w.name, "before": _record_json(w.before)} for w in writing]
        if len(notes) == 1:
            doc["writing"] = notes[0]  # the form written before batches existed
        elif notes:
            doc["writing"] = notes
        atomic.write_atomically(self.path, json.dumps(doc, separators=(",", ":")).encode("utf-8"))


def read_manifest(root: Path) -> ManifestState | None:
    """The manifest on disk, or None if there is none."""
    path = root / MANIFEST_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        doc = json.loads(raw.decode("utf-8"))
        files = {str(name): _record_from(value) for name, value in doc["files"].items()}
        writing_doc = doc.get("writing")
        if writing_doc is None:
            writing_doc = []
        elif not isinstance(writing_doc, list):
            writing_doc = [writing_doc]
        writing = tuple(
            Writing(str(note["file"]), _optional_record(note["before"])) for note in writing_doc
        )
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreCorruptError(path, repr(exc), MANIFEST_RECOVERY) from exc
    return ManifestState(files, writing)


def open_manifest(root: Path) -> Manifest:
    """Check every chat and outbox shard against the manifest; the Manifest to write with.

    Raises :class:`ManifestMismatchError` naming the first shard that is
    missing, changed or unknown (and how many more there are), and
    :class:`StoreRefusedError` if the manifest itself is missing.
    """
    state = read_manifest(root)
    if state is None:
        raise StoreRefusedError(
            f"{root / MANIFEST_FILE} is missing, so lost chat or outbox files cannot be "
            f"detected; {MANIFEST_RECOVERY}"
        )
    files = dict(state.files)
    on_disk = tracked_files(root)
    problems: list[tuple[Path, str]] = []
    for name in sorted(set(files) | set(on_disk)):
        path = on_disk.get(name, root / name)
        expected = files.get(name)
        actual = digest_of(path.read_bytes()) if name in on_disk else None
        if _matches(expected, actual):
            continue
        writing = next((w for w in state.writing if w.name == name), None)
        if writing is not None and _matches(writing.before, actual):
            # Announced, then the process died before the shard was replaced.
            _set(files, name, writing.before)
            continue
        if actual is None and expected is not None and expected.docs == 0:
            files.pop(name)  # an empty shard is gone: nothing is lost
            continue
        problems.append((path, _describe(path, expected, actual is not None)))
    if problems:
        first_path, detail = problems[0]
        raise ManifestMismatchError(first_path, detail, SHARD_RECOVERY, others=len(problems) - 1)
    manifest = Manifest(root, files)
    if state.writing or files != state.files:
        try:
            manifest.save()
        except OSError as exc:
            # A read-only or full disk (after a crash, the note is always there):
            # the file on disk still describes the shards, and the next shard write
            # rewrites it from memory. Refusing here would be a restart loop.
            log.warning("could not rewrite %s at start-up: %s", manifest.path, exc)
    return manifest


def rebuild_manifest(root: Path) -> Manifest:
    """A manifest of the shards as they are now (new stores, migration, repair).

    Raises :class:`StoreCorruptError` for a shard that does not parse.
    """
    manifest = Manifest(root, scan_files(root, tracked_files(root).values()))
    manifest.save()
    return manifest


def scan_files(root: Path, paths: Iterable[Path]) -> dict[str, FileRecord]:
    files: dict[str, FileRecord] = {}
    for path in paths:
        try:
            record = record_of(path, path.read_bytes())
        except StoreCorruptError as exc:
            raise StoreCorruptError(exc.path, exc.reason, SHARD_RECOVERY) from exc
        files[path.relative_to(root).as_posix()] = record
    return files


def _matches(expected: FileRecord | None, actual_digest: str | None) -> bool:
    if expected is None:
        return actual_digest is None
    return expected.digest == actual_digest


def _set(files: dict[str, FileRecord], name: str, record: FileRecord | None) -> None:
    if record is None:
        files.pop(name, None)
    else:
        files[name] = record


def _describe(path: Path, expected: FileRecord | None, exists: bool) -> str:
    if expected is None:
        return "the store never wrote this file (it is not in the manifest)"
    listed = f"the manifest lists {_documents(expected.docs)}"
    if not exists:
        return f"the file is missing ({listed})"
    try:
        actual = record_of(path, path.read_bytes())
    except StoreCorruptError as exc:
        return f"the file is unreadable ({exc.reason}; {listed})"
    return f"the file was changed outside the bot ({listed}, the file has {actual.docs})"


def _documents(count: int) -> str:
    return f"{count} document{'s' if count != 1 else ''}"


def _record_json(record: FileRecord | None) -> list[Any] | None:
    return None if record is None else [record.docs, record.digest]


def _record_from(value: Any) -> FileRecord:
    docs, digest = value
    if not isinstance(docs, int) or not isinstance(digest, str):
        raise TypeError(f"bad file record {value!r}")
    return FileRecord(docs, digest)


def _optional_record(value: Any) -> FileRecord | None:
    return None if value is None else _record_from(value)
