"""The parse worker process: same results as in-process, bounded time and memory, no leaks.

The slow document is the loose-parser worst case found for issue 11 without any
DTD: one element with thousands of attributes followed by an undefined entity.
feedparser needs about 14 s for these 260 KB (quadratic; 4 MB would take hours).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ingest.errors import NotAFeedError
from bot.ingest.guard import UnsafeFeedError
from bot.ingest.parse import parse_feed
from bot.ingest.parse_worker import ParseWorker, worker_memory
from tests.paths import FIXTURES

NOS = (FIXTURES / "feeds" / "nos_nieuwsalgemeen_2026-10-01.xml").read_bytes()


def slow_feed() -> bytes:
    attributes = " ".join(f"a{n}='1'" for n in range(26_000))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>x</title><description><b {attributes}/>&nbsp;</description></item>"
        "</channel></rss>"
    ).encode()


def big_feed() -> bytes:
    """One 4 MB entry: feedparser holds several copies of its text."""
    text = "Oekraïne meldt aanval op Kyiv. " * 130_000
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>Lang</title><description>{text}</description></item></channel></rss>"
    ).encode()


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie nobody reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture
def worker() -> Iterator[ParseWorker]:
    with ParseWorker(time_budget_s=1.5) as started:
        yield started


def test_the_worker_parses_exactly_as_in_process(worker: ParseWorker) -> None:
    headers = {"content-type": "application/rss+xml; charset=utf-8"}
    in_worker = worker.call("nos", parse_feed, NOS, feed="nos", headers=headers)
    assert in_worker == parse_feed(NOS, feed="nos", headers=headers)
    assert worker.pid is not None
    assert worker.pid != os.getpid()


def test_feed_errors_come_back_as_raised(worker: ParseWorker) -> None:
    page = b"<html><body>Cookiemuur</body></html>"
    with pytest.raises(NotAFeedError) as raised:
        worker.call("wall", parse_feed, page, feed="wall", headers={"content-type": "text/html"})
    assert str(raised.value).startswith("wall: not a feed")


def test_a_parse_over_the_time_budget_is_stopped_and_the_worker_replaced(
    worker: ParseWorker,
) -> None:
    worker.call("nos", parse_feed, NOS, feed="nos")
    first_pid = worker.pid
    assert first_pid is not None
    started = time.monotonic()
    with pytest.raises(UnsafeFeedError) as refused:
        worker.call("traag", parse_feed, slow_feed(), feed="traag")
    elapsed = time.monotonic() - started
    assert str(refused.value) == "traag: refused: parsing took longer than 1.5 s"
    assert elapsed < 1.5 + 3.0
    assert not alive(first_pid)
    # The next feed gets a fresh worker.
    assert worker.call("nos", parse_feed, NOS, feed="nos").entries
    assert worker.pid not in (None, first_pid)


def test_a_parse_over_the_memory_budget_is_refused_and_the_worker_replaced() -> None:
    with ParseWorker(memory_budget_bytes=16 * 1024 * 1024) as small:
        small.call("nos", parse_feed, NOS, feed="nos")
        first_pid = small.pid
        assert first_pid is not None
        with pytest.raises(UnsafeFeedError) as refused:
            small.call("groot", parse_feed, big_feed(), feed="groot")
        assert str(refused.value) == "groot: refused: parsing needed more than 16 MiB"
        assert not alive(first_pid)
        assert small.call("nos", parse_feed, NOS, feed="nos").entries


def test_the_default_memory_budget_fits_a_large_honest_feed() -> None:
    with ParseWorker() as default:
        parsed = default.call("groot", parse_feed, big_feed(), feed="groot")
        assert len(parsed.entries[0].html) > 4_000_000
        memory = default.call("groot", worker_memory)
    assert memory["VmHWM"] > memory["idle VmRSS"]


def test_a_worker_killed_while_idle_is_replaced_on_the_next_call(worker: ParseWorker) -> None:
    worker.call("nos", parse_feed, NOS, feed="nos")
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert worker.call("nos", parse_feed, NOS, feed="nos").entries
    assert worker.pid != pid


def test_close_leaves_no_process_and_a_closed_worker_restarts_on_use() -> None:
    worker = ParseWorker()
    assert worker.pid is None  # nothing is started before the first parse
    worker.call("nos", parse_feed, NOS, feed="nos")
    pid = worker.pid
    assert pid is not None
    worker.close()
    assert not alive(pid)
    assert multiprocessing.active_children() == []
    worker.call("nos", parse_feed, NOS, feed="nos")
    again = worker.pid
    worker.close()
    assert again is not None
    assert not alive(again)


ORPHAN_PARENT = """
import os, sys, time
from bot.ingest.parse_worker import ParseWorker
worker = ParseWorker()
worker.call("x", os.getpid)
print(worker.pid, flush=True)
time.sleep(60)
"""


def test_the_worker_exits_when_the_bot_process_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN_PARENT], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        worker_pid = int(parent.stdout.readline())
        assert alive(worker_pid)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 5
    while alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker_pid)


def test_a_worker_killed_from_outside_is_closed_cleanly(worker: ParseWorker) -> None:
    worker.call("nos", parse_feed, NOS, feed="nos")
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    worker.close()
    assert not alive(pid)
    assert multiprocessing.active_children() == []
