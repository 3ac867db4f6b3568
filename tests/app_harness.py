"""The production Application on loopback, for end-to-end tests.

``running_app`` starts it through the one lifecycle (``bot.runtime.lifecycle.running``)
without the JobQueue, so a test reaches the Services in between: run a poll
cycle, drain the outbox, move the clock.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import (
    Config,
    FeedConfig,
    PushConfig,
    ScheduleConfig,
    StorageConfig,
    TelegramConfig,
)
from bot.core.clock import ManualClock
from bot.runtime.jobs import run_poll_cycle
from bot.runtime.lifecycle import running
from bot.runtime.services import Services
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram

# Thursday 1 October 2026, 15:00 in Amsterdam.
NOW = datetime(2026, 10, 1, 13, 0, tzinfo=UTC)

__all__ = ["NOW", "RunningApp", "is_push", "make_config", "rss_item", "running_app"]

EMPTY_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{title}</title><link>https://example.nl</link>
<description>test feed</description>
{items}
</channel></rss>
"""


def rss_item(guid: str, title: str, description: str, published: datetime, link: str = "") -> str:
    """One RSS <item> as Dutch outlets publish them."""
    stamp = published.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return (
        f"<item><title><![CDATA[{title}]]></title><link>{link or guid}</link>"
        f'<guid isPermaLink="false">{guid}</guid><pubDate>{stamp}</pubDate>'
        f"<description><![CDATA[{description}]]></description></item>"
    )


@dataclass
class RunningApp:
    application: Any
    services: Services
    clock: ManualClock
    fake: FakeTelegram
    feeds: FeedServer

    async def cycle(self) -> None:
        """One poll cycle (all feeds due) and a full drain of the outbox."""
        self.clock.advance(timedelta(minutes=10))
        await run_poll_cycle(self.services)
        await self.drain()

    async def drain(self) -> None:
        delivery = self.services.delivery
        assert delivery is not None
        # The cycle kicked a background drain; wait for it, then drain what is due now.
        await delivery.wait_idle()
        await delivery.drain()

    def pushes(self, chat_id: int) -> list[str]:
        """Texts of the news messages (not command replies) the chat received."""
        return [m["text"] for m in self.fake.sent_messages(chat_id) if is_push(m["text"])]


def is_push(text: str) -> bool:
    """Pushes name what matched ("via …"), or are lists, digests or away lines."""
    digest = "Je dagelijkse nieuwsoverzicht" in text.split("\n", 1)[0]
    return digest or "via " in text or text.startswith(("📰", "Terwijl je weg was"))


def make_config(
    fake: FakeTelegram,
    feeds: FeedServer,
    data: Path,
    feed_paths: dict[str, tuple[str, tuple[str, ...]]],
    **push: Any,
) -> Config:
    """A config pointing at the loopback servers; feed_paths: path -> (outlet, sections)."""
    return Config(
        telegram=TelegramConfig(token=fake.token, base_url=fake.base_url, admins=(9001,)),
        storage=StorageConfig(path=str(data)),
        schedule=ScheduleConfig(poll_interval_seconds=60),
        push=PushConfig(**push),
        feeds=tuple(
            FeedConfig(
                name=f"{outlet} {path.strip('/')}",
                source=outlet,
                url=feeds.url(path),
                sections=sections,
            )
            for path, (outlet, sections) in feed_paths.items()
        ),
    )


@contextlib.asynccontextmanager
async def running_app(
    config: Config, fake: FakeTelegram, feeds: FeedServer, clock: ManualClock
) -> AsyncIterator[RunningApp]:
    async with running(
        config, clock, monotonic=clock.monotonic, schedule=False, poll_timeout=1
    ) as bot:
        yield RunningApp(bot.application, bot.services, clock, fake, feeds)


def serve_feed(feeds: FeedServer, path: str, title: str, items: list[str]) -> None:
    body = EMPTY_FEED.format(title=title, items="\n".join(items))
    feeds.serve(path, body.encode("utf-8"), "application/rss+xml; charset=utf-8")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
