"""Moving an unreadable file out of the way, kept for inspection, never deleted.

Files the bot can rebuild (item buckets, seen markers, feed state) are moved
aside at start-up and the store starts without them, with a warning: refusing
to start over them would turn one bad file into a restart loop. Chat and
outbox shards are never moved aside here; only ``nieuwsbot store repair``
does that, on the operator's word.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.store.atomic import fsync_directory

log = logging.getLogger(__name__)

CORRUPT_MARK = ".corrupt-"


def aside_path(path: Path, now: datetime) -> Path:
    """``items/2026-10-01T12.json`` -> ``items/2026-10-01T12.json.corrupt-20261001T120500Z``.

    The suffix keeps it out of every glob the store loads; a second file set
    aside in the same second gets ``-2``, ``-3``, ...
    """
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}{CORRUPT_MARK}{stamp}")
    serial = 2
    while target.exists():
        target = path.with_name(f"{path.name}{CORRUPT_MARK}{stamp}-{serial}")
        serial += 1
    return target


def move_aside(path: Path, now: datetime) -> Path:
    """Rename ``path`` to its :func:`aside_path`, durably; returns the new path."""
    target = aside_path(path, now)
    os.replace(path, target)
    fsync_directory(path.parent)
    return target


class Quarantine:
    """Moves an unreadable rebuildable file aside and logs a warning saying so."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock

    def __call__(self, path: Path, reason: str) -> Path:
        target = move_aside(path, self._clock())
        log.warning(
            "%s is unreadable (%s): moved aside to %s; the store starts without it and "
            "rebuilds its contents from the feeds",
            path,
            reason,
            target.name,
        )
        return target
