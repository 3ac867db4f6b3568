"""Channel links in the store: durable, moved by a migration, gone with the channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind
from bot.store import Store
from bot.store.channels import ChannelLink
from tests.store_support import T0, reopen

UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
CHANNEL = -1001234567890
MOVED = -1009999999999
ADMIN = 4201


def link(channel_id: int = CHANNEL) -> ChannelLink:
    return ChannelLink(channel_id, "nieuwsNL", "Nieuws NL", ADMIN, T0)


@pytest.fixture
def store_shard_count() -> int:
    return 8


async def test_a_link_survives_a_restart_and_its_flag_changes(
    store: Store, clock: ManualClock
) -> None:
    record = await store.link_channel(link())
    assert (record.chat_type, record.active) == ("channel", True)
    await store.set_channel_link(replace(link(), loss_told=True))
    store = await reopen(store, clock)
    try:
        assert store.channel_link(CHANNEL) == replace(link(), loss_told=True)
        assert store.channel_links(linked_by=ADMIN) == [replace(link(), loss_told=True)]
        assert store.channel_links(linked_by=ADMIN + 1) == []
    finally:
        await store.close()


async def test_linking_again_reactivates_with_the_kept_follows(store: Store) -> None:
    await store.link_channel(link())
    await store.add_follows(CHANNEL, [UA])
    await store.deactivate(CHANNEL, "demoted")
    record = await store.link_channel(link())
    assert record.active
    assert record.follows == (UA,)


async def test_a_migration_moves_the_link_with_the_follows(
    store: Store, clock: ManualClock
) -> None:
    await store.link_channel(link())
    await store.add_follows(CHANNEL, [UA])
    await store.migrate_chat(CHANNEL, MOVED)
    assert store.channel_link(CHANNEL) is None
    assert store.channel_link(MOVED) == link(MOVED)
    store = await reopen(store, clock)
    try:
        assert store.channel_link(MOVED) == link(MOVED)
        moved = store.get_chat(MOVED)
        assert moved is not None
        assert moved.follows == (UA,)
    finally:
        await store.close()


async def test_stop_and_the_30_day_purge_forget_the_link(store: Store, clock: ManualClock) -> None:
    await store.link_channel(link())
    await store.delete_chat(CHANNEL)
    assert store.channel_link(CHANNEL) is None

    await store.link_channel(link(MOVED))
    await store.deactivate(MOVED, "demoted", T0)
    assert await store.purge_deactivated(timedelta(days=30), T0 + timedelta(days=29)) == []
    assert store.channel_link(MOVED) is not None
    assert await store.purge_deactivated(timedelta(days=30), T0 + timedelta(days=31)) == [MOVED]
    assert store.channel_link(MOVED) is None


async def test_an_unreadable_links_file_is_set_aside(store: Store, clock: ManualClock) -> None:
    await store.link_channel(link())
    await store.close()
    (store.root / "channels.json").write_text("{not json", encoding="utf-8")
    opened = await Store.open(store.root, clock=clock, freeze_gc=False)
    try:
        assert opened.channel_links() == []
        assert opened.get_chat(CHANNEL) is not None  # the channel's chat record stays
        assert list(store.root.glob("channels.json.corrupt-*"))
    finally:
        await opened.close()
