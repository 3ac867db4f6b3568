"""The real ``nieuwsbot run`` as a child process, for the chaos scenarios.

A scenario starts the fake Bot API and the feed server in its own process (on
127.0.0.1), writes a config pointing at them, and starts the bot with
``python -m bot run --config ...``. Every wait here has a deadline and fails
at once, with the end of the bot's log, if the bot exits while being waited
for; :class:`BotProcess` kills the child when its block ends, whatever happened.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.core.clock import ManualClock
from bot.sim.telegram import FakeTelegram
from bot.store import Store

ADMIN = 42
STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
REPLY_TIMEOUT_S = 15.0
LOG_TAIL_CHARS = 2500


class Unavailable(Exception):
    """The machine cannot stage this fault (no root, no tmpfs): the scenario is skipped."""


def write_config(
    work: Path,
    fake: FakeTelegram,
    data: Path,
    feeds: dict[str, str] | None = None,
    *,
    poll_s: int = 2,
    messages_per_second: float = 25.0,
    telegram_extra: str = "",
) -> Path:
    """A config file for ``nieuwsbot run``; ``feeds`` maps a feed name to its URL."""
    blocks = "".join(
        f'[[feeds]]\nname = "{name}"\nsource = "{name}"\nurl = "{url}"\n'
        for name, url in (feeds or {}).items()
    )
    config = work / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{fake.base_url}"\nadmins = [{ADMIN}]\n{telegram_extra}'
        f'[storage]\npath = "{data}"\n'
        f"[schedule]\npoll_interval_seconds = {poll_s}\n"
        f"[push]\nmessages_per_second = {messages_per_second}\n" + blocks,
        encoding="utf-8",
    )
    return config


class BotProcess:
    """One ``nieuwsbot run`` child; its stdout and stderr go to ``log`` (appended)."""

    def __init__(self, config: Path, token: str, log: Path) -> None:
        self.config = config
        self.token = token
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.kill()

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(self.config)],
                env={**os.environ, "TELEGRAM_BOT_TOKEN": self.token},
                stdout=out,
                stderr=out,
            )

    async def start_ready(self, fake: FakeTelegram, ready_call: str = "deleteWebhook") -> None:
        """Start and wait until it takes updates (deleteWebhook precedes long polling)."""
        after = fake.mark()
        self.start()
        await wait_until(
            lambda: _called_after(fake, ready_call, after),
            STARTUP_TIMEOUT_S,
            "the bot to start",
            bot=self,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def check_alive(self) -> None:
        assert self.process is not None, "not started"
        code = self.process.poll()
        assert code is None, f"the bot exited with status {code}: {self.log_tail()}"

    def kill(self) -> None:
        """SIGKILL (a crash); a no-op when it is not running."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_S)

    def stop(self) -> int:
        """SIGTERM and wait; the exit status."""
        assert self.process is not None, "not started"
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the bot did not stop on SIGTERM: {self.log_tail()}") from None

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def log_tail(self) -> str:
        return self.log_text()[-LOG_TAIL_CHARS:]


def _called_after(fake: FakeTelegram, method: str, after: int) -> bool:
    return any(call.method == method for call in fake.calls[after:])


async def wait_until(
    condition: Callable[[], object], timeout: float, what: str, *, bot: BotProcess | None = None
) -> None:
    """Poll ``condition`` every 20 ms; fail after ``timeout`` or when ``bot`` exits."""
    deadline = time.monotonic() + timeout
    while not condition():
        if bot is not None:
            bot.check_alive()
        assert time.monotonic() < deadline, f"timed out after {timeout:g} s waiting for {what}"
        await asyncio.sleep(0.02)


async def ask(fake: FakeTelegram, chat_id: int, text: str, bot: BotProcess | None = None) -> str:
    """A user's command and the text of the bot's answer (checked: the bot still runs)."""
    if bot is not None:
        bot.check_alive()
    reply = await fake.send_and_wait(chat_id, text, timeout=REPLY_TIMEOUT_S)
    return str(reply["text"])


def pushes(fake: FakeTelegram, title: str) -> Counter[int]:
    """How many messages carrying ``title`` each chat received."""
    return Counter(int(m["chat_id"]) for m in fake.sent_messages() if title in m["text"])


def exactly_once(fake: FakeTelegram, title: str, chats: Sequence[int]) -> bool:
    counts = pushes(fake, title)
    return set(counts) == set(chats) and set(counts.values()) == {1}


def repeated(fake: FakeTelegram, title: str) -> dict[int, int]:
    return {chat: n for chat, n in pushes(fake, title).items() if n > 1}


async def read_store(data: Path) -> tuple[dict[int, set[str]], int]:
    """Every chat's follows (as ``kind:value``) and the number of pending outbox entries.

    Opening the store at all is part of the check: a refusal raises.
    """
    store = await Store.open(data, clock=ManualClock(datetime.now(UTC)), freeze_gc=False)
    try:
        follows = {
            record.chat_id: {f"{key.kind.value}:{key.value}" for key in record.follows}
            for record in store.all_chats()
        }
        return follows, store.pending_count()
    finally:
        await store.close()


def proc_status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/<pid>/status (VmRSS, VmHWM, ...); empty once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return {}
    figures: dict[str, int] = {}
    for line in lines:
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB":
            figures[name] = int(parts[0])
    return figures


def children_of(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (the parse worker), from /proc/*/stat."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def reset_peak(pid: int) -> bool:
    """Reset VmHWM of ``pid`` to its current RSS (root or the owner may)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def lines_with(text: str, needle: str) -> Iterator[str]:
    return (line for line in text.splitlines() if needle in line)
