"""Parsing of ``/kanaal`` arguments: a pure function over the text after the command.

``/kanaal`` lists, ``/kanaal @naam`` links, ``/kanaal @naam <actie> <rest>`` manages.
A channel without a public name is named by its numeric id (``-100…``), which the
bot shows for channels linked by a forwarded post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.texts import channels as texts
from handlers.args import ArgError, clean


class ChannelAction(Enum):
    LIST = "list"
    LINK = "link"
    FOLLOW = "volg"
    UNFOLLOW = "ontvolg"
    MINE = "mijn"
    QUIET = "stil"
    STOP = "stop"


# The words after the channel name, with a few spellings people use.
_ACTIONS: dict[str, ChannelAction] = {
    "volg": ChannelAction.FOLLOW,
    "volgen": ChannelAction.FOLLOW,
    "ontvolg": ChannelAction.UNFOLLOW,
    "ontvolgen": ChannelAction.UNFOLLOW,
    "mijn": ChannelAction.MINE,
    "stil": ChannelAction.QUIET,
    "stop": ChannelAction.STOP,
    "koppel": ChannelAction.LINK,
}

# Telegram's rule for public names: 5-32 characters, letters, digits and "_",
# starting with a letter.
_USERNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
_CHANNEL_ID_RE = re.compile(r"-100[0-9]{5,15}")
_LINK_PREFIX_RE = re.compile(r"^(?:https?://)?(?:t|telegram)\.me/", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ChannelCommand:
    """What a ``/kanaal`` asked: ``name`` without "@" ("" for LIST), action, and the rest."""

    action: ChannelAction
    name: str = ""
    rest: str = ""

    @property
    def channel_id(self) -> int | None:
        """The numeric id when the channel was named by id."""
        return int(self.name) if _CHANNEL_ID_RE.fullmatch(self.name) else None

    @property
    def chat_ref(self) -> str | int:
        """What getChat takes: ``@name`` or the numeric id."""
        channel_id = self.channel_id
        return channel_id if channel_id is not None else f"@{self.name}"


def channel_name(typed: str) -> str:
    """``@Naam``, ``naam``, ``t.me/naam`` or ``-100…`` -> the name (or id) alone.

    Raises ``ArgError`` with the Dutch explanation for anything else.
    """
    name = _LINK_PREFIX_RE.sub("", typed.strip()).removeprefix("@").rstrip("/")
    if _USERNAME_RE.fullmatch(name) or _CHANNEL_ID_RE.fullmatch(name):
        return name
    raise ArgError(texts.bad_name(typed))


def parse_channel_command(argument: str) -> ChannelCommand:
    """The argument of ``/kanaal`` (already without the command word)."""
    text = clean(argument)
    if not text:
        return ChannelCommand(ChannelAction.LIST)
    first, _, tail = text.partition(" ")
    name = channel_name(first)
    word, _, rest = tail.strip().partition(" ")
    if not word:
        return ChannelCommand(ChannelAction.LINK, name)
    action = _ACTIONS.get(word.casefold())
    if action is None:
        raise ArgError(texts.unknown_action(name, word))
    return ChannelCommand(action, name, rest.strip())
