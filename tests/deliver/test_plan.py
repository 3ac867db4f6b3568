"""Quiet hours, digests and planning, in Europe/Amsterdam, daylight-saving nights included.

``now`` is passed in UTC, as the bot's clock gives it; expected moments are
written as Amsterdam wall-clock times (or UTC where the wall clock is ambiguous)
and compared as instants. 2026's switches: Sunday 29 March, 02:00 CET becomes
03:00 CEST (02:00-03:00 does not exist); Sunday 25 October, 03:00 CEST becomes
02:00 CET (02:00-03:00 happens twice).

Item titles are real NOS headlines (tests/fixtures/feeds/), some shortened.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.deliver.match import Matched
from bot.deliver.plan import (
    AWAY,
    DIGEST,
    MAX_STORIES_PER_ENTRY,
    MAX_STORIES_SCANNED,
    PUSH,
    ChatPrefs,
    PlannedEntry,
    key_from_json,
    next_digest,
    parse_hhmm,
    plan,
    prefs_from_settings,
    quiet_until,
    release_time,
)
from bot.store.records import ChatSettings

AMS = ZoneInfo("Europe/Amsterdam")
# Thursday 1 October 2026, 15:00 in Amsterdam (CEST, UTC+2).
NOW = datetime(2026, 10, 1, 13, 0, tzinfo=UTC)
MAX_AGE = timedelta(hours=6)

UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
RU = FollowKey(FollowKind.COUNTRY, "RU", "Rusland")
SPORT = FollowKey(FollowKind.SECTION, "sport", "Sport")
PUTIN = FollowKey(FollowKind.KEYWORD, "poetin", "Poetin")

NIGHT = ChatPrefs(quiet=(time(23, 0), time(7, 0)))
LUNCH = ChatPrefs(quiet=(time(12, 0), time(13, 0)))
NO_PREFS = ChatPrefs()

ITEM_ISSUE_7 = "issue 11 item 7"


def ams(year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    """An Amsterdam wall-clock time; ``fold=1`` picks the second of a repeated hour."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS, fold=fold)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(moment: datetime) -> tuple[int, int, int, int, int]:
    """The Amsterdam wall clock at ``moment``, normalised through UTC.

    ``astimezone`` on a datetime already carrying AMS would return it unchanged,
    even when its fields name a time that does not exist.
    """
    local = moment.astimezone(UTC).astimezone(AMS)
    return local.year, local.month, local.day, local.hour, local.minute


def minutes(start: datetime, end: datetime, step: int = 1) -> Iterator[datetime]:
    moment = start
    while moment < end:
        yield moment
        moment += timedelta(minutes=step)


# -- parse_hhmm and prefs_from_settings --------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23:00", time(23, 0)),
        ("07:30", time(7, 30)),
        ("7:05", time(7, 5)),
        ("00:00", time(0, 0)),
        (None, None),
        ("", None),
        ("24:00", None),
        ("23:60", None),
        ("23", None),
        ("half acht", None),
        ("23:00:00", None),
        ("-1:00", None),
    ],
)
def test_parse_hhmm(text: str | None, expected: time | None) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (ChatSettings(), ChatPrefs()),
        (
            ChatSettings(quiet_start="23:00", quiet_end="07:00"),
            ChatPrefs(quiet=(time(23, 0), time(7, 0))),
        ),
        (
            ChatSettings(quiet_start="12:00", quiet_end="13:00"),
            ChatPrefs(quiet=(time(12, 0), time(13, 0))),
        ),
        # start == end: no quiet hours at all (not "quiet all day")
        (ChatSettings(quiet_start="08:00", quiet_end="08:00"), ChatPrefs()),
        # half a setting, or a broken one, means no quiet hours
        (ChatSettings(quiet_start="23:00"), ChatPrefs()),
        (ChatSettings(quiet_end="07:00"), ChatPrefs()),
        (ChatSettings(quiet_start="23:00", quiet_end="25:00"), ChatPrefs()),
        (ChatSettings(digest_time="18:30"), ChatPrefs(digest_at=time(18, 30))),
        (ChatSettings(digest_time="zes uur"), ChatPrefs()),
        (
            ChatSettings(quiet_start="22:30", quiet_end="06:45", digest_time="07:15"),
            ChatPrefs(quiet=(time(22, 30), time(6, 45)), digest_at=time(7, 15)),
        ),
    ],
)
def test_prefs_from_settings(settings: ChatSettings, expected: ChatPrefs) -> None:
    assert prefs_from_settings(settings) == expected


