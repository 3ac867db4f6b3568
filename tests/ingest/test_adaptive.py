"""Adaptive polling: the learned hour-of-day rate, the interval rule, hints, backoff, storage.

Feeds are replayed through the production functions with the test clock: each
poll counts the items published since the previous one (what a real poll would
see as new), ``AdaptivePolicy.learn`` records them, and the next check comes
from ``next_state_after_success(delay=policy.delay(...))``.
"""

from __future__ import annotations

import itertools
import json
import random
from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import ScheduleConfig
from bot.core.clock import ManualClock as Clock
from bot.ingest.adaptive import REFERENCE_INTERVAL, AdaptivePolicy
from bot.ingest.feedstate import FeedState
from bot.ingest.publishing import (
    HALF_LIFE,
    HOURS_PER_DAY,
    MAX_OBSERVED_SPAN,
    PublishingModel,
    hour_pieces,
)
from bot.ingest.schedule import (
    ServerHints,
    next_state_after_error,
    next_state_after_success,
)
from tests.plugin_feeds import MidpointRandom

AMS = ZoneInfo("Europe/Amsterdam")
URL = "https://www.nu.nl/rss/Algemeen"
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)
START = datetime(2026, 10, 5, tzinfo=AMS)  # a Monday
POLICY = AdaptivePolicy.from_config(ScheduleConfig())


