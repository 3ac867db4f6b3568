"""The broadcast order (fair, shard by shard) and its chunks: pure tables."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from bot.deliver.audience import broadcast_order, chunks, rotation
from bot.store.layout import shard_of

CHATS = list(range(2001, 2051))
# Real NOS article ids, as story ids.
STORIES = [f"nos-{2600500 + n}" for n in range(100)]


def test_the_order_is_the_whole_audience_once() -> None:
    groups = [-1001234567890, -4777, *CHATS]
    order = broadcast_order(groups, ["nos-2600568"], 512)
    assert sorted(order) == sorted(groups)


def test_the_same_stories_give_the_same_order_whatever_their_order() -> None:
    first = broadcast_order(CHATS, ["nos-2600568", "nu-8123"], 512)
    again = broadcast_order(reversed(CHATS), ["nu-8123", "nos-2600568", "nu-8123"], 512)
    assert first == again
    assert rotation(["a", "b"]) == rotation(["b", "a", "a"])


def test_each_story_starts_somewhere_else() -> None:
    firsts = Counter(broadcast_order(CHATS, [story], 512)[0] for story in STORIES)
    lasts = Counter(broadcast_order(CHATS, [story], 512)[-1] for story in STORIES)
    # 100 stories over 50 chats: no chat is always first or always last.
    assert len(firsts) >= 30
    assert len(lasts) >= 30
    assert max(lasts.values()) <= 6


# 12 chats over 4 shards, shard by shard (0, 1, 2, 3), ids ascending within a shard.
CYCLE = [4, 8, 12, 1, 5, 9, 2, 6, 10, 3, 7, 11]


@pytest.mark.parametrize(
    ("story", "starts_at"),
    [
        ("s", 9),  # inside shard 1: its chats 1 and 5 come last
        ("nos-2600568", 2),  # at the start of shard 2
    ],
)
def test_the_order_enters_the_shard_cycle_at_the_storys_place(story: str, starts_at: int) -> None:
    order = broadcast_order(range(1, 13), [story], 4)
    start = CYCLE.index(starts_at)
    assert order == CYCLE[start:] + CYCLE[:start]
    shards = [shard_of(chat, 4) for chat in order]
    changes = sum(1 for a, b in pairwise(shards) if a != b)
    assert changes <= 4  # one run per shard, one more where the rotation cut a shard


@pytest.mark.parametrize(
    ("size", "first", "rest", "expected"),
    [
        (12, 5, 3, [5, 3, 3, 1]),
        (5, 5, 3, [5]),
        (3, 500, 5000, [3]),
        (0, 500, 5000, []),
        (1_200, 500, 5_000, [500, 700]),
        (100_000, 500, 5_000, [500] + [5_000] * 19 + [4_500]),
    ],
)
def test_chunks(size: int, first: int, rest: int, expected: list[int]) -> None:
    ordered = list(range(size))
    parts = list(chunks(ordered, first, rest))
    assert [len(part) for part in parts] == expected
    assert [chat for part in parts for chat in part] == ordered


def test_chunk_sizes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        list(chunks([1, 2], 0, 5))