# -- quiet_until ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefs", "now", "expected"),
    [
        # 23:00-07:00 crosses midnight
        (NIGHT, ams(2026, 10, 1, 23, 30), ams(2026, 10, 2, 7, 0)),
        (NIGHT, ams(2026, 10, 1, 23, 0), ams(2026, 10, 2, 7, 0)),  # start is inside
        (NIGHT, ams(2026, 10, 2, 0, 0), ams(2026, 10, 2, 7, 0)),
        (NIGHT, ams(2026, 10, 2, 2, 15), ams(2026, 10, 2, 7, 0)),
        (NIGHT, ams(2026, 10, 2, 6, 59), ams(2026, 10, 2, 7, 0)),
        (NIGHT, ams(2026, 10, 2, 7, 0), None),  # end is outside
        (NIGHT, ams(2026, 10, 1, 22, 59), None),
        (NIGHT, ams(2026, 10, 1, 15, 0), None),
        # 12:00-13:00 within one day
        (LUNCH, ams(2026, 10, 1, 12, 0), ams(2026, 10, 1, 13, 0)),
        (LUNCH, ams(2026, 10, 1, 12, 45), ams(2026, 10, 1, 13, 0)),
        (LUNCH, ams(2026, 10, 1, 13, 0), None),
        (LUNCH, ams(2026, 10, 1, 11, 59), None),
        (LUNCH, ams(2026, 10, 1, 23, 30), None),
        (LUNCH, ams(2026, 10, 2, 0, 30), None),
        # no quiet hours, and start == end as the settings parse it
        (NO_PREFS, ams(2026, 10, 1, 3, 0), None),
        (prefs_from_settings(ChatSettings("08:00", "08:00")), ams(2026, 10, 1, 8, 0), None),
        (prefs_from_settings(ChatSettings("08:00", "08:00")), ams(2026, 10, 1, 20, 0), None),
        # winter time: the same wall clock, one hour later in UTC
        (NIGHT, ams(2026, 12, 24, 23, 30), ams(2026, 12, 25, 7, 0)),
    ],
)
def test_quiet_until(prefs: ChatPrefs, now: datetime, expected: datetime | None) -> None:
    result = quiet_until(prefs, now.astimezone(UTC), AMS)
    assert result == expected
    if expected is not None:
        assert result is not None
        assert wall(result) == wall(expected)


@pytest.mark.parametrize(
    ("now", "expected_utc"),
    [
        # spring: the night is an hour shorter, and the morning ends at 07:00 CEST
        (ams(2026, 3, 28, 23, 30), utc(2026, 3, 29, 5, 0)),
        (ams(2026, 3, 29, 1, 59), utc(2026, 3, 29, 5, 0)),
        (ams(2026, 3, 29, 3, 0), utc(2026, 3, 29, 5, 0)),  # the first minute of CEST
        # autumn: an hour longer, ending at 07:00 CET; both 02:30s are inside
        (ams(2026, 10, 24, 23, 30), utc(2026, 10, 25, 6, 0)),
        (ams(2026, 10, 25, 2, 30, fold=0), utc(2026, 10, 25, 6, 0)),
        (ams(2026, 10, 25, 2, 30, fold=1), utc(2026, 10, 25, 6, 0)),
    ],
)
def test_night_quiet_hours_over_the_dst_switches(now: datetime, expected_utc: datetime) -> None:
    result = quiet_until(NIGHT, now.astimezone(UTC), AMS)
    assert result == expected_utc
    assert result is not None
    assert wall(result)[3:] == (7, 0)


def test_quiet_until_reads_the_wall_clock_whatever_zone_now_carries() -> None:
    moment = ams(2026, 10, 2, 2, 15)
    results = {quiet_until(NIGHT, moment.astimezone(zone), AMS) for zone in (UTC, AMS)}
    assert results == {ams(2026, 10, 2, 7, 0)}


