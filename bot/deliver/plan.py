"""What to send to whom, and when: pure planning from matches to outbox entries.

One entry per chat and cycle, its id derived from the stories it lists:
re-planning the same stories for the same chat after a crash produces the same
entry id, so the outbox stays idempotent. Coalescing into
one message per chat happens when the outbox is drained, which also gives quiet
hours ("deliver as one message when they end") and the digest for free: they are
entries whose ``not_before`` lies in the future.

Stories (``bot.deliver.story_plan``): a chat is notified of a story once. The
first report of a story the chat matches is listed in a push entry, with the
story's other reports of the same cycle beside it (``also``), and the entry
names the stories it notifies (``threads``, which the store's thread index
reads). Later reports of a story the chat was notified of (or will be, when a
held push goes out) become a ``FOLLOWUP`` entry per story, not before 30
minutes after the story's last follow-up; its id is derived from the chat, the
story and the reports, so a re-plan is idempotent too. A digest lists a story
once, with its other reports beside it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.model import FollowKey
from bot.deliver.match import Matched
from bot.deliver.story_plan import (
    FollowUp,
    StoryGroup,
    ThreadLookup,
    decide_groups,
    group_by_story,
    newest_stories,
)
from bot.store.records import (
    UPDATES_CHOICES,
    UPDATES_SEPARATE,
    UPDATES_SILENT,
    ChatSettings,
    outbox_entry_id,
)
from bot.store.threads import FOLLOWUP as FOLLOWUP_KEY
from bot.store.threads import THREADS

# One message shows at most five stories ("en N meer" for the rest); an entry
# keeps a few more so coalesced entries still fill a message with the newest.
MAX_STORIES_PER_ENTRY = 10
# A chat's matches beyond this (a huge backlog) are counted, not inspected.
MAX_STORIES_SCANNED = 500

PUSH = "push"
DIGEST = "digest"
AWAY = "away"
FOLLOWUP = "followup"  # later reports of a notified story: a silent reply to its push


@dataclass(frozen=True, slots=True)
class ChatPrefs:
    """The delivery settings of one chat, parsed."""

    quiet: tuple[time, time] | None = None
    digest_at: time | None = None
    updates: str = UPDATES_SILENT


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
    updates = settings.updates if settings.updates in UPDATES_CHOICES else UPDATES_SILENT
    return ChatPrefs(quiet=quiet, digest_at=parse_hhmm(settings.digest_time), updates=updates)


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
    threads: ThreadLookup | None = None,
    fresh: Collection[str] = (),
    threaded: Callable[[str], bool] | None = None,
) -> list[PlannedEntry]:
    """Outbox entries for one cycle's matches: per chat at most one push, one away
    line, and a follow-up per story the chat was already told about.

    Reports older than ``max_age`` (a backlog after downtime) are not pushed one
    by one; each chat gets one "while you were away" line counting them per follow.
    A push entry lists the newest ``MAX_STORIES_PER_ENTRY`` stories and counts the
    rest, which the message mentions as "en N meer". ``threads`` tells which
    stories a chat was notified of (None: none); ``fresh`` holds the ids of this
    cycle's new items (see ``bot.deliver.story_plan``). ``threaded`` tells
    whether any chat has a thread of a story: the others are not looked up per
    chat, so a cycle of new stories costs one payload per shared matches object.
    """
    entries: list[PlannedEntry] = []
    # Chats that matched the same keys share one matches object (bot.deliver.match):
    # what depends on the matches alone is worked out once per object.
    shared: dict[int, _SharedMatches] = {}
    away_id = f"away@{now.isoformat(timespec='minutes')}"
    for chat_id, matched in matches.items():
        prefs = prefs_for(chat_id)
        kind, not_before = release_time(prefs, now, tz)
        info = shared.get(id(matched))
        if info is None or info.matched is not matched:
            info = shared[id(matched)] = _SharedMatches.of(matched, now, max_age)
        if info.current and kind == DIGEST:
            entries.append(info.entry(chat_id, kind, not_before, separate=False, threaded=False))
        elif info.current:
            separate = prefs.updates == UPDATES_SEPARATE
            looked_up = info.threaded_stories(threaded) if threaded is not None else None
            if looked_up is not None and not looked_up:
                # No story of these matches has a thread anywhere: all are pushes.
                entries.append(info.entry(chat_id, kind, not_before, separate, threaded=True))
            else:
                groups = info.groups(separate)
                decision = decide_groups(
                    chat_id,
                    groups,
                    updates=prefs.updates,
                    threads=threads,
                    fresh=fresh,
                    now=now,
                    looked_up=looked_up,
                )
                if len(decision.pushes) == len(groups):
                    entries.append(info.entry(chat_id, kind, not_before, separate, threaded=True))
                elif decision.pushes:
                    pushes = decision.pushes
                    entries.append(_story_entry(chat_id, kind, pushes, info.unscanned, not_before))
                entries.extend(
                    _followup_entry(chat_id, followup, not_before)
                    for followup in decision.followups
                )
        if info.away_counts:
            entries.append(
                PlannedEntry(
                    id=outbox_entry_id(chat_id, away_id),
                    chat_id=chat_id,
                    kind=AWAY,
                    payload={"counts": info.away_counts},
                    not_before=not_before if kind == PUSH else now,
                )
            )
    return entries


@dataclass(slots=True)
class _SharedMatches:
    """What one matches object gives every chat that has it: fresh and stale
    reports, stories, and the payload of an entry listing them all."""

    matched: Sequence[Matched]
    current: list[Matched]
    away_counts: list[list[object]]
    unscanned: int
    _groups: dict[bool, list[StoryGroup]] = field(default_factory=dict)
    _payloads: dict[tuple[bool, bool], tuple[dict[str, object], str]] = field(default_factory=dict)
    _threaded: frozenset[str] | None = None

    @classmethod
    def of(cls, matched: Sequence[Matched], now: datetime, max_age: timedelta) -> _SharedMatches:
        current: list[Matched] = []
        stale: dict[FollowKey, int] = defaultdict(int)
        for match in matched[:MAX_STORIES_SCANNED]:
            if now - match.item.published > max_age:
                stale[match.via[0]] += 1
            else:
                current.append(match)
        counts: list[list[object]] = [
            [*_key_json(key), count] for key, count in sorted(stale.items())
        ]
        return cls(matched, current, counts, max(0, len(matched) - MAX_STORIES_SCANNED))

    def groups(self, separate: bool) -> list[StoryGroup]:
        found = self._groups.get(separate)
        if found is None:
            found = self._groups[separate] = group_by_story(self.current, separate=separate)
        return found

    def threaded_stories(self, threaded: Callable[[str], bool]) -> frozenset[str]:
        """The stories of these matches that some chat has a thread of."""
        if self._threaded is None:
            stories = {match.item.story_id for match in self.current}
            self._threaded = frozenset(story for story in stories if threaded(story))
        return self._threaded

    def entry(
        self, chat_id: int, kind: str, not_before: datetime, separate: bool, threaded: bool
    ) -> PlannedEntry:
        """The entry listing every story (one payload object shared by these chats)."""
        cached = self._payloads.get((separate, threaded))
        if cached is None:
            listed, total = newest_stories(self.current, MAX_STORIES_PER_ENTRY, separate=separate)
            cached = self._payloads[(separate, threaded)] = _story_payload(
                listed, total, self.unscanned, threaded
            )
        payload, batch = cached
        return PlannedEntry(outbox_entry_id(chat_id, batch), chat_id, kind, payload, not_before)


def _story_entry(
    chat_id: int,
    kind: str,
    groups: Sequence[StoryGroup],
    unscanned: int,
    not_before: datetime,
) -> PlannedEntry:
    """A push entry listing the newest of ``groups``, each led by its first report."""
    listed = list(groups[:MAX_STORIES_PER_ENTRY])
    payload, batch = _story_payload(listed, len(groups), unscanned, threaded=True)
    return PlannedEntry(outbox_entry_id(chat_id, batch), chat_id, kind, payload, not_before)


def _story_payload(
    listed: Sequence[StoryGroup], total: int, unscanned: int, threaded: bool
) -> tuple[dict[str, object], str]:
    """The payload of an entry listing ``listed`` of ``total`` stories, and its batch id.

    ``threaded``: the entry notifies the chat of these stories (a push; a
    digest does not start threads).
    """
    payload: dict[str, object] = {
        "stories": [[group.lead.item.id, _via_json(group.reports)] for group in listed],
        "more": total - len(listed) + unscanned,
    }
    also = {
        group.lead.item.id: [match.item.id for match in group.others]
        for group in listed
        if group.others
    }
    if also:
        payload["also"] = also
    if threaded:
        payload[THREADS] = [
            [group.story, [match.item.id for match in group.reports]] for group in listed
        ]
    item_ids = [match.item.id for group in listed for match in group.reports]
    return payload, _batch_id(item_ids)


def _followup_entry(chat_id: int, followup: FollowUp, not_before: datetime) -> PlannedEntry:
    """One story's new reports for a silent reply (quiet hours hold it like a push)."""
    report_ids = [match.item.id for match in followup.reports]
    due = max(not_before, followup.not_before) if followup.not_before else not_before
    return PlannedEntry(
        id=outbox_entry_id(chat_id, "f" + _batch_id([f"story:{followup.story}", *report_ids])[1:]),
        chat_id=chat_id,
        kind=FOLLOWUP,
        payload={
            FOLLOWUP_KEY: followup.story,
            "reports": [
                [match.item.id, [_key_json(k) for k in match.via]] for match in followup.reports
            ],
        },
        not_before=due,
    )


def _via_json(reports: Sequence[Matched]) -> list[list[str]]:
    """Every follow that brought any report of a story, in first-seen order."""
    keys = dict.fromkeys(key for match in reports for key in match.via)
    return [_key_json(key) for key in keys]


def _batch_id(story_ids: Sequence[str]) -> str:
    """A stable id for a set of stories: re-planning the same batch is a no-op."""
    digest = hashlib.sha1("\n".join(sorted(story_ids)).encode(), usedforsecurity=False)
    return "b" + digest.hexdigest()[:20]


def _key_json(key: FollowKey) -> list[str]:
    return [str(key), key.label]


def key_from_json(raw: Sequence[str]) -> FollowKey:
    """Inverse of the payload encoding: ``["country:UA", "Oekraïne"]``."""
    return FollowKey.parse(raw[0], raw[1] if len(raw) > 1 else "")
