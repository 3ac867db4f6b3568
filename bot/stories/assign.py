"""Online story assignment: each item joins the best recent story or starts one.

A story is one news event (docs/stories.md has the rules and the data the
settings were chosen on). Items arrive one at a time; ``StoryAssigner.assign``
answers with a story id and remembers the item:

1. An item already seen (same id) keeps its story.
2. A wire copy (``duplicate_of`` names an item still in the window) joins that
   item's story: wire-copy merging happens before, in ``bot.ingest.dedupe``.
   So does the same article under a new headline (its link names the same
   outlet article number, its lead is unchanged; never a live blog).
3. Otherwise the item is compared with the recent items that share its rarest
   terms (an inverted index keeps that to a few candidates) and joins the
   story of the best one whose similarity clears the bar for their time gap;
   else it starts a story whose id is its own id.

Similarity is the IDF-weighted containment of the two items' terms (headline
and lead, compounds split into the parts the window knows; see ``terms.py``):
the weight both share over the weight of the smaller one. At least one shared
term must be distinctive (held by few items of the window): the words of a
dossier that runs all week ("Rutte", "kabinet") are shared by its reactions,
analyses and next steps, not only by its reports. The two headlines must share
a term: a piece whose headline shares none with a report's is about another
happening of the day. The bar rises with the time between the two items: the
same dossier on another day (a motion on Monday, the minister complying on
Tuesday) shares many words with yesterday's story, and only a much closer
match is the same event. It stops rising at a ceiling: a report that repeats
most of another's weight is the same event within the whole window. A feature
(opinion, analysis, explainer; see ``kinds.py``) never joins news and news
never joins a feature; a feature only joins a near-verbatim copy of itself.

State is rebuilt after a restart by ``seed`` with the stored items and the
stories they were given, so a story keeps its id. Items leave the window by
their time (``evict``, and automatically behind the newest arrival seen).

Pure: no clock, no I/O; the same items in the same order give the same ids.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.model import NewsItem
from bot.stories.kinds import Kind
from bot.stories.terms import TITLE_BOOST, Profile, compound_parts, profile

# Kinds that may share a story: reports (news and live blogs) join each other;
# a feature joins only features (and then only a copy of itself), a reaction
# other reactions, and a report only when the report carries QUOTE_TERMS of
# the words the reaction's headline quotes (the reaction is then the news).
_FAMILY = {
    Kind.NEWS: Kind.NEWS,
    Kind.LIVE_BLOG: Kind.NEWS,
    Kind.FEATURE: Kind.FEATURE,
    Kind.REACTION: Kind.REACTION,
}
QUOTE_TERMS = 2
# An item whose link names the same article as an item in the window (an
# outlet changed the headline, and with it the URL) is that article when this
# share of the smaller lead's terms is in both leads: the text is unchanged.
SAME_LEAD = 0.8
# Fewer lead terms than this cannot tell an unchanged article from a new one.
SAME_LEAD_MIN_TERMS = 5
# How long a story stays open for new reports.
STORY_WINDOW = timedelta(hours=36)
# IDF is computed as if the window also held this many documents without the
# term: a production window holds thousands of items of every subject, and a
# small one (a cold start, a one-subject replay) must not make the words of
# its one subject look common.
PRIOR_DOCUMENTS = 1000
# Candidate retrieval: an item's PROBE_TERMS rarest terms are looked up, at
# most PROBE_BUDGET postings in all (rarest first); a term held by more than
# COMMON_SHARE of the window (and COMMON_FLOOR items) is too common to find
# anything. A candidate must hold PROBE_HITS of the probed terms, and only the
# MAX_CANDIDATES holding the most are scored.
PROBE_TERMS = 10
PROBE_BUDGET = 200
PROBE_HITS = 2
COMMON_SHARE = 0.01
COMMON_FLOOR = 20
MAX_CANDIDATES = 20


@dataclass(frozen=True, slots=True)
class Rules:
    """The decision's settings; defaults chosen on the dev pairs (docs/stories.md)."""

    # Containment needed for items published within ``grace`` of each other ...
    threshold: float = 0.2
    grace: timedelta = timedelta(hours=1)
    # ... and how much more per hour of gap beyond it (the distinct-step guard).
    per_hour: float = 0.1
    # Shared weight below this is coincidence whatever the ratio (a rare word
    # weighs 1.0, 2.0 in both headlines).
    min_shared: float = 3.0
    # At least ``min_distinctive`` shared terms must be distinctive: held by at
    # most ``distinctive_items`` items of the window (this one included). Words
    # of a dossier that runs all week ("Rutte", "kabinet", "akkoord") add to
    # the shared weight but never make two items one event on their own.
    distinctive_items: int = 8
    min_distinctive: int = 1
    # Two reports of one event share at least this many headline terms: a
    # headline names what happened, and a piece whose headline shares no word
    # with the report's (an eyewitness's quote, the fans on the square, the
    # family's reaction to a verdict) is about another happening of the day.
    min_headline_shared: int = 1
    # A feature joins only a copy of itself.
    copy_threshold: float = 0.8
    # The bar stops rising here (6.5 hours apart): a report that repeats most of
    # another's weight is the same event the next day too (a death confirmed
    # again, a page dated the next morning), while a later step of a dossier
    # shares its names but not its words.
    max_bar: float = 0.75

    def bar(self, gap: timedelta) -> float:
        """The containment two items ``gap`` apart need to be one event."""
        return self._bar_seconds(gap.total_seconds())

    def _bar_seconds(self, gap: float) -> float:
        extra_hours = max(0.0, (gap - self.grace.total_seconds()) / 3600)
        return min(self.max_bar, self.threshold + self.per_hour * extra_hours)


