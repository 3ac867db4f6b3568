"""The push engine: persist planned messages, then drain the outbox within Telegram's limits.

Entries are written to the outbox before anything is sent and marked sent only
after Telegram confirmed, so a crash at any moment loses nothing. When the store
refuses that mark (disk full, read-only), the confirmed ids are kept in memory
and never sent again; broadcasting pauses, the admins are told once, and each
drain retries the write until it succeeds (``bot.deliver.unsaved``). Draining groups
the due entries per chat into one message (several stories coalesce; held quiet
hours arrive as one message; digests are grouped by follow) and sends chats
concurrently, paced by the rate limiter the Application's bot uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.core.clock import Clock
from bot.core.model import FollowKey, NewsItem
from bot.deliver.admin_notice import tell_admins
from bot.deliver.format import (
    default_label,
    format_away_line,
    format_digest,
    format_followup,
    format_push,
    group_by_follow,
    laatste_command,
    to_plain_text,
)
from bot.deliver.marks import SentMarks
from bot.deliver.match import FollowIndex, Matched
from bot.deliver.outcome import Action, classify
from bot.deliver.plan import (
    AWAY,
    DIGEST,
    FOLLOWUP,
    PUSH,
    PlannedEntry,
    key_from_json,
    next_digest,
    prefs_from_settings,
    quiet_until,
)
from bot.deliver.ratelimit import BROADCAST, ShuttingDown
from bot.deliver.share import share_markup
from bot.deliver.stats import DeliveryStats
from bot.deliver.story_plan import FOLLOWUP_GAP
from bot.deliver.unsaved import StoreOutage
from bot.store.outbox import migrated_id
from bot.store.protocol import DeliveryStore
from bot.store.records import ChatSettings, OutboxEntry
from bot.store.threads import Thread, followup_of, threads_of
from bot.texts.admin import STORE_UP_ALERT, store_cause, store_down_alert

log = logging.getLogger(__name__)

# Concurrent sends: enough to keep 25 messages/s flowing when Telegram takes a few
# hundred milliseconds per call; the pacer, not this number, sets the rate. Read
# when a Delivery is created (bench/push.py --workers changes it for an experiment).
SEND_WORKERS = 32
# A network error or 5xx is retried this many times in a row before the entry waits
# in the outbox for a later drain.
INLINE_ATTEMPTS = 3
# Backoff between those attempts, and the base of the wait before a later drain.
RETRY_BASE_S = 1.0
RETRY_LATER_CAP = timedelta(minutes=15)
# A follow-up whose story's push has not gone out yet looks again this much later.
FOLLOWUP_RECHECK = timedelta(minutes=1)
# Held while the chat's quiet hours last (a digest waits for its own time anyway).
HELD_IN_QUIET_HOURS = (PUSH, AWAY, FOLLOWUP)


@dataclass(frozen=True, slots=True)
class DrainReport:
    chats: int = 0
    sent: int = 0
    requeued: int = 0
    deactivated: int = 0


class Delivery:
    """Owns the outbox drain; one per Application."""

    def __init__(
        self,
        *,
        bot: Bot,
        store: DeliveryStore,
        index: FollowIndex,
        clock: Clock,
        tz: Any,
        link_previews: bool = False,
        stats: DeliveryStats | None = None,
        workers: int | None = None,
        admins: tuple[int, ...] = (),
        paid_broadcast: bool = False,
    ) -> None:
        self._bot = bot
        self._store = store
        self._index = index
        self._clock = clock
        self._tz = tz
        self._previews = LinkPreviewOptions(is_disabled=not link_previews)
        self.stats = stats or DeliveryStats()
        self._workers = workers or SEND_WORKERS
        self._admins = admins
        self.outage = StoreOutage()
        # Confirmed sends are recorded in batches (bot/deliver/marks.py).
        self.marks = SentMarks(store.mark_sent_many, self._marks_refused)
        self._drain_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._stopping = False
        self._releases: dict[int, ChatSettings] = {}
        self._held: dict[str, NewsItem] = {}
        # Broadcast sends carry allow_paid_broadcast (Telegram charges Stars);
        # None leaves the parameter out of the request.
        self._paid_flag: bool | None = True if paid_broadcast else None

    @property
    def bot(self) -> Bot:
        return self._bot

    def kick(self) -> None:
        """Start draining in the background; if a drain runs, drain again after it."""
        if self._stopping:
            return
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain_loop())
        else:
            self._again = True

    def release_held(self, chat_id: int, before: ChatSettings) -> None:
        """The chat changed its settings from ``before``: re-time what those settings held.

        Entries held by quiet hours that no longer apply, or for a digest that is
        off or moved, become due (or due at the new digest time) and go out as one
        message. Applied at the start of the next drain, under the drain lock, so
        a drain busy with this chat cannot hold them again afterwards.
        """
        self._releases.setdefault(chat_id, before)  # the oldest settings held them
        self.kick()

    async def _apply_releases(self) -> None:
        while self._releases:
            chat_id, before = self._releases.popitem()
            chat = self._store.get_chat(chat_id)
            if chat is None:
                continue
            now = self._clock()
            old, new = prefs_from_settings(before), prefs_from_settings(chat.settings)
            quiet_end = quiet_until(old, now, self._tz)
            digest_at = next_digest(old, now, self._tz)
            try:
                if old.quiet != new.quiet and quiet_end is not None:
                    await self._store.release_held(chat_id, (PUSH, AWAY), quiet_end, now)
                if old.digest_at != new.digest_at and digest_at is not None:
                    at = next_digest(new, now, self._tz) or quiet_until(new, now, self._tz) or now
                    await self._store.release_held(chat_id, (DIGEST,), digest_at, at)
            except OSError as exc:
                self._releases.setdefault(chat_id, before)  # the next drain tries again
                self.store_refused(exc)
                return

    async def wait_idle(self) -> None:
        """Wait until a background drain started by ``kick`` has finished."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _drain_loop(self) -> None:
        while True:
            self._again = False
            try:
                report = await self.drain()
            except Exception:
                log.exception("Outbox drain failed; pending messages stay for the next tick")
                return
            if report.sent or report.requeued or report.deactivated:
                log.info(
                    "Drained outbox: %d chats, %d sent, %d re-queued, %d deactivated",
                    report.chats,
                    report.sent,
                    report.requeued,
                    report.deactivated,
                )
            if not self._again or self._stopping:
                return

    async def close(self, grace_s: float = 10.0) -> None:
        """Stop taking chats, let in-flight sends finish (bounded), then stop."""
        self._stopping = True
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=grace_s)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.marks.flush()
        if self.outage.unsaved and not await self._recover():
            log.error(
                "%d messages Telegram confirmed could not be recorded as sent; "
                "they will be sent again after a restart",
                len(self.outage.unsaved),
            )

    async def enqueue(
        self,
        planned: Sequence[PlannedEntry],
        *,
        queued_at: datetime | None = None,
        position: int = 0,
    ) -> None:
        """Persist planned entries (idempotent by id) before anything is sent.

        The drain sends the oldest entries first, so entries are stamped in
        their planned order: entry ``i`` was queued ``position + i`` microseconds
        after ``queued_at`` (default now). A broadcast persisted in chunks passes
        one ``queued_at`` and each chunk's position, and goes out in its order.
        """
        if not planned:
            return
        base = queued_at or self._clock()
        await self._store.enqueue(
            [
                OutboxEntry(
                    id=entry.id,
                    chat_id=entry.chat_id,
                    kind=entry.kind,
                    payload=entry.payload,
                    created_at=base + timedelta(microseconds=position + offset),
                    not_before=entry.not_before,
                )
                for offset, entry in enumerate(planned)
            ]
        )

    def hold_stories(self, stories: Sequence[NewsItem]) -> None:
        """Lend the stories a cycle is routing to the sends, until the next cycle's.

        A broadcast's first chunk goes out while the cycle is still persisting
        the rest, so before the cycle stores its stories (it does that last, see
        ``IngestPipeline.run_cycle``); rendering looks here when the store does
        not have a story yet.
        """
        self._held = {story.id: story for story in stories}

    def _story(self, story_id: str) -> NewsItem | None:
        return self._store.get_item(story_id) or self._held.get(story_id)

    async def drain(self) -> DrainReport:
        """Send every due entry, one message per chat and kind; return what happened."""
        async with self._drain_lock:
            if self.outage.down and not await self._recover():
                await self._alert_outage()
                return DrainReport()
            await self._apply_releases()
            due = [
                e
                for e in self._store.pending(self._clock())
                if not self.outage.holds(e.id) and not self.marks.holds(e.id)
            ]
            by_chat: dict[int, list[OutboxEntry]] = defaultdict(list)
            for entry in due:
                by_chat[entry.chat_id].append(entry)
            queue: asyncio.Queue[tuple[int, list[OutboxEntry]]] = asyncio.Queue()
            for item in by_chat.items():
                queue.put_nowait(item)
            totals: dict[str, int] = defaultdict(int)
            workers = [
                asyncio.create_task(self._worker(queue, totals))
                for _ in range(min(self._workers, len(by_chat)))
            ]
            await asyncio.gather(*workers)
            await self.marks.flush()  # what this drain confirmed is durable when it returns
            await self._alert_outage()
            return DrainReport(
                chats=len(by_chat),
                sent=totals["sent"],
                requeued=totals["requeued"],
                deactivated=totals["deactivated"],
            )

    async def _worker(
        self, queue: asyncio.Queue[tuple[int, list[OutboxEntry]]], totals: dict[str, int]
    ) -> None:
        # On SIGTERM the rate limiter withholds sends that have not started
        # (ShuttingDown) until close() stops the workers taking more chats.
        while not queue.empty() and not self._stopping and not self.outage.down:
            chat_id, entries = queue.get_nowait()
            try:
                await self._deliver_chat(chat_id, entries, totals)
            except OSError as exc:
                # The store refused a write (disk full, read-only): nothing was sent
                # for these entries; broadcasting pauses until it writes again.
                self.store_refused(exc)
                totals["requeued"] += len(entries)
            except Exception:
                # One chat's surprise must not stop the broadcast; its entries stay pending.
                log.exception("Delivery to chat %s failed unexpectedly", chat_id)
                totals["requeued"] += len(entries)

    async def _deliver_chat(
        self, chat_id: int, entries: list[OutboxEntry], totals: dict[str, int]
    ) -> None:
        chat = self._store.get_chat(chat_id)
        if chat is None or not chat.active:
            await self._store.drop([e.id for e in entries])
            return
        now = self._clock()
        held_until = quiet_until(prefs_from_settings(chat.settings), now, self._tz)
        if held_until is not None:
            pushes = [e for e in entries if e.kind in HELD_IN_QUIET_HOURS]
            for entry in pushes:
                await self._store.reschedule(entry.id, not_before=held_until)
            entries = [e for e in entries if e.kind not in HELD_IN_QUIET_HOURS]
        labels = {key: key.label for key in chat.follows}
        entries, followups = await self._sort_followups(chat_id, entries, now)
        for kind in (AWAY, PUSH, DIGEST):
            group = [e for e in entries if e.kind == kind]
            if not group or self.outage.down:
                continue
            text = self._render(kind, group, now, labels)
            if text is None:
                await self._store.drop([e.id for e in group])
                continue
            sent_to = await self._send(chat_id, text, group, totals)
            if sent_to != chat_id:
                # Deactivated (0), or migrated: the store rewrote the remaining
                # entries' ids, so the next drain picks them up under the new id.
                if sent_to != 0:
                    self._again = True
                return
        await self._deliver_followups(chat_id, followups, now, totals)

    # --- story follow-ups (silent replies to a story's push) -----------------------

    async def _sort_followups(
        self, chat_id: int, entries: list[OutboxEntry], now: datetime
    ) -> tuple[list[OutboxEntry], list[list[OutboxEntry]]]:
        """Split the chat's due follow-ups from the rest: fold, hold or send.

        A follow-up whose story a push of this drain lists goes into that push
        (it becomes one more report beside the lead, marked sent with it).
        One whose push is still waiting (a retry) looks again a minute later;
        one within 30 minutes of the story's last follow-up waits for those
        30 minutes. The rest are returned per story, one message each.
        """
        followups = [e for e in entries if e.kind == FOLLOWUP]
        if not followups:
            return entries, []
        rest = [e for e in entries if e.kind != FOLLOWUP]
        pushed = {story for e in rest if e.kind == PUSH for story, _ in threads_of(e.payload)}
        folded: list[OutboxEntry] = []
        ready: dict[str, list[OutboxEntry]] = {}
        for entry in followups:
            story = followup_of(entry.payload) or ""
            thread = self._store.thread(chat_id, story)
            if story in pushed:
                folded.append(dataclasses.replace(entry, kind=PUSH))
            elif thread is not None and not thread.notified:
                await self._store.reschedule(entry.id, not_before=now + FOLLOWUP_RECHECK)
            elif thread is not None and _too_soon(thread, now):
                assert thread.last_followup_at is not None
                await self._store.reschedule(
                    entry.id, not_before=thread.last_followup_at + FOLLOWUP_GAP
                )
            else:
                ready.setdefault(story, []).append(entry)
        return rest + folded, list(ready.values())

    async def _deliver_followups(
        self,
        chat_id: int,
        groups: Sequence[Sequence[OutboxEntry]],
        now: datetime,
        totals: dict[str, int],
    ) -> None:
        """One silent reply per story, to the message that notified the chat of it."""
        for group in groups:
            if self.outage.down:
                return
            story = followup_of(group[0].payload) or ""
            reports = self._followup_reports(group)
            if not reports:
                await self._store.drop([e.id for e in group])
                continue
            text = format_followup(reports, tz=self._tz, now=now)
            options = _followup_options(self._store.thread(chat_id, story))
            sent_to = await self._send(chat_id, text, group, totals, options)
            if sent_to != chat_id:
                if sent_to != 0:
                    self._again = True
                return

    def _followup_reports(self, entries: Sequence[OutboxEntry]) -> list[NewsItem]:
        """The stored reports a story's follow-up entries list, oldest first, each once."""
        found: dict[str, NewsItem] = {}
        for entry in entries:
            for row in entry.payload.get("reports", []):
                item = self._story(str(row[0]))
                if item is not None:
                    found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda item: (item.published, item.id))

    def _story_others(self, entries: Sequence[OutboxEntry]) -> dict[str, list[NewsItem]]:
        """Per listed lead report, the story's other reports these entries carry.

        A push lists its story's other reports of the same cycle (``also``);
        a follow-up folded into the push adds its reports to the lead of its story.
        """
        others: dict[str, dict[str, NewsItem]] = {}
        lead_of_story: dict[str, str] = {}
        for entry in entries:
            for lead_id, other_ids in (entry.payload.get("also") or {}).items():
                for other_id in other_ids:
                    item = self._story(str(other_id))
                    if item is not None:
                        others.setdefault(str(lead_id), {})[item.id] = item
            for story, reports in threads_of(entry.payload):
                if reports:
                    lead_of_story.setdefault(story, reports[0])
        for entry in entries:
            lead = lead_of_story.get(followup_of(entry.payload) or "")
            if lead is None:
                continue
            for item in self._followup_reports([entry]):
                if item.id != lead:
                    others.setdefault(lead, {})[item.id] = item
        return {
            lead: sorted(items.values(), key=lambda item: (item.published, item.id))
            for lead, items in others.items()
        }

    def _render(
        self,
        kind: str,
        entries: Sequence[OutboxEntry],
        now: datetime,
        labels: Mapping[FollowKey, str],
    ) -> str | None:
        if kind == AWAY:
            lines = []
            for entry in entries:
                for raw_key, label, count in entry.payload.get("counts", []):
                    key = _own_label(FollowKey.parse(raw_key, label), labels)
                    shown = key.label or key.value
                    lines.append(format_away_line(count, shown, laatste_command(key)))
            return "\n".join(lines) or None
        matched = self._matched(entries, labels)
        if not matched:
            return None
        others = self._story_others(entries)
        if kind == DIGEST:
            matched, others = _one_per_story(matched, others)
            groups = group_by_follow(matched)
            commands = {default_label(m.via[0]): laatste_command(m.via[0]) for m in matched}
            return format_digest(
                groups, tz=self._tz, now=now, more_commands=commands, others=others
            )
        more = sum(int(entry.payload.get("more", 0)) for entry in entries)
        vias = {match.via[0] for match in matched}
        command = laatste_command(next(iter(vias))) if len(vias) == 1 else "/laatste"
        return format_push(
            matched,
            tz=self._tz,
            now=now,
            more_command=command,
            total=len(matched) + more,
            others=others,
        )

    def _matched(
        self, entries: Sequence[OutboxEntry], labels: Mapping[FollowKey, str]
    ) -> list[Matched]:
        """The listed stories of ``entries``, newest first, each story once.

        "via …" uses the labels of this chat's own follows: two chats may spell
        the same keyword differently.
        """
        found: dict[str, Matched] = {}
        for entry in entries:
            for story_id, raw_via in entry.payload.get("stories", []):
                item = self._story(story_id)
                if item is None or story_id in found:
                    continue  # pruned meanwhile, or listed by two coalesced entries
                via = tuple(_own_label(key_from_json(raw), labels) for raw in raw_via)
                found[story_id] = Matched(item, via)
        return sorted(found.values(), key=lambda m: m.item.published, reverse=True)

    async def _send(
        self,
        chat_id: int,
        text: str,
        entries: Sequence[OutboxEntry],
        totals: dict[str, int],
        options: Mapping[str, Any] | None = None,
    ) -> int:
        """Send one message for ``entries``; return the chat id it ended at, 0 if gone.

        ``options`` are extra ``send_message`` arguments (a follow-up's silence
        and reply).
        """
        ids = [e.id for e in entries]
        parse_mode: str | None = ParseMode.HTML
        for attempt in range(1, INLINE_ATTEMPTS + 1):
            sent: Message | None = None
            try:
                sent = await self._bot.send_message(
                    chat_id,
                    text,
                    parse_mode=parse_mode,
                    link_preview_options=self._previews_for(chat_id),
                    allow_paid_broadcast=self._paid_flag,
                    rate_limit_args=BROADCAST,  # type: ignore[call-arg]
                    reply_markup=share_markup(entries, self._story),
                    **(options or {}),
                )
                error: TelegramError | None = None
            except TelegramError as exc:
                error = exc
            except ShuttingDown:
                return chat_id  # still pending: the next run sends it
            outcome = classify(error)
            if outcome.action is Action.SENT:
                self.stats.sent.add()
                totals["sent"] += 1
                await self._record_sent(ids, sent.message_id if sent is not None else None)
                self.stats.pushed(entries, sent_at=self._clock(), lookup=self._story)
                return chat_id
            if outcome.action is Action.RETRY_AFTER:
                # The rate limiter already paused this chat; wait in the outbox, never drop.
                wait = timedelta(seconds=outcome.retry_after or 1)
                await self._requeue(ids, entries, self._clock() + wait)
                totals["requeued"] += len(entries)
                return chat_id
            if outcome.action is Action.MIGRATE and outcome.new_chat_id:
                log.info("Chat %s migrated to %s", chat_id, outcome.new_chat_id)
                await self._store.migrate_chat(chat_id, outcome.new_chat_id)
                self._index.rename_chat(chat_id, outcome.new_chat_id)
                chat_id = outcome.new_chat_id
                ids = [migrated_id(i, entries[0].chat_id, chat_id) for i in ids]
                continue
            if outcome.action is Action.RESEND_PLAIN and parse_mode is not None:
                log.warning("Chat %s rejected our HTML (%s); sending plain text", chat_id, error)
                text, parse_mode = to_plain_text(text), None
                continue
            if outcome.action is Action.HALT:
                log.critical("Telegram refuses our token; broadcasting stops: %s", error)
                self._stopping = True
                return chat_id
            if outcome.action is Action.DEACTIVATE:
                await self._deactivate(chat_id, str(error))
                totals["deactivated"] += 1
                return 0
            if outcome.action is Action.RETRY_LATER and attempt < INLINE_ATTEMPTS:
                await asyncio.sleep(RETRY_BASE_S * 2 ** (attempt - 1))
                continue
            if outcome.action is Action.RETRY_LATER:
                later = min(RETRY_LATER_CAP, timedelta(seconds=30 * 2 ** entries[0].attempts))
                log.warning("Chat %s: %s; retrying in %s", chat_id, error, later)
                await self._requeue(ids, entries, self._clock() + later, count_attempt=True)
                totals["requeued"] += len(entries)
                return chat_id
            log.error("Chat %s: Telegram refused a message for good: %s", chat_id, error)
            self.stats.failed.add()
            await self._store.drop(ids)
            return chat_id
        return chat_id

    def _previews_for(self, chat_id: int) -> LinkPreviewOptions:
        """The chat's own choice (/voorbeeld) if it made one, else the operator's default."""
        chat = self._store.get_chat(chat_id)
        choice = chat.settings.link_previews if chat is not None else None
        return self._previews if choice is None else LinkPreviewOptions(is_disabled=not choice)

    async def _record_sent(self, ids: Sequence[str], message_id: int | None = None) -> None:
        """Mark confirmed sends in the store (batched), or keep them in memory if it refuses.

        ``message_id`` (the message Telegram returned) is kept with entries that
        notify a chat of a story: its follow-ups reply to it.
        """
        self.marks.add(ids, message_id)

    def _marks_refused(self, error: OSError, ids: Sequence[str]) -> None:
        """A batch of marks was refused: hold what is not durable, pause broadcasting."""
        self.store_refused(error, [i for i in ids if not self._store.is_delivered(i)])

    def store_refused(self, error: OSError, unsaved: Sequence[str] = ()) -> None:
        """The store could not write: pause broadcasting; log once per outage.

        ``unsaved`` are entry ids Telegram confirmed that the store could not
        record; they are never sent again by this process.
        """
        if self.outage.failed(error, self._clock(), unsaved):
            log.error(
                "The store cannot write (%s): broadcasting is paused until a write "
                "succeeds; messages Telegram confirmed are kept in memory, not re-sent",
                error,
            )
        else:
            log.debug("The store still cannot write: %s", error)

    async def _recover(self) -> bool:
        """Retry the write the outage stopped; True when the store writes again.

        Confirmed sends are recorded first. With none to record, one due entry is
        rewritten unchanged as the test; with nothing due there is nothing to
        send either, so the outage stands until a drain has something to send.
        """
        saved = 0
        try:
            if self.outage.unsaved:
                ids = sorted(self.outage.unsaved)
                await self._store.mark_sent(ids)
                self.outage.saved(ids)
                saved = len(ids)
            else:
                due = self._store.pending(self._clock(), limit=1)
                if not due:
                    return False
                probe = due[0]
                await self._store.reschedule(probe.id, probe.not_before, probe.attempts)
        except OSError as exc:
            # Ids in shards written before the failure are durable now.
            self.outage.saved([i for i in self.outage.unsaved if self._store.is_delivered(i)])
            self.store_refused(exc)
            return False
        log.warning(
            "The store writes again: %d confirmed messages recorded as sent; broadcasting resumes",
            saved,
        )
        if self.outage.alerted:
            await tell_admins(self._bot, self._admins, STORE_UP_ALERT)
        self.outage.recovered()
        return True

    async def _alert_outage(self) -> None:
        """Tell the admins once per outage (retried each drain until one got it)."""
        error = self.outage.error
        if not self.outage.down or self.outage.alerted or error is None or not self._admins:
            return
        text = store_down_alert(store_cause(error), len(self.outage.unsaved))
        self.outage.alerted = await tell_admins(self._bot, self._admins, text)

    async def _requeue(
        self,
        ids: Sequence[str],
        entries: Sequence[OutboxEntry],
        when: datetime,
        *,
        count_attempt: bool = False,
    ) -> None:
        """Hold ``entries`` (now stored under ``ids``: a migration renames them)."""
        for entry_id, entry in zip(ids, entries, strict=True):
            attempts = entry.attempts + 1 if count_attempt else entry.attempts
            await self._store.reschedule(entry_id, not_before=when, attempts=attempts)

    async def _deactivate(self, chat_id: int, reason: str) -> None:
        log.info("Chat %s is gone (%s); deactivating it", chat_id, reason)
        await self._store.deactivate(chat_id, reason, self._clock())
        self._index.drop_chat(chat_id)


