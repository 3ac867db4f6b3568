"""What handlers and jobs share at run time, kept in ``application.bot_data``.

The Application owns one ``Services``; handlers reach it with ``services(context)``.
Everything here is created in ``bot.runtime.app`` and injected, so tests can swap the clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.config import Config
from bot.core.clock import Clock, Monotonic, utc_now
from bot.ops.alerts import FeedAlerts
from bot.stories.important import ImportantRule, important_rule

if TYPE_CHECKING:
    from bot.deliver.engine import Delivery
    from bot.deliver.match import FollowIndex
    from bot.deliver.route import Router
    from bot.ingest.pipeline import CycleReport, IngestPipeline
    from bot.store import Store

SERVICES_KEY = "nieuwsbot.services"


@dataclass
class Services:
    config: Config
    store: Store
    index: FollowIndex
    clock: Clock = utc_now
    started_at: datetime = field(default_factory=utc_now)
    # The poll cycle and the push engine; None where a caller needs neither (tests).
    pipeline: IngestPipeline | None = None
    delivery: Delivery | None = None
    router: Router | None = None
    feed_alerts: FeedAlerts = field(default_factory=FeedAlerts)
    last_cycle: CycleReport | None = None
    # Seconds that never jump: for rate limits and other in-process durations.
    monotonic: Monotonic = time.monotonic

    @property
    def tz(self) -> ZoneInfo:
        return self.config.schedule.tz

    @property
    def important(self) -> ImportantRule:
        """The ``belangrijk`` rule as configured (``news.important_*``)."""
        return important_rule(self.config.news)

    def now(self) -> datetime:
        return self.clock()


def services(context: Any) -> Services:
    """The Services of the running Application, from a handler's or job's context."""
    found = context.application.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context every handler and job receives: ``context.services`` is typed."""

    @property
    def services(self) -> Services:
        return services(self)


CONTEXT_TYPES: ContextTypes[BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any]] = (
    ContextTypes(context=BotContext)
)
