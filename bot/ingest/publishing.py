"""How often a feed publishes, by local hour of day, learned from what polls find.

Every successful poll observes one span of time, from the previous successful
poll to now, and the number of items it saw for the first time. Both go into 24
hour-of-day buckets in the configured time zone: the span as hours watched, the
items spread over the hours the span touched in proportion to the time it spent
in each (a poll cannot tell when within the span an item appeared). Old
observations fade with a half-life of a week, so a changed rhythm takes over in
a few weeks and a burst of breaking news in a few days.

The rate at an hour is its items over its hours watched, averaged with the two
neighbouring hours (news rises and falls over hours, not at the stroke of one)
and pulled towards the feed's overall rate while the hour has seldom been
watched (the overall rate counts as one item's worth of evidence, so an hour
that stays empty through many hours of watching is believed quiet). The
overall rate is pulled towards a prior the caller chooses (the
adaptive policy passes the rate its starting interval stands for), so a new
feed moves from the prior to its own figures over its first hours.

The model is a small immutable value with a JSON-safe dict form, persisted
inside ``FeedState``. Everything here is pure; time comes in as arguments.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

HOURS_PER_DAY = 24
# Observations lose half their weight in this time.
HALF_LIFE = timedelta(days=7)
# A longer span (the bot was down, or the feed failed for hours) is not learned
# from: a feed lists only its newest items, so what it shows after a long gap
# undercounts what it published in it.
MAX_OBSERVED_SPAN = timedelta(hours=3)
# The prior of a feed's overall rate is worth this many hours of watching.
OVERALL_PRIOR_HOURS = 2.0
# The overall rate, as the prior of one hour of the day, is worth this many items:
# an hour that has shown few items in much watching is believed quiet, however
# busy the rest of the day.
HOUR_PRIOR_ITEMS = 1.0
# Weights of the previous, the same and the next hour when reading a rate.
_NEIGHBOURS = ((-1, 0.25), (0, 0.5), (1, 0.25))
# Stored figures are rounded to this many decimals (0.36 s of watching), so a
# model and its saved copy are equal.
_DECIMALS = 4
_SECONDS_PER_HOUR = 3600.0
# Bump when the meaning of the stored figures changes; other versions are dropped
# (and relearned) rather than misread.
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class PublishingModel:
    """Decayed counts of one feed: items first seen and hours watched, per local hour."""

    items: tuple[float, ...]
    watched: tuple[float, ...]
    updated: datetime

    def __post_init__(self) -> None:
        for name, values in (("items", self.items), ("watched", self.watched)):
            if len(values) != HOURS_PER_DAY:
                raise ValueError(f"{name} needs {HOURS_PER_DAY} hourly values, got {len(values)}")
            if not all(math.isfinite(v) and v >= 0 for v in values):
                raise ValueError(f"{name} must be finite and non-negative: {values!r}")
        if self.updated.tzinfo is None:
            raise ValueError("updated must be timezone-aware")

    @classmethod
    def empty(cls, now: datetime) -> PublishingModel:
        zeros = (0.0,) * HOURS_PER_DAY
        return cls(items=zeros, watched=zeros, updated=now)

    @property
    def watched_hours(self) -> float:
        """Decayed hours this feed has been watched, all hours of the day together."""
        return sum(self.watched)

    def observe(
        self, *, since: datetime, until: datetime, new_items: int, tz: tzinfo
    ) -> PublishingModel:
        """Add one poll's span and the items first seen at its end.

        A span that is empty, reversed or longer than ``MAX_OBSERVED_SPAN``
        teaches nothing and returns the model unchanged.
        """
        if new_items < 0:
            raise ValueError(f"new_items must not be negative, got {new_items}")
        span = until - since
        if span <= timedelta(0) or span > MAX_OBSERVED_SPAN:
            return self
        decay = _decay_factor(until - self.updated)
        items = [value * decay for value in self.items]
        watched = [value * decay for value in self.watched]
        total_seconds = span.total_seconds()
        for hour, seconds in hour_pieces(since, until, tz):
            watched[hour] += seconds / _SECONDS_PER_HOUR
            items[hour] += new_items * seconds / total_seconds
        return PublishingModel(
            items=_rounded(items),
            watched=_rounded(watched),
            updated=max(self.updated, until),
        )

    def overall_rate(self, prior_per_hour: float) -> float:
        """Items per hour over the whole day, pulled towards the prior when little is known."""
        return (sum(self.items) + OVERALL_PRIOR_HOURS * prior_per_hour) / (
            self.watched_hours + OVERALL_PRIOR_HOURS
        )

    def rate(self, hour: int, prior_per_hour: float) -> float:
        """Expected items per hour at this local hour of the day (0-23)."""
        if not 0 <= hour < HOURS_PER_DAY:
            raise ValueError(f"hour must be 0-23, got {hour}")
        items = sum(w * self.items[(hour + d) % HOURS_PER_DAY] for d, w in _NEIGHBOURS)
        watched = sum(w * self.watched[(hour + d) % HOURS_PER_DAY] for d, w in _NEIGHBOURS)
        overall = self.overall_rate(prior_per_hour)
        return (items + HOUR_PRIOR_ITEMS) / (watched + HOUR_PRIOR_ITEMS / overall)

    def to_dict(self) -> dict[str, object]:
        return {
            "v": FORMAT_VERSION,
            "updated": self.updated.isoformat(),
            "items": list(self.items),
            "watched": list(self.watched),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> PublishingModel | None:
        """Rebuild a saved model; None for another format version (it is relearned).

        Raises ``ValueError`` on a record of the wrong shape.
        """
        version = data.get("v")
        if version != FORMAT_VERSION:
            if isinstance(version, int) and not isinstance(version, bool):
                return None
            raise ValueError(f"publishing model without a format version: {data!r}")
        updated = data.get("updated")
        if not isinstance(updated, str):
            raise ValueError(f"publishing model without an update time: {data!r}")
        moment = datetime.fromisoformat(updated)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return cls(
            items=_hourly(data.get("items"), "items"),
            watched=_hourly(data.get("watched"), "watched"),
            updated=moment,
        )


def hour_pieces(since: datetime, until: datetime, tz: tzinfo) -> Iterator[tuple[int, float]]:
    """The span cut at local hour boundaries: (local hour, seconds) per piece.

    Works in absolute time, so the hour skipped or repeated by a DST change is
    counted as the clock on the wall shows it.
    """
    moment = since.astimezone(UTC)
    end = until.astimezone(UTC)
    while moment < end:
        local = moment.astimezone(tz)
        into_hour = local.minute * 60 + local.second + local.microsecond / 1_000_000
        step = min(end - moment, timedelta(seconds=_SECONDS_PER_HOUR - into_hour))
        yield local.hour, step.total_seconds()
        moment += step


def next_hour_start(moment: datetime, tz: tzinfo) -> datetime:
    """The next local hour boundary after ``moment`` (aware, in UTC)."""
    local = moment.astimezone(tz)
    into_hour = local.minute * 60 + local.second + local.microsecond / 1_000_000
    return moment.astimezone(UTC) + timedelta(seconds=_SECONDS_PER_HOUR - into_hour)


def local_hour(moment: datetime, tz: tzinfo) -> int:
    return moment.astimezone(tz).hour


def _decay_factor(elapsed: timedelta) -> float:
    if elapsed <= timedelta(0):
        return 1.0
    return float(0.5 ** (elapsed / HALF_LIFE))


def _rounded(values: Sequence[float]) -> tuple[float, ...]:
    return tuple(round(value, _DECIMALS) for value in values)


def _hourly(value: object, name: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != HOURS_PER_DAY:
        raise ValueError(f"publishing model {name} should be a list of {HOURS_PER_DAY} numbers")
    numbers: list[float] = []
    for entry in value:
        if isinstance(entry, bool) or not isinstance(entry, int | float):
            raise ValueError(f"publishing model {name} holds a non-number: {entry!r}")
        numbers.append(float(entry))
    return tuple(numbers)
