"""Recent news items and "already seen" markers, in time-bucketed TinyDB files.

- ``items/YYYY-MM-DDTHH.json``: full items, by the UTC hour they were first
  seen, kept ``retention`` (7 days by default). A poll cycle rewrites only the
  current hour's file (~100 items), not a day's worth of article bodies.
- ``seen/YYYY-MM-DD.json``: one small marker per item id, by UTC day, kept
  ``seen_retention`` (30 days). Markers outlive the items so a pruned item that
  a feed still lists is never pushed again.

All items of the retention window are also held in memory with their folded
text, so /laatste and /zoek never touch the disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.model import NewsItem
from bot.store.buckets import DAILY, HOURLY, BucketFiles
from bot.store.codec import dt_from_json, dt_to_json, item_from_doc, item_to_doc
from bot.store.errors import StoreCorruptError
from bot.store.textindex import has_all_prefixes, has_phrase, query_words, word_text

ITEMS_TABLE = "items"
SEEN_TABLE = "seen"

# Moves an unreadable bucket file aside (path, reason) and returns where it went.
SetAside = Callable[[Path, str], Path]


@dataclass(frozen=True, slots=True)
class StoredItem:
    item: NewsItem
    bucket: str
    doc_id: int
    seen_at: datetime
    head: str  # word_text of title + summary: where keywords must occur
    body: str  # word_text of the text: searched by /zoek in addition to head


@dataclass(frozen=True, slots=True)
class SeenMarker:
    bucket: str
    doc_id: int
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class PruneResult:
    items: int
    markers: int


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


def stored_item(item: NewsItem, bucket: str, doc_id: int, seen_at: datetime) -> StoredItem:
    return StoredItem(
        item=item,
        bucket=bucket,
        doc_id=doc_id,
        seen_at=seen_at,
        head=word_text(item.title, item.summary),
        body=word_text(item.text),
    )


def item_doc(item: NewsItem, seen_at: datetime) -> dict[str, Any]:
    return {**item_to_doc(item), "stored_at": dt_to_json(seen_at)}


class ItemTable:
    """Items and seen markers; ``set_aside(path, reason)`` handles buckets that do not load.

    Without ``set_aside`` an unreadable bucket raises :class:`StoreCorruptError`.
    """

    def __init__(self, items_dir: Path, seen_dir: Path, set_aside: SetAside | None = None) -> None:
        self._item_files = BucketFiles(items_dir, ITEMS_TABLE, HOURLY)
        self._seen_files = BucketFiles(seen_dir, SEEN_TABLE, DAILY)
        self._set_aside = set_aside
        self._items: dict[str, StoredItem] = {}
        self._seen: dict[str, SeenMarker] = {}
        # Replaced, never mutated, so readers on the event loop iterate a stable tuple.
        self._ordered: tuple[StoredItem, ...] = ()
        # Story id -> ids of its stored reports (wire copies included).
        self._by_story: dict[str, set[str]] = {}

    # --- loading --------------------------------------------------------------

    def load(self) -> None:
        seen: dict[str, SeenMarker] = {}
        for day in self._seen_files.existing_keys():
            try:
                markers = {
                    doc["id"]: SeenMarker(day, doc.doc_id, dt_from_json(doc["at"]))
                    for doc in self._seen_files.table(day).all()
                }
            except (StoreCorruptError, KeyError, TypeError, ValueError) as exc:
                self._unreadable(self._seen_files, day, exc)
                continue
            seen.update(markers)
        items: dict[str, StoredItem] = {}
        for hour in self._item_files.existing_keys():
            try:
                bucket = self._read_hour(hour)
            except (StoreCorruptError, KeyError, TypeError, ValueError) as exc:
                self._unreadable(self._item_files, hour, exc)
                continue
            items.update(bucket)
        self._items = items
        self._seen = seen
        # Items are written before their markers; a crash in between leaves
        # stored items without markers. Write those markers now, so the items
        # are not taken for new ones at the next poll. (This also rebuilds the
        # markers of a day file that was set aside, as far as items remain.)
        self._insert_markers(
            [(s.item.id, s.seen_at) for s in items.values() if s.item.id not in seen]
        )
        self._ordered = newest_first(items.values())
        self._by_story = {}
        for stored in items.values():
            self._by_story.setdefault(stored.item.story_id, set()).add(stored.item.id)

    def _read_hour(self, hour: str) -> dict[str, StoredItem]:
        bucket: dict[str, StoredItem] = {}
        for doc in self._item_files.table(hour).all():
            item = item_from_doc(doc)
            bucket[item.id] = stored_item(item, hour, doc.doc_id, dt_from_json(doc["stored_at"]))
        return bucket

    def _unreadable(self, files: BucketFiles, key: str, exc: Exception) -> None:
        """A bucket that does not load: set it aside (if allowed), else refuse to start."""
        path = files.path(key)
        reason = exc.reason if isinstance(exc, StoreCorruptError) else repr(exc)
        if self._set_aside is None:
            raise StoreCorruptError(path, reason) from exc
        files.forget(key)
        self._set_aside(path, reason)

    # --- reads (any thread) ---------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)

    def seen_count(self) -> int:
        return len(self._seen)

    def get(self, item_id: str) -> NewsItem | None:
        stored = self._items.get(item_id)
        return None if stored is None else stored.item

    def story_reports(self, story_id: str) -> list[NewsItem]:
        """The stored reports of a story, oldest first (by published time, then id)."""
        ids = self._by_story.get(story_id, ())
        found = [stored.item for i in ids if (stored := self._items.get(i)) is not None]
        return sorted(found, key=lambda item: (item.published, item.id))

    def story_count(self) -> int:
        return len(self._by_story)

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
        by_hour: dict[str, list[tuple[NewsItem, datetime]]] = {}
        for item in fresh.values():
            at = item.first_seen or now
            by_hour.setdefault(HOURLY.key_of(at), []).append((item, at))
        # Items first, markers second: see load() for the crash in between.
        for hour, batch in sorted(by_hour.items()):
            doc_ids = self._item_files.table(hour).insert_multiple(
                item_doc(item, at) for item, at in batch
            )
            for (item, at), doc_id in zip(batch, doc_ids, strict=True):
                self._items[item.id] = stored_item(item, hour, doc_id, at)
                self._by_story.setdefault(item.story_id, set()).add(item.id)
        self._insert_markers([(item.id, at) for batch in by_hour.values() for item, at in batch])
        self._update_edited(edited)
        if fresh or edited:
            self._ordered = newest_first(self._items.values())
        return list(fresh.values())

    def prune(self, now: datetime, retention: timedelta, seen_retention: timedelta) -> PruneResult:
        item_cutoff = now - retention
        seen_cutoff = now - seen_retention
        # One pass over memory, grouped by file: pruning runs on the writer
        # thread and must stay cheap with a month of markers.
        doomed_items: dict[str, list[StoredItem]] = {}
        for stored in self._items.values():
            if stored.seen_at < item_cutoff:
                doomed_items.setdefault(stored.bucket, []).append(stored)
        doomed_markers: dict[str, list[tuple[str, SeenMarker]]] = {}
        for item_id, marker in self._seen.items():
            if marker.seen_at < seen_cutoff:
                doomed_markers.setdefault(marker.bucket, []).append((item_id, marker))

        for hour, items in sorted(doomed_items.items()):
            if HOURLY.end_of(hour) <= item_cutoff:
                self._item_files.delete(hour)
            else:
                self._item_files.table(hour).remove(doc_ids=[s.doc_id for s in items])
            for stored in items:
                del self._items[stored.item.id]
                self._forget_story_report(stored.item)
        for day, markers in sorted(doomed_markers.items()):
            if DAILY.end_of(day) <= seen_cutoff:
                self._seen_files.delete(day)
            else:
                self._seen_files.table(day).remove(doc_ids=[m.doc_id for _, m in markers])
            for item_id, _ in markers:
                del self._seen[item_id]

        pruned = PruneResult(
            sum(map(len, doomed_items.values())), sum(map(len, doomed_markers.values()))
        )
        if pruned.items:
            self._ordered = newest_first(self._items.values())
        return pruned

    def close(self) -> None:
        self._item_files.close()
        self._seen_files.close()

    # --- internals ------------------------------------------------------------

    def _insert_markers(self, markers: Iterable[tuple[str, datetime]]) -> None:
        by_day: dict[str, list[tuple[str, datetime]]] = {}
        for item_id, at in markers:
            by_day.setdefault(DAILY.key_of(at), []).append((item_id, at))
        for day, batch in sorted(by_day.items()):
            doc_ids = self._seen_files.table(day).insert_multiple(
                {"id": item_id, "at": dt_to_json(at)} for item_id, at in batch
            )
            for (item_id, at), doc_id in zip(batch, doc_ids, strict=True):
                self._seen[item_id] = SeenMarker(day, doc_id, at)

    def _update_edited(self, edited: dict[str, NewsItem]) -> None:
        by_hour: dict[str, list[StoredItem]] = {}
        for item_id in edited:
            stored = self._items[item_id]
            by_hour.setdefault(stored.bucket, []).append(stored)
        for hour, olds in by_hour.items():
            new_docs = {old.item.id: item_doc(edited[old.item.id], old.seen_at) for old in olds}

            def replace_body(
                doc: MutableMapping[str, Any], new_docs: dict[str, Any] = new_docs
            ) -> None:
                replacement = new_docs[doc["id"]]
                doc.clear()
                doc.update(replacement)

            # One write per file for the whole batch of edits.
            self._item_files.table(hour).update(replace_body, doc_ids=[o.doc_id for o in olds])
            for old in olds:
                new_item = edited[old.item.id]
                self._items[new_item.id] = stored_item(new_item, hour, old.doc_id, old.seen_at)
                self._forget_story_report(old.item)
                self._by_story.setdefault(new_item.story_id, set()).add(new_item.id)

    def _forget_story_report(self, item: NewsItem) -> None:
        reports = self._by_story.get(item.story_id)
        if reports is not None:
            reports.discard(item.id)
            if not reports:
                del self._by_story[item.story_id]
