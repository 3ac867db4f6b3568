"""Writer process for the SIGKILL test: opens a store and writes until killed.

Each step ``n`` (a counter that only grows, also across restarts) does, for
chat ``CHATS[n % len(CHATS)]``:

1. follow ``keyword:c<n>`` (and unfollow the oldest ten once it has 30, so the
   shard documents stay around 30 follows and the highest counter survives);
2. record ``{"n": n}`` as the state of feed ``crash://feed``;
3. enqueue an outbox entry for story ``s<n>`` and mark it sent.

Only after all of that returned (durable) does it print ``ack <chat> <n>``.
Usage: python tests/store/store_crash_writer.py DATA_DIR
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.core.model import FollowKey, FollowKind
from bot.store import OutboxEntry, Store, outbox_entry_id

# Private chats and groups (negative ids), spread over all 8 shards.
CHATS = [1000 + n for n in range(150)] + [-1_000_000_000_000 - n for n in range(150)]
SHARDS = 8
FEED = "crash://feed"
KEEP = 30
PREFIX = "c"


def counter_of(key: FollowKey) -> int:
    return int(key.value.removeprefix(PREFIX))


def highest_counter(store: Store) -> int:
    """The highest step already stored anywhere, or -1 for a new store."""
    counters = [counter_of(k) for r in store.all_chats() for k in r.follows]
    state = store.get_feed_state(FEED)
    if state is not None:
        counters.append(int(state["n"]))
    return max(counters, default=-1)


def say(line: str) -> None:
    """One protocol line to the test, flushed so a SIGKILL cannot swallow it."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def run(root: Path) -> None:
    store = await Store.open(root, clock=lambda: datetime.now(UTC), shard_count=SHARDS)
    for chat_id in CHATS:
        if store.get_chat(chat_id) is None:
            await store.ensure_chat(chat_id, "private" if chat_id > 0 else "supergroup")
    n = highest_counter(store) + 1
    say(f"ready {n}")
    while True:
        chat_id = CHATS[n % len(CHATS)]
        await store.add_follows(chat_id, [FollowKey(FollowKind.KEYWORD, f"{PREFIX}{n}")])
        record = store.get_chat(chat_id)
        assert record is not None
        if len(record.follows) >= KEEP:
            await store.remove_follows(chat_id, record.follows[:10])
        await store.put_feed_states({FEED: {"n": n}})
        entry_id = outbox_entry_id(chat_id, f"s{n}")
        entry = OutboxEntry(entry_id, chat_id, "push", {"n": n}, datetime.now(UTC))
        await store.enqueue([entry])
        await store.mark_sent([entry_id])
        say(f"ack {chat_id} {n}")
        n += 1


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1])))