DEFAULT_RULES = Rules()


@dataclass(frozen=True, slots=True)
class Assignment:
    """What ``StoryAssigner.decide`` concluded for one item."""

    story: str
    # The item it was matched to (None for a new story or a known item).
    matched: str | None = None
    score: float = 0.0
    reason: str = "new"  # new | match | duplicate | known


@dataclass(slots=True)
class _Entry:
    item_id: str
    story: str
    moment: float  # timestamp, see ``moment``
    profile: Profile
    # Total weight of its terms, with the IDF of when it arrived (scores divide
    # by the smaller total; recomputing it for every candidate would cost more
    # than all the rest of a decision).
    norm: float


class _TermCounts:
    """Document frequencies over the window, for IDF weights."""

    def __init__(self) -> None:
        self.documents = 0
        self.frequency: Counter[str] = Counter()
        # log(n) for n = 1, 2, ...: a weight needs log(frequency + 1), and
        # frequencies are small integers, so they are looked up, not computed.
        self._logs = [0.0, 0.0]

    def add(self, terms: Collection[str]) -> None:
        # A dict (term -> multiplier) would be added by its values: count its keys.
        self.documents += 1
        self.frequency.update(terms.keys() if isinstance(terms, Mapping) else terms)

    def remove(self, terms: Collection[str]) -> None:
        self.documents -= 1
        frequency = self.frequency
        for term in terms:
            left = frequency[term] - 1
            if left > 0:
                frequency[term] = left
            else:
                del frequency[term]

    def weights(self, terms: Iterable[str]) -> dict[str, float]:
        """IDF of ``terms`` relative to the rarest possible term (1.0 for a term seen once).

        Smoothed as if PRIOR_DOCUMENTS more documents held none of them.
        """
        documents = self.documents + PRIOR_DOCUMENTS + 1
        log_documents = math.log(documents)
        rarest = log_documents - math.log(2) + 1.0
        frequency = self.frequency
        logs = self._logs
        weights = {}
        for term in terms:
            held = frequency.get(term, 0) + 1
            if held >= len(logs):
                logs.extend(math.log(n) for n in range(len(logs), held + 1))
            weights[term] = (log_documents - logs[held] + 1.0) / rarest
        return weights


def moment(item: NewsItem, kind: Kind) -> datetime:
    """When an item's news happened, as far as the feed tells.

    Its publication time; for a live blog the time it was first seen, if
    known: a live blog keeps the time it opened while its headline moves on.
    """
    if kind is Kind.LIVE_BLOG and item.first_seen is not None:
        return item.first_seen
    return item.published


