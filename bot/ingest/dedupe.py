"""De-duplication: one story per event, however many feeds and outlets carry it.

Exact duplicates share an id or a canonical link (NOS files one story under
several sections). Near duplicates are the same story at different outlets:
wire copy under a reworded title, with the lead trimmed or lightly rephrased.

A near duplicate must pass every guard before its score counts, because merging
two different stories hides news while a missed merge only repeats it:

* another outlet (the same outlet publishing again is an update, not a copy);
* published within 48 hours of the story;
* no contradicting dateline city, countries or figures ("13 doden" is not
  "7 doden", and a weekly statistic is not last week's);
* enough rare content words in common (IDF over the recent items).

The score is the IDF-weighted overlap of the content words of title, lead and
the first part of the body, divided by the smaller side (outlets cut leads at
different lengths, so the shorter text is measured against the longer). The
threshold and guard settings were chosen on labelled pairs; see docs/dedupe.md.

Everything here is pure: plain data in, decisions out, no clock and no I/O.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.model import NewsItem
from bot.core.text import fold, stem
from bot.ingest.links import canonical_link

NEAR_WINDOW = timedelta(hours=48)
# Chosen on tests/fixtures/dedupe/pairs.jsonl (docs/dedupe.md has the sweep).
NEAR_THRESHOLD = 0.6
# Shared IDF mass below this many "rare words" (a word seen in one item weighs
# one) is coincidence, whatever the ratio says: two short title-only items can
# overlap "completely" on two everyday words.
MIN_SHARED_RARE = 2.5
# How much of the body joins title and lead: enough to cover a longer lead at
# another outlet, not so much that background paragraphs dominate.
BODY_CHARS = 400
# Candidates come from the postings of an item's rarest terms only (a term in
# more than COMMON_SHARE of the index is too common to find anything), and must
# hold at least PROBE_HITS of them: a rewrite keeps the names and rare words,
# while an unrelated item rarely shares two of another's twelve rarest words.
PROBE_TERMS = 12
PROBE_HITS = 2
COMMON_SHARE = 0.05


class MatchKind(StrEnum):
    NEW = "new"
    EXACT = "exact"
    NEAR = "near"


@dataclass(frozen=True, slots=True)
class Match:
    """What ``StoryIndex.add`` decided: a new story, or a duplicate of one."""

    kind: MatchKind
    duplicate_of: str | None = None
    score: float = 0.0

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of is not None


NEW_STORY = Match(MatchKind.NEW)

# Dutch function words and reporting verbs: frequent in every story, so they
# only dilute the overlap. Folded, as ``fold`` leaves them.
_STOP_WORDS_TEXT = """
    de het een en van in op te dat die is zijn met voor niet aan er ook om als bij door
    naar over uit heeft wordt hij zij ze we nog maar dan of tot al kan meer was werd
    hun haar hem ik je jij u wij mij me ons onze zich dit deze daar hier wat wie waar
    hoe waarom toen nu wel geen na zo moet moeten worden werden hebben had hadden
    zou zouden zal zullen kunnen kon konden mag mogen wil willen wilde doen deed
    gaat gaan ging zegt zeggen zei gezegd meldt melden meldde laat laten liet volgens
    onder tegen tussen sinds tijdens zonder binnen buiten vanaf tot toe nadat omdat
    terwijl want dus echter alleen ook weer al nog even zeer heel veel weinig andere
    ander alle elk elke iets niets iemand niemand men mensen jaar jaren dag dagen
    vandaag gisteren morgen vanochtend vanavond vannacht gisteravond afgelopen
    eerder later nieuwe nieuw eerste laatste grote groot kleine klein goed
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD_RE = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_NUMBER_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_THOUSANDS_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")

NUMBER_WORDS: Mapping[str, str] = {
    "twee": "2", "drie": "3", "vier": "4", "vijf": "5", "zes": "6", "zeven": "7",
    "acht": "8", "negen": "9", "tien": "10", "elf": "11", "twaalf": "12",
    "dertien": "13", "veertien": "14", "vijftien": "15", "zestien": "16",
    "zeventien": "17", "achttien": "18", "negentien": "19", "twintig": "20",
    "dertig": "30", "veertig": "40", "vijftig": "50", "zestig": "60",
    "zeventig": "70", "tachtig": "80", "negentig": "90", "honderd": "100",
    "duizend": "1000",
}  # fmt: skip
# "een" is left out: it is the article far more often than the number.
_AGE_WORD_RE = re.compile(r"^(" + "|".join(NUMBER_WORDS) + r")jarige?$")


