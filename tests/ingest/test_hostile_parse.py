"""Hostile feed documents: entity declarations are refused, huge entry lists are capped.

Every document here goes through ``parse_feed`` as a fetched body would. The
entity feeds are the quadratic blow-up the probe of issue 11 used: one big
entity referenced many times, which feedparser expanded into hundreds of MB.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.ingest.errors import FeedError
from bot.ingest.parse import parse_feed
from tests.paths import FIXTURES

RSS_OPEN = (
    '<rss version="2.0"><channel><title>Testfeed</title>'
    "<link>https://example.nl/</link><description>d</description>"
)
RSS_CLOSE = "</channel></rss>"
EXPANDING_DTD = '<!DOCTYPE rss [\n<!ENTITY big "{value}">\n]>\n'


def entity_bomb(*, prolog_before: str = "", references: int = 200) -> str:
    """A feed whose items reference a 5,000-character entity: 1 MB once expanded."""
    dtd = EXPANDING_DTD.format(value="x" * 5000)
    body = "&big;" * references
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog_before}{dtd}{RSS_OPEN}'
        f"<item><title>Bom</title><guid>b-1</guid><description>{body}</description></item>"
        f"{RSS_CLOSE}"
    )


def feed_text(prolog: str, item_title: str = "Gewoon nieuws") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}{RSS_OPEN}'
        f"<item><title>{item_title}</title><guid>g-1</guid>"
        "<link>https://example.nl/1</link></item>"
        f"{RSS_CLOSE}"
    )


# --- entity declarations ------------------------------------------------------------


def _utf16(text: str, codec: str, bom: bytes = b"") -> bytes:
    return bom + text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode(codec)


REFUSED: list[tuple[str, bytes, dict[str, str]]] = [
    ("utf-8 entity bomb", entity_bomb().encode(), {}),
    (
        "entity declared inside a comment before the doctype",
        feed_text(
            '<!--\n<!ENTITY big "' + "x" * 5000 + '">\n-->\n<!DOCTYPE rss>\n',
            "&big;" * 200,
        ).encode(),
        {},
    ),
    ("utf-16le with byte order mark", _utf16(entity_bomb(), "utf-16-le", codecs.BOM_UTF16_LE), {}),
    ("utf-16be without byte order mark", _utf16(entity_bomb(), "utf-16-be"), {}),
    (
        "utf-16le named only by the HTTP charset",
        entity_bomb().split("\n", 1)[1].encode("utf-16-le"),
        {"content-type": "application/rss+xml; charset=utf-16le"},
    ),
    (
        "utf-7 named by the HTTP charset",
        entity_bomb().encode("utf-7"),
        {"content-type": "application/rss+xml; charset=utf-7"},
    ),
    (
        "text before the doctype",
        entity_bomb(prolog_before="rommel\n").encode(),
        {},
    ),
    ("parameter entity", feed_text('<!DOCTYPE rss [<!ENTITY % p "x">]>\n').encode(), {}),
    (
        "internal subset without entities",
        feed_text("<!DOCTYPE rss [<!ELEMENT rss ANY>]>\n").encode(),
        {},
    ),
]


@pytest.mark.parametrize(
    ("body", "headers"), [(b, h) for _, b, h in REFUSED], ids=[n for n, _, _ in REFUSED]
)
def test_entity_declarations_are_refused_before_parsing(
    body: bytes, headers: dict[str, str]
) -> None:
    with pytest.raises(FeedError, match="declares XML entities") as refused:
        parse_feed(body, feed="vijand", headers=headers)
    assert str(refused.value).startswith("vijand: refused: ")


NETSCAPE_091 = (
    '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"\n'
    ' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
)
ACCEPTED: list[tuple[str, str, str]] = [
    ("RSS 0.91 Netscape doctype", NETSCAPE_091, "Caf&eacute; open"),
    ("system id with brackets", '<!DOCTYPE rss SYSTEM "https://example.nl/[v2]/rss.dtd">\n', ""),
    ("internal subset only in a comment", "<!-- <!DOCTYPE rss [ ]> -->\n", ""),
    ("lower-case html doctype", "<!doctype rss>\n", ""),
    ("stylesheet instruction", '<?xml-stylesheet type="text/xsl" href="/rss.xsl"?>\n', ""),
]


@pytest.mark.parametrize(
    ("prolog", "title"), [(p, t) for _, p, t in ACCEPTED], ids=[n for n, _, _ in ACCEPTED]
)
def test_doctypes_without_internal_subset_still_parse(prolog: str, title: str) -> None:
    parsed = parse_feed(feed_text(prolog, title or "Gewoon nieuws").encode(), feed="f")
    assert [e.title for e in parsed.entries] == ["Café open" if title else "Gewoon nieuws"]


def test_entity_text_inside_an_item_is_just_text() -> None:
    cdata = "<![CDATA[Zo werkt <!ENTITY x SYSTEM 'file:///etc/passwd'> in XXE-aanvallen]]>"
    body = feed_text("").replace("<link>", f"<description>{cdata}</description><link>")
    parsed = parse_feed(body.encode(), feed="tweakers")
    assert "<!ENTITY x" in parsed.entries[0].html


def test_utf16_feed_without_doctype_still_parses() -> None:
    body = _utf16(feed_text("", "Oekraïne"), "utf-16-le", codecs.BOM_UTF16_LE)
    assert [e.title for e in parse_feed(body, feed="f").entries] == ["Oekraïne"]


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.joinpath("feeds").glob("*.xml")), ids=lambda p: p.name
)
def test_recorded_feeds_are_not_refused(path: Path) -> None:
    assert parse_feed(path.read_bytes(), feed=path.name).entries


# --- entry cap ----------------------------------------------------------------------

BASE = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def many_entries(count: int, *, newest_first: bool = True) -> bytes:
    order = range(count - 1, -1, -1) if newest_first else range(count)
    items = "".join(
        f"<item><title>Bericht {n}</title><guid>g-{n}</guid>"
        f"<pubDate>{(BASE + timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        "</pubDate></item>\n"
        for n in order
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{RSS_OPEN}{items}{RSS_CLOSE}'.encode()


def test_a_feed_of_thousands_of_entries_keeps_the_newest_200() -> None:
    parsed = parse_feed(many_entries(20_000), feed="vloed")
    assert [e.guid for e in parsed.entries] == [f"g-{n}" for n in range(19_999, 19_799, -1)]
    assert any("20000 entries" in warning for warning in parsed.warnings)


def test_an_oldest_first_feed_keeps_its_newest_200_in_feed_order() -> None:
    parsed = parse_feed(many_entries(300, newest_first=False), feed="oplopend")
    assert [e.guid for e in parsed.entries] == [f"g-{n}" for n in range(100, 300)]


def test_a_feed_of_200_entries_is_kept_whole() -> None:
    parsed = parse_feed(many_entries(200), feed="f")
    assert len(parsed.entries) == 200
    assert parsed.warnings == ()
