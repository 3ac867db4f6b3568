"""Digests of the day's news, filed by their first story.

A morning digest ("Wekdienst 15/5: Formatie-deadline • Palestijnen herdenken
de Nakba", a lead opening with "Goedemorgen!") strings several stories
together. Newsrooms file it by the first; so does the tagger, for where it is
set and for its topical sections. Pure: offsets into the (folded) texts.
"""

from __future__ import annotations

import re

from bot.tagging.lead import lead_end

DIGEST_RE = re.compile(r"^\s*(?:(?:wekdienst|avonddienst)\b|goedemorgen\b)", re.IGNORECASE)
_GREETING_RE = re.compile(r"^\s*goedemorgen\W*", re.IGNORECASE)


def is_digest(title: str, text: str) -> bool:
    return DIGEST_RE.match(title) is not None or DIGEST_RE.match(text) is not None


def first_story_ends(title: str, text: str) -> tuple[int, int]:
    """Where a digest's first story ends in its title and in its text (-1: no cut).

    The title's first story runs to the first bullet, or to the second when the
    first only closes a label ("Wekdienst 1/10: • A • B"); the text's is the
    first sentence after a greeting.
    """
    return _title_end(title), _text_end(text)


def _title_end(title: str) -> int:
    bullets = [index for index, char in enumerate(title) if char == "•"]
    if not bullets:
        return -1
    if title[: bullets[0]].rstrip().endswith(":") and len(bullets) > 1:
        return bullets[1]
    return bullets[0]


def _text_end(text: str) -> int:
    greeting = _GREETING_RE.match(text)
    return lead_end(text, greeting.end() if greeting else 0)
