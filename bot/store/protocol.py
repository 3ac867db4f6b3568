"""What the stages need of the store, as Protocols.

Ingest and delivery depend on these, not on the concrete ``Store``, so the
direction of knowledge is stage → protocol ← store, and a stage can be tested
against any object with these methods.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.core.model import NewsItem
from bot.store.records import ChatRecord, OutboxEntry
from bot.store.threads import Thread


class ItemReader(Protocol):
    def get_item(self, item_id: str) -> NewsItem | None: ...


class IngestStore(ItemReader, Protocol):
    """Seen markers, stored items and feed state: what a poll cycle reads and writes."""

    def is_seen(self, item_id: str) -> bool: ...

    def recent(
        self,
        *,
        section: str | None = None,
        country: str | None = None,
        keyword: str | None = None,
        since: datetime | None = None,
        limit: int | None = 20,
        include_duplicates: bool = False,
    ) -> list[NewsItem]: ...

    async def add_items(self, items: Sequence[NewsItem]) -> list[NewsItem]: ...

    def story_reports(self, story_id: str) -> list[NewsItem]: ...

    def get_feed_state(self, url: str) -> dict[str, Any] | None: ...

    async def put_feed_states(self, states: Mapping[str, Mapping[str, Any]]) -> None: ...


class DeliveryStore(ItemReader, Protocol):
    """Chats and the outbox: what the push engine reads and writes."""

    def get_chat(self, chat_id: int) -> ChatRecord | None: ...

    async def enqueue(self, entries: Sequence[OutboxEntry]) -> list[OutboxEntry]: ...

    def pending(
        self, now: datetime | None = None, limit: int | None = None
    ) -> list[OutboxEntry]: ...

    async def mark_sent(self, ids: Sequence[str], message_id: int | None = None) -> list[str]: ...

    async def mark_sent_many(self, message_ids: Mapping[str, int | None]) -> list[str]: ...

    def thread(self, chat_id: int, story_id: str) -> Thread | None: ...

    def story_threaded(self, story_id: str) -> bool: ...

    def is_delivered(self, entry_id: str) -> bool: ...

    async def reschedule(
        self, entry_id: str, not_before: datetime | None, attempts: int | None = None
    ) -> bool: ...

    async def release_held(
        self, chat_id: int, kinds: Collection[str], held_until: datetime, release_at: datetime
    ) -> list[str]: ...

    async def drop(self, ids: Sequence[str]) -> list[str]: ...

    async def deactivate(self, chat_id: int, reason: str, now: datetime | None = None) -> bool: ...

    async def migrate_chat(self, old_id: int, new_id: int) -> ChatRecord | None: ...
