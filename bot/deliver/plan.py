"""What to send to whom, and when: pure planning from matches to outbox entries.

One entry per (chat, story): re-planning the same story for the same chat after a
crash produces the same entry id, so the outbox stays idempotent. Coalescing into
one message per chat happens when the outbox is drained, which also gives quiet
hours ("deliver as one message when they end") and the digest for free: they are
entries whose ``not_before`` lies in the future.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.match import Matched
from bot.model import FollowKey
from bot.store.records import outbox_entry_id

PUSH = "push"
DIGEST = "digest"
AWAY = "away"


@dataclass(frozen=True, slots=True)
class ChatPrefs:
    """The delivery settings of one chat, parsed."""

    quiet: tuple[time, time] | None = None
    digest_at: time | None = None


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    """An outbox entry before it is persisted."""

    id: str
    chat_id: int
    kind: str
    payload: dict[str, object]
    not_before: datetime


def parse_hhmm(value: str | None) -> time | None:
    """``"23:00"`` → ``time(23, 0)``; None or malformed → None."""
    if not value:
        return None
    hours, _, minutes = value.partition(":")
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def prefs_from_settings(settings: Mapping[str, object]) -> ChatPrefs:
    """Read the stored settings dict (``quiet_start``/``quiet_end``/``digest``)."""
    start = parse_hhmm(_str(settings.get("quiet_start")))
    end = parse_hhmm(_str(settings.get("quiet_end")))
    quiet = (start, end) if start is not None and end is not None and start != end else None
    return ChatPrefs(quiet=quiet, digest_at=parse_hhmm(_str(settings.get("digest"))))


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def quiet_until(prefs: ChatPrefs, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When the chat's quiet hours end, if ``now`` lies inside them; else None."""
    if prefs.quiet is None:
        return None
    start, end = prefs.quiet
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    inside = start <= clock < end if start < end else clock >= start or clock < end
    if not inside:
        return None
    end_day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz)


def next_digest(prefs: ChatPrefs, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The next moment the chat's daily digest is due (strictly after ``now``)."""
    if prefs.digest_at is None:
        return None
    local = now.astimezone(tz)
    due = datetime.combine(local.date(), prefs.digest_at, tzinfo=tz)
    if due <= local:
        due = datetime.combine(local.date() + timedelta(days=1), prefs.digest_at, tzinfo=tz)
    return due


def release_time(prefs: ChatPrefs, now: datetime, tz: ZoneInfo) -> tuple[str, datetime]:
    """The kind of entry and when it may be sent, given the chat's settings."""
    digest = next_digest(prefs, now, tz)
    if digest is not None:
        return DIGEST, digest
    return PUSH, quiet_until(prefs, now, tz) or now


def plan(
    matches: Mapping[int, Sequence[Matched]],
    prefs_for: Callable[[int], ChatPrefs],
    *,
    now: datetime,
    tz: ZoneInfo,
    max_age: timedelta,
) -> list[PlannedEntry]:
    """Outbox entries for one cycle's matches.

    Stories older than ``max_age`` (a backlog after downtime) are not pushed one
    by one; each chat gets one "while you were away" line counting them per follow.
    """
    entries: list[PlannedEntry] = []
    for chat_id, matched in matches.items():
        prefs = prefs_for(chat_id)
        kind, not_before = release_time(prefs, now, tz)
        stale: dict[FollowKey, int] = defaultdict(int)
        for match in matched:
            if now - match.item.published > max_age:
                stale[match.via[0]] += 1
                continue
            entries.append(
                PlannedEntry(
                    id=outbox_entry_id(chat_id, match.item.id),
                    chat_id=chat_id,
                    kind=kind,
                    payload={"story": match.item.id, "via": [_key_json(k) for k in match.via]},
                    not_before=not_before,
                )
            )
        if stale:
            counts = [[*_key_json(key), count] for key, count in sorted(stale.items())]
            entries.append(
                PlannedEntry(
                    id=outbox_entry_id(chat_id, f"away@{now.isoformat(timespec='minutes')}"),
                    chat_id=chat_id,
                    kind=AWAY,
                    payload={"counts": counts},
                    not_before=not_before if kind == PUSH else now,
                )
            )
    return entries


def _key_json(key: FollowKey) -> list[str]:
    return [str(key), key.label]


def key_from_json(raw: Sequence[str]) -> FollowKey:
    """Inverse of the payload encoding: ``["country:UA", "Oekraïne"]``."""
    return FollowKey.parse(raw[0], raw[1] if len(raw) > 1 else "")
