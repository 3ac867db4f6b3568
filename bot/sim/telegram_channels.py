"""Channel pieces of the fake Bot API: the bot's rights there and member answers.

Telegram channels differ from groups where the bot is concerned: the bot can
only post as an administrator with ``can_post_messages``; members are
"subscribers" counted by getChatMemberCount; posts arrive as ``channel_post``
updates with ``sender_chat`` instead of ``from``; and a change of the bot's own
rights arrives as ``my_chat_member``.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from bot.sim.telegram_errors import ApiError, bad_request

JsonDict = dict[str, Any]

# The bot's standing in a channel (what my_chat_member reports).
BOT_ADMIN = "administrator"
BOT_MEMBER = "member"  # in the channel without admin rights: cannot post
BOT_LEFT = "left"
BOT_KICKED = "kicked"

# What an administrator may do, in groups and channels alike (getChatMember).
COMMON_ADMIN_RIGHTS: JsonDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}
_CHANNEL_ADMIN_RIGHTS: JsonDict = {**COMMON_ADMIN_RIGHTS, "can_edit_messages": True}


@dataclass(slots=True)
class BotStanding:
    """The bot's membership in one channel."""

    status: str = BOT_LEFT
    can_post: bool = False

    @property
    def may_post(self) -> bool:
        return self.status == BOT_ADMIN and self.can_post


def member_json(user: JsonDict, status: str, *, can_post: bool = True) -> JsonDict:
    """A ChatMember object as the Bot API returns it for a channel."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == BOT_ADMIN:
        return {
            "status": BOT_ADMIN,
            "user": user,
            **_CHANNEL_ADMIN_RIGHTS,
            "can_post_messages": can_post,
        }
    if status == BOT_KICKED:
        return {"status": BOT_KICKED, "user": user, "until_date": 0}
    return {"status": status, "user": user}


def standing_json(bot_user: JsonDict, standing: BotStanding) -> JsonDict:
    return member_json(bot_user, standing.status, can_post=standing.can_post)


def refuse_post(standing: BotStanding) -> ApiError | None:
    """What Telegram answers a sendMessage to a channel the bot may not post in."""
    if standing.may_post:
        return None
    if standing.status in (BOT_LEFT, BOT_KICKED):
        return ApiError(HTTPStatus.FORBIDDEN, "Forbidden: bot is not a member of the channel chat")
    return bad_request("need administrator rights in the channel chat")


def my_chat_member_update(
    chat: JsonDict,
    by_user: JsonDict,
    old: JsonDict,
    new: JsonDict,
    date: int,
) -> JsonDict:
    return {
        "my_chat_member": {
            "chat": dict(chat),
            "from": dict(by_user),
            "date": date,
            "old_chat_member": old,
            "new_chat_member": new,
        }
    }
