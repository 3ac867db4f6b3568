"""The store: one writer thread behind an async API, reads from memory.

Every write runs on a single-thread executor, so writes are serialised
without locks and the event loop never waits on disk: an ``await`` on a write
returns once the data is durable (fsynced and renamed into place). Reads of
chats, items, feed state and the outbox come from in-memory copies that the
writer updates only after its write succeeded, so they are synchronous, cheap
and never show state that is not on disk.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.core.clock import Clock
from bot.core.model import FollowKey, NewsItem
from bot.store.atomic import remove_stale_temp_files
from bot.store.channels import ChannelLink, ChannelTable
from bot.store.chats import ChatTable
from bot.store.errors import FollowLimitError, StoreCorruptError, StoreError, UnknownChatError
from bot.store.feeds import FeedStateDoc, FeedTable
from bot.store.follows import (
    MAX_FOLLOWS,
    merged_for_migration,
    missing_keys,
    with_follows_added,
    with_follows_removed,
)
from bot.store.items import ItemTable, PruneResult, SetAside
from bot.store.layout import (
    CHATS_DIR,
    FEEDS_FILE,
    ITEMS_DIR,
    OUTBOX_DIR,
    SCHEMA_VERSION,
    SEEN_DIR,
    SHARD_COUNT,
    Meta,
    read_meta,
    write_meta,
)
from bot.store.lock import DirectoryLock
from bot.store.manifest import SHARD_RECOVERY, Manifest, open_manifest, rebuild_manifest
from bot.store.migrations import migrate
from bot.store.outbox import OutboxTable
from bot.store.quarantine import Quarantine
from bot.store.records import DEFAULT_SETTINGS, ChatRecord, OutboxEntry
from bot.store.threads import Thread

log = logging.getLogger(__name__)

T = TypeVar("T")
Follows = tuple[FollowKey, ...]
FollowsListener = Callable[[int, Follows, Follows], None]

CHANNELS_FILE = "channels.json"
ITEM_RETENTION = timedelta(days=7)
SEEN_RETENTION = timedelta(days=30)
# Long enough to cover the window in which another outlet publishes the same
# story (near-duplicate merging works within a day or two).
DELIVERED_RETENTION = timedelta(days=3)
# A chat that blocked the bot keeps its follows this long for a returning /start.
DEACTIVATED_RETENTION = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class FollowChange:
    chat_id: int
    added: Follows
    removed: Follows


@dataclass(frozen=True, slots=True)
class StorePruneResult:
    items: int
    seen_markers: int
    delivered_markers: int


class _Tables:
    """Everything the writer thread owns, opened together."""

    def __init__(self, root: Path, meta: Meta, manifest: Manifest, set_aside: SetAside) -> None:
        self.meta = meta
        self.manifest = manifest
        self.chats = ChatTable(root / CHATS_DIR, meta.shard_count, guard=manifest)
        self.items = ItemTable(root / ITEMS_DIR, root / SEEN_DIR, set_aside)
        self.feeds = FeedTable(root / FEEDS_FILE, set_aside)
        self.outbox = OutboxTable(root / OUTBOX_DIR, meta.shard_count, guard=manifest)
        self.channels = ChannelTable(root / CHANNELS_FILE, set_aside)

    def load(self) -> None:
        self.chats.load()
        self.items.load()
        self.feeds.load()
        self.outbox.load()
        self.channels.load()

    def close(self) -> None:
        try:
            self.manifest.settle()
        except OSError as exc:  # the note it leaves behind is harmless
            log.warning("could not settle %s at close: %s", self.manifest.path, exc)
        self.chats.close()
        self.items.close()
        self.feeds.close()
        self.outbox.close()
        self.channels.close()


def _lock_directory(root: Path) -> DirectoryLock:
    """Create ``root`` if needed and take its lock (a few syscalls, never waits)."""
    root.mkdir(parents=True, exist_ok=True)
    return DirectoryLock.acquire(root)


def _open_tables(root: Path, shard_count: int, clock: Clock) -> _Tables:
    """Check, migrate and load ``root`` (locked by the caller); refusals raise StoreRefusedError.

    Unreadable items, seen markers and feed state are moved aside with a
    warning; chat and outbox shards that are unreadable or do not match the
    manifest refuse the start, naming the file and the recovery.
    """
    meta = read_meta(root)
    if meta is None:
        meta = Meta(schema_version=SCHEMA_VERSION, shard_count=shard_count)
        # Manifest first: a crash before meta.json is written leaves a
        # directory that is still "new" at the next start.
        rebuild_manifest(root)
        write_meta(root, meta)
    for directory in (
        root,
        *(root / name for name in (CHATS_DIR, ITEMS_DIR, SEEN_DIR, OUTBOX_DIR)),
    ):
        directory.mkdir(exist_ok=True)
        try:
            removed = remove_stale_temp_files(directory)
        except OSError as exc:
            # A read-only or failing disk: leftovers are never read, so they can wait
            # for a start that can write; refusing here would be a restart loop.
            log.warning("could not remove the temp files in %s: %s", directory, exc)
            removed = 0
        if removed:
            log.warning(
                "removed %d temp files left by an interrupted write in %s", removed, directory
            )
    meta = migrate(root, meta)
    manifest = open_manifest(root)
    tables = _Tables(root, meta, manifest, Quarantine(clock))
    try:
        tables.load()
    except StoreCorruptError as exc:
        tables.close()
        if exc.recovery:
            raise
        raise StoreCorruptError(exc.path, exc.reason, SHARD_RECOVERY) from exc
    return tables


class Store:
    """Chats, items, feed state and outbox of one data directory.

    Create with ``await Store.open(path, clock=...)``; finish with
    ``await store.close()``. Only one Store (one process) may use a directory:
    ``open`` takes the directory's lock (:mod:`bot.store.lock`) and ``close``
    releases it.
    """

    def __init__(
        self,
        root: Path,
        tables: _Tables,
        executor: ThreadPoolExecutor,
        clock: Clock,
        lock: DirectoryLock | None = None,
    ):
        self.root = root
        self._tables = tables
        self._executor = executor
        self._clock = clock
        self._lock = lock
        self._listeners: list[FollowsListener] = []
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        clock: Clock,
        shard_count: int = SHARD_COUNT,
        freeze_gc: bool = True,
    ) -> Store:
        """Load (and migrate) the data directory; ``shard_count`` only applies to new ones.

        With ``freeze_gc`` the objects loaded at start-up (hundreds of thousands
        at 100k chats, all long-lived) are moved out of the cyclic garbage
        collector's reach with ``gc.freeze()``. Otherwise every full collection
        walks them all: measured 60-150 ms pauses that stall the event loop and
        the writer alike.
        """
        root = Path(path)
        lock = _lock_directory(root)  # before anything is read or written
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        try:
            tables = await asyncio.get_running_loop().run_in_executor(
                executor, _open_tables, root, shard_count, clock
            )
        except BaseException:
            executor.shutdown(wait=True)
            lock.release()
            raise
        if freeze_gc:
            gc.freeze()
        return cls(root, tables, executor, clock, lock)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            # Queued writes finish first: the executor runs jobs in order.
            await asyncio.get_running_loop().run_in_executor(self._executor, self._tables.close)
            self._executor.shutdown(wait=True)
        finally:
            if self._lock is not None:
                self._lock.release()

    @property
    def shard_count(self) -> int:
        return self._tables.meta.shard_count

    # --- plumbing ---------------------------------------------------------

    async def _write(self, job: Callable[[], T]) -> T:
        if self._closed:
            raise StoreError("store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    def _notify(self, changes: Sequence[FollowChange]) -> None:
        for change in changes:
            if not (change.added or change.removed):
                continue
            for listener in list(self._listeners):
                try:
                    listener(change.chat_id, change.added, change.removed)
                except Exception:
                    log.exception("follow listener failed for chat %s", change.chat_id)

    def _require_chat(self, chat_id: int) -> ChatRecord:
        record = self._tables.chats.get(chat_id)
        if record is None:
            raise UnknownChatError(chat_id)
        return record

    # --- chats: reads -----------------------------------------------------

    def get_chat(self, chat_id: int) -> ChatRecord | None:
        return self._tables.chats.get(chat_id)

    def iter_chats(self) -> Iterator[ChatRecord]:
        """Active chats that follow something (what the matching index needs)."""
        return (r for r in self._tables.chats.snapshot() if r.active and r.follows)

    def all_chats(self) -> list[ChatRecord]:
        """Every chat, including deactivated ones and chats without follows."""
        return self._tables.chats.snapshot()

    def chat_count(self) -> int:
        return len(self._tables.chats)

    def on_follows_changed(self, callback: FollowsListener) -> Callable[[], None]:
        """Call ``callback(chat_id, added, removed)`` whenever a chat's *active* follows change.

        Deactivating a chat reports all its follows as removed, reactivating
        as added, so an index built from ``iter_chats()`` plus these events
        stays exact. Called on the event loop after the change is durable.
        Returns a function that unsubscribes.
        """
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback)

    # --- chats: writes ----------------------------------------------------

    async def ensure_chat(self, chat_id: int, chat_type: str) -> ChatRecord:
        """The chat's record, created (active, no follows) if it is new.

        A deactivated chat stays deactivated; the /start handler calls
        :meth:`reactivate` for that.
        """

        def job() -> ChatRecord:
            chats = self._tables.chats
            record = chats.get(chat_id)
            if record is None:
                record = ChatRecord(
                    chat_id=chat_id,
                    chat_type=chat_type,
                    follows=(),
                    settings=DEFAULT_SETTINGS,
                    active=True,
                    deactivated_at=None,
                    created_at=self._clock(),
                )
                chats.put(record)
            elif record.chat_type != chat_type:
                record = replace(record, chat_type=chat_type)
                chats.put(record)
            return record

        return await self._write(job)

    async def add_follows(self, chat_id: int, keys: Sequence[FollowKey]) -> list[FollowKey]:
        """Follow ``keys``; returns the ones that were not followed yet.

        Raises :class:`FollowLimitError` (adding nothing) if the chat would
        follow more than ``MAX_FOLLOWS`` keys.
        """

        def job() -> tuple[Follows, bool]:
            chats = self._tables.chats
            record = self._require_chat(chat_id)
            wanted = missing_keys(record, keys)
            if len(record.follows) + len(wanted) > MAX_FOLLOWS:
                raise FollowLimitError(chat_id, MAX_FOLLOWS, len(record.follows), len(wanted))
            updated, added = with_follows_added(record, chats.intern(wanted))
            if added:
                chats.put(updated)
            return added, record.active

        added, active = await self._write(job)
        if active:
            self._notify([FollowChange(chat_id, added, ())])
        return list(added)

    async def remove_follows(self, chat_id: int, keys: Sequence[FollowKey]) -> list[FollowKey]:
        """Stop following ``keys``; returns the ones that were followed."""

        def job() -> tuple[Follows, bool]:
            record = self._require_chat(chat_id)
            updated, removed = with_follows_removed(record, keys)
            if removed:
                self._tables.chats.put(updated)
            return removed, record.active

        removed, active = await self._write(job)
        if active:
            self._notify([FollowChange(chat_id, (), removed)])
        return list(removed)

    async def clear_follows(self, chat_id: int) -> list[FollowKey]:
        record = self.get_chat(chat_id)
        if record is None:
            raise UnknownChatError(chat_id)
        return await self.remove_follows(chat_id, record.follows)

    async def set_settings(self, chat_id: int, **fields: Any) -> ChatRecord:
        """Change settings (``ChatSettings`` field names); unknown names raise TypeError."""

        def job() -> ChatRecord:
            record = self._require_chat(chat_id)
            updated = replace(record, settings=replace(record.settings, **fields))
            if updated != record:
                self._tables.chats.put(updated)
            return updated

        return await self._write(job)

    async def deactivate(self, chat_id: int, reason: str, now: datetime | None = None) -> bool:
        """Mark a chat unreachable (blocked, kicked, not found). Follows are kept.

        Its pending outbox entries are dropped: they could never be delivered.
        Returns False if the chat is unknown or already inactive.
        """
        moment = now or self._clock()

        def job() -> Follows | None:
            record = self.get_chat(chat_id)
            if record is None or not record.active:
                return None
            updated = replace(
                record, active=False, deactivated_at=moment, deactivation_reason=reason
            )
            self._tables.chats.put(updated)
            self._tables.outbox.drop_pending_of(chat_id)
            return record.follows

        follows = await self._write(job)
        if follows is None:
            return False
        self._notify([FollowChange(chat_id, (), follows)])
        return True

    async def reactivate(self, chat_id: int) -> bool:
        """Undo :meth:`deactivate` (a returning /start); False if it was active."""

        def job() -> Follows | None:
            record = self._require_chat(chat_id)
            if record.active:
                return None
            self._tables.chats.put(
                replace(record, active=True, deactivated_at=None, deactivation_reason=None)
            )
            return record.follows

        follows = await self._write(job)
        if follows is None:
            return False
        self._notify([FollowChange(chat_id, follows, ())])
        return True

    async def delete_chat(self, chat_id: int) -> bool:
        """/stop: forget the chat entirely, outbox entries and markers included."""

        def job() -> ChatRecord | None:
            record = self.get_chat(chat_id)
            self._tables.outbox.remove_chats([chat_id])
            self._tables.channels.remove([chat_id])
            if record is not None:
                self._tables.chats.remove([chat_id])
            return record

        record = await self._write(job)
        if record is None:
            return False
        if record.active:
            self._notify([FollowChange(chat_id, (), record.follows)])
        return True

    async def migrate_chat(self, old_id: int, new_id: int) -> ChatRecord | None:
        """A group became a supergroup: move everything from ``old_id`` to ``new_id``.

        The new record is written before the old one is removed, so after a
        crash in between both exist and calling this again completes it.
        Returns the record under the new id (None if ``old_id`` was unknown).
        """

        def job() -> tuple[ChatRecord | None, list[FollowChange]]:
            chats = self._tables.chats
            old = chats.get(old_id)
            if old is None:
                return chats.get(new_id), []
            existing = chats.get(new_id)
            merged = merged_for_migration(old, existing, new_id)
            chats.put(merged)
            self._tables.outbox.migrate_chat(old_id, new_id)
            link = self._tables.channels.get(old_id)
            if link is not None:
                self._tables.channels.put(replace(link, channel_id=new_id))
                self._tables.channels.remove([old_id])
            chats.remove([old_id])
            before: Follows = existing.follows if existing and existing.active else ()
            after: Follows = merged.follows if merged.active else ()
            changes = [
                FollowChange(old_id, (), old.follows if old.active else ()),
                FollowChange(
                    new_id,
                    tuple(k for k in after if k not in before),
                    tuple(k for k in before if k not in after),
                ),
            ]
            return merged, changes

        merged, changes = await self._write(job)
        self._notify(changes)
        return merged

    async def purge_deactivated(
        self, older_than: timedelta = DEACTIVATED_RETENTION, now: datetime | None = None
    ) -> list[int]:
        """Delete chats deactivated more than ``older_than`` ago; returns their ids."""
        cutoff = (now or self._clock()) - older_than

        def job() -> list[int]:
            doomed = [
                r.chat_id
                for r in self._tables.chats.snapshot()
                if not r.active and r.deactivated_at is not None and r.deactivated_at < cutoff
            ]
            self._tables.outbox.remove_chats(doomed)
            self._tables.channels.remove(doomed)
            self._tables.chats.remove(doomed)
            return doomed

        return await self._write(job)

    # --- items --------------------------------------------------------------

    async def add_items(self, items: Sequence[NewsItem]) -> list[NewsItem]:
        """Store items; returns the genuinely new ones (never seen before by id)."""
        batch = list(items)
        return await self._write(lambda: self._tables.items.add(batch, self._clock()))

    def is_seen(self, item_id: str) -> bool:
        """True if ``item_id`` was stored within the seen-marker retention (30 days)."""
        return self._tables.items.is_seen(item_id)

    def unseen(self, items: Sequence[NewsItem]) -> list[NewsItem]:
        """The items :meth:`add_items` would call new, without storing anything."""
        return self._tables.items.unseen(items)

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
        """Stored items newest first (by published time); ``limit=None`` for all.

        ``keyword`` must occur as whole word(s) in title or summary (folded);
        ``country`` is an ISO code. Items merged into another story are left
        out unless ``include_duplicates``.
        """
        return self._tables.items.recent(
            section=section,
            country=country,
            keyword=keyword,
            since=since,
            limit=limit,
            include_duplicates=include_duplicates,
        )

    def search(self, words: Sequence[str], limit: int = 20) -> list[NewsItem]:
        """Items where every folded word starts a word of title, summary or text."""
        return self._tables.items.search(words, limit)

    def get_item(self, item_id: str) -> NewsItem | None:
        return self._tables.items.get(item_id)

    def item_count(self) -> int:
        return len(self._tables.items)

    def story_reports(self, story_id: str) -> list[NewsItem]:
        """Every stored report of a story (wire copies included), oldest first (sync)."""
        return self._tables.items.story_reports(story_id)

    def story_count(self) -> int:
        """How many stories the stored items tell (a lone item is a story)."""
        return self._tables.items.story_count()

    async def prune(
        self,
        now: datetime | None = None,
        retention: timedelta = ITEM_RETENTION,
        seen_retention: timedelta = SEEN_RETENTION,
        delivered_retention: timedelta = DELIVERED_RETENTION,
    ) -> StorePruneResult:
        moment = now or self._clock()

        def job() -> StorePruneResult:
            pruned: PruneResult = self._tables.items.prune(moment, retention, seen_retention)
            delivered = self._tables.outbox.prune_delivered(moment, delivered_retention)
            return StorePruneResult(pruned.items, pruned.markers, delivered)

        return await self._write(job)

    # --- feed state ---------------------------------------------------------

    def get_feed_state(self, url: str) -> FeedStateDoc | None:
        """A copy of the state stored for ``url``."""
        return self._tables.feeds.get(url)

    async def put_feed_states(self, states: Mapping[str, Mapping[str, Any]]) -> None:
        """Store many feeds' states in one write (once per poll cycle)."""
        snapshot = dict(states)
        await self._write(lambda: self._tables.feeds.put(snapshot))

    # --- outbox -------------------------------------------------------------

    async def enqueue(self, entries: Sequence[OutboxEntry]) -> list[OutboxEntry]:
        """Persist messages before sending; returns those not already pending or delivered."""
        batch = list(entries)
        return await self._write(lambda: self._tables.outbox.enqueue(batch))

    def pending(self, now: datetime | None = None, limit: int | None = None) -> list[OutboxEntry]:
        """Entries due at ``now``, oldest first."""
        return self._tables.outbox.pending(now or self._clock(), limit)

    def pending_count(self) -> int:
        return self._tables.outbox.pending_count()

    def is_delivered(self, entry_id: str) -> bool:
        return self._tables.outbox.is_delivered(entry_id)

    async def mark_sent(self, ids: Sequence[str], message_id: int | None = None) -> list[str]:
        """Telegram confirmed these (as ``message_id``): turn them into delivered markers."""
        batch = list(ids)
        return await self._write(
            lambda: self._tables.outbox.mark_sent(batch, self._clock(), message_id)
        )

    async def mark_sent_many(self, message_ids: Mapping[str, int | None]) -> list[str]:
        """Confirmed sends of several messages (entry id -> message id), in one batch."""
        batch = dict(message_ids)
        return await self._write(lambda: self._tables.outbox.mark_sent_many(batch, self._clock()))

    def thread(self, chat_id: int, story_id: str) -> Thread | None:
        """The chat's thread of a story: planned or notified, by which message (sync)."""
        return self._tables.outbox.threads.get(chat_id, story_id)

    def story_threaded(self, story_id: str) -> bool:
        """Whether any chat has a thread of the story (sync)."""
        return self._tables.outbox.threads.has_story(story_id)

    async def reschedule(
        self, entry_id: str, not_before: datetime | None, attempts: int | None = None
    ) -> bool:
        """Hold a pending entry until ``not_before``; ``attempts=None`` keeps the count."""
        return await self._write(
            lambda: self._tables.outbox.reschedule(entry_id, not_before, attempts)
        )

    async def release_held(
        self, chat_id: int, kinds: Collection[str], held_until: datetime, release_at: datetime
    ) -> list[str]:
        """Send ``chat_id``'s ``kinds`` entries held until ``held_until`` at ``release_at``.

        For a setting that held them and changed; returns the ids moved.
        """
        wanted = frozenset(kinds)
        return await self._write(
            lambda: self._tables.outbox.release_held(chat_id, wanted, held_until, release_at)
        )

    async def drop(self, ids: Sequence[str]) -> list[str]:
        batch = list(ids)
        return await self._write(lambda: self._tables.outbox.drop(batch))

    # --- channel links ------------------------------------------------------

    def channel_link(self, channel_id: int) -> ChannelLink | None:
        """Who linked the channel and under which @name (sync); None if not linked."""
        return self._tables.channels.get(channel_id)

    def channel_links(self, linked_by: int | None = None) -> list[ChannelLink]:
        """Every linked channel, or those one admin linked (sync)."""
        links = self._tables.channels.all()
        if linked_by is None:
            return links
        return [link for link in links if link.linked_by == linked_by]

    async def link_channel(self, link: ChannelLink) -> ChatRecord:
        """Store the link and make sure the channel's chat record exists and is active.

        Linking again (after the bot got its rights back) reactivates a
        deactivated channel with the follows it kept.
        """
        record = await self.ensure_chat(link.channel_id, "channel")
        await self._write(lambda: self._tables.channels.put(link))
        if not record.active:
            await self.reactivate(link.channel_id)
        return self._require_chat(link.channel_id)

    async def set_channel_link(self, link: ChannelLink) -> None:
        """Replace a link's details (its ``loss_told`` flag, a new @name)."""
        await self._write(lambda: self._tables.channels.put(link))