def fold_ascii(text: str) -> str:
    """``fold`` for tokenising: the same letters and digits, computed in C.

    Matching only looks at ``[a-z0-9]`` runs, so dropping every other
    non-ASCII character after decomposition changes no token; it is several
    times faster than ``fold`` and indexing is dominated by it.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return decomposed.encode("ascii", "ignore").decode("ascii")


def content_words(text: str) -> list[str]:
    """Folded, stemmed words of ``text`` without stop words or bare numbers."""
    words = []
    # dict.fromkeys: each distinct word is checked and stemmed once, in order.
    for word in dict.fromkeys(_WORD_RE.findall(fold_ascii(text))):
        if (
            word in STOP_WORDS
            or len(word) < 2
            or (word[0].isdigit() and _NUMBER_RE.fullmatch(word))
        ):
            continue
        words.append(stem(word))
    return words


def _number_value(word: str) -> str | None:
    """A number token as a comparable string: ``52.000`` -> ``52000``, ``2,5`` -> ``2.5``."""
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    age = _AGE_WORD_RE.match(word)
    if age:
        return NUMBER_WORDS[age.group(1)]
    if not _NUMBER_RE.fullmatch(word):
        return None
    if _THOUSANDS_RE.fullmatch(word):
        return word.replace(".", "").lstrip("0") or "0"
    whole, _, fraction = word.replace(",", ".").partition(".")
    whole = whole.lstrip("0") or "0"
    return f"{whole}.{fraction}" if fraction else whole


# Words that count things but are also stop words: "vijf jaar" must not count
# under the bare number.
UNIT_WORDS = frozenset({"jaar", "jaren", "dag", "dagen", "mensen", "uur", "keer", "week", "weken"})
# A number (digits, a number word, an age such as "zesjarige") or a road (A50,
# N18), with the word right after it when only a space separates them.
_FIGURE_RE = re.compile(
    r"\b([0-9]+(?:[.,][0-9]+)*|[an][0-9]{1,3}|(?:"
    + "|".join(NUMBER_WORDS)
    + r")(?:jarige?)?)\b(?:[ -]([a-z]+))?"
)
_ROAD_RE = re.compile(r"[an][0-9]{1,3}")


def figures(text: str) -> dict[str, frozenset[str]]:
    """The numbers of ``text`` grouped by the word they count.

    ``13 mijnwerkers`` and ``dertien mijnwerkers`` both give
    ``{"mijnwerker": {"13"}}``; a number not directly followed by a content
    word counts under ``""``; road numbers (A50, N18) under ``"weg"``. Years
    are skipped: stories cite other years for background.
    """
    found: dict[str, set[str]] = {}
    for match in _FIGURE_RE.finditer(fold_ascii(text)):
        word, following = match.group(1), match.group(2) or ""
        if _ROAD_RE.fullmatch(word):
            found.setdefault("weg", set()).add(word)
            continue
        value = _number_value(word)
        if value is None or _is_year(value):
            continue
        if word.endswith("jarig") or word.endswith("jarige") or following.startswith("jarig"):
            unit = "jarig"
        elif (
            following
            and _number_value(following) is None
            and (following not in STOP_WORDS or following in UNIT_WORDS)
        ):
            unit = stem(following)
        else:
            unit = ""
        found.setdefault(unit, set()).add(value)
    return {unit: frozenset(values) for unit, values in found.items()}


def _is_year(value: str) -> bool:
    return value.isdigit() and len(value) == 4 and 1900 <= int(value) <= 2100


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What near-duplicate matching knows about one item."""

    terms: frozenset[str]
    figures: Mapping[str, frozenset[str]]
    city: str | None
    countries: frozenset[str]


def matched_text(item: NewsItem) -> str:
    """Title, lead and the start of the body: the part outlets copy from the wire."""
    return f"{item.title}\n{item.summary}\n{item.text[:BODY_CHARS]}"


def fingerprint(item: NewsItem) -> Fingerprint:
    # Figures come from title and lead only: those carry the story's key facts,
    # while a rewrite may quote a figure from deep in the other outlet's body.
    lead = f"{item.title}\n{item.summary or item.text[:BODY_CHARS]}"
    return Fingerprint(
        terms=frozenset(content_words(matched_text(item))),
        figures=figures(lead),
        city=fold(item.dateline.city) if item.dateline and item.dateline.city else None,
        countries=frozenset(item.countries),
    )


