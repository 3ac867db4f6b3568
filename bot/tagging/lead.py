"""Where the lead of a text ends: its first sentence, never longer than ``LEAD_MAX_CHARS``.

The lead says who, what and where; the setting (``setting.py``) weighs what it
names more than what stands further down, and a digest (``digest.py``) is
filed by the first sentence after its greeting.
"""

from __future__ import annotations

import re

LEAD_MAX_CHARS = 300
_SENTENCE_END_RE = re.compile(r"[.!?](?=[\s\"'”’)]*(?:\s|$))|\n")


def lead_end(text: str, start: int = 0) -> int:
    """Offset where the first sentence of ``text`` from ``start`` ends."""
    limit = start + LEAD_MAX_CHARS
    match = _SENTENCE_END_RE.search(text, start, limit)
    return match.end() if match else min(len(text), limit)
