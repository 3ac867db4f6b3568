"""Datelines of real ANP copy, the ANP section page, and sentences that are not datelines."""

from __future__ import annotations

import json
import re

import pytest

from bot.core.cities import display_city
from bot.core.model import Dateline
from bot.core.text import html_to_text
from bot.ingest.dateline import split_dateline
from tests.paths import FIXTURES

ARTICLES = FIXTURES / "articles"

# ANP News API items (superdesk-anp fixtures): file id -> expected dateline and
# the first words of the text after it. The two English items have none.
ANP_ITEMS = [
    ("38bdbbbdae1320f77049b5a32538e09c", Dateline("AMSTERDAM", ("ANP",)), "Zanger Dotan wil"),
    (
        "42fba1dc418300a556f3126946c68c7c",
        Dateline("WASHINGTON", ("AFN",)),
        "De arbeidsproductiviteit",
    ),
    (
        "7404db79e88ae6483f56941204943a4a",
        Dateline("LONDEN", ("ANP", "RTR", "BLOOMBERG")),
        "WikiLeaks-oprichter Julian",
    ),
    (
        "864f00ba5bcacd0fe6e6e5b506b26307",
        Dateline("DEERFIELD", ("AFN",)),
        "Caterpillar, 's werelds",
    ),
    (
        "ac3dc857e87ea0a0b98635b314941d12",
        Dateline("BATTLE CREEK", ("AFN", "BLOOMBERG")),
        "Financieel directeur",
    ),
    ("ac47563d3fe56f62972f0f7e55d323cd", None, "The Bank of England"),
    (
        "bd34da5aa71ea490639e5601f98b238a",
        Dateline("WASHINGTON", ("AFN", "BLOOMBERG")),
        "Het aantal eerste",
    ),
    ("c4b893fec041a87ee340b513e8b11860", None, "Maduro exhorts"),
]


@pytest.mark.parametrize(("item_id", "expected", "text_starts"), ANP_ITEMS)
def test_anp_news_api_items(item_id: str, expected: Dateline | None, text_starts: str) -> None:
    path = ARTICLES / "superdesk-anp" / f"anp_news_api-item-detail-{item_id}.json"
    body = json.loads(path.read_text(encoding="utf-8"))["data"]["bodyText"]
    dateline, rest = split_dateline(html_to_text(body))
    assert dateline == expected
    assert rest.startswith(text_starts)


def test_anp_newsml_item_with_mixed_case_city() -> None:
    xml = (ARTICLES / "superdesk-belga" / "anp_belga.xml").read_text(encoding="utf-8")
    paragraphs = [html_to_text(p) for p in re.findall(r"<p>.*?</p>", xml)]
    results = [split_dateline(p) for p in paragraphs]
    found = [(dateline, rest) for dateline, rest in results if dateline is not None]
    # Only the second paragraph carries one; the editorial note above it does not.
    assert len(found) == 1
    dateline, rest = found[0]
    assert dateline == Dateline("San Mateo", ("ANP",))
    assert rest.startswith("FNV kondigt werkonderbrekingen")


def _section_page_leads() -> list[str]:
    page = (ARTICLES / "anp_section_page.txt").read_text(encoding="utf-8")
    # List items are glued to the previous item's relative time ("2 uur geleden").
    return [lead for lead in re.split(r"\n|\d+ uur geleden", page) if lead.strip()]


SECTION_PAGE = [
    ("Biden en Poetin gaan praten over spanning rond Oekraïne", None),
    (
        "WASHINGTON (ANP/RTR) - De Amerikaanse president Biden",
        Dateline("WASHINGTON", ("ANP", "RTR")),
    ),
    ("Biden zal tegen Poetin zeggen", None),
    ("Maar Blinken maakte tevens", None),
    ("Volgens het Kremlin", None),
    ("Meer uit Buitenland", None),
    ("MOSKOU (ANP/DPA) - De Russische", Dateline("MOSKOU", ("ANP", "DPA"))),
    ("WASHINGTON (ANP/DPA) - De Amerikaanse minister", Dateline("WASHINGTON", ("ANP", "DPA"))),
    # The page's oddity: a city where the agencies belong; kept as written.
    ("NEW YORK (WASHINGTON) - De directeur", Dateline("NEW YORK", ("WASHINGTON",))),
    ("WASHINGTON (ANP) - Een experiment", Dateline("WASHINGTON", ("ANP",))),
    ("BAGDAD (ANP/AFP/DPA) - De Amerikaanse ambassade", Dateline("BAGDAD", ("ANP", "AFP", "DPA"))),
    ("WASHINGTON (ANP/RTR) - Het Witte Huis", Dateline("WASHINGTON", ("ANP", "RTR"))),
    ("PARIJS (ANP) - Iran heeft", Dateline("PARIJS", ("ANP",))),
]


