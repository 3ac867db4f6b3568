"""Sample Dutch news feeds for ``nieuwsbot console``: written for nieuwsbot, not real news.

Real feed texts belong to their outlets, so the package ships its own short
items in the style of ANP wire copy. The XML files carry fixed publication
dates; :func:`feed_documents` moves them to just before "now" when the console
starts, because the bot pushes only recent news and ``/laatste`` shows only the
last days. ``pending.xml`` holds the items ``:nieuw`` releases one at a time.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from importlib import resources

__all__ = [
    "NEWEST_AGE",
    "PENDING_FILE",
    "SAMPLE_FEEDS",
    "SAMPLE_OUTLET",
    "SECOND_OUTLET",
    "PendingItem",
    "SampleFeed",
    "feed_documents",
    "newest_date",
    "parse_pending",
    "pending_items",
    "read_sample",
    "shift_dates",
]

SAMPLE_OUTLET = "Voorbeeldnieuws"
# A second outlet, so that ":nieuw" can release another outlet's report of a
# story: the console then shows the story's silent follow-up.
SECOND_OUTLET = "Voorbeeldkrant"
PENDING_FILE = "pending.xml"
# How old the newest sample item is when the console starts: recent enough to
# read as today's news, old enough to sort below anything ":nieuw" releases.
NEWEST_AGE = timedelta(minutes=3)

_DATE_RE = re.compile(r"<(pubDate|lastBuildDate)>([^<]+)</\1>")


@dataclass(frozen=True, slots=True)
class SampleFeed:
    """One bundled feed file; ``name`` is its feed name in the console's config."""

    file: str
    outlet: str = SAMPLE_OUTLET

    @property
    def name(self) -> str:
        return self.file.removesuffix(".xml")

    @property
    def path(self) -> str:
        """Where the console's feed server serves it."""
        return f"/{self.file}"


SAMPLE_FEEDS: tuple[SampleFeed, ...] = (
    SampleFeed("voorbeeld-algemeen.xml"),
    SampleFeed("voorbeeld-buitenland.xml"),
    SampleFeed("voorbeeld-sport.xml"),
    SampleFeed("voorbeeld-regio.xml", SECOND_OUTLET),
)


@dataclass(frozen=True, slots=True)
class PendingItem:
    """An item waiting to be published into ``feed_file`` (RSS ``<item>`` without date)."""

    feed_file: str
    guid: str
    title: str
    item_xml: str

    def released(self, at: datetime) -> str:
        """The item's XML with ``at`` as its publication date."""
        item = ET.fromstring(self.item_xml)  # noqa: S314 - our own package data
        ET.SubElement(item, "pubDate").text = format_datetime(at)
        return ET.tostring(item, encoding="unicode")


def read_sample(file: str) -> str:
    """The text of a bundled sample file."""
    return resources.files(__name__).joinpath(file).read_text(encoding="utf-8")


def shift_dates(xml: str, shift: timedelta) -> str:
    """Move every ``<pubDate>`` and ``<lastBuildDate>`` of an RSS document by ``shift``.

    Everything else stays byte for byte as written (CDATA sections included).
    """

    def moved(match: re.Match[str]) -> str:
        tag, value = match[1], match[2]
        when = parsedate_to_datetime(value.strip()) + shift
        return f"<{tag}>{format_datetime(when)}</{tag}>"

    return _DATE_RE.sub(moved, xml)


def newest_date(documents: list[str]) -> datetime:
    """The latest ``<pubDate>`` in the given RSS documents."""
    dates = [
        parsedate_to_datetime(match[2].strip())
        for xml in documents
        for match in _DATE_RE.finditer(xml)
        if match[1] == "pubDate"
    ]
    if not dates:
        raise ValueError("no <pubDate> in the sample feeds")
    return max(dates)


def feed_documents(now: datetime, *, newest_age: timedelta = NEWEST_AGE) -> dict[str, bytes]:
    """Every sample feed by server path, dated so its newest item is ``newest_age`` old.

    The items keep their spacing, so the sample reads like a morning of news
    ending a few minutes ago, whenever the console is started.
    """
    texts = {feed.path: read_sample(feed.file) for feed in SAMPLE_FEEDS}
    shift = now - newest_age - newest_date(list(texts.values()))
    return {path: shift_dates(xml, shift).encode("utf-8") for path, xml in texts.items()}


def parse_pending(xml: str) -> tuple[PendingItem, ...]:
    """The ``<release feed="...">`` entries of a pending file, in release order."""
    root = ET.fromstring(xml)  # noqa: S314 - our own package data
    found: list[PendingItem] = []
    for release in root.iter("release"):
        feed_file = release.get("feed", "")
        item = release.find("item")
        if item is None or not feed_file:
            raise ValueError("every <release> needs a feed attribute and an <item>")
        guid = (item.findtext("guid") or "").strip()
        title = (item.findtext("title") or "").strip()
        if not guid or not title:
            raise ValueError(f"pending item without guid or title in {feed_file}")
        item.tail = None
        found.append(PendingItem(feed_file, guid, title, ET.tostring(item, encoding="unicode")))
    return tuple(found)


def pending_items() -> tuple[PendingItem, ...]:
    """The bundled items ``:nieuw`` releases, in order."""
    return parse_pending(read_sample(PENDING_FILE))
