"""Planning per story: push, follow-up or silence, per chat, as tables of real reports.

The reports are the Nunspeet light-parade accident as NRC, NOS and ND wrote it
(tests/stories/nunspeet.py), plus the barn fire in the same town. ``plan`` is
pure: the chat's threads (what it was notified of) are a table here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.deliver.match import Matched
from bot.deliver.plan import DIGEST, FOLLOWUP, PUSH, ChatPrefs, PlannedEntry, plan
from bot.deliver.story_plan import FOLLOWUP_GAP, followup_due, group_by_story, newest_stories
from bot.store.records import UPDATES_OFF, UPDATES_SEPARATE, UPDATES_SILENT
from bot.store.threads import Thread
from tests.stories.nunspeet import FIRE, ND, NOS, NRC, Report

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 10, 3, 19, 0, tzinfo=UTC)  # Saturday 21:00 in Amsterdam
MAX_AGE = timedelta(hours=6)
CHAT = 1201
NUNSPEET = FollowKey(FollowKind.KEYWORD, "nunspeet", "nunspeet")
NO_PREFS = ChatPrefs()
STORY = "nrc-lichtjesparade"


def item(report: Report, minutes: int, story: str | None = STORY) -> NewsItem:
    at = NOW - timedelta(minutes=minutes)
    return NewsItem(
        id=report.guid,
        feed=report.outlet.lower(),
        source=report.outlet,
        link=report.link,
        title=report.title,
        summary=report.lead,
        text=report.lead,
        published=at,
        story=story,
    )


NRC_ITEM = item(NRC, 40)
NOS_ITEM = item(NOS, 20)
ND_ITEM = item(ND, 5)
FIRE_ITEM = item(FIRE, 10, story=None)  # its own story


def planned(
    reports: Sequence[NewsItem],
    threads: dict[str, Thread] | None = None,
    *,
    prefs: ChatPrefs = NO_PREFS,
    fresh: Sequence[str] | None = None,
) -> list[PlannedEntry]:
    table = threads or {}
    return plan(
        {CHAT: [Matched(report, (NUNSPEET,)) for report in reports]},
        lambda chat_id: prefs,
        now=NOW,
        tz=AMS,
        max_age=MAX_AGE,
        threads=lambda chat_id, story: table.get(story) if chat_id == CHAT else None,
        fresh=frozenset(fresh if fresh is not None else [r.id for r in reports]),
    )


def summary(entries: Sequence[PlannedEntry]) -> list[tuple[str, list[str]]]:
    """(kind, listed report ids) per entry, a push's lead first and its others after."""
    rows: list[tuple[str, list[str]]] = []
    for entry in entries:
        payload = entry.payload
        if entry.kind == FOLLOWUP:
            reports = payload["reports"]
            assert isinstance(reports, list)
            rows.append((entry.kind, [str(row[0]) for row in reports]))
            continue
        stories = payload["stories"]
        also = payload.get("also", {})
        assert isinstance(stories, list)
        assert isinstance(also, dict)
        ids: list[str] = []
        for row in stories:
            ids.append(str(row[0]))
            ids.extend(also.get(row[0], []))
        rows.append((entry.kind, ids))
    return rows


NOTIFIED = Thread(
    "1201:bnrc", (NRC_ITEM.id,), message_id=77, notified_at=NOW - timedelta(minutes=39)
)
PLANNED = Thread("1201:bnrc", (NRC_ITEM.id,))  # a push held (quiet hours), not sent yet
FOLLOWED_UP = Thread(
    "1201:bnrc",
    (NRC_ITEM.id,),
    message_id=77,
    notified_at=NOW - timedelta(minutes=39),
    last_followup_at=NOW - timedelta(minutes=12),
)


@pytest.mark.parametrize(
    ("case", "reports", "threads", "updates", "expected"),
    [
        (
            "first report of a story: a push",
            [NRC_ITEM],
            {},
            UPDATES_SILENT,
            [(PUSH, [NRC_ITEM.id])],
        ),
        (
            "three outlets in one cycle: one push, the first report leads",
            [ND_ITEM, NOS_ITEM, NRC_ITEM],
            {},
            UPDATES_SILENT,
            [(PUSH, [NRC_ITEM.id, NOS_ITEM.id, ND_ITEM.id])],
        ),
        (
            "a later report of a notified story: a follow-up",
            [NOS_ITEM],
            {STORY: NOTIFIED},
            UPDATES_SILENT,
            [(FOLLOWUP, [NOS_ITEM.id])],
        ),
        (
            "two later reports in one cycle: one follow-up listing both",
            [ND_ITEM, NOS_ITEM],
            {STORY: NOTIFIED},
            UPDATES_SILENT,
            [(FOLLOWUP, [NOS_ITEM.id, ND_ITEM.id])],
        ),
        (
            "a report of a story whose push is still held: a follow-up (folded when it goes)",
            [NOS_ITEM],
            {STORY: PLANNED},
            UPDATES_SILENT,
            [(FOLLOWUP, [NOS_ITEM.id])],
        ),
        (
            "updates off: a later report is left to /laatste",
            [NOS_ITEM],
            {STORY: NOTIFIED},
            UPDATES_OFF,
            [],
        ),
        (
            "updates off: the first report still notifies",
            [NRC_ITEM],
            {},
            UPDATES_OFF,
            [(PUSH, [NRC_ITEM.id])],
        ),
        (
            "updates separate: every report its own push row, notified or not",
            [NOS_ITEM, ND_ITEM],
            {STORY: NOTIFIED},
            UPDATES_SEPARATE,
            [(PUSH, [ND_ITEM.id, NOS_ITEM.id])],
        ),
        (
            "another event in the same town: its own push beside the follow-up",
            [FIRE_ITEM, NOS_ITEM],
            {STORY: NOTIFIED},
            UPDATES_SILENT,
            [(PUSH, [FIRE_ITEM.id]), (FOLLOWUP, [NOS_ITEM.id])],
        ),
        (
            "a story notified to the chat does not silence another story",
            [FIRE_ITEM],
            {STORY: NOTIFIED},
            UPDATES_SILENT,
            [(PUSH, [FIRE_ITEM.id])],
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_what_a_chat_gets_per_story(
    case: str,
    reports: list[NewsItem],
    threads: dict[str, Thread],
    updates: str,
    expected: list[tuple[str, list[str]]],
) -> None:
    entries = planned(reports, threads, prefs=ChatPrefs(updates=updates))
    assert summary(entries) == expected, case


def test_a_push_names_the_stories_it_notifies_and_carries_the_others() -> None:
    (entry,) = planned([NRC_ITEM, NOS_ITEM])
    assert entry.payload["threads"] == [[STORY, [NRC_ITEM.id, NOS_ITEM.id]]]
    assert entry.payload["also"] == {NRC_ITEM.id: [NOS_ITEM.id]}
    assert entry.payload["stories"] == [[NRC_ITEM.id, [["keyword:nunspeet", "nunspeet"]]]]


def test_the_first_follow_up_goes_at_once_later_ones_30_minutes_after_the_last() -> None:
    (first,) = planned([NOS_ITEM], {STORY: NOTIFIED})
    assert first.not_before == NOW
    (later,) = planned([ND_ITEM], {STORY: FOLLOWED_UP})
    assert later.not_before == FOLLOWED_UP.last_followup_at + FOLLOWUP_GAP  # type: ignore[operator]
    assert later.payload["followup"] == STORY


def test_quiet_hours_hold_a_follow_up_like_a_push() -> None:
    night = ChatPrefs(quiet=(time(20, 0), time(7, 0)))
    (entry,) = planned([NOS_ITEM], {STORY: NOTIFIED}, prefs=night)
    assert entry.kind == FOLLOWUP
    assert entry.not_before == datetime(2026, 10, 4, 7, 0, tzinfo=AMS)


def test_a_digest_lists_a_story_once_and_starts_no_thread() -> None:
    digest = ChatPrefs(digest_at=time(8, 0))
    (entry,) = planned([NRC_ITEM, NOS_ITEM, FIRE_ITEM], {STORY: NOTIFIED}, prefs=digest)
    assert entry.kind == DIGEST
    assert summary([entry]) == [(DIGEST, [FIRE_ITEM.id, NRC_ITEM.id, NOS_ITEM.id])]
    assert "threads" not in entry.payload


def test_a_replan_after_a_crash_gives_the_same_entries() -> None:
    # The first attempt planned (and maybe sent) the push; the process died
    # before the items were stored, so the same reports come again.
    (first,) = planned([NRC_ITEM, NOS_ITEM])
    started = Thread(first.id, (NRC_ITEM.id, NOS_ITEM.id), message_id=5, notified_at=NOW)
    (again,) = planned([NRC_ITEM, NOS_ITEM], {STORY: started})
    assert (again.id, again.kind) == (first.id, PUSH)
    # A follow-up re-planned for the same reports has the same id too.
    (followup,) = planned([ND_ITEM], {STORY: NOTIFIED})
    (followup_again,) = planned([ND_ITEM], {STORY: NOTIFIED})
    assert followup.id == followup_again.id
    # ... and another report set gives another id.
    (other,) = planned([ND_ITEM, NOS_ITEM], {STORY: NOTIFIED})
    assert other.id != followup.id


def test_a_thread_of_an_earlier_cycle_is_not_taken_for_this_one() -> None:
    # NRC's push went out last cycle; NOS now: a follow-up, never a second push.
    entries = planned([NOS_ITEM], {STORY: NOTIFIED}, fresh=[NOS_ITEM.id])
    assert summary(entries) == [(FOLLOWUP, [NOS_ITEM.id])]


@pytest.mark.parametrize(
    ("last", "now_offset", "expected_offset"),
    [
        (None, 0, 0),
        (timedelta(minutes=-45), 0, 0),
        (timedelta(minutes=-30), 0, 0),
        (timedelta(minutes=-12), 0, 18),
        (timedelta(minutes=-1), 0, 29),
    ],
)
def test_followup_due(last: timedelta | None, now_offset: int, expected_offset: int) -> None:
    thread = Thread("e", (), 1, NOW, None if last is None else NOW + last)
    now = NOW + timedelta(minutes=now_offset)
    assert followup_due(thread, now) == now + timedelta(minutes=expected_offset)


def test_group_by_story_orders_stories_by_their_newest_report() -> None:
    groups = group_by_story(
        [Matched(r, (NUNSPEET,)) for r in (FIRE_ITEM, NRC_ITEM, ND_ITEM, NOS_ITEM)]
    )
    assert [(g.story, g.lead.item.id, [m.item.id for m in g.others]) for g in groups] == [
        (STORY, NRC_ITEM.id, [NOS_ITEM.id, ND_ITEM.id]),
        (FIRE_ITEM.id, FIRE_ITEM.id, []),
    ]


def many_reports() -> list[NewsItem]:
    """Thirty reports of twelve stories, outlets and times interleaved (seeded)."""
    rng = random.Random(12)
    reports = []
    for n in range(30):
        source = (NRC, NOS, ND, FIRE)[n % 4]
        story = f"story-{rng.randrange(12)}"
        reports.append(replace(item(source, rng.randrange(0, 120), story), id=f"r{n}"))
    return reports


@pytest.mark.parametrize("separate", [False, True])
@pytest.mark.parametrize("count", [1, 5, 10, 40])
def test_newest_stories_is_the_head_of_the_full_grouping(separate: bool, count: int) -> None:
    matched = [Matched(report, (NUNSPEET,)) for report in many_reports()]
    groups = group_by_story(matched, separate=separate)
    listed, total = newest_stories(matched, count, separate=separate)
    assert total == len(groups)
    assert [(g.story, g.lead, g.others) for g in listed] == [
        (g.story, g.lead, g.others) for g in groups[:count]
    ]


def test_skipping_stories_no_chat_has_a_thread_of_changes_nothing() -> None:
    reports = many_reports()
    notified = {"story-3": NOTIFIED, "story-7": FOLLOWED_UP}
    matches = {chat: [Matched(r, (NUNSPEET,)) for r in reports] for chat in (1, 2, 3)}

    def run(threaded: object) -> list[tuple[str, str, object]]:
        entries = plan(
            matches,
            lambda chat_id: NO_PREFS,
            now=NOW,
            tz=AMS,
            max_age=MAX_AGE,
            threads=lambda chat_id, story: notified.get(story) if chat_id == 2 else None,
            fresh=frozenset(r.id for r in reports),
            threaded=threaded,  # type: ignore[arg-type]
        )
        return [(e.id, e.kind, e.payload) for e in entries]

    assert run(notified.__contains__) == run(None)
    kinds = [kind for _, kind, _ in run(notified.__contains__)]
    assert kinds.count(FOLLOWUP) == 2  # chat 2: a follow-up for each notified story
