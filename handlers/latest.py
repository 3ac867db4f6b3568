"""/laatste and /zoek: recent stories from the store, one numbered message.

A story (one news event, however many outlets report it) is one entry: its
newest report, with the story's other reports linked beside it ("ook bij:
NRC · AD · ND"). ``/laatste belangrijk`` lists the stories that reached the
``belangrijk`` rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.important import is_important_key
from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.core.telegram_text import TELEGRAM_MESSAGE_LIMIT, utf16_len
from bot.deliver.format import format_item_list, laatste_command
from bot.runtime.services import Services, services
from bot.store import DEFAULT_SETTINGS
from bot.stories.important import newest_important
from bot.texts import chat as texts
from handlers import topics
from handlers.args import ArgError, Term, command_argument, parse_latest
from handlers.replies import message_text, reply

SEARCH_RESULTS = 10
# Reports looked at to find enough stories: doubled from ``count`` up to this many.
MAX_REPORTS_SCANNED = 2000


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    try:
        args = parse_latest(command_argument(message_text(update)))
    except ArgError as error:
        await reply(update, str(error))
        return
    outcome = topics.interpret(Term(args.topic)) if args.topic else None
    key = _topic_key(outcome, args.topic) if args.topic else None
    if key is not None and is_important_key(key):
        items = _important(svc, args.count)
    else:
        items = _stories(lambda limit: _recent(svc, key, limit), args.count)
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
    words = query.split()
    items = _stories(lambda limit: svc.store.search(words, limit=limit), SEARCH_RESULTS)
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


def _stories(find: Callable[[int], list[NewsItem]], count: int) -> list[NewsItem]:
    """The newest report of each of the ``count`` newest stories ``find`` reaches.

    ``find(limit)`` gives reports newest first; the limit doubles until it
    yields ``count`` stories or runs out.
    """
    limit = count * 3
    while True:
        reports = find(limit)
        leads = _one_per_story(reports, count)
        if len(leads) >= count or len(reports) < limit or limit >= MAX_REPORTS_SCANNED:
            return leads
        limit = min(limit * 2, MAX_REPORTS_SCANNED)


def _one_per_story(reports: Iterable[NewsItem], count: int) -> list[NewsItem]:
    seen: set[str] = set()
    leads: list[NewsItem] = []
    for report in reports:
        if report.story_id in seen:
            continue
        seen.add(report.story_id)
        leads.append(report)
        if len(leads) == count:
            break
    return leads


def _important(svc: Services, count: int) -> list[NewsItem]:
    """The newest stories that reached the belangrijk rule, by their newest report."""
    return newest_important(
        svc.store.recent(limit=None), svc.store.story_reports, svc.important, count
    )


def _others(svc: Services, leads: Sequence[NewsItem]) -> dict[str, list[NewsItem]]:
    """Per listed report, the other stored reports of its story (wire copies included)."""
    others: dict[str, list[NewsItem]] = {}
    for lead in leads:
        rest = [r for r in svc.store.story_reports(lead.story_id) if r.id != lead.id]
        if rest:
            others[lead.id] = rest
    return others


def _compose(
    svc: Services, update: Update, header: str, items: Sequence[NewsItem], footer: str
) -> str:
    """Header, numbered list and footer; fewer items if the whole would exceed 4096."""
    chat = update.effective_chat
    record = svc.store.get_chat(chat.id) if chat is not None else None
    settings = record.settings if record is not None else DEFAULT_SETTINGS
    now = svc.now()
    others = _others(svc, items)

    def render(subset: Sequence[NewsItem]) -> str:
        body = format_item_list(
            list(subset),
            tz=svc.tz,
            now=now,
            with_summary=settings.summaries,
            numbered=True,
            others=others,
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
