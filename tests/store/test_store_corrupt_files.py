"""Unreadable files at start-up: rebuildable ones are set aside, chats and outbox refuse.

Items, seen markers and feed state come back from the feeds, so a damaged one
must not keep the bot from starting: it is moved to ``<name>.corrupt-<UTC time>``
with a warning and the store starts without it. Chat and outbox shards are
never moved aside at start-up.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.store import Store, StoreCorruptError
from bot.store.layout import CHATS_DIR, FEEDS_FILE, ITEMS_DIR, SEEN_DIR, shard_path
from bot.store.manifest import rebuild_manifest
from tests.store.test_store_items import ITEMS
from tests.store_support import T0

LATER = T0 + timedelta(hours=1)
STAMP = "20261001T130000Z"  # LATER, the moment the second open sets files aside
FEED = "https://feeds.nos.nl/nosnieuwsalgemeen"


async def open_store(root: Path, clock: ManualClock) -> Store:
    return await Store.open(root, clock=clock, shard_count=4, freeze_gc=False)


async def build_store(root: Path, clock: ManualClock) -> None:
    """Items in two hour files (12h and 13h of 1 Oct), markers in one day file, one feed state."""
    store = await open_store(root, clock)
    try:
        await store.add_items(ITEMS[:5])
        clock.now = LATER
        await store.add_items(ITEMS[5:8])
        await store.put_feed_states({FEED: {"etag": '"abc"', "consecutive_errors": 0}})
        await store.ensure_chat(1001, "private")
    finally:
        await store.close()


def warnings_about(caplog: pytest.LogCaptureFixture, path: Path) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and str(path) in r.getMessage()
    ]


async def test_a_corrupt_items_file_is_moved_aside_and_start_up_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(T0)
    await build_store(tmp_path, clock)
    damaged = tmp_path / ITEMS_DIR / "2026-10-01T12.json"
    cut = damaged.read_bytes()[:100]  # cut off mid-document
    damaged.write_bytes(cut)

    with caplog.at_level(logging.WARNING):
        store = await open_store(tmp_path, clock)
    try:
        assert not damaged.exists()
        aside = tmp_path / ITEMS_DIR / f"2026-10-01T12.json.corrupt-{STAMP}"
        assert aside.read_bytes() == cut  # kept for inspection, not deleted
        (warning,) = warnings_about(caplog, damaged)
        assert "is unreadable" in warning
        assert aside.name in warning
        # The other hour is intact; the lost hour's items stay known as seen.
        assert {item.id for item in store.recent(limit=None)} == {i.id for i in ITEMS[5:8]}
        assert all(store.is_seen(item.id) for item in ITEMS[:5])
        assert store.get_chat(1001) is not None
        # The hour file is rebuilt from new items.
        await store.add_items(ITEMS[8:10])
    finally:
        await store.close()
    reopened = await open_store(tmp_path, clock)
    try:
        assert reopened.item_count() == 5
    finally:
        await reopened.close()


async def test_an_items_file_with_a_bad_document_is_moved_aside_too(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    await build_store(tmp_path, clock)
    damaged = tmp_path / ITEMS_DIR / "2026-10-01T13.json"
    tables = json.loads(damaged.read_text(encoding="utf-8"))
    first = next(iter(tables["items"].values()))
    del first["published"]
    damaged.write_text(json.dumps(tables), encoding="utf-8")

    store = await open_store(tmp_path, clock)
    try:
        assert (tmp_path / ITEMS_DIR / f"2026-10-01T13.json.corrupt-{STAMP}").exists()
        assert {item.id for item in store.recent(limit=None)} == {i.id for i in ITEMS[:5]}
    finally:
        await store.close()


async def test_a_corrupt_seen_file_is_moved_aside_and_rebuilt_from_the_items(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(T0)
    await build_store(tmp_path, clock)
    damaged = tmp_path / SEEN_DIR / "2026-10-01.json"
    damaged.write_bytes(b"\x00" * 64)

    with caplog.at_level(logging.WARNING):
        store = await open_store(tmp_path, clock)
    try:
        assert (tmp_path / SEEN_DIR / f"2026-10-01.json.corrupt-{STAMP}").exists()
        assert warnings_about(caplog, damaged)
        # Every stored item got its marker back, so nothing is taken for new.
        assert store.unseen(ITEMS[:8]) == []
    finally:
        await store.close()
    rebuilt = json.loads(damaged.read_text(encoding="utf-8"))
    assert len(rebuilt["seen"]) == 8


async def test_a_corrupt_feed_state_file_is_moved_aside_and_starts_empty(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(T0)
    await build_store(tmp_path, clock)
    damaged = tmp_path / FEEDS_FILE
    damaged.write_text("", encoding="utf-8")  # emptied

    with caplog.at_level(logging.WARNING):
        store = await open_store(tmp_path, clock)
    try:
        assert (tmp_path / f"{FEEDS_FILE}.corrupt-{STAMP}").exists()
        assert warnings_about(caplog, damaged)
        assert store.get_feed_state(FEED) is None
        await store.put_feed_states({FEED: {"consecutive_errors": 1}})
    finally:
        await store.close()
    reopened = await open_store(tmp_path, clock)
    try:
        assert reopened.get_feed_state(FEED) == {"consecutive_errors": 1}
    finally:
        await reopened.close()


async def test_a_bad_chat_document_refuses_naming_file_and_recovery(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    await build_store(tmp_path, clock)
    shard = shard_path(tmp_path / CHATS_DIR, 1001 % 4)
    tables = json.loads(shard.read_text(encoding="utf-8"))
    del tables["chats"]["1001"]["created"]
    shard.write_text(json.dumps(tables), encoding="utf-8")
    rebuild_manifest(tmp_path)  # as if the bot had written it: the manifest matches

    with pytest.raises(StoreCorruptError) as refused:
        await open_store(tmp_path, clock)

    assert refused.value.path == shard
    message = str(refused.value)
    assert message.startswith(f"database file {shard} is unreadable: bad chat 1001")
    assert message.endswith(
        "restore the data directory from a backup, or run `nieuwsbot store repair` "
        "to accept the loss"
    )
    assert shard.exists()
    assert not list(shard.parent.glob("*.corrupt-*"))
