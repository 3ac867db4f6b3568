"""Tell admins when a feed has been failing for hours, once, and once when it recovers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot

from bot.deliver.admin_notice import tell_admins
from bot.ingest.feedstate import FeedState
from bot.texts import admin as texts

log = logging.getLogger(__name__)

# A feed that is down for a few poll cycles is normal on the web; six hours is not.
ALERT_AFTER = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class AlertDecision:
    down: tuple[str, ...] = ()
    recovered: tuple[str, ...] = ()


def decide_alerts(
    states: Mapping[str, FeedState | None],
    alerted: frozenset[str],
    *,
    now: datetime,
    started_at: datetime,
) -> AlertDecision:
    """Which feeds (by name) to report as down or recovered (pure).

    A feed counts as failing since its last success, or since the bot started
    when it never succeeded.
    """
    down, recovered = [], []
    for name, state in states.items():
        if state is None:
            continue
        failing = state.consecutive_errors > 0
        since = state.last_success or started_at
        if failing and now - since >= ALERT_AFTER and name not in alerted:
            down.append(name)
        elif not failing and name in alerted:
            recovered.append(name)
    return AlertDecision(tuple(down), tuple(recovered))


def down_text(name: str, state: FeedState | None, now: datetime) -> str:
    since = state.last_success if state and state.last_success else None
    hours = int((now - since).total_seconds() // 3600) if since else None
    reason = texts.failure_reason(
        state.last_failure if state else None, state.last_error if state else None
    )
    return texts.feed_down(name, hours, reason)


def recovered_text(name: str) -> str:
    return texts.feed_recovered(name)


@dataclass
class FeedAlerts:
    """Remembers which feeds were reported (in memory: a restart may repeat one alert)."""

    alerted: set[str] = field(default_factory=set)

    async def notify(
        self,
        bot: Bot,
        admins: tuple[int, ...],
        states: Mapping[str, FeedState | None],
        *,
        now: datetime,
        started_at: datetime,
    ) -> AlertDecision:
        decision = decide_alerts(states, frozenset(self.alerted), now=now, started_at=started_at)
        for name in decision.down:
            if await tell_admins(bot, admins, down_text(name, states.get(name), now)):
                self.alerted.add(name)
        for name in decision.recovered:
            if await tell_admins(bot, admins, recovered_text(name)):
                self.alerted.discard(name)
        return decision
