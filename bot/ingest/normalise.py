"""A raw feed entry to a plain-text :class:`NewsItem` (before tagging).

HTML becomes text, the wire dateline is split off, a missing title is made
from the first sentence, the link is made canonical and the id stable. Pure:
the first-seen time comes in from the caller.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.model import NewsItem, RawEntry
from bot.core.text import html_to_text, iter_sentences, shorten, summarise
from bot.ingest.dateline import split_dateline
from bot.ingest.links import canonical_link, item_id

# Bounds memory per item; far beyond any news story, so nothing real is lost.
MAX_TEXT_CHARS = 20_000
# Raw HTML (body or title) beyond this is cut before it becomes text. The text
# is cut to MAX_TEXT_CHARS anyway, and ten times that in markup is more than
# any real story carries, while a feed body can be megabytes (up to the 5 MiB
# fetch limit): converting all of it would only spend time in the ingest
# worker thread, which holds the GIL and so stalls the bot's event loop.
MAX_HTML_CHARS = 200_000
# A title made from the first sentence stays readable in a Telegram message.
MAX_DERIVED_TITLE_CHARS = 120
# A feed's own title is a headline; anything longer is not one (and would be
# stored, and clipped again for every chat that receives it).
MAX_TITLE_CHARS = 300
# A publication date is believed within a day of when we first saw the item (an
# outlet's clock may run ahead a little); a date far in the future or before web
# feeds existed is a feed error, and the item gets its first-seen time instead:
# a year-9999 date would otherwise top /laatste for a week and never leave the
# de-duplication window.
MAX_CLOCK_SKEW = timedelta(days=1)
EARLIEST_PUBLISHED = datetime(1995, 1, 1, tzinfo=UTC)
SUMMARY_MAX_CHARS = 300


def normalise(
    entry: RawEntry,
    *,
    source: str,
    first_seen: datetime,
    summary_max_chars: int = SUMMARY_MAX_CHARS,
) -> NewsItem:
    """Normalise one entry; sections and countries are left for the tagger."""
    if first_seen.tzinfo is None:
        raise ValueError("first_seen must be timezone-aware")
    dateline, body = split_dateline(html_to_text(_capped(entry.html)))
    text = _bounded(body)
    title = shorten(_one_line(html_to_text(_capped(entry.title))), MAX_TITLE_CHARS)
    lead = text
    if not title:
        title, lead = _title_from(text)
    summary = summarise(lead, title=title, max_chars=summary_max_chars)
    return NewsItem(
        id=item_id(guid=entry.guid, link=entry.link, feed=entry.feed, title=title, text=text),
        feed=entry.feed,
        source=source,
        link=canonical_link(entry.link) if entry.link else "",
        title=title,
        summary=summary,
        text=text,
        published=believable_published(entry.published, first_seen),
        dateline=dateline,
        first_seen=first_seen,
    )


def believable_published(published: datetime | None, first_seen: datetime) -> datetime:
    """The entry's date, unless it is missing or implausible: then when we first saw it."""
    if published is None or not EARLIEST_PUBLISHED <= published <= first_seen + MAX_CLOCK_SKEW:
        return first_seen
    return published


def _title_from(text: str) -> tuple[str, str]:
    """A title from the first sentence, and the text the summary starts from.

    Wire leads without a headline (ANP section lists) are titled by their
    first sentence; the summary then starts after it, even when the title had
    to be shortened.
    """
    first = next(iter_sentences(text), "")
    if not first:
        return "", text
    rest = text[text.find(first) + len(first) :]
    return shorten(first, MAX_DERIVED_TITLE_CHARS), rest


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _capped(html: str) -> str:
    if len(html) <= MAX_HTML_CHARS:
        return html
    cut = html[:MAX_HTML_CHARS]
    # A tag cut in two would come out as text: end before its "<". Only near
    # the cut: further back, a "<" without a ">" after it is plain text.
    tag_start = cut.rfind("<", MAX_HTML_CHARS - 1_000)
    if tag_start >= 0 and cut.find(">", tag_start) < 0:
        return cut[:tag_start]
    return cut


def _bounded(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text[:MAX_TEXT_CHARS]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut
