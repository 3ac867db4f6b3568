"""Checks on a feed document before feedparser sees it.

Two defences against hostile feeds (issue 11):

* Entity declarations are refused. feedparser keeps "safe" entities of a DTD
  internal subset and expands them itself, without limit, when it falls back
  to its loose parser: 100 KB of body became 650 MB. A document whose prolog
  declares an entity or has an internal subset is refused; an ordinary
  ``<!DOCTYPE rss PUBLIC …>`` (old RSS 0.91 feeds) is fine.
* At most ``PARSE_ENTRY_LIMIT`` entries reach feedparser: a document with
  more is cut before the next entry and its open elements are closed, so
  feedparser never builds 100,000 dicts. ``newest_entries`` then keeps the
  ``MAX_ENTRIES`` newest of what was parsed.

Both look at the document as feedparser will decode it (its own
``convert_to_utf8``, with the HTTP charset, BOMs and UTF-16/32 sniffing), so
an encoding trick cannot hide a declaration from the check but not from the
parser.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from feedparser.encodings import convert_to_utf8

from bot.core.feed_failure import FailureKey, FeedFailure
from bot.core.model import RawEntry
from bot.ingest.errors import FeedError

# Entries kept per feed per fetch (the newest). Real feeds list 10 to 100.
MAX_ENTRIES = 200
# Entries feedparser is given at most. Above MAX_ENTRIES so that a feed listed
# oldest first still yields its newest MAX_ENTRIES when it has up to this many.
PARSE_ENTRY_LIMIT = 2 * MAX_ENTRIES

# feedparser's prolog ("head") ends at the first "<" followed by an ASCII word
# character; a prolog scanned up to the same point covers what it reads.
_ELEMENT_START = re.compile(rb"<[A-Za-z0-9_]")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# An RSS <item> or Atom <entry> (any namespace prefix), or the start of a
# comment or CDATA section, whose text is skipped when entries are counted.
_ENTRY_OR_SKIPPED = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s/>])|(?P<comment><!--)|(?P<cdata><!\[CDATA\[)"
)
# The rest of a declaration after "<!DOCTYPE": the "[" of an internal subset or
# its closing ">", whichever comes first outside quoted literals.
_DECLARATION_REST = re.compile(rb"""(?:[^\[>"']|"[^"]*"|'[^']*')*+(?P<next>[\[>])""")
_MARKUP = re.compile(
    rb"<!--.*?-->"
    rb"|<!\[CDATA\[.*?\]\]>"
    rb"|<\?.*?\?>"
    rb"|<![^>]*>"
    rb"|</(?P<end>[^\s>]+)\s*>"
    rb"|<(?P<start>[A-Za-z_][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?P<empty>/?)>",
    re.DOTALL,
)


class UnsafeFeedError(FeedError):
    """The document was refused unparsed: it could make the parser take too much."""


def prepare(
    body: bytes, headers: Mapping[str, str], *, feed: str
) -> tuple[bytes, dict[str, str], int]:
    """What to give feedparser for ``body``: (document, headers, entries in the body).

    Raises :class:`UnsafeFeedError` for entity declarations. The body and
    headers come back unchanged unless the body holds more than
    ``PARSE_ENTRY_LIMIT`` entries; then it comes back cut, as UTF-8.
    """
    text = utf8_view(body, headers)
    problem = prolog_problem(text)
    if problem is not None:
        key = (
            FailureKey.DTD_INTERNAL_SUBSET
            if problem == "DTD internal subset"
            else FailureKey.ENTITY_DECLARATION
        )
        raise UnsafeFeedError(feed, FeedFailure(key))
    cut = cut_entries(text, PARSE_ENTRY_LIMIT)
    if cut is None:
        return body, dict(headers), 0
    document, total = cut
    return document, _as_utf8(headers), total


def utf8_view(body: bytes, headers: Mapping[str, str]) -> bytes:
    """The document as feedparser will parse it: decoded its way, as UTF-8."""
    scratch: dict[str, Any] = {}
    converted: bytes = convert_to_utf8(dict(headers), body, scratch)
    return converted


def prolog_problem(text: bytes) -> str | None:
    """Why the prolog of ``text`` (ASCII-compatible bytes) is refused, or None.

    The prolog is everything before the root element, comments and processing
    instructions skipped. Refused: an entity declaration anywhere in it (also
    inside a comment: feedparser's own entity search does not skip comments)
    and a DOCTYPE with an internal subset.
    """
    end = _prolog_end(text)
    prolog = text[:end]
    if _ENTITY_DECLARATION.search(prolog):
        return "entity declaration"
    position = 0
    while (doctype := _DOCTYPE.search(prolog, position)) is not None:
        if _in_comment(prolog, doctype.start()):
            position = doctype.end()
            continue
        if _declaration_has_subset(prolog, doctype.end()):
            return "DTD internal subset"
        position = doctype.end()
    return None


def cut_entries(text: bytes, limit: int) -> tuple[bytes, int] | None:
    """``text`` cut before its entry number ``limit + 1``, open elements closed.

    Returns the cut document and how many entry start tags the whole text
    has, or None when it has no more than ``limit``. The elements left open
    are those around the first entry: entries are siblings in RSS and Atom.
    """
    starts = _entry_starts(text)
    first = next(starts, None)
    beyond = next(itertools.islice(starts, limit - 1, None), None)
    if first is None or beyond is None:
        return None
    total = limit + 1 + sum(1 for _ in starts)
    closing = b"".join(b"</" + name + b">" for name in reversed(_open_elements(text, first)))
    return text[:beyond] + closing, total


def newest_entries(entries: Sequence[RawEntry], limit: int = MAX_ENTRIES) -> list[RawEntry]:
    """The ``limit`` newest entries, in feed order; undated ones count as oldest."""
    if len(entries) <= limit:
        return list(entries)
    ranked = sorted(
        range(len(entries)),
        key=lambda i: (entries[i].published is not None, _timestamp(entries[i].published)),
        reverse=True,
    )
    # sorted() is stable, and reverse keeps equal keys in order: among equal
    # dates the earlier entries of the feed win.
    kept = sorted(ranked[:limit])
    return [entries[i] for i in kept]


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0


def _prolog_end(text: bytes) -> int:
    position = 0
    while True:
        start = _ELEMENT_START.search(text, position)
        if start is None:
            return len(text)
        skip_to = _end_of_enclosing_comment_or_instruction(text, start.start())
        if skip_to is None:
            return start.start()
        position = skip_to


def _end_of_enclosing_comment_or_instruction(text: bytes, at: int) -> int | None:
    """Where the comment or processing instruction around ``at`` ends, else None."""
    comment = text.rfind(b"<!--", 0, at)
    if comment >= 0 and text.find(b"-->", comment + 4, at) < 0:
        close = text.find(b"-->", at)
        return len(text) if close < 0 else close + 3
    instruction = text.rfind(b"<?", 0, at)
    if instruction >= 0 and text.find(b"?>", instruction + 2, at) < 0:
        close = text.find(b"?>", at)
        return len(text) if close < 0 else close + 2
    return None


def _in_comment(text: bytes, at: int) -> bool:
    comment = text.rfind(b"<!--", 0, at)
    return comment >= 0 and text.find(b"-->", comment + 4, at) < 0


def _declaration_has_subset(text: bytes, position: int) -> bool:
    """Does the declaration continuing at ``position`` open ``[`` before its ``>``?"""
    rest = _DECLARATION_REST.match(text, position)
    return rest is not None and rest["next"] == b"["


def _entry_starts(text: bytes) -> Iterator[int]:
    """Offsets of the entry start tags of ``text``, outside comments and CDATA."""
    position = 0
    while (found := _ENTRY_OR_SKIPPED.search(text, position)) is not None:
        if found["comment"] is not None:
            close = text.find(b"-->", found.end())
        elif found["cdata"] is not None:
            close = text.find(b"]]>", found.end())
        else:
            yield found.start()
            position = found.end()
            continue
        if close < 0:
            return
        position = close + 3


def _open_elements(text: bytes, until: int) -> list[bytes]:
    """Names of the elements open at ``until`` (outermost first)."""
    stack: list[bytes] = []
    for match in _MARKUP.finditer(text, 0, until):
        if match["start"] is not None and not match["empty"]:
            stack.append(match["start"])
        elif match["end"] is not None and match["end"] in stack:
            del stack[len(stack) - 1 - stack[::-1].index(match["end"]) :]
    return stack


def _as_utf8(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` with the Content-Type charset set to UTF-8 (for a cut document)."""
    result = dict(headers)
    content_type = result.get("content-type")
    if content_type is not None:
        media_type = content_type.split(";", 1)[0].strip()
        result["content-type"] = f"{media_type}; charset=utf-8"
    return result
