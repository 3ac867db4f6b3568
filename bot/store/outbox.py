"""Messages that must be sent, persisted before sending; delivered markers after.

Each entry is one document in ``outbox/shard-NNN.json`` (sharded by chat id
like the chats, so marking one message sent rewrites a small file even when a
big story queued a message for every chat). A document is either pending
(full entry, ``sent`` null) or, once Telegram confirmed it, a delivered marker
(``id``, ``chat``, ``sent`` only). The switch is one atomic write, so after a
crash an entry is either still pending or known as delivered, never both and
never neither. Markers are kept for a few days: re-enqueuing an id that was
delivered is a no-op, which is how a story merged from two outlets reaches a
chat once.

The story threads (``bot.store.threads``: which chat was notified of which
story, by which message) are derived from these documents: a marker keeps
its entry's ``threads`` or ``followup`` and the message id Telegram returned,
written in the same atomic switch from pending to delivered.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Mapping, MutableMapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.table import Table

from bot.store.atomic import AtomicJSONStorage
from bot.store.codec import (
    dt_from_json,
    dt_to_json,
    opt_dt_to_json,
    outbox_from_doc,
    outbox_to_doc,
)
from bot.store.errors import StoreCorruptError
from bot.store.layout import shard_of, shard_path
from bot.store.manifest import Manifest, ShardBatch
from bot.store.records import OutboxEntry
from bot.store.threads import FOLLOWUP, MESSAGE_ID, ThreadIndex, followup_of, marker_fields

TABLE = "entries"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Pending:
    shard: int
    doc_id: int
    entry: OutboxEntry


@dataclass(frozen=True, slots=True)
class _Delivered:
    shard: int
    doc_id: int
    chat_id: int
    sent_at: datetime
    # What the marker keeps for the story threads (threads/followup, msg); None: nothing.
    thread_fields: dict[str, Any] | None = None


def migrated_id(entry_id: str, old_chat: int, new_chat: int) -> str:
    """Rewrite the chat part of an id built by ``outbox_entry_id``; others stay."""
    prefix = f"{old_chat}:"
    if entry_id.startswith(prefix):
        return f"{new_chat}:{entry_id[len(prefix) :]}"
    return entry_id


def due(entry: OutboxEntry, now: datetime) -> bool:
    return entry.not_before is None or entry.not_before <= now


class OutboxTable:
    """Outbox entries in ``shard_count`` files; shard writes go through ``guard`` if given.

    A call that writes several shards announces them to the manifest in one
    write (:meth:`Manifest.batch`), so a broadcast's outbox costs one manifest
    write, not one per shard.
    """

    def __init__(self, directory: Path, shard_count: int, guard: Manifest | None = None) -> None:
        self._directory = directory
        self._shard_count = shard_count
        self._guard = guard
        self._dbs = [
            TinyDB(shard_path(directory, n), storage=AtomicJSONStorage, guard=guard)
            for n in range(shard_count)
        ]
        self._pending: dict[str, _Pending] = {}
        self._delivered: dict[str, _Delivered] = {}
        self.threads = ThreadIndex()

    def load(self) -> None:
        pending: dict[str, _Pending] = {}
        delivered: dict[str, _Delivered] = {}
        for shard, db in enumerate(self._dbs):
            try:
                for doc in db.table(TABLE).all():
                    if doc["sent"] is None:
                        pending[doc["id"]] = _Pending(shard, doc.doc_id, outbox_from_doc(doc))
                    else:
                        delivered[doc["id"]] = _Delivered(
                            shard,
                            doc.doc_id,
                            doc["chat"],
                            dt_from_json(doc["sent"]),
                            _kept_thread_fields(doc),
                        )
            except (KeyError, TypeError, ValueError) as exc:
                raise StoreCorruptError(shard_path(self._directory, shard), repr(exc)) from exc
        self._pending = pending
        self._delivered = delivered
        self.threads = _threads_from(pending, delivered)

    # --- reads ------------------------------------------------------------

    def pending(self, now: datetime, limit: int | None = None) -> list[OutboxEntry]:
        """Due entries, oldest first (by creation time, then id)."""
        entries = [p.entry for p in list(self._pending.values()) if due(p.entry, now)]
        key = _age_key
        if limit is not None:
            return heapq.nsmallest(limit, entries, key=key)
        return sorted(entries, key=key)

    def pending_count(self) -> int:
        return len(self._pending)

    def is_delivered(self, entry_id: str) -> bool:
        return entry_id in self._delivered

    def is_known(self, entry_id: str) -> bool:
        return entry_id in self._pending or entry_id in self._delivered

    # --- writes -----------------------------------------------------------

    def enqueue(self, entries: Iterable[OutboxEntry]) -> list[OutboxEntry]:
        """Persist entries whose id is neither pending nor delivered; returns those."""
        fresh: dict[str, OutboxEntry] = {}
        for entry in entries:
            if not self.is_known(entry.id) and entry.id not in fresh:
                fresh[entry.id] = entry
        try:
            self._insert(fresh.values())
        finally:
            # Also after a write failed half-way: the entries that did reach the disk.
            for entry in fresh.values():
                if entry.id in self._pending:
                    self.threads.planned(entry.chat_id, entry.id, entry.payload)
        return list(fresh.values())

    def mark_sent(
        self, ids: Iterable[str], now: datetime, message_id: int | None = None
    ) -> list[str]:
        """Turn pending entries into delivered markers; returns the ids changed.

        ``message_id`` is the message Telegram returned for them (all ``ids``
        went out as that one message); markers of entries that carry story
        threads keep it.
        """
        return self.mark_sent_many(dict.fromkeys(ids, message_id), now)

    def mark_sent_many(self, message_ids: Mapping[str, int | None], now: datetime) -> list[str]:
        """Like :meth:`mark_sent` for entries of several messages: id -> its message id.

        One write per shard touched, all announced in one manifest write
        (the push engine records confirmed sends in batches this way).
        """
        by_shard = self._group(self._pending[i] for i in message_ids if i in self._pending)
        sent_text = dt_to_json(now)
        changed: list[str] = []

        def to_marker(doc: MutableMapping[str, Any]) -> None:
            marker = {"id": doc["id"], "chat": doc["chat"], "sent": sent_text}
            marker.update(marker_fields(doc.get("payload") or {}, message_ids[doc["id"]]))
            doc.clear()
            doc.update(marker)

        def job(items: list[_Pending]) -> Callable[[Table], object]:
            return lambda table: table.update(to_marker, doc_ids=[p.doc_id for p in items])

        def done(shard: int, _: object) -> None:
            # A push before the follow-ups folded into it: the push starts the thread.
            items = sorted(by_shard[shard], key=lambda p: followup_of(p.entry.payload) is not None)
            for p in items:
                message_id = message_ids[p.entry.id]
                del self._pending[p.entry.id]
                fields = marker_fields(p.entry.payload, message_id) or None
                self._delivered[p.entry.id] = _Delivered(
                    shard, p.doc_id, p.entry.chat_id, now, fields
                )
                self.threads.sent(p.entry.chat_id, p.entry.id, p.entry.payload, message_id, now)
                changed.append(p.entry.id)

        self._each_shard({shard: job(items) for shard, items in by_shard.items()}, done)
        return changed

    def reschedule(self, entry_id: str, not_before: datetime | None, attempts: int | None) -> bool:
        current = self._pending.get(entry_id)
        if current is None:
            return False
        if attempts is None:
            attempts = current.entry.attempts
        fields = {"not_before": opt_dt_to_json(not_before), "attempts": attempts}
        self._dbs[current.shard].table(TABLE).update(fields, doc_ids=[current.doc_id])
        entry = replace(current.entry, not_before=not_before, attempts=attempts)
        self._pending[entry_id] = replace(current, entry=entry)
        return True

    def release_held(
        self, chat_id: int, kinds: Collection[str], held_until: datetime, release_at: datetime
    ) -> list[str]:
        """Move ``chat_id``'s pending ``kinds`` entries held until exactly ``held_until``.

        A setting's hold (quiet hours, the digest time) gives every entry it holds
        the same ``not_before``; entries held for another reason (a retry) keep theirs.
        """
        held = [
            p
            for p in list(self._pending.values())
            if p.entry.chat_id == chat_id
            and p.entry.kind in kinds
            and p.entry.not_before == held_until
        ]
        for shard, items in self._group(held).items():
            fields = {"not_before": opt_dt_to_json(release_at)}
            self._dbs[shard].table(TABLE).update(fields, doc_ids=[p.doc_id for p in items])
            for p in items:
                self._pending[p.entry.id] = replace(
                    p, entry=replace(p.entry, not_before=release_at)
                )
        return [p.entry.id for p in held]

    def drop(self, ids: Iterable[str]) -> list[str]:
        """Forget pending entries without sending them (given up, chat gone)."""
        by_shard = self._group(self._pending[i] for i in set(ids) if i in self._pending)
        dropped: list[str] = []

        def job(items: list[_Pending]) -> Callable[[Table], object]:
            return lambda table: table.remove(doc_ids=[p.doc_id for p in items])

        def done(shard: int, _: object) -> None:
            for p in by_shard[shard]:
                del self._pending[p.entry.id]
                self.threads.dropped(p.entry.chat_id, [p.entry.id])
                dropped.append(p.entry.id)

        self._each_shard({shard: job(items) for shard, items in by_shard.items()}, done)
        return dropped

    def prune_delivered(self, now: datetime, keep: timedelta) -> int:
        cutoff = now - keep
        doomed = [(i, d) for i, d in list(self._delivered.items()) if d.sent_at < cutoff]
        self._remove_delivered(doomed)
        self.threads.prune(cutoff)
        return len(doomed)

    def drop_pending_of(self, chat_id: int) -> list[str]:
        return self.drop([i for i, p in list(self._pending.items()) if p.entry.chat_id == chat_id])

    def remove_chats(self, chat_ids: Iterable[int]) -> None:
        """Delete every pending entry and delivered marker of these chats (one pass)."""
        doomed = set(chat_ids)
        if not doomed:
            return
        self.drop([i for i, p in list(self._pending.items()) if p.entry.chat_id in doomed])
        self._remove_delivered(
            [(i, d) for i, d in list(self._delivered.items()) if d.chat_id in doomed]
        )
        self.threads.remove_chats(doomed)

    def migrate_chat(self, old_chat: int, new_chat: int) -> None:
        """Move ``old_chat``'s entries and markers to ``new_chat``, ids rewritten.

        New documents are written before the old ones are removed; if the
        process dies in between, running this again finishes the job (the
        rewritten ids already exist and are skipped).
        """
        moving = [p for p in list(self._pending.values()) if p.entry.chat_id == old_chat]
        moved = [
            replace(p.entry, id=migrated_id(p.entry.id, old_chat, new_chat), chat_id=new_chat)
            for p in moving
        ]
        self._insert(e for e in moved if not self.is_known(e.id))
        markers = [(i, d) for i, d in list(self._delivered.items()) if d.chat_id == old_chat]
        new_markers = {
            migrated_id(i, old_chat, new_chat): d
            for i, d in markers
            if not self.is_known(migrated_id(i, old_chat, new_chat))
        }
        if new_markers:
            shard = shard_of(new_chat, self._shard_count)
            doc_ids = (
                self._dbs[shard]
                .table(TABLE)
                .insert_multiple(
                    {
                        "id": i,
                        "chat": new_chat,
                        "sent": dt_to_json(d.sent_at),
                        **(d.thread_fields or {}),
                    }
                    for i, d in new_markers.items()
                )
            )
            for (i, d), doc_id in zip(new_markers.items(), doc_ids, strict=True):
                self._delivered[i] = _Delivered(shard, doc_id, new_chat, d.sent_at, d.thread_fields)
        self.threads.migrate(old_chat, new_chat, lambda i: migrated_id(i, old_chat, new_chat))
        self.drop([p.entry.id for p in moving])
        self._remove_delivered(markers)
        for entry in moved:
            self.threads.planned(new_chat, entry.id, entry.payload)

    def close(self) -> None:
        for db in self._dbs:
            db.close()

    # --- internals --------------------------------------------------------

    def _insert(self, entries: Iterable[OutboxEntry]) -> None:
        by_shard: dict[int, list[OutboxEntry]] = {}
        for entry in entries:
            by_shard.setdefault(shard_of(entry.chat_id, self._shard_count), []).append(entry)

        def job(batch: list[OutboxEntry]) -> Callable[[Table], list[int]]:
            return lambda table: table.insert_multiple(map(outbox_to_doc, batch))

        def done(shard: int, doc_ids: list[int]) -> None:
            for entry, doc_id in zip(by_shard[shard], doc_ids, strict=True):
                self._pending[entry.id] = _Pending(shard, doc_id, entry)

        self._each_shard({shard: job(batch) for shard, batch in by_shard.items()}, done)

    def _remove_delivered(self, doomed: Sequence[tuple[str, _Delivered]]) -> None:
        by_shard: dict[int, list[tuple[str, _Delivered]]] = {}
        for entry_id, marker in doomed:
            by_shard.setdefault(marker.shard, []).append((entry_id, marker))

        def job(items: list[tuple[str, _Delivered]]) -> Callable[[Table], object]:
            return lambda table: table.remove(doc_ids=[m.doc_id for _, m in items])

        def done(shard: int, _: object) -> None:
            for entry_id, _marker in by_shard[shard]:
                del self._delivered[entry_id]

        self._each_shard({shard: job(items) for shard, items in by_shard.items()}, done)

    def _each_shard(
        self, jobs: Mapping[int, Callable[[Table], T]], done: Callable[[int, T], None]
    ) -> None:
        """Run one TinyDB write per shard, all announced in one manifest write.

        ``done(shard, result)`` publishes a shard's change in memory; it runs
        for every shard whose file was replaced, also when a later one failed
        (the error then propagates). A shard staged but never written has its
        cached copy dropped, so memory never shows what the disk does not hold.
        """
        results: dict[int, T] = {}
        batch: ShardBatch | None = None
        batching: AbstractContextManager[ShardBatch | None] = (
            self._guard.batch() if self._guard is not None and len(jobs) > 1 else nullcontext()
        )
        try:
            with batching as batch:
                for shard, work in jobs.items():
                    results[shard] = work(self._dbs[shard].table(TABLE))
        finally:
            for shard, result in results.items():
                if batch is None or shard_path(self._directory, shard) in batch.written:
                    done(shard, result)
                else:
                    storage = self._dbs[shard].storage
                    assert isinstance(storage, AtomicJSONStorage)
                    storage.discard_cache()

    @staticmethod
    def _group(items: Iterable[_Pending]) -> dict[int, list[_Pending]]:
        grouped: dict[int, list[_Pending]] = {}
        for item in items:
            grouped.setdefault(item.shard, []).append(item)
        return grouped


def _age_key(entry: OutboxEntry) -> tuple[datetime, str]:
    return (entry.created_at, entry.id)


def _kept_thread_fields(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """The story-thread fields of a stored marker (None for a plain one)."""
    kept = marker_fields(doc, doc.get(MESSAGE_ID))
    return kept or None


def _threads_from(
    pending: Mapping[str, _Pending], delivered: Mapping[str, _Delivered]
) -> ThreadIndex:
    """The story threads the outbox documents tell: sent ones first, then the planned."""
    threads = ThreadIndex()
    ordered = sorted(
        delivered.items(),
        key=lambda pair: (pair[1].sent_at, FOLLOWUP in (pair[1].thread_fields or {})),
    )
    for entry_id, marker in ordered:
        if marker.thread_fields:
            fields = marker.thread_fields
            threads.sent(marker.chat_id, entry_id, fields, fields.get(MESSAGE_ID), marker.sent_at)
    for p in pending.values():
        threads.planned(p.entry.chat_id, p.entry.id, p.entry.payload)
    return threads
