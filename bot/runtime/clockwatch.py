"""Keep the JobQueue's intervals on elapsed time when the wall clock is stepped.

APScheduler (under python-telegram-bot's JobQueue) schedules repeating jobs in
wall-clock time: after the clock is set back an hour, every job (feed polling,
the outbox tick, housekeeping) waits an hour for the clock to catch up; after a
step forward, all of them fire at once. ``ClockWatch`` compares the wall clock
with the monotonic clock every few seconds, on the event loop's own (monotonic)
timer, and shifts each job's next run by the step, so the intervals hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.core.clock import Monotonic

log = logging.getLogger(__name__)

# How often the clocks are compared; a step is corrected within this time.
CHECK_PERIOD_S = 2.0
# Differences below this are scheduling noise (a busy loop, a slewing NTP).
STEP_TOLERANCE_S = 5.0

_TASK_KEY = "nieuwsbot.clockwatch"


class ClockWatch:
    def __init__(
        self,
        scheduler: Any,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Monotonic = time.monotonic,
        tolerance_s: float = STEP_TOLERANCE_S,
    ) -> None:
        self._scheduler = scheduler
        self._wall = wall
        self._monotonic = monotonic
        self._tolerance = tolerance_s
        self._last = (wall(), monotonic())

    def check(self) -> float:
        """Compare both clocks since the last check; on a step, shift the jobs by it.

        Returns the step in seconds (0.0 when there was none).
        """
        wall, elapsed = self._wall(), self._monotonic()
        last_wall, last_elapsed = self._last
        self._last = (wall, elapsed)
        step = (wall - last_wall) - (elapsed - last_elapsed)
        if abs(step) < self._tolerance:
            return 0.0
        shift = timedelta(seconds=step)
        for job in self._scheduler.get_jobs():
            if job.next_run_time is not None:
                job.modify(next_run_time=job.next_run_time + shift)
        log.warning(
            "The wall clock was stepped by %+.0f s; scheduled jobs keep their intervals", step
        )
        return step

    async def run(self, period_s: float = CHECK_PERIOD_S) -> None:
        while True:
            await asyncio.sleep(period_s)
            try:
                self.check()
            except Exception:
                log.exception("Could not correct the job schedule for a clock step")


def start_clock_watch(application: Any) -> None:
    """Watch the clocks for the Application's JobQueue until ``stop_clock_watch``."""
    watch = ClockWatch(application.job_queue.scheduler)
    application.bot_data[_TASK_KEY] = asyncio.get_running_loop().create_task(watch.run())


async def stop_clock_watch(application: Any) -> None:
    task = application.bot_data.pop(_TASK_KEY, None)
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