class StoryAssigner:
    """Recent items, their stories and an inverted index over their terms."""

    def __init__(self, *, window: timedelta = STORY_WINDOW, rules: Rules = DEFAULT_RULES) -> None:
        self.window = window
        self.rules = rules
        self._window_seconds = window.total_seconds()
        self._counts = _TermCounts()
        self._entries: dict[int, _Entry] = {}
        self._by_id: dict[str, int] = {}
        self._by_article: dict[str, int] = {}
        self._postings: dict[str, set[int]] = {}
        self._story_start: dict[str, float] = {}
        self._story_size: Counter[str] = Counter()
        self._by_age: list[tuple[float, int]] = []
        self._next_key = 0
        self._newest: datetime | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def story_of(self, item_id: str) -> str | None:
        """The story of an item still in the window, or None."""
        key = self._by_id.get(item_id)
        return self._entries[key].story if key is not None else None

    def assign(self, item: NewsItem) -> str:
        """The story id of ``item`` (its own id for a new story); remembers it."""
        return self.decide(item).story

    def decide(self, item: NewsItem) -> Assignment:
        """Like ``assign``, with the match behind the answer."""
        known = self._by_id.get(item.id)
        if known is not None:
            return Assignment(self._entries[known].story, reason="known")
        self._advance(item)
        found = self._profile(item)
        # Counted before scoring: a term only this item has is rare, not unknown.
        self._counts.add(found.terms)
        weights = self._counts.weights(found.terms)
        at = moment(item, found.kind).timestamp()
        original = self._by_id.get(item.duplicate_of) if item.duplicate_of else None
        if original is not None:
            story = self._entries[original].story
            self._insert(item.id, found, weights, story, at)
            return Assignment(story, item.duplicate_of, 1.0, "duplicate")
        earlier = self._same_article(found)
        if earlier is not None:
            # The same piece: it keeps the kind of its first headline, so an
            # analysis re-headlined like a report still joins no reports.
            self._insert(
                item.id, replace(found, kind=earlier.profile.kind), weights, earlier.story, at
            )
            return Assignment(earlier.story, earlier.item_id, 1.0, "same article")
        best = self._best_match(found, weights, at)
        story = best.story if best is not None else item.id
        self._insert(item.id, found, weights, story, at)
        return best or Assignment(story)

    def seed(self, stored: Iterable[tuple[NewsItem, str]]) -> None:
        """Replay stored items with the stories they were given (start-up).

        Items should come oldest first; each keeps its recorded story, so a
        restart never renumbers a story or re-decides an item.
        """
        for item, story in stored:
            if item.id in self._by_id:
                continue
            self._advance(item)
            found = self._profile(item)
            self._counts.add(found.terms)
            weights = self._counts.weights(found.terms)
            self._insert(item.id, found, weights, story, moment(item, found.kind).timestamp())

    def evict(self, before: datetime) -> int:
        """Forget items whose time is before ``before``; returns how many went."""
        cutoff = before.timestamp()
        gone = 0
        by_age, entries, postings = self._by_age, self._entries, self._postings
        while by_age and by_age[0][0] < cutoff:
            _, key = heapq.heappop(by_age)
            entry = entries.pop(key)
            terms = entry.profile.terms
            for term in terms:
                holders = postings[term]
                holders.discard(key)
                if not holders:
                    del postings[term]
            self._counts.remove(terms)
            if self._by_id.get(entry.item_id) == key:
                del self._by_id[entry.item_id]
            article = entry.profile.article
            if article is not None and self._by_article.get(article) == key:
                del self._by_article[article]
            self._story_size[entry.story] -= 1
            if self._story_size[entry.story] <= 0:
                del self._story_size[entry.story]
                del self._story_start[entry.story]
            gone += 1
        return gone

    def _profile(self, item: NewsItem) -> Profile:
        """The item's profile, its compounds split by the words of the window."""
        found = profile(item)
        parts = compound_parts(found.terms, self._counts.frequency)
        if not parts:
            return found
        return replace(found, terms={**found.terms, **parts})

    def _advance(self, item: NewsItem) -> None:
        """Move the window on to the newest arrival seen; evict what fell out."""
        arrived = item.first_seen or item.published
        if self._newest is None or arrived > self._newest:
            self._newest = arrived
            self.evict(arrived - self.window)

    def _insert(
        self, item_id: str, found: Profile, weights: dict[str, float], story: str, at: float
    ) -> None:
        key = self._next_key
        self._next_key += 1
        terms = found.terms
        norm = sum(weights[term] * multiplier for term, multiplier in terms.items())
        self._entries[key] = _Entry(item_id, story, at, found, norm)
        self._by_id[item_id] = key
        if found.article is not None:
            self._by_article.setdefault(found.article, key)
        postings = self._postings
        for term in terms:
            holders = postings.get(term)
            if holders is None:
                postings[term] = {key}
            else:
                holders.add(key)
        start = self._story_start.get(story)
        if start is None or at < start:
            self._story_start[story] = at
        self._story_size[story] += 1
        heapq.heappush(self._by_age, (at, key))

    def _best_match(
        self, found: Profile, weights: dict[str, float], at: float
    ) -> Assignment | None:
        rules = self.rules
        window = self._window_seconds
        own_terms = found.terms
        own_keys = own_terms.keys()
        # A shared term counts with the smaller multiplier of the two items.
        own_weighted = {term: weights[term] * own_terms[term] for term in own_terms}
        own = sum(own_weighted.values())
        if own <= 0:
            return None
        feature = found.kind is Kind.FEATURE
        family = _FAMILY[found.kind]
        countries = found.countries
        frequency = self._counts.frequency
        best: Assignment | None = None
        best_margin = 0.0
        for key in self._candidates(found):
            entry = self._entries[key]
            if _FAMILY[entry.profile.kind] is not family and not _same_statement(
                found, entry.profile
            ):
                continue
            gap = abs(entry.moment - at)
            if gap > window or abs(at - self._story_start[entry.story]) > window:
                continue
            if countries and entry.profile.countries and not countries & entry.profile.countries:
                continue  # tagged with countries, none in common: another event
            other_terms = entry.profile.terms
            shared = 0.0
            distinctive = 0
            in_headlines = 0
            for term in own_keys & other_terms.keys():
                mine, theirs = own_terms[term], other_terms[term]
                weighted = own_weighted[term]
                shared += weighted if mine <= theirs else weighted * theirs / mine
                if frequency[term] <= rules.distinctive_items:
                    distinctive += 1
                if mine >= TITLE_BOOST and theirs >= TITLE_BOOST:
                    in_headlines += 1
            if (
                shared < rules.min_shared
                or distinctive < rules.min_distinctive
                or in_headlines < rules.min_headline_shared
            ):
                continue
            score = shared / min(own, entry.norm)
            bar = rules.copy_threshold if feature else rules._bar_seconds(gap)
            margin = score - bar
            if margin >= 0 and (best is None or margin > best_margin):
                best = Assignment(entry.story, entry.item_id, round(score, 3), "match")
                best_margin = margin
        return best

    def _same_article(self, found: Profile) -> _Entry | None:
        """The first version in the window of the article ``found`` is a new headline of.

        Its link names the same article, the lead is unchanged, and neither is
        a live blog: a live blog's page carries one event after another under
        one link, and is judged by each headline.
        """
        if found.article is None or found.kind is Kind.LIVE_BLOG:
            return None
        key = self._by_article.get(found.article)
        if key is None:
            return None
        entry = self._entries[key]
        if entry.profile.kind is Kind.LIVE_BLOG:
            return None
        mine, theirs = found.lead, entry.profile.lead
        smaller = min(len(mine), len(theirs))
        if smaller < SAME_LEAD_MIN_TERMS or len(mine & theirs) < SAME_LEAD * smaller:
            return None
        return entry

    def _candidates(self, found: Profile) -> list[int]:
        """Recent items sharing PROBE_HITS of this item's rarest terms, most shared first."""
        postings = self._postings
        limit = max(COMMON_FLOOR, int(COMMON_SHARE * len(self._entries)))
        probes = sorted(
            (len(holders), term)
            for term in found.terms
            if (holders := postings.get(term)) is not None and len(holders) <= limit
        )[:PROBE_TERMS]
        hits: Counter[int] = Counter()
        looked_up = 0
        for size, term in probes:
            if looked_up and looked_up + size > PROBE_BUDGET:
                break  # rarest first: the rest would only add common words' holders
            looked_up += size
            hits.update(postings[term])
        ranked = [(count, key) for key, count in hits.items() if count >= PROBE_HITS]
        ranked.sort(reverse=True)  # most probes held, then the newest
        return [key for _, key in ranked[:MAX_CANDIDATES]]


def _same_statement(one: Profile, other: Profile) -> bool:
    """A reaction and a report that both carry what the reactor said."""
    kinds = {_FAMILY[one.kind], _FAMILY[other.kind]}
    if kinds != {Kind.REACTION, Kind.NEWS}:
        return False
    reaction, report = (one, other) if one.kind is Kind.REACTION else (other, one)
    terms = report.terms
    said = sum(1 for term in reaction.quoted if terms.get(term, 0.0) >= TITLE_BOOST)
    return said >= QUOTE_TERMS
