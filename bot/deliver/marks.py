"""Recording confirmed sends as delivered, in batches (group commit).

Marking one message sent is one durable store write (a manifest write and an
outbox shard write, each fsynced): a few milliseconds on the store's single
writer thread. At 25 messages a second that is affordable per message; at the
1,000 a second of paid broadcasts it is not, and a send worker that waits for
its own mark before taking the next chat caps the broadcast at the writer's
speed (measured: 112 messages/s).

``SentMarks`` takes the confirmed ids (with the message id Telegram returned,
which story threads keep) and returns at once; one background task writes
whatever has gathered in one ``mark_sent_many`` call (the store announces all
its shards in one manifest write), then the next batch. Until an id is durable,
``holds`` says so, and the push engine does not send that entry again; a drain
ends with ``flush`` so everything it confirmed is durable when it returns.

A refused write (disk full) hands the batch to the engine's outage handling,
which keeps the ids in memory so they are never sent again by this process.
The price: a crash loses the marks of the batch being written, so those
messages are sent again after a restart. That is the documented at-least-once
window (a send Telegram accepted but the store did not record yet), only as
long as one batch write rather than one message's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

log = logging.getLogger(__name__)

# Entry id -> the message id it went out as (None: not known).
WriteMarks = Callable[[Mapping[str, int | None]], Awaitable[object]]
OnRefused = Callable[[OSError, Sequence[str]], None]


class SentMarks:
    """Confirmed sends on their way to the store, written a batch at a time."""

    def __init__(self, write: WriteMarks, on_refused: OnRefused) -> None:
        self._write = write
        self._on_refused = on_refused
        self._waiting: dict[str, int | None] = {}
        self._held: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0  # writes done, for tests and logs

    def add(self, ids: Iterable[str], message_id: int | None = None) -> None:
        """Record these as sent (soon), as ``message_id``; they count as sent from now on."""
        fresh = [entry_id for entry_id in ids if entry_id not in self._held]
        if not fresh:
            return
        self._waiting.update(dict.fromkeys(fresh, message_id))
        self._held.update(fresh)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def holds(self, entry_id: str) -> bool:
        """True while ``entry_id`` was confirmed but its mark is not durable yet."""
        return entry_id in self._held

    @property
    def unwritten(self) -> int:
        return len(self._held)

    async def flush(self) -> None:
        """Wait until every id added so far was written (or handed on as refused)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            try:
                await self._write(batch)
            except OSError as exc:
                self._on_refused(exc, list(batch))
            except Exception:
                # Not a refusal we understand: the entries stay pending in the
                # store and a later drain sends them again (at least once).
                log.exception("Recording %d sent messages failed", len(batch))
            finally:
                self.batches += 1
                self._held.difference_update(batch)
