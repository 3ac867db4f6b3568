"""Item repository: new vs seen vs edited, queries, pruning, day files."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.model import NewsItem
from bot.store import Store
from bot.store.layout import ITEMS_DIR, SEEN_DIR
from tests.paths import FIXTURES
from tests.store_support import T0, reopen

FIXTURE = FIXTURES / "store_nos_items.json"


def nos_items() -> list[NewsItem]:
    """The real NOS items of 1 Oct 2026, with a few tags set by hand."""
    tags = {
        "https://nos.nl/l/2633258": (("economie", "politiek"), ("NL",)),
        "https://nos.nl/l/2633239": (("buitenland",), ("AF", "PK")),
    }
    items = []
    for raw in json.loads(FIXTURE.read_text(encoding="utf-8")):
        sections, countries = tags.get(raw["guid"], (("binnenland",), ()))
        text = raw["text"]
        items.append(
            NewsItem(
                id=raw["guid"],
                feed="https://feeds.nos.nl/nosnieuwsalgemeen",
                source="NOS",
                link=raw["link"],
                title=raw["title"],
                summary=text[:160],
                text=text,
                published=parsedate_to_datetime(raw["published"]),
                sections=sections,
                countries=countries,
            )
        )
    return items


ITEMS = nos_items()
BY_ID = {item.id.rsplit("/", 1)[1]: item for item in ITEMS}
KABINET, AFGHANISTAN, NETANYAHU = BY_ID["2633258"], BY_ID["2633239"], BY_ID["2633227"]


def test_fixture_has_the_items_the_tests_name() -> None:
    assert len(ITEMS) == 20
    assert KABINET.title.startswith("Kabinet is bereid")
    assert "Afghanistan" in AFGHANISTAN.title
    assert "Iran" in NETANYAHU.title


async def test_add_items_returns_only_new_ones(store: Store) -> None:
    assert await store.add_items(ITEMS[:5]) == ITEMS[:5]
    assert await store.add_items(ITEMS[3:8]) == ITEMS[5:8]
    assert await store.add_items(ITEMS[:8]) == []
    assert store.item_count() == 8
    assert store.unseen(ITEMS[6:10] + ITEMS[9:10]) == ITEMS[8:10]
    assert store.is_seen(ITEMS[7].id)
    assert not store.is_seen(ITEMS[8].id)


async def test_duplicates_within_one_batch_count_once(store: Store) -> None:
    item = ITEMS[0]
    edited = replace(item, title=item.title + " (update)")
    assert await store.add_items([item, edited]) == [edited]
    assert store.get_item(item.id) == edited


async def test_edited_republication_is_not_new_but_updates_the_copy(
    store: Store, clock: ManualClock
) -> None:
    item = ITEMS[0]
    await store.add_items([item])
    clock.now = T0 + timedelta(hours=1)
    edited = replace(item, title="Kabinet wil kleinere spaarders toch ontzien")
    assert await store.add_items([edited]) == []
    assert store.get_item(item.id) == edited
    reopened = await reopen(store, clock)
    try:
        assert reopened.get_item(item.id) == edited
        assert reopened.recent(keyword="kleinere spaarders") == [edited]
    finally:
        await reopened.close()


async def test_recent_filters_and_orders_newest_first(store: Store) -> None:
    await store.add_items(ITEMS)
    newest = sorted(ITEMS, key=lambda i: i.published, reverse=True)
    assert store.recent(limit=3) == newest[:3]
    assert store.recent(section="buitenland") == [AFGHANISTAN]
    assert store.recent(country="af") == [AFGHANISTAN]
    assert store.recent(keyword="Iran") == [NETANYAHU]
    assert store.recent(keyword="afghanistan", section="sport") == []
    since = newest[4].published
    assert store.recent(since=since, limit=None) == [i for i in newest if i.published >= since]
    assert store.recent(limit=None) == newest


async def test_merged_duplicates_are_hidden_unless_asked(store: Store) -> None:
    original = AFGHANISTAN
    copy = replace(original, id="nu-123", source="NU.nl", duplicate_of=original.id)
    await store.add_items([original, copy])
    assert store.recent(country="AF") == [original]
    assert set(store.recent(country="AF", include_duplicates=True)) == {original, copy}


async def test_search_matches_word_prefixes_in_title_summary_and_text(store: Store) -> None:
    await store.add_items(ITEMS)
    assert store.search(["spaarders", "heinen"], limit=5) == [KABINET]
    assert store.search(["Pakistaan"], limit=5) == [AFGHANISTAN]
    assert store.search([], limit=5) == []
    assert len(store.search(["de"], limit=4)) == 4


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def test_items_go_to_hour_files_and_markers_to_day_files(
    store: Store, tmp_path: Path
) -> None:
    await store.add_items(ITEMS[:2])
    late = replace(ITEMS[2], first_seen=datetime(2026, 10, 2, 0, 30, tzinfo=UTC))
    await store.add_items([late])
    assert await asyncio.to_thread(names, tmp_path / ITEMS_DIR) == [
        "2026-10-01T12.json",
        "2026-10-02T00.json",
    ]
    assert await asyncio.to_thread(names, tmp_path / SEEN_DIR) == [
        "2026-10-01.json",
        "2026-10-02.json",
    ]


async def test_items_without_markers_after_a_crash_get_them_at_open(
    store: Store, clock: ManualClock, tmp_path: Path
) -> None:
    await store.add_items(ITEMS[:2])
    await store.close()
    # The process died after writing the items but before their markers.
    await asyncio.to_thread((tmp_path / SEEN_DIR / "2026-10-01.json").unlink)
    reopened = await Store.open(tmp_path, clock=clock, freeze_gc=False)
    try:
        assert reopened.is_seen(ITEMS[0].id)
        assert await reopened.add_items(ITEMS[:3]) == ITEMS[2:3]
    finally:
        await reopened.close()
    assert await asyncio.to_thread(names, tmp_path / SEEN_DIR) == ["2026-10-01.json"]


async def test_prune_keeps_markers_so_pruned_items_are_never_new(
    store: Store, clock: ManualClock, tmp_path: Path
) -> None:
    await store.add_items(ITEMS[:3])
    clock.now = T0 + timedelta(days=6)
    await store.add_items(ITEMS[3:5])

    result = await store.prune(T0 + timedelta(days=8))

    assert (result.items, result.seen_markers) == (3, 0)
    assert store.item_count() == 2
    assert store.get_item(ITEMS[0].id) is None
    assert await store.add_items(ITEMS[:3]) == []  # pruned, but still seen
    reopened = await reopen(store, clock)
    try:
        assert reopened.item_count() == 2
        assert reopened.unseen(ITEMS[:5]) == []
        result = await reopened.prune(T0 + timedelta(days=32))
        assert (result.items, result.seen_markers) == (2, 3)
        assert await asyncio.to_thread(names, tmp_path / ITEMS_DIR) == []
        assert await asyncio.to_thread(names, tmp_path / SEEN_DIR) == ["2026-10-07.json"]
        assert reopened.unseen(ITEMS[:5]) == ITEMS[:3]  # forgotten after 30 days
    finally:
        await reopened.close()


async def test_prune_inside_one_hour_file_is_per_item(store: Store, clock: ManualClock) -> None:
    await store.add_items(ITEMS[:1])
    clock.now = T0 + timedelta(minutes=30)
    await store.add_items(ITEMS[1:2])
    result = await store.prune(T0 + timedelta(days=7, minutes=15))
    assert result.items == 1
    assert store.get_item(ITEMS[0].id) is None
    assert store.get_item(ITEMS[1].id) == ITEMS[1]
    reopened = await reopen(store, clock)
    try:
        assert reopened.get_item(ITEMS[1].id) == ITEMS[1]
        assert reopened.item_count() == 1
    finally:
        await reopened.close()


async def test_feed_states_are_batched_copied_and_durable(store: Store, clock: ManualClock) -> None:
    state = {"etag": 'W/"abc"', "failures": 0}
    await store.put_feed_states({"https://feeds.nos.nl/nosnieuwsalgemeen": state})
    state["failures"] = 3  # the caller's later mutation must not leak in
    await store.put_feed_states({"https://www.nu.nl/rss": {"last_modified": None}})
    with pytest.raises(TypeError):
        await store.put_feed_states({"https://x": {"when": datetime.now(UTC)}})
    reopened = await reopen(store, clock)
    try:
        assert reopened.get_feed_state("https://feeds.nos.nl/nosnieuwsalgemeen") == {
            "etag": 'W/"abc"',
            "failures": 0,
        }
        assert reopened.get_feed_state("https://www.nu.nl/rss") == {"last_modified": None}
        assert reopened.get_feed_state("https://x") is None
    finally:
        await reopened.close()
