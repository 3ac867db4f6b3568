"""Builds the python-telegram-bot Application: handlers, jobs and service wiring.

``build_application`` is what ``bot.runtime.lifecycle.running`` starts for
``nieuwsbot run``, the console, the tests and the benchmarks. Services that
need the event loop — the store's writer thread, the HTTP client for feeds,
the push engine — are created in ``post_init`` and closed in
``post_stop``/``post_shutdown``, so SIGINT/SIGTERM flush everything in order:
stop taking updates, finish in-flight sends, close the store.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot import __version__
from bot.config import Config
from bot.core.clock import Clock, Monotonic, utc_now
from bot.core.model import FollowKey
from bot.deliver.engine import Delivery
from bot.deliver.match import FollowIndex
from bot.deliver.pacer import Pacer
from bot.deliver.ratelimit import PacedRateLimiter
from bot.deliver.route import Router
from bot.deliver.stats import DeliveryStats
from bot.ingest.adaptive import AdaptivePolicy
from bot.ingest.fetch import make_fetcher
from bot.ingest.pipeline import IngestPipeline
from bot.runtime.clockwatch import stop_clock_watch
from bot.runtime.jobs import schedule_jobs
from bot.runtime.services import CONTEXT_TYPES, SERVICES_KEY, Services
from bot.store import Store
from bot.stories.important import important_rule
from handlers.errors import on_error
from handlers.registry import register, setup_bot_commands

log = logging.getLogger(__name__)

# Bot API calls other than getUpdates: a slow Telegram must not hang a handler.
_REQUEST_TIMEOUT_S = 15.0
# Long polling: how long one getUpdates call may wait for news from Telegram.
POLL_TIMEOUT_S = 30
# The update types the bot asks Telegram for, named explicitly: Telegram keeps
# the last list it was given, so leaving it out would keep an old narrower one.
# channel_post and my_chat_member serve linked channels (handlers.channels).
ALLOWED_UPDATES: tuple[str, ...] = (
    "message",
    "edited_message",
    "callback_query",
    "inline_query",
    "channel_post",
    "my_chat_member",
)
# Concurrent Bot API connections: the push engine's workers plus command replies.
_CONNECTION_POOL = 64

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    config: Config,
    *,
    clock: Clock = utc_now,
    monotonic: Monotonic = time.monotonic,
    schedule: bool = True,
) -> AnyApplication:
    """The Application as ``nieuwsbot run`` starts it.

    ``schedule=False`` leaves the JobQueue empty (tests drive cycles by hand).
    """
    stats = DeliveryStats()
    pacer = Pacer(global_rate=config.push.messages_per_second, paid=config.push.paid_broadcast)
    limiter = PacedRateLimiter(pacer, stats)
    application = (
        ApplicationBuilder()
        .token(config.require_token())
        .base_url(config.telegram.base_url)
        .base_file_url(_file_url(config.telegram.base_url))
        .connect_timeout(5.0)
        .read_timeout(_REQUEST_TIMEOUT_S)
        .write_timeout(_REQUEST_TIMEOUT_S)
        .pool_timeout(_REQUEST_TIMEOUT_S)
        .connection_pool_size(_CONNECTION_POOL)
        .get_updates_read_timeout(POLL_TIMEOUT_S + 10)
        .rate_limiter(limiter)
        .concurrent_updates(True)
        .context_types(CONTEXT_TYPES)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    # PTB clears `running` first thing on SIGTERM: broadcasts stop starting then.
    limiter.accepting = lambda: application.running
    application.bot_data["nieuwsbot.boot"] = _Boot(config, clock, stats, schedule, monotonic)
    register(application)
    application.add_error_handler(on_error)
    return application


class _Boot:
    """What ``post_init`` needs to create the Services."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        stats: DeliveryStats,
        schedule: bool,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self.config = config
        self.clock = clock
        self.stats = stats
        self.schedule = schedule
        self.monotonic = monotonic
        self.http: Any = None


async def _post_init(application: AnyApplication) -> None:
    boot: _Boot = application.bot_data["nieuwsbot.boot"]
    config = boot.config
    store = await Store.open(Path(config.storage.path), clock=boot.clock)
    index = FollowIndex()
    for chat in store.iter_chats():
        index.set_follows(chat.chat_id, chat.follows)
    store.on_follows_changed(_index_updater(index))
    delivery = Delivery(
        bot=application.bot,
        store=store,
        index=index,
        clock=boot.clock,
        tz=config.schedule.tz,
        link_previews=config.push.link_previews,
        stats=boot.stats,
        admins=config.telegram.admins,
        paid_broadcast=config.push.paid_broadcast,
    )
    boot.http, fetcher = make_fetcher(config.fetch, boot.clock)
    pipeline = IngestPipeline(
        feeds=config.enabled_feeds,
        fetcher=fetcher,
        store=store,
        clock=boot.clock,
        interval=timedelta(seconds=config.schedule.poll_interval_seconds),
        summary_max_chars=config.news.summary_max_chars,
        rng=random.Random(),
        policy=AdaptivePolicy.from_config(config.schedule),
        important=important_rule(config.news),
    )
    pipeline.seed_stories()
    router = Router(
        index=index,
        store=store,
        delivery=delivery,
        clock=boot.clock,
        tz=config.schedule.tz,
        max_age=timedelta(hours=config.push.max_age_hours),
        shard_count=store.shard_count,
    )
    svc = Services(
        config=config,
        store=store,
        index=index,
        clock=boot.clock,
        started_at=boot.clock(),
        pipeline=pipeline,
        delivery=delivery,
        router=router,
        monotonic=boot.monotonic,
    )
    application.bot_data[SERVICES_KEY] = svc
    await setup_bot_commands(application.bot)
    if boot.schedule:
        schedule_jobs(application, svc)
    log.info(
        "nieuwsbot %s ready as @%s: %d chats, %d feeds, data in %s",
        __version__,
        application.bot.username,
        len(index),
        len(config.enabled_feeds),
        config.storage.path,
    )


def _index_updater(index: FollowIndex) -> Any:
    def update(chat_id: int, added: tuple[FollowKey, ...], removed: tuple[FollowKey, ...]) -> None:
        index.remove(chat_id, removed)
        index.add(chat_id, added)

    return update


async def _post_stop(application: AnyApplication) -> None:
    await stop_clock_watch(application)
    svc = application.bot_data.get(SERVICES_KEY)
    if isinstance(svc, Services) and svc.delivery is not None:
        await svc.delivery.close()


async def _post_shutdown(application: AnyApplication) -> None:
    boot: _Boot = application.bot_data["nieuwsbot.boot"]
    if boot.http is not None:
        await boot.http.aclose()
    svc = application.bot_data.get(SERVICES_KEY)
    if isinstance(svc, Services):
        if svc.pipeline is not None:
            await asyncio.to_thread(svc.pipeline.close)
        await svc.store.close()
        log.info("Store closed")


def _file_url(base_url: str) -> str:
    """``…/bot`` → ``…/file/bot``, the file endpoint beside the API prefix."""
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url
