"""Wires every chat handler into the Application; ``bot.runtime.app`` calls :func:`register`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Bot, BotCommand, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.texts import chat as texts
from handlers.admin import status
from handlers.callbacks import on_button
from handlers.channels import (
    CHANNEL_FORWARD,
    channel_command,
    on_channel_post,
    on_forwarded_post,
    on_my_chat_member,
)
from handlers.follow import follow, my_follows, unfollow
from handlers.guards import GUARDS_KEY, Guards, rate_limit
from handlers.inline import on_inline_query
from handlers.latest import latest, search
from handlers.membership import on_migrate, reactivate_if_back
from handlers.settings import digest, link_previews, quiet_hours, stop, updates
from handlers.start import help_command, list_topics, plain_text, start
from handlers.unknown import unknown_command

log = logging.getLogger(__name__)

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]

COMMANDS: tuple[tuple[tuple[str, ...], Callback], ...] = (
    (("start",), start),
    (("help", "hulp"), help_command),
    (("onderwerpen",), list_topics),
    (("volg",), follow),
    (("ontvolg",), unfollow),
    (("mijn",), my_follows),
    (("laatste",), latest),
    (("zoek",), search),
    (("stil",), quiet_hours),
    (("samenvatting",), digest),
    (("voorbeeld",), link_previews),
    (("updates",), updates),
    (("stop",), stop),
    (("kanaal",), channel_command),
)

# Run before every other handler (lower groups go first; one handler per group):
# follow a group's upgrade, bring a returning chat back, then the rate limit.
_MIGRATE_GROUP = -3
_REVIVE_GROUP = -2
_GUARD_GROUP = -1


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every chat handler (and the per-chat rate limit in front of them)."""
    application.bot_data[GUARDS_KEY] = Guards()
    application.add_handler(
        MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate), group=_MIGRATE_GROUP
    )
    application.add_handler(TypeHandler(Update, reactivate_if_back), group=_REVIVE_GROUP)
    application.add_handler(TypeHandler(Update, _limit_rate), group=_GUARD_GROUP)
    # Only new messages: an edited "/volg" must not follow a second time.
    fresh = filters.UpdateType.MESSAGE
    for names, callback in COMMANDS:
        application.add_handler(CommandHandler(names, callback, filters=fresh))
    # Admin-only and left out of the menu: others get the usual unknown-command answer.
    application.add_handler(CommandHandler("status", status, filters=fresh))
    # A client that sends "/volg x" without the bot_command entity Telegram adds
    # (some Bot API emulators do) still reaches the command.
    application.add_handler(
        MessageHandler(fresh & filters.Regex(r"^/[A-Za-z]") & ~filters.COMMAND, _bare_command)
    )
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline_query))
    # Linked channels: the bot's rights there, and posts in them (commands refused).
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POST, on_channel_post))
    # A post forwarded from a channel into the private chat links that channel.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & fresh & CHANNEL_FORWARD, on_forwarded_post)
    )
    # A command no handler took: "unknown, did you mean …" (in groups only when
    # addressed to us).
    application.add_handler(MessageHandler(fresh & filters.COMMAND, unknown_command))
    # Anything else in a private chat (plain text) gets a pointer to /help.
    # Groups stay quiet: there we only see commands meant for someone.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & fresh & filters.TEXT, plain_text)
    )


async def setup_bot_commands(bot: Bot) -> None:
    """The command menu with Dutch descriptions, for Dutch clients and as default."""
    commands = [BotCommand(command, description) for command, description in texts.COMMANDS]
    try:
        await bot.set_my_commands(commands)
        await bot.set_my_commands(commands, language_code="nl")
    except TelegramError as error:
        # The menu is a convenience: a Bot API server that refuses it must not
        # keep the bot from starting.
        log.warning("Could not set the command menu: %s", error)


_CALLBACKS: dict[str, Callback] = {
    name: callback for names, callback in (*COMMANDS, (("status",), status)) for name in names
}


async def _bare_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Dispatch a command that arrived without its entity, as Telegram would have."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    name, _, addressee = message.text.split(maxsplit=1)[0][1:].partition("@")
    if addressee and addressee.casefold() != context.bot.username.casefold():
        return  # meant for another bot in the group
    callback = _CALLBACKS.get(name.casefold())
    if callback is not None:
        await callback(update, context)
    else:
        await unknown_command(update, context)


async def _limit_rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if _counts(update, context.bot.username) and not await rate_limit(update, context):
        raise ApplicationHandlerStop


def _counts(update: Update, bot_username: str) -> bool:
    """Button presses and commands to us count; in private chats every message does."""
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None or message.text is None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    command = message.text.split(maxsplit=1)[0] if message.text.startswith("/") else ""
    _, at, addressee = command.partition("@")
    return bool(command) and (not at or addressee.casefold() == bot_username.casefold())
