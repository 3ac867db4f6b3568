"""Linked Telegram channels: which channel, its @name, and who linked it.

A channel's follows and settings live in its chat record like any group's
(negative id, type ``channel``); this table only adds what a channel needs on
top: the admin whose private chat manages it and hears about it, the @name it
is linked under, and whether that admin was already told the bot lost its
rights there. All links live in one document of ``channels.json`` (a handful
per admin, so a whole-file write per change is cheap).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.store.codec import dt_from_json, dt_to_json
from bot.store.errors import StoreCorruptError
from bot.store.one_doc import OneDocFile

TABLE = "channels"


@dataclass(frozen=True, slots=True)
class ChannelLink:
    """One linked channel. ``linked_by`` is the admin's user id (= their private chat id)."""

    channel_id: int
    username: str
    title: str
    linked_by: int
    linked_at: datetime
    # The admin heard that the bot cannot post there any more (told once).
    loss_told: bool = False


def link_to_doc(link: ChannelLink) -> dict[str, Any]:
    return {
        "username": link.username,
        "title": link.title,
        "linked_by": link.linked_by,
        "linked_at": dt_to_json(link.linked_at),
        "loss_told": link.loss_told,
    }


def link_from_doc(channel_id: int, doc: dict[str, Any]) -> ChannelLink:
    return ChannelLink(
        channel_id=channel_id,
        username=str(doc["username"]),
        title=str(doc.get("title", "")),
        linked_by=int(doc["linked_by"]),
        linked_at=dt_from_json(doc["linked_at"]),
        loss_told=bool(doc.get("loss_told", False)),
    )


class ChannelTable:
    """Channel links by channel id; an unreadable file is set aside (links are re-made)."""

    def __init__(self, path: Path, set_aside: Callable[[Path, str], Path] | None = None) -> None:
        self._file = OneDocFile(path, TABLE, set_aside)
        self._links: dict[int, ChannelLink] = {}

    def load(self) -> None:
        self._links = self._file.load(self._parse)

    def _parse(self, raw: dict[str, Any]) -> dict[int, ChannelLink]:
        try:
            return {int(key): link_from_doc(int(key), value) for key, value in raw.items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreCorruptError(self._file.path, f"bad channel link: {exc!r}") from exc

    def get(self, channel_id: int) -> ChannelLink | None:
        return self._links.get(channel_id)

    def all(self) -> list[ChannelLink]:
        return list(self._links.values())

    def put(self, link: ChannelLink) -> None:
        self._write({**self._links, link.channel_id: link})

    def remove(self, channel_ids: Iterable[int]) -> None:
        doomed = set(channel_ids)
        if doomed & self._links.keys():
            self._write({key: link for key, link in self._links.items() if key not in doomed})

    def _write(self, links: dict[int, ChannelLink]) -> None:
        self._file.write({str(key): link_to_doc(link) for key, link in links.items()})
        self._links = links

    def close(self) -> None:
        self._file.close()
