"""Bytes of one feed → tagged items (pure): parse, normalise, tag.

Shared by the poll cycle (``bot.ingest.pipeline``) and ``nieuwsbot fetch``, so
the operator's window shows exactly what a cycle would make of a feed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from bot.config import FeedConfig
from bot.core.model import NewsItem, RawEntry
from bot.ingest.dedupe import merge_exact
from bot.ingest.normalise import normalise
from bot.ingest.parse import ParsedFeed, parse_feed
from bot.tagging import tag

log = logging.getLogger(__name__)


def parse_and_build(
    body: bytes,
    headers: Mapping[str, str],
    feed: FeedConfig,
    first_seen: datetime,
    summary_max_chars: int,
) -> tuple[ParsedFeed, list[NewsItem]]:
    """Parse one feed's body and build its items; raises ``FeedError`` on a non-feed.

    The job of the parse worker process (``bot.ingest.parse_worker``), so its
    arguments are positional and picklable. The ParsedFeed comes back without
    its entries: the items carry them, and sending both back over the pipe
    would double what crosses it.
    """
    parsed = parse_feed(body, feed=feed.name, headers=dict(headers))
    items = build_items(parsed, feed, first_seen=first_seen, summary_max_chars=summary_max_chars)
    return replace(parsed, entries=[]), items


def build_items(
    parsed: ParsedFeed,
    feed: FeedConfig,
    *,
    first_seen: datetime,
    summary_max_chars: int,
) -> list[NewsItem]:
    """Normalise and tag every entry of one parsed feed.

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
    """One item per id across feeds, sections and countries united."""
    merged: dict[str, NewsItem] = {}
    for item in items:
        known = merged.get(item.id)
        merged[item.id] = item if known is None else merge_exact(known, item)
    return list(merged.values())
