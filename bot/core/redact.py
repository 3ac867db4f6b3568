"""Secrets out of any text: the configured token and anything shaped like a bot token.

Pure, so the log formatter (bot/runtime/logsetup.py), the command line and the
online check share one rule.
"""

from __future__ import annotations

import re

REDACTED = "[REDACTED]"
# Bot API tokens look like "<bot id>:<35 url-safe characters>"; catch ones we were
# not told about too (a token from an old config file in a URL, say).
_TOKEN_SHAPE = re.compile(r"(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Replace every known secret and anything shaped like a bot token."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _TOKEN_SHAPE.sub(REDACTED, text)
