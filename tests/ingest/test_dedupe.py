"""De-duplication: labelled pairs (precision/recall targets) and the index rules."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.model import Dateline, NewsItem
from bot.ingest import dedupe
from bot.ingest.dedupe import Match, MatchKind, StoryIndex, merge_exact
from tests.paths import FIXTURES

PAIRS = FIXTURES / "dedupe" / "pairs.jsonl"
PRECISION_TARGET = 0.95
RECALL_TARGET = 0.70

T0 = datetime(2026, 2, 1, 16, 54, tzinfo=UTC)


def load(record: dict[str, Any]) -> NewsItem:
    dateline = record["dateline"]
    return NewsItem(
        id=record["id"],
        feed=record["feed"],
        source=record["source"],
        link=record["link"],
        title=record["title"],
        summary=record["summary"],
        text=record["text"],
        published=datetime.fromisoformat(record["published"]),
        dateline=Dateline(dateline["city"], tuple(dateline["agencies"])) if dateline else None,
        sections=tuple(record["sections"]),
        countries=tuple(record["countries"]),
    )


@pytest.fixture(scope="module")
def labelled() -> list[tuple[NewsItem, NewsItem, bool]]:
    records = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    return [(load(r["a"]), load(r["b"]), bool(r["same"])) for r in records]


def rates(decisions: list[tuple[bool, bool]]) -> tuple[float, float]:
    """(precision, recall) of (merged, same) decisions."""
    tp = sum(merged and same for merged, same in decisions)
    fp = sum(merged and not same for merged, same in decisions)
    fn = sum(same and not merged for merged, same in decisions)
    return tp / (tp + fp), tp / (tp + fn)


def test_labelled_set_is_big_enough(labelled: list[tuple[NewsItem, NewsItem, bool]]) -> None:
    positives = sum(same for _, _, same in labelled)
    assert positives >= 50
    assert len(labelled) - positives >= 200


def test_pairwise_precision_and_recall(labelled: list[tuple[NewsItem, NewsItem, bool]]) -> None:
    items = {item.id: item for a, b, _ in labelled for item in (a, b)}
    stats = dedupe.TermStats.of(dedupe.fingerprint(item) for item in items.values())
    decisions = [(dedupe.same_story(a, b, stats), same) for a, b, same in labelled]
    precision, recall = rates(decisions)
    assert precision >= PRECISION_TARGET, f"precision {precision:.3f}"
    assert recall >= RECALL_TARGET, f"recall {recall:.3f}"


def test_replay_through_index(labelled: list[tuple[NewsItem, NewsItem, bool]]) -> None:
    # All items oldest first through one index, as the pipeline feeds it: adds
    # candidate retrieval, the outlet rule and the 48-hour window.
    items = {item.id: item for a, b, _ in labelled for item in (a, b)}
    index = StoryIndex()
    story = {}
    for item in sorted(items.values(), key=lambda item: item.published):
        story[item.id] = index.add(item).duplicate_of or item.id
    decisions = [(story[a.id] == story[b.id], same) for a, b, same in labelled]
    precision, recall = rates(decisions)
    assert precision >= PRECISION_TARGET, f"precision {precision:.3f}"
    assert recall >= RECALL_TARGET, f"recall {recall:.3f}"


# A real NOS item and how NU.nl ran it (fixture pair, "light" rewrite).
NOS = NewsItem(
    id="https://nos.nl/l/2600568",
    feed="nos-algemeen",
    source="NOS",
    link="https://nos.nl/l/2600568",
    title="Zeker 13 mijnwerkers dood door Russische drone-aanval, ook kraamkliniek getroffen",
    summary=(
        "Zeker dertien mijnwerkers zijn om het leven gekomen bij een Russische drone-aanval in "
        "de Oekraïense regio Dnipropetrovsk. Dat meldt het mijnwerkersbedrijf DTEK Group. "
        "Acht mensen raakten gewond."
    ),
    text=(
        "Zeker dertien mijnwerkers zijn om het leven gekomen bij een Russische drone-aanval in "
        "de Oekraïense regio Dnipropetrovsk. Dat meldt het mijnwerkersbedrijf DTEK Group. "
        "Acht mensen raakten gewond. De mijnwerkers werden gedood door een drone die insloeg "
        "vlak naast de bus waarmee zij na hun dienst naar huis werden gebracht."
    ),
    published=T0,
    sections=("algemeen",),
)
NU = NewsItem(
    id="https://www.nu.nl/buitenland/6360001/mijnwerkers-dood-drone.html",
    feed="nu-buitenland",
    source="NU.nl",
    link="https://www.nu.nl/buitenland/6360001/mijnwerkers-dood-drone.html",
    title="Russische drone treft bus met mijnwerkers: zeker dertien doden",
    summary=(
        "Zeker 13 mijnwerkers zijn omgekomen bij een Russische drone-aanval in de Oekraïense "
        "regio Dnipropetrovsk, meldt energiebedrijf DTEK. Acht mensen raakten gewond."
    ),
    text="",
    published=T0 + timedelta(minutes=15),
)


def test_rewrite_at_another_outlet_is_a_near_duplicate() -> None:
    index = StoryIndex()
    assert index.add(NOS) == Match(MatchKind.NEW)
    match = index.add(NU)
    assert match.kind is MatchKind.NEAR
    assert match.duplicate_of == NOS.id
    assert match.score >= dedupe.NEAR_THRESHOLD


def test_same_link_is_an_exact_duplicate() -> None:
    index = StoryIndex()
    index.add(NOS)
    other_feed = replace(
        NOS,
        id="nos-buitenland:2600568",
        feed="nos-buitenland",
        link="https://NOS.nl/l/2600568?utm_source=rss#top",
        sections=("buitenland",),
    )
    assert index.add(other_feed) == Match(MatchKind.EXACT, NOS.id, 1.0)


def test_same_id_is_an_exact_duplicate() -> None:
    index = StoryIndex()
    index.add(NOS)
    match = index.add(replace(NOS, link="https://nos.nl/artikel/2600568"))
    assert (match.kind, match.duplicate_of) == (MatchKind.EXACT, NOS.id)


def test_same_outlet_republishing_is_not_merged() -> None:
    index = StoryIndex()
    index.add(NOS)
    update = replace(
        NU, id="https://nos.nl/l/2600570", link="https://nos.nl/l/2600570", source="NOS"
    )
    assert index.add(update) == Match(MatchKind.NEW)


def test_outlet_already_in_the_story_is_not_merged_via_a_copy() -> None:
    # NOS, then NU.nl's copy; a later NOS update resembling the NU.nl copy
    # must not fold into the story NOS already has.
    index = StoryIndex()
    index.add(NOS)
    index.add(NU)
    update = replace(
        NU, id="https://nos.nl/l/2600571", link="https://nos.nl/l/2600571", source="NOS"
    )
    assert index.add(update).kind is MatchKind.NEW


def test_third_outlet_joins_the_canonical_story() -> None:
    index = StoryIndex()
    index.add(NOS)
    index.add(NU)
    ad = replace(NU, id="ad:1", link="https://www.ad.nl/1", source="AD")
    assert index.add(ad).duplicate_of == NOS.id


def test_reseeding_keeps_the_recorded_story() -> None:
    index = StoryIndex()
    index.add(NOS)
    stored_copy = replace(NU, title="Heel ander bericht", summary="", duplicate_of=NOS.id)
    assert index.add(stored_copy) == Match(MatchKind.NEAR, NOS.id)
    ad = replace(NU, id="ad:1", link="https://www.ad.nl/1", source="AD")
    assert index.add(ad).duplicate_of == NOS.id


def test_more_than_48_hours_apart_is_not_merged() -> None:
    index = StoryIndex()
    index.add(NOS)
    late = replace(NU, published=NOS.published + timedelta(hours=48, minutes=1))
    assert index.add(late) == Match(MatchKind.NEW)
    index2 = StoryIndex()
    index2.add(NOS)
    assert index2.add(replace(NU, published=NOS.published + timedelta(hours=47))).is_duplicate


def test_contradicting_figures_are_not_merged() -> None:
    next_day = replace(
        NU,
        title="Russische drone treft bus met mijnwerkers: zeker zeven doden",
        summary=NU.summary.replace("Zeker 13", "Zeker 7").replace("Acht", "Vijftien"),
    )
    index = StoryIndex()
    index.add(NOS)
    assert index.add(next_day) == Match(MatchKind.NEW)


def test_other_dateline_city_is_not_merged() -> None:
    index = StoryIndex()
    index.add(replace(NOS, dateline=Dateline("Kyiv", ("ANP",))))
    assert not index.add(replace(NU, dateline=Dateline("Moskou", ("ANP", "RTR")))).is_duplicate
    index2 = StoryIndex()
    index2.add(replace(NOS, dateline=Dateline("Kyiv", ("ANP",))))
    # One side without a dateline (NU.nl drops it) is no evidence against.
    assert index2.add(NU).is_duplicate


def test_no_country_in_common_is_not_merged() -> None:
    index = StoryIndex()
    index.add(replace(NOS, countries=("UA", "RU")))
    assert not index.add(replace(NU, countries=("SY",))).is_duplicate


def test_evict_forgets_old_items() -> None:
    index = StoryIndex()
    index.add(NOS)
    index.add(NU)
    assert index.evict(NOS.published) == 0
    assert index.evict(NOS.published + timedelta(minutes=1)) == 1
    assert len(index) == 1
    # The evicted item's link no longer counts as seen.
    assert index.add(replace(NOS, published=NU.published)).kind is not MatchKind.EXACT


def test_index_stays_consistent_after_evicting_everything() -> None:
    index = StoryIndex()
    index.add(NOS)
    index.add(NU)
    index.evict(NU.published + timedelta(days=3))
    assert len(index) == 0
    assert index.stats.documents == 0
    assert index.add(NU) == Match(MatchKind.NEW)


def test_merge_exact_unions_sections_and_keeps_the_earliest() -> None:
    later = replace(
        NOS,
        feed="nos-buitenland",
        published=NOS.published + timedelta(minutes=5),
        sections=("buitenland",),
        countries=("UA", "RU"),
        first_seen=NOS.published + timedelta(minutes=6),
    )
    first = replace(NOS, countries=("UA",), first_seen=NOS.published + timedelta(minutes=9))
    merged = merge_exact(later, first)
    assert merged.published == NOS.published
    assert merged.feed == "nos-algemeen"
    assert merged.sections == ("algemeen", "buitenland")
    assert merged.countries == ("UA", "RU")
    assert merged.first_seen == NOS.published + timedelta(minutes=6)
    assert merged.also_at == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zeker 13 mijnwerkers dood", {"mijnwerker": {"13"}}),
        ("Zeker dertien mijnwerkers", {"mijnwerker": {"13"}}),
        ("52.000 zieken kregen misschien", {"ziek": {"52000"}}),
        ("steeg met 2,5 procent", {"procent": {"2.5"}}),
        ("De 5-jarige Liam", {"jarig": {"5"}}),
        ("De vijfjarige Liam", {"jarig": {"5"}}),
        ("Een zesjarig meisje", {"jarig": {"6"}}),
        ("Dode op snelweg A50 bij Sint-Oedenrode", {"weg": {"a50"}}),
        ("Rond 08.45 uur stond er 936 kilometer file", {"uur": {"8.45"}, "kilometer": {"936"}}),
        ("gevangenisstraf van vijf jaar", {"jaar": {"5"}}),
        ("stabiel gebleven op 230.000, in vergelijking", {"": {"230000"}}),
        ("de begroting voor 2027", {}),
        ("Het is een eer", {}),
    ],
)
def test_figures(text: str, expected: dict[str, set[str]]) -> None:
    assert dedupe.figures(text) == {unit: frozenset(values) for unit, values in expected.items()}


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("mijnwerkers", "mijnwerker"), True),
        (("aanvallen", "aanval"), True),
        (("Russische", "Russisch"), True),
        (("gletsjers", "gletsjer"), True),
        (("executies", "executie"), True),
        (("Oekraïense", "OEKRAIENSE"), True),
        (("plannen", "plan"), True),
        (("politie", "polis"), False),
    ],
)
def test_stem_joins_inflected_forms(words: tuple[str, str], same: bool) -> None:
    stems = {dedupe.content_words(word)[0] for word in words}
    assert (len(stems) == 1) is same


def test_content_words_drop_stop_words_and_bare_numbers() -> None:
    assert dedupe.content_words("Het kabinet is bereid om de 2 plannen te wijzigen") == [
        "kabinet",
        "bereid",
        "plan",
        "wijzig",
    ]


def test_similarity_is_symmetric_and_bounded() -> None:
    assert dedupe.similarity(NOS, NOS) == pytest.approx(1.0)
    assert dedupe.similarity(NOS, NU) == pytest.approx(dedupe.similarity(NU, NOS))
    unrelated = replace(
        NU, title="Museumkaart steeds populairder", summary="Musea trekken meer bezoekers."
    )
    assert dedupe.similarity(NOS, unrelated) == 0.0


def test_assigning_many_items_uses_the_inverted_index() -> None:
    # 2,000 distinct stories, then the NU.nl copy: found among them, and the
    # scoring only looks at candidates sharing rare words (not all 2,000).
    index = StoryIndex()
    for number in range(2000):
        index.add(
            replace(
                NOS,
                id=f"filler:{number}",
                link=f"https://example.org/{number}",
                source=f"outlet{number % 7}",
                title=f"Bericht nummer{number} over onderwerp{number % 97} en plaats{number % 89}",
                summary=f"Verhaal{number} met woord{number % 13} en tekst{number % 31}.",
                text="",
                published=T0 - timedelta(minutes=number % 600),
            )
        )
    index.add(NOS)
    assert index.add(NU).duplicate_of == NOS.id
    assert len(index._candidates(dedupe.fingerprint(NU))) < 50
