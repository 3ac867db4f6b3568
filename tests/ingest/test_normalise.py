"""Raw entries to plain-text news items: every shared feed, ANP copy, title-less leads."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pytest

from bot.core.model import Dateline, NewsItem, RawEntry
from bot.core.text import ELLIPSIS, is_terminated
from bot.ingest.dateline import split_dateline
from bot.ingest.normalise import (
    MAX_DERIVED_TITLE_CHARS,
    MAX_HTML_CHARS,
    MAX_TEXT_CHARS,
    normalise,
)
from bot.ingest.parse import parse_feed
from tests.paths import FIXTURES

FEED_FILES = sorted(
    path.name
    for path in (FIXTURES / "feeds").glob("*.xml")
    if not path.name.startswith("windows")  # other helpers' synthetic fixtures
)
FIRST_SEEN = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def _items(name: str) -> list[NewsItem]:
    parsed = parse_feed((FIXTURES / "feeds" / name).read_bytes(), feed=name)
    return [normalise(e, source="test", first_seen=FIRST_SEEN) for e in parsed.entries]


def test_every_shared_feed_is_covered() -> None:
    assert len(FEED_FILES) == 6


@pytest.mark.parametrize("name", FEED_FILES)
def test_summaries_of_every_shared_feed(name: str) -> None:
    for item in _items(name):
        for field in (item.title, item.summary, item.text):
            assert not TAG_RE.search(field), field
            assert not ENTITY_RE.search(field), field
        assert len(item.summary) <= 300
        if item.summary:
            # A sentence end, an ellipsis, or a whole first paragraph.
            whole_paragraph = (item.text + "\n").startswith(item.summary + "\n")
            assert is_terminated(item.summary) or whole_paragraph, item.summary
            flat_text = " ".join(item.text.split())
            assert flat_text.startswith(item.summary.removesuffix(ELLIPSIS))
            assert item.summary.casefold() != item.title.casefold()


@pytest.mark.parametrize("name", FEED_FILES)
def test_ids_are_stable_and_unique(name: str) -> None:
    first, again = _items(name), _items(name)
    assert [item.id for item in first] == [item.id for item in again]
    assert len({item.id for item in first}) == len(first)


@pytest.mark.parametrize(
    ("name", "index", "title", "summary_starts"),
    [
        (
            "nos_nieuwsalgemeen_2026-10-01.xml",
            0,
            "Kabinet is bereid om kleinere spaarders en beleggers toch te ontzien",
            "Het minderheidskabinet is bereid",
        ),
        # Description repeats the title: no summary.
        (
            "swelbyboy_rtv-noord_2025-12-10.xml",
            0,
            "Vijf jaar cel voor 'superinbreker' na rooftocht in het Noorden",
            "",
        ),
        # No description at all.
        (
            "tweakers_mixed_2026-10-01_trimmed.xml",
            1,
            "Software-update - Goldwave 7.09",
            "",
        ),
        # Description cut mid-word by the re-publisher: the cut tail is left out.
        (
            "swelbyboy_nos_2026-02-02.xml",
            0,
            "Zeker 13 mijnwerkers dood door Russische drone-aanval, ook kraamkliniek getroffen",
            "Zeker dertien mijnwerkers",
        ),
    ],
)
def test_feed_items(name: str, index: int, title: str, summary_starts: str) -> None:
    item = _items(name)[index]
    assert item.title == title
    assert item.summary.startswith(summary_starts)
    if not summary_starts:
        assert item.summary == ""


def test_nos_item_fields() -> None:
    item = _items("nos_nieuwsalgemeen_2026-10-01.xml")[0]
    assert item.id == "https://nos.nl/l/2633258"
    assert item.link == "https://nos.nl/l/2633258"
    assert item.feed == "nos_nieuwsalgemeen_2026-10-01.xml"
    assert item.source == "test"
    assert item.dateline is None
    assert item.first_seen == FIRST_SEEN
    assert item.published == datetime(2026, 10, 1, 10, 52, 42, tzinfo=UTC)
    assert "\n\nNiet veel draaiknoppen\n\n" in item.text
    assert item.sections == ()
    assert item.countries == ()


def _anp_entry(item_id: str) -> RawEntry:
    path = FIXTURES / "articles" / "superdesk-anp" / f"anp_news_api-item-detail-{item_id}.json"
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return RawEntry(
        feed="anp",
        guid=data["itemId"],
        link=None,
        title=data["title"],
        html=data["bodyText"],
        published=None,
    )


def test_anp_item_loses_its_dateline_from_text_and_summary() -> None:
    item = normalise(
        _anp_entry("7404db79e88ae6483f56941204943a4a"), source="ANP", first_seen=FIRST_SEEN
    )
    assert item.dateline == Dateline("LONDEN", ("ANP", "RTR", "BLOOMBERG"))
    assert item.text.startswith("WikiLeaks-oprichter Julian Assange verzet zich")
    assert item.summary.startswith("WikiLeaks-oprichter Julian Assange verzet zich")
    assert "(ANP" not in item.summary
    assert item.title == "Assange wil zich niet 'overgeven' aan VS"
    assert item.id == "ANP-020519-224"
    # No date in the entry: first seen stands in.
    assert item.published == FIRST_SEEN


def test_english_wire_item_whose_body_repeats_the_title() -> None:
    item = normalise(
        _anp_entry("c4b893fec041a87ee340b513e8b11860"), source="ANP", first_seen=FIRST_SEEN
    )
    assert item.dateline is None
    assert item.summary == "axm/ch/jm"


def _section_page_leads() -> list[str]:
    page = (FIXTURES / "articles" / "anp_section_page.txt").read_text(encoding="utf-8")
    after_list_header = page.split("Meer uit Buitenland\n", 1)[1]
    return [lead for lead in re.split(r"\d+ uur geleden", after_list_header) if lead.strip()]


@pytest.mark.parametrize("lead", _section_page_leads())
def test_title_less_leads_get_their_first_sentence_as_title(lead: str) -> None:
    entry = RawEntry(feed="anp-site", guid=None, link=None, title="", html=lead, published=None)
    item = normalise(entry, source="ANP", first_seen=FIRST_SEEN)
    expected_dateline, rest = split_dateline(lead)
    assert item.dateline == expected_dateline
    assert item.title
    assert len(item.title) <= MAX_DERIVED_TITLE_CHARS
    assert rest.startswith(item.title.removesuffix(ELLIPSIS))
    assert item.summary != item.title
    assert not item.summary.startswith(item.title)
    assert item.id.startswith("sha1:")


def test_long_first_sentence_title_is_cut_at_a_word() -> None:
    lead = (
        "WASHINGTON (ANP) - De Amerikaanse minister van Financiën, Scott Bessent, heeft tijdens "
        "een interview met de Amerikaanse zender Fox Business gezegd dat vannacht de grootste "
        "bombardementscampagne zal plaatsvinden. Daarna niets."
    )
    item = normalise(
        RawEntry(feed="f", guid=None, link=None, title="", html=lead, published=None),
        source="s",
        first_seen=FIRST_SEEN,
    )
    assert len(item.title) <= MAX_DERIVED_TITLE_CHARS
    assert item.title.endswith(ELLIPSIS)
    assert item.title.startswith("De Amerikaanse minister van Financiën, Scott Bessent")
    assert item.summary == "Daarna niets."


@pytest.mark.parametrize(
    ("raw_title", "title"),
    [
        ("Tom &amp;amp; Jerry", "Tom & Jerry"),
        ("<b>Vet</b> nieuws", "Vet nieuws"),
        ("  Twee\n regels  ", "Twee regels"),
        ("Prijs &lt; 5 euro", "Prijs < 5 euro"),
    ],
)
def test_title_is_plain_text(raw_title: str, title: str) -> None:
    entry = RawEntry(feed="f", guid="g", link=None, title=raw_title, html="", published=None)
    assert normalise(entry, source="s", first_seen=FIRST_SEEN).title == title


def test_link_is_canonical_and_id_falls_back_to_it() -> None:
    entry = RawEntry(
        feed="f",
        guid=None,
        link="https://www.nu.nl/a.html?utm_source=rss&fbclid=1",
        title="Titel",
        html="<p>Tekst.</p>",
        published=datetime(2026, 1, 1, tzinfo=UTC),
    )
    item = normalise(entry, source="s", first_seen=FIRST_SEEN)
    assert item.link == "https://www.nu.nl/a.html"
    assert item.id == "https://www.nu.nl/a.html"
    assert item.published == datetime(2026, 1, 1, tzinfo=UTC)


def test_text_is_bounded() -> None:
    html = "<p>" + "Een heel lange zin met woorden. " * 2000 + "</p>"
    entry = RawEntry(feed="f", guid="g", link=None, title="T", html=html, published=None)
    item = normalise(entry, source="s", first_seen=FIRST_SEEN)
    assert len(item.text) <= MAX_TEXT_CHARS
    assert item.text.endswith("woorden.")


def test_megabytes_of_hostile_html_are_capped_before_conversion() -> None:
    # A 5 MiB feed body (the fetch limit) of tag starts that never end.
    hostile = "<p>Echte tekst.</p>" + "<a " * (5 * 1024 * 1024 // 3)
    entry = RawEntry(feed="f", guid="g", link=None, title=hostile, html=hostile, published=None)
    started = time.perf_counter()
    item = normalise(entry, source="s", first_seen=FIRST_SEEN)
    assert time.perf_counter() - started < 2.0  # generous: it takes a fraction
    assert item.text.startswith("Echte tekst.\n\n<a <a")
    assert len(item.text) <= MAX_TEXT_CHARS
    assert item.title.startswith("Echte tekst. <a <a")
    assert len(item.title) <= MAX_HTML_CHARS


def test_tag_cut_by_the_html_cap_does_not_show_as_text() -> None:
    # Markup-heavy HTML: the text is short, so the end of the capped HTML shows.
    filler = "<i></i>" * ((MAX_HTML_CHARS - 600) // len("<i></i>"))
    link = '<a href="https://example.org/' + "x" * 2_000 + '">link</a>'
    html = "<p>Begin.</p>" + filler + "<p>Eind.</p>" + link + " en meer."
    assert html.index("<a href") < MAX_HTML_CHARS < html.index('">link')
    entry = RawEntry(feed="f", guid="g", link=None, title="T", html=html, published=None)
    assert normalise(entry, source="s", first_seen=FIRST_SEEN).text == "Begin.\n\nEind."


def test_html_cap_keeps_plain_text_with_an_early_angle_bracket() -> None:
    html = "Prijs < 5 euro. " + "Een heel lange zin met woorden. " * 10_000
    assert len(html) > MAX_HTML_CHARS
    entry = RawEntry(feed="f", guid="g", link=None, title="T", html=html, published=None)
    item = normalise(entry, source="s", first_seen=FIRST_SEEN)
    assert item.text.startswith("Prijs < 5 euro. Een heel lange zin")
    assert len(item.text) > MAX_TEXT_CHARS - 100


def test_summary_length_is_configurable() -> None:
    entry = _anp_entry("38bdbbbdae1320f77049b5a32538e09c")
    item = normalise(entry, source="s", first_seen=FIRST_SEEN, summary_max_chars=120)
    assert (
        item.summary
        == "Zanger Dotan wil een comeback maken en komt nog dit jaar met nieuwe nummers."
    )


def test_naive_first_seen_is_refused() -> None:
    entry = RawEntry(feed="f", guid="g", link=None, title="T", html="", published=None)
    with pytest.raises(ValueError, match="aware"):
        normalise(entry, source="s", first_seen=datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (datetime(2026, 10, 1, 9, 0, tzinfo=UTC), datetime(2026, 10, 1, 9, 0, tzinfo=UTC)),
        # An outlet's clock a few hours ahead is tolerated.
        (datetime(2026, 10, 1, 15, 0, tzinfo=UTC), datetime(2026, 10, 1, 15, 0, tzinfo=UTC)),
        (datetime(9999, 12, 31, 23, 0, tzinfo=UTC), None),
        (datetime(1, 1, 1, 0, 30, tzinfo=UTC), None),
        (None, None),
    ],
)
def test_implausible_dates_become_the_first_seen_time(
    published: datetime | None, expected: datetime | None
) -> None:
    first_seen = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    entry = RawEntry(
        feed="nos",
        guid="g",
        link="https://nos.nl/l/1",
        title="Titel",
        html="<p>Tekst.</p>",
        published=published,
    )
    item = normalise(entry, source="NOS", first_seen=first_seen)
    assert item.published == (expected or first_seen)


def test_a_feed_title_is_bounded() -> None:
    entry = RawEntry(
        feed="nos",
        guid="g",
        link="https://nos.nl/l/1",
        title="woord " * 100_000,
        html="<p>Tekst.</p>",
        published=None,
    )
    item = normalise(entry, source="NOS", first_seen=datetime(2026, 10, 1, tzinfo=UTC))
    assert len(item.title) <= 300
    assert item.title.endswith("…")
