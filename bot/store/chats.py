"""Chat documents sharded over TinyDB files, mirrored in memory.

Every chat is one document whose TinyDB document id is the Telegram chat id
itself (negative group ids work: TinyDB only needs int keys, and we never let
it pick ids in these tables). Shard ``n`` holds the chats with
``chat_id % shard_count == n``, so a change rewrites ~1/64 of the chats.

Writes happen on the store's writer thread only; the in-memory dict is updated
after the write is durable, with single assignments that other threads can
observe safely, so reads from the event loop never see a state that is not on
disk.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document, Table

from bot.core.model import FollowKey
from bot.store.atomic import AtomicJSONStorage, ReplaceGuard, Tables
from bot.store.codec import chat_from_doc, chat_to_doc
from bot.store.errors import StoreCorruptError
from bot.store.layout import shard_of, shard_path
from bot.store.records import ChatRecord

TABLE = "chats"


class ChatTable:
    """Chats in ``shard_count`` files; every shard write goes through ``guard`` if given."""

    def __init__(
        self, directory: Path, shard_count: int, guard: ReplaceGuard | None = None
    ) -> None:
        self._directory = directory
        self._shard_count = shard_count
        # The shards are parsed again right before each write instead of being
        # cached: the chat records already live in ``_records`` and a second
        # copy as raw JSON dicts would double the memory for 100k chats.
        self._dbs = [
            TinyDB(shard_path(directory, n), storage=AtomicJSONStorage, cache=False, guard=guard)
            for n in range(shard_count)
        ]
        self._records: dict[int, ChatRecord] = {}
        # Most chats follow the same few hundred keys; sharing one FollowKey
        # object per (key, label) saves tens of megabytes at 100k chats.
        self._follow_keys: dict[tuple[str, str], FollowKey] = {}

    def load(self) -> None:
        records: dict[int, ChatRecord] = {}
        for shard, db in enumerate(self._dbs):
            for doc in db.table(TABLE).all():
                chat_id = int(doc.doc_id)
                if shard_of(chat_id, self._shard_count) != shard:
                    raise StoreCorruptError(
                        shard_path(self._directory, shard), f"chat {chat_id} in wrong shard"
                    )
                try:
                    records[chat_id] = chat_from_doc(chat_id, doc, self.follow_key)
                except (KeyError, TypeError, ValueError) as exc:
                    raise StoreCorruptError(
                        shard_path(self._directory, shard), f"bad chat {chat_id}: {exc!r}"
                    ) from exc
        self._records = records

    def follow_key(self, key: str, label: str) -> FollowKey:
        """The shared FollowKey instance for a serialised key and its label."""
        interned = self._follow_keys.get((key, label))
        if interned is None:
            interned = FollowKey.parse(key, label)
            self._follow_keys[(key, label)] = interned
        return interned

    def intern(self, keys: Iterable[FollowKey]) -> tuple[FollowKey, ...]:
        return tuple(self.follow_key(str(key), key.label) for key in keys)

    def get(self, chat_id: int) -> ChatRecord | None:
        return self._records.get(chat_id)

    def snapshot(self) -> list[ChatRecord]:
        # list() over a dict view runs without releasing the GIL, so this is a
        # consistent copy even while the writer thread inserts.
        return list(self._records.values())

    def __len__(self) -> int:
        return len(self._records)

    def put(self, record: ChatRecord) -> None:
        """Durably store ``record`` (insert or replace), then publish it in memory."""
        doc = chat_to_doc(record)
        table = self._table(record.chat_id)
        if record.chat_id in self._records:

            def replace_body(stored: MutableMapping[str, Any]) -> None:
                stored.clear()
                stored.update(doc)

            table.update(replace_body, doc_ids=[record.chat_id])
        else:
            table.insert(Document(doc, doc_id=record.chat_id))
        self._records[record.chat_id] = record

    def remove(self, chat_ids: Iterable[int]) -> None:
        by_shard: dict[int, list[int]] = {}
        for chat_id in chat_ids:
            if chat_id in self._records:
                by_shard.setdefault(shard_of(chat_id, self._shard_count), []).append(chat_id)
        for shard, ids in by_shard.items():
            self._dbs[shard].table(TABLE).remove(doc_ids=ids)
            for chat_id in ids:
                del self._records[chat_id]

    def close(self) -> None:
        for db in self._dbs:
            db.close()

    def _table(self, chat_id: int) -> Table:
        return self._dbs[shard_of(chat_id, self._shard_count)].table(TABLE)


def write_chat_shards(directory: Path, records: Iterable[ChatRecord], shard_count: int) -> None:
    """Write complete shard files in one go: for seeding and migrations only.

    Bypasses the per-document path (one write per shard instead of one per
    chat); must not run while a store has the directory open.
    """
    shards: list[dict[str, dict[str, Any]]] = [{} for _ in range(shard_count)]
    for record in records:
        shards[shard_of(record.chat_id, shard_count)][str(record.chat_id)] = chat_to_doc(record)
    directory.mkdir(parents=True, exist_ok=True)
    for shard, docs in enumerate(shards):
        write_shard_file(shard_path(directory, shard), {TABLE: docs})


def write_shard_file(path: Path, tables: Tables) -> None:
    storage = AtomicJSONStorage(path)
    storage.write(tables)
