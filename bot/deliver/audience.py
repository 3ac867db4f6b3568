"""The order a broadcast reaches its audience in, and the chunks it is persisted in.

Two wishes shape the order (issue 13):

* Fair: each broadcast starts at a different place, so the same chats are not
  always the last to hear breaking news. The audience is rotated by an offset
  derived from the stories' ids: deterministic (a re-plan after a crash gives
  the same order) but different from one story to the next.
* Cheap to persist in chunks: chats are taken shard by shard (the outbox is
  sharded by chat id), so a chunk of a few hundred chats rewrites a handful of
  outbox files rather than one per chat. That is what lets the first chunk be
  durable, and its first message sent, within milliseconds at any audience size.

Rotating a fixed cyclic order gives every chat every position equally often
over many stories; within the cycle, chats of one shard stay together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence

from bot.store.layout import shard_of

# The first chunk is small so that it is durable (and sending starts) quickly;
# later chunks are larger so that the whole outbox takes few manifest writes.
FIRST_CHUNK = 500
CHUNK = 5_000


def rotation(story_ids: Iterable[str]) -> int:
    """A stable number from the stories' ids (order and repeats do not matter)."""
    text = "\n".join(sorted(set(story_ids)))
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def broadcast_order(
    chat_ids: Iterable[int], story_ids: Iterable[str], shard_count: int
) -> list[int]:
    """The chats in sending order: shard by shard, rotated to a start of the stories' own."""
    by_shard: dict[int, list[int]] = {}
    for chat_id in chat_ids:
        by_shard.setdefault(shard_of(chat_id, shard_count), []).append(chat_id)
    ordered = [chat_id for shard in sorted(by_shard) for chat_id in sorted(by_shard[shard])]
    if not ordered:
        return ordered
    start = rotation(story_ids) % len(ordered)
    return ordered[start:] + ordered[:start]


def chunks(
    ordered: Sequence[int], first: int = FIRST_CHUNK, size: int = CHUNK
) -> Iterator[Sequence[int]]:
    """``ordered`` cut into a chunk of ``first`` chats, then chunks of ``size``."""
    if first < 1 or size < 1:
        raise ValueError("chunk sizes must be positive")
    if ordered:
        yield ordered[:first]
    for start in range(first, len(ordered), size):
        yield ordered[start : start + size]
