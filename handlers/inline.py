"""Inline mode: ``@nieuwsbot oekraine`` in any chat lists the latest stories."""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.deliver.inline import CACHE_TIME_S, InlineArticle, answer_inline, store_lookup
from bot.runtime.services import services
from bot.texts import reach as texts

log = logging.getLogger(__name__)


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    svc = services(context)
    page = answer_inline(
        query.query,
        query.offset,
        lookup=store_lookup(svc.store, svc.important),
        now=svc.now(),
        tz=svc.tz,
        bot_username=context.bot.username,
    )
    try:
        await query.answer(
            [_result(article) for article in page.articles],
            cache_time=CACHE_TIME_S,
            is_personal=False,
            next_offset=page.next_offset,
        )
    except BadRequest as error:
        # An answer after Telegram's deadline ("query is too old") helps no one.
        log.info("Inline answer refused: %s", error)


def share_markup(share_query: str) -> InlineKeyboardMarkup | None:
    """The small "Deel" button under a push: opens inline search for the story's topic."""
    if not share_query:
        return None
    button = InlineKeyboardButton(texts.SHARE_BUTTON, switch_inline_query=share_query)
    return InlineKeyboardMarkup([[button]])


def _result(article: InlineArticle) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=article.id,
        title=article.title,
        description=article.description,
        input_message_content=InputTextMessageContent(
            article.message_html,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=share_markup(article.share_query),
    )