def test_quiet_hours_ending_in_the_repeated_autumn_hour_end_after_now() -> None:
    # 01:00-02:30; now is the second 02:15 (CET, 01:15 UTC): the clock says quiet
    # until it reads 02:30 again, at 01:30 UTC.
    prefs = ChatPrefs(quiet=(time(1, 0), time(2, 30)))
    now = ams(2026, 10, 25, 2, 15, fold=1).astimezone(UTC)
    assert now == utc(2026, 10, 25, 1, 15)
    until = quiet_until(prefs, now, AMS)
    assert until is not None
    # Compared in UTC: Python never finds a time in the repeated hour equal to another zone's.
    assert until.astimezone(UTC) == utc(2026, 10, 25, 1, 30)


def test_quiet_hours_ending_in_the_missing_spring_hour_end_when_the_clock_jumps() -> None:
    # 23:00-02:30 on the night the clock jumps from 02:00 to 03:00: quiet_until
    # itself says 03:00 CEST is outside, so held pushes are due at 03:00, not later.
    prefs = ChatPrefs(quiet=(time(23, 0), time(2, 30)))
    now = ams(2026, 3, 29, 1, 45).astimezone(UTC)
    assert quiet_until(prefs, utc(2026, 3, 29, 1, 0), AMS) is None  # 03:00 CEST
    assert quiet_until(prefs, now, AMS) == utc(2026, 3, 29, 1, 0)


def _check_quiet_hours_hold_exactly_until_they_end(prefs: ChatPrefs, day: datetime) -> None:
    """For every minute of the night and day around ``day``: if quiet, the answer is
    strictly later, every minute up to it is quiet, and at the answer it is not."""
    start = day - timedelta(hours=6)
    for now in minutes(start, start + timedelta(hours=30), step=5):
        until = quiet_until(prefs, now, AMS)
        if until is None:
            continue
        assert until > now, (now, until)
        assert quiet_until(prefs, until, AMS) is None, (now, until)
        held = [t for t in minutes(now, until) if quiet_until(prefs, t, AMS) is None]
        assert held == [], (now, until)


@pytest.mark.parametrize(
    ("prefs", "day"),
    [
        (NIGHT, utc(2026, 10, 1, 0, 0)),
        (LUNCH, utc(2026, 10, 1, 0, 0)),
        (NIGHT, utc(2026, 3, 29, 0, 0)),
        (NIGHT, utc(2026, 10, 25, 0, 0)),
        (LUNCH, utc(2026, 3, 29, 0, 0)),
        (LUNCH, utc(2026, 10, 25, 0, 0)),
        pytest.param(
            ChatPrefs(quiet=(time(23, 0), time(2, 30))),
            utc(2026, 3, 29, 0, 0),
        ),
        pytest.param(
            ChatPrefs(quiet=(time(1, 0), time(2, 30))),
            utc(2026, 10, 25, 0, 0),
        ),
    ],
    ids=[
        "23-07 on 1 Oct",
        "12-13 on 1 Oct",
        "23-07 on 29 Mar",
        "23-07 on 25 Oct",
        "12-13 on 29 Mar",
        "12-13 on 25 Oct",
        "23-0230 on 29 Mar",
        "01-0230 on 25 Oct",
    ],
)
def test_quiet_hours_hold_exactly_until_they_end(prefs: ChatPrefs, day: datetime) -> None:
    _check_quiet_hours_hold_exactly_until_they_end(prefs, day)


# -- next_digest -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("digest_at", "now", "expected"),
    [
        (time(18, 0), ams(2026, 10, 1, 15, 0), ams(2026, 10, 1, 18, 0)),  # later today
        (time(7, 0), ams(2026, 10, 1, 15, 0), ams(2026, 10, 2, 7, 0)),  # passed: tomorrow
        (time(18, 0), ams(2026, 10, 1, 18, 0), ams(2026, 10, 2, 18, 0)),  # strictly after now
        (time(18, 0), ams(2026, 10, 1, 17, 59), ams(2026, 10, 1, 18, 0)),
        (time(0, 0), ams(2026, 10, 1, 23, 59), ams(2026, 10, 2, 0, 0)),
        (time(23, 59), ams(2026, 10, 1, 0, 0), ams(2026, 10, 1, 23, 59)),
        # across the switches the wall clock stays put and the UTC hour moves
        (time(7, 0), ams(2026, 3, 28, 20, 0), ams(2026, 3, 29, 7, 0)),
        (time(7, 0), ams(2026, 10, 24, 20, 0), ams(2026, 10, 25, 7, 0)),
        (time(18, 0), ams(2026, 3, 29, 12, 0), ams(2026, 3, 29, 18, 0)),
        (time(18, 0), ams(2026, 10, 25, 12, 0), ams(2026, 10, 25, 18, 0)),
    ],
)
def test_next_digest(digest_at: time, now: datetime, expected: datetime) -> None:
    result = next_digest(ChatPrefs(digest_at=digest_at), now.astimezone(UTC), AMS)
    assert result == expected
    assert result is not None
    assert wall(result) == wall(expected)


