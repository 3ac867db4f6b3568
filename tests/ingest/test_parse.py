"""Feed bytes to raw entries: real feeds, encodings, non-feeds, broken entries, Dutch dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.ingest import parse
from bot.ingest.dates import parse_date
from bot.ingest.errors import FeedError, NotAFeedError
from bot.ingest.parse import parse_feed
from tests.paths import FIXTURES

FEEDS = FIXTURES / "feeds"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def rss(items: str, *, declaration: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (
        f'{declaration}\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Testfeed</title><link>https://example.nl/</link>{items}</channel></rss>"
    ).encode()


# --- the real feeds --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "title", "first_guid"),
    [
        ("nos_nieuwsalgemeen_2026-10-01.xml", 20, "NOS Nieuws", "https://nos.nl/l/2633258"),
        ("swelbyboy_nos_2026-02-02.xml", 10, "NOS - Article Feed", "https://nos.nl/l/2600568"),
        (
            "swelbyboy_omroep-brabant_2026-02-15.xml",
            10,
            "Omroep Brabant - Article Feed",
            "https://www.omroepbrabant.nl/nieuws/6003504/"
            "jongeren-geweigerd-op-druk-piusplein-gemeente-ziet-het-graag-anders",
        ),
        (
            "swelbyboy_omroep-gelderland_2026-02-10.xml",
            10,
            "Omroep Gelderland - Article Feed",
            "https://www.gld.nl/nieuws/8432072/"
            "misschien-kun-je-toch-nog-meedoen-aan-de-vierdaagse-dat-werkt-zo",
        ),
        (
            "swelbyboy_rtv-noord_2025-12-10.xml",
            10,
            "RTV Noord - Article Feed",
            "https://www.rtvnoord.nl/misdaad/RX-834/"
            "vijf-jaar-cel-voor-superinbreker-na-rooftocht-in-het-noorden",
        ),
        (
            "tweakers_mixed_2026-10-01_trimmed.xml",
            3,
            "Tweakers Mixed RSS Feed",
            "https://tweakers.net/nieuws/252860",
        ),
    ],
)
def test_real_feeds(name: str, count: int, title: str, first_guid: str) -> None:
    parsed = parse_feed((FEEDS / name).read_bytes(), feed=name)
    assert len(parsed.entries) == count
    assert parsed.title == title
    assert parsed.skipped == 0
    assert parsed.entries[0].guid == first_guid
    for entry in parsed.entries:
        assert entry.feed == name
        assert entry.title
        assert entry.link is not None
        assert entry.link.startswith("https://")
        assert entry.published is not None
        assert entry.published.utcoffset() is not None


def test_nos_entry_fields() -> None:
    parsed = parse_feed((FEEDS / "nos_nieuwsalgemeen_2026-10-01.xml").read_bytes(), feed="nos")
    first = parsed.entries[0]
    assert first.title == "Kabinet is bereid om kleinere spaarders en beleggers toch te ontzien"
    assert first.published == datetime(2026, 10, 1, 12, 52, 42, tzinfo=timezone(timedelta(hours=2)))
    assert first.html.startswith("<p>Het minderheidskabinet is bereid")
    assert "<h2>Niet veel draaiknoppen</h2>" in first.html


def test_tweakers_items_without_description() -> None:
    parsed = parse_feed((FEEDS / "tweakers_mixed_2026-10-01_trimmed.xml").read_bytes(), feed="t")
    assert [entry.html for entry in parsed.entries] == ["", "", ""]


# --- encodings -------------------------------------------------------------------

CP1252_ITEM = "<item><guid>a</guid><title>Oekraïne “nu” €5</title></item>"


def test_windows_1252_declared_in_xml() -> None:
    body = (
        '<?xml version="1.0" encoding="windows-1252"?>\n<rss version="2.0"><channel>'
        f"<title>Feed</title>{CP1252_ITEM}</channel></rss>"
    ).encode("cp1252")
    assert b"Oekra\xefne" in body
    parsed = parse_feed(body, feed="cp1252")
    assert parsed.entries[0].title == "Oekraïne “nu” €5"


def test_windows_1252_declared_in_content_type_only() -> None:
    body = f'<rss version="2.0"><channel><title>Feed</title>{CP1252_ITEM}</channel></rss>'.encode(
        "cp1252"
    )
    parsed = parse_feed(
        body, feed="cp1252", headers={"Content-Type": "application/rss+xml; charset=windows-1252"}
    )
    assert parsed.entries[0].title == "Oekraïne “nu” €5"


def test_utf8_feed_with_header() -> None:
    body = rss("<item><guid>a</guid><title>Oekraïne</title></item>")
    parsed = parse_feed(body, feed="f", headers={"content-type": "application/xml; charset=utf-8"})
    assert parsed.entries[0].title == "Oekraïne"


# --- not a feed ------------------------------------------------------------------

COOKIE_WALL = b"""<!DOCTYPE html><html lang="nl"><head><title>Cookies</title></head>
<body><h1>Wij gebruiken cookies</h1><p>Geef toestemming om verder te gaan.</p>
<form><button>Akkoord</button></form></body></html>"""


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (COOKIE_WALL, {"Content-Type": "text/html; charset=utf-8"}),
        (COOKIE_WALL, None),
        (b"", None),
        (b"Service Unavailable", {"Content-Type": "text/plain"}),
        (b'{"error": "not found"}', {"Content-Type": "application/json"}),
    ],
)
def test_not_a_feed(body: bytes, headers: dict[str, str] | None) -> None:
    with pytest.raises(NotAFeedError):
        parse_feed(body, feed="wall", headers=headers)


def test_not_a_feed_is_a_feed_error() -> None:
    assert issubclass(NotAFeedError, FeedError)


def test_body_naming_a_local_file_is_not_read(tmp_path: Path) -> None:
    # feedparser opens bytes that name an existing file; a response must never do that.
    local = tmp_path / "feed.xml"
    local.write_bytes(rss("<item><guid>a</guid><title>Lokaal</title></item>"))
    with pytest.raises(NotAFeedError):
        parse_feed(str(local).encode(), feed="f")


def test_empty_channel_is_a_feed() -> None:
    parsed = parse_feed(rss(""), feed="f")
    assert parsed.entries == []
    assert parsed.title == "Testfeed"


# --- survivable errors and broken entries -----------------------------------------


def test_bozo_feed_keeps_its_entries_and_warns() -> None:
    # An unescaped "&" makes the XML ill-formed; feedparser's loose parser recovers.
    body = rss("<item><guid>a</guid><title>Ajax & PSV</title></item><item><guid>b</guid></item>")
    parsed = parse_feed(body, feed="f")
    assert [entry.guid for entry in parsed.entries] == ["a"]
    assert parsed.skipped == 1
    assert any("SAXParseException" in warning for warning in parsed.warnings)


def test_entry_without_anything_to_show_is_skipped_not_the_feed() -> None:
    body = rss(
        "<item><guid>leeg</guid></item>"
        "<item><guid>goed</guid><title>Goed</title><description>Tekst.</description></item>"
    )
    parsed = parse_feed(body, feed="f")
    assert [entry.guid for entry in parsed.entries] == ["goed"]
    assert parsed.skipped == 1


def test_non_web_links_are_dropped() -> None:
    body = rss(
        "<item><title>A</title><link>javascript:alert(1)</link></item>"
        "<item><title>B</title><guid>b-17</guid></item>"
    )
    assert [(e.guid, e.link) for e in parse_feed(body, feed="f").entries] == [
        (None, None),
        ("b-17", None),
    ]


def test_entry_that_fails_to_convert_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    real_categories = parse._categories

    def categories_or_crash(raw: Mapping[str, Any]) -> tuple[str, ...]:
        if raw.get("title") == "Kapot":
            raise TypeError("odd entry")
        return real_categories(raw)

    monkeypatch.setattr(parse, "_categories", categories_or_crash)
    body = rss(
        "<item><guid>a</guid><title>Goed</title></item>"
        "<item><guid>b</guid><title>Kapot</title></item>"
        "<item><guid>c</guid><title>Ook goed</title></item>"
    )
    parsed = parse.parse_feed(body, feed="f")
    assert [entry.guid for entry in parsed.entries] == ["a", "c"]
    assert parsed.skipped == 1
    assert "1 broken entries skipped" in parsed.warnings


def test_feed_served_as_html_still_parses_with_a_warning() -> None:
    body = rss("<item><guid>a</guid><title>Oekraïne</title></item>")
    parsed = parse_feed(body, feed="f", headers={"Content-Type": "text/html; charset=utf-8"})
    assert [entry.title for entry in parsed.entries] == ["Oekraïne"]
    assert parsed.warnings


def test_entries_without_guid_or_link() -> None:
    body = rss(
        "<item><title>Alleen titel</title></item>"
        "<item><description>Alleen tekst.</description></item>"
        "<item><title>Met link</title><link>https://example.nl/a?utm_source=x</link></item>"
    )
    parsed = parse_feed(body, feed="f")
    assert [(e.guid, e.link, e.title) for e in parsed.entries] == [
        (None, None, "Alleen titel"),
        (None, None, ""),
        (None, "https://example.nl/a?utm_source=x", "Met link"),
    ]
    assert parsed.entries[1].html == "Alleen tekst."


def test_guid_repeated_in_one_feed_keeps_the_first() -> None:
    body = rss(
        "<item><guid>x1</guid><title>Eerste versie</title></item>"
        "<item><guid>x2</guid><title>Ander bericht</title></item>"
        "<item><guid> x1 </guid><title>Tweede versie</title></item>"
    )
    parsed = parse_feed(body, feed="f")
    assert [(e.guid, e.title) for e in parsed.entries] == [
        ("x1", "Eerste versie"),
        ("x2", "Ander bericht"),
    ]
    assert parsed.duplicates == 1


def test_same_link_without_guid_is_one_entry() -> None:
    body = rss(
        "<item><title>A</title><link>https://example.nl/a?utm_medium=rss</link></item>"
        "<item><title>A</title><link>https://example.nl/a</link></item>"
    )
    assert len(parse_feed(body, feed="f").entries) == 1


def test_longest_body_wins_and_categories_are_kept() -> None:
    body = rss(
        "<item><guid>a</guid><title>T</title><description>Kort.</description>"
        "<content:encoded><![CDATA[<p>Lang en volledig verhaal.</p>]]></content:encoded>"
        "<category>Binnenland</category><category>Politiek</category>"
        "<category>Binnenland</category></item>"
    )
    entry = parse_feed(body, feed="f").entries[0]
    assert entry.html == "<p>Lang en volledig verhaal.</p>"
    assert entry.categories == ("Binnenland", "Politiek")


@pytest.mark.parametrize(
    ("ttl", "minutes"), [("15", 15), (" 60 ", 60), ("soms", None), ("0", None)]
)
def test_ttl(ttl: str, minutes: int | None) -> None:
    body = rss(f"<ttl>{ttl}</ttl><item><guid>a</guid><title>T</title></item>")
    assert parse_feed(body, feed="f").ttl_minutes == minutes


def test_ttl_absent() -> None:
    assert parse_feed(rss("<item><title>T</title></item>"), feed="f").ttl_minutes is None


def test_atom_feed() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>
<entry><id>tag:example.nl,2024:1</id><title>Bericht</title>
<link href="https://example.nl/1"/><updated>2024-03-12T14:05:00+01:00</updated>
<content type="html">&lt;p&gt;Tekst.&lt;/p&gt;</content></entry></feed>"""
    entry = parse_feed(body, feed="atom").entries[0]
    assert (entry.guid, entry.link, entry.html) == (
        "tag:example.nl,2024:1",
        "https://example.nl/1",
        "<p>Tekst.</p>",
    )
    assert entry.published == datetime(2024, 3, 12, 13, 5, tzinfo=UTC)


