"""/laatste and /zoek: recent items from the store, one numbered message."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.core.telegram_text import TELEGRAM_MESSAGE_LIMIT, utf16_len
from bot.deliver.format import format_item_list, laatste_command
from bot.runtime.services import Services, services
from bot.store import DEFAULT_SETTINGS
from bot.texts import chat as texts
from handlers import topics
from handlers.args import ArgError, Term, command_argument, parse_latest
from handlers.replies import message_text, reply

SEARCH_RESULTS = 10


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    try:
        args = parse_latest(command_argument(message_text(update)))
    except ArgError as error:
        await reply(update, str(error))
        return
    outcome = topics.interpret(Term(args.topic)) if args.topic else None
    key = _topic_key(outcome, args.topic) if args.topic else None
    items = _recent(svc, key, args.count)
    label = texts.label_of(key) if key is not None else None
    if not items:
        answer = texts.no_news(label, svc.config.news.retention_days)
        if isinstance(outcome, topics.Choice):
            # A near miss ("oekrane") found nothing as a keyword: offer what was meant.
            meant = [k for k in outcome.options if k.kind is not FollowKind.KEYWORD]
            answer += texts.latest_did_you_mean([laatste_command(k) for k in meant])
        await reply(update, answer)
        return
    header = texts.latest_header(label)
    footer = texts.latest_clamped(args.count) if args.clamped else ""
    await reply(update, _compose(svc, update, header, items, footer))


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    try:
        query = command_argument(message_text(update))
    except ArgError as error:
        await reply(update, str(error))
        return
    if not any(ch.isalnum() for ch in query):
        await reply(update, texts.SEARCH_EMPTY)
        return
    items = svc.store.search(query.split(), limit=SEARCH_RESULTS)
    if not items:
        await reply(update, texts.search_nothing(query, svc.config.news.retention_days))
        return
    await reply(update, _compose(svc, update, texts.search_header(query), items, ""))


def _topic_key(outcome: topics.Outcome | None, topic: str) -> FollowKey:
    """What ``/laatste <topic>`` is about; anything unknown is searched as a keyword."""
    if isinstance(outcome, topics.Resolved):
        return outcome.key
    return topics.keyword_key(topic)


def _recent(svc: Services, key: FollowKey | None, count: int) -> list[NewsItem]:
    if key is None:
        return svc.store.recent(limit=count)
    if key.kind is FollowKind.SECTION:
        return svc.store.recent(section=key.value, limit=count)
    if key.kind is FollowKind.COUNTRY:
        return svc.store.recent(country=key.value, limit=count)
    return svc.store.recent(keyword=key.value, limit=count)


def _compose(
    svc: Services, update: Update, header: str, items: Sequence[NewsItem], footer: str
) -> str:
    """Header, numbered list and footer; fewer items if the whole would exceed 4096."""
    chat = update.effective_chat
    record = svc.store.get_chat(chat.id) if chat is not None else None
    settings = record.settings if record is not None else DEFAULT_SETTINGS
    now = svc.now()

    def render(subset: Sequence[NewsItem]) -> str:
        body = format_item_list(
            list(subset), tz=svc.tz, now=now, with_summary=settings.summaries, numbered=True
        )
        return "\n\n".join(part for part in (header, body, footer) if part)

    return _largest_fitting(items, render)


def _largest_fitting(items: Sequence[NewsItem], render: Callable[[Sequence[NewsItem]], str]) -> str:
    count = len(items)
    text = render(items)
    while utf16_len(text) > TELEGRAM_MESSAGE_LIMIT and count > 1:
        count -= 1
        text = render(items[:count])
    return text
