"""Quiet hours and the daily digest across the DST changes of Europe/Amsterdam.

On 29 March 2026 the wall clock skips 02:00-02:59 (CET → CEST); on 25 October
2026 it shows 02:00-02:59 twice (CEST, then CET). A time computed for 02:30 must
never lie in the past, or the digest fires at once and quiet hours end early.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.deliver.plan import ChatPrefs, next_digest, quiet_until

AMS = ZoneInfo("Europe/Amsterdam")
SPRING = datetime(2026, 3, 29, tzinfo=UTC)  # clocks go forward at 01:00 UTC
AUTUMN = datetime(2026, 10, 25, tzinfo=UTC)  # clocks go back at 01:00 UTC


def utc(day: datetime, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` UTC on ``day``; hours past 23 run into the next day."""
    return day + timedelta(hours=hour, minutes=minute)


def quiet(start: str, end: str) -> ChatPrefs:
    return ChatPrefs(quiet=(time.fromisoformat(start), time.fromisoformat(end)))


def digest(at: str) -> ChatPrefs:
    return ChatPrefs(digest_at=time.fromisoformat(at))


@pytest.mark.parametrize(
    ("prefs", "now", "expected"),
    [
        # Autumn: 02:15 in the repeated hour (CET, 01:15 UTC). Quiet hours end at
        # the second 02:30 (01:30 UTC), not the first one, which has passed.
        pytest.param(
            quiet("23:00", "02:30"), utc(AUTUMN, 1, 15), utc(AUTUMN, 1, 30), id="autumn-2nd-pass"
        ),
        # 02:15 in the first pass (CEST, 00:15 UTC): quiet until the last 02:30 too.
        pytest.param(
            quiet("23:00", "02:30"), utc(AUTUMN, 0, 15), utc(AUTUMN, 1, 30), id="autumn-1st-pass"
        ),
        pytest.param(quiet("23:00", "02:30"), utc(AUTUMN, 1, 45), None, id="autumn-after-2nd-0230"),
        pytest.param(
            quiet("23:00", "07:00"), utc(AUTUMN, 1, 15), utc(AUTUMN, 6, 0), id="autumn-overnight"
        ),
        # Spring: 02:30 does not exist; quiet hours last until the clock passes it,
        # at the jump to 03:00 CEST (01:00 UTC), for held and new messages alike.
        pytest.param(
            quiet("23:00", "02:30"), utc(SPRING, 0, 50), utc(SPRING, 1, 0), id="spring-before"
        ),
        pytest.param(
            quiet("23:00", "02:30"), utc(SPRING, 0, 59), utc(SPRING, 1, 0), id="spring-at-gap"
        ),
        pytest.param(quiet("23:00", "02:30"), utc(SPRING, 1, 0), None, id="spring-over"),
        pytest.param(
            quiet("23:00", "07:00"), utc(SPRING, 1, 10), utc(SPRING, 5, 0), id="spring-overnight"
        ),
    ],
)
def test_quiet_until_on_dst_days(
    prefs: ChatPrefs, now: datetime, expected: datetime | None
) -> None:
    until = quiet_until(prefs, now, AMS)
    # Compared in UTC: an aware time in a repeated hour never equals one of another zone.
    assert (until and until.astimezone(UTC)) == expected


@pytest.mark.parametrize(
    ("prefs", "now", "expected"),
    [
        # Autumn, 02:15 CET (01:15 UTC): today's 02:30 digest went at 02:30 CEST
        # (00:30 UTC); the next one is tomorrow's, not one in the past.
        pytest.param(digest("02:30"), utc(AUTUMN, 1, 15), utc(AUTUMN, 25, 30), id="autumn-2nd"),
        pytest.param(digest("02:30"), utc(AUTUMN, 0, 15), utc(AUTUMN, 0, 30), id="autumn-1st"),
        pytest.param(digest("08:00"), utc(AUTUMN, 1, 15), utc(AUTUMN, 7, 0), id="autumn-08"),
        # Spring: 02:30 does not exist; the digest goes at the jump (03:00 CEST).
        pytest.param(digest("02:30"), utc(SPRING, 0, 45), utc(SPRING, 1, 0), id="spring-before"),
        pytest.param(digest("02:30"), utc(SPRING, 1, 10), utc(SPRING, 24, 30), id="spring-gap"),
        pytest.param(digest("02:30"), utc(SPRING, 1, 30), utc(SPRING, 24, 30), id="spring-done"),
        pytest.param(digest("08:00"), utc(SPRING, 1, 10), utc(SPRING, 6, 0), id="spring-08"),
    ],
)
def test_next_digest_on_dst_days(prefs: ChatPrefs, now: datetime, expected: datetime) -> None:
    due = next_digest(prefs, now, AMS)
    assert due is not None
    assert due.astimezone(UTC) == expected


def minutes_of(day: datetime) -> list[datetime]:
    """Every minute from 22:00 the evening before to 06:00 UTC on ``day``."""
    start = day - timedelta(hours=2)
    return [start + timedelta(minutes=m) for m in range(8 * 60)]


SETTINGS = ["00:00", "01:59", "02:00", "02:30", "02:59", "03:00", "03:30", "07:00", "23:00"]


@pytest.mark.parametrize("day", [SPRING, AUTUMN], ids=["29-march", "25-october"])
def test_every_minute_of_a_dst_night_gives_a_future_time(day: datetime) -> None:
    for now in minutes_of(day):
        for at in SETTINGS:
            due = next_digest(digest(at), now, AMS)
            assert due is not None
            assert now < due <= now + timedelta(hours=25), (now, at, due)
            for end in SETTINGS:
                if end == at:
                    continue
                until = quiet_until(quiet(at, end), now, AMS)
                if until is not None:
                    assert now < until <= now + timedelta(hours=25), (now, at, end, until)


@pytest.mark.parametrize("day", [SPRING, AUTUMN], ids=["29-march", "25-october"])
def test_one_digest_per_day_across_a_dst_night(day: datetime) -> None:
    """Following next_digest from due time to due time gives one digest a day."""
    for at in SETTINGS:
        now = day - timedelta(days=1)
        dues = []
        for _ in range(3):
            due = next_digest(digest(at), now, AMS)
            assert due is not None
            dues.append(due.astimezone(AMS).date())
            now = due
        assert len(set(dues)) == 3, (at, dues)
