"""Tell admins when a feed has been failing for hours, once, and once when it recovers."""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.ingest.feedstate import FeedState
from bot.ops.reasons import reason_nl

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
    hours = f"al {int((now - since).total_seconds() // 3600)} uur" if since else "sinds de start"
    error = (
        html.escape(reason_nl(state.last_error or "onbekende fout")) if state else "onbekende fout"
    )
    return f"⚠️ Feed <b>{html.escape(name)}</b> faalt {hours}.\nLaatste fout: {error}"


def recovered_text(name: str) -> str:
    return f"✅ Feed <b>{html.escape(name)}</b> werkt weer."


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
            if await _tell(bot, admins, down_text(name, states.get(name), now)):
                self.alerted.add(name)
        for name in decision.recovered:
            if await _tell(bot, admins, recovered_text(name)):
                self.alerted.discard(name)
        return decision


async def _tell(bot: Bot, admins: tuple[int, ...], text: str) -> bool:
    """Send to every admin; True when at least one got it (else it is tried next cycle)."""
    delivered = False
    for admin in admins:
        try:
            await bot.send_message(admin, text, parse_mode=ParseMode.HTML)
            delivered = True
        except TelegramError as exc:
            log.warning("Could not alert admin %s: %s", admin, exc)
    return delivered


async def tell_admins(bot: Bot, admins: tuple[int, ...], text: str) -> bool:
    """Send an HTML alert to every admin; True when at least one got it."""
    return await _tell(bot, admins, text)
