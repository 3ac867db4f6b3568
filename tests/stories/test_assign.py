"""Story assignment: the rules of issue 12 on real items, and the labelled figures.

Items come from tests/fixtures/stories/items.jsonl (real reports, see the
README there), built into ``NewsItem``s by the real normaliser and tagger.
Each table case replays its items, oldest first, through a fresh assigner:
only the items of the case are in the window, as when a story breaks.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.core.article import article_key
from bot.core.model import Dateline, NewsItem
from bot.stories import STORY_WINDOW, Kind, Rules, StoryAssigner
from bot.stories.kinds import classify
from bot.stories.terms import compound_parts, name_terms, words
from tests.stories.labelled import (
    DEV,
    HELDOUT,
    evaluate,
    evaluate_dev_folds,
    load_items,
    load_parts,
)
from tests.stories.ordinary import load_items as load_ordinary_items

# The targets of issue 12, and the margin the labelled figures may fall short by
# before the test fails (a relabelled pair moves them by about 0.005).
PRECISION_TARGET = 0.90
RECALL_TARGET = 0.70
MARGIN = 0.02
# What the held-out part gives with the current method (docs/stories.md,
# "Figures"), less the margin.
HELDOUT_PRECISION_FLOOR = 0.806 - MARGIN
HELDOUT_RECALL_FLOOR = 0.435 - MARGIN


@functools.cache
def _items() -> dict[str, NewsItem]:
    return {item.id: item for item in load_items()}


def item(item_id: str) -> NewsItem:
    return _items()[item_id]


def stories_of(*item_ids: str) -> dict[str, str]:
    assigner = StoryAssigner()
    ordered = sorted((item(i) for i in item_ids), key=lambda it: (it.published, it.id))
    return {it.id: assigner.assign(it) for it in ordered}


# --- One event: reports of one happening join one story ----------------------------

SAME_EVENT = [
    pytest.param(
        ("kk-003", "kk-004"),
        id="arrest-katwijk: Omroep West and AD on one arrest, a minute apart",
    ),
    pytest.param(
        ("kk-016", "kk-017", "kk-019", "kk-020"),
        id="riots: NU video, NU, Telegraaf and 1Limburg on Rutte's statement",
    ),
    pytest.param(
        ("kk-077", "kk-078", "kk-079"),
        id="ivana-smit: RTL Boulevard, Telegraaf and ED on the mother's appeal",
    ),
    pytest.param(
        ("kk-050", "kk-052", "kk-053"),
        id="vvd-congress: AD, NOS and NU on Rutte at the congress",
    ),
    pytest.param(
        ("kk-103", "kk-104", "kk-105", "kk-106"),
        id="verstappen: four outlets on the congratulations",
    ),
    pytest.param(
        ("kk-030", "kk-031", "kk-032", "kk-033", "kk-035", "kk-037", "kk-038", "kk-040"),
        id="press-conference: live pages and reports of one press conference",
    ),
    pytest.param(
        ("kk-114", "kk-116", "kk-124", "kk-130", "kk-131"),
        id="agreement-reached: Volkskrant, AD, Parool, Telegraaf, NU that evening",
    ),
]


@pytest.mark.parametrize("item_ids", SAME_EVENT)
def test_reports_of_one_event_share_a_story(item_ids: tuple[str, ...]) -> None:
    stories = stories_of(*item_ids)
    first = min((item(i) for i in item_ids), key=lambda it: (it.published, it.id))
    assert set(stories.values()) == {first.id}


# --- Hard negatives: look-alikes that are another story ----------------------------

DIFFERENT_EVENTS = [
    pytest.param(
        "kk-116",
        "kk-133",
        id="same dossier next day: agreement reached (Mon 18:19) vs groups approve (Tue 08:47)",
    ),
    pytest.param(
        "kk-110",
        "kk-116",
        id="announced vs happened: presentation set for Wednesday vs the agreement reached",
    ),
    pytest.param(
        "kk-109",
        "kk-114",
        id="live-blog URL reuse: Volkskrant's article at midday vs its new evening headline",
    ),
    pytest.param(
        "kk-221",
        "kk-230",
        id="live-blog URL reuse: 'Vanavond persconferentie' vs 'nieuwe lockdown onvermijdelijk'",
    ),
    pytest.param(
        "kk-016",
        "kk-021",
        id="same person, same day: Rutte on the riots (09:55) vs on corona (13:03)",
    ),
    pytest.param(
        "kk-008",
        "kk-010",
        id="opinion vs news: Mossou's opinion piece vs FCUpdate reporting the criticism",
    ),
    pytest.param(
        "kk-030",
        "kk-047",
        id="news vs opinion: the press conference vs an /opinie/ piece on it next morning",
    ),
    pytest.param(
        "kk-101",
        "kk-103",
        id="distinct step: Rutte on TV about the race vs next day's congratulations",
    ),
    pytest.param(
        "nos0202-03",
        "nos0202-05",
        id="a new warning: code yellow in the evening vs 'opnieuw waarschuwing' next morning",
    ),
    pytest.param(
        "kk-048",
        "kk-050",
        id="Rutten is not Rutte: Fred Rutten on Ten Hag vs Rutte at the congress",
    ),
]


@pytest.mark.parametrize(("first", "second"), DIFFERENT_EVENTS)
def test_look_alikes_of_another_event_start_their_own_story(first: str, second: str) -> None:
    stories = stories_of(first, second)
    assert stories[first] == first
    assert stories[second] == second


def test_an_unmarked_analysis_sharing_only_the_events_common_words_starts_its_own_story() -> None:
    # NRC's "Rutte niet streng maar nederig" (an analysis of the 26 Nov press
    # conference, no marker) shares with the last report before it only words
    # the whole dossier uses ("Rutte", "demissionair", "premier"): no
    # distinctive term, so it stays apart, while the reports form one story.
    # The window is what the pipeline would hold: every dev item up to then.
    parts = load_parts()
    window = [
        it
        for it in load_items()
        if parts[it.id] == DEV and it.published <= item("kk-046").published
    ]
    reports = [f"kk-0{n}" for n in range(30, 44)]
    assigner = StoryAssigner()
    stories = {it.id: assigner.assign(it) for it in window}
    assert {stories[i] for i in reports} == {"kk-030"}
    assert stories["kk-046"] == "kk-046"
    # Without the distinctive-term rule it would join the press conference.
    lenient = StoryAssigner(rules=Rules(min_distinctive=0))
    assert {it.id: lenient.assign(it) for it in window}["kk-046"] == "kk-030"


def test_a_distinctive_term_is_one_few_items_of_the_window_hold() -> None:
    # The same two reports an hour apart join; once the words they share are
    # held by more than ``distinctive_items`` items of the window (a dossier
    # covered all day), sharing them is not enough.
    ad, nu = item("kk-050"), item("kk-053")
    soon = replace(nu, published=ad.published + timedelta(hours=1))
    soon = replace(soon, first_seen=soon.published)
    assigner = StoryAssigner()
    assigner.assign(ad)
    assert assigner.assign(soon) == ad.id
    crowded = StoryAssigner()
    crowded.assign(ad)
    for n in range(Rules().distinctive_items):
        # Earlier items of other stories that hold every word the two
        # reports share (NU's own text, filed as other stories two hours
        # before): those words are now the dossier's, not the event's, and
        # the report joins neither AD's story nor theirs (a verbatim copy is
        # the dedupe index's to merge, ``duplicate_of``).
        earlier = ad.published - timedelta(hours=2, minutes=n)
        filler = replace(
            nu,
            id=f"filler-{n}",
            link=f"https://www.nu.nl/politiek/{6100000 + n}/filler.html",  # another article
            published=earlier,
            first_seen=earlier,
        )
        crowded.seed([(filler, f"other-{n}")])
    assert crowded.assign(soon) == soon.id


# Known failures (docs/stories.md, "What fails"): the rule, and that it is not met yet.


@pytest.mark.xfail(strict=True, reason="an update hours later in new words starts a story")
def test_a_same_day_update_hours_later_joins_the_story() -> None:
    # NOS: the failed execution at 02:07, witnesses' accounts of it at 10:24.
    stories = stories_of("nos1001-17", "nos1001-05")
    assert stories["nos1001-05"] == "nos1001-17"


@pytest.mark.xfail(strict=True, reason="reactions to one agreement chain into one story")
def test_reactions_of_different_parties_are_stories_of_their_own() -> None:
    # Unions, the energy sector, students and aviation react to the coalition
    # agreement within an hour; each reaction is its own happening.
    ids = ("kk-158", "kk-159", "kk-160", "kk-161")
    stories = stories_of(*ids)
    assert len(set(stories.values())) == len(ids)


def _market_report(item_id: str, title: str, lead: str, at: str) -> NewsItem:
    when = datetime.fromisoformat(at)
    return NewsItem(
        id=item_id,
        feed="anp-economie",
        source="ANP",
        link=f"https://example.nl/{item_id}",
        title=title,
        summary=lead,
        text=lead,
        published=when,
        dateline=Dateline("Amsterdam", ("ANP",)),
        first_seen=when,
    )


def test_opening_and_closing_market_reports_are_two_stories() -> None:
    # Written for this test: the shared data holds no market reports. The two
    # share the index, the exchange and most of the companies.
    opening = _market_report(
        "aex-open",
        "AEX opent hoger dankzij chipfondsen, ASML en Besi gewild",
        "De Amsterdamse beurs is donderdag met winst begonnen. De AEX-index steeg bij de "
        "opening met 0,6 procent, gesteund door chipfondsen ASML en Besi na sterke cijfers "
        "uit de Verenigde Staten. Ook Adyen en Prosus lagen in de lift.",
        "2026-10-01T09:05:00+02:00",
    )
    closing = _market_report(
        "aex-slot",
        "AEX sluit lager ondanks winst ASML en Besi",
        "De Amsterdamse beurs is donderdag lager gesloten. De AEX-index verloor 0,4 procent, "
        "ondanks winsten voor chipfondsen ASML en Besi. Adyen en Prosus gingen omlaag na "
        "tegenvallende berichten uit de Verenigde Staten.",
        "2026-10-01T17:40:00+02:00",
    )
    assigner = StoryAssigner()
    assert assigner.assign(opening) == "aex-open"
    assert assigner.assign(closing) == "aex-slot"
    # The same reports an hour apart would be one story: the time gap decides.
    soon = replace(closing, id="aex-soon", published=opening.published + timedelta(hours=1))
    assert StoryAssigner().decide(opening).story == "aex-open"
    fresh = StoryAssigner()
    fresh.assign(opening)
    assert fresh.assign(soon) == "aex-open"


def test_the_bar_rises_with_the_time_gap() -> None:
    rules = Rules()
    assert rules.bar(timedelta(minutes=30)) == rules.threshold
    assert rules.bar(timedelta(hours=1)) == rules.threshold
    assert rules.bar(timedelta(hours=3)) == pytest.approx(rules.threshold + 2 * rules.per_hour)
    # From 6.5 hours on it stays at its ceiling: next-day wording must repeat
    # most of the report's weight, and another step of a dossier never does.
    assert rules.bar(timedelta(hours=6, minutes=30)) == pytest.approx(rules.max_bar)
    assert rules.bar(timedelta(hours=12)) == rules.max_bar
    assert rules.bar(STORY_WINDOW) == rules.max_bar


def test_a_report_a_day_later_must_repeat_the_first_ones_words() -> None:
    # Telegraaf's and Trouw's reports of the 26 November press conference in
    # their own words ("avondlockdown" / "alles ... om 17:00 gesloten"), and
    # AD's and NU's near-identical reports of Rutte's VVD-congress statement;
    # the second of each as if published an hour and a day after the first.
    cases = [("kk-033", "kk-035", False), ("kk-050", "kk-053", True)]
    for first_id, second_id, same_words in cases:
        first, second = item(first_id), item(second_id)
        for delay, joins in ((timedelta(hours=1), True), (timedelta(hours=26), same_words)):
            at = first.published + delay
            later = replace(second, published=at, first_seen=at)
            assigner = StoryAssigner()
            assigner.assign(first)
            assert (assigner.assign(later) == first.id) is joins, (second_id, delay)


# --- Kinds: what is a news report ----------------------------------------------------

KINDS = [
    ("kk-000", Kind.FEATURE),  # "Column Hugo Borst | ..."
    ("kk-082", Kind.FEATURE),  # "Column: Rutte legt mislukte ambities kabinet bloot"
    ("kk-081", Kind.FEATURE),  # Volkskrant URL ".../opinie-leengeneratie-..."
    ("kk-083", Kind.FEATURE),  # AD /opinie/ readers' letters: "Reacties op klimaat: ..."
    ("kk-026", Kind.FEATURE),  # lead: "... schrijft vijf keer per week een column ..."
    ("kk-008", Kind.FEATURE),  # lead: "... werpt in deze opinie een blik op ..."
    ("kk-188", Kind.FEATURE),  # NRC lead closing "..., schrijft Bas Heijne."
    ("kk-203", Kind.FEATURE),  # "In de podcast Afhameren bespreken ..."
    ("kk-126", Kind.FEATURE),  # "De lange weg naar Rutte IV: Hoe VVD, D66, CDA en CU ..."
    ("kk-068", Kind.FEATURE),  # "Vers bloed in Rutte IV? 'Nieuwe mensen ...'"
    ("nos1001-12", Kind.FEATURE),  # "Wekdienst 1/10: • ... • ..." (a digest)
    ("kk-014", Kind.LIVE_BLOG),  # "Live: Basisregels moeten ...", lead "Volg via dit liveblog"
    ("kk-021", Kind.LIVE_BLOG),  # "LIVEBLOG CORONA | Mark Rutte waarschuwt ..."
    ("kk-029", Kind.LIVE_BLOG),  # headline of the moment over a "Volg via dit liveblog" lead
    ("kk-176", Kind.LIVE_BLOG),  # "Is de strafbaarstelling illegaliteit terug? • Kaag ..."
    ("kk-032", Kind.NEWS),  # "Livestream | ..." with a real lead
    ("kk-147", Kind.LIVE_BLOG),  # Trouw live blog: "In dit liveblog houden we u ..."
    ("kk-183", Kind.NEWS),  # NOS "Rutte over feest Amalia: ..."
    ("nos0202-00", Kind.NEWS),  # "Zeker 13 mijnwerkers dood door Russische drone-aanval ..."
]


@pytest.mark.parametrize(("item_id", "kind"), KINDS)
def test_kind_of_real_items(item_id: str, kind: Kind) -> None:
    it = item(item_id)
    assert classify(it.title, it.summary or it.text, it.link).kind is kind


def test_a_live_blog_is_judged_by_its_headline_alone() -> None:
    it = item("kk-021")
    piece = classify(it.title, it.summary or it.text, it.link)
    assert piece.headline == "Mark Rutte waarschuwt: extra maatregelen als het niet beter gaat"
    assert piece.lead == ""


def test_outlet_furniture_leaves_the_lead() -> None:
    oog = item("kk-040")  # "Het bericht ... verscheen eerst op OOG Radio en Televisie."
    piece = classify(oog.title, oog.summary or oog.text, oog.link)
    assert "verscheen eerst op" not in piece.lead
    assert "17.00 uur" in piece.lead
    nu = item("kk-032")  # "... Volg de persconferentie hier live."
    piece = classify(nu.title, nu.summary or nu.text, nu.link)
    assert piece.lead.endswith("kondigen vrijdagavond nieuwe coronamaatregelen aan.")


def test_features_never_join_news_but_copies_of_one_piece_do() -> None:
    # AD and ED ran Hugo Borst's column word for word; the Parool report of the
    # next day is news on the same subject.
    stories = stories_of("kk-000", "kk-001")
    assert stories == {"kk-000": "kk-000", "kk-001": "kk-000"}
    column, news = item("kk-000"), item("kk-002")
    soon = replace(news, published=column.published + timedelta(minutes=30))
    assigner = StoryAssigner()
    assigner.assign(column)
    assert assigner.assign(soon) == news.id


# --- One article under several headlines ---------------------------------------------


def test_an_article_under_a_new_headline_is_the_same_piece_and_keeps_its_kind() -> None:
    # AD's reconstruction of the formation, then the same article (the same
    # number, ~a38eae892, the same lead) under a headline that reads like a report.
    reconstruction, renamed = item("kk-118"), item("kk-119")
    assert classify(reconstruction.title, reconstruction.summary, reconstruction.link).kind is (
        Kind.FEATURE
    )
    assert classify(renamed.title, renamed.summary, renamed.link).kind is Kind.NEWS
    assigner = StoryAssigner()
    assigner.assign(reconstruction)
    decision = assigner.decide(renamed)
    assert (decision.story, decision.reason) == (reconstruction.id, "same article")
    # It is still the analysis: another outlet's report in its words joins no feature.
    report = replace(renamed, id="report", link="https://www.nu.nl/politiek/6172999/x.html")
    assert assigner.assign(report) == "report"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # One Volkskrant article number in the morning ("Woensdag presentatie
        # coalitieakkoord") and that evening, rewritten ("VVD, D66, CDA en CU
        # bereiken akkoord"): a new lead is a new report, judged by its text.
        pytest.param("kk-109", "kk-114", id="rewritten-article"),
        # One live blog's number under the morning's and the afternoon's headline.
        pytest.param("kk-221", "kk-230", id="live-blog"),
    ],
)
def test_the_same_article_number_with_a_new_text_or_on_a_live_blog_is_judged_by_it(
    first: str, second: str
) -> None:
    assert article_key(item(first).link) == article_key(item(second).link) is not None
    assert stories_of(first, second) == {first: first, second: second}


# --- Terms ---------------------------------------------------------------------------


def test_names_are_capitalised_words_inside_a_sentence_and_acronyms() -> None:
    found = name_terms(
        "Rutte: vanaf zondag avondlockdown. Demissionair coronaminister Hugo de Jonge "
        "kondigt het aan met het OMT."
    )
    assert found == {"hugo", "jong", "omt"}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # After a quote, bracket, colon or dash a capital opens, it names nothing.
        ("Hij zei: 'Morgen komt Rutte' en (Schoof) - Jetten", {"rut"}),
        # A capital after a plain word names, at the text's start it opens.
        ("Minister Bruins onwel", {"bruin"}),
        # Acronyms stand alone wherever: not inside a word, nor before a hyphen.
        ("Dat is xNOS. NOSx. NOS-studio. OMT. A1.", {"omt", "a1"}),
    ],
)
def test_names_and_acronyms_stand_where_the_rules_say(text: str, names: set[str]) -> None:
    assert name_terms(text) == names


def test_numbers_meet_whatever_their_spelling() -> None:
    assert "#3" in words("drie weken")
    assert "#3" in words("3 weken")
    assert "#17:00" in words("vanaf 17.00 uur")
    assert "#17:00" in words("om 17:00 gesloten")
    assert "#52000" in words("52.000 zieken")


def test_a_country_is_one_term_whatever_its_form() -> None:
    # Two headlines of one prisoner exchange: "Oekraïne en Rusland wisselen
    # krijgsgevangenen uit", "... 150 Oekraïense militairen terug".
    assert words("Oekraïne") == words("Oekraïense") == words("Oekraïners") == ["@UA"]
    assert words("Rusland Russische Russen") == ["@RU"]
    # Home is no country term (nearly every item names it), nor a city or a
    # short alias that is also a common token.
    assert words("Nederland Nederlandse") == ["nederland", "nederlands"]
    assert words("Charkiv Parijs") == ["charkiv", "parij"]
    assert words("vs") == ["vs"]


def _known(text: str) -> dict[str, int]:
    return dict.fromkeys(words(text), 1)


# A compound splits when both its parts are words the window has seen on
# their own: (compound, the window's words, the parts it gains).
COMPOUNDS = [
    ("pensioenstaking", "pensioen staking", "pensioen staking"),
    ("defensieminister", "minister van Defensie", "Defensie minister"),
    ("regeerakkoord", "regeer akkoord", "regeer akkoord"),
    # The linking "s" of "bondskanselier" and "fabrieksexplosie"; an "s" of
    # the word itself stays ("prijsverhoging").
    ("bondskanselier", "bond kanselier", "bond kanselier"),
    ("fabrieksexplosie", "fabriek explosie", "fabriek explosie"),
    ("prijsverhoging", "prijs verhoging", "prijs verhoging"),
    # A part the window has not seen alone does not split the word: a
    # shooting ("schietpartij") is no political party.
    ("schietpartij", "partij", ""),
    # Stop words and short pieces are no parts.
    ("overleden", "over leden", ""),
    ("ziekenhuis", "zieken huis", ""),
    ("gasexplosie", "gas explosie", ""),
]


@pytest.mark.parametrize(("compound", "seen", "parts"), COMPOUNDS)
def test_a_compound_gains_the_parts_the_window_knows(compound: str, seen: str, parts: str) -> None:
    (term,) = words(compound)
    found = compound_parts({term: 2.0}, _known(seen))
    assert set(found) == set(words(parts))
    assert all(multiplier == 2.0 for multiplier in found.values())


def test_a_part_the_item_holds_already_keeps_its_own_multiplier() -> None:
    (compound,) = words("pensioenstaking")
    (strike,) = words("staking")
    found = compound_parts({compound: 2.0, strike: 1.0}, _known("pensioen staking"))
    assert found == dict.fromkeys(words("pensioen"), 2.0)


def test_a_strike_in_one_compound_meets_the_same_strike_in_another() -> None:
    # "Grote landelijke ov-staking van start" (Nieuws.nl) and "Nagenoeg geen
    # treinen in Nederland door pensioenstaking" (HBVL): the headlines share
    # "staking" only once "pensioenstaking" is split.
    items = {it.id: it for it in load_ordinary_items("fresh3")}
    assigner = StoryAssigner()
    assert assigner.assign(items["f3-020"]) == "f3-020"
    assert assigner.assign(items["f3-021"]) == "f3-020"


# --- State: ids, wire copies, restarts, the window -------------------------------------


def test_a_story_is_named_after_its_first_item_and_assignment_is_deterministic() -> None:
    ids = ("kk-114", "kk-115", "kk-116", "kk-117", "kk-124", "kk-129", "kk-130", "kk-131")
    assert stories_of(*ids) == stories_of(*ids)
    assert set(stories_of(*ids).values()) == {"kk-114"}


def test_an_item_seen_again_keeps_its_story() -> None:
    assigner = StoryAssigner()
    assert assigner.assign(item("kk-003")) == "kk-003"
    assert assigner.assign(item("kk-004")) == "kk-003"
    assert assigner.decide(item("kk-004")).reason == "known"
    assert assigner.assign(item("kk-004")) == "kk-003"


def test_a_wire_copy_joins_the_story_of_its_original() -> None:
    # The dedupe index marked this copy; its own text shares little with the
    # original, yet it joins the original's story.
    assigner = StoryAssigner()
    original, other = item("kk-016"), item("kk-052")
    assigner.assign(original)
    copy = replace(
        other,
        id="copy",
        published=original.published,
        first_seen=original.first_seen,
        duplicate_of=original.id,
    )
    decision = assigner.decide(copy)
    assert (decision.story, decision.reason) == ("kk-016", "duplicate")


def test_seeding_from_the_store_keeps_story_ids_across_a_restart() -> None:
    first = ("kk-030", "kk-031", "kk-032", "kk-033")
    before = stories_of(*first)
    # The store recorded the stories; a restarted bot replays them and the next
    # report joins the story under its old id, even under a different name.
    stored = [(item(i), f"stored-{before[i]}") for i in first]
    restarted = StoryAssigner()
    restarted.seed(stored)
    assert restarted.story_of("kk-031") == "stored-kk-030"
    assert restarted.assign(item("kk-035")) == "stored-kk-030"
    assert restarted.assign(item("kk-031")) == "stored-kk-030"


def test_items_leave_the_window_and_a_late_report_starts_a_new_story() -> None:
    assigner = StoryAssigner()
    ad, nu = item("kk-050"), item("kk-053")
    assigner.assign(ad)
    late = ad.published + STORY_WINDOW + timedelta(hours=1)
    assert assigner.assign(replace(nu, published=late, first_seen=late)) == nu.id
    assert assigner.story_of(ad.id) is None
    assert len(assigner) == 1


def test_evict_forgets_items_and_their_terms() -> None:
    assigner = StoryAssigner()
    for it in (item("kk-103"), item("kk-104"), item("kk-105")):
        assigner.assign(it)
    assert assigner.evict(item("kk-105").published) == 2
    assert len(assigner) == 1
    assert assigner.evict(item("kk-105").published + timedelta(seconds=1)) == 1
    assert len(assigner) == 0
    assert assigner.assign(item("kk-106")) == "kk-106"


# --- The labelled figures (docs/stories.md) --------------------------------------------


def test_dev_figures_meet_the_targets() -> None:
    figures = evaluate(DEV)
    assert figures.precision >= PRECISION_TARGET - MARGIN, figures.line()
    assert figures.cross_recall >= RECALL_TARGET - MARGIN, figures.line()


def test_each_dev_fold_meets_the_targets() -> None:
    # The settings were chosen on the worse of the two folds (docs/stories.md).
    for fold in evaluate_dev_folds():
        assert fold.precision >= PRECISION_TARGET - MARGIN, fold.line()
        assert fold.cross_recall >= RECALL_TARGET - MARGIN, fold.line()


def test_heldout_figures_do_not_fall_below_those_recorded() -> None:
    # The held-out part misses the targets (docs/stories.md: precision 0.775,
    # cross-outlet recall 0.444 when first evaluated; 0.784 and 0.439 with the
    # distinctive-term rule, chosen on dev). This pins what the method does
    # there, so that a change that makes it worse fails; raise the floors when
    # it gets better.
    figures = evaluate(HELDOUT)
    assert figures.precision >= HELDOUT_PRECISION_FLOOR, figures.line()
    assert figures.cross_recall >= HELDOUT_RECALL_FLOOR, figures.line()
