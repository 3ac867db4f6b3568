"""The admin ``/status`` message: a snapshot of the live bot, rendered as Dutch HTML.

``collect_status`` reads the running objects into a plain ``StatusSnapshot``;
``status_text`` turns a snapshot into Telegram HTML and is pure, so every line
an admin sees is tested from plain data. Each feed's interval is the gap the
bot scheduled after its last poll (adaptive interval, server hints, error
backoff and the ±10 % jitter: what it really waits); the text summarises the
feeds that work by the fastest, the median and the slowest. Push latency is
read from ``DeliveryStats.push_latency`` (see ``bot.deliver.stats``). Follows
are counted per kind with a top 10 each: one overall list would be all
sections, which every chat follows, and hide the countries and keywords that
say what readers care about. The Dutch words come from :mod:`bot.texts.admin`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot import __version__
from bot.config import Config, FeedConfig
from bot.core.feed_failure import FeedFailure
from bot.core.model import FollowKey, FollowKind
from bot.core.telegram_text import TELEGRAM_MESSAGE_LIMIT, clip, utf16_len
from bot.deliver.stats import DeliveryStats
from bot.ingest.feedstate import FeedState
from bot.ingest.pipeline import feed_states_by_name
from bot.ops.alerts import FeedAlerts
from bot.store import ChatRecord, Store
from bot.texts import admin as texts
from bot.texts.chat import label_of
from bot.texts.push import format_time

TOP_PER_KIND = 10
# Caps on text that comes from feeds, users and servers, so a single odd value
# cannot crowd the rest of the message out.
LABEL_CHARS = 40
ERROR_CHARS = 150
FEED_NAME_CHARS = 60

_KIND_ORDER = (FollowKind.SECTION, FollowKind.COUNTRY, FollowKind.KEYWORD)


class FeedCondition(StrEnum):
    OK = "ok"
    FAILING = "failing"
    UNKNOWN = "unknown"  # not polled yet since it was configured


@dataclass(frozen=True, slots=True)
class TopicCount:
    """One followed topic and how many active chats follow it."""

    label: str
    chats: int


@dataclass(frozen=True, slots=True)
class KindCounts:
    """Follows of one kind: all (chat, topic) pairs, distinct topics and the top ones."""

    kind: FollowKind
    follows: int
    distinct: int
    top: tuple[TopicCount, ...]


@dataclass(frozen=True, slots=True)
class FeedHealth:
    name: str
    condition: FeedCondition
    last_error: str | None = None  # the stored English text, shown when there is no key
    consecutive_errors: int = 0
    last_success: datetime | None = None
    alerted: bool = False  # admins were told it has been down for hours
    last_failure: FeedFailure | None = None
    # The gap scheduled after the last poll: until the next one.
    interval: timedelta | None = None


@dataclass(frozen=True, slots=True)
class PushLatency:
    """Publication → push over the last 24 hours: median, 90th percentile, samples."""

    p50: timedelta
    p90: timedelta
    samples: int


@dataclass(frozen=True, slots=True)
class StatusSnapshot:
    """Everything ``/status`` shows, as plain values."""

    now: datetime
    tz: ZoneInfo
    started_at: datetime
    chats_active: int
    chats_deactivated: int
    follows: tuple[KindCounts, ...]
    items_stored: int
    feeds: tuple[FeedHealth, ...]
    outbox_pending: int
    sent_last_hour: int
    retry_after_last_hour: int
    failed_last_hour: int
    version: str = __version__
    push_latency: PushLatency | None = None  # None: no push confirmed in 24 hours
    # News events the stored reports tell (several outlets' reports of one are one story).
    stories_stored: int | None = None

    @property
    def uptime(self) -> timedelta:
        return max(self.now - self.started_at, timedelta(0))


# --- reading the live bot -------------------------------------------------------------


class LiveBot(Protocol):
    """What ``collect_status`` reads of the running bot (``bot.runtime.services.Services``)."""

    @property
    def config(self) -> Config: ...
    @property
    def store(self) -> Store: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def feed_alerts(self) -> FeedAlerts: ...
    @property
    def tz(self) -> ZoneInfo: ...
    def now(self) -> datetime: ...


def collect_status(services: LiveBot, stats: DeliveryStats) -> StatusSnapshot:
    """Read the store, the configured feeds and the delivery counters into a snapshot."""
    store = services.store
    chats = store.all_chats()
    active = sum(1 for chat in chats if chat.active)
    states = feed_states_by_name(services.config.enabled_feeds, store)
    return StatusSnapshot(
        now=services.now(),
        tz=services.tz,
        started_at=services.started_at,
        chats_active=active,
        chats_deactivated=len(chats) - active,
        follows=follow_counts(chats),
        items_stored=store.item_count(),
        stories_stored=store.story_count(),
        feeds=feed_health(
            services.config.enabled_feeds, states, alerted=frozenset(services.feed_alerts.alerted)
        ),
        outbox_pending=store.pending_count(),
        sent_last_hour=stats.sent.last_hour(),
        retry_after_last_hour=stats.retry_after.last_hour(),
        failed_last_hour=stats.failed.last_hour(),
        push_latency=push_latency(stats),
    )


def push_latency(stats: DeliveryStats) -> PushLatency | None:
    """The push latency figures of the last 24 hours; None before the first push."""
    window = stats.push_latency
    p50, p90 = window.percentile(0.5), window.percentile(0.9)
    if p50 is None or p90 is None:
        return None
    return PushLatency(timedelta(seconds=p50), timedelta(seconds=p90), window.count())


def follow_counts(chats: Iterable[ChatRecord], top: int = TOP_PER_KIND) -> tuple[KindCounts, ...]:
    """Per kind, how many active chats follow each topic; ties by label (pure)."""
    counted: Counter[FollowKey] = Counter()
    labels: dict[FollowKey, str] = {}
    for chat in chats:
        if not chat.active:
            continue
        counted.update(chat.follows)
        for key in chat.follows:
            # FollowKey equality ignores the label; keep the first one that has one.
            if key.label and key not in labels:
                labels[key] = key.label
    result = []
    for kind in _KIND_ORDER:
        of_kind = [(key, count) for key, count in counted.items() if key.kind is kind]
        named = [
            (label_of(FollowKey(key.kind, key.value, labels.get(key, ""))), count)
            for key, count in of_kind
        ]
        named.sort(key=lambda pair: (-pair[1], pair[0].casefold()))
        result.append(
            KindCounts(
                kind=kind,
                follows=sum(count for _, count in of_kind),
                distinct=len(of_kind),
                top=tuple(TopicCount(label, count) for label, count in named[:top]),
            )
        )
    return tuple(result)


def feed_health(
    feeds: Sequence[FeedConfig],
    states: Mapping[str, FeedState | None],
    *,
    alerted: frozenset[str] = frozenset(),
) -> tuple[FeedHealth, ...]:
    """Each enabled feed's condition from its stored poll state (pure)."""
    health = []
    for feed in feeds:
        state = states.get(feed.name)
        if state is None or state.last_attempt is None:
            health.append(FeedHealth(feed.name, FeedCondition.UNKNOWN))
            continue
        failing = state.consecutive_errors > 0
        health.append(
            FeedHealth(
                feed.name,
                FeedCondition.FAILING if failing else FeedCondition.OK,
                last_error=state.last_error if failing else None,
                last_failure=state.last_failure if failing else None,
                consecutive_errors=state.consecutive_errors,
                last_success=state.last_success,
                alerted=feed.name in alerted,
                interval=scheduled_interval(state),
            )
        )
    return tuple(health)


