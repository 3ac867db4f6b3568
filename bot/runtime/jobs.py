"""The scheduled work: poll feeds and push, drain the outbox, keep house.

Each job only composes the stages: the cycle is ``IngestPipeline.run_cycle``
(bot/ingest) handing new stories to ``Router`` (bot/deliver/route.py), then the
push engine's drain and the admins' feed alerts (bot/ops/alerts.py). The poll
job ticks every ``POLL_TICK_S``; a cycle fetches only the feeds whose own
schedule (adaptive polling, bot/ingest/adaptive.py) says they are due.

Each job is short-lived and bounded by timeouts; APScheduler runs them with
``max_instances=1`` and ``coalesce=True`` so a slow cycle delays the next one
instead of piling up, and a generous misfire grace so a late run is not skipped.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.ext import ContextTypes

from bot.ingest.pipeline import feed_states_by_name
from bot.runtime.clockwatch import start_clock_watch
from bot.runtime.services import Services, services
from bot.store import DEACTIVATED_RETENTION, SEEN_RETENTION
from bot.store.retention import prune_reference

log = logging.getLogger(__name__)

# How often the poll cycle looks for due feeds. Each feed keeps its own
# interval (adaptive polling, down to 60 s); a tick with nothing due fetches
# nothing, and a due feed waits at most one tick.
POLL_TICK_S = 10.0
# How often due outbox entries (quiet hours ending, digests, retries) are looked for.
OUTBOX_TICK_S = 20.0
# Housekeeping: prune old items, purge long-deactivated chats, drop old markers.
HOUSEKEEPING_INTERVAL = timedelta(days=1)


def job_kwargs(interval_s: float) -> dict[str, Any]:
    """APScheduler settings that never silently skip a run after a slow one."""
    return {
        "max_instances": 1,
        "coalesce": True,
        "misfire_grace_time": max(30, int(interval_s)),
    }


async def poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_poll_cycle(services(context))


async def run_poll_cycle(svc: Services, *, force: bool = False) -> None:
    """One cycle: fetch and store news; plan and persist pushes; start the broadcast.

    ``force`` fetches every feed, due or not (the console after publishing an item).
    """
    pipeline, delivery, router = svc.pipeline, svc.delivery, svc.router
    assert pipeline is not None
    assert delivery is not None
    assert router is not None
    try:
        report = await pipeline.run_cycle(force=force, on_new_stories=router)
    except OSError as exc:
        # The store refuses writes: nothing of this cycle was kept, so the next
        # one fetches it again. The push engine reports the outage once.
        delivery.store_refused(exc)
        delivery.kick()
        return
    # A tick with nothing due fetched and planned nothing: the last report stands.
    if force or report.outcomes or svc.last_cycle is None:
        svc.last_cycle = report
        delivery.kick()
    if svc.config.telegram.admins:
        await svc.feed_alerts.notify(
            delivery.bot,
            svc.config.telegram.admins,
            feed_states_by_name(svc.config.enabled_feeds, svc.store),
            now=svc.now(),
            started_at=svc.started_at,
        )


async def outbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if svc.delivery is not None:
        svc.delivery.kick()


async def housekeeping_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_housekeeping(services(context))


async def run_housekeeping(svc: Services) -> None:
    """Prune old items and markers, purge long-deactivated chats.

    Ages are judged against the news, not the wall clock alone (see
    ``bot.store.retention``): a clock set a month ahead prunes nothing extra.
    """
    newest = svc.store.recent(limit=1, include_duplicates=True)
    wall = svc.now()
    now = prune_reference(wall, newest[0].published if newest else None)
    if newest and now < wall:
        log.warning(
            "Housekeeping: the clock reads %s but the newest news is from %s; "
            "ages are counted from %s",
            wall.isoformat(timespec="minutes"),
            newest[0].published.isoformat(timespec="minutes"),
            now.isoformat(timespec="minutes"),
        )
    retention = timedelta(days=svc.config.news.retention_days)
    pruned = await svc.store.prune(now, retention=retention, seen_retention=SEEN_RETENTION)
    purged = await svc.store.purge_deactivated(DEACTIVATED_RETENTION, now)
    for chat_id in purged:
        svc.index.drop_chat(chat_id)
    log.info("Housekeeping: %s; purged %d deactivated chats", pruned, len(purged))


def poll_tick_seconds(poll_interval_seconds: float) -> float:
    """The poll job's period: ``POLL_TICK_S``, or a shorter test interval."""
    return min(POLL_TICK_S, float(poll_interval_seconds))


def schedule_jobs(application: Any, svc: Services) -> None:
    """Register the recurring jobs on the Application's JobQueue."""
    queue = application.job_queue
    tick = poll_tick_seconds(svc.config.schedule.poll_interval_seconds)
    # JobQueue cannot start a job "now" (first=0 is ignored by APScheduler); one
    # second after start-up is the first poll.
    queue.run_repeating(
        poll_job, interval=tick, first=1.0, name="poll", job_kwargs=job_kwargs(tick)
    )
    queue.run_repeating(
        outbox_job,
        interval=OUTBOX_TICK_S,
        first=OUTBOX_TICK_S,
        name="outbox",
        job_kwargs=job_kwargs(OUTBOX_TICK_S),
    )
    day = HOUSEKEEPING_INTERVAL.total_seconds()
    queue.run_repeating(
        housekeeping_job, interval=day, first=60.0, name="housekeeping", job_kwargs=job_kwargs(day)
    )
    # The JobQueue runs on the wall clock; this keeps its intervals when the clock is stepped.
    start_clock_watch(application)
