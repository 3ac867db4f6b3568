"""A TinyDB file that holds one document, read whole at start-up and written whole.

Small tables whose every change rewrites the file (feed states, channel links)
share this: one atomic write per change, and a file that does not load is
handed to ``set_aside(path, reason)`` and replaced by an empty one, so what it
held is rebuilt (feeds re-learn, channels are relinked) instead of stopping
the bot. Without ``set_aside`` an unreadable file raises
:class:`StoreCorruptError`.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.table import Document

from bot.store.atomic import AtomicJSONStorage
from bot.store.errors import StoreCorruptError

_DOC_ID = 1
T = TypeVar("T")


class OneDocFile:
    """The one document of ``path``'s ``table``."""

    def __init__(
        self, path: Path, table: str, set_aside: Callable[[Path, str], Path] | None = None
    ) -> None:
        self.path = path
        self._table = table
        self._set_aside = set_aside
        self._db = TinyDB(path, storage=AtomicJSONStorage)

    def load(self, parse: Callable[[dict[str, Any]], T]) -> T:
        """``parse`` of the stored body ({} when empty); ``parse`` raises
        :class:`StoreCorruptError` for a body it cannot read."""
        try:
            return parse(self._body())
        except StoreCorruptError as exc:
            if self._set_aside is None:
                raise
            self._db.close()
            self._set_aside(self.path, exc.reason)
            self._db = TinyDB(self.path, storage=AtomicJSONStorage)
            return parse({})

    def _body(self) -> dict[str, Any]:
        doc = self._db.table(self._table).get(doc_id=_DOC_ID)
        return {} if doc is None else dict(doc)

    def write(self, body: dict[str, Any]) -> None:
        """Replace the document with ``body`` (one atomic file write)."""
        table = self._db.table(self._table)
        if table.contains(doc_id=_DOC_ID):

            def replace_body(stored: MutableMapping[str, Any]) -> None:
                stored.clear()
                stored.update(body)

            table.update(replace_body, doc_ids=[_DOC_ID])
        else:
            table.insert(Document(body, doc_id=_DOC_ID))

    def close(self) -> None:
        self._db.close()
