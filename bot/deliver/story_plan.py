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
    Ties keep the matches' order. Runs once per shared matches object, for a
    batch of hundreds of stories: kept to plain loops.
    """
    keyed: list[tuple[datetime, StoryGroup]] = []
    if separate:
        keyed = [
            (match.item.published, StoryGroup(match.item.story_id, match)) for match in matched
        ]
    else:
        by_story: dict[str, list[Matched]] = {}
        for match in matched:
            item = match.item
            story = item.story or item.id
            reports = by_story.get(story)
            if reports is None:
                by_story[story] = [match]
            else:
                reports.append(match)
        for story, reports in by_story.items():
            if len(reports) == 1:
                lead = reports[0]
                keyed.append((lead.item.published, StoryGroup(story, lead)))
                continue
            reports.sort(key=_report_order)
            newest = max(match.item.published for match in reports)
            keyed.append((newest, StoryGroup(story, reports[0], tuple(reports[1:]))))
    keyed.sort(key=_first, reverse=True)
    return [group for _, group in keyed]


def newest_stories(
    matched: Sequence[Matched], count: int, *, separate: bool = False
) -> tuple[list[StoryGroup], int]:
    """``group_by_story(matched)[:count]`` and the number of groups, without grouping
    the rest: a push lists the newest few stories of a batch and counts the others.
    """
    by_newest = sorted(matched, key=_published, reverse=True)
    if separate:
        listed = [StoryGroup(match.item.story_id, match) for match in by_newest[:count]]
        return listed, len(matched)
    order: list[str] = []
    for match in by_newest:
        story = match.item.story or match.item.id
        if story not in order:
            order.append(story)
            if len(order) == count:
                break
    wanted = dict.fromkeys(order)
    reports: dict[str, list[Matched]] = {story: [] for story in order}
    for match in matched:
        story = match.item.story or match.item.id
        if story in wanted:
            reports[story].append(match)
    listed = []
    for story in order:
        ordered = sorted(reports[story], key=_report_order)
        listed.append(StoryGroup(story, ordered[0], tuple(ordered[1:])))
    total = len({match.item.story or match.item.id for match in matched})
    return listed, total


def _published(match: Matched) -> datetime:
    return match.item.published


def _report_order(match: Matched) -> tuple[datetime, str]:
    return (match.item.published, match.item.id)


def _first(pair: tuple[datetime, StoryGroup]) -> datetime:
    return pair[0]


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
    groups = group_by_story(matched, separate=updates == UPDATES_SEPARATE)
    return decide_groups(chat_id, groups, updates=updates, threads=threads, fresh=fresh, now=now)


def decide_groups(
    chat_id: int,
    groups: Sequence[StoryGroup],
    *,
    updates: str,
    threads: ThreadLookup | None,
    fresh: Collection[str],
    now: datetime,
    looked_up: Collection[str] | None = None,
) -> ChatDecision:
    """``decide`` for matches already grouped (per report with ``separate``).

    ``looked_up``: the only stories whose thread is asked for (None: all); the
    planner leaves out stories no chat has a thread of.
    """
    decision = ChatDecision()
    if updates == UPDATES_SEPARATE:
        decision.pushes = list(groups)
        return decision
    for group in groups:
        asked = threads is not None and (looked_up is None or group.story in looked_up)
        thread = threads(chat_id, group.story) if threads is not None and asked else None
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
