"""The bot token never reaches a log line, whatever fails."""

from __future__ import annotations

import io
import logging
import socket

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError

from bot.core.redact import REDACTED, redact
from bot.runtime.logsetup import setup_logging

TOKEN = "987654321:AAH-secret_token-value-0123456789abcdef"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def log_stream() -> io.StringIO:
    stream = io.StringIO()
    setup_logging(verbose=True, secrets=(TOKEN,), stream=stream)
    yield stream
    setup_logging(verbose=False)


async def test_failing_request_logs_no_token(log_stream: io.StringIO) -> None:
    """A request to a dead Bot API fails; everything logged about it is redacted."""
    log = logging.getLogger("nieuwsbot.test")
    base_url = f"http://127.0.0.1:{closed_port()}/bot"
    bot = Bot(TOKEN, base_url=base_url)
    with pytest.raises(NetworkError) as caught:
        await bot.get_me()
    log.error("getMe failed at %s%s", base_url, TOKEN, exc_info=caught.value)
    # httpx would log the request URL (with the token) at INFO; it stays at WARNING.
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{base_url}{TOKEN}/getMe")
    output = log_stream.getvalue()
    assert "getMe failed" in output
    assert REDACTED in output
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


def test_unknown_token_shapes_are_redacted_too() -> None:
    other = "1234567:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"
    assert redact(f"GET https://api.telegram.org/bot{other}/getMe") == (
        f"GET https://api.telegram.org/bot{REDACTED}/getMe"
    )


def test_exception_text_and_traceback_are_redacted(log_stream: io.StringIO) -> None:
    try:
        raise RuntimeError(f"boom with {TOKEN}")
    except RuntimeError:
        logging.getLogger("nieuwsbot.test").exception("crash")
    output = log_stream.getvalue()
    assert "boom with" in output
    assert TOKEN not in output
