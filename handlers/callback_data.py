"""The compact callback-data codec of inline buttons.

Telegram returns callback data verbatim from the client, so it is untrusted
input: ``decode`` accepts only the exact shapes ``encode_*`` produce and
returns ``None`` for anything else. These are payloads: before sending, each
gets a token (:mod:`handlers.button_tokens`) that binds it to the chat and the
time, and every encoding leaves room for it within Telegram's 64 bytes.

Shapes::

    t:s:sport      toggle a follow from the start keyboard (s/c/k = kind)
    f:c:UA         follow a suggestion
    u:k:poetin     unfollow from the /ontvolg keyboard
    u#3f9a0c21d4   unfollow a keyword too long to spell out, by digest
    ua:y / ua:n    confirm or cancel "/ontvolg alles"
    stop:y/stop:n  confirm or cancel /stop
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.core.model import FollowKey, FollowKind
from bot.core.telegram_text import CALLBACK_DATA_LIMIT_BYTES
from bot.core.text import fold
from handlers.button_tokens import TOKEN_BYTES

# A payload leaves room for its token.
MAX_PAYLOAD_BYTES = CALLBACK_DATA_LIMIT_BYTES - TOKEN_BYTES

_KIND_CODES = {FollowKind.SECTION: "s", FollowKind.COUNTRY: "c", FollowKind.KEYWORD: "k"}
_CODE_KINDS = {code: kind for kind, code in _KIND_CODES.items()}
_SECTION_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")
_COUNTRY_RE = re.compile(r"[A-Z]{2,3}")
_DIGEST_RE = re.compile(r"[0-9a-f]{10}")
_DIGEST_CHARS = 10


class FollowAction(StrEnum):
    TOGGLE = "t"
    FOLLOW = "f"
    UNFOLLOW = "u"


class Confirmation(StrEnum):
    UNFOLLOW_ALL = "ua"
    STOP = "stop"


_CONFIRMATIONS = frozenset(item.value for item in Confirmation)
_FOLLOW_ACTIONS = frozenset(item.value for item in FollowAction)


@dataclass(frozen=True, slots=True)
class FollowPress:
    action: FollowAction
    key: FollowKey


@dataclass(frozen=True, slots=True)
class UnfollowDigestPress:
    """An unfollow button for a key identified by :func:`key_digest`."""

    digest: str


@dataclass(frozen=True, slots=True)
class ConfirmPress:
    what: Confirmation
    yes: bool


Press = FollowPress | UnfollowDigestPress | ConfirmPress


def key_digest(key: FollowKey) -> str:
    """A short stable digest of a follow key, for keys too long to put in a button."""
    return hashlib.sha256(str(key).encode("utf-8")).hexdigest()[:_DIGEST_CHARS]


def encode_follow(action: FollowAction, key: FollowKey) -> str | None:
    """``t:s:sport``; ``None`` when the key does not fit beside its token in 64 bytes."""
    data = f"{action.value}:{_KIND_CODES[key.kind]}:{key.value}"
    return data if _fits(data) else None


def encode_unfollow(key: FollowKey) -> str:
    """An unfollow button always fits: long keywords go by digest."""
    return encode_follow(FollowAction.UNFOLLOW, key) or f"u#{key_digest(key)}"


def encode_confirm(what: Confirmation, yes: bool) -> str:
    return f"{what.value}:{'y' if yes else 'n'}"


def decode(data: str | None) -> Press | None:
    """The press encoded in ``data``, or ``None`` if it is not one we made."""
    if not data or not _fits(data):
        return None
    if data.startswith("u#"):
        digest = data[2:]
        return UnfollowDigestPress(digest) if _DIGEST_RE.fullmatch(digest) else None
    head, _, rest = data.partition(":")
    if head in _CONFIRMATIONS:
        if rest not in ("y", "n"):
            return None
        return ConfirmPress(Confirmation(head), rest == "y")
    if head not in _FOLLOW_ACTIONS:
        return None
    code, _, value = rest.partition(":")
    kind = _CODE_KINDS.get(code)
    if kind is None or not _valid_value(kind, value):
        return None
    return FollowPress(FollowAction(head), FollowKey(kind, value))


def _valid_value(kind: FollowKind, value: str) -> bool:
    if kind is FollowKind.SECTION:
        return _SECTION_RE.fullmatch(value) is not None
    if kind is FollowKind.COUNTRY:
        return _COUNTRY_RE.fullmatch(value) is not None
    # Keywords are stored folded; anything else was not produced by us.
    return bool(value) and fold(value) == value


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_PAYLOAD_BYTES