@dataclass
class TermStats:
    """Document frequencies of terms over a set of items, for IDF weights.

    Without any documents every term weighs the same (1.0), which keeps
    ``similarity`` usable on a bare pair.
    """

    documents: int = 0
    frequency: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, prints: Iterable[Fingerprint]) -> TermStats:
        stats = cls()
        for fp in prints:
            stats.add(fp.terms)
        return stats

    def add(self, terms: Iterable[str]) -> None:
        self.documents += 1
        self.frequency.update(terms)

    def remove(self, terms: Iterable[str]) -> None:
        terms = tuple(terms)  # walked twice below
        self.documents -= 1
        self.frequency.subtract(terms)
        for term in terms:
            if self.frequency[term] <= 0:
                del self.frequency[term]

    def weight(self, term: str) -> float:
        """IDF relative to the rarest possible term: 1.0 for a term seen once."""
        if self.documents == 0:
            return 1.0
        # Smoothed so a term unseen in the index also counts as the rarest.
        rarest = math.log((self.documents + 1) / 2) + 1.0
        return (math.log((self.documents + 1) / (self.frequency[term] + 1)) + 1.0) / rarest


@dataclass(frozen=True, slots=True)
class Overlap:
    """Weighted term overlap of two items: what every similarity measure needs."""

    shared: float
    left: float
    right: float

    @property
    def containment(self) -> float:
        """Shared weight over the smaller side (outlets cut leads at different lengths)."""
        smaller = min(self.left, self.right)
        return self.shared / smaller if smaller else 0.0


def overlap(a: Fingerprint, b: Fingerprint, stats: TermStats) -> Overlap:
    return Overlap(
        shared=sum(stats.weight(term) for term in a.terms & b.terms),
        left=sum(stats.weight(term) for term in a.terms),
        right=sum(stats.weight(term) for term in b.terms),
    )


def contradiction(a: Fingerprint, b: Fingerprint) -> str | None:
    """Why two items cannot be the same story whatever their words, or None."""
    if a.city and b.city and a.city != b.city:
        return f"dateline {a.city} vs {b.city}"
    if a.countries and b.countries and not a.countries & b.countries:
        return "no country in common"
    for unit in a.figures.keys() & b.figures.keys():
        if not a.figures[unit] & b.figures[unit]:
            return f"figures for {unit or 'bare number'} differ"
    return None


def similarity(a: NewsItem, b: NewsItem, stats: TermStats | None = None) -> float:
    """Content similarity in [0, 1] of two items, ignoring outlet, time and guards.

    ``stats`` supplies IDF weights (the recent items); without it all terms
    weigh the same.
    """
    return overlap(fingerprint(a), fingerprint(b), stats or TermStats()).containment


def same_story(
    a: NewsItem,
    b: NewsItem,
    stats: TermStats | None = None,
    *,
    threshold: float = NEAR_THRESHOLD,
    min_shared: float = MIN_SHARED_RARE,
) -> bool:
    """The content decision of near matching: guards, shared rare words, score.

    Outlet and time rules are left to ``StoryIndex``; this is what the
    labelled pairs evaluate.
    """
    return (
        _near_score(fingerprint(a), fingerprint(b), stats or TermStats(), threshold, min_shared)
        is not None
    )


def _near_score(
    a: Fingerprint, b: Fingerprint, stats: TermStats, threshold: float, min_shared: float
) -> float | None:
    return _passes(a, b, overlap(a, b, stats), threshold, min_shared)


def _passes(
    a: Fingerprint, b: Fingerprint, found: Overlap, threshold: float, min_shared: float
) -> float | None:
    """The score if the pair is a near duplicate by content, else None."""
    if found.shared < min_shared or found.containment < threshold:
        return None
    if contradiction(a, b) is not None:
        return None
    return found.containment


def merge_exact(a: NewsItem, b: NewsItem) -> NewsItem:
    """One item from two copies of the same item (same id or canonical link).

    The earlier publication is kept as the base; sections, countries and
    other outlets are united in first-seen order.
    """
    first, second = (a, b) if a.published <= b.published else (b, a)
    seen = [t for t in (first.first_seen, second.first_seen) if t is not None]
    return replace(
        first,
        sections=_union(first.sections, second.sections),
        countries=_union(first.countries, second.countries),
        also_at=tuple(
            s for s in _union(first.also_at, second.also_at, (second.source,)) if s != first.source
        ),
        first_seen=min(seen) if seen else None,
    )


def _union(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for group in groups for value in group))


@dataclass(slots=True)
class _Entry:
    key: int
    story: str
    source: str
    published: datetime
    fingerprint: Fingerprint
    aliases: list[str]