def test_no_digest_without_a_digest_time() -> None:
    assert next_digest(NIGHT, NOW, AMS) is None


def test_digest_on_the_switch_days_lands_on_the_right_utc_hour() -> None:
    morning = ChatPrefs(digest_at=time(7, 0))
    spring = next_digest(morning, utc(2026, 3, 28, 19, 0), AMS)
    autumn = next_digest(morning, utc(2026, 10, 24, 18, 0), AMS)
    assert spring == utc(2026, 3, 29, 5, 0)  # CEST
    assert autumn == utc(2026, 10, 25, 6, 0)  # CET


def test_digest_in_the_repeated_autumn_hour_is_after_now() -> None:
    # Digest at 02:30; now is the second 02:00 (CET, 01:00 UTC). Whether the
    # digest comes at the second 02:30 today or at 02:30 tomorrow, it comes later.
    now = ams(2026, 10, 25, 2, 0, fold=1).astimezone(UTC)
    result = next_digest(ChatPrefs(digest_at=time(2, 30)), now, AMS)
    assert result is not None
    assert result > now
    assert wall(result)[3:] == (2, 30)
    assert result <= ams(2026, 10, 26, 2, 30)


def _check_digest_is_a_steady_daily_moment(digest_at: time, day: datetime) -> None:
    """Scanning ``now`` over 30 hours: the next digest is strictly after now and does
    not change until it is reached, so every story of that stretch waits for the same one."""
    prefs = ChatPrefs(digest_at=digest_at)
    start = day - timedelta(hours=6)
    expected: datetime | None = None
    for now in minutes(start, start + timedelta(hours=30), step=5):
        due = next_digest(prefs, now, AMS)
        assert due is not None
        assert now < due <= now + timedelta(hours=25), (now, due)
        if expected is not None and now < expected:
            assert due == expected, (now, due, expected)
        expected = due


@pytest.mark.parametrize(
    ("digest_at", "day"),
    [
        (time(7, 0), utc(2026, 10, 1, 0, 0)),
        (time(7, 0), utc(2026, 3, 29, 0, 0)),
        (time(7, 0), utc(2026, 10, 25, 0, 0)),
        (time(3, 0), utc(2026, 10, 25, 0, 0)),
        (time(1, 59), utc(2026, 3, 29, 0, 0)),
        pytest.param(
            time(2, 30),
            utc(2026, 3, 29, 0, 0),
        ),
        pytest.param(
            time(2, 30),
            utc(2026, 10, 25, 0, 0),
        ),
    ],
    ids=[
        "0700 on 1 Oct",
        "0700 on 29 Mar",
        "0700 on 25 Oct",
        "0300 on 25 Oct",
        "0159 on 29 Mar",
        "0230 on 29 Mar",
        "0230 on 25 Oct",
    ],
)
def test_digest_is_a_steady_daily_moment(digest_at: time, day: datetime) -> None:
    _check_digest_is_a_steady_daily_moment(digest_at, day)


# -- release_time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefs", "now", "expected"),
    [
        (NO_PREFS, ams(2026, 10, 1, 15, 0), (PUSH, ams(2026, 10, 1, 15, 0))),
        (NIGHT, ams(2026, 10, 1, 15, 0), (PUSH, ams(2026, 10, 1, 15, 0))),
        (NIGHT, ams(2026, 10, 1, 23, 10), (PUSH, ams(2026, 10, 2, 7, 0))),
        (LUNCH, ams(2026, 10, 1, 12, 5), (PUSH, ams(2026, 10, 1, 13, 0))),
        (
            ChatPrefs(digest_at=time(18, 0)),
            ams(2026, 10, 1, 15, 0),
            (DIGEST, ams(2026, 10, 1, 18, 0)),
        ),
        # a digest chat gets its digest, quiet hours or not
        (
            ChatPrefs(quiet=(time(23, 0), time(7, 0)), digest_at=time(7, 30)),
            ams(2026, 10, 1, 23, 10),
            (DIGEST, ams(2026, 10, 2, 7, 30)),
        ),
    ],
)
def test_release_time(prefs: ChatPrefs, now: datetime, expected: tuple[str, datetime]) -> None:
    assert release_time(prefs, now.astimezone(UTC), AMS) == expected


