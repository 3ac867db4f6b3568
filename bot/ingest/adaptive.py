"""Adaptive polling: poll a feed as often as it publishes at this hour, within bounds.

The interval follows the square-root rule: polling at a rate proportional to the
square root of the publishing rate gives the lowest mean publication-to-
detection latency for a given number of requests (an item waits on average
half an interval; spending polls where items are frequent helps more items,
but with diminishing returns). In numbers: one item an hour is polled every
``REFERENCE_INTERVAL`` (4 minutes), four an hour every 2 minutes, sixteen an
hour every minute; a feed that publishes once in four hours every 8 minutes;
all within ``[min_interval_seconds, max_interval_seconds]``. The constant was
set with ``bench/latency.py`` on a week of Dutch news shaped after real feeds:
a median of 53 s for items of busy hours, at 1.4x the requests
of a fixed five-minute poll.

The rate is the feed's learned rate for the current local hour
(``PublishingModel``). The policy also looks one hour ahead: when the next
hour is busier, the poll before it is brought forward to the hour's start, so
a feed that wakes up at 07:00 is polled fast from 07:00 on, not after its
first morning items have waited. A feed with no history polls at
``poll_interval_seconds``, the rate that interval stands for being the prior
its first observations are weighed against.

Server hints stay floors: ``Cache-Control: max-age``, ``Retry-After`` and RSS
``<ttl>`` lengthen a delay as in ``schedule.success_delay``, capped at 4x (at
most 2 h) of the longer of the adaptive and the configured interval, so a
shorter adaptive interval never cuts short what a server asked for; and a
binding hint is kept clear of the jitter, so the poll never comes early.
Errors back off exactly as before (``schedule.next_state_after_error`` with
``poll_interval_seconds``).

Use from the poll cycle, for each feed polled (200 or 304)::

    policy = AdaptivePolicy.from_config(config.schedule)      # once
    state = policy.learn(state, now=now, new_items=n)         # before the transition
    state = next_state_after_success(
        state, now=now, interval=policy.start, hints=result.hints, rng=rng,
        delay=policy.delay(state, now=now, hints=result.hints), ...validators...
    )

``new_items`` is how many entries of this response the feed had not listed
before (0 for a 304). ``learn`` reads ``state.last_success`` as the start of the
observed span, so it must run before the success transition moves it; on a
feed's first success (its baseline) it learns nothing. ``policy.interval``
gives the current interval without hints, for ``/status``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Self

from bot.config import ScheduleConfig
from bot.ingest.feedstate import FeedState
from bot.ingest.publishing import PublishingModel, local_hour, next_hour_start
from bot.ingest.schedule import JITTER, ServerHints, hint_cap

# One item an hour is polled this often; the interval scales with the square
# root of the expected time between items.
REFERENCE_INTERVAL = timedelta(minutes=4)
REFERENCE_RATE_PER_HOUR = 1.0


@dataclass(frozen=True, slots=True)
class AdaptivePolicy:
    """The interval bounds and time zone of adaptive polling (``[schedule]``)."""

    start: timedelta
    shortest: timedelta
    longest: timedelta
    tz: tzinfo

    def __post_init__(self) -> None:
        if min(self.start, self.shortest) <= timedelta(0):
            raise ValueError("poll intervals must be positive")
        if self.longest < self.shortest:
            raise ValueError(f"longest {self.longest} is below shortest {self.shortest}")

    @classmethod
    def from_config(cls, schedule: ScheduleConfig) -> Self:
        return cls(
            start=timedelta(seconds=schedule.poll_interval_seconds),
            shortest=timedelta(seconds=schedule.min_interval_seconds),
            longest=timedelta(seconds=schedule.max_interval_seconds),
            tz=schedule.tz,
        )

    @property
    def floor(self) -> timedelta:
        """The shortest interval: ``shortest``, or the starting one when that is lower.

        A ``poll_interval_seconds`` below ``min_interval_seconds`` only happens in
        tests and local setups (the config warns), which must keep their pace.
        """
        return min(self.shortest, self.start)

    @property
    def ceiling(self) -> timedelta:
        """The longest interval: ``longest``, or the starting one when that is higher."""
        return max(self.longest, self.start)

    @property
    def prior_rate(self) -> float:
        """Items per hour that the starting interval stands for under the square-root rule."""
        ratio = REFERENCE_INTERVAL / self.start
        return REFERENCE_RATE_PER_HOUR * ratio * ratio

    def interval_for_rate(self, per_hour: float) -> timedelta:
        """The interval for an expected publishing rate, within floor and ceiling."""
        if per_hour <= 0:
            return self.ceiling
        interval = REFERENCE_INTERVAL * math.sqrt(REFERENCE_RATE_PER_HOUR / per_hour)
        return min(max(interval, self.floor), self.ceiling)

    def interval(self, state: FeedState, *, now: datetime) -> timedelta:
        """How long after ``now`` the feed should be polled next, before server hints."""
        model = state.publishing
        if model is None or model.watched_hours <= 0:
            return self.start
        current = self._interval_at(model, now)
        boundary = next_hour_start(now, self.tz)
        following = self._interval_at(model, boundary)
        # Poll no later than the next hour's start when that hour asks for more.
        soonest = min(now + current, max(boundary, now + following))
        return soonest - now

    def delay(
        self, state: FeedState, *, now: datetime, hints: ServerHints | None = None
    ) -> timedelta:
        """The delay before the next poll after a success (before jitter), hints as floors.

        A binding hint is raised by the jitter margin, so that the jittered poll
        still never comes before the time the server named.
        """
        interval = self.interval(state, now=now)
        hinted = None if hints is None else hints.longest()
        if hinted is None:
            return interval
        floor = min(hinted, hint_cap(max(interval, self.start)))
        return max(interval, floor / (1 - JITTER))

    def learn(self, state: FeedState, *, now: datetime, new_items: int) -> FeedState:
        """Record a successful poll that saw ``new_items`` items for the first time.

        The observed span runs from the previous success to ``now``; the first
        success of a feed (no previous one) is its baseline and teaches nothing.
        """
        since = state.last_success
        if since is None:
            return state
        model = state.publishing or PublishingModel.empty(since)
        learned = model.observe(since=since, until=now, new_items=new_items, tz=self.tz)
        return state if learned is model else replace(state, publishing=learned)

    def _interval_at(self, model: PublishingModel, moment: datetime) -> timedelta:
        rate = model.rate(local_hour(moment, self.tz), self.prior_rate)
        return self.interval_for_rate(rate)
