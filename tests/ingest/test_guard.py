"""The pre-parse guard: cutting a document after N entries leaves well-formed XML."""

from __future__ import annotations

import xml.parsers.expat
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from bot.core.model import RawEntry
from bot.ingest.guard import cut_entries, newest_entries, prolog_problem

RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    "<description><![CDATA[Lees <item>s en <entry>s]]></description>"
    "<!-- <item>oud</item> -->{entries}</channel></rss>"
)
ATOM = (
    '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
    "<id>urn:t</id><updated>2026-10-01T12:00:00Z</updated>{entries}</feed>"
)
PREFIXED_ATOM = (
    '<?xml version="1.0"?><atom:feed xmlns:atom="http://www.w3.org/2005/Atom">'
    "<atom:title>T</atom:title>{entries}</atom:feed>"
)
RDF = (
    '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://example.nl/">'
    "<title>T</title><link>https://example.nl/</link></channel>{entries}</rdf:RDF>"
)
ENTRY = {
    "rss": "<item><title>n{n}</title><description><![CDATA[<item>nep</item>]]></description>"
    "</item>",
    "atom": "<entry><title>n{n}</title><id>urn:{n}</id></entry>",
    "prefixed atom": "<atom:entry><atom:title>n{n}</atom:title></atom:entry>",
    "rdf": '<item rdf:about="https://example.nl/{n}"><title>n{n}</title></item>',
}
TEMPLATES = {"rss": RSS, "atom": ATOM, "prefixed atom": PREFIXED_ATOM, "rdf": RDF}


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_cut_document_is_well_formed_and_keeps_the_first_entries(kind: str) -> None:
    entries = "\n".join(ENTRY[kind].format(n=n) for n in range(25))
    text = TEMPLATES[kind].format(entries=entries).encode()

    cut = cut_entries(text, 10)

    assert cut is not None
    document, total = cut
    assert total == 25
    expat = xml.parsers.expat.ParserCreate()
    expat.Parse(document, True)  # raises ExpatError when not well-formed
    parsed = feedparser.parse(document)
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == [f"n{n}" for n in range(10)]


@pytest.mark.parametrize("count", [0, 1, 10])
def test_documents_within_the_limit_are_not_cut(count: int) -> None:
    entries = "".join(ENTRY["rss"].format(n=n) for n in range(count))
    assert cut_entries(RSS.format(entries=entries).encode(), 10) is None


@pytest.mark.parametrize(
    ("prolog", "problem"),
    [
        ('<!DOCTYPE rss [<!ENTITY a "b">]>', "entity declaration"),
        ("<!DOCTYPE rss [<!ELEMENT rss ANY>]>", "DTD internal subset"),
        ("<!DOCTYPE rss SYSTEM 'a[1].dtd'>", None),
        ('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x.dtd">', None),
        ("<?pi <rss [ ?><!DOCTYPE rss [ ]>", "DTD internal subset"),
        ("<!-- <a> --><!DOCTYPE rss [ ]>", "DTD internal subset"),
        ("<!-- <!DOCTYPE rss [ ]> -->", None),
        ("", None),
    ],
)
def test_prolog_problems(prolog: str, problem: str | None) -> None:
    text = f"<?xml version='1.0' encoding='utf-8'?>\n{prolog}\n<rss><channel/></rss>".encode()
    assert prolog_problem(text) == problem


def test_declarations_after_the_root_element_are_not_the_prologs() -> None:
    text = b"<rss><channel><description><![CDATA[<!DOCTYPE x [<!ENTITY a 'b'>]>]]>"
    assert prolog_problem(text + b"</description></channel></rss>") is None


BASE = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def entry(guid: str, minutes: int | None) -> RawEntry:
    published = None if minutes is None else BASE + timedelta(minutes=minutes)
    return RawEntry(feed="f", guid=guid, link=None, title=guid, html="", published=published)


def test_newest_entries_keep_feed_order_and_count_undated_as_oldest() -> None:
    entries = [entry("a", 1), entry("b", None), entry("c", 5), entry("d", 3), entry("e", 5)]
    assert [e.guid for e in newest_entries(entries, 3)] == ["c", "d", "e"]
    assert [e.guid for e in newest_entries(entries, 4)] == ["a", "c", "d", "e"]
    assert [e.guid for e in newest_entries(entries, 5)] == ["a", "b", "c", "d", "e"]


def test_equal_dates_keep_the_earlier_entries_of_the_feed() -> None:
    entries = [entry(str(n), 0) for n in range(5)]
    assert [e.guid for e in newest_entries(entries, 2)] == ["0", "1"]