# -- plan --------------------------------------------------------------------------


def news(item_id: str, title: str, age: timedelta) -> NewsItem:
    return NewsItem(
        id=item_id,
        feed="nos-algemeen",
        source="NOS",
        link=f"https://nos.nl/l/{item_id}",
        title=title,
        summary="",
        text="",
        published=NOW - age,
    )


DRONES = news(
    "2600568",
    "Zeker 13 mijnwerkers dood door Russische drone-aanval",
    timedelta(minutes=5),
)
KYIV = news("2600571", "Grote drone-aanval op Kyiv", timedelta(minutes=20))
TALKS = news("2600575", "Poetin en Zelensky praten niet met elkaar", timedelta(hours=2))
STALE_1 = news("2600401", "Oekraïne krijgt extra luchtafweer", timedelta(hours=9))
STALE_2 = news("2600402", "Rusland sluit luchtruim boven Koersk", timedelta(days=2))
FEYENOORD = news("2600999", "Feyenoord wint ruim van Sparta", timedelta(hours=7))


def listed_ids(entry: PlannedEntry) -> list[str]:
    """The story ids an entry lists, in its order."""
    stories = entry.payload["stories"]
    assert isinstance(stories, list)
    return [str(story[0]) for story in stories]


def run_plan(
    matches: dict[int, list[Matched]],
    prefs: dict[int, ChatPrefs] | None = None,
    now: datetime = NOW,
) -> list[PlannedEntry]:
    table = prefs or {}
    return plan(
        matches,
        lambda chat_id: table.get(chat_id, NO_PREFS),
        now=now,
        tz=AMS,
        max_age=MAX_AGE,
    )


def test_fresh_matches_become_one_push_newest_first() -> None:
    entries = run_plan(
        {1001: [Matched(TALKS, (PUTIN,)), Matched(DRONES, (UA, RU)), Matched(KYIV, (UA,))]}
    )
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.chat_id, entry.kind, entry.not_before) == (1001, PUSH, NOW)
    assert entry.id.startswith("1001:b")
    assert entry.payload == {
        "stories": [
            ["2600568", [["country:UA", "Oekraïne"], ["country:RU", "Rusland"]]],
            ["2600571", [["country:UA", "Oekraïne"]]],
            ["2600575", [["keyword:poetin", "Poetin"]]],
        ],
        "more": 0,
        # The stories this push notifies the chat of (the store's thread index reads it).
        "threads": [["2600568", ["2600568"]], ["2600571", ["2600571"]], ["2600575", ["2600575"]]],
    }


def test_stories_older_than_max_age_become_one_away_line_counted_per_follow() -> None:
    exactly = news("2600500", "Kabinet presenteert plannen voor de woningmarkt", MAX_AGE)
    entries = run_plan(
        {
            1001: [
                Matched(DRONES, (UA,)),
                Matched(exactly, (UA,)),  # exactly max_age old is still fresh
                Matched(STALE_1, (UA,)),
                Matched(STALE_2, (RU, UA)),  # counted once, under its first follow
                Matched(FEYENOORD, (SPORT,)),
            ]
        }
    )
    push, away = entries
    assert push.kind == PUSH
    assert listed_ids(push) == ["2600568", "2600500"]
    assert away.kind == AWAY
    assert away.id == "1001:away@2026-10-01T13:00+00:00"
    assert away.not_before == NOW
    assert away.payload == {
        "counts": [
            ["country:RU", "Rusland", 1],
            ["country:UA", "Oekraïne", 1],
            ["section:sport", "Sport", 1],
        ]
    }


def test_only_stale_matches_give_only_the_away_line() -> None:
    entries = run_plan({1001: [Matched(STALE_1, (UA,)), Matched(STALE_2, (UA,))]})
    assert [(e.kind, e.payload) for e in entries] == [
        (AWAY, {"counts": [["country:UA", "Oekraïne", 2]]})
    ]