def local(day: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """A wall-clock time in Amsterdam, ``day`` days after START, as UTC."""
    return (START + timedelta(days=day)).replace(hour=hh, minute=mm, second=ss).astimezone(UTC)


def morning_to_evening_feed(days: int) -> list[datetime]:
    """A news feed that publishes every 5 minutes from 07:00 to 19:00 and twice a night."""
    moments: list[datetime] = []
    for day in range(days):
        moments += [local(day, 7) + 5 * MIN * n for n in range(12 * 12)]
        moments += [local(day, 1, 30), local(day, 4, 30)]
    return sorted(moments)


def replay(
    policy: AdaptivePolicy,
    published: Sequence[datetime],
    clock: Clock,
    until: datetime,
    *,
    state: FeedState | None = None,
    hints: ServerHints | None = None,
    rng: random.Random | None = None,
) -> tuple[FeedState, list[datetime]]:
    """Poll the feed whenever it is due until ``until``; the state and the poll times.

    ``published`` is sorted; each poll counts what appeared since the previous success.
    """
    state = state or FeedState(url=URL)
    rng = rng or MidpointRandom()
    polls: list[datetime] = []
    while clock.now < until:
        now = clock()
        polls.append(now)
        since = state.last_success
        seen = 0 if since is None else bisect_right(published, since)
        new = bisect_right(published, now) - seen
        state = policy.learn(state, now=now, new_items=new)
        state = next_state_after_success(
            state,
            now=now,
            interval=policy.start,
            hints=hints or ServerHints(),
            rng=rng,
            delay=policy.delay(state, now=now, hints=hints),
        )
        assert state.next_check is not None
        clock.now = state.next_check
    return state, polls


@pytest.fixture(scope="module")
def learned_two_weeks() -> FeedState:
    """The morning-to-evening feed's state after two weeks of adaptive polling."""
    clock = Clock(local(0, 0))
    state, _ = replay(POLICY, morning_to_evening_feed(15), clock, local(14, 0))
    return state


# --- the interval rule ----------------------------------------------------------


@pytest.mark.parametrize(
    ("per_hour", "expected"),
    [
        pytest.param(1.0, REFERENCE_INTERVAL, id="one an hour: the reference, 4 min"),
        pytest.param(4.0, 2 * MIN, id="four an hour: 2 min"),
        pytest.param(16.0, 1 * MIN, id="sixteen an hour: 1 min"),
        pytest.param(100.0, 1 * MIN, id="a hundred an hour: the 60 s floor"),
        pytest.param(0.25, 8 * MIN, id="one in four hours: 8 min"),
        pytest.param(1 / 16, 15 * MIN, id="one in sixteen hours: 16 min, capped at 15"),
        pytest.param(0.0, 15 * MIN, id="nothing: the ceiling"),
    ],
)
def test_interval_follows_the_square_root_of_the_rate(per_hour: float, expected: timedelta) -> None:
    assert POLICY.interval_for_rate(per_hour) == expected


@pytest.mark.parametrize(
    ("poll", "shortest", "longest"),
    [
        pytest.param(300, 60, 900, id="defaults"),
        pytest.param(120, 60, 900, id="a shorter start"),
        pytest.param(2, 60, 900, id="test config below the floor"),
        pytest.param(1800, 60, 900, id="start above the ceiling"),
    ],
)
def test_a_feed_without_history_polls_at_poll_interval_seconds(
    poll: int, shortest: int, longest: int
) -> None:
    policy = AdaptivePolicy.from_config(
        ScheduleConfig(
            poll_interval_seconds=poll, min_interval_seconds=shortest, max_interval_seconds=longest
        )
    )
    never_polled = FeedState(url=URL)
    baseline_only = policy.learn(never_polled, now=local(0, 8), new_items=20)
    assert baseline_only.publishing is None  # the first fetch is the baseline: nothing learned
    for state in (never_polled, baseline_only):
        for hour in (3, 8, 18):
            assert policy.delay(state, now=local(0, hour)) == timedelta(seconds=poll)
    # The prior is the rate the starting interval stands for: early learning starts there.
    assert policy.interval_for_rate(policy.prior_rate) == min(
        max(timedelta(seconds=poll), policy.floor), policy.ceiling
    )


def test_a_new_quiet_feed_slows_down_and_a_new_busy_feed_speeds_up_within_hours() -> None:
    clock = Clock(local(0, 10))
    quiet, _ = replay(POLICY, [], clock, local(0, 13))
    clock = Clock(local(0, 10))
    busy_items = [local(0, 10) + 3 * MIN * n for n in range(60)]  # 20 an hour
    busy, _ = replay(POLICY, busy_items, clock, local(0, 13))
    now = local(0, 13)
    assert POLICY.delay(quiet, now=now) > POLICY.start
    assert POLICY.delay(busy, now=now) < 2 * MIN


# --- the hour of day ------------------------------------------------------------


@pytest.mark.parametrize(
    ("hh", "mm", "shortest_s", "longest_s"),
    [
        pytest.param(3, 0, 300, 900, id="03:00 night: slower than the fixed 5 min"),
        pytest.param(5, 30, 300, 900, id="05:30 still night"),
        pytest.param(8, 0, 60, 80, id="08:00 twelve an hour: about 69 s"),
        pytest.param(13, 0, 60, 80, id="13:00 twelve an hour"),
        pytest.param(18, 30, 60, 100, id="18:30 last busy hour"),
        pytest.param(20, 30, 600, 900, id="20:30 evening: quiet"),
        pytest.param(22, 30, 600, 900, id="22:30 evening: quiet"),
    ],
)
def test_a_feed_is_polled_fast_in_its_busy_hours_and_slowly_at_night(
    learned_two_weeks: FeedState, hh: int, mm: int, shortest_s: int, longest_s: int
) -> None:
    interval = POLICY.interval(learned_two_weeks, now=local(14, hh, mm))
    assert shortest_s * S <= interval <= longest_s * S


def test_the_interval_shortens_through_the_morning_and_lengthens_in_the_evening(
    learned_two_weeks: FeedState,
) -> None:
    def at(hh: int, mm: int) -> timedelta:
        return POLICY.interval(learned_two_weeks, now=local(14, hh, mm))

    assert at(5, 0) > at(6, 30) > at(7, 30) >= at(8, 30)
    assert at(18, 30) < at(19, 30) < at(20, 30)


def test_the_first_poll_of_a_busy_hour_is_at_its_start_not_after_its_first_items() -> None:
    # Publishes from 09:00 on: hour 8 is a little busy (its neighbour), hour 7 quiet.
    published = sorted(local(day, 9) + 4 * MIN * n for day in range(8) for n in range(15 * 8))
    clock = Clock(local(0, 0))
    state, _ = replay(POLICY, published, clock, local(7, 0))
    quiet = POLICY.interval(state, now=local(7, 7, 0))
    busier = POLICY.interval(state, now=local(7, 8, 0))
    assert quiet > 5 * MIN > busier
    # 07:55: the quiet hour's interval would run past 08:00; the poll moves to 08:00 sharp.
    assert POLICY.interval(state, now=local(7, 7, 55)) == 5 * MIN
    # 07:59:50: not 10 s (a burst of polls) but the busier hour's own interval.
    assert POLICY.interval(state, now=local(7, 7, 59, 50)) == busier
    # Replayed on: the first poll of 08:xx comes within the busier interval of 08:00.
    _, polls = replay(POLICY, published, clock, local(7, 9), state=state)
    first = min(poll for poll in polls if poll >= local(7, 8))
    assert first <= local(7, 8) + busier


def test_learning_works_in_local_time_across_the_dst_change() -> None:
    # 25 October 2026: 03:00 CEST becomes 02:00 CET; the feed's hours are Dutch hours.
    published = sorted(local(day, 9) + 4 * MIN * n for day in range(14, 28) for n in range(120))
    clock = Clock(local(14, 0))
    state, _ = replay(POLICY, published, clock, local(27, 0))
    for day in (21, 27):  # one week before, one week after the change
        assert POLICY.interval(state, now=local(day, 12)) < 90 * S
        assert POLICY.interval(state, now=local(day, 3)) >= 10 * MIN


# --- server hints and errors ----------------------------------------------------


def test_a_feed_with_max_age_120_is_never_polled_faster(learned_two_weeks: FeedState) -> None:
    published = morning_to_evening_feed(16)
    free_clock = Clock(local(14, 6))
    _, free = replay(
        POLICY, published, free_clock, local(15, 6), state=learned_two_weeks, rng=random.Random(1)
    )
    hinted_clock = Clock(local(14, 6))
    _, hinted = replay(
        POLICY,
        published,
        hinted_clock,
        local(15, 6),
        state=learned_two_weeks,
        hints=ServerHints(max_age=120 * S),
        rng=random.Random(1),
    )
    # Without the hint this feed is polled faster than every 120 s in its busy hours...
    assert min(b - a for a, b in itertools.pairwise(free)) < 100 * S
    # ... with it, never, jitter included.
    gaps = [b - a for a, b in itertools.pairwise(hinted)]
    assert min(gaps) >= 120 * S
    assert len(hinted) < len(free)


@pytest.mark.parametrize(
    ("hints", "expected"),
    [
        pytest.param(ServerHints(), None, id="no hint: the adaptive interval"),
        pytest.param(ServerHints(max_age=30 * S), None, id="a shorter max-age changes nothing"),
        pytest.param(ServerHints(max_age=120 * S), 133, id="max-age 120 s, clear of jitter"),
        pytest.param(ServerHints(retry_after=600 * S), 667, id="Retry-After 10 min"),
        pytest.param(
            ServerHints(max_age=6 * 3600 * S), 1333, id="capped at 4x the 5 min start (20 min)"
        ),
    ],
)
def test_server_hints_are_floors(
    learned_two_weeks: FeedState, hints: ServerHints, expected: int | None
) -> None:
    now = local(14, 13)
    interval = POLICY.interval(learned_two_weeks, now=now)
    assert 60 * S < interval < 80 * S
    delay = POLICY.delay(learned_two_weeks, now=now, hints=hints)
    if expected is None:
        assert delay == interval
    else:  # the floor divided by 0.9, so that -10 % jitter still lands on it
        assert round(delay.total_seconds()) == expected


@pytest.mark.parametrize(
    ("errors", "expected"),
    [(1, 5 * MIN), (2, 10 * MIN), (3, 20 * MIN), (4, 40 * MIN), (5, 60 * MIN), (9, 60 * MIN)],
)
def test_an_erroring_feed_still_backs_off(
    learned_two_weeks: FeedState, errors: int, expected: timedelta
) -> None:
    # A busy hour: the adaptive interval is about a minute, the backoff is not.
    now = local(14, 13)
    assert POLICY.interval(learned_two_weeks, now=now) < 80 * S
    state = learned_two_weeks
    for _ in range(errors):
        state = next_state_after_error(
            state,
            now=now,
            interval=POLICY.start,
            error="HTTP 503",
            retry_after=None,
            rng=MidpointRandom(),
        )
    assert state.next_check == now + expected
    assert state.publishing == learned_two_weeks.publishing  # errors teach nothing


def test_after_an_outage_the_learned_interval_comes_back(learned_two_weeks: FeedState) -> None:
    outage_start = local(14, 12)
    state = learned_two_weeks
    for n in range(4):  # 5 + 10 + 20 + 40 minutes of errors
        state = next_state_after_error(
            state,
            now=outage_start + timedelta(minutes=5 * (2**n - 1)),
            interval=POLICY.start,
            error="connect timeout",
            retry_after=None,
            rng=MidpointRandom(),
        )
    back = outage_start + 75 * MIN
    clock = Clock(back)
    recovered, polls = replay(
        POLICY, morning_to_evening_feed(15), clock, back + 10 * MIN, state=state
    )
    assert polls[0] == back
    assert recovered.consecutive_errors == 0
    assert POLICY.interval(recovered, now=back) < 80 * S


# --- bounds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shortest", "longest"),
    [
        pytest.param(60, 900, id="defaults"),
        pytest.param(30, 900, id="the lowest floor"),
        pytest.param(120, 600, id="narrow"),
        pytest.param(300, 300, id="fixed by bounds"),
    ],
)
@pytest.mark.parametrize("per_hour", [0, 0.05, 1, 12, 120], ids=lambda r: f"{r}/h")
def test_bounds_hold_at_every_minute_of_the_day(
    shortest: int, longest: int, per_hour: float
) -> None:
    policy = AdaptivePolicy.from_config(
        ScheduleConfig(min_interval_seconds=shortest, max_interval_seconds=longest)
    )
    published = (
        [local(0, 0) + timedelta(hours=n / per_hour) for n in range(int(per_hour * 48))]
        if per_hour
        else []
    )
    clock = Clock(local(0, 0))
    state, polls = replay(policy, published, clock, local(2, 0))
    minutes = [local(2, 0) + MIN * n for n in range(24 * 60)]
    intervals = [policy.interval(state, now=moment) for moment in minutes]
    assert min(intervals) >= timedelta(seconds=shortest)
    assert max(intervals) <= timedelta(seconds=longest)
    gaps = [b - a for a, b in itertools.pairwise(polls)]
    assert min(gaps) >= timedelta(seconds=shortest)  # jitter off
    if per_hour >= 120:
        assert min(intervals) == timedelta(seconds=shortest)
    if per_hour == 0:
        assert max(intervals) == timedelta(seconds=longest)