def test_section_page_table_covers_every_lead() -> None:
    leads = _section_page_leads()
    assert len(leads) == len(SECTION_PAGE)
    for lead, (starts, _) in zip(leads, SECTION_PAGE, strict=True):
        assert lead.startswith(starts)


@pytest.mark.parametrize(("index", "expected"), [(i, row[1]) for i, row in enumerate(SECTION_PAGE)])
def test_section_page_leads(index: int, expected: Dateline | None) -> None:
    lead = _section_page_leads()[index]
    dateline, rest = split_dateline(lead)
    assert dateline == expected
    if expected is None:
        assert rest == lead
    else:
        assert rest[0].isupper()
        assert not re.search(r"\((ANP|WASHINGTON)", rest[:40])


@pytest.mark.parametrize(
    ("text", "expected", "rest"),
    [
        ("DEN HAAG - Het kabinet valt.", Dateline("DEN HAAG"), "Het kabinet valt."),
        ("  UTRECHT (ANP) – De politie", Dateline("UTRECHT", ("ANP",)), "De politie"),
        ("ROTTERDAM (ANP)—De haven", Dateline("ROTTERDAM", ("ANP",)), "De haven"),
        ("ROTTERDAM (ANP) — De haven", Dateline("ROTTERDAM", ("ANP",)), "De haven"),
        ("ST. LOUIS (AP) - Een", Dateline("ST. LOUIS", ("AP",)), "Een"),
        ("'S-HERTOGENBOSCH - De", Dateline("'S-HERTOGENBOSCH"), "De"),
        ("ALPHEN AAN DEN RIJN - Een", Dateline("ALPHEN AAN DEN RIJN"), "Een"),
        ("SÃO PAULO (ANP/RTR) - Een", Dateline("SÃO PAULO", ("ANP", "RTR")), "Een"),
        ("KIEV (anp/rtr) - Een", Dateline("KIEV", ("ANP", "RTR")), "Een"),
        ("EDE - Een auto", Dateline("EDE"), "Een auto"),
    ],
)
def test_dateline_shapes(text: str, expected: Dateline, rest: str) -> None:
    assert split_dateline(text) == (expected, rest)


@pytest.mark.parametrize(
    "text",
    [
        "VVD - de partij van Yeşilgöz",
        "VVD - De partij van Yeşilgöz",
        "NOS - De omroep meldt",
        "CDA - Bontenbal wil",
        "Rutte (VVD) - De premier",
        "De man - die zweeg - ging weg.",
        "Software-update - Goldwave 7.09",
        "AMSTERDAM-ZUID is druk",
        "ROTTERDAM—De haven",
        "ROTTERDAM -De haven",
        "WASHINGTON (ANP) - ",
        "HET GROTE NIEUWS VAN VANDAAG - Kijk",
        "PSV - Ajax eindigde in 2-2.",
        "2024 - Een jaar",
        "",
    ],
)
def test_not_a_dateline(text: str) -> None:
    assert split_dateline(text) == (None, text)


@pytest.mark.parametrize(
    ("city", "shown"),
    [
        ("DEN HAAG", "Den Haag"),
        ("NEW YORK", "New York"),
        ("BATTLE CREEK", "Battle Creek"),
        ("'S-HERTOGENBOSCH", "'s-Hertogenbosch"),
        ("ALPHEN AAN DEN RIJN", "Alphen aan den Rijn"),
        ("IJMUIDEN", "IJmuiden"),
        ("ST. LOUIS", "St. Louis"),
        ("SAOEDI-ARABIË", "Saoedi-Arabië"),
        ("San Mateo", "San Mateo"),
    ],
)
def test_display_city(city: str, shown: str) -> None:
    assert display_city(Dateline(city)) == shown