def test_an_entry_lists_the_newest_ten_and_counts_the_rest() -> None:
    items = [
        news(f"26006{n:02}", f"Liveblog Oekraïne, deel {n}", timedelta(minutes=n))
        for n in range(12)
    ]
    entries = run_plan({1001: [Matched(item, (UA,)) for item in reversed(items)]})
    (entry,) = entries
    listed = listed_ids(entry)
    assert len(listed) == MAX_STORIES_PER_ENTRY
    assert listed == [f"26006{n:02}" for n in range(10)]
    assert entry.payload["more"] == 2


def test_a_huge_backlog_is_counted_beyond_what_is_scanned() -> None:
    total = MAX_STORIES_SCANNED + 7
    items = [news(f"27{n:05}", f"Bericht {n}", timedelta(seconds=n)) for n in range(total)]
    (entry,) = run_plan({1001: [Matched(item, (UA,)) for item in items]})
    assert len(listed_ids(entry)) == MAX_STORIES_PER_ENTRY
    assert entry.payload["more"] == total - MAX_STORIES_PER_ENTRY


def test_quiet_hours_hold_both_push_and_away_until_they_end() -> None:
    late = utc(2026, 10, 1, 21, 30)  # 23:30 in Amsterdam
    fresh = replace(news("2600700", "Explosies gehoord in Kyiv", timedelta(0)), published=late)
    entries = run_plan(
        {1001: [Matched(fresh, (UA,)), Matched(STALE_2, (UA,))]}, {1001: NIGHT}, now=late
    )
    assert [(e.kind, e.not_before) for e in entries] == [
        (PUSH, ams(2026, 10, 2, 7, 0)),
        (AWAY, ams(2026, 10, 2, 7, 0)),
    ]


def test_digest_chats_get_a_digest_entry_and_the_away_line_now() -> None:
    entries = run_plan(
        {1001: [Matched(DRONES, (UA,)), Matched(STALE_1, (UA,))]},
        {1001: ChatPrefs(digest_at=time(18, 0))},
    )
    assert [(e.kind, e.not_before) for e in entries] == [
        (DIGEST, ams(2026, 10, 1, 18, 0)),
        (AWAY, NOW),
    ]


def test_each_chat_is_planned_with_its_own_settings() -> None:
    entries = run_plan(
        {
            1001: [Matched(DRONES, (UA,))],
            1002: [Matched(DRONES, (UA,))],
            -100123: [Matched(DRONES, (UA,))],
            1004: [],
        },
        {1002: LUNCH, -100123: ChatPrefs(digest_at=time(7, 0))},
    )
    assert [(e.chat_id, e.kind, e.not_before) for e in entries] == [
        (1001, PUSH, NOW),
        (1002, PUSH, NOW),  # 15:00 is outside 12:00-13:00
        (-100123, DIGEST, ams(2026, 10, 2, 7, 0)),
    ]
    assert len({e.id for e in entries}) == 3


def test_entry_ids_depend_on_the_chat_and_the_set_of_stories_only() -> None:
    def push_id(chat_id: int, items: list[NewsItem], now: datetime = NOW) -> str:
        (entry,) = run_plan({chat_id: [Matched(item, (UA,)) for item in items]}, now=now)
        return entry.id

    first = push_id(1001, [DRONES, KYIV])
    assert push_id(1001, [KYIV, DRONES]) == first  # order does not matter
    assert push_id(1001, [DRONES, KYIV], now=NOW + timedelta(minutes=10)) == first  # a re-plan
    assert push_id(1001, [DRONES]) != first
    assert push_id(1002, [DRONES, KYIV]) != first
    assert push_id(1002, [DRONES, KYIV]).removeprefix("1002:") == first.removeprefix("1001:")


@pytest.mark.parametrize(
    ("raw", "expected_label"),
    [
        (["country:UA", "Oekraïne"], "Oekraïne"),
        (["section:sport", "Sport"], "Sport"),
        (["keyword:den haag"], ""),
    ],
)
def test_key_from_json(raw: list[str], expected_label: str) -> None:
    key = key_from_json(raw)
    assert str(key) == raw[0]
    assert key.label == expected_label


def test_payload_keys_read_back_as_the_follows_that_matched() -> None:
    (entry,) = run_plan({1001: [Matched(DRONES, (UA, PUTIN))]})
    stories = entry.payload["stories"]
    assert isinstance(stories, list)
    via = [key_from_json(raw) for raw in stories[0][1]]
    assert via == [UA, PUTIN]
    assert [key.label for key in via] == ["Oekraïne", "Poetin"]