# --- what is learned ------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        pytest.param(
            datetime(2026, 10, 5, 6, 50, tzinfo=AMS),
            datetime(2026, 10, 5, 7, 5, tzinfo=AMS),
            [(6, 600.0), (7, 300.0)],
            id="across 07:00",
        ),
        pytest.param(
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST
            datetime(2026, 10, 25, 2, 30, tzinfo=UTC),  # 03:30 CET
            [(2, 1800.0), (2, 3600.0), (3, 1800.0)],
            id="02:00-03:00 twice when summer time ends",
        ),
        pytest.param(
            datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # 01:30 CET
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 03:30 CEST
            [(1, 1800.0), (3, 1800.0)],
            id="02:00-03:00 skipped when summer time starts",
        ),
        pytest.param(
            datetime(2026, 10, 5, 23, 55, tzinfo=AMS),
            datetime(2026, 10, 6, 0, 1, tzinfo=AMS),
            [(23, 300.0), (0, 60.0)],
            id="across midnight",
        ),
    ],
)
def test_a_span_is_cut_at_local_hours(
    since: datetime, until: datetime, expected: list[tuple[int, float]]
) -> None:
    assert list(hour_pieces(since, until, AMS)) == expected


def test_items_are_spread_over_the_span_in_proportion_to_time() -> None:
    model = PublishingModel.empty(local(0, 6, 45)).observe(
        since=local(0, 6, 45), until=local(0, 7, 15), new_items=2, tz=AMS
    )
    assert model.items[6] == model.items[7] == 1.0
    assert model.watched[6] == model.watched[7] == 0.25
    assert sum(model.items) == 2.0


