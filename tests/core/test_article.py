"""Article numbers in outlets' links."""

from __future__ import annotations

import pytest

from bot.core.article import article_key


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
