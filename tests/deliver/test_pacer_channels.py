"""Channels share Telegram's group limit: at most 20 posts per rolling minute, per channel.

Channel ids are negative (``-100…``) like supergroups', which is what the pacer
keys its group window on. A burst to two channels and a private chat at once:
each channel keeps its own 20-a-minute window, and the private chat is not held
behind them.
"""

from __future__ import annotations

import asyncio

from bot.deliver.pacer import Pacer
from tests.deliver.test_pacer import VirtualTimeLoop, max_in_window, run, send_all

CHANNEL_A = -1001234567890
CHANNEL_B = -1009876543210
READER = 4242


def test_each_channel_gets_at_most_20_per_minute_under_a_burst() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[list[float], list[float], list[float]]:
        pacer = Pacer(clock=loop.time)
        return await asyncio.gather(
            send_all(pacer, loop, [CHANNEL_A] * 50),
            send_all(pacer, loop, [CHANNEL_B] * 50),
            send_all(pacer, loop, [READER] * 5),
        )

    first, second, private = run(main)
    for times in (first, second):
        assert max_in_window(times, 60.0) == 20
        assert sorted(times)[20] >= 60.0 - 1e-9
        assert max(times) >= 120.0 - 1e-9  # 50 posts need a third minute
    assert max(private) < 10.0
