"""``nieuwsbot check --online``: can the bot reach Telegram and every feed right now?

One getMe against the configured Bot API and one unconditional fetch per enabled
feed, printed as a table. Nothing is written: the feed state stored under
``storage.path`` is only read (as JSON, without opening the Store, so the check
can run beside a live bot) to show how often and when the bot would poll each
feed next: the feed's stored publishing model and error streak, the server's
hints in this response, no jitter.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot import __version__
from bot.config import Config, FeedConfig
from bot.core.clock import Clock, utc_now
from bot.core.redact import redact
from bot.core.telegram_text import clip
from bot.ingest.adaptive import AdaptivePolicy
from bot.ingest.decide import next_state_after_fetch
from bot.ingest.errors import FeedError
from bot.ingest.feedstate import FeedState
from bot.ingest.fetch import FeedFetcher, FetchResult, make_client
from bot.ingest.parse import parse_feed
from bot.store.feeds import TABLE as FEEDS_TABLE
from bot.store.layout import FEEDS_FILE

EXIT_OK = 0
EXIT_FAILURE = 1

# Errors longer than this are cut in the table; the full text is in the log.
ERROR_COLUMN_CHARS = 60
_HEADERS = ("feed", "status", "items", "last error", "interval", "next check")


@dataclass(frozen=True, slots=True)
class BotCheck:
    """The getMe outcome: the bot's username, or why the Bot API could not be used."""

    base_url: str
    username: str | None = None
    error: str | None = None
    # getMe's supports_inline_queries: None when getMe failed.
    inline: bool | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class FeedCheck:
    """One feed's fetch-and-parse outcome, how often and when the bot would poll it next."""

    name: str
    items: int | None = None
    error: str | None = None
    next_check: datetime | None = None
    interval: timedelta | None = None  # from this check to next_check

    @property
    def ok(self) -> bool:
        return self.error is None


async def online_check(config: Config, *, out: TextIO, clock: Clock = utc_now) -> int:
    """Check the Bot API and every enabled feed; print a report to ``out``.

    Returns 0 when getMe works and every feed gave a parseable feed, else 1.
    Raises ConfigError when no token is configured. The token is never printed.
    """
    token = config.require_token()
    bot = await check_bot(token, config.telegram.base_url)
    stored = read_stored_feed_states(Path(config.storage.path))
    feeds = await check_feeds(config, stored=stored, now=clock())
    out.write(format_report(bot, feeds, tz=config.schedule.tz, disabled=_disabled(config)))
    out.write("\n")
    return EXIT_OK if bot.ok and all(feed.ok for feed in feeds) else EXIT_FAILURE


async def check_bot(token: str, base_url: str) -> BotCheck:
    """getMe through python-telegram-bot, as ``nieuwsbot run`` would call it."""
    shown_url = redact(base_url, (token,))
    try:
        async with Bot(token, base_url=base_url) as bot:
            return BotCheck(
                shown_url, username=bot.username, inline=bool(bot.bot.supports_inline_queries)
            )
    except InvalidToken as exc:
        # PTB re-raises with the token in the message; the server's own reason
        # ("Unauthorized", "Not Found") is on the original exception.
        reason = str(exc.__cause__ or "rejected")
        return BotCheck(
            shown_url,
            error=(
                f"the Bot API refused the token ({redact(reason, (token,))}): check "
                "TELEGRAM_BOT_TOKEN and telegram.base_url"
            ),
        )
    except TelegramError as exc:
        return BotCheck(shown_url, error=redact(str(exc), (token,)) or type(exc).__name__)


async def check_feeds(
    config: Config, *, stored: Mapping[str, FeedState], now: datetime
) -> list[FeedCheck]:
    """Fetch and parse every enabled feed once, concurrently within the configured caps."""
    feeds = config.enabled_feeds
    if not feeds:
        return []
    async with make_client(f"nieuwsbot/{__version__}", config.fetch.contact_url) as client:
        fetcher = FeedFetcher(
            client,
            max_bytes=config.fetch.max_bytes,
            deadline_s=config.fetch.timeout_seconds,
            global_concurrency=config.fetch.concurrency,
            now=lambda: now,
        )
        # Unconditional GETs: a 304 would say nothing about how many items parse.
        results = await fetcher.fetch_many([FeedState(url=feed.url) for feed in feeds])
    policy = AdaptivePolicy.from_config(config.schedule)
    return [
        feed_check(feed, result, stored.get(feed.url), now=now, policy=policy)
        for feed, result in zip(feeds, results, strict=True)
    ]