class StoryIndex:
    """Recent items' fingerprints with an inverted index, to assign stories fast.

    ``add`` answers against everything added and not yet evicted. The oldest
    item of a story is its canonical id; later duplicates are indexed too (a
    third outlet may copy the second more closely than the first) but point to
    the canonical id.
    """

    def __init__(
        self,
        *,
        threshold: float = NEAR_THRESHOLD,
        min_shared: float = MIN_SHARED_RARE,
        window: timedelta = NEAR_WINDOW,
    ) -> None:
        self.threshold = threshold
        self.min_shared = min_shared
        self.window = window
        self.stats = TermStats()
        self._entries: dict[int, _Entry] = {}
        self._postings: dict[str, set[int]] = {}
        self._aliases: dict[str, int] = {}  # ids and canonical links
        self._sources: dict[str, set[str]] = {}  # story id -> its outlets
        self._by_age: list[tuple[datetime, int]] = []
        self._next_key = 0

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, item: NewsItem) -> Match:
        """Decide whether ``item`` is a new story, then remember it.

        An item that already names its story (``duplicate_of``, as stored items
        do when the index is rebuilt) joins that story if it is still indexed.
        """
        link = canonical_link(item.link) if item.link else ""
        for alias in (item.id, link):
            key = self._aliases.get(alias) if alias else None
            if key is not None:
                story = self._entries[key].story
                self._remember_aliases(key, item.id, link)
                self._sources[story].add(item.source)
                return Match(MatchKind.EXACT, story, 1.0)
        fp = fingerprint(item)
        if item.duplicate_of is not None and item.duplicate_of in self._aliases:
            # Re-seeding from the store after a restart: keep the recorded story.
            story = self._entries[self._aliases[item.duplicate_of]].story
            self.stats.add(fp.terms)
            self._insert(item, fp, story, link)
            return Match(MatchKind.NEAR, story)
        # Counted before scoring, as in the evaluation: a term only this item
        # has is rare (document frequency 1), not unknown.
        self.stats.add(fp.terms)
        best = self._best_near(item, fp)
        story = best.duplicate_of if best and best.duplicate_of else item.id
        self._insert(item, fp, story, link)
        return best or NEW_STORY

    def evict(self, before: datetime) -> int:
        """Forget items published before ``before``; returns how many went."""
        gone = 0
        while self._by_age and self._by_age[0][0] < before:
            _, key = heapq.heappop(self._by_age)
            entry = self._entries.pop(key)
            for term in entry.fingerprint.terms:
                postings = self._postings[term]
                postings.discard(key)
                if not postings:
                    del self._postings[term]
            self.stats.remove(entry.fingerprint.terms)
            for alias in entry.aliases:
                if self._aliases.get(alias) == key:
                    del self._aliases[alias]
            gone += 1
        live = {entry.story for entry in self._entries.values()}
        for story in self._sources.keys() - live:
            del self._sources[story]
        return gone

    def _best_near(self, item: NewsItem, fp: Fingerprint) -> Match | None:
        # The same numbers as ``overlap``, computed lazily: weights are memoised
        # for this call and a candidate's own total is only summed once its
        # shared weight has passed the floor (most candidates stop before).
        memo: dict[str, float] = {}

        def weight(term: str) -> float:
            found = memo.get(term)
            if found is None:
                found = memo[term] = self.stats.weight(term)
            return found

        own = sum(weight(term) for term in fp.terms)
        best: Match | None = None
        for key in self._candidates(fp):
            entry = self._entries[key]
            if item.source in self._sources[entry.story]:
                continue  # the outlet already has this story: an update, not a copy
            if abs(entry.published - item.published) > self.window:
                continue
            common = fp.terms & entry.fingerprint.terms
            if len(common) < self.min_shared:  # no term weighs more than 1.0
                continue
            shared = sum(weight(term) for term in common)
            if shared < self.min_shared:
                continue
            other = sum(weight(term) for term in entry.fingerprint.terms)
            score = _passes(
                fp, entry.fingerprint, Overlap(shared, own, other), self.threshold, self.min_shared
            )
            if score is not None and (best is None or score > best.score):
                best = Match(MatchKind.NEAR, entry.story, round(score, 3))
        return best

    def _candidates(self, fp: Fingerprint) -> list[int]:
        limit = max(10, int(COMMON_SHARE * len(self._entries)))
        probes = sorted(
            (term for term in fp.terms if term in self._postings),
            key=lambda term: len(self._postings[term]),
        )[:PROBE_TERMS]
        hits: Counter[int] = Counter()
        for term in probes:
            postings = self._postings[term]
            if len(postings) > limit:
                break  # sorted by length: the rest are at least as common
            hits.update(postings)
        return [key for key, count in hits.items() if count >= PROBE_HITS]

    def _insert(self, item: NewsItem, fp: Fingerprint, story: str, link: str) -> None:
        key = self._next_key
        self._next_key += 1
        self._entries[key] = _Entry(key, story, item.source, item.published, fp, [])
        for term in fp.terms:
            self._postings.setdefault(term, set()).add(key)
        self._remember_aliases(key, item.id, link)
        self._sources.setdefault(story, set()).add(item.source)
        heapq.heappush(self._by_age, (item.published, key))

    def _remember_aliases(self, key: int, *aliases: str) -> None:
        for alias in aliases:
            if alias and alias not in self._aliases:
                self._aliases[alias] = key
                self._entries[key].aliases.append(alias)
