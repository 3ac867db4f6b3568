"""The fake Bot API in a process of its own, for benchmarks at 1,000 messages a second.

In the benchmark's own process the fake's HTTP threads compete with the bot
for the GIL, so at high rates the fake would eat the bot's CPU and the figure
would measure both. ``RemoteFake`` starts :class:`bot.sim.telegram.FakeTelegram`
in a child process (``spawn``) and drives it over a pipe: the bot talks HTTP
to it as to Telegram, the benchmark asks it for what it recorded.

Recorded calls come back as :class:`CallRecord` (method, chat id, ok, arrival
time, whether ``allow_paid_broadcast`` was set). ``at`` is
``time.monotonic()`` in the child; on Linux that clock is system-wide, so it
compares with the parent's.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, NamedTuple

from bot.sim.telegram import FakeTelegram

START_TIMEOUT_S = 30.0


class CallRecord(NamedTuple):
    method: str
    chat_id: int | str | None
    ok: bool
    at: float
    paid: bool


def _serve(conn: Connection, options: dict[str, Any]) -> None:
    """The child: run a FakeTelegram and answer the parent's requests until told to stop."""
    with FakeTelegram(**options) as fake:
        conn.send((fake.token, fake.base_url))
        while True:
            request, *args = conn.recv()
            if request == "stop":
                conn.send(None)
                return
            if request == "send_text":
                chat_id, text = args
                fake.send_text(chat_id, text)
                conn.send(None)
            elif request == "calls":
                (method,) = args
                conn.send(
                    [
                        CallRecord(
                            c.method,
                            c.chat_id,
                            c.ok,
                            c.at,
                            c.params.get("allow_paid_broadcast") is True,
                        )
                        for c in fake.calls
                        if method is None or c.method == method
                    ]
                )
            elif request == "flood_429_count":
                conn.send(fake.flood_429_count)
            else:
                conn.send(ValueError(f"unknown request {request!r}"))


class RemoteFake:
    """A FakeTelegram in a child process; the subset of its API the push bench uses."""

    def __init__(self, **options: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, options), name="fake-telegram", daemon=True
        )
        self._token = ""
        self._base_url = ""

    @property
    def token(self) -> str:
        return self._token

    @property
    def base_url(self) -> str:
        return self._base_url

    def __enter__(self) -> RemoteFake:
        self._process.start()
        if not self._conn.poll(START_TIMEOUT_S):
            self._process.kill()
            raise RuntimeError("the fake Bot API process did not start")
        self._token, self._base_url = self._conn.recv()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._ask("stop")
        finally:
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()

    def _ask(self, *request: Any) -> Any:
        self._conn.send(request)
        answer = self._conn.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def send_text(self, chat_id: int, text: str) -> None:
        self._ask("send_text", chat_id, text)

    def calls_of(self, method: str) -> list[CallRecord]:
        return list(self._ask("calls", method))

    @property
    def calls(self) -> list[CallRecord]:
        return list(self._ask("calls", None))

    @property
    def flood_429_count(self) -> int:
        return int(self._ask("flood_429_count"))