# --- dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pub_date", "expected_utc"),
    [
        ("Thu, 1 Oct 2026 12:52:42 +0200", datetime(2026, 10, 1, 10, 52, 42, tzinfo=UTC)),
        ("di, 12 mrt 2024 14:05:00 +0100", datetime(2024, 3, 12, 13, 5, tzinfo=UTC)),
        # No zone: Dutch time, not UTC (summer time in May).
        ("vr, 3 mei 2024 09:00:00", datetime(2024, 5, 3, 7, 0, tzinfo=UTC)),
        ("Tue, 12 Mar 2024 14:05:00", datetime(2024, 3, 12, 13, 5, tzinfo=UTC)),
        ("2024-10-15 08:30", datetime(2024, 10, 15, 6, 30, tzinfo=UTC)),
    ],
)
def test_entry_dates(pub_date: str, expected_utc: datetime) -> None:
    body = rss(f"<item><guid>a</guid><title>T</title><pubDate>{pub_date}</pubDate></item>")
    assert parse_feed(body, feed="f").entries[0].published == expected_utc


def test_entry_without_date_has_none() -> None:
    body = rss("<item><guid>a</guid><title>T</title><pubDate>gisteren</pubDate></item>")
    assert parse_feed(body, feed="f").entries[0].published is None


CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("di, 12 mrt 2024 14:05:00 +0100", datetime(2024, 3, 12, 14, 5, tzinfo=CET)),
        ("dinsdag 12 maart 2024 14:05", datetime(2024, 3, 12, 14, 5, tzinfo=CET)),
        ("12 maart 2024 14:05", datetime(2024, 3, 12, 14, 5, tzinfo=CET)),
        ("za 4 mei 2024", datetime(2024, 5, 4, tzinfo=CEST)),
        ("15 okt. 2024 09.30 uur", datetime(2024, 10, 15, 9, 30, tzinfo=CEST)),
        ("1 sept 2023 10:00 CEST", datetime(2023, 9, 1, 10, 0, tzinfo=CEST)),
        ("1 sep 2023 10:00 GMT", datetime(2023, 9, 1, 10, 0, tzinfo=UTC)),
        (
            "wo, 1 jan 2025 00:00:00 -0500",
            datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("2024-03-12 14:05", datetime(2024, 3, 12, 14, 5, tzinfo=CET)),
        ("2024-03-12T14:05:00Z", datetime(2024, 3, 12, 14, 5, tzinfo=UTC)),
        ("2024-03-12T14:05:00.250+02:00", datetime(2024, 3, 12, 14, 5, tzinfo=CEST)),
        ("12-03-2024 14:05", datetime(2024, 3, 12, 14, 5, tzinfo=CET)),
        ("31 december 2024 23:59:59", datetime(2024, 12, 31, 23, 59, 59, tzinfo=CET)),
    ],
)
def test_parse_date(value: str, expected: datetime) -> None:
    parsed = parse_date(value, tz=AMSTERDAM)
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "value",
    ["", "gisteren", "2 uur geleden", "31 feb 2024", "12 foo 2024", "1 jan 2024 10:00 PST", "2024"],
)
def test_parse_date_rejects(value: str) -> None:
    assert parse_date(value, tz=AMSTERDAM) is None
