"""Builds the python-telegram-bot Application: handlers, jobs and lifecycle."""

from __future__ import annotations

import logging

from telegram.ext import Application, ApplicationBuilder, CommandHandler

from bot.config import Config
from handlers.errors import on_error
from handlers.start import start

log = logging.getLogger(__name__)

# Bot API calls other than getUpdates: a slow Telegram must not hang a handler.
_REQUEST_TIMEOUT_S = 15.0
# Long polling: how long one getUpdates call may wait for news from Telegram.
POLL_TIMEOUT_S = 30


def build_application(config: Config) -> Application:  # type: ignore[type-arg]
    """The Application as ``nieuwsbot run`` starts it."""
    application = (
        ApplicationBuilder()
        .token(config.require_token())
        .base_url(config.telegram.base_url)
        .base_file_url(_file_url(config.telegram.base_url))
        .connect_timeout(5.0)
        .read_timeout(_REQUEST_TIMEOUT_S)
        .write_timeout(_REQUEST_TIMEOUT_S)
        .get_updates_read_timeout(POLL_TIMEOUT_S + 10)
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_error_handler(on_error)
    return application


def _file_url(base_url: str) -> str:
    """``…/bot`` → ``…/file/bot``, the file endpoint beside the API prefix."""
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url
