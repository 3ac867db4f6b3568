"""Per-feed schedule: interval, server hints, backoff, jitter and state round trips."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.ingest.feedstate import FeedState
from bot.ingest.schedule import (
    BACKOFF_CAP,
    JITTER,
    PERMANENT_URL_MAX_ERRORS,
    ServerHints,
    backoff_delay,
    cache_control_max_age,
    hints_from_response,
    is_due,
    next_state_after_error,
    next_state_after_success,
    parse_retry_after,
    rss_ttl,
    success_delay,
)
from tests.plugin_feeds import FEED_FIXTURES, MidpointRandom

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
URL = "https://feeds.nos.nl/nosnieuwsalgemeen"


@pytest.mark.parametrize(
    ("interval", "hints", "expected"),
    [
        pytest.param(5 * MIN, ServerHints(), 5 * MIN, id="no hints: the interval"),
        pytest.param(5 * MIN, ServerHints(ttl=15 * MIN), 15 * MIN, id="ttl stretches"),
        pytest.param(5 * MIN, ServerHints(max_age=10 * MIN), 10 * MIN, id="max-age stretches"),
        pytest.param(5 * MIN, ServerHints(ttl=1 * MIN), 5 * MIN, id="short ttl never shortens"),
        pytest.param(
            5 * MIN, ServerHints(ttl=24 * 60 * MIN), 20 * MIN, id="day-long ttl capped at 4x"
        ),
        pytest.param(
            60 * MIN, ServerHints(max_age=6 * 60 * MIN), 120 * MIN, id="capped at two hours"
        ),
        pytest.param(
            180 * MIN, ServerHints(ttl=600 * MIN), 180 * MIN, id="cap never below interval"
        ),
        pytest.param(
            5 * MIN,
            ServerHints(ttl=8 * MIN, max_age=12 * MIN),
            12 * MIN,
            id="longest hint wins",
        ),
    ],
)
def test_success_delay_table(interval: timedelta, hints: ServerHints, expected: timedelta) -> None:
    assert success_delay(interval, hints) == expected


@pytest.mark.parametrize(
    ("interval", "errors", "retry_after", "expected"),
    [
        (5 * MIN, 1, None, 5 * MIN),
        (5 * MIN, 2, None, 10 * MIN),
        (5 * MIN, 3, None, 20 * MIN),
        (5 * MIN, 4, None, 40 * MIN),
        (5 * MIN, 5, None, 60 * MIN),
        (5 * MIN, 6, None, 60 * MIN),
        (5 * MIN, 10_000, None, 60 * MIN),
        (120 * MIN, 3, None, 120 * MIN),
        (5 * MIN, 1, 30 * MIN, 30 * MIN),
        (5 * MIN, 4, 30 * MIN, 40 * MIN),
        (5 * MIN, 1, 3 * 24 * 60 * MIN, 120 * MIN),
    ],
    ids=[
        "first error: one interval",
        "doubles",
        "doubles again",
        "and again",
        "reaches the cap",
        "stays at the cap",
        "huge error count stays in range",
        "never shorter than the interval",
        "Retry-After lengthens",
        "Retry-After never shortens",
        "Retry-After of days is capped",
    ],
)
def test_backoff_delay_table(
    interval: timedelta, errors: int, retry_after: timedelta | None, expected: timedelta
) -> None:
    assert backoff_delay(interval, errors, retry_after) == expected


@pytest.mark.parametrize("bad", [timedelta(0), -MIN])
def test_interval_must_be_positive(bad: timedelta) -> None:
    with pytest.raises(ValueError, match="positive"):
        success_delay(bad, ServerHints())


def test_backoff_schedule_with_injected_clock_then_reset() -> None:
    rng = MidpointRandom()
    state = FeedState(URL, etag='"v1"')
    now = NOW
    waits = []
    for attempt in range(1, 8):
        state = next_state_after_error(
            state, now=now, interval=5 * MIN, error="HTTP 500", retry_after=None, rng=rng
        )
        assert state.consecutive_errors == attempt
        assert state.last_error == "HTTP 500"
        assert state.last_attempt == now
        assert state.next_check is not None
        assert not is_due(state, now)
        waits.append(state.next_check - now)
        now = state.next_check
        assert is_due(state, now)
    assert waits == [5 * MIN, 10 * MIN, 20 * MIN, 40 * MIN, BACKOFF_CAP, BACKOFF_CAP, BACKOFF_CAP]
    assert state.etag == '"v1"', "errors keep the validators"

    recovered = next_state_after_success(
        state, now=now, interval=5 * MIN, hints=ServerHints(), rng=rng
    )
    assert recovered.consecutive_errors == 0
    assert recovered.last_error is None
    assert recovered.last_success == now
    assert recovered.next_check == now + 5 * MIN
    assert recovered.etag == '"v1"', "KEEP is the default for validators"


def test_success_replaces_validators_when_given() -> None:
    state = FeedState(URL, etag='"old"', last_modified="Thu, 01 Oct 2026 10:00:00 GMT")
    after = next_state_after_success(
        state,
        now=NOW,
        interval=5 * MIN,
        hints=ServerHints(),
        rng=MidpointRandom(),
        etag=None,
        last_modified="Thu, 01 Oct 2026 11:00:00 GMT",
    )
    assert after.etag is None
    assert after.last_modified == "Thu, 01 Oct 2026 11:00:00 GMT"


def test_jitter_stays_within_bounds_and_varies() -> None:
    rng = random.Random(20261001)
    delays = {
        next_state_after_success(
            FeedState(URL), now=NOW, interval=10 * MIN, hints=ServerHints(), rng=rng
        ).next_check
        for _ in range(200)
    }
    low, high = NOW + 10 * MIN * (1 - JITTER), NOW + 10 * MIN * (1 + JITTER)
    assert all(d is not None and low <= d <= high for d in delays)
    assert len(delays) > 100, "jitter should spread feeds apart"


def test_same_seed_same_schedule() -> None:
    def schedule(seed: int) -> datetime | None:
        return next_state_after_error(
            FeedState(URL),
            now=NOW,
            interval=5 * MIN,
            error="timeout after 20 s",
            retry_after=None,
            rng=random.Random(seed),
        ).next_check

    assert schedule(7) == schedule(7)


def test_failing_permanent_url_is_forgotten_after_repeated_errors() -> None:
    state = FeedState(URL, etag='"x"', permanent_url="https://new.example/feed")
    for _ in range(PERMANENT_URL_MAX_ERRORS - 1):
        state = next_state_after_error(
            state, now=NOW, interval=MIN, error="HTTP 404", retry_after=None, rng=MidpointRandom()
        )
    assert state.fetch_url == "https://new.example/feed"
    state = next_state_after_error(
        state, now=NOW, interval=MIN, error="HTTP 404", retry_after=None, rng=MidpointRandom()
    )
    assert state.fetch_url == URL
    assert state.etag is None


@pytest.mark.parametrize(
    ("next_check", "due"),
    [(None, True), (NOW - MIN, True), (NOW, True), (NOW + timedelta(seconds=1), False)],
)
def test_is_due(next_check: datetime | None, due: bool) -> None:
    assert is_due(FeedState(URL, next_check=next_check), NOW) is due


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("max-age=300", timedelta(seconds=300)),
        ("public, max-age=60, must-revalidate", timedelta(seconds=60)),
        ('max-age="120"', timedelta(seconds=120)),
        ("MAX-AGE=90", timedelta(seconds=90)),
        ("max-age=0", None),
        ("no-cache, max-age=600", None),
        ("no-store", None),
        ("s-maxage=600", None),
        ("max-age=soon", None),
        ("", None),
        (None, None),
    ],
)
def test_cache_control_max_age(header: str | None, expected: timedelta | None) -> None:
    assert cache_control_max_age(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 30 ", timedelta(seconds=30)),
        ("0", None),
        ("Thu, 01 Oct 2026 12:10:00 GMT", timedelta(minutes=10)),
        ("Thu, 01 Oct 2026 11:00:00 GMT", None),
        ("-5", None),
        ("morgen", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(header, NOW) == expected


def test_rss_ttl_of_the_windows1252_fixture() -> None:
    assert rss_ttl((FEED_FIXTURES / "windows1252.xml").read_bytes()) == timedelta(minutes=15)


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in FEED_FIXTURES.glob("*.xml") if b"<ttl>" not in p.read_bytes()[:4096]),
)
def test_real_feeds_without_ttl_give_no_hint(name: str) -> None:
    assert rss_ttl((FEED_FIXTURES / name).read_bytes()) is None


def test_ttl_inside_an_item_is_not_the_channel_ttl() -> None:
    body = b"<rss><channel><title>x</title><item><ttl>999</ttl></item></channel></rss>"
    assert rss_ttl(body) is None


def test_hints_from_response_collects_all_three() -> None:
    hints = hints_from_response(
        {"cache-control": "max-age=600", "retry-after": "90"},
        b"<rss><channel><ttl>30</ttl><item/></channel></rss>",
        NOW,
    )
    assert hints == ServerHints(ttl=30 * MIN, max_age=10 * MIN, retry_after=timedelta(seconds=90))


def test_feed_state_round_trips_through_json() -> None:
    state = FeedState(
        url=URL,
        etag='W/"abc"',
        last_modified="Thu, 01 Oct 2026 11:09:14 GMT",
        next_check=NOW + 5 * MIN,
        consecutive_errors=3,
        last_error="HTTP 503",
        last_success=NOW - 60 * MIN,
        last_attempt=NOW,
        permanent_url="https://feeds.nos.nl/nieuw",
    )
    stored = json.loads(json.dumps(state.to_dict()))
    assert FeedState.from_dict(stored) == state
    assert stored["next_check"] == "2026-10-01T12:05:00+00:00"


def test_feed_state_from_minimal_and_naive_records() -> None:
    assert FeedState.from_dict({"url": URL}) == FeedState(URL)
    naive = FeedState.from_dict({"url": URL, "next_check": "2026-10-01T12:05:00"})
    assert naive.next_check == NOW + 5 * MIN


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"url": ""},
        {"url": URL, "consecutive_errors": -1},
        {"url": URL, "consecutive_errors": "3"},
        {"url": URL, "etag": 5},
        {"url": URL, "next_check": "gisteren"},
    ],
)
def test_feed_state_rejects_corrupt_records(record: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - several distinct messages
        FeedState.from_dict(record)
