"""Sections: a fixed vocabulary, and which of them an item belongs to.

Evidence, strongest first: the feed's configured section(s), the feed's own
categories, a section named in the article URL path (``/buitenland/``), and,
only for items of general feeds with none of these, words in the text. Where an
item is set (a foreign dateline or a foreign main subject makes it buitenland)
is decided by the caller from the country tagger and passed in.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from bot.core.text import fold
from bot.tagging.countries import lower_same_length, trie_regex

# A topical section needs this many word hits in a general item's text before
# it is assigned; two stray words ("euro", "film") in an article are not a topic.
MIN_TEXT_HITS = 3
# ... but a short item (a title and a one-paragraph lead, as NU.nl and regional
# feeds publish) has room for only a few words: two hits there are a topic.
SHORT_TEXT_CHARS = 400
MIN_TEXT_HITS_SHORT = 2
_WORD_CHARS_RE = re.compile(r"\w*")
# A decisive word (``decisive`` in sections.toml: "eredivisie", "doelpunt")
# names its section on its own: it counts as this many hits.
DECISIVE_HITS = MIN_TEXT_HITS
# A second topical section is kept when it scores at least this share of the best.
SECOND_SECTION_SHARE = 0.8
# Sections that describe where a story is set rather than what it is about.
GEOGRAPHIC = frozenset({"binnenland", "buitenland", "regionaal"})
# Sports news from abroad is sport, not buitenland, in Dutch newsrooms.
NOT_BUITENLAND = frozenset({"sport"})
# Only the first path segments of a URL name a section; later ones are slugs.
URL_SEGMENTS_CHECKED = 2


@dataclass(frozen=True, slots=True)
class Section:
    slug: str
    label: str


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    sections: tuple[Section, ...]
    aliases: dict[str, str]  # folded feed/category/URL word -> slug
    general: frozenset[str]  # folded labels of general feeds
    word_pattern: re.Pattern[str]
    words: dict[str, str]  # folded word (or stem without "*") -> slug
    stems: dict[str, str]  # folded stem (word without "*") -> slug
    longest_stem: int  # letters of the longest stem
    decisive: frozenset[str]  # folded words and stems that name their section alone
    user_words: dict[str, str]  # folded word a user may type -> slug


@cache
def _vocabulary() -> _Vocabulary:
    raw = resources.files("bot.tagging").joinpath("data/sections.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    sections = tuple(Section(entry["slug"], entry["label"]) for entry in data["section"])
    aliases: dict[str, str] = {}
    words: dict[str, str] = {}
    stems: list[tuple[str, str]] = []
    user_words: dict[str, str] = {}
    decisive: set[str] = set()
    for entry in data["section"]:
        for word in (entry["slug"], entry["label"], *entry["user_words"]):
            user_words[fold(word)] = entry["slug"]
        aliases[fold(entry["slug"])] = entry["slug"]
        for alias in entry["aliases"]:
            aliases[fold(alias)] = entry["slug"]
        decisive.update(fold(word.rstrip("*")) for word in entry.get("decisive", ()))
        for word in (*entry["words"], *entry.get("decisive", ())):
            if word.endswith("*"):
                stems.append((fold(word[:-1]), entry["slug"]))
            else:
                words[fold(word)] = entry["slug"]
    stem_keys = frozenset(stem for stem, _ in stems)
    regex = trie_regex(sorted(set(words) | stem_keys), open_ending=stem_keys)
    pattern = re.compile(r"(?<!\w)(?:" + regex + r")(?!\w)")
    return _Vocabulary(
        sections=sections,
        aliases=aliases,
        general=frozenset(fold(label) for label in data["general"]["aliases"]),
        word_pattern=pattern,
        words=words,
        stems=dict(stems),
        longest_stem=max((len(stem) for stem, _ in stems), default=0),
        decisive=frozenset(decisive),
        user_words=user_words,
    )


def all_sections() -> tuple[Section, ...]:
    return _vocabulary().sections


def section(slug: str) -> Section:
    """The section with this slug; ``KeyError`` if it is not in the vocabulary."""
    for entry in _vocabulary().sections:
        if entry.slug == slug:
            return entry
    raise KeyError(slug)


def user_section_words() -> dict[str, str]:
    """Folded words a user may type for a section (slug, label, synonyms) -> slug."""
    return dict(_vocabulary().user_words)


def section_for_label(label: str) -> str | None:
    """The slug a feed label, category or URL segment names, if any."""
    return _vocabulary().aliases.get(fold(label.replace("_", " ")))


def is_general_label(label: str) -> bool:
    return fold(label) in _vocabulary().general


def sections_from_labels(labels: Iterable[str]) -> set[str]:
    found = set()
    for label in labels:
        slug = section_for_label(label)
        if slug is not None:
            found.add(slug)
    return found


def sections_from_url(link: str | None) -> set[str]:
    if not link:
        return set()
    try:
        path = urlsplit(link).path
    except ValueError:  # "http://[nos.nl/a": not a URL we can read sections from
        return set()
    segments = [part for part in path.split("/") if part]
    return sections_from_labels(segments[:URL_SEGMENTS_CHECKED])


def section_keys() -> tuple[frozenset[str], frozenset[str]]:
    """The section regex's whole words and its stems (which match with any ending)."""
    vocabulary = _vocabulary()
    return frozenset(vocabulary.words), frozenset(vocabulary.stems)


