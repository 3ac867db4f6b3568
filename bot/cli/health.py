"""``nieuwsbot health``: is the bot alive on its data directory, and can it write there?

For container health checks, so it is cheap and never calls Telegram. The
running bot holds an exclusive ``flock`` on ``<data>/.lock`` with its pid
written in the file (:mod:`bot.store.lock`). Healthy means: that pid is a live
process, the lock is really held (a non-blocking shared ``flock`` on a new
descriptor is refused; a pid left behind by a killed bot, or reused by another
process, does not hold it), and a file can be created and removed in the data
directory.

The probe takes the lock for an instant when nobody holds it; a bot starting
in exactly that instant is refused (exit 2) and restarted by its supervisor.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.store.lock import LOCK_FILE


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    line: str  # one line for the operator (or ``docker inspect``)


def check_health(data: Path) -> Health:
    """Judge the bot on the data directory ``data`` (as the config names it)."""
    shown = data.resolve()
    if not data.is_dir():
        return Health(False, f"unhealthy: data directory {shown} does not exist")
    lock_path = data / LOCK_FILE
    pid = _holder_pid(lock_path)
    if pid is None:
        return Health(False, f"unhealthy: no process holds {shown} (no pid in {LOCK_FILE})")
    if not _process_exists(pid):
        return Health(False, f"unhealthy: process {pid} (named in {LOCK_FILE}) is not running")
    if not _lock_is_held(lock_path):
        return Health(False, f"unhealthy: process {pid} does not hold the lock on {shown}")
    problem = _write_problem(data)
    if problem is not None:
        return Health(False, f"unhealthy: data directory {shown} is not writable ({problem})")
    return Health(True, f"ok: process {pid}, data dir writable")


def _holder_pid(lock_path: Path) -> int | None:
    try:
        text = lock_path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def _lock_is_held(lock_path: Path) -> bool:
    """Whether some process holds ``lock_path`` exclusively: our shared try must fail."""
    try:
        fd = os.open(lock_path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the shared lock if we got it
    return False


def _write_problem(data: Path) -> str | None:
    """Create and remove a file in ``data``; the reason if that fails, else None."""
    try:
        fd, name = tempfile.mkstemp(prefix=".health-", dir=data)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    try:
        os.unlink(name)
    except OSError as exc:
        return f"cannot remove a file: {exc.strerror or exc}"
    return None
