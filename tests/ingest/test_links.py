"""Canonical links and stable item ids."""

from __future__ import annotations

import pytest

from bot.ingest.links import canonical_link, item_id


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://nos.nl/l/2633258", "https://nos.nl/l/2633258"),
        (
            "https://nos.nl/artikel/2633158?utm_source=nieuwsbrief&utm_medium=email&utm_campaign=x",
            "https://nos.nl/artikel/2633158",
        ),
        ("https://www.nu.nl/a.html?fbclid=IwAR0abc", "https://www.nu.nl/a.html"),
        ("https://www.ad.nl/x?gclid=1&dclid=2&msclkid=3&page=2", "https://www.ad.nl/x?page=2"),
        ("https://x.nl/a?mc_cid=1&mc_eid=2&igshid=3&_ga=4&id=7", "https://x.nl/a?id=7"),
        ("https://x.nl/a?UTM_Source=rss&q=oekra%C3%AFne", "https://x.nl/a?q=oekra%C3%AFne"),
        # Other parameters keep their order and encoding; "ref" is not only tracking.
        ("https://x.nl/a?b=2&utm_term=z&a=1&ref=home", "https://x.nl/a?b=2&a=1&ref=home"),
        ("https://nos.nl/l/1#reacties", "https://nos.nl/l/1"),
        ("HTTPS://WWW.NOS.NL/L/1", "https://www.nos.nl/L/1"),
        ("https://nos.nl:443/l/1", "https://nos.nl/l/1"),
        ("http://nos.nl:80/l/1", "http://nos.nl/l/1"),
        ("http://nos.nl:8080/l/1", "http://nos.nl:8080/l/1"),
        ("https://nos.nl", "https://nos.nl/"),
        ("  https://nos.nl/l/1  ", "https://nos.nl/l/1"),
        ("https://x.nl/a?utm_source=rss", "https://x.nl/a"),
        ("mailto:redactie@nos.nl", "mailto:redactie@nos.nl"),
        ("https://x.nl:notaport/a", "https://x.nl:notaport/a"),
        ("", ""),
    ],
)
def test_canonical_link(url: str, canonical: str) -> None:
    assert canonical_link(url) == canonical


def test_canonical_link_is_idempotent() -> None:
    url = "HTTPS://Nos.NL:443/l/1?utm_source=x&a=1#top"
    assert canonical_link(canonical_link(url)) == canonical_link(url)


@pytest.mark.parametrize(
    ("guid", "link", "expected"),
    [
        ("https://nos.nl/l/2633258", "https://nos.nl/l/2633258", "https://nos.nl/l/2633258"),
        ("  tweakers-252860 ", "https://tweakers.net/nieuws/252860", "tweakers-252860"),
        (None, "https://nos.nl/l/1?utm_source=rss#x", "https://nos.nl/l/1"),
        ("   ", "https://nos.nl/l/1", "https://nos.nl/l/1"),
    ],
)
def test_item_id_prefers_guid_then_link(guid: str | None, link: str | None, expected: str) -> None:
    assert item_id(guid=guid, link=link, feed="nos", title="T", text="X") == expected


def test_item_id_without_guid_or_link_is_a_content_hash() -> None:
    first = item_id(guid=None, link=None, feed="anp", title="Titel", text="Tekst.")
    assert first.startswith("sha1:")
    assert len(first) == len("sha1:") + 40
    # Stable across calls, different for another feed, title or text.
    assert first == item_id(guid="", link="", feed="anp", title="Titel", text="Tekst.")
    others = {
        item_id(guid=None, link=None, feed="nos", title="Titel", text="Tekst."),
        item_id(guid=None, link=None, feed="anp", title="Titel 2", text="Tekst."),
        item_id(guid=None, link=None, feed="anp", title="Titel", text="Tekst 2."),
    }
    assert first not in others
    assert len(others) == 3
