"""Recent news items and "already seen" markers in one TinyDB file per day.

A file ``items/YYYY-MM-DD.json`` holds, for the UTC day an item was first seen,
table ``items`` (full items, kept ``retention``, 7 days by default) and table
``seen`` (one marker per item id, kept ``seen_retention``, 30 days). Splitting
by day means a poll cycle rewrites only today's file and pruning mostly deletes
whole files. Markers outlive the items so a pruned item that a feed still lists
is never pushed again.

All items of the retention window are also held in memory with their folded
text, so /laatste and /zoek never touch the disk.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from bot.model import NewsItem
from bot.store.atomic import AtomicJSONStorage, fsync_directory
from bot.store.codec import dt_from_json, dt_to_json, item_from_doc, item_to_doc
from bot.store.errors import StoreCorruptError
from bot.store.textindex import has_all_prefixes, has_phrase, query_words, word_text

ITEMS_TABLE = "items"
SEEN_TABLE = "seen"
DAY_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True, slots=True)
class StoredItem:
    item: NewsItem
    day: str
    doc_id: int
    seen_at: datetime
    head: str  # word_text of title + summary: where keywords must occur
    body: str  # word_text of the text: searched by /zoek in addition to head


@dataclass(frozen=True, slots=True)
class SeenMarker:
    day: str
    doc_id: int
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class PruneResult:
    items: int
    markers: int


def day_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(DAY_FORMAT)


def day_end(day: str) -> datetime:
    start = datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC)
    return start + timedelta(days=1)


def newest_first(stored: Iterable[StoredItem]) -> tuple[StoredItem, ...]:
    return tuple(sorted(stored, key=lambda s: (s.item.published, s.item.id), reverse=True))


def matches(
    stored: StoredItem,
    *,
    section: str | None,
    country: str | None,
    keyword: str | None,
    since: datetime | None,
    include_duplicates: bool,
) -> bool:
    item = stored.item
    return (
        (include_duplicates or item.duplicate_of is None)
        and (since is None or item.published >= since)
        and (section is None or section in item.sections)
        and (country is None or country.upper() in item.countries)
        and (keyword is None or has_phrase(stored.head, keyword))
    )


class ItemTable:
    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._dbs: dict[str, TinyDB] = {}
        self._items: dict[str, StoredItem] = {}
        self._seen: dict[str, SeenMarker] = {}
        # Replaced, never mutated, so readers on the event loop iterate a stable tuple.
        self._ordered: tuple[StoredItem, ...] = ()

    # --- loading --------------------------------------------------------------

    def load(self) -> None:
        items: dict[str, StoredItem] = {}
        seen: dict[str, SeenMarker] = {}
        for path in sorted(self._directory.glob("????-??-??.json")):
            day = path.stem
            db = self._db(day)
            try:
                for doc in db.table(SEEN_TABLE).all():
                    seen[doc["id"]] = SeenMarker(day, doc.doc_id, dt_from_json(doc["at"]))
                for doc in db.table(ITEMS_TABLE).all():
                    item = item_from_doc(doc)
                    at = dt_from_json(doc["stored_at"])
                    items[item.id] = _stored(item, day, doc.doc_id, at)
            except (KeyError, TypeError, ValueError) as exc:
                raise StoreCorruptError(path, repr(exc)) from exc
        self._items = items
        self._seen = seen
        self._ordered = newest_first(items.values())

    # --- reads (any thread) ---------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)

    def seen_count(self) -> int:
        return len(self._seen)

    def get(self, item_id: str) -> NewsItem | None:
        stored = self._items.get(item_id)
        return None if stored is None else stored.item

    def is_seen(self, item_id: str) -> bool:
        return item_id in self._seen

    def unseen(self, items: Iterable[NewsItem]) -> list[NewsItem]:
        """The items whose id was never stored, first occurrence per id."""
        result: list[NewsItem] = []
        batch: set[str] = set()
        for item in items:
            if item.id not in self._seen and item.id not in batch:
                batch.add(item.id)
                result.append(item)
        return result

    def recent(
        self,
        *,
        section: str | None = None,
        country: str | None = None,
        keyword: str | None = None,
        since: datetime | None = None,
        limit: int | None = 20,
        include_duplicates: bool = False,
    ) -> list[NewsItem]:
        result: list[NewsItem] = []
        for stored in self._ordered:
            if limit is not None and len(result) >= limit:
                break
            if matches(
                stored,
                section=section,
                country=country,
                keyword=keyword,
                since=since,
                include_duplicates=include_duplicates,
            ):
                result.append(stored.item)
        return result

    def search(
        self, words: Sequence[str], limit: int = 20, *, include_duplicates: bool = False
    ) -> list[NewsItem]:
        wanted = query_words(words)
        if not wanted:
            return []
        result: list[NewsItem] = []
        for stored in self._ordered:
            if len(result) >= limit:
                break
            if not include_duplicates and stored.item.duplicate_of is not None:
                continue
            if has_all_prefixes(wanted, stored.head, stored.body):
                result.append(stored.item)
        return result

    # --- writes (writer thread) -----------------------------------------------

    def add(self, items: Sequence[NewsItem], now: datetime) -> list[NewsItem]:
        """Store new items and their seen markers; update edited copies.

        Returns the genuinely new items. An id seen before is never new, even if
        the item itself was pruned; a re-publication with a new title replaces
        the stored copy but is not returned.
        """
        fresh: dict[str, NewsItem] = {}
        edited: dict[str, NewsItem] = {}
        for item in items:
            if item.id in fresh:
                fresh[item.id] = item
            elif item.id in self._seen:
                stored = self._items.get(item.id)
                if stored is not None and stored.item != item:
                    edited[item.id] = item
            else:
                fresh[item.id] = item
        by_day: dict[str, list[tuple[NewsItem, datetime]]] = {}
        for item in fresh.values():
            at = item.first_seen or now
            by_day.setdefault(day_of(at), []).append((item, at))
        for day, batch in sorted(by_day.items()):
            self._insert_day(day, batch)
        self._update_edited(edited)
        if fresh or edited:
            self._ordered = newest_first(self._items.values())
        return list(fresh.values())

    def prune(self, now: datetime, retention: timedelta, seen_retention: timedelta) -> PruneResult:
        item_cutoff = now - retention
        seen_cutoff = now - seen_retention
        # One pass over memory, grouped by day file: pruning runs on the writer
        # thread and must stay cheap with a month of markers.
        doomed_items: dict[str, list[StoredItem]] = {}
        for stored in self._items.values():
            if stored.seen_at < item_cutoff:
                doomed_items.setdefault(stored.day, []).append(stored)
        doomed_markers: dict[str, list[tuple[str, SeenMarker]]] = {}
        for item_id, marker in self._seen.items():
            if marker.seen_at < seen_cutoff:
                doomed_markers.setdefault(marker.day, []).append((item_id, marker))
        whole_day_cutoff = min(item_cutoff, seen_cutoff)
        for day in sorted(doomed_items.keys() | doomed_markers.keys()):
            items, markers = doomed_items.get(day, []), doomed_markers.get(day, [])
            if day_end(day) <= whole_day_cutoff:
                self._delete_day_file(day)
            else:
                self._remove_from_day(day, items, markers)
            for stored in items:
                del self._items[stored.item.id]
            for item_id, _ in markers:
                del self._seen[item_id]
        pruned = PruneResult(
            sum(map(len, doomed_items.values())), sum(map(len, doomed_markers.values()))
        )
        if pruned.items:
            self._ordered = newest_first(self._items.values())
        return pruned

    def close(self) -> None:
        for db in self._dbs.values():
            db.close()
        self._dbs.clear()

    # --- internals ------------------------------------------------------------

    def _db(self, day: str) -> TinyDB:
        db = self._dbs.get(day)
        if db is None:
            db = TinyDB(self._directory / f"{day}.json", storage=AtomicJSONStorage)
            self._dbs[day] = db
        return db

    def _insert_day(self, day: str, batch: list[tuple[NewsItem, datetime]]) -> None:
        db = self._db(day)
        # Items go first: if the process dies before the markers are written,
        # load() still counts a stored item as seen, so nothing is pushed twice.
        item_ids = db.table(ITEMS_TABLE).insert_multiple(
            {**item_to_doc(item), "stored_at": dt_to_json(at)} for item, at in batch
        )
        marker_ids = db.table(SEEN_TABLE).insert_multiple(
            {"id": item.id, "at": dt_to_json(at)} for item, at in batch
        )
        for (item, at), item_doc, marker_doc in zip(batch, item_ids, marker_ids, strict=True):
            self._items[item.id] = _stored(item, day, item_doc, at)
            self._seen[item.id] = SeenMarker(day, marker_doc, at)

    def _update_edited(self, edited: dict[str, NewsItem]) -> None:
        by_day: dict[str, list[StoredItem]] = {}
        for item_id in edited:
            stored = self._items[item_id]
            by_day.setdefault(stored.day, []).append(stored)
        for day, olds in by_day.items():
            new_docs = {
                old.item.id: {
                    **item_to_doc(edited[old.item.id]),
                    "stored_at": dt_to_json(old.seen_at),
                }
                for old in olds
            }

            def replace_body(
                doc: MutableMapping[str, Any], new_docs: dict[str, Any] = new_docs
            ) -> None:
                replacement = new_docs[doc["id"]]
                doc.clear()
                doc.update(replacement)

            # One write per day file for the whole batch of edits.
            self._db(day).table(ITEMS_TABLE).update(replace_body, doc_ids=[o.doc_id for o in olds])
            for old in olds:
                new_item = edited[old.item.id]
                self._items[new_item.id] = _stored(new_item, day, old.doc_id, old.seen_at)

    def _remove_from_day(
        self, day: str, items: list[StoredItem], markers: list[tuple[str, SeenMarker]]
    ) -> None:
        db = self._db(day)
        if items:
            db.table(ITEMS_TABLE).remove(doc_ids=[s.doc_id for s in items])
        if markers:
            db.table(SEEN_TABLE).remove(doc_ids=[m.doc_id for _, m in markers])

    def _delete_day_file(self, day: str) -> None:
        """Every item and marker of ``day`` has expired: drop the whole file."""
        db = self._dbs.pop(day, None)
        if db is not None:
            db.close()
        with contextlib.suppress(FileNotFoundError):
            (self._directory / f"{day}.json").unlink()
        fsync_directory(self._directory)


def _stored(item: NewsItem, day: str, doc_id: int, seen_at: datetime) -> StoredItem:
    return StoredItem(
        item=item,
        day=day,
        doc_id=doc_id,
        seen_at=seen_at,
        head=word_text(item.title, item.summary),
        body=word_text(item.text),
    )
