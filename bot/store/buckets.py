"""Time-bucketed TinyDB files: one file per UTC hour or day, deleted whole when old.

Data that arrives continuously and expires by age (items, seen markers) goes
into the bucket of the moment it was stored. A write touches only the current
bucket's small file, and expiry mostly deletes files instead of rewriting them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Table

from bot.store.atomic import AtomicJSONStorage, fsync_directory


@dataclass(frozen=True, slots=True)
class Granularity:
    """How moments map to bucket keys (which are also the file names)."""

    key_format: str  # strftime format of the key, in UTC
    glob: str  # matches the file names of existing buckets
    length: timedelta

    def key_of(self, moment: datetime) -> str:
        return moment.astimezone(UTC).strftime(self.key_format)

    def end_of(self, key: str) -> datetime:
        start = datetime.strptime(key, self.key_format).replace(tzinfo=UTC)
        return start + self.length


HOURLY = Granularity("%Y-%m-%dT%H", "????-??-??T??.json", timedelta(hours=1))
DAILY = Granularity("%Y-%m-%d", "????-??-??.json", timedelta(days=1))


class BucketFiles:
    def __init__(self, directory: Path, table: str, granularity: Granularity) -> None:
        self.directory = directory
        self.granularity = granularity
        self._table = table
        self._dbs: dict[str, TinyDB] = {}

    def existing_keys(self) -> list[str]:
        return sorted(path.stem for path in self.directory.glob(self.granularity.glob))

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def table(self, key: str) -> Table:
        db = self._dbs.get(key)
        if db is None:
            db = TinyDB(self.path(key), storage=AtomicJSONStorage)
            self._dbs[key] = db
        return db.table(self._table)

    def forget(self, key: str) -> None:
        """Drop the open database of ``key`` (its file is being moved away)."""
        db = self._dbs.pop(key, None)
        if db is not None:
            db.close()

    def delete(self, key: str) -> None:
        db = self._dbs.pop(key, None)
        if db is not None:
            db.close()
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()
        fsync_directory(self.directory)

    def close(self) -> None:
        for db in self._dbs.values():
            db.close()
        self._dbs.clear()
