"""Story threads: which chat was told about which story, by which message.

A chat hears of a story once, as a push; later reports of it come as silent
replies to that push (``bot.deliver``). For that the delivery needs, per chat
and story, the message that notified the chat and when the last follow-up
went out. That is kept here, derived from the outbox rather than stored on
its own, so it changes in the same atomic write as the outbox itself:

* a pending entry whose payload lists ``threads`` (``[[story, [report ids]],
  ...]``) *plans* those stories for its chat: the chat will be notified;
* when Telegram confirmed the entry, ``mark_sent`` turns it into a delivered
  marker that keeps the ``threads`` and the message id (``msg``), in the one
  write that records the send; from then on the chat *was* notified;
* a follow-up entry names its story under ``followup``; its marker keeps that
  too, which dates the story's last follow-up.

So after a crash at any moment the index rebuilt from the outbox says exactly
what was sent: a story is never notified twice, and no marker claims a thread
whose message never went out. Threads live as long as the markers (three
days); a story takes new reports for 36 hours (``bot.stories.STORY_WINDOW``).

The payload keys below are the one part of an entry's payload the store
reads; the rest is the delivery's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

# Payload of a pending entry / fields of its delivered marker.
THREADS = "threads"  # [[story id, [report ids]], ...]: stories the message notifies
FOLLOWUP = "followup"  # the story a follow-up message continues
MESSAGE_ID = "msg"  # Telegram's id of the sent message (markers only)


@dataclass(frozen=True, slots=True)
class Thread:
    """One chat's thread of one story.

    ``entry`` is the outbox entry that notifies the chat, ``reports`` the
    reports it lists for the story. ``notified_at`` is None while that entry
    is still pending (planned, not sent); ``message_id`` is the message a
    follow-up replies to.
    """

    entry: str
    reports: tuple[str, ...] = ()
    message_id: int | None = None
    notified_at: datetime | None = None
    last_followup_at: datetime | None = None

    @property
    def notified(self) -> bool:
        return self.notified_at is not None


def threads_of(fields: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """The ``threads`` of a payload or marker, as (story, reports); junk is skipped."""
    found: list[tuple[str, tuple[str, ...]]] = []
    raw = fields.get(THREADS)
    if not isinstance(raw, list):
        return found
    for pair in raw:
        if (
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], list | tuple)
        ):
            found.append((pair[0], tuple(str(report) for report in pair[1])))
    return found


def followup_of(fields: Mapping[str, Any]) -> str | None:
    """The story a follow-up payload or marker continues, if it is one."""
    story = fields.get(FOLLOWUP)
    return story if isinstance(story, str) else None


def marker_fields(payload: Mapping[str, Any], message_id: int | None) -> dict[str, Any]:
    """What a delivered marker keeps of its entry's payload (empty for plain messages)."""
    fields: dict[str, Any] = {}
    threads = payload.get(THREADS)
    if isinstance(threads, list) and threads:
        fields[THREADS] = threads
    story = followup_of(payload)
    if story is not None:
        fields[FOLLOWUP] = story
    if fields and message_id is not None:
        fields[MESSAGE_ID] = message_id
    return fields


class ThreadIndex:
    """Per chat, per story: its :class:`Thread`. In memory; fed by the outbox table.

    It also counts, per story, the chats that have a thread of it: a story no
    chat has one of (the common case: a new story) needs no look-up per chat.
    """

    def __init__(self) -> None:
        self._chats: dict[int, dict[str, Thread]] = {}
        self._chats_of_story: dict[str, int] = {}

    def __len__(self) -> int:
        return sum(len(stories) for stories in self._chats.values())

    def get(self, chat_id: int, story: str) -> Thread | None:
        stories = self._chats.get(chat_id)
        return None if stories is None else stories.get(story)

    def has_story(self, story: str) -> bool:
        """Whether any chat has a thread of ``story`` (planned or notified)."""
        return story in self._chats_of_story

    # --- fed by the outbox ------------------------------------------------------

    def planned(self, chat_id: int, entry_id: str, payload: Mapping[str, Any]) -> None:
        """A pending entry will notify its chat of its ``threads`` (unless one already does)."""
        for story, reports in threads_of(payload):
            if self.get(chat_id, story) is None:
                self._put(chat_id, story, Thread(entry_id, reports))

    def sent(
        self,
        chat_id: int,
        entry_id: str,
        fields: Mapping[str, Any],
        message_id: int | None,
        at: datetime,
    ) -> None:
        """Telegram confirmed an entry (``fields``: its payload, or its marker at load)."""
        for story, reports in threads_of(fields):
            known = self.get(chat_id, story)
            if known is None or not known.notified:
                followed = known.last_followup_at if known is not None else None
                self._put(chat_id, story, Thread(entry_id, reports, message_id, at, followed))
        continued = followup_of(fields)
        if continued is None:
            return
        known = self.get(chat_id, continued)
        if known is None or not known.notified:
            # No push went out for the story (it was refused for good, or this
            # chat never matched its first report): the follow-up starts the thread.
            self._put(chat_id, continued, Thread(entry_id, (), message_id, at, at))
        elif known.last_followup_at is None or known.last_followup_at < at:
            self._put(chat_id, continued, replace(known, last_followup_at=at))

    def dropped(self, chat_id: int, entry_ids: Iterable[str]) -> None:
        """Pending entries given up: the threads they only planned are gone."""
        stories = self._chats.get(chat_id)
        if not stories:
            return
        doomed = set(entry_ids)
        for story, thread in list(stories.items()):
            if not thread.notified and thread.entry in doomed:
                self._remove(chat_id, story)

    def prune(self, before: datetime) -> None:
        """Forget threads notified before ``before`` (their markers are pruned with them)."""
        for chat_id, stories in list(self._chats.items()):
            for story, thread in list(stories.items()):
                if thread.notified_at is not None and thread.notified_at < before:
                    self._remove(chat_id, story)

    def remove_chats(self, chat_ids: Iterable[int]) -> None:
        for chat_id in chat_ids:
            for story in list(self._chats.get(chat_id, ())):
                self._remove(chat_id, story)

    def migrate(self, old_chat: int, new_chat: int, rename: Callable[[str], str]) -> None:
        """Move ``old_chat``'s threads to ``new_chat``; entry ids through ``rename``."""
        moving = dict(self._chats.get(old_chat, {}))
        for story, thread in moving.items():
            self._remove(old_chat, story)
            if self.get(new_chat, story) is None:
                self._put(new_chat, story, replace(thread, entry=rename(thread.entry)))

    # --- internals ----------------------------------------------------------------

    def _put(self, chat_id: int, story: str, thread: Thread) -> None:
        stories = self._chats.setdefault(chat_id, {})
        if story not in stories:
            self._chats_of_story[story] = self._chats_of_story.get(story, 0) + 1
        stories[story] = thread

    def _remove(self, chat_id: int, story: str) -> None:
        stories = self._chats.get(chat_id)
        if stories is None or stories.pop(story, None) is None:
            return
        if not stories:
            del self._chats[chat_id]
        left = self._chats_of_story[story] - 1
        if left:
            self._chats_of_story[story] = left
        else:
            del self._chats_of_story[story]
