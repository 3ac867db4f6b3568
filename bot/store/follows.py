"""Pure edits of a chat's follow list. No I/O; the store persists the result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.core.model import FollowKey
from bot.store.records import ChatRecord

# Past ~50 follows a chat is effectively subscribing to everything; the limit
# keeps a single chat's matching cost and document size bounded.
MAX_FOLLOWS = 50


def unique_keys(keys: Iterable[FollowKey]) -> tuple[FollowKey, ...]:
    """Drop repeats (by kind and value; labels don't count), keep first order."""
    seen: set[FollowKey] = set()
    result: list[FollowKey] = []
    for key in keys:
        if key not in seen:
            seen.add(key)
            result.append(key)
    return tuple(result)


def missing_keys(record: ChatRecord, keys: Iterable[FollowKey]) -> tuple[FollowKey, ...]:
    """The keys of ``keys`` the chat does not follow yet, without repeats."""
    current = set(record.follows)
    return tuple(key for key in unique_keys(keys) if key not in current)


def with_follows_added(
    record: ChatRecord, keys: Iterable[FollowKey]
) -> tuple[ChatRecord, tuple[FollowKey, ...]]:
    """Append the keys not followed yet; returns the new record and what was added.

    The caller checks the limit (it needs the chat id for the error).
    """
    added = missing_keys(record, keys)
    if not added:
        return record, ()
    return replace(record, follows=record.follows + added), added


def with_follows_removed(
    record: ChatRecord, keys: Iterable[FollowKey]
) -> tuple[ChatRecord, tuple[FollowKey, ...]]:
    """Drop the given keys; returns the new record and what was really removed."""
    doomed = set(keys)
    removed = tuple(key for key in record.follows if key in doomed)
    if not removed:
        return record, ()
    kept = tuple(key for key in record.follows if key not in doomed)
    return replace(record, follows=kept), removed


def merged_for_migration(old: ChatRecord, new: ChatRecord | None, new_id: int) -> ChatRecord:
    """The record a migrated group ends up with under its new (supergroup) id.

    If the new id already has a record (the migration ran half-way before a
    crash, or someone used the bot in the supergroup first) follows are united,
    the new id's own follows first, capped at the limit.
    """
    if new is None:
        return replace(old, chat_id=new_id, chat_type="supergroup")
    follows = unique_keys(new.follows + old.follows)[:MAX_FOLLOWS]
    return replace(new, follows=follows, active=new.active or old.active)
