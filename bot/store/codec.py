"""Conversion between records and the JSON documents stored in TinyDB.

Datetimes are ISO 8601 strings with their UTC offset; naive datetimes are
refused because the bot compares times across time zones (Europe/Amsterdam vs
feed offsets) and a naive value would silently shift by an hour or two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.core.model import Dateline, FollowKey, NewsItem
from bot.store.records import DEFAULT_SETTINGS, ChatRecord, ChatSettings, OutboxEntry

Doc = dict[str, Any]


def dt_to_json(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"refusing to store naive datetime {value!r}")
    return value.isoformat()


def dt_from_json(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"stored datetime {text!r} has no UTC offset")
    return value


def opt_dt_to_json(value: datetime | None) -> str | None:
    return None if value is None else dt_to_json(value)


def opt_dt_from_json(text: str | None) -> datetime | None:
    return None if text is None else dt_from_json(text)


# --- news items ---------------------------------------------------------------


def item_to_doc(item: NewsItem) -> Doc:
    return {
        "id": item.id,
        "feed": item.feed,
        "source": item.source,
        "link": item.link,
        "title": item.title,
        "summary": item.summary,
        "text": item.text,
        "published": dt_to_json(item.published),
        "dateline": None if item.dateline is None else item.dateline.to_json(),
        "sections": list(item.sections),
        "countries": list(item.countries),
        "duplicate_of": item.duplicate_of,
        "also_at": list(item.also_at),
        "first_seen": opt_dt_to_json(item.first_seen),
        "story": item.story,
    }


def item_from_doc(doc: Mapping[str, Any]) -> NewsItem:
    dateline_doc = doc.get("dateline")
    dateline = (
        None
        if dateline_doc is None
        else Dateline(dateline_doc["city"], tuple(dateline_doc.get("agencies", ())))
    )
    return NewsItem(
        id=doc["id"],
        feed=doc["feed"],
        source=doc["source"],
        link=doc["link"],
        title=doc["title"],
        summary=doc["summary"],
        text=doc["text"],
        published=dt_from_json(doc["published"]),
        dateline=dateline,
        sections=tuple(doc.get("sections", ())),
        countries=tuple(doc.get("countries", ())),
        duplicate_of=doc.get("duplicate_of"),
        also_at=tuple(doc.get("also_at", ())),
        first_seen=opt_dt_from_json(doc.get("first_seen")),
        story=doc.get("story"),
    )


# --- chats --------------------------------------------------------------------

FollowInterner = Callable[[str, str], FollowKey]


def plain_follow(key: str, label: str) -> FollowKey:
    return FollowKey.parse(key, label)


def settings_to_doc(settings: ChatSettings) -> Doc:
    """Only non-default values, so the common all-default chat stores ``{}``."""
    return {
        name: value
        for name, value in settings.as_dict().items()
        if value != getattr(DEFAULT_SETTINGS, name)
    }


def settings_from_doc(doc: Mapping[str, Any]) -> ChatSettings:
    # One shared instance for every default chat keeps 100k chats cheap in memory.
    return ChatSettings(**doc) if doc else DEFAULT_SETTINGS


def chat_to_doc(record: ChatRecord) -> Doc:
    """The chat id is the TinyDB document id, so it is not repeated in the body."""
    doc: Doc = {
        "type": record.chat_type,
        "follows": [[str(key), key.label] for key in record.follows],
        "active": record.active,
        "created": dt_to_json(record.created_at),
    }
    settings = settings_to_doc(record.settings)
    if settings:
        doc["settings"] = settings
    if not record.active:
        doc["off_since"] = opt_dt_to_json(record.deactivated_at)
        doc["off_reason"] = record.deactivation_reason
    return doc


def chat_from_doc(
    chat_id: int, doc: Mapping[str, Any], follow: FollowInterner = plain_follow
) -> ChatRecord:
    return ChatRecord(
        chat_id=chat_id,
        chat_type=doc["type"],
        follows=tuple(follow(key, label) for key, label in doc["follows"]),
        settings=settings_from_doc(doc.get("settings", {})),
        active=bool(doc["active"]),
        deactivated_at=opt_dt_from_json(doc.get("off_since")),
        created_at=dt_from_json(doc["created"]),
        deactivation_reason=doc.get("off_reason"),
    )


# --- outbox -------------------------------------------------------------------


def outbox_to_doc(entry: OutboxEntry) -> Doc:
    return {
        "id": entry.id,
        "chat": entry.chat_id,
        "kind": entry.kind,
        "payload": entry.payload,
        "created": dt_to_json(entry.created_at),
        "attempts": entry.attempts,
        "not_before": opt_dt_to_json(entry.not_before),
        "sent": None,
    }


def outbox_from_doc(doc: Mapping[str, Any]) -> OutboxEntry:
    return OutboxEntry(
        id=doc["id"],
        chat_id=doc["chat"],
        kind=doc["kind"],
        payload=doc["payload"],
        created_at=dt_from_json(doc["created"]),
        attempts=doc["attempts"],
        not_before=opt_dt_from_json(doc["not_before"]),
    )
