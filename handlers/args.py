"""Parsing of command arguments: pure functions over the text a user typed.

Nothing here talks to Telegram or the store; errors are raised as ``ArgError``
carrying the Dutch explanation the handler sends back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.texts import chat as texts

# Per-argument and per-message caps: nothing longer is worth resolving, and the
# caps keep hostile input from reaching the core at all.
MAX_TERM_CHARS = 300
MAX_INPUT_CHARS = 1000

DEFAULT_LATEST = 5
MAX_LATEST = 20

# Characters that render as nothing (zero-width, bidi controls, BOM, soft
# hyphen): stripped so "oek\u200braine" and right-to-left overrides cannot hide
# what a term really is.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    None,
)
_SPACE_RE = re.compile(r"\s+")
_FIRST_SPACE_RE = re.compile(r"\s")
# Straight and typographic double quotes, as phones type them.
_QUOTES = {'"': '"', "“": "”", "„": "”", "”": "”", "«": "»"}
_CLOSERS = frozenset(_QUOTES.values()) | {'"', "“"}
# "07:30", "7.30", "8", "8u", "8 uur", "8u30", "20.30 uur" (matched casefolded).
_CLOCK_RE = re.compile(r"([0-9]{1,2})(?:\s*[:.u]\s*([0-9]{2}))?(?:\s*(?:uur|u))?")
# Begin and end of a range: "23:00-07:00", "23 – 7", "23:00 tot 07:00".
_RANGE_SEPARATOR_RE = re.compile(r"\s*(?:[-–—]|\btot\b)\s*", re.IGNORECASE)
_RANGE_OPENER_RE = re.compile(r"van\s+", re.IGNORECASE)


class ArgError(ValueError):
    """The argument cannot be used; ``str(error)`` is the Dutch reply."""


def clean(text: str) -> str:
    """Drop invisible and control characters and collapse whitespace."""
    text = text.translate(_INVISIBLE)
    text = "".join(
        ch for ch in text if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return _SPACE_RE.sub(" ", text).strip()


def command_argument(message_text: str) -> str:
    """Everything after the command word (``/volg@bot a, b`` -> ``a, b``), cleaned.

    Raises ``ArgError`` when the input is longer than ``MAX_INPUT_CHARS``.
    """
    parts = _FIRST_SPACE_RE.split(message_text.strip(), maxsplit=1)
    rest = parts[1] if len(parts) == 2 else ""
    if len(rest) > MAX_INPUT_CHARS:
        raise ArgError(texts.input_too_long(MAX_INPUT_CHARS))
    return clean(rest)


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to follow as typed; ``quoted`` terms are meant as keywords."""

    text: str
    quoted: bool = False


def split_terms(argument: str) -> list[Term]:
    """Split ``oekraine, "Mark Rutte", sport`` into terms; quotes keep commas inside.

    Empty terms (``""``, ``,,``) are dropped; the caller decides what an empty
    list means. Raises ``ArgError`` for a term over ``MAX_TERM_CHARS`` or an
    unclosed quote.
    """
    terms: list[Term] = []
    current: list[str] = []
    quoted = False
    closing: str | None = None
    for ch in argument:
        if closing is not None:
            if ch in _CLOSERS:
                closing = None
            else:
                current.append(ch)
        elif ch in _QUOTES:
            closing = _QUOTES[ch]
            quoted = True
        elif ch == ",":
            terms.append(Term(clean("".join(current)), quoted))
            current, quoted = [], False
        else:
            current.append(ch)
    if closing is not None:
        raise ArgError(texts.UNCLOSED_QUOTE)
    terms.append(Term(clean("".join(current)), quoted))
    for term in terms:
        if len(term.text) > MAX_TERM_CHARS:
            raise ArgError(texts.term_too_long(MAX_TERM_CHARS))
    return [term for term in terms if term.text]


@dataclass(frozen=True, slots=True)
class LatestArgs:
    """``/laatste [onderwerp] [aantal]``: the topic text (may be empty) and count."""

    topic: str
    count: int
    # The user asked for more than MAX_LATEST; the reply says so.
    clamped: bool = False


def parse_latest(argument: str) -> LatestArgs:
    """``oekraine 10`` -> topic "oekraine", 10; a bare number is a count for all news."""
    argument = clean(argument)
    if len(argument) > MAX_TERM_CHARS:
        raise ArgError(texts.term_too_long(MAX_TERM_CHARS))
    head, _, last = argument.rpartition(" ")
    candidate = last if last else head
    if candidate.isascii() and candidate.isdigit():
        topic = head if last else ""
        count = int(candidate)
        if count < 1:
            raise ArgError(texts.latest_count_invalid(MAX_LATEST))
        topic = _unquote(topic)
        if count > MAX_LATEST:
            return LatestArgs(topic, MAX_LATEST, clamped=True)
        return LatestArgs(topic, count)
    return LatestArgs(_unquote(argument), DEFAULT_LATEST)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _CLOSERS:
        return clean(text[1:-1])
    return text


def parse_clock(text: str) -> str:
    """``7:05`` / ``07.05`` / ``8 uur`` / ``8u30`` -> ``"HH:MM"``; else an ArgError.

    A bare hour is on the hour; ``24`` and ``24:00`` are midnight (``00:00``).
    """
    match = _CLOCK_RE.fullmatch(text.strip().casefold())
    if match is None:
        raise ArgError(texts.clock_invalid(text))
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour == 24 and minute == 0:
        hour = 0
    if hour > 23 or minute > 59:
        raise ArgError(texts.clock_invalid(text))
    return f"{hour:02d}:{minute:02d}"


def parse_quiet_hours(text: str) -> tuple[str, str]:
    """``23:00-07:00`` / ``23-7`` / ``van 23 tot 7 uur`` -> ``("23:00", "07:00")``.

    The range may wrap midnight; it must not be empty.
    """
    text = text.strip()
    opener = _RANGE_OPENER_RE.match(text)
    parts = _RANGE_SEPARATOR_RE.split(text[opener.end() :] if opener else text)
    if len(parts) != 2 or not all(parts):
        raise ArgError(texts.quiet_range_invalid(text))
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise ArgError(texts.QUIET_EMPTY)
    return start, end


def is_off(argument: str) -> bool:
    """``uit`` (or ``off``/``nee``) switches a setting off."""
    return clean(argument).casefold() in {"uit", "off", "nee", "geen"}


def parse_switch(argument: str, command: str) -> bool:
    """``aan`` -> True, ``uit`` -> False (and their synonyms); else an ArgError for ``/command``."""
    if clean(argument).casefold() in {"aan", "on", "ja", "aanzetten"}:
        return True
    if is_off(argument) or clean(argument).casefold() == "uitzetten":
        return False
    raise ArgError(texts.switch_invalid(argument, command))
