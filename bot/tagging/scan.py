"""One regex pass over a text for both word tables: country aliases and section words.

The country tagger (``countries.find_mentions_folded``) and the section words
(``sections.sections_from_text``) each match a text with one trie regex; on a
news article those two passes are most of what tagging costs. ``scan`` runs
one regex over the union of both tables' keys instead, and ``own_matches``
gives each table exactly the matches its own regex would have found:

* where the union's match is one of the table's own keys (the usual case),
  it is the match the table's regex finds there: both regexes take the longest
  key at a position, and the union holds every key of the table;
* anywhere else (the union matched the other table's key, or a match is cut
  by one taken before it) the table's own regex is tried at each word start
  inside the union's match.

Pure and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from bot.tagging.countries import (
    alias_keys,
    country_pattern,
    is_alias_text,
    lower_same_length,
    trie_regex,
)
from bot.tagging.sections import is_section_text, section_keys, section_pattern

# Where a key can start: not after a word character, and not on a space.
_WORD_START_RE = re.compile(r"(?<!\w)\S")
_ONE_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Scan:
    """A light-folded text in lower case and the union regex's matches over it."""

    lowered: str
    matches: tuple[re.Match[str], ...]


@cache
def _union_pattern() -> re.Pattern[str]:
    words, stems = section_keys()
    keys = sorted(set(alias_keys()) | words | stems)
    return re.compile(r"(?<!\w)(?:" + trie_regex(keys, open_ending=stems) + r")(?!\w)")


def scan(folded: str) -> Scan:
    """The union regex's matches over ``folded`` (text passed through ``light_fold``)."""
    lowered = lower_same_length(folded)
    return Scan(lowered, tuple(_union_pattern().finditer(lowered)))


def own_matches(
    scanned: Scan, pattern: re.Pattern[str], is_own: Callable[[str], bool]
) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(scanned.lowered)`` yields, taken from the union's matches.

    ``pattern`` is one table's regex; ``is_own(text)`` says whether a matched
    text is exactly what that regex would match at the same start.
    """
    lowered = scanned.lowered
    reached = 0  # the end of the last match given
    for match in scanned.matches:
        start, end = match.span()
        if end <= reached:
            continue
        if start >= reached:
            matched = match.group()
            if is_own(matched):
                yield match
                reached = end
                continue
            if _ONE_WORD_RE.fullmatch(matched):
                # One word that is not this table's key hides none of its
                # keys: no key ends inside a word, and a longer one starting
                # here would have been the union's match.
                continue
        # The table's own matches can only start at a word start inside this
        # span: try each (a search could run on to the end of the text).
        for word in _WORD_START_RE.finditer(lowered, max(reached, start), end):
            at = word.start()
            if at < reached:
                continue
            own = pattern.match(lowered, at)
            if own is not None:
                yield own
                reached = own.end()


def country_matches(scanned: Scan) -> Iterator[re.Match[str]]:
    """The country regex's matches (``countries.find_mentions_folded``)."""
    return own_matches(scanned, country_pattern(), is_alias_text)


def section_matches(scanned: Scan) -> Iterator[re.Match[str]]:
    """The section-word regex's matches (``sections.sections_from_text``)."""
    return own_matches(scanned, section_pattern(), is_section_text)
