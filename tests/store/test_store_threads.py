"""Story threads: which chat was notified of which story, by which message, across restarts.

The thread index is derived from the outbox documents; these tests drive it
through the real Store (enqueue, mark_sent, drop, migrate, prune, reopen) and
read the shard files to see what a marker keeps.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.core.clock import ManualClock
from bot.store import OutboxEntry, Store, outbox_entry_id
from bot.store.threads import ThreadIndex, followup_of, marker_fields, threads_of
from tests.store_support import T0, reopen

STORY = "nrc-lichtjesparade"
CHAT, GROUP, SUPERGROUP = 1301, -4301, -1004301


def push(chat_id: int, batch: str, *stories: tuple[str, list[str]]) -> OutboxEntry:
    return OutboxEntry(
        id=outbox_entry_id(chat_id, batch),
        chat_id=chat_id,
        kind="push",
        payload={
            "stories": [[r[0], []] for _, r in stories],
            "threads": [list(s) for s in stories],
        },
        created_at=T0,
    )


def followup(chat_id: int, story: str, report: str) -> OutboxEntry:
    return OutboxEntry(
        id=outbox_entry_id(chat_id, f"f-{report}"),
        chat_id=chat_id,
        kind="followup",
        payload={"followup": story, "reports": [[report, []]]},
        created_at=T0,
    )


def marker_docs(store: Store) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((store.root / "outbox").glob("shard-*.json")):
        for table in json.loads(path.read_text(encoding="utf-8")).values():
            docs.extend(doc for doc in table.values() if doc.get("sent"))
    return docs


async def test_a_push_plans_its_threads_and_its_send_records_the_message(
    store: Store, clock: ManualClock
) -> None:
    entry = push(CHAT, "b1", (STORY, ["nrc-lichtjesparade", "nos-2600901"]))
    await store.enqueue([entry])
    planned = store.thread(CHAT, STORY)
    assert planned is not None
    assert (planned.entry, planned.notified, planned.message_id) == (entry.id, False, None)
    assert planned.reports == ("nrc-lichtjesparade", "nos-2600901")
    assert store.thread(CHAT + 1, STORY) is None

    clock.advance(timedelta(minutes=1))
    await store.mark_sent([entry.id], message_id=812)
    sent = store.thread(CHAT, STORY)
    assert sent is not None
    assert (sent.notified_at, sent.message_id, sent.last_followup_at) == (clock.now, 812, None)
    # The marker keeps the thread and the message id, in the same document.
    (marker,) = marker_docs(store)
    assert marker == {
        "id": entry.id,
        "chat": CHAT,
        "sent": clock.now.isoformat(),
        "threads": [[STORY, ["nrc-lichtjesparade", "nos-2600901"]]],
        "msg": 812,
    }


async def test_threads_survive_a_restart_and_pending_ones_stay_planned(
    store: Store, clock: ManualClock
) -> None:
    sent = push(CHAT, "b1", (STORY, ["nrc-lichtjesparade"]))
    held = push(CHAT, "b2", ("nos-2600907", ["nos-2600907"]))
    await store.enqueue([sent, held])
    await store.mark_sent([sent.id], message_id=812)
    clock.advance(timedelta(minutes=5))
    reply = followup(CHAT, STORY, "nos-2600901")
    await store.enqueue([reply])
    await store.mark_sent([reply.id], message_id=820)
    reopened = await reopen(store, clock)
    try:
        thread = reopened.thread(CHAT, STORY)
        assert thread is not None
        assert (thread.message_id, thread.notified_at) == (812, T0)
        assert thread.last_followup_at == clock.now
        waiting = reopened.thread(CHAT, "nos-2600907")
        assert waiting is not None
        assert not waiting.notified
    finally:
        await reopened.close()


async def test_a_dropped_push_leaves_no_thread(store: Store) -> None:
    entry = push(CHAT, "b1", (STORY, ["nrc-lichtjesparade"]))
    await store.enqueue([entry])
    await store.drop([entry.id])
    assert store.thread(CHAT, STORY) is None


async def test_a_follow_up_without_a_push_starts_the_thread(
    store: Store, clock: ManualClock
) -> None:
    reply = followup(CHAT, STORY, "nos-2600901")
    await store.enqueue([reply])
    await store.mark_sent([reply.id], message_id=901)
    thread = store.thread(CHAT, STORY)
    assert thread is not None
    assert (thread.message_id, thread.notified_at, thread.last_followup_at) == (901, T0, T0)


async def test_a_second_push_of_a_notified_story_keeps_the_first_message(
    store: Store, clock: ManualClock
) -> None:
    # /updates apart: every report is a push; follow-ups (after switching back)
    # still reply to the first.
    first = push(CHAT, "b1", (STORY, ["nrc-lichtjesparade"]))
    second = push(CHAT, "b2", (STORY, ["nos-2600901"]))
    await store.enqueue([first])
    await store.mark_sent([first.id], message_id=812)
    clock.advance(timedelta(minutes=10))
    await store.enqueue([second])
    await store.mark_sent([second.id], message_id=830)
    thread = store.thread(CHAT, STORY)
    assert thread is not None
    assert (thread.entry, thread.message_id, thread.notified_at) == (first.id, 812, T0)


async def test_threads_move_with_a_migrated_group(store: Store, clock: ManualClock) -> None:
    await store.ensure_chat(GROUP, "group")
    sent = push(GROUP, "b1", (STORY, ["nrc-lichtjesparade"]))
    held = push(GROUP, "b2", ("nos-2600907", ["nos-2600907"]))
    await store.enqueue([sent, held])
    await store.mark_sent([sent.id], message_id=44)
    await store.migrate_chat(GROUP, SUPERGROUP)
    assert store.thread(GROUP, STORY) is None
    moved = store.thread(SUPERGROUP, STORY)
    assert moved is not None
    assert (moved.entry, moved.message_id) == (outbox_entry_id(SUPERGROUP, "b1"), 44)
    waiting = store.thread(SUPERGROUP, "nos-2600907")
    assert waiting is not None
    assert waiting.entry == outbox_entry_id(SUPERGROUP, "b2")
    reopened = await reopen(store, clock)
    try:
        again = reopened.thread(SUPERGROUP, STORY)
        assert again is not None
        assert again.message_id == 44
    finally:
        await reopened.close()


async def test_threads_go_with_their_markers_and_with_the_chat(
    store: Store, clock: ManualClock
) -> None:
    old = push(CHAT, "b1", (STORY, ["nrc-lichtjesparade"]))
    other = push(CHAT + 1, "b1", (STORY, ["nrc-lichtjesparade"]))
    await store.enqueue([old, other])
    await store.mark_sent([old.id, other.id], message_id=1)
    await store.ensure_chat(CHAT + 1, "private")
    await store.delete_chat(CHAT + 1)
    assert store.thread(CHAT + 1, STORY) is None
    assert store.thread(CHAT, STORY) is not None
    await store.prune(T0 + timedelta(days=4))
    assert store.thread(CHAT, STORY) is None


@pytest.mark.parametrize(
    ("fields", "threads", "story"),
    [
        ({"threads": [["s1", ["a", "b"]]]}, [("s1", ("a", "b"))], None),
        ({"threads": [["s1", ["a"]], ["s2", []]]}, [("s1", ("a",)), ("s2", ())], None),
        ({"followup": "s1", "reports": [["a", []]]}, [], "s1"),
        ({"threads": "junk", "followup": 7}, [], None),
        ({"threads": [["s1"], [3, ["a"]], "x"]}, [], None),
        ({"stories": [["a", []]], "more": 0}, [], None),  # a push from before stories
    ],
)
def test_payload_keys_are_read_leniently(
    fields: dict[str, Any], threads: list[tuple[str, tuple[str, ...]]], story: str | None
) -> None:
    assert threads_of(fields) == threads
    assert followup_of(fields) == story


def test_a_plain_marker_keeps_nothing_extra() -> None:
    assert marker_fields({"stories": [["a", []]], "more": 0}, 5) == {}
    assert marker_fields({"threads": [["s", ["a"]]]}, None) == {"threads": [["s", ["a"]]]}
    assert marker_fields({"followup": "s"}, 9) == {"followup": "s", "msg": 9}


def test_the_index_prunes_by_the_time_a_story_was_notified() -> None:
    index = ThreadIndex()
    index.sent(1, "1:a", {"threads": [["s1", ["a"]]]}, 10, T0)
    index.sent(1, "1:b", {"threads": [["s2", ["b"]]]}, 11, T0 + timedelta(days=2))
    index.planned(1, "1:c", {"threads": [["s3", ["c"]]]})
    index.prune(T0 + timedelta(days=1))
    assert index.get(1, "s1") is None
    assert index.get(1, "s2") is not None
    assert index.get(1, "s3") is not None  # planned: its entry is still pending
    assert len(index) == 2


async def test_a_push_sent_with_a_folded_follow_up_starts_the_thread(
    store: Store, clock: ManualClock
) -> None:
    # Quiet hours held both; they went out as one message (the follow-up folded in).
    entry = push(CHAT, "b1", (STORY, ["nrc-lichtjesparade"]))
    reply = followup(CHAT, STORY, "nos-2600901")
    await store.enqueue([reply, entry])
    await store.mark_sent([reply.id, entry.id], message_id=812)
    expected = (entry.id, ("nrc-lichtjesparade",), 812, T0)
    thread = store.thread(CHAT, STORY)
    assert thread is not None
    assert (thread.entry, thread.reports, thread.message_id, thread.last_followup_at) == expected
    reopened = await reopen(store, clock)
    try:
        again = reopened.thread(CHAT, STORY)
        assert again is not None
        assert (again.entry, again.reports, again.message_id, again.last_followup_at) == expected
    finally:
        await reopened.close()