def _too_soon(thread: Thread, now: datetime) -> bool:
    """Whether the story's last follow-up to this chat is less than 30 minutes ago."""
    last = thread.last_followup_at
    return last is not None and now < last + FOLLOWUP_GAP


def _followup_options(thread: Thread | None) -> dict[str, Any]:
    """Silent; a reply to the message that notified the chat, if there is one.

    ``allow_sending_without_reply``: a user may have deleted that message.
    """
    options: dict[str, Any] = {"disable_notification": True}
    if thread is not None and thread.message_id is not None:
        options["reply_parameters"] = ReplyParameters(
            message_id=thread.message_id, allow_sending_without_reply=True
        )
    return options


def _one_per_story(
    matched: Sequence[Matched], others: Mapping[str, Sequence[NewsItem]]
) -> tuple[list[Matched], dict[str, list[NewsItem]]]:
    """A digest lists a story once: its first report, the others beside it."""
    leads: dict[str, Matched] = {}
    rest: dict[str, dict[str, NewsItem]] = {}
    for match in sorted(matched, key=lambda m: (m.item.published, m.item.id)):
        story = match.item.story_id
        lead = leads.get(story)
        if lead is None:
            leads[story] = match
            rest[story] = {item.id: item for item in others.get(match.item.id, ())}
        else:
            rest[story][match.item.id] = match.item
            for item in others.get(match.item.id, ()):
                rest[story][item.id] = item
    kept = sorted(leads.values(), key=lambda m: m.item.published, reverse=True)
    grouped = {
        match.item.id: sorted(
            (item for item in rest[match.item.story_id].values() if item.id != match.item.id),
            key=lambda item: (item.published, item.id),
        )
        for match in kept
    }
    return kept, {lead: items for lead, items in grouped.items() if items}


def _own_label(key: FollowKey, labels: Mapping[FollowKey, str]) -> FollowKey:
    """``key`` with the receiving chat's label for it, when the chat still follows it."""
    label = labels.get(key)
    return FollowKey(key.kind, key.value, label) if label else key
