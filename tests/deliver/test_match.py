"""FollowIndex and keyword matching, over real NOS titles and leads.

Item texts are quoted (some shortened) from tests/fixtures/feeds/swelbyboy_nos_2026-02-02.xml.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.deliver.match import ChatMatches, FollowIndex, Matched, keyword_matches, words

WHEN = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)

UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
RU = FollowKey(FollowKind.COUNTRY, "RU", "Rusland")
IL = FollowKey(FollowKind.COUNTRY, "IL", "Israël")
BUITENLAND = FollowKey(FollowKind.SECTION, "buitenland", "Buitenland")
BINNENLAND = FollowKey(FollowKind.SECTION, "binnenland", "Binnenland")


def keyword(value: str, label: str = "") -> FollowKey:
    return FollowKey(FollowKind.KEYWORD, value, label or value)


def news(
    item_id: str,
    title: str,
    summary: str = "",
    *,
    sections: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    duplicate_of: str | None = None,
    source: str = "NOS",
) -> NewsItem:
    return NewsItem(
        id=item_id,
        feed="nos",
        source=source,
        link=f"https://nos.nl/l/{item_id}",
        title=title,
        summary=summary,
        text=summary,
        published=WHEN,
        sections=sections,
        countries=countries,
        duplicate_of=duplicate_of,
    )


DRONES = news(
    "2600568",
    "Zeker 13 mijnwerkers dood door Russische drone-aanval, ook kraamkliniek getroffen",
    "Zeker dertien mijnwerkers zijn om het leven gekomen bij een Russische drone-aanval in de "
    "Oekraïense regio Dnipropetrovsk. Dat meldt het mijnwerkersbedrijf DTEK Group.",
    sections=("buitenland",),
    countries=("UA", "RU"),
)
GAZA = news(
    "2600590",
    "Israël: Artsen zonder Grenzen moet 28 februari uit Gaza weg zijn",
    "Israël wil Artsen zonder Grenzen (AzG) definitief weg hebben uit Gaza.",
    sections=("buitenland",),
    countries=("IL", "PS"),
)
COCAINE = news(
    "2600608",
    "Honderden kilo's cocaïne tussen mango's gevonden in Rotterdam",
    "De douane heeft bij een controle in Rotterdam een partij cocaïne ontdekt in een container "
    "met mango's. De container kwam uit Peru.",
    sections=("binnenland",),
    countries=("NL", "PE"),
)
TRAINS = news(
    "2600612",
    "Al dagen minder treinen tussen Amsterdam en Utrecht door kapotte wissels",
    "Tussen Amsterdam en Utrecht rijden ook vandaag minder treinen vanwege twee kapotte wissels "
    "bij Duivendrecht, zegt spoorbeheerder ProRail.",
    sections=("binnenland",),
)


@pytest.mark.parametrize(
    ("folded_keyword", "item", "expected"),
    [
        ("cocaine", COCAINE, True),  # accent folded: "cocaïne"
        ("mango", COCAINE, True),  # "mango's" splits at the apostrophe
        ("rotterdam", COCAINE, True),
        ("rotter", COCAINE, False),  # no prefix matches
        ("oekraiense", DRONES, True),  # summary counts
        ("oekraine", DRONES, False),  # the adjective is another word
        ("drone aanval", DRONES, True),  # hyphen splits words: phrase of two
        ("drone-aanval", DRONES, True),
        ("dtek group", DRONES, True),
        ("group dtek", DRONES, False),  # phrase order matters
        ("artsen zonder grenzen", GAZA, True),
        ("israel", GAZA, True),  # "Israël"
        ("azg", GAZA, True),  # inside brackets
        ("amsterdam utrecht", TRAINS, False),  # not consecutive
        ("prorail", TRAINS, True),
        ("", TRAINS, False),
        ("  ", TRAINS, False),
    ],
)
def test_keyword_matches_whole_folded_words(
    folded_keyword: str, item: NewsItem, *, expected: bool
) -> None:
    assert keyword_matches(folded_keyword, item) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oekraïense drone-aanval", ["oekraiense", "drone", "aanval"]),
        ("Grammy’s: Olivia Dean", ["grammy", "s", "olivia", "dean"]),
        ("52.000 zieken", ["52", "000", "zieken"]),
        ("ÉÉN  keer\u00adje", ["een", "keerje"]),
        ("snake_case", ["snake", "case"]),
    ],
)
def test_words_fold_and_split(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def build(follows: dict[int, list[FollowKey]]) -> FollowIndex:
    index = FollowIndex()
    for chat_id, keys in follows.items():
        index.set_follows(chat_id, keys)
    return index


def stories(result: dict[int, ChatMatches], chat_id: int) -> list[tuple[str, list[str]]]:
    return [
        (matched.item.id, [str(key) for key in matched.via]) for matched in result.get(chat_id, ())
    ]


def test_each_story_once_with_every_key_that_matched() -> None:
    index = build({1: [UA, RU, BUITENLAND], 2: [IL], 3: [keyword("cocaine")], 4: [BINNENLAND]})
    result = index.match([DRONES, GAZA, COCAINE, TRAINS])
    assert stories(result, 1) == [
        ("2600568", ["country:RU", "country:UA", "section:buitenland"]),
        ("2600590", ["section:buitenland"]),
    ]
    assert stories(result, 2) == [("2600590", ["country:IL"])]
    assert stories(result, 3) == [("2600608", ["keyword:cocaine"])]
    assert stories(result, 4) == [
        ("2600608", ["section:binnenland"]),
        ("2600612", ["section:binnenland"]),
    ]


def test_chats_without_a_match_are_absent() -> None:
    index = build({1: [UA], 2: [keyword("voetbal")]})
    assert set(index.match([DRONES, TRAINS])) == {1}
    assert index.match([]) == {}


def test_labels_come_from_the_followed_keys() -> None:
    index = build({1: [UA, RU]})
    (matched,) = index.match([DRONES])[1]
    assert [key.label for key in matched.via] == ["Rusland", "Oekraïne"]


def test_merged_duplicates_reach_a_chat_once() -> None:
    copy_at_nu = news(
        "nu-1",
        "Dertien mijnwerkers omgekomen bij Russische drone-aanval",
        sections=("buitenland",),
        countries=("UA", "RU"),
        duplicate_of=DRONES.id,
        source="NU.nl",
    )
    index = build({1: [UA], 2: [keyword("omgekomen")]})
    result = index.match([DRONES, copy_at_nu, DRONES])
    assert stories(result, 1) == [("2600568", ["country:UA"])]
    # The duplicate is not matched on its own words: its story is the canonical one.
    assert 2 not in result


def test_multi_word_keywords_share_a_first_word() -> None:
    index = build(
        {
            1: [keyword("artsen")],
            2: [keyword("artsen zonder grenzen")],
            3: [keyword("artsen zonder")],
            4: [keyword("artsen van de wereld")],
        }
    )
    result = index.match([GAZA])
    assert set(result) == {1, 2, 3}


def test_two_spellings_of_one_phrase_both_match() -> None:
    index = build({1: [keyword("drone-aanval")], 2: [keyword("drone aanval")]})
    assert set(index.match([DRONES])) == {1, 2}
    index.remove(1, [keyword("drone-aanval")])
    assert set(index.match([DRONES])) == {2}


def test_follow_changes_update_the_index() -> None:
    index = build({1: [UA], 2: [UA, keyword("prorail")]})
    index.add(1, [keyword("prorail")])
    assert set(index.match([TRAINS])) == {1, 2}
    index.remove(2, [keyword("prorail")])
    assert set(index.match([TRAINS])) == {1}
    index.set_follows(1, [IL])
    assert set(index.match([TRAINS, DRONES])) == {2}
    assert index.follows(1) == frozenset({IL})
    index.drop_chat(2)
    assert 2 not in index
    assert index.chats(UA) == frozenset()
    assert len(index) == 1


def test_keywords_nobody_follows_are_forgotten() -> None:
    index = build({1: [keyword("prorail")]})
    index.drop_chat(1)
    index.set_follows(2, [UA])
    assert index.match([TRAINS]) == {}
    assert index.keys_for(TRAINS) == set()


def test_rename_chat_moves_follows_after_a_group_migration() -> None:
    group, supergroup = -4001, -1004001
    index = build({group: [UA, keyword("prorail")], supergroup: [IL]})
    index.rename_chat(group, supergroup)
    assert group not in index
    assert index.follows(supergroup) == frozenset({UA, IL, keyword("prorail")})
    assert set(index.match([DRONES, TRAINS])) == {supergroup}
    index.rename_chat(supergroup, supergroup)
    assert index.follows(supergroup) == frozenset({UA, IL, keyword("prorail")})


def test_empty_follow_sets_leave_no_chat_behind() -> None:
    index = FollowIndex()
    index.add(5, [])
    index.set_follows(6, [])
    index.remove(7, [UA])
    assert len(index) == 0


def test_chat_matches_is_a_lazy_sequence_shared_by_equal_chats() -> None:
    index = build({1: [BUITENLAND], 2: [BUITENLAND], 3: [BUITENLAND, UA]})
    result = index.match([DRONES, GAZA, COCAINE])
    assert result[1] is result[2]
    assert len(result[3]) == 2
    assert result[3].keys == (UA, BUITENLAND)
    assert result[3].head(1) == (Matched(DRONES, (UA, BUITENLAND)),)
    assert result[3][1] == Matched(GAZA, (BUITENLAND,))
    assert result[3][:5] == tuple(result[3])
    assert result[1] == result[2]
    assert result[1] != result[3]
    assert "2 stories" in repr(result[3])


def test_head_is_consistent_with_iteration() -> None:
    follows = {chat_id: [BUITENLAND, BINNENLAND] for chat_id in range(1, 4)}
    result = build(follows).match([DRONES, GAZA, COCAINE, TRAINS])
    matches = result[1]
    assert matches.head(2) == tuple(matches)[:2]
    assert matches.head(10) == tuple(matches)
    assert matches.head(3) == tuple(matches)[:3]


def test_index_agrees_with_a_naive_scan() -> None:
    keys = [UA, RU, IL, BUITENLAND, BINNENLAND, keyword("gaza"), keyword("utrecht")]
    follows = {chat_id: keys[chat_id % 7 : chat_id % 7 + 3] for chat_id in range(40)}
    items = [DRONES, GAZA, COCAINE, TRAINS]
    result = build(follows).match(items)
    for chat_id, chat_keys in follows.items():
        expected = []
        for item in items:
            via = tuple(
                key
                for key in sorted(chat_keys)
                if (key.kind is FollowKind.SECTION and key.value in item.sections)
                or (key.kind is FollowKind.COUNTRY and key.value in item.countries)
                or (key.kind is FollowKind.KEYWORD and keyword_matches(key.value, item))
            )
            if via:
                expected.append(Matched(item, via))
        assert list(result.get(chat_id, ())) == expected


def test_chat_matches_indexing_builds_only_what_is_asked() -> None:
    follows = {1: [BUITENLAND, BINNENLAND]}
    everything = build(follows).match([DRONES, GAZA, COCAINE, TRAINS])[1]
    fresh = build(follows).match([DRONES, GAZA, COCAINE, TRAINS])[1]
    assert fresh[:2] == everything.head(2)
    assert fresh[1:3] == tuple(everything)[1:3]
    assert fresh[0] == Matched(DRONES, (BUITENLAND,))
    assert fresh[-1] == Matched(TRAINS, (BINNENLAND,))
    assert fresh[::2] == tuple(everything)[::2]
    with pytest.raises(IndexError):
        fresh[4]
