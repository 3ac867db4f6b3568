"""The "Deel" button under a push, end to end, and its topic (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.model import FollowKey, FollowKind
from bot.deliver.plan import AWAY, PUSH
from bot.deliver.share import share_query
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.store.records import OutboxEntry
from tests.app_harness import NOW, ManualClock
from tests.chat_harness import seed_items
from tests.e2e.test_push_e2e import FOLLOWER, follow, publish_ukraine, start_with_baseline


async def test_a_push_carries_a_share_button_for_its_topic(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    async with await start_with_baseline(tmp_path, fake_telegram, feed_server, clock) as app:
        await follow(fake_telegram, FOLLOWER, "oekraine")
        await app.cycle()
        publish_ukraine(feed_server, clock)
        await app.cycle()
        assert len(app.pushes(FOLLOWER)) == 1
        (push,) = [
            message
            for message in fake_telegram.sent_messages(FOLLOWER)
            if "via Oekraïne" in message["text"]
        ]
        (button,) = [b for row in push["reply_markup"]["inline_keyboard"] for b in row]
        assert button == {"text": "↗️ Deel", "switch_inline_query": "oekraine"}


def entry(kind: str, stories: list[list[object]]) -> OutboxEntry:
    return OutboxEntry(
        id="x",
        chat_id=1,
        kind=kind,
        payload={"stories": stories},
        created_at=datetime(2026, 10, 1, tzinfo=UTC),
    )


UA = ["country:UA", "Oekraïne"]
SPORT = ["section:sport", "Sport"]
ITEMS = {item.id: item for item in seed_items()}


@pytest.mark.parametrize(
    ("entries", "query"),
    [
        ([entry(PUSH, [["omroep-1001", [UA]]])], "oekraine"),
        ([entry(PUSH, [["omroep-1001", [UA]], ["nos-2633239", [UA]]])], "oekraine"),
        # Two topics in one push: the story's title words if there is one story...
        ([entry(PUSH, [["nos-2633258", []]])], "Kabinet is bereid om"),
        # ...and no button for a list across topics.
        ([entry(PUSH, [["omroep-1001", [UA]], ["nos-2633100", [SPORT]]])], ""),
        ([entry(AWAY, [])], ""),
        ([], ""),
    ],
)
def test_share_query(entries: list[OutboxEntry], query: str) -> None:
    assert share_query(entries, ITEMS.get) == query


def test_search_word_of_a_keyword_follow() -> None:
    key = FollowKey(FollowKind.KEYWORD, "klitsjko", "Klitsjko")
    raw = [f"{key.kind.value}:{key.value}", key.label]
    assert share_query([entry(PUSH, [["omroep-1001", [raw]]])], ITEMS.get) == "Klitsjko"
