"""Per-feed polling state (ETag, Last-Modified, failure counts...) keyed by URL.

The ingest layer owns the content of each state dict; the store only keeps it
durable. All states live in one document of ``feeds.json`` so a poll cycle's
batch is a single atomic write.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot.store.errors import StoreCorruptError
from bot.store.one_doc import OneDocFile

TABLE = "feeds"

# A feed state as stored: the JSON-safe dict of ``FeedState.to_dict`` (bot.ingest).
FeedStateDoc = dict[str, Any]


def _copy(state: Mapping[str, Any]) -> FeedStateDoc:
    # A JSON round trip both deep-copies (callers may keep mutating their dict)
    # and fails early, before any write, on values JSON cannot hold.
    copied = json.loads(json.dumps(state))
    if not isinstance(copied, dict):
        raise TypeError("feed state must be a mapping")
    return copied


class FeedTable:
    """Feed states; ``set_aside(path, reason)`` handles a file that does not load.

    Without ``set_aside`` an unreadable file raises :class:`StoreCorruptError`.
    """

    def __init__(self, path: Path, set_aside: Callable[[Path, str], Path] | None = None) -> None:
        self._file = OneDocFile(path, TABLE, set_aside)
        self._states: dict[str, FeedStateDoc] = {}

    def load(self) -> None:
        self._states = self._file.load(self._parse)

    def _parse(self, states: dict[str, Any]) -> dict[str, FeedStateDoc]:
        if not all(isinstance(state, dict) for state in states.values()):
            raise StoreCorruptError(self._file.path, "feed state is not an object")
        return states

    def get(self, url: str) -> FeedStateDoc | None:
        state = self._states.get(url)
        return None if state is None else _copy(state)

    def urls(self) -> list[str]:
        return list(self._states)

    def put(self, states: Mapping[str, Mapping[str, Any]]) -> None:
        if not states:
            return
        merged = {**self._states, **{url: _copy(state) for url, state in states.items()}}
        self._file.write(merged)
        self._states = merged

    def close(self) -> None:
        self._file.close()
