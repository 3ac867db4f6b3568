"""Feed parsing in a child process with a time and a memory budget.

feedparser's loose parser, which it falls back to for any document that is not
well-formed XML, is quadratic on some shapes: 1.4 MB of attributes took 345 s
and 200 MB. A thread cannot be stopped, so parsing runs in one reusable child
process (``spawn``ed, so it shares no locks or memory with the bot):

* a job that runs longer than ``time_budget_s`` is answered with
  :class:`UnsafeFeedError` and its process is killed; the next job starts a
  fresh one;
* the child's address space is limited (``RLIMIT_AS``) to what it had after
  start-up plus ``memory_budget_bytes``: a job that needs more gets a
  MemoryError in the child, answered the same way;
* the bot process only holds the body it sends and what comes back.

The process starts at the first job, not before, and ``close`` stops it; a
worker whose bot process is gone (even killed) exits within half a second.
Jobs run one at a time; ``call`` blocks, so async code calls it in a thread.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import ParamSpec, Self, TypeVar

from bot.core.feed_failure import FailureKey, FeedFailure
from bot.ingest.guard import UnsafeFeedError

log = logging.getLogger(__name__)

# A 5 MiB feed of 200 long entries parses and builds in about 7 s on the
# 2-core test machine; real feeds take well under a second.
PARSE_TIME_BUDGET_S = 20.0
# Over the worker's own start-up size. A 5 MiB feed needs about 40 MiB.
PARSE_MEMORY_BUDGET_BYTES = 80 * 1024 * 1024
# Modules the worker imports before it takes jobs (and before its size is taken).
PRELOAD = ("bot.ingest.pipeline",)
_STARTUP_TIMEOUT_S = 60.0
_PARENT_CHECK_S = 0.5

P = ParamSpec("P")
T = TypeVar("T")

_idle_rss = 0  # set in the worker process by _start_worker


class _MemoryBudgetExceededError(Exception):
    """Raised in the worker (after the failed job's memory is freed) for MemoryError."""


class ParseWorker:
    """One child process that runs parse jobs within a time and memory budget."""

    def __init__(
        self,
        *,
        time_budget_s: float = PARSE_TIME_BUDGET_S,
        memory_budget_bytes: int = PARSE_MEMORY_BUDGET_BYTES,
        preload: Sequence[str] = PRELOAD,
    ) -> None:
        if time_budget_s <= 0 or memory_budget_bytes <= 0:
            raise ValueError("parse budgets must be positive")
        self.time_budget_s = time_budget_s
        self.memory_budget_bytes = memory_budget_bytes
        self._preload = tuple(preload)
        self._jobs = threading.Lock()  # one job at a time
        self._state = threading.Lock()  # guards _pool, _pid and _busy
        self._pool: ProcessPoolExecutor | None = None
        self._pid: int | None = None
        self._busy = False

    @property
    def pid(self) -> int | None:
        """The worker process id; None when no process is running."""
        return self._pid

    def call(self, feed: str, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``func(*args, **kwargs)`` in the worker. Blocks; raises what ``func`` raises.

        ``func`` and its arguments must be picklable (a module-level function).
        Over a budget, or when the process dies, raises :class:`UnsafeFeedError`
        naming ``feed``; the process is then replaced at the next call.
        """
        with self._jobs:
            # A worker that died while idle (killed from outside) can look alive
            # to the pool for a moment, and the job sent to it then fails as if it
            # had crashed the parser: one fresh worker gets a second try. A
            # document that crashes the parser twice is refused.
            for attempt in (1, 2):
                try:
                    return self._run(feed, func, *args, **kwargs)
                except BrokenProcessPool:
                    self._stop(kill=True)
                    if attempt == 2:
                        failure = FeedFailure(FailureKey.PARSER_CRASHED)
                        raise UnsafeFeedError(feed, failure) from None
                    log.warning("parse worker died under feed %s; trying a fresh one", feed)
            raise AssertionError("unreachable")  # pragma: no cover

    def _run(self, feed: str, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        future = self._submit(func, *args, **kwargs)
        try:
            return future.result(timeout=self.time_budget_s)
        except TimeoutError:
            self._stop(kill=True)
            failure = FeedFailure(FailureKey.PARSE_TIMEOUT, {"seconds": f"{self.time_budget_s:g}"})
            raise UnsafeFeedError(feed, failure) from None
        except _MemoryBudgetExceededError:
            self._stop(kill=True)
            mib = self.memory_budget_bytes / (1024 * 1024)
            failure = FeedFailure(FailureKey.PARSE_MEMORY, {"mib": f"{mib:g}"})
            raise UnsafeFeedError(feed, failure) from None
        finally:
            with self._state:
                self._busy = False

    def close(self) -> None:
        """Stop the worker process (killed if a job is running). Safe to call twice."""
        self._stop(kill=self._busy)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _submit(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        for attempt in (1, 2):
            pool = self._started_pool()
            try:
                with self._state:
                    future = pool.submit(_guarded, functools.partial(func, *args, **kwargs))
                    self._busy = True
                return future
            except BrokenProcessPool:
                # The idle worker died (killed from outside): start a new one once.
                self._stop(kill=True)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _started_pool(self) -> ProcessPoolExecutor:
        with self._state:
            pool, pid = self._pool, self._pid
        if pool is not None:
            # A worker killed while idle may not be noticed by the pool yet; a job
            # sent to it would fail as if it had crashed the parser. Look first
            # (active_children also reaps a dead child, so the answer is current).
            if any(child.pid == pid for child in multiprocessing.active_children()):
                return pool
            self._stop(kill=True)
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.memory_budget_bytes, self._preload),
        )
        try:
            pid = pool.submit(os.getpid).result(timeout=_STARTUP_TIMEOUT_S)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        with self._state:
            self._pool, self._pid = pool, pid
        log.debug("parse worker %d started", pid)
        return pool

    def _stop(self, *, kill: bool) -> None:
        with self._state:
            pool, pid = self._pool, self._pid
            self._pool = self._pid = None
        if pool is None:
            return
        if kill and pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        pool.shutdown(wait=True, cancel_futures=True)
        log.debug("parse worker %s stopped%s", pid, " (killed)" if kill else "")


def worker_memory() -> dict[str, int]:
    """Run in the worker: its VmRSS, VmHWM and VmSize now, and its VmRSS after start-up.

    In bytes; for tests and bench/hostile_feeds.py.
    """
    status = _proc_status()
    return {**status, "idle VmRSS": _idle_rss}


def _guarded(job: Callable[[], T]) -> T:
    try:
        return job()
    except MemoryError:
        pass
    # Raised outside the except block, so the failed job's frames (and the
    # memory they hold) are gone before the error is pickled back.
    raise _MemoryBudgetExceededError


def _start_worker(memory_budget_bytes: int, preload: Sequence[str]) -> None:
    """Initializer of the worker process: import, then cap the address space."""
    global _idle_rss
    # Ctrl-C in a terminal and systemd's SIGTERM reach the whole process group
    # or unit; they are for the bot, which stops the worker with close() once
    # its last parse is done. Without a parent the worker ends by itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True
    ).start()
    for module in preload:
        importlib.import_module(module)
    status = _proc_status()
    _idle_rss = status.get("VmRSS", 0)
    size = status.get("VmSize")
    if size is None:  # pragma: no cover - not Linux: no /proc, time budget only
        return
    limit = size + memory_budget_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _exit_with_parent(parent: int) -> None:
    """In the worker: exit as soon as the bot process is gone (even if killed)."""
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_S)
    os._exit(0)


def _proc_status() -> dict[str, int]:
    wanted = ("VmRSS", "VmHWM", "VmSize")
    values: dict[str, int] = {}
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:  # pragma: no cover - not Linux
        return values
    for line in lines:
        name, _, rest = line.partition(":")
        if name in wanted:
            values[name] = int(rest.split()[0]) * 1024
    return values
