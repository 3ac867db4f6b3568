"""The decisions of a poll cycle, as pure functions over plain data.

``bot.ingest.pipeline`` is the executor: it reads state, fetches, calls these,
and persists what they return. Everything that decides — how a feed's state
moves after a fetch (what its publishing model learns, when it is polled
next), which items are a feed's baseline, which stored stories
widen their sections, which new items are near duplicates of which story — is
here, with no I/O, so it is tested with tables and shared by ``run``,
``check --online``, ``nieuwsbot fetch`` and the benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.feed_failure import FailureKey, FeedFailure
from bot.core.model import NewsItem
from bot.ingest.adaptive import AdaptivePolicy
from bot.ingest.dedupe import StoryIndex
from bot.ingest.feedstate import FeedState
from bot.ingest.schedule import next_state_after_error, next_state_after_success
from bot.stories import StoryAssigner

if TYPE_CHECKING:
    from bot.ingest.fetch import FetchResult

# Near duplicates are only looked for among stories this recent.
STORY_WINDOW = timedelta(hours=48)

ItemLookup = Callable[[str], NewsItem | None]


def next_state_after_fetch(
    state: FeedState,
    result: FetchResult,
    *,
    now: datetime,
    policy: AdaptivePolicy,
    rng: random.Random,
    new_items: int | None = None,
) -> FeedState:
    """Fold a fetch result into the feed's state (the caller persists it).

    A 200 or 304 first teaches the feed's publishing model that the span since
    its previous success brought ``new_items`` items (0 for a 304), then
    schedules the next poll at the adaptive interval, server hints as floors.
    ``new_items=None`` teaches nothing: a caller that only looks (``check
    --online``) sees the interval the stored model gives. An error backs off
    from ``poll_interval_seconds`` (``policy.start``) as it always did.
    """
    if result.status == "error":
        return next_state_after_failure(
            state,
            result.failure or result.error or FeedFailure(FailureKey.UNKNOWN),
            retry_after=result.retry_after,
            now=now,
            interval=policy.start,
            rng=rng,
        )
    if new_items is not None:
        state = policy.learn(state, now=now, new_items=new_items)
    delay = policy.delay(state, now=now, hints=result.hints)
    permanent = result.permanent_redirect_to or state.permanent_url
    if result.status == "ok":
        # A 200 replaces the validators, even with none: stale ones would only
        # make the server compare against a representation we no longer hold.
        return next_state_after_success(
            state,
            now=now,
            interval=policy.start,
            hints=result.hints,
            rng=rng,
            delay=delay,
            etag=result.etag,
            last_modified=result.last_modified,
            permanent_url=permanent,
        )
    # A 304 may carry refreshed validators; without them the old ones stand.
    return next_state_after_success(
        state,
        now=now,
        interval=policy.start,
        hints=result.hints,
        rng=rng,
        delay=delay,
        etag=result.etag or state.etag,
        last_modified=result.last_modified or state.last_modified,
        permanent_url=permanent,
    )


def next_state_after_failure(
    state: FeedState,
    error: FeedFailure | str,
    *,
    retry_after: timedelta | None,
    now: datetime,
    interval: timedelta,
    rng: random.Random,
) -> FeedState:
    """A failed fetch, or a body that was fetched but is not a usable feed: back off."""
    return next_state_after_error(
        state, now=now, interval=interval, error=error, retry_after=retry_after, rng=rng
    )


def is_baseline(previous: FeedState) -> bool:
    """A feed's first successful fetch is its baseline.

    What it already lists is stored for /laatste but not pushed, so adding a
    feed (or a fresh install) does not flood followers with old news.
    """
    return previous.last_success is None


def new_item_count(items: Iterable[NewsItem], seen: Callable[[str], bool]) -> int:
    """How many of a response's items the bot had not stored before (the policy's lesson).

    ``seen`` is the store's ``is_seen``, asked before this cycle stores anything,
    so two feeds of one cycle that both list a new story both count it. The
    count is per bot, not per feed: a story another feed stored in an earlier
    cycle does not count for this one (NOS files one story under several
    section feeds). That undercounts a feed whose items mostly arrive first
    through another feed, and polls it more slowly; those items were found
    already, and polling it faster would only find them again. Its own items
    still count. The alternative, a per-feed set of the ids each feed listed,
    would put up to 200 ids per feed into ``feeds.json``, which is rewritten
    whole every cycle that polls a feed (every few seconds at busy hours).
    """
    return len({item.id for item in items if not seen(item.id)})


def widened_sections(items: Iterable[NewsItem], stored: ItemLookup) -> list[NewsItem]:
    """Stored stories seen again in another section's feed, with their sections united.

    NOS files one story under "algemeen" and "buitenland": the second sighting
    adds buitenland to the stored item instead of being dropped as seen.
    """
    widened: list[NewsItem] = []
    for item in items:
        known = stored(item.id)
        if known is not None and not set(item.sections) <= set(known.sections):
            sections = tuple(dict.fromkeys((*known.sections, *item.sections)))
            widened.append(replace(known, sections=sections))
    return widened


@dataclass(frozen=True, slots=True)
class Assignment:
    """New items with ``duplicate_of`` set, and stored stories that gained an outlet."""

    items: tuple[NewsItem, ...]
    updated_stories: tuple[NewsItem, ...]

    @property
    def stories(self) -> list[NewsItem]:
        return [item for item in self.items if item.duplicate_of is None]

    @property
    def duplicates(self) -> list[NewsItem]:
        return [item for item in self.items if item.duplicate_of is not None]


def assign_duplicates(
    candidates: Sequence[NewsItem], index: StoryIndex, stored: ItemLookup
) -> Assignment:
    """Add new items to the near-duplicate index, oldest first (the oldest report wins).

    ``index`` is the one piece of state carried between cycles; it is updated
    in place. A canonical story, new in this batch or stored, records every
    other outlet that carried it in ``also_at``.
    """
    updated: dict[str, NewsItem] = {}
    assigned: list[NewsItem] = []
    for item in sorted(candidates, key=_age_key):
        match = index.add(item)
        # Seeing our own id again means an earlier cycle failed before storing it.
        if match.duplicate_of is None or match.duplicate_of == item.id:
            assigned.append(item)
            continue
        assigned.append(replace(item, duplicate_of=match.duplicate_of))
        canonical = (
            updated.get(match.duplicate_of)
            or _find(assigned, match.duplicate_of)
            or stored(match.duplicate_of)
        )
        if canonical is not None and item.source not in (canonical.source, *canonical.also_at):
            updated[canonical.id] = replace(canonical, also_at=(*canonical.also_at, item.source))
    final = tuple(updated.pop(item.id, item) for item in assigned)
    return Assignment(final, tuple(updated.values()))


def assign_stories(items: Sequence[NewsItem], stories: StoryAssigner) -> list[NewsItem]:
    """Give each new item its story (the news event it reports), in arrival order.

    ``stories`` is carried between cycles and updated in place. Items that already
    carry a story (a stored item seen again, widened) keep it.
    """
    assigned = {
        item.id: replace(item, story=stories.assign(item))
        for item in sorted(items, key=_arrival_key)
        if item.story is None
    }
    return [assigned.get(item.id, item) for item in items]


def seed_index(index: StoryIndex, stored: Iterable[NewsItem]) -> None:
    """Rebuild the near-duplicate index from stored items, oldest first (start-up)."""
    for item in sorted(stored, key=_age_key):
        index.add(item)


def seed_story_window(stories: StoryAssigner, stored: Iterable[NewsItem]) -> None:
    """Replay stored items with their recorded stories, so a restart renumbers nothing."""
    ordered = sorted(stored, key=_arrival_key)
    stories.seed((item, item.story_id) for item in ordered)


def _arrival_key(item: NewsItem) -> tuple[datetime, datetime, str]:
    return (item.first_seen or item.published, item.published, item.id)


def _age_key(item: NewsItem) -> datetime:
    return item.published


def _find(items: Sequence[NewsItem], item_id: str) -> NewsItem | None:
    return next((item for item in items if item.id == item_id), None)
