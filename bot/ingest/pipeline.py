"""One poll cycle's ingest, the executor: due feeds → fetch → build → decide → store.

The decisions (feed-state transitions, baseline, widening, near-duplicate
merges) are pure functions in ``bot.ingest.decide``; turning bytes into tagged
items is ``bot.ingest.build``. This module adds the edges: the fetcher, the
store and the clock. A failing feed only changes its own state; it never stops
the cycle.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.config import FeedConfig, ScheduleConfig
from bot.core.clock import Clock
from bot.core.feed_failure import FailureKey, FeedFailure
from bot.core.model import NewsItem
from bot.ingest.adaptive import AdaptivePolicy
from bot.ingest.build import merge_exact_duplicates, parse_and_build
from bot.ingest.decide import (
    STORY_WINDOW,
    assign_duplicates,
    assign_stories,
    is_baseline,
    new_item_count,
    next_state_after_failure,
    next_state_after_fetch,
    seed_index,
    seed_story_window,
    widened_sections,
)
from bot.ingest.dedupe import StoryIndex
from bot.ingest.errors import FeedError
from bot.ingest.feedstate import FeedState
from bot.ingest.fetch import FeedFetcher, FetchResult
from bot.ingest.parse_worker import ParseWorker
from bot.ingest.schedule import is_due
from bot.store.protocol import IngestStore
from bot.stories import STORY_WINDOW as STORIES_WINDOW
from bot.stories import StoryAssigner
from bot.stories.important import DEFAULT_IMPORTANT, ImportantRule, ImportantStory
from bot.stories.important import important_stories as find_important

log = logging.getLogger(__name__)


class NewStoriesHook(Protocol):
    """Called with a cycle's pushable stories before they are stored (the router).

    ``important``: the stories of this cycle's new items that are important
    (``belangrijk``), whether they became so now or before.
    """

    async def __call__(
        self, stories: Sequence[NewsItem], important: Sequence[ImportantStory] = ()
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """What happened to one feed in one cycle."""

    feed: str
    status: str  # "ok" | "not_modified" | "error"
    items: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CycleReport:
    """A poll cycle's result: new canonical stories (baseline ones included) and merges."""

    outcomes: tuple[FeedOutcome, ...] = ()
    new_stories: tuple[NewsItem, ...] = ()
    new_duplicates: tuple[NewsItem, ...] = ()

    @property
    def failed(self) -> tuple[FeedOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "error")


