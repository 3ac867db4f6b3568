"""Benchmark: how many sendMessage calls a second the HTTP client stack alone can make.

Where the ceiling of paid broadcasts lies on this machine (issue 13 item 5). The
fake Bot API runs in a process of its own (``bench/remote_fake.py``, flood limits
off); this process sends ``--sends`` messages with ``--concurrency`` senders
through, in turn:

* ``ptb``: python-telegram-bot's ``Bot.send_message`` with its default
  ``HTTPXRequest`` (what the bot uses), no rate limiter, no store;
* ``httpx``: a bare ``httpx.AsyncClient`` POST of the same JSON, no PTB;
* ``ptb-lean``: PTB over a minimal keep-alive HTTP/1.1 transport on asyncio
  streams (``LeanRequest`` below: no TLS, no chunked bodies, no timeouts; a
  measurement of what PTB costs without httpx, not a production transport);
* ``raw``: the same JSON over asyncio streams without PTB.

The verdict is on ``ptb``: paid broadcasts at 1,000 messages/s need the bot's
own stack to do at least that, with nothing else running.

    python bench/http_stack.py
    python bench/http_stack.py --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest, RequestData

sys.path.insert(0, str(Path(__file__).resolve().parent))
from remote_fake import RemoteFake  # a sibling script module

TARGET_SENDS_PER_S = 1000.0
SENDS = 3000
CONCURRENCY = 4
TEXT = "📰 <b>Oekraïne meldt grote drone-aanval op Kyiv</b>\nNOS · 14:02 — via Oekraïne"

Sender = Callable[[RemoteFake, int, int], Coroutine[Any, Any, float]]


class LeanRequest(BaseRequest):
    """PTB's transport hook over plain keep-alive HTTP/1.1: for this measurement only."""

    def __init__(self) -> None:
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    @property
    def read_timeout(self) -> float | None:
        return 15.0

    async def initialize(self) -> None:
        """Connections are opened on demand."""

    async def shutdown(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        parts = urlsplit(url)
        body = request_data.json_payload if request_data is not None else b""
        if self._idle:
            reader, writer = self._idle.pop()
        else:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        head = (
            f"{method} {parts.path} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode("ascii") + body)
        status, payload = await _read_response(reader)
        self._idle.append((reader, writer))
        return status, payload


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length")
    )
    return status, await reader.readexactly(length)


async def _run(senders: int, sends: int, send_one: Callable[[int], Awaitable[None]]) -> float:
    queue = list(range(sends))

    async def sender() -> None:
        while queue:
            await send_one(queue.pop())

    began = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    return sends / (time.perf_counter() - began)


async def ptb(fake: RemoteFake, senders: int, sends: int) -> float:
    bot = Bot(fake.token, base_url=fake.base_url, request=HTTPXRequest(connection_pool_size=64))
    async with bot:

        async def send(n: int) -> None:
            await bot.send_message(
                10_000_000 + n, TEXT, parse_mode="HTML", allow_paid_broadcast=True
            )

        return await _run(senders, sends, send)


async def ptb_lean(fake: RemoteFake, senders: int, sends: int) -> float:
    bot = Bot(fake.token, base_url=fake.base_url, request=LeanRequest())
    async with bot:

        async def send(n: int) -> None:
            await bot.send_message(
                20_000_000 + n, TEXT, parse_mode="HTML", allow_paid_broadcast=True
            )

        return await _run(senders, sends, send)


def _payload(chat_id: int) -> bytes:
    message = {"chat_id": chat_id, "text": TEXT, "parse_mode": "HTML", "allow_paid_broadcast": True}
    return json.dumps(message).encode("utf-8")


async def bare_httpx(fake: RemoteFake, senders: int, sends: int) -> float:
    url = f"{fake.base_url}{fake.token}/sendMessage"
    headers = {"Content-Type": "application/json"}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=64)) as client:

        async def send(n: int) -> None:
            response = await client.post(url, content=_payload(30_000_000 + n), headers=headers)
            json.loads(response.content)

        return await _run(senders, sends, send)


async def raw(fake: RemoteFake, senders: int, sends: int) -> float:
    parts = urlsplit(fake.base_url)
    path = f"{parts.path}{fake.token}/sendMessage"
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def send(n: int) -> None:
        if idle:
            reader, writer = idle.pop()
        else:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        body = _payload(40_000_000 + n)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode("ascii") + body)
        json.loads((await _read_response(reader))[1])
        idle.append((reader, writer))

    try:
        return await _run(senders, sends, send)
    finally:
        for _, writer in idle:
            writer.close()


STACKS: dict[str, Sender] = {"ptb": ptb, "httpx": bare_httpx, "ptb-lean": ptb_lean, "raw": raw}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=SENDS)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    args = parser.parse_args(argv)
    if args.sends < 1 or args.concurrency < 1:
        parser.error("--sends and --concurrency must be positive")
    print(f"{args.sends} sendMessage calls, {args.concurrency} concurrent, fake in its own process")
    rates: dict[str, float] = {}
    with RemoteFake(enforce_flood_limits=False) as fake:
        for name, stack in STACKS.items():
            rates[name] = asyncio.run(stack(fake, args.concurrency, args.sends))
            print(f"{name:9s} {rates[name]:7.0f} sends/s")
    ok = rates["ptb"] >= TARGET_SENDS_PER_S
    print(
        f"http_stack: PTB with HTTPXRequest {rates['ptb']:.0f} sends/s "
        f"(target >= {TARGET_SENDS_PER_S:g} for paid broadcasts) {'ok' if ok else 'MISS'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
