"""What the chat handlers need from tagging: resolving terms, labels, popular follows.

A thin adapter over :mod:`bot.tagging` so the handlers deal with three
outcomes only: resolved, a choice to offer as buttons, or rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.important import important_key, is_important_key
from bot.core.model import FollowKey, FollowKind
from bot.core.text import fold
from bot.tagging import SECTIONS, country, section
from bot.tagging.resolve import (
    Ambiguous,
    Rejected,
    Resolved,
    Suggestions,
    resolve,
)
from bot.texts.topics import IMPORTANT_LABEL
from handlers.args import Term

__all__ = [
    "Choice",
    "Rejected",
    "Resolved",
    "find_followed",
    "interpret",
    "keyword_key",
    "labelled",
    "popular",
    "section_choices",
]

# The start keyboard: what most readers of Dutch news follow first.
POPULAR: tuple[FollowKey, ...] = (
    FollowKey(FollowKind.SECTION, "binnenland"),
    FollowKey(FollowKind.SECTION, "buitenland"),
    FollowKey(FollowKind.SECTION, "politiek"),
    FollowKey(FollowKind.SECTION, "economie"),
    FollowKey(FollowKind.SECTION, "sport"),
    FollowKey(FollowKind.SECTION, "tech"),
    FollowKey(FollowKind.COUNTRY, "UA"),
    FollowKey(FollowKind.COUNTRY, "US"),
    important_key(),
)


@dataclass(frozen=True, slots=True)
class Choice:
    """The term is unclear: offer ``options`` as buttons.

    ``question`` is the tagging core's Dutch question for an ambiguous word, or
    empty for a near miss (the handler then asks "Bedoel je ...?").
    """

    term: str
    options: tuple[FollowKey, ...]
    question: str = ""


Outcome = Resolved | Choice | Rejected


def interpret(term: Term) -> Outcome:
    """What a typed term asks to follow; quoted terms are always keywords."""
    resolution = resolve(f'"{term.text}"' if term.quoted else term.text)
    if isinstance(resolution, Suggestions):
        return Choice(resolution.term, resolution.options)
    if isinstance(resolution, Ambiguous):
        return Choice(resolution.term, resolution.options, resolution.question)
    return resolution


def popular() -> tuple[FollowKey, ...]:
    return tuple(key for key in map(labelled, POPULAR) if key is not None)


def section_choices() -> list[tuple[str, str]]:
    """(slug, label) of every section, in vocabulary order."""
    return [(entry.slug, entry.label) for entry in SECTIONS]


def labelled(key: FollowKey) -> FollowKey | None:
    """``key`` with its display label, or None if it names no known section/country.

    Used for keys that arrive in callback data, which must not be trusted: a
    keyword must be one that typing it quoted after /volg would follow (no stop
    word, no empty or over-long text), exactly as stored.
    """
    try:
        if is_important_key(key):
            return important_key(IMPORTANT_LABEL)
        if key.kind is FollowKind.SECTION:
            return FollowKey(key.kind, key.value, section(key.value).label)
        if key.kind is FollowKind.COUNTRY:
            return FollowKey(key.kind, key.value, country(key.value).name)
    except KeyError:
        return None
    typed = interpret(Term(key.value, quoted=True))
    if isinstance(typed, Resolved) and typed.key == key:
        return FollowKey(key.kind, key.value, key.label or key.value)
    return None


def keyword_key(text: str) -> FollowKey:
    """``text`` as a keyword, for /laatste topics that name no country or section."""
    return FollowKey(FollowKind.KEYWORD, fold(text), " ".join(text.split()))


def find_followed(term: Term, follows: Sequence[FollowKey]) -> FollowKey | None:
    """Which of the chat's follows ``term`` names: by resolution, label or value."""
    outcome = interpret(term)
    candidates: tuple[FollowKey, ...] = ()
    if isinstance(outcome, Resolved):
        candidates = (outcome.key,)
    elif isinstance(outcome, Choice):
        candidates = outcome.options
    followed = [key for key in follows if key in candidates]
    if len(followed) == 1:
        return followed[0]
    folded = fold(term.text)
    return next(
        (key for key in follows if folded in (fold(key.label), fold(key.value))),
        None,
    )