def scheduled_interval(state: FeedState) -> timedelta | None:
    """The gap the bot put between the feed's last poll and its next one."""
    if state.next_check is None or state.last_attempt is None:
        return None
    return max(state.next_check - state.last_attempt, timedelta(0))


# --- rendering ---------------------------------------------------------------------------


def status_text(snapshot: StatusSnapshot, channel_lines: Sequence[str] = ()) -> str:
    """The ``/status`` message: Dutch Telegram HTML, every value escaped, within 4096 units.

    Only the list of failing and unpolled feeds can grow without bound (it
    follows the configuration); it is cut with a count of what was left out.
    ``channel_lines`` (linked channels, already capped) go after the follows.
    """
    head = "\n".join(
        [
            *_overview(snapshot),
            _latency_line(snapshot.push_latency),
            "",
            *_follow_lines(snapshot.follows),
            *([""] if channel_lines else []),
            *channel_lines,
            "",
            _feed_summary(snapshot.feeds),
            *_interval_lines(snapshot.feeds),
        ]
    )
    problems = [_feed_line(feed, snapshot) for feed in _problem_feeds(snapshot.feeds)]
    return _fit(head, problems)


def _overview(s: StatusSnapshot) -> list[str]:
    return texts.status_overview(
        version=s.version,
        uptime=s.uptime,
        since=_when(s.started_at, s),
        chats_active=s.chats_active,
        chats_stopped=s.chats_deactivated,
        items_stored=s.items_stored,
        stories_stored=s.stories_stored,
        outbox_pending=s.outbox_pending,
        sent_last_hour=s.sent_last_hour,
        throttled_last_hour=s.retry_after_last_hour,
        failed_last_hour=s.failed_last_hour,
    )


