"""Plain data shared by every layer. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Dateline:
    """The wire-copy opener ``WASHINGTON (ANP/RTR) -``: a city and its agencies."""

    city: str
    agencies: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"city": self.city, "agencies": list(self.agencies)}


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One feed entry as parsed, before normalising. HTML still in place."""

    feed: str
    guid: str | None
    link: str | None
    title: str
    html: str
    published: datetime | None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NewsItem:
    """A normalised, tagged news item.

    ``text`` is the plain body without the dateline; ``summary`` the Dutch lead.
    ``duplicate_of`` names the item this one was merged into (the same wire copy
    at another outlet); ``also_at`` lists the other outlets of a merged item.
    ``story`` is the news event the item reports: the id of that story's first
    item, shared by every report of it across outlets (``bot.stories``); None
    only for items stored before stories existed, which are their own story.
    """

    id: str
    feed: str
    source: str
    link: str
    title: str
    summary: str
    text: str
    published: datetime
    dateline: Dateline | None = None
    sections: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    duplicate_of: str | None = None
    also_at: tuple[str, ...] = ()
    first_seen: datetime | None = None
    story: str | None = None

    @property
    def story_id(self) -> str:
        """The story this item belongs to; its own id when it has none recorded."""
        return self.story or self.id


class FollowKind(StrEnum):
    SECTION = "section"
    COUNTRY = "country"
    KEYWORD = "keyword"


@dataclass(frozen=True, slots=True, order=True)
class FollowKey:
    """What a chat follows: a section slug, an ISO country code or a folded keyword.

    Serialised as ``kind:value`` (``country:UA``, ``section:sport``,
    ``keyword:poetin``).
    """

    kind: FollowKind
    value: str
    label: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}"

    @classmethod
    def parse(cls, text: str, label: str = "") -> FollowKey:
        kind, _, value = text.partition(":")
        return cls(FollowKind(kind), value, label)
