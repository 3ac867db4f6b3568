"""A small tmpfs for a data directory that really fills up or really turns read-only.

Root is needed to mount one. As root, making files unwritable stops nothing
(root writes anyway), so a fault that needs a real full or read-only file
system is skipped with the reason when the mount is refused.

Linux refuses ``mount -o remount,ro`` while any file on the file system is
open for writing ("mount point is busy"); a running bot holds its lock file
that way, so the read-only remount is done while the bot is stopped, like a
kernel remounting a failing disk read-only under a crashed service.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.chaos.harness import Unavailable

MOUNT_TIMEOUT_S = 10.0
FILLER = "filler.bin"
_CHUNKS = (1024 * 1024, 64 * 1024, 4096, 512, 1)


class Tmpfs:
    """``with Tmpfs(path, "2m") as fs:`` mounts a tmpfs of that size; unmounted at exit."""

    def __init__(self, mountpoint: Path, size: str) -> None:
        self.path = mountpoint
        self.size = size
        self._mounted = False

    def __enter__(self) -> Self:
        if os.geteuid() != 0:
            raise Unavailable(f"mounting a tmpfs needs root (running as uid {os.geteuid()})")
        if shutil.which("mount") is None or shutil.which("umount") is None:
            raise Unavailable("no mount/umount command on this machine")
        self.path.mkdir(parents=True, exist_ok=True)
        result = _mount("-t", "tmpfs", "-o", f"size={self.size},mode=0755", "tmpfs", str(self.path))
        if result.returncode != 0:
            raise Unavailable(f"mount -t tmpfs was refused: {result.stderr.strip()}")
        self._mounted = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._mounted:
            return
        deadline = time.monotonic() + MOUNT_TIMEOUT_S
        while _mount_command("umount", str(self.path)).returncode != 0:
            if time.monotonic() > deadline:
                # Detach it anyway; the kernel frees it when the last user goes.
                _mount_command("umount", "-l", str(self.path))
                break
            time.sleep(0.1)
        self._mounted = False

    def read_only(self) -> None:
        """Remount read-only; retried while a process that just exited still holds a file."""
        self._remount("ro")

    def writable(self) -> None:
        self._remount("rw")

    def _remount(self, mode: str) -> None:
        deadline = time.monotonic() + MOUNT_TIMEOUT_S
        while True:
            result = _mount("-o", f"remount,{mode}", str(self.path))
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"mount -o remount,{mode} failed: {result.stderr.strip()}")
            time.sleep(0.1)

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def fill(self) -> Path:
        """Write a filler file until the file system refuses another byte."""
        filler = self.path / FILLER
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in _CHUNKS:
                block = b"\0" * size
                while True:
                    try:
                        os.write(fd, block)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        return filler


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return _mount_command("mount", *args)


def _mount_command(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), capture_output=True, text=True, timeout=MOUNT_TIMEOUT_S, check=False
    )
