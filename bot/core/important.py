"""The ``belangrijk`` follow: stories many outlets carry (see ``bot.stories.important``).

It is a follow key of the section kind that no item is ever tagged with: the
tagger never assigns it; the poll cycle routes important stories to the chats
that follow it. Its label ("Belangrijk nieuws") is Dutch and lives in
``bot.texts.topics``; callers that show the key pass it in.
"""

from __future__ import annotations

from bot.core.model import FollowKey, FollowKind

IMPORTANT_SLUG = "belangrijk"


def important_key(label: str = "") -> FollowKey:
    """The follow key of ``belangrijk`` (keys compare without their label)."""
    return FollowKey(FollowKind.SECTION, IMPORTANT_SLUG, label)


def is_important_key(key: FollowKey) -> bool:
    return key == important_key()
