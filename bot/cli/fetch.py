"""``nieuwsbot fetch``: run the ingest chain once over URLs, files or the configured feeds.

Nothing is stored: this is the operator's window on what the bot would make of a
feed. Items are de-duplicated across the given sources exactly as in a poll cycle.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.config import Config, FeedConfig
from bot.core.cities import display_city
from bot.core.clock import Clock
from bot.core.model import NewsItem
from bot.ingest.build import merge_exact_duplicates, parse_and_build
from bot.ingest.decide import assign_duplicates, assign_stories
from bot.ingest.dedupe import StoryIndex
from bot.ingest.errors import FeedError
from bot.ingest.feedstate import FeedState
from bot.ingest.fetch import make_fetcher
from bot.ingest.parse_worker import ParseWorker
from bot.stories import StoryAssigner


@dataclass(frozen=True, slots=True)
class SourceResult:
    feed: FeedConfig
    items: tuple[NewsItem, ...] = ()
    # What went wrong, without the source's name: the caller prints "{url}: {error}".
    error: str | None = None


def feeds_for_sources(sources: Sequence[str], config: Config) -> list[FeedConfig]:
    """A FeedConfig per SOURCE (URL or local file); the configured feeds when none given."""
    if not sources:
        return list(config.enabled_feeds)
    by_url = {feed.url: feed for feed in config.feeds}
    feeds = []
    for source in sources:
        if source in by_url:
            feeds.append(by_url[source])
        elif urlsplit(source).scheme in ("http", "https"):
            feeds.append(FeedConfig(name=urlsplit(source).netloc, url=source))
        else:
            feeds.append(FeedConfig(name=Path(source).name, url=source))
    return feeds


async def fetch_sources(
    feeds: Sequence[FeedConfig], config: Config, clock: Clock
) -> list[SourceResult]:
    """Fetch, parse, normalise, tag and de-duplicate; one result per feed, in order.

    Parsing runs in a parse worker process with the bot's budgets, so a feed the
    bot would refuse as too costly is refused here too.
    """
    now = clock()
    remote = [feed for feed in feeds if urlsplit(feed.url).scheme in ("http", "https")]
    fetched: dict[str, SourceResult] = {}
    with ParseWorker() as worker:
        if remote:
            client, fetcher = make_fetcher(config.fetch, clock)
            async with client:
                results = await fetcher.fetch_many([FeedState(url=feed.url) for feed in remote])
            for feed, result in zip(remote, results, strict=True):
                if result.status == "error" or result.body is None:
                    fetched[feed.url] = SourceResult(feed, error=result.error or "no body")
                else:
                    fetched[feed.url] = await asyncio.to_thread(
                        _build, worker, feed, result.body, result.headers, config, now
                    )
        for feed in feeds:
            if feed.url not in fetched:
                fetched[feed.url] = await asyncio.to_thread(_from_file, worker, feed, config, now)
    return _dedupe([fetched[feed.url] for feed in feeds])


def _from_file(
    worker: ParseWorker, feed: FeedConfig, config: Config, now: datetime
) -> SourceResult:
    try:
        body = Path(feed.url).read_bytes()
    except OSError as exc:
        return SourceResult(feed, error=f"cannot read: {exc.strerror or exc}")
    result = _build(worker, feed, body, {}, config, now)
    # A recorded feed was not seen now: when it was seen is unknown, so its items
    # count as seen when published. Stories then go by the feed's own times (a
    # live blog by its time, not by this run's), as in a replay.
    return replace(result, items=tuple(replace(item, first_seen=None) for item in result.items))


def _build(
    worker: ParseWorker,
    feed: FeedConfig,
    body: bytes,
    headers: dict[str, str],
    config: Config,
    now: datetime,
) -> SourceResult:
    try:
        _, items = worker.call(
            feed.name, parse_and_build, body, headers, feed, now, config.news.summary_max_chars
        )
    except FeedError as exc:
        return SourceResult(feed, error=exc.failure.english)  # str(exc) starts with the name
    except Exception as exc:  # a parser surprise is this source's failure, not the run's
        return SourceResult(feed, error=f"cannot parse: {type(exc).__name__}: {exc}")
    return SourceResult(feed, items=tuple(items))


def _dedupe(results: list[SourceResult]) -> list[SourceResult]:
    """The poll cycle's merges over everything fetched, each item under its first source."""
    everything = merge_exact_duplicates(item for result in results for item in result.items)
    batch = {item.id: item for item in everything}
    assignment = assign_duplicates(everything, StoryIndex(), lambda _: None)
    merged = {item.id: item for item in assign_stories(assignment.items, StoryAssigner())}
    deduped: list[SourceResult] = []
    emitted: set[str] = set()
    for result in results:
        items = []
        for item in result.items:
            if item.id in emitted:
                continue
            emitted.add(item.id)
            items.append(merged.get(item.id, batch[item.id]))
        deduped.append(replace(result, items=tuple(items)))
    return deduped


def item_to_json(item: NewsItem) -> str:
    """One line of ``fetch --json`` output."""
    return json.dumps(
        {
            "id": item.id,
            "feed": item.feed,
            "link": item.link,
            "title": item.title,
            "summary": item.summary,
            "published": item.published.isoformat(),
            "sections": list(item.sections),
            "countries": list(item.countries),
            "dateline": item.dateline.to_json() if item.dateline else None,
            "duplicate_of": item.duplicate_of,
            "story": item.story_id,
        },
        ensure_ascii=False,
    )


def item_to_text(item: NewsItem, tz: ZoneInfo) -> str:
    """A readable block for the human output of ``fetch``."""
    when = item.published.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    facts = [item.source, when]
    if item.dateline:
        agencies = "/".join(item.dateline.agencies)
        facts.append(display_city(item.dateline) + (f" ({agencies})" if agencies else ""))
    lines = [item.title, "  " + " · ".join(facts)]
    tags = [*item.sections, *item.countries]
    if tags:
        lines.append("  tags: " + ", ".join(tags))
    if item.duplicate_of:
        lines.append(f"  duplicate of: {item.duplicate_of}")
    if item.story_id != item.id:
        lines.append(f"  story: {item.story_id}")
    if item.summary:
        lines.append("  " + item.summary)
    lines.append("  " + item.link)
    return "\n".join(lines)
