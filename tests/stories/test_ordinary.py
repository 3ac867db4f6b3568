"""The ordinary multi-outlet set (tests/fixtures/stories/ordinary.jsonl): its shape and figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from itertools import pairwise

import pytest

from bot.stories.assign import Rules, StoryAssigner
from bot.stories.kinds import Kind, classify
from tests.stories.ordinary import evaluate, load_items, load_pairs, records

MARGIN = 0.02
# What each part gives with the current assigner (docs/stories.md, "The ordinary
# set"), before the margin: (precision, cross-outlet recall). Before the
# "what we know" marker (bot/stories/kinds.py) dev was 0.920 / 0.815; before the
# genre markers of the third round held-out was 0.821 / 0.785 and fresh 0.474 / 0.947.
RECORDED = {
    # The fifth round's headline rule (two reports share a headline word) and
    # gentler time bar moved: dev 0.958 -> 0.979, fresh 0.783 / 0.947 -> 0.900 /
    # 1.000, fresh2 0.711 -> 0.762, fresh3 0.804 / 0.673 -> 0.902 / 0.673,
    # fresh4 0.706 -> 0.800, fresh5 0.784 / 0.656 -> 0.817 / 0.787. The sixth
    # round's reaction words (shock, regret, dismay) moved held-out 0.887 ->
    # 0.982, fresh4 0.800 -> 0.818 and fresh8 0.833 -> 1.000.
    "dev": (0.979, 0.815),
    "heldout": (0.982, 0.785),
    # A second batch, labelled after the second round's method was final
    # (0.900 / 0.947 before a reaction needed the report's headline to quote it).
    "fresh": (0.947, 0.947),
    # A third, labelled before anything ran on it, evaluated once on the third
    # round's method (0.627 / 0.744 on the second round's); reaction pieces
    # took its precision from 0.653.
    "fresh2": (0.762, 0.744),
    # A fourth, gathered the same way after that evaluation, the method
    # unchanged (0.685 / 0.673 then; reaction pieces took precision from 0.685,
    # compound parts ("ov-staking" / "pensioenstaking") recall from 0.673).
    "fresh3": (0.911, 0.745),
    # A fifth, gathered while reaction pieces were built, evaluated once on them
    # (it holds no headline that frames reactions: the same on the method before).
    "fresh4": (0.857, 0.800),  # 0.818 before photo pages without a colon (seventh round)
    # A sixth, gathered after that method was final, evaluated once on it
    # (0.784 / 0.656).
    "fresh5": (0.817, 0.787),
    # A seventh, gathered while the fifth round's rules were built and evaluated
    # once on them: 0.769 / 0.813 (the round before gave the same). Its false
    # joins were reactions; the voice marker read off them took it to this.
    "fresh6": (0.930, 0.812),
    # An eighth, gathered after the fifth round's method was final, evaluated
    # once on it (the round before gives the same on it).
    "fresh7": (0.882, 0.750),
    # A ninth, gathered after that and evaluated once on the same method (the
    # round before gives the same): 0.800 / 0.421. Reports 8-24 hours apart in
    # other words, and date-only times, keep its recall low; the bar's ceiling
    # (read off it) joins a death reported again the next day.
    "fresh8": (1.000, 0.526),
    # A tenth, gathered after the ceiling was decided and evaluated once on it:
    # 0.743 / 0.375 (the method without it gives the same). Most headlines are
    # URL words. Tributes ("herdenken") and "wat we tot nu toe weten", read off
    # it, took its precision to this.
    "fresh9": (0.862, 0.359),
    # An eleventh, gathered while compound parts and tributes were built and
    # evaluated once on them (the previous round's method gives the same).
    "fresh10": (0.625, 0.500),
    # A twelfth, gathered after that and evaluated once on the sixth round's
    # final method: 0.731 / 0.680 (the fifth round's gives the same). Its
    # politicians "verbijsterd" over a stabbing, read off it, took precision
    # to this.
    "fresh11": (0.864, 0.680),
    # A thirteenth, gathered in the seventh round and evaluated once on the
    # sixth round's final method: 0.419 / 1.000. A mayor's death and five
    # reactions to it, each its own event by the README, made one cluster;
    # grief and sympathy words ("treurt om", "leeft mee met"), read off it,
    # took precision to this.
    "fresh12": (0.581, 1.000),
    # A fourteenth, gathered after that and evaluated once on the seventh
    # round's method: 0.560 / 0.650 (the sixth round's gives the same).
    # "Voetbalwereld rouwt om Maradona" and "Kamer gefrustreerd na vertrek
    # Kaag", read off it, took precision to this.
    "fresh13": (0.700, 0.650),
    # A fifteenth, gathered after that and evaluated once on the seventh
    # round's final method: 0.696 / 0.857 (the sixth round's gives the same).
    # Photo and video pages ("Eerste beelden rampplek Genua"), read off it,
    # took precision to this.
    "fresh14": (0.842, 0.857),
    # A sixteenth, gathered after that and evaluated once on the seventh
    # round's final method (the sixth round's gives the same); 28 reports.
    "fresh15": (0.875, 0.778),
    # A seventeenth, gathered after that and evaluated once on the same method
    # (the sixth round's gives the same): the first to meet both targets.
    "fresh16": (0.917, 0.846),
    # An eighteenth, gathered after that and evaluated once on the same method
    # (the sixth round's gives the same).
    "fresh17": (0.792, 0.679),
    # A nineteenth, gathered after that and evaluated once on the same method
    # (the sixth round's gives the same).
    "fresh18": (0.565, 0.722),
}


@pytest.mark.parametrize("part", sorted(RECORDED))
def test_ordinary_figures_do_not_fall_below_those_recorded(part: str) -> None:
    precision, recall = RECORDED[part]
    figures = evaluate(part)
    assert figures.precision >= precision - MARGIN, figures.line()
    assert figures.cross_recall >= recall - MARGIN, figures.line()


def test_every_record_is_complete_and_dated_by_its_convention() -> None:
    rows = records()
    # ordinary.jsonl, then fresh2 ... fresh18
    per_file = (152, 60, 60, 60, 60, 60, 46, 37, 54, 30, 54, 41, 36, 38, 28, 34, 38, 29)
    assert len({row["id"] for row in rows}) == len(rows) == sum(per_file)
    for row in rows:
        assert row["title"], row["id"]
        assert row["description"], row["id"]
        assert row["link"].startswith("http"), row["id"]
        assert row["part"] in (
            "dev",
            "heldout",
            "fresh",
            "fresh2",
            "fresh3",
            "fresh4",
            "fresh5",
            "fresh6",
            "fresh7",
            "fresh8",
            "fresh9",
            "fresh10",
            "fresh11",
            "fresh12",
            "fresh13",
            "fresh14",
            "fresh15",
            "fresh16",
            "fresh17",
            "fresh18",
        ), row["id"]
        published = datetime.fromisoformat(row["pubDate"])
        assert published.utcoffset() is not None, row["id"]
        assert row["time_precision"] in ("day", "minute", "text"), row["id"]
        if row["time_precision"] == "day":  # date-only pages: 12:00 local time
            assert (published.hour, published.minute) == (12, 0), row["id"]


def test_the_set_is_multi_outlet_news_with_look_alikes() -> None:
    rows = records()
    outlets_of: dict[str, set[str]] = {}
    for row in rows:
        outlets_of.setdefault(row["event"], set()).add(row["outlet"])
    assert len({row["outlet"] for row in rows}) >= 40
    assert sum(len(outlets) > 1 for outlets in outlets_of.values()) >= 20
    # Not-news pieces are events of their own, never part of a report's event.
    for row in rows:
        if row["kind"] not in ("news", "live"):
            assert row["event"].startswith(("feature:", "analysis:", "opinion:", "other:"))
            assert len([r for r in rows if r["event"] == row["event"]]) == 1, row["id"]
    categories = Counter(pair.category for pair in load_pairs())
    assert categories["cross-outlet"] >= 100
    assert categories["other-event-same-day"] + categories["other-event-other-day"] >= 40
    assert categories["news-vs-feature"] >= 60


def test_dev_and_heldout_are_whole_dossiers() -> None:
    # No two items within 72 hours are split between dev and held-out (the fresh
    # batches are replayed and paired on their own).
    part_of = {row["id"]: row["part"] for row in records()}
    items = [item for item in load_items() if not part_of[item.id].startswith("fresh")]
    for a, b in pairwise(items):
        if abs(b.published - a.published).total_seconds() <= 72 * 3600:
            assert part_of[a.id] == part_of[b.id], (a.id, b.id)


# "What we know" round-ups are overviews, not the report (bot/stories/kinds.py);
# real headlines of the set, and reports that must stay news.
ROUND_UPS = [
    ("De botsing van 2 treinen en een kraan: dit is wat we weten", Kind.FEATURE),
    ("Dit is alles wat we nu weten over de ingestorte flat in Den Haag", Kind.FEATURE),
    ("Storm Eunice trekt over Nederland, dit weten we nu", Kind.FEATURE),
    ("Dit weten we over de aanslag in de Utrechtse tram", Kind.FEATURE),
    ("Wat weten we nu over de schietpartijen in Rotterdam", Kind.FEATURE),
    ("Wat we tot nu toe weten over de explosie in Beiroet", Kind.FEATURE),
    ("Goederentrein botste eerst op kraan, daarna ontspoorde intercity", Kind.NEWS),
    ("Kaag stapt op als demissionair minister van Buitenlandse Zaken", Kind.NEWS),
]


@pytest.mark.parametrize(("title", "kind"), ROUND_UPS)
def test_what_we_know_round_ups_are_not_the_report(title: str, kind: Kind) -> None:
    row = next(row for row in records() if row["title"] == title)
    assert classify(row["title"], row["description"], row["link"]).kind is kind


# Reconstructions, obituaries, photo pages, reaction round-ups and overviews
# say what they are in the headline or the lead (bot/stories/kinds.py); real
# rows of the set, and reports with the same words that must stay news.
GENRE_MARKERS = [
    ("De liquidatie van advocaat Wiersum van minuut tot minuut", Kind.FEATURE),
    ("Advocaat Derk Wiersum (1975-2019) stond altijd de underdog bij", Kind.FEATURE),
    ("In beeld: Rotterdam in extase na landstitel Feyenoord", Kind.FEATURE),
    # Photo and video pages without a colon, or with it further on (fresh4, fresh14).
    ("In beeld treinongeluk Dalfsen wereldartikel", Kind.FEATURE),
    ("Storm Poly in beeld: zo gaat het er nu in Nederland aan toe", Kind.FEATURE),
    ("Eerste beelden rampplek Genua", Kind.FEATURE),
    (
        "LIVESTREAM. Beelden tonen chaos net na instorting brug Genua - Al zeker 22 doden",
        Kind.NEWS,  # a livestream page carries a real lead: the report
    ),
    ("Zwaarste aardbevingen in het noorden", Kind.FEATURE),  # lead: "Een overzicht van ..."
    (
        "BREKEND: Misdaadverslaggever Peter R. de Vries (64) overleden aan zijn verwondingen",
        Kind.NEWS,
    ),
    ("Koning breekt vakantie in Griekenland af: 'Reacties zijn heftig, die raken ons'", Kind.NEWS),
    (
        "Vanavond op tv: oud-premier Van Agt overleden, wie wil er nog burgemeester worden",
        Kind.FEATURE,
    ),
]


@pytest.mark.parametrize(("title", "kind"), GENRE_MARKERS)
def test_genre_markers_make_a_feature(title: str, kind: Kind) -> None:
    row = next(row for row in records() if row["title"] == title)
    assert classify(row["title"], row["description"], row["link"]).kind is kind


# Reactions are happenings of their own (README rule 4): a headline that says
# so in its own voice makes a reaction piece; quoted words, a report that
# mentions mourners, and a party's "eerste reactie" on its own happening stay news.
REACTIONS = [
    ("Reacties: 'Derk Wiersum was een slimme, vriendelijke en kundige advocaat'", Kind.REACTION),
    ("Zo reageert Den Haag op aftreden Van der Steur", Kind.REACTION),
    ("Koningspaar reageert op overlijden Elizabeth: 'Dankbaar voor vriendschap'", Kind.REACTION),
    ("Werder Bremen-staflid reageert op drama met Nouri", Kind.REACTION),
    # Tributes: people who remember the dead ("herdenken"), not the report of
    # the death.
    ("Bekende Nederlanders herdenken Koos Alberts", Kind.REACTION),
    ("Koos Alberts (71) overleden", Kind.NEWS),
    # What an event did to people, in the headline's own words: shock, regret,
    # dismay, a moment of silence ...
    ("Halsema staat stil bij verwoesting Amsterdamse Vondelkerk", Kind.REACTION),
    ("Rutte noemt opstappen Wiersma enorm spijtig", Kind.REACTION),
    ("Politiek verbijsterd over steekpartij in centrum", Kind.REACTION),
    ("Pieter Omtzigt laat het CDA in verslagenheid en verwarring achter", Kind.REACTION),
    # ... grief and sympathy (fresh12: the same morning's death report stays news).
    ("Politiek Den Haag treurt om Van der Laan", Kind.REACTION),
    ("Koningspaar leeft mee met gezin Van der Laan", Kind.REACTION),
    ("Burgemeester Eberhard van der Laan overleden", Kind.NEWS),
    ("Kerk in rouw na overlijden van Paus Franciscus", Kind.NEWS),
    ("Voetbalwereld rouwt om 'eeuwig genie' Maradona: 'Een echte legende'", Kind.REACTION),
    ("Diego Maradona (60) overleden na hartstilstand", Kind.NEWS),
    ("Kamer gefrustreerd na vertrek Kaag: 'Wat zijn we als land diep gezonken'", Kind.REACTION),
    ("Sigrid Kaag legt leiderschap D66 neer om zorgen gezin", Kind.NEWS),
    # ... not when the words are a quote inside the report of the death.
    ('Paus Franciscus (88) overleden: koningspaar "diep getroffen" door zijn dood', Kind.NEWS),
    ("Koning breekt vakantie in Griekenland af: 'Reacties zijn heftig, die raken ons'", Kind.NEWS),
    (
        "Britse koningin Elizabeth 96 overleden duizenden mensen rouwen bij Buckingham Palace",
        Kind.NEWS,
    ),
    ("Minister Van der Steur stapt op om Teevendeal", Kind.NEWS),
    # A headline that opens by naming itself a reaction to something.
    ("Reactie Rutte op aanslagen in Brussel", Kind.REACTION),
    # People telling, in their words, what an event did to them ...
    ("Moeder van Nicky Verstappen tikt haar man aan: 'We hebben een dader'", Kind.REACTION),
    ("Klanten treuren om Blokker: 'Heb nog tienduizend spaarpunten'", Kind.REACTION),
    (
        "Buurman doodgeschoten advocaat: 'Hij heeft twee jonge kinderen, verschrikkelijk'",
        Kind.REACTION,
    ),
    # ... not witnesses telling what happened, nor people who are the news.
    (
        "Ooggetuigen: tiener met hoodie schoot twee keer op advocaat, echtgenote stond erbij",
        Kind.NEWS,
    ),
    ("Slachtoffers steekpartij Amsterdam Centraal zijn Amerikaanse toeristen", Kind.NEWS),
]


@pytest.mark.parametrize(("title", "kind"), REACTIONS)
def test_a_headline_that_frames_reactions_makes_a_reaction(title: str, kind: Kind) -> None:
    row = next(row for row in records() if row["title"] == title)
    assert classify(row["title"], row["description"], row["link"]).kind is kind


@pytest.mark.parametrize(
    "title",
    [
        "Eerste reactie Rutte: 'Denk dat er goed akkoord ligt'",  # the dossier, kk-130
        "Snelle reactie van brandweer voorkomt erger bij woningbrand",
    ],
)
def test_one_reaction_is_no_marker(title: str) -> None:
    assert classify(title, "", "https://www.telegraaf.nl/nieuws/123/x").kind is Kind.NEWS


def test_a_reaction_neither_joins_the_report_nor_takes_it_in() -> None:
    # The resignation from four outlets, then Elsevier's round-up of reactions,
    # then the same reaction piece again as another outlet's copy would be.
    items = {item.id: item for item in load_items("fresh3")}
    reports = [items[key] for key in ("f3-014", "f3-016", "f3-017")]
    reaction = items["f3-018"]
    assigner = StoryAssigner()
    stories = {assigner.assign(report) for report in reports}
    assert len(stories) == 1
    assert assigner.assign(reaction) == reaction.id
    copy = replace(reaction, id="copy-of-f3-018", link=reaction.link + "?copy")
    assert assigner.assign(copy) == reaction.id
    later = replace(reports[0], id="later-report", published=reaction.published)
    assert assigner.assign(later) in stories


def test_a_death_reported_again_the_next_day_in_the_same_words_joins_the_story() -> None:
    # Ramses Shaffy's death: two reports that day, and a page dated the next
    # day only (stamped 12:00 by the labelling convention), 20-24 hours later.
    items = {item.id: item for item in load_items("fresh8")}
    first, second, next_day = items["f8-000"], items["f8-001"], items["f8-002"]
    assigner = StoryAssigner()
    story = assigner.assign(first)
    assert assigner.assign(second) == story
    assert assigner.assign(next_day) == story
    # Without the ceiling the bar would be out of reach a day later.
    rising = StoryAssigner(rules=Rules(max_bar=float("inf")))
    rising.assign(first)
    rising.assign(second)
    assert rising.assign(next_day) == next_day.id


@pytest.mark.parametrize(
    ("part", "reports", "other"),
    [
        # NOS and Zwolle Nu on the crash; RTV Oost's and NOS's eyewitnesses
        # ("'Ik hoorde een knal en zag de trein voorbij schuiven'") tell it in
        # their own words, their leads full of the crash's.
        pytest.param("fresh4", ("f4-000", "f4-003"), ("f4-001", "f4-002"), id="dalfsen"),
        # The semi-final lost, and the fans on the Leidseplein that night.
        pytest.param("fresh2", ("f2-020", "f2-021"), ("f2-022",), id="ajax-spurs"),
    ],
)
def test_a_piece_whose_headline_shares_no_word_with_the_reports_is_another_happening(
    part: str, reports: tuple[str, ...], other: tuple[str, ...]
) -> None:
    items = {item.id: item for item in load_items(part)}
    ordered = sorted((items[key] for key in (*reports, *other)), key=lambda i: (i.published, i.id))

    def stories(assigner: StoryAssigner) -> dict[str, str]:
        return {item.id: assigner.assign(item) for item in ordered}

    found = stories(StoryAssigner())
    assert len({found[key] for key in reports}) == 1
    assert not {found[key] for key in other} & {found[key] for key in reports}
    # The headline rule is what keeps them apart: the leads alone would join them.
    loose = stories(StoryAssigner(rules=Rules(min_headline_shared=0)))
    assert {loose[key] for key in other} & {loose[key] for key in reports}
