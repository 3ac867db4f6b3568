"""What may be followed as a keyword: its length bounds, and why a term is refused."""

from __future__ import annotations

from enum import StrEnum

KEYWORD_MIN_CHARS = 2
# Long enough for a name or a short phrase; longer input is a sentence, not a topic.
KEYWORD_MAX_CHARS = 40


class RejectReason(StrEnum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"
    STOP_WORD = "stop_word"
