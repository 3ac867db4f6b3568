"""Canonical links and stable item ids."""

from __future__ import annotations

import pytest

from bot.ingest.links import article_key, canonical_link, item_id


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


@pytest.mark.parametrize(
    ("url", "key"),
    [
        # DPG Media: one number across its titles, whatever the headline slug.
        (
            "https://www.ad.nl/politiek/zo-kwam-rutte-iv-tot-stand-na-knotsgekke-pre-formatie"
            "-bleek-over-de-inhoud-best-te-praten~a38eae892/",
            "dpg:a38eae892",
        ),
        (
            "https://www.ed.nl/politiek/met-het-kabinet-rutte-iv-spreken-de-oude"
            "-coalitiepartners-van-een-nieuw-tijdperk~a38eae892/?referrer=x#reacties",
            "dpg:a38eae892",
        ),
        (
            "https://www.volkskrant.nl/nieuws-achtergrond/rutte-basisregels~bdd28f83/",
            "dpg:bdd28f83",
        ),
        ("https://www.nrc.nl/nieuws/2021/11/22/rutte-waarschuwt-a4066123", "nrc.nl:a4066123"),
        ("https://www.nu.nl/politiek/6169139/vooralsnog-geen-extra.html", "nu.nl:6169139"),
        (
            "https://www.telegraaf.nl/nieuws/1976524572/rutte-vanaf-zondag",
            "telegraaf.nl:1976524572",
        ),
        ("https://nos.nl/artikel/2412345-kabinet-valt", "nos.nl:2412345"),
        ("https://nos.nl/liveblog/2412345-kabinet-valt", "nos.nl:2412345"),
        ("HTTPS://WWW.GLD.NL:443/nieuws/7459679/liveblog-corona", "gld.nl:7459679"),
        # A date is no article number; a path without one has no key.
        ("https://nieuws.nl/nieuws/20211212/verstappen-wereldkampioen/", None),
        ("https://www.oogtv.nl/2021/11/rutte-met-kleine-maatregelen/", None),
        ("https://www.rtvnoord.nl/politiek/RX-838/petitie-aangeboden", None),
        ("https://nos.nl", None),
        ("mailto:redactie@nos.nl", None),
        ("", None),
    ],
)
def test_article_key_is_the_outlets_article_number(url: str, key: str | None) -> None:
    assert article_key(url) == key