@pytest.mark.parametrize(
    ("span", "learns"),
    [
        (5 * MIN, True),
        (MAX_OBSERVED_SPAN, True),
        (MAX_OBSERVED_SPAN + S, False),
        (timedelta(0), False),
        (-5 * MIN, False),
    ],
    ids=["5 min", "the longest span", "longer: the bot was down", "empty", "clock went back"],
)
def test_only_believable_spans_are_learned(span: timedelta, learns: bool) -> None:
    before = FeedState(url=URL, last_success=local(0, 12))
    after = POLICY.learn(before, now=local(0, 12) + span, new_items=3)
    assert (after.publishing is not None) is learns


def test_old_observations_fade_with_the_half_life() -> None:
    model = PublishingModel.empty(local(0, 9)).observe(
        since=local(0, 9), until=local(0, 10), new_items=8, tz=AMS
    )
    later = model.observe(
        since=local(0, 10) + HALF_LIFE, until=local(0, 11) + HALF_LIFE, new_items=0, tz=AMS
    )
    # The first hour now weighs half (a week and an hour later: a little less).
    assert 3.9 < later.items[9] < 4.0
    assert 0.48 < later.watched[9] < 0.5
    assert later.watched[10] == 1.0


def test_new_items_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="new_items"):
        PublishingModel.empty(local(0, 9)).observe(
            since=local(0, 9), until=local(0, 10), new_items=-1, tz=AMS
        )


