"""What to send to whom, and when: pure planning from matches to outbox entries.

One entry per chat and cycle, its id derived from the stories it lists:
re-planning the same stories for the same chat after a crash produces the same
entry id, so the outbox stays idempotent. Coalescing into
one message per chat happens when the outbox is drained, which also gives quiet
hours ("deliver as one message when they end") and the digest for free: they are
entries whose ``not_before`` lies in the future.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.model import FollowKey
from bot.deliver.match import Matched
from bot.store.records import ChatSettings, outbox_entry_id

# One message shows at most five stories ("en N meer" for the rest); an entry
# keeps a few more so coalesced entries still fill a message with the newest.
MAX_STORIES_PER_ENTRY = 10
# A chat's matches beyond this (a huge backlog) are counted, not inspected.
MAX_STORIES_SCANNED = 500

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


def prefs_from_settings(settings: ChatSettings) -> ChatPrefs:
    """The delivery-relevant part of a chat's stored settings."""
    start = parse_hhmm(settings.quiet_start)
    end = parse_hhmm(settings.quiet_end)
    quiet = (start, end) if start is not None and end is not None and start != end else None
    return ChatPrefs(quiet=quiet, digest_at=parse_hhmm(settings.digest_time))


def quiet_until(prefs: ChatPrefs, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When the chat's quiet hours end, if ``now`` lies inside them; else None.

    Judged in instants, not wall times, so the DST nights hold: quiet hours
    begin at the first occurrence of their start and end at the last
    occurrence of their end (on the October night the repeated hour stays
    quiet); a wall time the March night skips counts from the jump (03:00).
    The result is always strictly after ``now``.
    """
    if prefs.quiet is None:
        return None
    start, end = prefs.quiet
    today = now.astimezone(tz).date()
    for start_day in (today - timedelta(days=1), today):
        end_day = start_day if start < end else start_day + timedelta(days=1)
        begins = _wall_time(start_day, start, tz, last=False)
        ends = _wall_time(end_day, end, tz, last=True)
        if begins <= now < ends:
            return ends
    return None


def next_digest(prefs: ChatPrefs, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The next moment the chat's daily digest is due (strictly after ``now``).

    One a day: a digest time the October night repeats is due at its first
    occurrence only; one the March night skips is due at the jump (03:00).
    """
    if prefs.digest_at is None:
        return None
    today = now.astimezone(tz).date()
    for day in (today, today + timedelta(days=1)):
        due = _wall_time(day, prefs.digest_at, tz, last=False)
        if due > now:
            return due
    return _wall_time(today + timedelta(days=2), prefs.digest_at, tz, last=False)


def _wall_time(day: date, at: time, tz: ZoneInfo, *, last: bool) -> datetime:
    """The instant the wall clock in ``tz`` shows ``at`` on ``day``, in ``tz``.

    A time shown twice (the October night) gives its first occurrence, or its
    last with ``last``. A time never shown (the March night) gives the first
    instant the clock shows a later time: the jump itself (02:30 → 03:00 summer
    time), whichever occurrence is asked for. Normalised through UTC, so the
    result carries the right offset (and ``fold``) and orders correctly against
    any aware datetime.
    """
    first = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
    second = datetime.combine(day, at, tzinfo=tz).replace(fold=1).astimezone(UTC)
    if second < first:  # skipped: the jump lies between the two readings
        return _jump_between(second, first, tz)
    return (second if last else first).astimezone(tz)


def _jump_between(before: datetime, after: datetime, tz: ZoneInfo) -> datetime:
    """The instant in (before, after] where ``tz``'s offset changes, to the second."""
    offset_after = after.astimezone(tz).utcoffset()
    low, high = before, after
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0).astimezone(tz)


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
    """Outbox entries for one cycle's matches: at most one push and one away line per chat.

    Stories older than ``max_age`` (a backlog after downtime) are not pushed one
    by one; each chat gets one "while you were away" line counting them per follow.
    A push entry lists the newest ``MAX_STORIES_PER_ENTRY`` stories and counts the
    rest, which the message mentions as "en N meer".
    """
    entries: list[PlannedEntry] = []
    for chat_id, matched in matches.items():
        prefs = prefs_for(chat_id)
        kind, not_before = release_time(prefs, now, tz)
        fresh: list[Matched] = []
        stale: dict[FollowKey, int] = defaultdict(int)
        for match in matched[:MAX_STORIES_SCANNED]:
            if now - match.item.published > max_age:
                stale[match.via[0]] += 1
            else:
                fresh.append(match)
        unscanned = max(0, len(matched) - MAX_STORIES_SCANNED)
        if fresh:
            fresh.sort(key=lambda m: m.item.published, reverse=True)
            listed = fresh[:MAX_STORIES_PER_ENTRY]
            story_ids = [m.item.id for m in listed]
            entries.append(
                PlannedEntry(
                    id=outbox_entry_id(chat_id, _batch_id(story_ids)),
                    chat_id=chat_id,
                    kind=kind,
                    payload={
                        "stories": [[m.item.id, [_key_json(k) for k in m.via]] for m in listed],
                        "more": len(fresh) - len(listed) + unscanned,
                    },
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


def _batch_id(story_ids: Sequence[str]) -> str:
    """A stable id for a set of stories: re-planning the same batch is a no-op."""
    digest = hashlib.sha1("\n".join(sorted(story_ids)).encode(), usedforsecurity=False)
    return "b" + digest.hexdigest()[:20]


def _key_json(key: FollowKey) -> list[str]:
    return [str(key), key.label]


def key_from_json(raw: Sequence[str]) -> FollowKey:
    """Inverse of the payload encoding: ``["country:UA", "Oekraïne"]``."""
    return FollowKey.parse(raw[0], raw[1] if len(raw) > 1 else "")
