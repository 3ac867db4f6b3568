"""``nieuwsbot run`` with small broadcast chunks and a pause before each later chunk.

For tests/e2e/test_push_chunk_crash.py: the production process, except that a
broadcast is persisted in chunks of FIRST_CHUNK then CHUNK chats and every
outbox write after the first waits PAUSE_S first (a slow disk, seen from the
event loop: the writer thread stays free, so confirmed sends are marked as
usual). The test kills the process inside such a pause, between two chunks.

Usage: python tests/e2e/chunked_bot.py run --config CONFIG
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Sequence

from bot.cli.main import main
from bot.deliver.route import Router
from bot.runtime import app
from bot.store import OutboxEntry, Store

FIRST_CHUNK = 4
CHUNK = 8
PAUSE_S = 3.0

_real_enqueue = Store.enqueue
_enqueues = 0


async def _paused_enqueue(self: Store, entries: Sequence[OutboxEntry]) -> list[OutboxEntry]:
    global _enqueues
    _enqueues += 1
    if _enqueues > 1:
        await asyncio.sleep(PAUSE_S)
    return await _real_enqueue(self, entries)


Store.enqueue = _paused_enqueue  # type: ignore[method-assign]
app.Router = functools.partial(Router, first_chunk=FIRST_CHUNK, chunk=CHUNK)  # type: ignore[attr-defined, assignment]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