def feed_check(
    feed: FeedConfig,
    result: FetchResult,
    stored: FeedState | None,
    *,
    now: datetime,
    policy: AdaptivePolicy,
) -> FeedCheck:
    """Judge one fetch result (pure apart from feedparser)."""
    items: int | None = None
    error = result.error if result.status == "error" else None
    if error is None:
        if result.body is None:
            error = f"no body (HTTP {result.http_status})"
        else:
            try:
                items = len(parse_feed(result.body, feed=feed.name, headers=result.headers).entries)
            except FeedError as exc:
                error = exc.failure.english
    judged = result if error is None else _as_error(result, error)
    # The stored state carries the error streak and the publishing model, so the
    # backoff or adaptive interval shown is the one the running bot would apply
    # after this result. Only looking, it teaches the model nothing.
    base = stored or FeedState(url=feed.url)
    after = next_state_after_fetch(base, judged, now=now, policy=policy, rng=_NO_JITTER)
    interval = None if after.next_check is None else after.next_check - now
    return FeedCheck(
        feed.name, items=items, error=error, next_check=after.next_check, interval=interval
    )


def _as_error(result: FetchResult, error: str) -> FetchResult:
    return FetchResult(url=result.url, status="error", error=error, retry_after=result.retry_after)


class _MidpointRandom(random.Random):
    """Jitter of zero: the table shows the planned delay, not one random draw."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2


_NO_JITTER = _MidpointRandom()


def read_stored_feed_states(data_dir: Path) -> dict[str, FeedState]:
    """Feed states from ``feeds.json`` of a data directory, by URL; empty when unreadable.

    Read as plain JSON (the store replaces the file atomically, so a read never
    sees half a write) instead of opening the Store, which would take over the
    directory and could migrate it.
    """
    try:
        raw = json.loads((data_dir / FEEDS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    documents = raw.get(FEEDS_TABLE) if isinstance(raw, dict) else None
    if not isinstance(documents, dict):
        return {}
    states: dict[str, FeedState] = {}
    for document in documents.values():
        if not isinstance(document, dict):
            continue
        for url, state in document.items():
            try:
                states[url] = FeedState.from_dict(state)
            except (ValueError, TypeError, AttributeError):
                continue  # a bad record only costs its own row's backoff detail
    return states


def inline_line(supported: bool, username: str) -> str:
    """Whether inline search (``@bot oekraine``) works, and how to switch it on."""
    if supported:
        return "Inline mode: on"
    return (
        "Inline mode: off (a warning, not a failure) - switch it on with @BotFather: "
        f"/setinline, choose @{username}, send a placeholder such as 'land, rubriek of woord'"
    )


def format_report(
    bot: BotCheck, feeds: Sequence[FeedCheck], *, tz: ZoneInfo, disabled: int = 0
) -> str:
    """The printed report: a Bot API line, a feed summary and an aligned table (pure)."""
    if bot.ok:
        lines = [f"Telegram Bot API {bot.base_url}: ok, bot @{bot.username}"]
        if bot.inline is not None:
            lines.append(inline_line(bot.inline, bot.username or "?"))
    else:
        lines = [f"Telegram Bot API {bot.base_url}: FAIL - {bot.error}"]
    ok = sum(1 for feed in feeds if feed.ok)
    summary = f"Feeds: {ok} of {len(feeds)} ok"
    if disabled:
        summary += f" ({disabled} disabled, not checked)"
    lines.append(summary)
    if feeds:
        lines.append("")
        lines.extend(_table([_row(feed, tz) for feed in feeds]))
    return "\n".join(lines)


def _row(feed: FeedCheck, tz: ZoneInfo) -> tuple[str, ...]:
    return (
        feed.name,
        "ok" if feed.ok else "FAIL",
        "-" if feed.items is None else str(feed.items),
        clip(" ".join((feed.error or "-").split()), ERROR_COLUMN_CHARS),
        "-" if feed.interval is None else span_text(feed.interval),
        feed.next_check.astimezone(tz).strftime("%Y-%m-%d %H:%M") if feed.next_check else "-",
    )


def span_text(span: timedelta) -> str:
    """``45s``, ``4m``, ``4m30s``, ``1h``, ``1h30m``: an interval, to the second."""
    seconds = max(0, round(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (seconds, "s")]
    return "".join(f"{value}{unit}" for value, unit in parts if value) or "0s"


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(_HEADERS, *rows, strict=True)]
    # Counts read best right-aligned; everything else left.
    numeric = {_HEADERS.index("items")}

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        return "  ".join(padded).rstrip()

    return [line(_HEADERS), line(["-" * width for width in widths]), *map(line, rows)]


def _disabled(config: Config) -> int:
    return len(config.feeds) - len(config.enabled_feeds)
