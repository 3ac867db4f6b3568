"""Inline search (``@nieuwsbot oekraine``): the answer to one inline query; pure.

A query is resolved like ``/volg`` (:func:`bot.tagging.resolve.resolve`): a
country, a section or a keyword. Its stories come newest first, one result per
story (reports grouped by ``item.story_id``, the newest report shown), and the
message a chosen result sends is exactly a push of that one story. A near miss
or an ambiguous word gives a "Bedoel je …" result first. An empty query gives
the current ``belangrijk`` stories (several outlets carry them; the latest
stories when none is); one too short to resolve while the user is still typing
gives the latest stories. Pages hold :data:`PAGE_SIZE` results; ``next_offset`` is the number of
stories already shown, so pagination needs no server-side state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.important import important_key, is_important_key
from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.core.telegram_text import clip
from bot.deliver.format import format_push
from bot.deliver.match import Matched
from bot.store import Store
from bot.stories.important import DEFAULT_IMPORTANT, ImportantRule, newest_important
from bot.tagging import country
from bot.tagging.resolve import Ambiguous, Rejected, Resolved, Suggestions, resolve
from bot.texts import push as push_texts
from bot.texts import reach as texts

# Telegram allows 50 results per answer; smaller pages answer faster.
PAGE_SIZE = 20
# No pages beyond this many stories: inline search is for what is recent.
MAX_STORIES = 100
# How long Telegram may serve the same answer to anyone typing the same query.
CACHE_TIME_S = 60
# Newest reports looked through for current belangrijk stories (about a day of
# a busy week's news): an empty query is the most common one and must stay fast.
IMPORTANT_SCAN = 1500
# Items fetched per story wanted, before grouping by story (most stories have few reports).
_ITEMS_PER_STORY = 3

# Stored items newest first for a topic (None: all topics), at most ``limit``.
Lookup = Callable[[FollowKey | None, int], Sequence[NewsItem]]


@dataclass(frozen=True, slots=True)
class InlineArticle:
    """One InlineQueryResultArticle, Telegram-free."""

    id: str  # <= 64 bytes, unique within an answer
    title: str  # plain text
    description: str  # plain text
    message_html: str  # what choosing it sends, Telegram HTML
    share_query: str  # the topic a "Deel" button under the sent message searches


@dataclass(frozen=True, slots=True)
class InlinePage:
    articles: tuple[InlineArticle, ...]
    next_offset: str  # "" when this is the last page


def answer_inline(
    query: str,
    offset: str,
    *,
    lookup: Lookup,
    now: datetime,
    tz: ZoneInfo,
    bot_username: str,
    page_size: int = PAGE_SIZE,
) -> InlinePage:
    """The results for one inline query and page."""
    start = _start(offset)
    key, hint = _interpret(query.strip(), bot_username)
    stories = _stories(lookup, key, start + page_size + 1)
    if not stories and key is not None and is_important_key(key):
        key = None  # nothing important right now: the latest stories instead
        stories = _stories(lookup, key, start + page_size + 1)
    page = stories[start : start + page_size]
    # A story found by its topic is shared with that topic; others by their title.
    share = search_word(key) if key is not None and not is_important_key(key) else ""
    articles = [_article(item, now=now, tz=tz, share=share or _title_words(item)) for item in page]
    if hint is not None and start == 0:
        articles.insert(0, hint)
    more = len(stories) > start + page_size and start + page_size < MAX_STORIES
    return InlinePage(tuple(articles), str(start + page_size) if more else "")


def store_lookup(store: Store, important: ImportantRule = DEFAULT_IMPORTANT) -> Lookup:
    """The store's items for a topic; a keyword matches words it starts.

    Inline search runs as the user types: "nederla" must already find
    "Nederland", so keywords use the store's prefix search (one scan) rather
    than the whole-word match of ``/laatste``. ``belangrijk`` gives the newest
    report of each story among the newest ``IMPORTANT_SCAN`` reports that
    reached ``important``.
    """

    def lookup(key: FollowKey | None, limit: int) -> Sequence[NewsItem]:
        if key is None:
            return store.recent(limit=limit)
        if is_important_key(key):
            recent = store.recent(limit=IMPORTANT_SCAN)
            return newest_important(recent, store.story_reports, important, limit)
        if key.kind is FollowKind.SECTION:
            return store.recent(section=key.value, limit=limit)
        if key.kind is FollowKind.COUNTRY:
            return store.recent(country=key.value, limit=limit)
        return store.search(key.value.split(), limit=limit)

    return lookup


def search_word(key: FollowKey) -> str:
    """What to type after ``@bot`` to find a follow again: "oekraine", "sport", "stikstof"."""
    if key.kind is FollowKind.COUNTRY:
        return country(key.value).slug
    if key.kind is FollowKind.KEYWORD:
        return key.label or key.value
    return key.value


def _start(offset: str) -> int:
    try:
        start = int(offset) if offset else 0
    except ValueError:
        return 0
    return min(max(start, 0), MAX_STORIES)


def _interpret(query: str, bot_username: str) -> tuple[FollowKey | None, InlineArticle | None]:
    """The topic to list and an optional "Bedoel je …" result."""
    if not query:
        return important_key(), None
    resolution = resolve(query)
    if isinstance(resolution, Resolved):
        return resolution.key, None
    if isinstance(resolution, Rejected):
        return None, None  # still typing ("o", "de"): the latest stories meanwhile
    if isinstance(resolution, Suggestions):
        meant = [key for key in resolution.options if key.kind is not FollowKind.KEYWORD]
        keyword = next((key for key in resolution.options if key.kind is FollowKind.KEYWORD), None)
        return keyword, _did_you_mean(query, meant, bot_username)
    assert isinstance(resolution, Ambiguous)
    return None, _did_you_mean(query, list(resolution.options), bot_username)


def _did_you_mean(query: str, meant: Sequence[FollowKey], bot_username: str) -> InlineArticle:
    words = [search_word(key) for key in meant]
    labels = [key.label or key.value for key in meant]
    return InlineArticle(
        id=_result_id("hint:" + query),
        title=texts.inline_did_you_mean(labels),
        description=texts.inline_did_you_mean_hint(words, bot_username),
        message_html=texts.inline_how_to_search(bot_username),
        share_query=words[0] if words else "",
    )


def _stories(lookup: Lookup, key: FollowKey | None, wanted: int) -> list[NewsItem]:
    """The newest report of each story, newest story first, at least ``wanted`` if stored."""
    limit = wanted * _ITEMS_PER_STORY
    while True:
        items = lookup(key, limit)
        newest: dict[str, NewsItem] = {}
        for item in items:
            newest.setdefault(item.story_id, item)
        if len(newest) >= wanted or len(items) < limit:
            return list(newest.values())
        limit *= 4


def _article(item: NewsItem, *, now: datetime, tz: ZoneInfo, share: str) -> InlineArticle:
    when = push_texts.format_time(item.published, now=now, tz=tz)
    source_and_time = " · ".join(part for part in (_one_line(item.source), when) if part)
    title = _one_line(item.title) or _one_line(item.link) or push_texts.NO_TITLE
    return InlineArticle(
        id=_result_id(item.story_id),
        title=clip(title, texts.INLINE_TITLE_CHARS),
        description=texts.inline_description(source_and_time, _one_line(item.summary)),
        message_html=format_push([Matched(item, ())], tz=tz, now=now, more_command=None),
        share_query=share,
    )


def _title_words(item: NewsItem, count: int = 4) -> str:
    """A search for a story with no topic: the first words of its title."""
    return " ".join(_one_line(item.title).split()[:count])


def _result_id(key: str) -> str:
    """A short stable id (32 hex characters) whatever the story id looks like."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def _one_line(text: str) -> str:
    return " ".join(text.split())
