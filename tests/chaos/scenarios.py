"""The chaos scenarios: one fault each, shared by tests/chaos/test_chaos.py and bench/chaos.py.

Each scenario is ``async run(work_dir) -> str``: it stages its fault against
the real bot (a ``nieuwsbot run`` child process, or for the clock the
production Application in this process), asserts as it goes that the fault
held (the bot kept running or refused clearly, nothing was lost), and returns
a one-line summary of what it saw. It raises ``AssertionError`` when the
fault did not hold and :class:`tests.chaos.harness.Unavailable` when this
machine cannot stage it (no root for a tmpfs).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from tests.chaos.clock_jumps import clock_jumps
from tests.chaos.disk import full_data_dir, read_only_data_dir
from tests.chaos.forged_webhook import forged_webhook_posts
from tests.chaos.hostile import hostile_feeds_while_running
from tests.chaos.kill_follows import KILLS, sigkill_during_follow_writes
from tests.chaos.two_runs import two_processes


@dataclass(frozen=True)
class Scenario:
    slug: str
    fault: str
    run: Callable[[Path], Awaitable[str]]


SCENARIOS = (
    Scenario("read_only", "read-only data dir (after a crash)", read_only_data_dir),
    Scenario("full", "full data dir (2 MiB tmpfs)", full_data_dir),
    Scenario("two_runs", "two processes, one data dir", two_processes),
    Scenario("sigkill", f"SIGKILL during follow writes ×{KILLS}", sigkill_during_follow_writes),
    Scenario("hostile_feeds", "hostile feeds", hostile_feeds_while_running),
    Scenario("clock_jumps", "clock jumps (Clock seam)", clock_jumps),
    Scenario("forged_webhook", "forged webhook POSTs", forged_webhook_posts),
)