@dataclass
class IngestPipeline:
    """Runs poll cycles over the configured feeds."""

    feeds: Sequence[FeedConfig]
    fetcher: FeedFetcher
    store: IngestStore
    clock: Clock
    interval: timedelta  # poll_interval_seconds: a new feed's interval, the backoff base
    summary_max_chars: int = 300
    rng: random.Random = field(default_factory=random.Random)
    # Adaptive polling (``[schedule]``); None: the default bounds around ``interval``.
    policy: AdaptivePolicy | None = None
    duplicates: StoryIndex = field(default_factory=StoryIndex)
    stories: StoryAssigner = field(default_factory=StoryAssigner)
    important: ImportantRule = DEFAULT_IMPORTANT
    # Parsing runs in this child process (started at the first parse); close() stops it.
    parse_worker: ParseWorker = field(default_factory=ParseWorker)
    # Cycles never overlap (the console's ":nieuw" polls outside the JobQueue).
    _cycle_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _policy: AdaptivePolicy = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.policy is not None and self.policy.start != self.interval:
            raise ValueError(f"policy starts at {self.policy.start}, interval is {self.interval}")
        self._policy = self.policy or default_policy(self.interval)

    def close(self) -> None:
        """Stop the parse worker process (blocks briefly; the next parse restarts it)."""
        self.parse_worker.close()

    def seed_stories(self) -> None:
        """Rebuild the near-duplicate index and the story window from stored items."""
        now = self.clock()
        stored = self.store.recent(
            since=now - max(STORY_WINDOW, STORIES_WINDOW), limit=None, include_duplicates=True
        )
        seed_index(self.duplicates, [i for i in stored if i.published >= now - STORY_WINDOW])
        seed_story_window(self.stories, stored)

    async def run_cycle(
        self, *, force: bool = False, on_new_stories: NewStoriesHook | None = None
    ) -> CycleReport:
        """Fetch the due feeds (all with ``force``), store and return what is new.

        Commit order makes a crash at any point lose nothing: ``on_new_stories``
        (the push engine persisting its outbox) runs before the items are marked
        seen, and feed validators (ETag) are saved last. A crash in between means
        the next cycle fetches the same items again, and the outbox ignores what
        it already holds.
        """
        async with self._cycle_lock:
            return await self._run_cycle(force, on_new_stories)

    async def _run_cycle(self, force: bool, on_new_stories: NewStoriesHook | None) -> CycleReport:
        now = self.clock()
        states = {feed.url: self._state(feed) for feed in self.feeds}
        due = [feed for feed in self.feeds if force or is_due(states[feed.url], now)]
        if not due:
            return CycleReport()
        results = await self.fetcher.fetch_many([states[feed.url] for feed in due])
        outcomes: list[FeedOutcome] = []
        fetched: list[NewsItem] = []
        baseline: set[str] = set()
        new_states: dict[str, FeedState] = {}
        for feed, result in zip(due, results, strict=True):
            previous = states[feed.url]
            outcome, items, state = await self._absorb(feed, previous, result, now)
            outcomes.append(outcome)
            fetched.extend(items)
            if is_baseline(previous):
                baseline.update(item.id for item in items)
            new_states[feed.url] = state
        stories, duplicates = await self._store_new(
            merge_exact_duplicates(fetched), on_new_stories, baseline
        )
        await self.store.put_feed_states({url: s.to_dict() for url, s in new_states.items()})
        self.duplicates.evict(now - STORY_WINDOW)
        return CycleReport(tuple(outcomes), tuple(stories), tuple(duplicates))

    def _state(self, feed: FeedConfig) -> FeedState:
        return stored_feed_state(self.store, feed.url) or FeedState(url=feed.url)

    async def _absorb(
        self, feed: FeedConfig, state: FeedState, result: FetchResult, now: datetime
    ) -> tuple[FeedOutcome, list[NewsItem], FeedState]:
        if result.status != "ok":
            # A 304 found nothing new; an error teaches nothing.
            after = next_state_after_fetch(
                state, result, now=now, policy=self._policy, rng=self.rng, new_items=0
            )
            if result.status == "error":
                return self._failed(feed, after, result.failure or FeedFailure(FailureKey.UNKNOWN))
            return FeedOutcome(feed.name, "not_modified"), [], after
        try:
            # Parsing and building run in the worker process, within its time and
            # memory budget: a hostile feed costs neither the event loop nor this
            # process's memory. The thread only waits for the worker.
            parsed, items = await asyncio.to_thread(
                self.parse_worker.call,
                feed.name,
                parse_and_build,
                result.body or b"",
                result.headers,
                feed,
                now,
                self.summary_max_chars,
            )
        except FeedError as exc:
            return self._unusable(feed, state, exc.failure, result, now)
        except Exception as exc:
            log.exception("Feed %s could not be processed", feed.name)
            unexpected = FeedFailure(FailureKey.UNEXPECTED, {"exception": type(exc).__name__})
            return self._unusable(feed, state, unexpected, result, now)
        if parsed.skipped:
            log.info("Feed %s: skipped %d broken entries", feed.name, parsed.skipped)
        # Counted before this cycle stores anything (see ``new_item_count``).
        new_items = new_item_count(items, self.store.is_seen)
        after = next_state_after_fetch(
            state, result, now=now, policy=self._policy, rng=self.rng, new_items=new_items
        )
        return FeedOutcome(feed.name, "ok", items=len(items)), items, after

    def _unusable(
        self,
        feed: FeedConfig,
        state: FeedState,
        failure: FeedFailure,
        result: FetchResult,
        now: datetime,
    ) -> tuple[FeedOutcome, list[NewsItem], FeedState]:
        """Fetched, but the body is no usable feed: the feed backs off like a failed fetch."""
        after = next_state_after_failure(
            state,
            failure,
            retry_after=result.retry_after,
            now=now,
            interval=self.interval,
            rng=self.rng,
        )
        return self._failed(feed, after, failure)

    def _failed(
        self, feed: FeedConfig, after: FeedState, failure: FeedFailure
    ) -> tuple[FeedOutcome, list[NewsItem], FeedState]:
        error = failure.english
        log.warning("Feed %s failed (%d in a row): %s", feed.name, after.consecutive_errors, error)
        return FeedOutcome(feed.name, "error", error=error), [], after

    async def _store_new(
        self,
        items: Sequence[NewsItem],
        on_new_stories: NewStoriesHook | None,
        baseline: set[str],
    ) -> tuple[list[NewsItem], list[NewsItem]]:
        """Assign near duplicates, hand the pushable stories on, then store everything."""
        candidates = [item for item in items if not self.store.is_seen(item.id)]
        widened = widened_sections(items, self.store.get_item)
        assignment = assign_duplicates(candidates, self.duplicates, self.store.get_item)
        new_items = assign_stories(assignment.items, self.stories)
        stories = [item for item in new_items if item.duplicate_of is None]
        pushable = [story for story in stories if story.id not in baseline]
        important = self._important(new_items, assignment.updated_stories, baseline)
        if on_new_stories is not None and (pushable or important):
            await on_new_stories(pushable, important)
        await self.store.add_items([*new_items, *assignment.updated_stories, *widened])
        return stories, [item for item in new_items if item.duplicate_of is not None]

    def _important(
        self, new_items: Sequence[NewsItem], updated: Sequence[NewsItem], baseline: set[str]
    ) -> list[ImportantStory]:
        """Important stories of the new items (a feed's baseline never makes one).

        ``updated``: stored stories this cycle gave another outlet (``also_at``).
        """
        return find_important(
            [item for item in new_items if item.id not in baseline],
            self.store.story_reports,
            self.important,
            refreshed=updated,
        )


def default_policy(interval: timedelta) -> AdaptivePolicy:
    """Adaptive polling from ``interval`` with the configuration's default bounds and zone."""
    defaults = ScheduleConfig()
    return AdaptivePolicy(
        start=interval,
        shortest=timedelta(seconds=defaults.min_interval_seconds),
        longest=timedelta(seconds=defaults.max_interval_seconds),
        tz=defaults.tz,
    )


def feed_states_by_name(
    feeds: Sequence[FeedConfig], store: IngestStore
) -> Mapping[str, FeedState | None]:
    """The stored state of every configured feed, by feed name (for /status, check)."""
    return {feed.name: stored_feed_state(store, feed.url) for feed in feeds}


def stored_feed_state(store: IngestStore, url: str) -> FeedState | None:
    """The persisted state of one feed, decoded; None when never polled."""
    stored = store.get_feed_state(url)
    return FeedState.from_dict(stored) if stored else None