def _latency_line(latency: PushLatency | None) -> str:
    if latency is None:
        return texts.push_latency_none()
    return texts.push_latency(latency.p50, latency.p90, latency.samples)


def _interval_lines(feeds: Sequence[FeedHealth]) -> list[str]:
    """Fastest, median and slowest interval of the feeds that work; none: no line."""
    timed = [
        (feed.interval, feed.name)
        for feed in feeds
        if feed.condition is FeedCondition.OK and feed.interval is not None
    ]
    if not timed:
        return []
    timed.sort(key=lambda pair: (pair[0], pair[1].casefold()))
    (fastest, fast_name), (slowest, slow_name) = timed[0], timed[-1]
    median = timed[(len(timed) - 1) // 2][0]
    return [
        texts.feed_intervals(
            fastest=(fastest, clip(fast_name, FEED_NAME_CHARS)),
            median=median,
            slowest=(slowest, clip(slow_name, FEED_NAME_CHARS)),
            feeds=len(timed),
        )
    ]


def _follow_lines(kinds: Sequence[KindCounts]) -> list[str]:
    lines = [texts.follows_heading(TOP_PER_KIND)]
    for counts in kinds:
        if not counts.top:
            lines.append(texts.kind_nothing_followed(counts.kind, counts.distinct))
            continue
        lines.append(texts.kind_followed(counts.kind, counts.distinct, counts.follows))
        lines.append(
            texts.topic_counts(
                [(clip(topic.label, LABEL_CHARS), topic.chats) for topic in counts.top]
            )
        )
    return lines


def _feed_summary(feeds: Sequence[FeedHealth]) -> str:
    by_condition = Counter(feed.condition for feed in feeds)
    return texts.feeds_summary(
        len(feeds),
        by_condition[FeedCondition.OK],
        by_condition[FeedCondition.FAILING],
        by_condition[FeedCondition.UNKNOWN],
    )


def _problem_feeds(feeds: Sequence[FeedHealth]) -> list[FeedHealth]:
    """Failing feeds first, the longest streaks on top; then the ones not polled yet."""
    failing = [feed for feed in feeds if feed.condition is FeedCondition.FAILING]
    failing.sort(key=lambda feed: (-feed.consecutive_errors, feed.name.casefold()))
    unknown = [feed for feed in feeds if feed.condition is FeedCondition.UNKNOWN]
    return failing + unknown


def _feed_line(feed: FeedHealth, s: StatusSnapshot) -> str:
    name = clip(feed.name, FEED_NAME_CHARS)
    if feed.condition is FeedCondition.UNKNOWN:
        return texts.feed_not_polled(name)
    reason = " ".join(texts.failure_reason(feed.last_failure, feed.last_error).split())
    return texts.feed_failing(
        name,
        clip(reason, ERROR_CHARS),
        streak=feed.consecutive_errors,
        last_success=_when(feed.last_success, s) if feed.last_success else None,
        alerted=feed.alerted,
    )


def _fit(head: str, lines: Sequence[str]) -> str:
    text = head
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        reserve = texts.more_feeds(rest + 1) if rest else ""
        candidate = f"{text}\n{line}"
        # Keep room for the "… en N meer" line in case a later feed does not fit.
        if utf16_len(candidate) + utf16_len(reserve) + 1 > TELEGRAM_MESSAGE_LIMIT:
            return f"{text}\n{texts.more_feeds(len(lines) - index)}"
        text = candidate
    return text


def _when(moment: datetime, s: StatusSnapshot) -> str:
    return format_time(moment, now=s.now, tz=s.tz)
