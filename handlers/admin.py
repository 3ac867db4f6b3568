"""/status: the bot's health for the configured admins; to others an unknown command."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.ops.status import collect_status, status_text
from bot.runtime.services import services
from handlers.channels import channel_status_lines
from handlers.replies import reply
from handlers.unknown import unknown_command


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    if user.id not in svc.config.telegram.admins:
        # Not an admin: the same answer as any command the bot does not know.
        await unknown_command(update, context)
        return
    assert svc.delivery is not None
    channels = await channel_status_lines(context)
    await reply(update, status_text(collect_status(svc, svc.delivery.stats), channels))
