"""What "now" means to pruning: the wall clock, unless it runs ahead of the news.

Pruning removes what is older than a retention period, and a wall clock set a
month forward would make everything that old at once: every seen marker goes,
and a story the feeds still list is pushed again. The newest publication time
we stored comes from the outlets' clocks, not ours, so pruning judges ages
against ``min(now, newest publication + slack)``: with a sane clock that is
``now`` (news is minutes old), with a clock far ahead it is the news' own time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Covers feeds that are quiet for a while (a night, a weekend morning) and
# publication times that lag their arrival, so a sane clock is never overruled:
# at most this much of a forward jump is believed.
PRUNE_SLACK = timedelta(days=1)


def prune_reference(
    now: datetime, newest_published: datetime | None, slack: timedelta = PRUNE_SLACK
) -> datetime:
    """The moment retention periods are counted back from (``now`` with no news stored)."""
    if newest_published is None:
        return now
    return min(now, newest_published + slack)
