"""One process per data directory: an exclusive ``flock`` on ``<data>/.lock``.

Two bots on one directory would both write the same shards (lost follows,
every push sent twice). The lock is an OS lock on an open file, so the kernel
drops it when the holder exits in any way, SIGKILL and crashes included: there
is never a stale lock to clean up. The holder writes its pid into the file so
the process that is refused can name it.

``flock`` belongs to the open file description, so a second ``acquire`` in the
same process conflicts too (it opens the file anew). It is not reliable on
network file systems; keep the data directory on a local disk.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from bot.store.errors import StoreLockedError, StoreRefusedError

LOCK_FILE = ".lock"

# The holder truncates the file and then writes its pid; a refused process that
# reads in between sees it empty, so it looks again a few times.
_PID_READ_ATTEMPTS = 5
_PID_READ_PAUSE_S = 0.02


class DirectoryLock:
    """The held lock of one data directory; :meth:`release` (or exit) frees it."""

    def __init__(self, root: Path, fd: int) -> None:
        self.root = root
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, root: Path) -> DirectoryLock:
        """Lock ``root`` (which must exist) or raise :class:`StoreLockedError` at once.

        A directory that is read-only or full still gets locked (through an
        existing lock file opened read-only); only the pid is not written then.
        """
        path = root / LOCK_FILE
        fd = _open_lock_file(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLockedError(root.resolve(), _read_holder(path)) from None
        except BaseException:
            os.close(fd)
            raise
        with contextlib.suppress(OSError):  # best effort: the lock is what counts
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        return cls(root, fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Give the directory up; idempotent. The lock file itself stays."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # no stale pid for someone reading the file by hand
        os.close(fd)


def _open_lock_file(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if not path.exists():
            raise StoreRefusedError(
                f"data directory {path.parent.resolve()} is not writable ({exc.strerror}): "
                "check its owner, permissions and free space"
            ) from exc
    # Read-only or full file system: lock the existing file all the same.
    return os.open(path, os.O_RDONLY | os.O_CLOEXEC)


def _read_holder(path: Path) -> int | None:
    for attempt in range(_PID_READ_ATTEMPTS):
        try:
            text = path.read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            return None
        if text.isdigit():
            return int(text)
        if attempt + 1 < _PID_READ_ATTEMPTS:
            time.sleep(_PID_READ_PAUSE_S)
    return None
