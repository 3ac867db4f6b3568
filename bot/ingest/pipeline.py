"""One poll cycle's ingest: due feeds → fetch → parse → normalise → tag → de-duplicate → store.

The pure part (``build_items``, ``merge_exact_duplicates``) turns bytes into tagged
items; ``IngestPipeline`` adds the edges: the fetcher, the store and the clock.
A failing feed only changes its own state; it never stops the cycle.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import httpx

from bot import __version__
from bot.config import FeedConfig, FetchConfig
from bot.core.clock import Clock
from bot.core.model import NewsItem, RawEntry
from bot.ingest.dedupe import StoryIndex, merge_exact
from bot.ingest.errors import FeedError
from bot.ingest.feedstate import FeedState
from bot.ingest.fetch import FeedFetcher, FetchResult, make_client
from bot.ingest.normalise import normalise
from bot.ingest.parse import ParsedFeed, parse_feed
from bot.ingest.parse_worker import ParseWorker
from bot.ingest.schedule import is_due, next_state_after_error, next_state_after_success
from bot.store import Store
from bot.tagging import tag

log = logging.getLogger(__name__)

# Near duplicates are only looked for among stories this recent (the 48 h).
STORY_WINDOW = timedelta(hours=48)

NewStoriesHook = Callable[[Sequence[NewsItem]], Awaitable[None]]


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


def make_fetcher(config: FetchConfig, clock: Clock) -> tuple[httpx.AsyncClient, FeedFetcher]:
    """The shared feed HTTP client (the caller closes it) and a fetcher using it."""
    client = make_client(
        f"nieuwsbot/{__version__}", config.contact_url, deadline_s=config.timeout_seconds
    )
    fetcher = FeedFetcher(
        client,
        max_bytes=config.max_bytes,
        deadline_s=config.timeout_seconds,
        global_concurrency=config.concurrency,
        now=clock,
    )
    return client, fetcher


def build_items(
    parsed: ParsedFeed,
    feed: FeedConfig,
    *,
    first_seen: datetime,
    summary_max_chars: int,
) -> list[NewsItem]:
    """Normalise and tag every entry of one parsed feed (pure).

    A guid repeated within one feed keeps its first entry: feeds list newest
    first, so that is the current version.
    """
    items: list[NewsItem] = []
    seen_ids: set[str] = set()
    for entry in parsed.entries:
        try:
            item = _build_one(entry, feed, first_seen, summary_max_chars)
        except Exception:
            # One entry nobody foresaw must cost that entry, not the feed.
            log.exception("Feed %s: skipped an entry that could not be processed", feed.name)
            continue
        if item.id in seen_ids:
            continue
        seen_ids.add(item.id)
        items.append(item)
    return items


def parse_and_build(
    body: bytes,
    headers: Mapping[str, str],
    feed: FeedConfig,
    first_seen: datetime,
    summary_max_chars: int,
) -> tuple[ParsedFeed, list[NewsItem]]:
    """Parse one response and build its items (pure; the job of the parse worker).

    The ParsedFeed comes back without its entries: the items carry them, and
    sending them back from the worker would double what crosses the pipe.
    """
    parsed = parse_feed(body, feed=feed.name, headers=headers)
    items = build_items(parsed, feed, first_seen=first_seen, summary_max_chars=summary_max_chars)
    return replace(parsed, entries=[]), items


def _build_one(
    entry: RawEntry, feed: FeedConfig, first_seen: datetime, summary_max_chars: int
) -> NewsItem:
    item = normalise(
        entry, source=feed.outlet, first_seen=first_seen, summary_max_chars=summary_max_chars
    )
    tags = tag(
        item.title,
        item.text,
        link=item.link,
        feed_sections=feed.sections,
        categories=entry.categories,
        dateline=item.dateline,
    )
    return replace(item, sections=tags.sections, countries=tags.countries)


def merge_exact_duplicates(items: Iterable[NewsItem]) -> list[NewsItem]:
    """One item per id across feeds, sections and countries united (pure)."""
    merged: dict[str, NewsItem] = {}
    for item in items:
        known = merged.get(item.id)
        merged[item.id] = item if known is None else merge_exact(known, item)
    return list(merged.values())


@dataclass
class IngestPipeline:
    """Runs poll cycles over the configured feeds."""

    feeds: Sequence[FeedConfig]
    fetcher: FeedFetcher
    store: Store
    clock: Clock
    interval: timedelta
    summary_max_chars: int = 300
    rng: random.Random = field(default_factory=random.Random)
    stories: StoryIndex = field(default_factory=StoryIndex)
    # Parsing runs in this child process (started at the first parse); close() stops it.
    parse_worker: ParseWorker = field(default_factory=ParseWorker)
    # Cycles never overlap (the console's ":nieuw" polls outside the JobQueue).
    _cycle_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    def close(self) -> None:
        """Stop the parse worker process (blocks briefly; the next parse restarts it)."""
        self.parse_worker.close()

    def seed_stories(self) -> None:
        """Rebuild the near-duplicate index from stored items (start-up)."""
        since = self.clock() - STORY_WINDOW
        stored = self.store.recent(since=since, limit=None, include_duplicates=True)
        for item in sorted(stored, key=_age_key):
            self.stories.add(item)

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
            if previous.last_success is None:
                # A feed's first successful fetch is its baseline: what it already
                # listed is stored for /laatste but not pushed, so adding a feed
                # (or a fresh install) does not flood followers with old news.
                baseline.update(item.id for item in items)
            new_states[feed.url] = state
        stories, duplicates = await self._store_new(
            merge_exact_duplicates(fetched), on_new_stories, baseline
        )
        await self.store.put_feed_states({url: s.to_dict() for url, s in new_states.items()})
        self.stories.evict(now - STORY_WINDOW)
        return CycleReport(tuple(outcomes), tuple(stories), tuple(duplicates))

    def _state(self, feed: FeedConfig) -> FeedState:
        return stored_feed_state(self.store, feed.url) or FeedState(url=feed.url)

    async def _absorb(
        self, feed: FeedConfig, state: FeedState, result: FetchResult, now: datetime
    ) -> tuple[FeedOutcome, list[NewsItem], FeedState]:
        if result.status == "error":
            return self._failed(feed, state, result.error or "unknown error", result, now)
        permanent = result.permanent_redirect_to or state.permanent_url
        if result.status == "not_modified":
            ok = next_state_after_success(
                state,
                now=now,
                interval=self.interval,
                hints=result.hints,
                rng=self.rng,
                permanent_url=permanent,
            )
            return FeedOutcome(feed.name, "not_modified"), [], ok
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
            return self._failed(feed, state, str(exc), result, now)
        except Exception as exc:
            log.exception("Feed %s could not be processed", feed.name)
            return self._failed(feed, state, f"unexpected error: {type(exc).__name__}", result, now)
        ok = next_state_after_success(
            state,
            now=now,
            interval=self.interval,
            hints=result.hints,
            rng=self.rng,
            etag=result.etag,
            last_modified=result.last_modified,
            permanent_url=permanent,
        )
        if parsed.skipped:
            log.info("Feed %s: skipped %d broken entries", feed.name, parsed.skipped)
        return FeedOutcome(feed.name, "ok", items=len(items)), items, ok

    def _failed(
        self, feed: FeedConfig, state: FeedState, error: str, result: FetchResult, now: datetime
    ) -> tuple[FeedOutcome, list[NewsItem], FeedState]:
        failed = next_state_after_error(
            state,
            now=now,
            interval=self.interval,
            error=error,
            retry_after=result.retry_after,
            rng=self.rng,
        )
        log.warning("Feed %s failed (%d in a row): %s", feed.name, failed.consecutive_errors, error)
        return FeedOutcome(feed.name, "error", error=error), [], failed

    async def _store_new(
        self,
        items: Sequence[NewsItem],
        on_new_stories: NewStoriesHook | None,
        baseline: set[str],
    ) -> tuple[list[NewsItem], list[NewsItem]]:
        """Assign near duplicates (oldest first wins), store, and split the new ones."""
        candidates = [item for item in items if not self.store.is_seen(item.id)]
        # A story we already have, now also in another section's feed (NOS files
        # one story under "algemeen" and "buitenland"): widen its stored sections.
        widened = [
            replace(stored, sections=tuple(dict.fromkeys((*stored.sections, *item.sections))))
            for item in items
            if (stored := self.store.get_item(item.id)) is not None
            and not set(item.sections) <= set(stored.sections)
        ]
        updated_canonicals: dict[str, NewsItem] = {}
        assigned: list[NewsItem] = []
        for item in sorted(candidates, key=_age_key):
            match = self.stories.add(item)
            # Seeing our own id again means an earlier cycle failed before storing it.
            if match.duplicate_of is None or match.duplicate_of == item.id:
                assigned.append(item)
                continue
            assigned.append(replace(item, duplicate_of=match.duplicate_of))
            canonical = (
                updated_canonicals.get(match.duplicate_of)
                or _find(assigned, match.duplicate_of)
                or self.store.get_item(match.duplicate_of)
            )
            if canonical is not None and item.source not in (canonical.source, *canonical.also_at):
                updated_canonicals[canonical.id] = replace(
                    canonical, also_at=(*canonical.also_at, item.source)
                )
        final = [updated_canonicals.pop(i.id, i) for i in assigned]
        stories = [i for i in final if i.duplicate_of is None]
        duplicates = [i for i in final if i.duplicate_of is not None]
        pushable = [story for story in stories if story.id not in baseline]
        if on_new_stories is not None and pushable:
            await on_new_stories(pushable)
        await self.store.add_items([*final, *updated_canonicals.values(), *widened])
        return stories, duplicates


def _age_key(item: NewsItem) -> datetime:
    return item.published


def _find(items: Sequence[NewsItem], item_id: str) -> NewsItem | None:
    return next((item for item in items if item.id == item_id), None)


def feed_states_by_name(
    feeds: Sequence[FeedConfig], store: Store
) -> Mapping[str, FeedState | None]:
    """The stored state of every configured feed, by feed name (for /status, check)."""
    return {feed.name: stored_feed_state(store, feed.url) for feed in feeds}


def stored_feed_state(store: Store, url: str) -> FeedState | None:
    """The persisted state of one feed, decoded; None when never polled."""
    stored = store.get_feed_state(url)
    return FeedState.from_dict(stored) if stored else None