# --- persistence ----------------------------------------------------------------


def test_the_learned_model_survives_a_store_round_trip(learned_two_weeks: FeedState) -> None:
    saved = json.loads(json.dumps(learned_two_weeks.to_dict()))
    loaded = FeedState.from_dict(saved)
    assert loaded == learned_two_weeks
    assert loaded.publishing is not None
    for hour in range(HOURS_PER_DAY):
        now = local(14, hour, 20)
        assert POLICY.interval(loaded, now=now) == POLICY.interval(learned_two_weeks, now=now)
    # Compact: 2 x 24 numbers, well under a kilobyte.
    assert len(json.dumps(saved["publishing"])) < 1000


def test_a_state_saved_before_adaptive_polling_loads_and_starts_learning() -> None:
    # A record as the store held it before the field existed.
    old = {
        "url": URL,
        "etag": '"abc"',
        "last_modified": None,
        "next_check": "2026-10-05T08:05:00+00:00",
        "consecutive_errors": 0,
        "last_error": None,
        "last_success": "2026-10-05T08:00:00+00:00",
        "last_attempt": "2026-10-05T08:00:00+00:00",
        "permanent_url": None,
    }
    state = FeedState.from_dict(old)
    assert state.publishing is None
    assert state.etag == '"abc"'
    assert POLICY.delay(state, now=datetime(2026, 10, 5, 8, 5, tzinfo=UTC)) == POLICY.start
    learned = POLICY.learn(state, now=datetime(2026, 10, 5, 8, 5, tzinfo=UTC), new_items=1)
    assert learned.publishing is not None
    assert FeedState.from_dict({**old, "publishing": None}) == state


def test_a_model_of_another_format_version_is_dropped_and_relearned(
    learned_two_weeks: FeedState,
) -> None:
    saved = learned_two_weeks.to_dict()
    assert isinstance(saved["publishing"], dict)
    saved["publishing"] = {**saved["publishing"], "v": 2}
    assert FeedState.from_dict(saved).publishing is None


@pytest.mark.parametrize(
    "publishing",
    [
        pytest.param("busy", id="not a table"),
        pytest.param({"updated": "2026-10-05T08:00:00+00:00"}, id="no version"),
        pytest.param(
            {
                "v": 1,
                "updated": "2026-10-05T08:00:00+00:00",
                "items": [0] * 23,
                "watched": [0] * 24,
            },
            id="23 hours",
        ),
        pytest.param(
            {
                "v": 1,
                "updated": "2026-10-05T08:00:00+00:00",
                "items": [-1] * 24,
                "watched": [0] * 24,
            },
            id="negative",
        ),
        pytest.param(
            {
                "v": 1,
                "updated": "2026-10-05T08:00:00+00:00",
                "items": ["1"] * 24,
                "watched": [0] * 24,
            },
            id="strings",
        ),
        pytest.param({"v": 1, "items": [0] * 24, "watched": [0] * 24}, id="no update time"),
    ],
)
def test_a_corrupt_model_is_reported_not_silently_reset(publishing: object) -> None:
    with pytest.raises(ValueError, match=r"publishing|items|watched"):
        FeedState.from_dict({"url": URL, "publishing": publishing})
