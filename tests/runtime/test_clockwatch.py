"""A stepped wall clock must not freeze (or fire) the JobQueue's repeating jobs.

APScheduler schedules in wall-clock time; ``ClockWatch`` shifts every job's next
run by a step it sees between the wall clock and the monotonic clock. Tested on
a real APScheduler scheduler, with both clocks injected.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime.clockwatch import ClockWatch


class Clocks:
    def __init__(self) -> None:
        self.wall = 1_790_000_000.0
        self.elapsed = 500.0

    def pass_(self, seconds: float) -> None:
        self.wall += seconds
        self.elapsed += seconds


async def tick() -> None:
    """A job that is never run here: the tests read the schedule only."""


async def test_a_clock_set_back_an_hour_moves_every_job_back_an_hour() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    poll = scheduler.add_job(tick, "interval", seconds=60, id="poll")
    outbox = scheduler.add_job(tick, "interval", seconds=20, id="outbox")
    scheduler.start()
    try:
        clocks = Clocks()
        watch = ClockWatch(scheduler, wall=lambda: clocks.wall, monotonic=lambda: clocks.elapsed)
        before = {job.id: job.next_run_time for job in (poll, outbox)}
        clocks.pass_(2.0)
        clocks.wall -= 3600  # NTP or an operator sets the clock back
        assert watch.check() == -3600
        after = {job.id: scheduler.get_job(job.id).next_run_time for job in (poll, outbox)}
        assert after == {key: at - timedelta(hours=1) for key, at in before.items()}

        # Scheduling noise is left alone.
        clocks.pass_(2.0)
        clocks.wall += 1.5
        assert watch.check() == 0.0
        assert scheduler.get_job("poll").next_run_time == after["poll"]
    finally:
        scheduler.shutdown(wait=False)


async def test_a_clock_set_forward_does_not_fire_the_jobs_at_once() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    job = scheduler.add_job(tick, "interval", days=1, id="housekeeping")
    scheduler.start()
    try:
        clocks = Clocks()
        watch = ClockWatch(scheduler, wall=lambda: clocks.wall, monotonic=lambda: clocks.elapsed)
        before = job.next_run_time
        clocks.wall += 30 * 86400
        assert watch.check() == 30 * 86400
        assert scheduler.get_job("housekeeping").next_run_time == before + timedelta(days=30)
    finally:
        scheduler.shutdown(wait=False)
