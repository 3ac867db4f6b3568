"""The bundled sample feeds: marked as samples, freshly dated, read by the real ingest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from bot.config import FeedConfig
from bot.core.model import NewsItem
from bot.ingest.build import build_items
from bot.ingest.parse import parse_feed
from bot.sim.samples import (
    NEWEST_AGE,
    SAMPLE_FEEDS,
    SampleFeed,
    feed_documents,
    newest_date,
    parse_pending,
    pending_items,
    read_sample,
    shift_dates,
)

NOW = datetime(2027, 3, 14, 9, 30, tzinfo=UTC)
MARKER = "Voorbeeldberichten geschreven voor nieuwsbot; geen echt nieuws."


def _items(body: bytes, name: str) -> list[NewsItem]:
    parsed = parse_feed(body, feed=name)
    feed = FeedConfig(name=name, url=f"http://127.0.0.1/{name}.xml", source="Voorbeeldnieuws")
    return build_items(parsed, feed, first_seen=NOW, summary_max_chars=300)


def _as_feed(item_xml: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>t</title><link>https://voorbeeld.nieuwsbot.example/</link>{item_xml}"
        "</channel></rss>"
    ).encode()


@pytest.mark.parametrize("feed", SAMPLE_FEEDS, ids=lambda feed: feed.name)
def test_every_sample_feed_says_it_is_not_real_news(feed: SampleFeed) -> None:
    assert MARKER in read_sample(feed.file)


def test_sample_dates_end_just_before_now_and_keep_their_spacing() -> None:
    documents = feed_documents(NOW)
    texts = [body.decode() for body in documents.values()]
    assert newest_date(texts) == NOW - NEWEST_AGE
    originals = [read_sample(feed.file) for feed in SAMPLE_FEEDS]
    shift = NOW - NEWEST_AGE - newest_date(originals)
    for feed in SAMPLE_FEEDS:
        dated = {item.id: item.published for item in _items(documents[feed.path], feed.name)}
        written = {
            item.id: item.published for item in _items(read_sample(feed.file).encode(), feed.name)
        }
        assert dated == {guid: when + shift for guid, when in written.items()}


def test_shift_dates_changes_only_the_dates() -> None:
    xml = (
        "<rss><channel><lastBuildDate>Thu, 01 Oct 2026 11:55:00 +0200</lastBuildDate>"
        "<item><title>Thu, 01 Oct 2026</title>"
        "<pubDate>Thu, 01 Oct 2026 11:52:00 +0200</pubDate>"
        "<description><![CDATA[<p>a & b</p>]]></description></item></channel></rss>"
    )
    shifted = shift_dates(xml, timedelta(days=2, minutes=8))
    assert shifted == (
        "<rss><channel><lastBuildDate>Sat, 03 Oct 2026 12:03:00 +0200</lastBuildDate>"
        "<item><title>Thu, 01 Oct 2026</title>"
        "<pubDate>Sat, 03 Oct 2026 12:00:00 +0200</pubDate>"
        "<description><![CDATA[<p>a & b</p>]]></description></item></channel></rss>"
    )


def test_samples_cover_countries_and_sections_through_the_real_tagger() -> None:
    documents = feed_documents(NOW)
    items = [item for feed in SAMPLE_FEEDS for item in _items(documents[feed.path], feed.name)]
    per_feed = {feed.name: len(_items(documents[feed.path], feed.name)) for feed in SAMPLE_FEEDS}
    assert all(5 <= count <= 8 for count in per_feed.values()), per_feed
    assert len({item.id for item in items}) == len(items)
    countries = {code for item in items for code in item.countries}
    sections = {slug for item in items for slug in item.sections}
    assert {"UA", "RU", "US", "DE", "IL", "NL"} <= countries
    assert {"binnenland", "buitenland", "economie", "politiek", "sport", "tech"} <= sections
    # Every item is written as ANP wire copy.
    assert all(item.dateline is not None and "ANP" in item.dateline.agencies for item in items)
    # /laatste shows the last 7 days, pushes go out up to 6 hours: all of it is recent.
    assert all(NOW - timedelta(hours=24) < item.published < NOW for item in items)


def test_pending_items_are_released_with_the_release_time() -> None:
    pending = pending_items()
    assert len(pending) >= 5
    feeds = {feed.file for feed in SAMPLE_FEEDS}
    assert {item.feed_file for item in pending} <= feeds
    sample_ids = {
        item.id
        for feed in SAMPLE_FEEDS
        for item in _items(read_sample(feed.file).encode(), feed.name)
    }
    for entry in pending:
        released = entry.released(NOW)
        (item,) = _items(_as_feed(released), "voorbeeld")
        assert item.id == entry.guid
        assert item.id not in sample_ids
        assert item.title == entry.title
        assert item.published == NOW
        assert "<pubDate>" not in entry.item_xml
        assert parsedate_to_datetime(released.split("<pubDate>")[1].split("<")[0]) == NOW


def test_the_first_pending_item_is_about_ukraine() -> None:
    # The console test follows Oekraïne and expects the first ":nieuw" to be pushed.
    first = pending_items()[0]
    (item,) = _items(_as_feed(first.released(NOW)), "voorbeeld")
    assert "UA" in item.countries
    assert "buitenland" in item.sections


@pytest.mark.parametrize(
    "xml",
    [
        "<pending><release><item><guid>a</guid><title>t</title></item></release></pending>",
        '<pending><release feed="f.xml"></release></pending>',
        '<pending><release feed="f.xml"><item><title>t</title></item></release></pending>',
    ],
)
def test_broken_pending_files_are_refused(xml: str) -> None:
    with pytest.raises(ValueError, match=r"guid|feed"):
        parse_pending(xml)
