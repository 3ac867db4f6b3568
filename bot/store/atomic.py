"""A TinyDB storage whose writes are atomic and durable.

TinyDB's own ``JSONStorage`` rewrites the file in place: a crash half-way
leaves a truncated, unparsable database. Here every write goes to a temporary
file in the same directory, is fsynced, renamed over the old file with
``os.replace`` (atomic on POSIX) and then the directory is fsynced so the rename
itself survives a power loss. A reader therefore sees either the old or the new
file, never a mix.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from tinydb import Storage

from bot.store.errors import StoreCorruptError

TEMP_SUFFIX = ".tmp"

Tables = dict[str, dict[str, Any]]


class ReplaceGuard(Protocol):
    """Does the atomic replace of a file itself, with bookkeeping around it.

    The store's manifest is one: it records a shard's new checksum before the
    shard is replaced (see :mod:`bot.store.manifest`).
    """

    def replace(self, path: Path, tables: Tables, payload: bytes) -> None: ...


class AtomicJSONStorage(Storage):
    """Whole-file JSON storage with crash-safe writes and an in-memory copy.

    The storage assumes it is the only writer of its file (the store runs every
    write on one thread), so after the first read the parsed data is kept and
    ``read()`` does not parse the file again. With ``cache=False`` the file is
    parsed on every read instead, which trades CPU for memory on files that are
    only read when they are about to be written (the chat shards, whose content
    also lives in the store's own in-memory model).

    A missing file is an empty database. An empty or unparsable file raises
    :class:`StoreCorruptError` naming the file, because atomic writes never
    produce one; something else damaged it and starting empty would lose data.
    With a ``guard`` every write goes through ``guard.replace`` instead of a
    plain :func:`write_atomically`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        cache: bool = True,
        guard: ReplaceGuard | None = None,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self._use_cache = cache
        self._guard = guard
        self._cache: Tables | None = None
        self._cached = False

    def read(self) -> Tables | None:
        if self._cached:
            return self._cache
        data = self._load()
        if self._use_cache:
            self._cache = data
            self._cached = True
        return data

    def write(self, data: Tables) -> None:
        try:
            payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            if self._guard is None:
                write_atomically(self.path, payload)
            else:
                self._guard.replace(self.path, data, payload)
        except BaseException:
            # TinyDB mutates the dict it got from read() before calling write(),
            # so after a failed write the cached copy may hold changes that are
            # not on disk. Forget it; the next read reloads the durable state.
            self._cache = None
            self._cached = False
            raise
        if self._use_cache:
            self._cache = data
            self._cached = True

    def close(self) -> None:
        self.discard_cache()

    def discard_cache(self) -> None:
        """Forget the in-memory copy; the next read loads the file (after a failed batch)."""
        self._cache = None
        self._cached = False

    def _load(self) -> Tables | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return parse_tables(self.path, raw)


def parse_tables(path: Path, raw: bytes) -> Tables:
    """The tables of a TinyDB file's bytes; :class:`StoreCorruptError` if they are not."""
    if not raw:
        raise StoreCorruptError(path, "file is empty")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreCorruptError(path, str(exc)) from exc
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise StoreCorruptError(path, "top level is not an object of tables")
    return data


def write_atomically(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` so that a crash leaves old or new, never a mix."""
    directory = path.parent
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    fsync_directory(directory)


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` durable."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale_temp_files(directory: Path) -> int:
    """Delete temp files a killed writer left behind; returns how many.

    Only safe while no writer is running, i.e. when the store opens.
    """
    removed = 0
    for leftover in directory.glob(f".*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed += 1
    return removed
