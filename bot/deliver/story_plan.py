"""One chat's matches, per story: which notify, which follow up, which stay silent. Pure.

A story (``NewsItem.story_id``: one news event, whichever outlet reports it)
notifies a chat once. ``decide`` takes one chat's fresh matches of a cycle,
groups them per story and asks the chat's thread of each story
(``bot.store.threads``) whether it was notified or planned already:

| chat's thread of the story | ``updates`` | the cycle's reports become |
|---|---|---|
| none | any | one push: the first report leads, the others beside it |
| planned or notified | ``silent`` | a silent reply to the push (one per 30 min) |
| planned or notified | ``off`` | nothing (``/laatste`` still lists them) |
| any | ``separate`` | every report its own push row, as before stories |

A thread that lists one of this cycle's own reports was started by an earlier
attempt at this very cycle (the process died after the outbox write and
before the items were stored, so they come again): it is planned again as it
was, which gives the same entry ids, and the outbox ignores ids it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.deliver.match import Matched
from bot.store.records import UPDATES_OFF, UPDATES_SEPARATE
from bot.store.threads import Thread

# At most one silent follow-up per story and chat in this time.
FOLLOWUP_GAP = timedelta(minutes=30)

ThreadLookup = Callable[[int, str], Thread | None]


@dataclass(frozen=True, slots=True)
class StoryGroup:
    """One story's reports among a chat's matches; ``lead`` is its first report."""

    story: str
    lead: Matched
    others: tuple[Matched, ...] = ()

    @property
    def reports(self) -> tuple[Matched, ...]:
        return (self.lead, *self.others)

    @property
    def newest(self) -> datetime:
        return max(match.item.published for match in self.reports)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Reports of a story the chat was told about, for one silent reply."""

    story: str
    reports: tuple[Matched, ...]
    # The earliest the reply may go: 30 minutes after the story's last one.
    not_before: datetime | None = None


@dataclass(slots=True)
class ChatDecision:
    """What one chat's fresh matches of a cycle become."""

    pushes: list[StoryGroup] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    silenced: int = 0  # reports left to /laatste (``updates`` off)


def group_by_story(matched: Sequence[Matched], *, separate: bool = False) -> list[StoryGroup]:
    """The matches per story, newest story first; in a story the earliest report leads.

    With ``separate`` every report is a group of its own (today's behaviour).
    """
    if separate:
        groups = [StoryGroup(match.item.story_id, match) for match in matched]
    else:
        by_story: dict[str, list[Matched]] = {}
        for match in matched:
            by_story.setdefault(match.item.story_id, []).append(match)
        groups = []
        for story, reports in by_story.items():
            ordered = sorted(reports, key=lambda m: (m.item.published, m.item.id))
            groups.append(StoryGroup(story, ordered[0], tuple(ordered[1:])))
    groups.sort(key=lambda group: group.newest, reverse=True)
    return groups


def decide(
    chat_id: int,
    matched: Sequence[Matched],
    *,
    updates: str,
    threads: ThreadLookup | None,
    fresh: Collection[str],
    now: datetime,
) -> ChatDecision:
    """Push, follow-up or silence for each story of one chat's fresh matches."""
    decision = ChatDecision()
    if updates == UPDATES_SEPARATE:
        decision.pushes = group_by_story(matched, separate=True)
        return decision
    for group in group_by_story(matched):
        thread = threads(chat_id, group.story) if threads is not None else None
        if thread is None or started_by_cycle(thread, fresh):
            decision.pushes.append(group)
        elif updates == UPDATES_OFF:
            decision.silenced += len(group.reports)
        else:
            decision.followups.append(
                FollowUp(group.story, group.reports, followup_due(thread, now))
            )
    return decision


def followup_due(thread: Thread, now: datetime) -> datetime:
    """When a follow-up of ``thread`` may go: now, or 30 minutes after the last one."""
    if thread.last_followup_at is None:
        return now
    return max(now, thread.last_followup_at + FOLLOWUP_GAP)


def started_by_cycle(thread: Thread, fresh: Collection[str]) -> bool:
    """Whether ``thread`` lists one of this cycle's reports: an earlier attempt at it."""
    return any(report in fresh for report in thread.reports)
