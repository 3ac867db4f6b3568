"""One logging format for the whole process, with the bot token redacted centrally.

The token is part of every Bot API URL, so any library that logs a URL or puts
one in an exception message would leak it. Redaction happens in the formatter,
after the message, the exception text and the stack are rendered, so no code
path can bypass it. httpx and httpcore log every request URL at INFO; they are
kept at WARNING regardless of ``-v``.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from bot.core.redact import redact

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_NOISY_LOGGERS = ("httpx", "httpcore", "hpack", "apscheduler.executors.default")


class RedactingFormatter(logging.Formatter):
    """A formatter that removes secrets from the fully rendered log line."""

    def __init__(self, fmt: str = LOG_FORMAT, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def setup_logging(
    *,
    verbose: bool = False,
    level: int | None = None,
    secrets: tuple[str, ...] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Install one redacting handler on the root logger and return it.

    ``verbose`` means DEBUG; otherwise ``level`` (default INFO).
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets=secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else (level or logging.INFO))
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return handler


def add_secret(secret: str) -> None:
    """Teach every installed redacting formatter one more secret (e.g. the token)."""
    if not secret:
        return
    for handler in logging.getLogger().handlers:
        formatter = handler.formatter
        if isinstance(formatter, RedactingFormatter) and secret not in formatter._secrets:
            formatter._secrets = (*formatter._secrets, secret)
