"""Understanding what users type after ``/volg``: a country, a section or a keyword.

``resolve("oekraine")`` finds the country Oekraïne by its name, slug, variants,
adjectives or inhabitants; ``resolve("geld")`` the section economie; any other
sensible word or quoted phrase becomes a literal keyword (never a regex). A near
miss of a country or section name ("oekrane") gives suggestions and a word with
two readings ("georgia") a question, so a typo never silently follows the wrong
thing. Cities and regions are not resolved to their country: "/volg amsterdam"
means news that names Amsterdam, not all Dutch news. A country that rarely
makes the news (a minor territory such as Jersey, matched by its name only) is
resolved with ``rare`` set, so the handler can say not to expect much.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.core.important import important_key
from bot.core.keywords import KEYWORD_MAX_CHARS as KEYWORD_MAX_CHARS
from bot.core.keywords import KEYWORD_MIN_CHARS as KEYWORD_MIN_CHARS
from bot.core.keywords import RejectReason as RejectReason
from bot.core.model import FollowKey, FollowKind
from bot.core.text import fold
from bot.tagging.gazetteer import countries, country
from bot.tagging.sections import section, user_section_words
from bot.texts.topics import IMPORTANT_LABEL, IMPORTANT_WORDS, ambiguous_question

MAX_SUGGESTIONS = 4
# Edit distance allowed for a near miss, by length of the folded term: short words
# are too easily one edit away from another real word ("mail" -> Mali).
NEAR_MISS_MIN_CHARS = 5
LONG_TERM_CHARS = 9
_QUOTES = "\"'“”„‘’«»"


@dataclass(frozen=True, slots=True)
class Resolved:
    key: FollowKey
    # A country that rarely makes the news (``minor`` in the country table):
    # following it is fine, but the user should not expect much.
    rare: bool = False


@dataclass(frozen=True, slots=True)
class Suggestions:
    """A near miss: the closest countries/sections, best first, then the keyword."""

    term: str
    options: tuple[FollowKey, ...]


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A word with several readings; ``question`` is Dutch, for the user."""

    term: str
    question: str
    options: tuple[FollowKey, ...]


@dataclass(frozen=True, slots=True)
class Rejected:
    term: str
    reason: RejectReason


Resolution = Resolved | Suggestions | Ambiguous | Rejected


@dataclass(frozen=True, slots=True)
class _Index:
    keys: dict[str, FollowKey]  # folded country/section word -> key
    ambiguous: dict[str, tuple[str, ...]]
    stop_words: frozenset[str]


@cache
def _index() -> _Index:
    keys: dict[str, FollowKey] = {}
    for slug_word, slug in user_section_words().items():
        keys[slug_word] = FollowKey(FollowKind.SECTION, slug, section(slug).label)
    # belangrijk: a follow of the section kind that no item is tagged with (the
    # poll cycle routes important stories to it; bot.stories.important).
    for word in IMPORTANT_WORDS:
        keys[fold(word)] = important_key(IMPORTANT_LABEL)
    # Countries after sections: "nederland" is the country, not binnenland.
    for entry in countries():
        key = FollowKey(FollowKind.COUNTRY, entry.code, entry.name)
        words = (entry.name, entry.slug, *entry.variants, *entry.adjectives, *entry.inhabitants)
        for word in map(fold, words):
            existing = keys.get(word)
            if existing is None or existing.kind is not FollowKind.COUNTRY:
                keys[word] = key
    raw = resources.files("bot.tagging").joinpath("data/resolve.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    return _Index(
        keys=keys,
        ambiguous={word: tuple(options) for word, options in data["ambiguous"].items()},
        stop_words=frozenset(data["stop_words"]["words"]),
    )


def resolve(term: str) -> Resolution:
    """What ``term`` (as typed after /volg) asks to follow."""
    stripped = term.strip()
    quoted = _unquote(stripped)
    if quoted is not None:
        return _keyword(quoted)
    folded = fold(stripped)
    index = _index()
    if folded in index.ambiguous:
        return _ambiguous(stripped, index.ambiguous[folded])
    if folded in index.keys:
        key = index.keys[folded]
        return Resolved(key, rare=key.kind is FollowKind.COUNTRY and country(key.value).minor)
    keyword = _keyword(stripped)
    if not isinstance(keyword, Resolved):
        return keyword
    near = _near_misses(folded, index)
    if near:
        return Suggestions(stripped, (*near, keyword.key))
    return keyword


def _unquote(term: str) -> str | None:
    if len(term) >= 2 and term[0] in _QUOTES and term[-1] in _QUOTES:
        return term[1:-1].strip()
    return None


def _keyword(term: str) -> Resolved | Rejected:
    value = fold(term)
    if not value:
        return Rejected(term, RejectReason.EMPTY)
    if not any(char.isalnum() for char in value):
        return Rejected(term, RejectReason.NO_LETTERS)
    if len(value) < KEYWORD_MIN_CHARS:
        return Rejected(term, RejectReason.TOO_SHORT)
    if len(value) > KEYWORD_MAX_CHARS:
        return Rejected(term, RejectReason.TOO_LONG)
    if all(word in _index().stop_words for word in value.split()):
        return Rejected(term, RejectReason.STOP_WORD)
    return Resolved(FollowKey(FollowKind.KEYWORD, value, " ".join(term.split())))


def _ambiguous(term: str, options: tuple[str, ...]) -> Ambiguous:
    keys = []
    for option in options:
        if option == "keyword":
            keys.append(FollowKey(FollowKind.KEYWORD, fold(term), term))
            continue
        kind, _, value = option.partition(":")
        if kind == FollowKind.COUNTRY:
            keys.append(FollowKey(FollowKind.COUNTRY, value, country(value).name))
        else:
            keys.append(FollowKey(FollowKind.SECTION, value, section(value).label))
    return Ambiguous(term, ambiguous_question(term, keys), tuple(keys))


def _near_misses(folded: str, index: _Index) -> tuple[FollowKey, ...]:
    if len(folded) < NEAR_MISS_MIN_CHARS:
        return ()
    limit = 1 if len(folded) < LONG_TERM_CHARS else 2
    scored: dict[FollowKey, int] = {}
    for word, key in index.keys.items():
        if abs(len(word) - len(folded)) > limit:
            continue
        distance = edit_distance(folded, word, limit)
        if distance <= limit and distance < scored.get(key, limit + 1):
            scored[key] = distance
    ranked = sorted(scored, key=lambda key: (scored[key], key.label))
    return tuple(ranked[:MAX_SUGGESTIONS])


def edit_distance(left: str, right: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit).

    Stops early and returns ``limit + 1`` once every path exceeds ``limit``.
    """
    previous2: list[int] = []
    previous = list(range(len(right) + 1))
    for i, left_char in enumerate(left, 1):
        current = [i] + [0] * len(right)
        for j, right_char in enumerate(right, 1):
            cost = 0 if left_char == right_char else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left_char == right[j - 2] and left[i - 2] == right_char:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
