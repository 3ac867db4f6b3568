"""The one lifecycle of the bot: ``async with running(config, clock) as bot: ...``.

``nieuwsbot run``, the console, every test harness and every benchmark start
and stop the production Application through here, in the order PTB's
``run_polling`` uses: initialize, post_init, start, updates (long polling or
the webhook server); then stop taking updates, stop (clears ``running`` first,
so broadcasts stop starting), post_stop (the push engine finishes in-flight
sends), shutdown, post_shutdown (the store closes last).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import Config
from bot.core.clock import Clock, Monotonic, utc_now
from bot.runtime.app import ALLOWED_UPDATES, POLL_TIMEOUT_S, AnyApplication, build_application
from bot.runtime.services import SERVICES_KEY, Services

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunningBot:
    """A started Application and the Services its post_init created."""

    application: AnyApplication
    services: Services


@contextlib.asynccontextmanager
async def running(
    config: Config,
    clock: Clock = utc_now,
    *,
    monotonic: Monotonic = time.monotonic,
    schedule: bool = True,
    poll_timeout: int = POLL_TIMEOUT_S,
) -> AsyncIterator[RunningBot]:
    """Start the bot as configured and stop it in order when the block ends.

    ``schedule=False`` leaves the JobQueue empty (tests drive cycles by hand);
    ``poll_timeout`` is getUpdates' long-poll wait (tests use 1 s so that
    stopping is quick). A webhook is served when ``telegram.webhook_url`` is set.
    """
    application = build_application(config, clock=clock, monotonic=monotonic, schedule=schedule)
    async with application:
        assert application.post_init is not None
        assert application.post_stop is not None
        assert application.post_shutdown is not None
        try:
            await application.post_init(application)
            await application.start()
            await _start_updates(application, config, poll_timeout)
            try:
                yield RunningBot(application, application.bot_data[SERVICES_KEY])
            finally:
                updater = application.updater
                assert updater is not None
                if updater.running:
                    await updater.stop()
                if application.running:
                    await application.stop()
                await application.post_stop(application)
        finally:
            await application.post_shutdown(application)


async def _start_updates(application: AnyApplication, config: Config, poll_timeout: int) -> None:
    updater = application.updater
    assert updater is not None
    telegram = config.telegram
    if telegram.webhook_url:
        await updater.start_webhook(
            listen=telegram.webhook_listen,
            port=telegram.webhook_port,
            url_path=urlsplit(telegram.webhook_url).path.lstrip("/"),
            webhook_url=telegram.webhook_url,
            secret_token=telegram.webhook_secret or None,
            drop_pending_updates=False,
            allowed_updates=list(ALLOWED_UPDATES),
        )
    else:
        await updater.start_polling(
            poll_interval=0.0,
            timeout=poll_timeout,
            drop_pending_updates=False,
            allowed_updates=list(ALLOWED_UPDATES),
        )


def serve(config: Config, clock: Clock = utc_now) -> None:
    """``nieuwsbot run``: run until SIGINT or SIGTERM, then stop in order."""
    asyncio.run(_serve_until_signalled(config, clock))


async def _serve_until_signalled(config: Config, clock: Clock) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running(config, clock):
            await stop.wait()
            log.info("Stop signal received; finishing in-flight work")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
