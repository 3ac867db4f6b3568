"""Short HTML notices to the configured admins (feed failures, a store that cannot write).

In the delivery stage because the outbox engine itself must warn when the store
refuses writes; ``bot.ops.alerts`` uses the same path for feed alerts.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

log = logging.getLogger(__name__)


async def tell_admins(bot: Bot, admins: tuple[int, ...], text: str) -> bool:
    """Send to every admin; True when at least one got it (else the caller tries again)."""
    delivered = False
    for admin in admins:
        try:
            await bot.send_message(admin, text, parse_mode=ParseMode.HTML)
            delivered = True
        except TelegramError as exc:
            log.warning("Could not alert admin %s: %s", admin, exc)
    return delivered
