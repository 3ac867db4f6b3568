"""The pure inline answer: topics, typos, story grouping and pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.important import is_important_key
from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.deliver.format import format_push
from bot.deliver.inline import MAX_STORIES, answer_inline, search_word
from bot.deliver.match import Matched
from bot.sim.telegram_html import parse_telegram_html
from bot.stories.important import DEFAULT_IMPORTANT, newest_important
from tests.chat_harness import NOW, seed_items

TZ = ZoneInfo("Europe/Amsterdam")


def minutes(count: int) -> timedelta:
    return timedelta(minutes=count)


def lookup_over(items: Sequence[NewsItem]):  # type: ignore[no-untyped-def]
    ordered = sorted(items, key=lambda item: item.published, reverse=True)

    def reports(story: str) -> list[NewsItem]:
        return sorted((i for i in items if i.story_id == story), key=lambda i: i.published)

    def lookup(key: FollowKey | None, limit: int) -> list[NewsItem]:
        if key is not None and is_important_key(key):
            return newest_important(ordered, reports, DEFAULT_IMPORTANT, limit)

        def fits(item: NewsItem) -> bool:
            if key is None:
                return True
            if key.kind is FollowKind.COUNTRY:
                return key.value in item.countries
            if key.kind is FollowKind.SECTION:
                return key.value in item.sections
            return key.value.casefold() in f"{item.title} {item.summary}".casefold()

        return [item for item in ordered if fits(item)][:limit]

    return lookup


def answer(query: str, offset: str = "", items: Sequence[NewsItem] | None = None, **kw):  # type: ignore[no-untyped-def]
    return answer_inline(
        query,
        offset,
        lookup=lookup_over(seed_items() if items is None else items),
        now=NOW,
        tz=TZ,
        bot_username="nieuwsbot",
        **kw,
    )


@pytest.mark.parametrize(
    ("query", "first_title"),
    [
        ("oekraine", "Oekraïne vraagt om meer luchtafweer"),
        ("Oekraïne", "Oekraïne vraagt om meer luchtafweer"),
        ("tech", "Framework vraagt 7659 euro voor Desktop met 192GB ram en zonder ssd"),
        (
            "westnijlvirus",
            "Vier nieuwe doden door westnijlvirus, maar uitbraak lijkt af te vlakken",
        ),
        ("", "Framework vraagt 7659 euro voor Desktop met 192GB ram en zonder ssd"),
        ("o", "Framework vraagt 7659 euro voor Desktop met 192GB ram en zonder ssd"),
    ],
)
def test_topics_give_their_newest_story_first(query: str, first_title: str) -> None:
    page = answer(query)
    assert page.articles[0].title == first_title
    assert page.next_offset == ""


def test_an_article_is_a_push_of_its_story() -> None:
    page = answer("oekraine")
    (article,) = page.articles
    item = next(item for item in seed_items() if item.id == "omroep-1001")
    assert article.message_html == format_push(
        [Matched(item, ())], tz=TZ, now=NOW, more_command=None
    )
    assert article.description.startswith("Testomroep Zuid · 9:15\nOekraïne wil van de NAVO")
    assert article.share_query == "oekraine"
    assert len(article.id.encode()) <= 64
    parse_telegram_html(article.message_html)  # valid Telegram HTML


def test_a_typo_gives_did_you_mean_first() -> None:
    page = answer("oekrane")
    hint = page.articles[0]
    assert hint.title == "Bedoel je Oekraïne?"
    assert "@nieuwsbot oekraine" in hint.description
    assert "<code>@nieuwsbot oekraine</code>" in hint.message_html


def test_an_ambiguous_word_asks() -> None:
    page = answer("georgia")
    assert page.articles[0].title.startswith("Bedoel je ")
    assert " of " in page.articles[0].title


def test_reports_of_one_story_give_one_result_newest_report_first() -> None:
    base = seed_items()[4]  # Oekraïne, 07:15 UTC
    later = replace(
        base,
        id="nos-9",
        source="NOS",
        title="Oekraïne krijgt extra luchtafweer",
        published=base.published + timedelta(hours=1),
        story=base.id,
    )
    page = answer("oekraine", items=[*seed_items(), later])
    assert [article.title for article in page.articles] == ["Oekraïne krijgt extra luchtafweer"]


def test_pages_follow_next_offset_without_repeats() -> None:
    base = seed_items()[0]
    items = [
        replace(base, id=f"x-{n}", title=f"Bericht {n}", published=base.published - minutes(n))
        for n in range(45)
    ]
    seen: list[str] = []
    offset = ""
    pages = 0
    while True:
        page = answer("", offset, items=items)
        seen += [article.title for article in page.articles]
        pages += 1
        if not page.next_offset:
            break
        offset = page.next_offset
    assert pages == 3
    assert seen == [f"Bericht {n}" for n in range(45)]
    assert len({*seen}) == 45


def test_pages_stop_at_the_story_cap_and_bad_offsets_restart() -> None:
    base = seed_items()[0]
    items = [
        replace(base, id=f"x-{n}", title=f"Bericht {n}", published=base.published - minutes(n))
        for n in range(MAX_STORIES + 30)
    ]
    last = answer("", str(MAX_STORIES - 20), items=items)
    assert last.next_offset == ""
    assert answer("", "zeven", items=items).articles[0].title == "Bericht 0"


@pytest.mark.parametrize(
    ("key", "word"),
    [
        (FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne"), "oekraine"),
        (FollowKey(FollowKind.SECTION, "sport", "Sport"), "sport"),
        (FollowKey(FollowKind.KEYWORD, "stikstof", "stikstof"), "stikstof"),
    ],
)
def test_search_word(key: FollowKey, word: str) -> None:
    assert search_word(key) == word


def reports_of_one_story(base: NewsItem, outlets: Sequence[str], step: timedelta) -> list[NewsItem]:
    """``base`` told by each of ``outlets`` in turn, ``step`` apart, as one story."""
    return [
        replace(
            base,
            id=f"{base.id}-{n}",
            source=outlet,
            title=f"{base.title} ({outlet})",
            published=base.published + step * n,
            story=base.id,
        )
        for n, outlet in enumerate(outlets)
    ]


def test_an_empty_query_gives_the_stories_several_outlets_carry() -> None:
    seed = seed_items()
    big = reports_of_one_story(seed[4], ["NOS", "NRC", "AD"], minutes(20))  # 3 within the hour
    slow = reports_of_one_story(seed[2], ["NOS", "NRC", "AD"], minutes(50))  # the 3rd after 100 min
    page = answer("", items=[*seed, *big, *slow])
    assert [article.title for article in page.articles] == [big[-1].title]
    assert page.articles[0].share_query == " ".join(big[-1].title.split()[:4])
    assert page.next_offset == ""


def test_an_empty_query_with_nothing_important_gives_the_latest_stories() -> None:
    page = answer("")
    newest = max(seed_items(), key=lambda item: item.published)
    assert page.articles[0].title == newest.title
    assert len(page.articles) > 1