def section_pattern() -> re.Pattern[str]:
    """The section-word regex, over light-folded lower-case text."""
    return _vocabulary().word_pattern


def is_section_text(matched: str) -> bool:
    """Whether ``matched`` (lower case) is all the section regex matches at its start."""
    vocabulary = _vocabulary()
    slug, key = _slug_of_word(matched, vocabulary)
    if slug is None:
        return False
    return len(key) == len(matched) or _WORD_CHARS_RE.fullmatch(matched, len(key)) is not None


def sections_from_text(
    title: str, text: str, *, matches: Iterable[re.Match[str]] | None = None
) -> list[str]:
    """Topical sections the words of a text vote for, best first.

    Title and text must have passed through ``countries.light_fold``.
    ``matches``: the section regex's matches over title and text in lower
    case, if the caller has them (``bot.tagging.scan``).
    """
    vocabulary = _vocabulary()
    votes: Counter[str] = Counter()
    distinct: dict[str, set[str]] = {}
    length = len(title) + 1 + len(text)
    if matches is None:
        matches = vocabulary.word_pattern.finditer(lower_same_length(f"{title}\n{text}"))
    decided: set[str] = set()
    for match in matches:
        slug, key = _slug_of_word(match.group(), vocabulary)
        if slug is not None:
            votes[slug] += 1
            distinct.setdefault(slug, set()).add(match.group())
            if key in vocabulary.decisive:
                decided.add(slug)
    if length < SHORT_TEXT_CHARS:
        # In a short item a repeated word is style, not topic: count distinct words.
        votes = Counter({slug: len(words) for slug, words in distinct.items()})
        needed = MIN_TEXT_HITS_SHORT
    else:
        needed = MIN_TEXT_HITS
    for slug in decided:
        votes[slug] = max(votes[slug], DECISIVE_HITS)
    ranked = votes.most_common()
    if not ranked or ranked[0][1] < needed:
        return []
    best = ranked[0][1]
    return [
        slug for slug, hits in ranked[:2] if hits >= needed and hits >= best * SECOND_SECTION_SHARE
    ]


def _slug_of_word(word: str, vocabulary: _Vocabulary) -> tuple[str | None, str]:
    """The section a matched word votes for, and the vocabulary entry it matched."""
    if word in vocabulary.words:
        return vocabulary.words[word], word
    known = _STEM_OF_WORD.get(word)
    if known is not None:
        return known
    if len(_STEM_OF_WORD) >= _STEMS_KEPT:
        _STEM_OF_WORD.clear()
    # The regex matched a stem, possibly plus an ending: the longest known prefix
    # (the whole word included: "voetbal" for "voetbal*") is the stem.
    found: tuple[str | None, str] = (None, word)
    for length in range(min(len(word), vocabulary.longest_stem), 0, -1):
        slug = vocabulary.stems.get(word[:length])
        if slug is not None:
            found = (slug, word[:length])
            break
    _STEM_OF_WORD[word] = found
    return found


# Matched word -> its stem's section and the stem, for words matched lately
# (most recur; the prefix search is the costliest step). Cleared when full.
_STEM_OF_WORD: dict[str, tuple[str | None, str]] = {}
_STEMS_KEPT = 50_000


def infer_sections(
    title: str,
    text: str,
    *,
    link: str | None,
    feed_sections: Sequence[str],
    categories: Sequence[str],
    foreign: bool | None,
    matches: Iterable[re.Match[str]] | None = None,
) -> tuple[str, ...]:
    """Sections of one item, in vocabulary order. Title and text must be light-folded.

    ``foreign``: the item has a foreign dateline or a foreign main subject; None
    when that cannot be told (a dateline city the gazetteer does not know).
    ``matches``: as for :func:`sections_from_text`.
    """
    general = not feed_sections or any(is_general_label(label) for label in feed_sections)
    found = sections_from_labels(feed_sections) | sections_from_labels(categories)
    found |= sections_from_url(link)
    inferred = general and not found
    if inferred:
        found.update(sections_from_text(title, text, matches=matches))
    if foreign and not found & NOT_BUITENLAND:
        found.add("buitenland")
    elif foreign is False and inferred and not found & (GEOGRAPHIC | NOT_BUITENLAND):
        # A general Dutch feed's story that is not set abroad is domestic news.
        found.add("binnenland")
    order = {entry.slug: index for index, entry in enumerate(_vocabulary().sections)}
    return tuple(sorted(found, key=order.__getitem__))
