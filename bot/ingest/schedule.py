"""When to poll a feed next: pure functions over FeedState and server hints.

A success waits the configured interval, stretched (never shortened) by what
the server says about freshness. An error backs off exponentially up to a cap,
and polling never stops for good: a feed that is down today may be back tomorrow.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import Enum

from bot.core.feed_failure import FeedFailure
from bot.ingest.feedstate import FeedState

# Server hints may stretch the interval at most this many times over: a feed
# that declares a day-long <ttl> must not silence a news source for a day.
HINT_CAP_FACTOR = 4
# ... and never beyond two hours, however long the configured interval is.
HINT_CAP_MAX = timedelta(hours=2)
# Exponential backoff stops growing here, so a recovered feed is noticed within an hour.
BACKOFF_CAP = timedelta(hours=1)
# A Retry-After is honoured up to this; longer requests are usually misconfiguration.
RETRY_AFTER_CAP = timedelta(hours=2)
# Delays are spread by ±10% so feeds configured together do not poll in lockstep.
JITTER = 0.10
# 2**20 intervals is far past every cap; bounding the exponent keeps timedelta in range.
_MAX_BACKOFF_EXPONENT = 20
# After this many errors in a row at a remembered redirect target we forget it and
# go back to the configured URL, which may since have moved somewhere else.
PERMANENT_URL_MAX_ERRORS = 5

_TTL_RE = re.compile(rb"<ttl>\s*(\d{1,7})\s*</ttl>", re.IGNORECASE)
_ITEM_RE = re.compile(rb"<(?:item|entry)[\s>]", re.IGNORECASE)
_MAX_AGE_RE = re.compile(r"^max-age\s*=\s*\"?(\d{1,10})\"?$", re.IGNORECASE)
# The channel header sits at the top; no need to scan a whole 5 MiB body for <ttl>.
_TTL_SCAN_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class ServerHints:
    """What the server told us about how long its answer stays fresh."""

    ttl: timedelta | None = None
    max_age: timedelta | None = None
    retry_after: timedelta | None = None

    def longest(self) -> timedelta | None:
        hints = [hint for hint in (self.ttl, self.max_age, self.retry_after) if hint is not None]
        return max(hints) if hints else None


class _Unchanged(Enum):
    KEEP = "keep"


KEEP = _Unchanged.KEEP
"""Default for validators in ``next_state_after_success``: keep the stored value."""


def hint_cap(interval: timedelta) -> timedelta:
    """The longest delay server hints may produce for this interval."""
    return max(interval, min(interval * HINT_CAP_FACTOR, HINT_CAP_MAX))


def success_delay(interval: timedelta, hints: ServerHints) -> timedelta:
    """Delay after a success, before jitter: the interval stretched by hints up to the cap."""
    _check_interval(interval)
    hinted = hints.longest()
    if hinted is None:
        return interval
    return max(interval, min(hinted, hint_cap(interval)))


def backoff_delay(
    interval: timedelta, consecutive_errors: int, retry_after: timedelta | None = None
) -> timedelta:
    """Delay after the n-th error in a row: interval × 2^(n−1), capped, never below interval.

    A Retry-After from the server can only lengthen the wait (up to its own cap).
    """
    _check_interval(interval)
    exponent = min(max(consecutive_errors - 1, 0), _MAX_BACKOFF_EXPONENT)
    delay = max(interval, min(interval * (1 << exponent), BACKOFF_CAP))
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
    return delay


def jittered(delay: timedelta, rng: random.Random) -> timedelta:
    """Spread a delay by ±JITTER using the injected random source."""
    return delay * (1 + rng.uniform(-JITTER, JITTER))


def next_state_after_success(
    state: FeedState,
    *,
    now: datetime,
    interval: timedelta,
    hints: ServerHints,
    rng: random.Random,
    etag: str | _Unchanged | None = KEEP,
    last_modified: str | _Unchanged | None = KEEP,
    permanent_url: str | _Unchanged | None = KEEP,
    delay: timedelta | None = None,
) -> FeedState:
    """State after a 200 or 304: errors reset, next check an interval (or more) away.

    Validators default to ``KEEP`` because a 304 may omit them; after a 200 the
    caller passes what the server sent, ``None`` included. A ``delay`` the caller
    worked out itself (the adaptive policy's, hints applied) replaces
    ``success_delay(interval, hints)``; jitter is added either way.
    """
    wait = success_delay(interval, hints) if delay is None else delay
    return replace(
        state,
        etag=state.etag if etag is KEEP else etag,
        last_modified=state.last_modified if last_modified is KEEP else last_modified,
        permanent_url=state.permanent_url if permanent_url is KEEP else permanent_url,
        next_check=now + jittered(wait, rng),
        consecutive_errors=0,
        last_error=None,
        last_failure=None,
        last_success=now,
        last_attempt=now,
    )


def next_state_after_error(
    state: FeedState,
    *,
    now: datetime,
    interval: timedelta,
    error: FeedFailure | str,
    retry_after: timedelta | None,
    rng: random.Random,
) -> FeedState:
    """State after a failed poll: one more error, and an exponentially later next check.

    ``error`` is the failure with its key; a caller that has only an English
    text may pass that, and admins then see the text as it is.
    """
    errors = state.consecutive_errors + 1
    failed = replace(
        state,
        next_check=now + jittered(backoff_delay(interval, errors, retry_after), rng),
        consecutive_errors=errors,
        last_error=str(error),
        last_failure=error if isinstance(error, FeedFailure) else None,
        last_attempt=now,
    )
    if state.permanent_url is not None and errors >= PERMANENT_URL_MAX_ERRORS:
        # The validators belong to the forgotten URL's representation.
        failed = replace(failed, permanent_url=None, etag=None, last_modified=None)
    return failed


def longest_delay(interval: timedelta | None = None) -> timedelta:
    """The furthest ahead the transitions above ever schedule a check, jitter included.

    Without ``interval`` the caps alone count, which covers every interval up
    to ``HINT_CAP_MAX``.
    """
    caps = [HINT_CAP_MAX, BACKOFF_CAP, RETRY_AFTER_CAP]
    if interval is not None:
        caps.append(hint_cap(interval))
    return max(caps) * (1 + JITTER)


def is_due(state: FeedState, now: datetime, *, interval: timedelta | None = None) -> bool:
    """True when the feed was never checked or its next check has come.

    The schedule is stored in wall-clock time (it must survive a restart), and
    the wall clock can be set back. When ``now`` lies before the last attempt,
    or the next check lies further ahead than any delay we schedule
    (``longest_delay``), the schedule was made by a clock that has since moved
    back: the feed is due now rather than silent until the clock catches up.
    One early conditional request costs little; the poll resets the schedule.
    """
    if state.next_check is None:
        return True
    if state.last_attempt is not None and now < state.last_attempt:
        return True
    if state.next_check - now > longest_delay(interval):
        return True
    return now >= state.next_check


def hints_from_response(
    headers: Mapping[str, str], body: bytes | None, now: datetime
) -> ServerHints:
    """Collect the freshness hints of one response (lower-case header names)."""
    return ServerHints(
        ttl=rss_ttl(body) if body else None,
        max_age=cache_control_max_age(headers.get("cache-control")),
        retry_after=parse_retry_after(headers.get("retry-after"), now),
    )


def rss_ttl(body: bytes) -> timedelta | None:
    """The channel's RSS ``<ttl>`` (minutes), looked for before the first item only."""
    head = body[:_TTL_SCAN_BYTES]
    first_item = _ITEM_RE.search(head)
    if first_item is not None:
        head = head[: first_item.start()]
    match = _TTL_RE.search(head)
    if match is None:
        return None
    minutes = int(match.group(1))
    return timedelta(minutes=minutes) if minutes > 0 else None


def cache_control_max_age(value: str | None) -> timedelta | None:
    """``max-age`` of a Cache-Control header; None when absent, zero or forbidden to cache."""
    if not value:
        return None
    directives = [part.strip() for part in value.split(",")]
    if any(d.lower() in ("no-store", "no-cache") for d in directives):
        return None
    for directive in directives:
        match = _MAX_AGE_RE.match(directive)
        if match is not None:
            seconds = int(match.group(1))
            return timedelta(seconds=seconds) if seconds > 0 else None
    return None


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as delta-seconds or an HTTP date; None when absent, past or garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isdecimal() and value.isascii():
        # Capped: "99999999999999999999" would overflow timedelta (and a
        # thousand digits would not even convert to int).
        cap = int(RETRY_AFTER_CAP.total_seconds())
        seconds = cap if len(value) > len(str(cap)) else min(int(value), cap)
        return timedelta(seconds=seconds) if seconds > 0 else None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if moment.tzinfo is None:
        # RFC 9110 dates are GMT; a zone-less one is read the same way.
        moment = moment.replace(tzinfo=UTC)
    wait = moment - now
    return wait if wait > timedelta(0) else None


def _check_interval(interval: timedelta) -> None:
    if interval <= timedelta(0):
        raise ValueError(f"poll interval must be positive, got {interval}")
