"""``nieuwsbot health`` without a running bot: each way of being unhealthy is one line, exit 1.

The command runs as operators and Docker run it (a subprocess with a config
file). The lock holder in the healthy cases is this test process itself,
through the bot's own ``DirectoryLock``; with a real ``nieuwsbot run`` see
tests/e2e/test_health_run.py.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.cli.health as health
from bot.cli.health import check_health
from bot.store.lock import LOCK_FILE, DirectoryLock
from tests.paths import ROOT

NIEUWSBOT = [sys.executable, "-m", "bot"]


def run_health(config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN",)}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [*NIEUWSBOT, "health", "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    output = (result.stdout + result.stderr).splitlines()
    assert len(output) == 1, output
    return output[0]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "data"}"\n', encoding="utf-8")
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    return directory


@pytest.fixture
def held(data: Path) -> Iterator[DirectoryLock]:
    lock = DirectoryLock.acquire(data)
    yield lock
    lock.release()


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_held_lock_and_a_writable_directory_are_healthy(
    config: Path, held: DirectoryLock
) -> None:
    line = one_line(run_health(config), 0)
    assert line == f"ok: process {os.getpid()}, data dir writable"
    assert [p.name for p in held.root.iterdir()] == [LOCK_FILE]  # the probe file is gone


def test_a_missing_data_directory_is_unhealthy(config: Path, tmp_path: Path) -> None:
    line = one_line(run_health(config), 1)
    assert line == (
        f"nieuwsbot: unhealthy: data directory {(tmp_path / 'data').resolve()} does not exist"
    )


def test_a_directory_nobody_runs_on_is_unhealthy(config: Path, data: Path) -> None:
    line = one_line(run_health(config), 1)
    assert line == f"nieuwsbot: unhealthy: no process holds {data.resolve()} (no pid in .lock)"


def test_a_bot_that_stopped_cleanly_left_no_pid(config: Path, data: Path) -> None:
    DirectoryLock.acquire(data).release()  # what `run` does on a clean stop
    line = one_line(run_health(config), 1)
    assert "no pid in .lock" in line


def test_the_pid_of_a_killed_bot_is_not_running(config: Path, data: Path) -> None:
    pid = dead_pid()
    (data / LOCK_FILE).write_text(f"{pid}\n", encoding="ascii")
    line = one_line(run_health(config), 1)
    assert line == f"nieuwsbot: unhealthy: process {pid} (named in .lock) is not running"


def test_a_live_pid_that_holds_no_lock_is_unhealthy(config: Path, data: Path) -> None:
    """The pid was reused by another process after the bot died: it holds nothing."""
    (data / LOCK_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
    line = one_line(run_health(config), 1)
    assert line == (
        f"nieuwsbot: unhealthy: process {os.getpid()} does not hold the lock on {data.resolve()}"
    )
    # The probe did not keep the lock: the bot can still take it.
    DirectoryLock.acquire(data).release()


def test_a_config_error_is_unhealthy_not_exit_2(tmp_path: Path) -> None:
    """Docker reserves exit status 2; health answers 0 or 1 only."""
    line = one_line(run_health(tmp_path / "missing.toml"), 1)
    assert line.startswith("nieuwsbot: unhealthy: config error: ")


def test_an_unwritable_data_directory_is_unhealthy(
    data: Path, held: DirectoryLock, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.chmod(0o555)
    try:
        if os.geteuid() == 0:
            # Root writes through a read-only mode: make file creation fail the way
            # a read-only mount does instead.
            def read_only(*_: object, **__: object) -> tuple[int, str]:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS))

            monkeypatch.setattr(health.tempfile, "mkstemp", read_only)
        result = check_health(data)
    finally:
        data.chmod(0o755)
    assert not result.ok
    assert result.line.startswith(f"unhealthy: data directory {data.resolve()} is not writable (")
