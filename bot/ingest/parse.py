"""Feed bytes to raw entries, with feedparser doing the XML.

The response bytes go to feedparser together with the HTTP headers so it can
honour the charset of ``Content-Type`` (a windows-1252 feed must still give
"Oekraïne"). Recoverable problems (feedparser's "bozo" flag) become warnings;
only a response that is not a feed at all raises. One malformed entry is
skipped without losing the rest of the feed.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import feedparser

from bot.core.feed_failure import FailureKey, FeedFailure
from bot.core.model import RawEntry
from bot.ingest.dates import parse_date
from bot.ingest.errors import NotAFeedError
from bot.ingest.guard import MAX_ENTRIES, PARSE_ENTRY_LIMIT, newest_entries, prepare
from bot.ingest.links import canonical_link

log = logging.getLogger(__name__)

# Dutch outlets publish in Dutch time; a date without a zone means this zone.
FEED_TZ = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What one feed response held.

    ``RawEntry.html`` is the feed's HTML as served, not sanitised: turn it into
    text with :func:`bot.core.text.html_to_text`, never render it.

    ``skipped`` counts broken entries, ``duplicates`` entries whose guid or
    link repeated an earlier entry of the same response. ``ttl_minutes`` is the
    RSS ``<ttl>`` hint, ``None`` when absent or unreadable.
    """

    entries: list[RawEntry]
    title: str = ""
    ttl_minutes: int | None = None
    skipped: int = 0
    duplicates: int = 0
    warnings: tuple[str, ...] = field(default=())


def parse_feed(
    body: bytes,
    *,
    feed: str,
    headers: Mapping[str, str] | None = None,
) -> ParsedFeed:
    """Parse one feed response. Raises :class:`NotAFeedError` for non-feeds.

    Entity declarations are refused (:class:`bot.ingest.guard.UnsafeFeedError`)
    and at most the newest ``MAX_ENTRIES`` entries are returned.
    """
    document, parser_headers, total = prepare(body, _lower_keys(headers), feed=feed)
    # feedparser takes bytes as a file name if such a file exists; a stream is
    # always read as the document.
    parsed = feedparser.parse(
        io.BytesIO(document),
        response_headers=parser_headers,
        # Bodies only ever become plain text (html_to_text drops every tag and
        # script/style content); feed HTML is never rendered. Sanitising and
        # rewriting relative URIs would be more than half of feedparser's time
        # on the NOS feed for nothing (bench/ingest.py).
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = parsed.get("version") or ""
    raw_entries: list[Any] = parsed.get("entries") or []
    warnings: list[str] = []
    if total:
        log.info("feed %s: %d entries, only the first %d parsed", feed, total, PARSE_ENTRY_LIMIT)
        warnings.append(f"{total} entries in the feed, the first {PARSE_ENTRY_LIMIT} parsed")
    if parsed.get("bozo"):
        problem = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
        if not raw_entries and not version:
            raise NotAFeedError(feed, _not_a_feed(parsed.get("bozo_exception")))
        log.info("feed %s: recoverable parse problem: %s", feed, problem)
        warnings.append(problem)
    elif not raw_entries and not version:
        raise NotAFeedError(feed, FeedFailure(FailureKey.NO_FEED_CONTENT))

    entries: list[RawEntry] = []
    seen: set[str] = set()
    skipped = duplicates = 0
    for index, raw in enumerate(raw_entries):
        try:
            entry = _raw_entry(raw, feed=feed)
        except Exception as exc:  # one odd entry must not cost the whole feed
            log.warning("feed %s: skipping entry %d: %r", feed, index, exc)
            skipped += 1
            continue
        if entry is None:
            skipped += 1
            continue
        key = entry.guid or (canonical_link(entry.link) if entry.link else None)
        if key is not None:
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
        entries.append(entry)
    if len(entries) > MAX_ENTRIES:
        warnings.append(f"{len(entries)} entries, the newest {MAX_ENTRIES} kept")
        entries = newest_entries(entries, MAX_ENTRIES)
    if skipped:
        warnings.append(f"{skipped} broken entries skipped")
    if duplicates:
        warnings.append(f"{duplicates} repeated entries dropped")

    channel = parsed.get("feed") or {}
    return ParsedFeed(
        entries=entries,
        title=_text(channel.get("title")),
        ttl_minutes=_ttl(channel.get("ttl")),
        skipped=skipped,
        duplicates=duplicates,
        warnings=tuple(warnings),
    )


def _raw_entry(raw: Mapping[str, Any], *, feed: str) -> RawEntry | None:
    guid = _text(raw.get("id")) or None
    link = _web_link(_text(raw.get("link")))
    title = _text(raw.get("title"))
    html = _longest_body(raw)
    if not (title or html or link):
        return None  # nothing a reader could be shown
    return RawEntry(
        feed=feed,
        guid=guid,
        link=link,
        title=title,
        html=html,
        published=_published(raw),
        categories=_categories(raw),
    )


def _web_link(link: str) -> str | None:
    # Only web links reach a reader; feedparser also copies non-URL guids here
    # (RSS guids are permalinks unless marked otherwise).
    return link if link.lower().startswith(("https://", "http://")) else None


def _longest_body(raw: Mapping[str, Any]) -> str:
    # Feeds put the story in content:encoded, description or both; the longest
    # one is the fullest.
    candidates = [_text(part.get("value")) for part in raw.get("content") or ()]
    candidates.append(_text(raw.get("summary")))
    candidates.append(_text(raw.get("description")))
    return max(candidates, key=len)


def _published(raw: Mapping[str, Any]) -> datetime | None:
    for name in ("published", "updated", "created"):
        # dict.get: FeedParserDict.get("updated") falls back to "published"
        # with a DeprecationWarning; the order here already does that.
        value = _text(dict.get(raw, name)) if isinstance(raw, dict) else _text(raw.get(name))
        if not value:
            continue
        # Ours first: feedparser reads zone-less dates as UTC and knows no
        # Dutch names; its own parse covers the formats ours does not.
        ours = parse_date(value, tz=FEED_TZ)
        if ours is not None:
            return ours
        struct = dict.get(raw, f"{name}_parsed") if isinstance(raw, dict) else None
        if isinstance(struct, time.struct_time):
            return datetime(*struct[:6], tzinfo=UTC)
    return None


def _categories(raw: Mapping[str, Any]) -> tuple[str, ...]:
    terms = (_text(tag.get("term")) for tag in raw.get("tags") or ())
    return tuple(dict.fromkeys(term for term in terms if term))


def _ttl(value: object) -> int | None:
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return None
    return minutes if minutes > 0 else None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _not_a_feed(complaint: object) -> FeedFailure:
    """feedparser's complaint about a document that is no feed: its class and its words."""
    details = {"exception": type(complaint).__name__, "detail": str(complaint)}
    return FeedFailure(FailureKey.NOT_A_FEED, details)


def _lower_keys(headers: Mapping[str, str] | None) -> dict[str, str]:
    # feedparser looks headers up by lower-case name only.
    return {name.lower(): value for name, value in (headers or {}).items()}
