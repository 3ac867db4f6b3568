"""Where a story is set: abroad (buitenland), at home (binnenland), or unknown.

Dutch newsrooms file a story under Buitenland when its main subject is foreign:
the event happens abroad or a foreign state acts. A country named once in
passing in a Dutch story ("de container kwam uit Peru") does not make it
foreign, and a foreign story does not need to name its country more than once
("Trump tekent decreet ... in het Witte Huis").

The evidence is the mentions of one pass of the country tagger, weighed by
where they stand and what they are:

* a side (a foreign country, or home) named in the title or in the lead (the
  first sentence, which says who, what and where) gets ``MAIN_WEIGHT`` once:
  title and lead usually repeat one subject; every mention further down adds
  ``BODY_WEIGHT``;
* a foreign head of state or government ("Trump", "Poetin") and a government
  metonym ("Witte Huis", "Kremlin") name the acting state: they make their
  country a main subject wherever they stand;
* Dutch mentions (Nederland, Den Haag, the Tweede Kamer) and Dutch markers
  (Kamerleden, RIVM, VVD, Drenthe, Dutch dateline towns) count for home.

A story is foreign when its best foreign country reaches ``MAIN_SUBJECT_MIN``
and beats the home evidence: a Dutch subject with a foreign mention stays
domestic. A known dateline decides on its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

from bot.core.model import Dateline
from bot.tagging.countries import Mention, Role, setting_data
from bot.tagging.gazetteer import AliasKind

# Codes whose news is domestic for a Dutch outlet (Caribisch Nederland is part of NL).
DOMESTIC = frozenset({"NL", "BQ"})
_HOME = ""  # the key of home evidence in a score table
MAIN_WEIGHT = 3
BODY_WEIGHT = 1
# A country is the main subject from this score on: one mention in the title or
# the lead, one acting head of state, or three passing mentions.
MAIN_SUBJECT_MIN = 3
# The lead is the first sentence, but never longer than this.
LEAD_MAX_CHARS = 300
_SENTENCE_END_RE = re.compile(r"[.!?](?=[\s\"'”’)]*(?:\s|$))|\n")


@cache
def _foreign_agencies() -> frozenset[str]:
    return frozenset(agency.upper() for agency in setting_data()["foreign_agencies"])


def lead_end(text: str) -> int:
    """Offset where the lead (first sentence) of ``text`` ends."""
    match = _SENTENCE_END_RE.search(text, 0, LEAD_MAX_CHARS)
    return match.end() if match else min(len(text), LEAD_MAX_CHARS)


def setting_scores(
    title_mentions: Sequence[Mention], text_mentions: Sequence[Mention], lead: int
) -> tuple[Counter[str], int]:
    """Weighted evidence per foreign country, and the weight of home evidence."""
    scores: Counter[str] = Counter()  # _HOME for every kind of home evidence
    main: set[str] = set()
    for mention in (*title_mentions, *text_mentions):
        home = mention.role is Role.DOMESTIC or mention.code in DOMESTIC
        code = _HOME if home else mention.code
        in_lead = mention.in_title or mention.start < lead
        if in_lead or mention.role is Role.SUBJECT or mention.kind is AliasKind.METONYM:
            # Title and lead usually repeat one subject: it counts once.
            main.add(code)
        if not in_lead:
            scores[code] += BODY_WEIGHT
    for code in main:
        scores[code] += MAIN_WEIGHT
    home_score = scores.pop(_HOME, 0)
    return scores, home_score


def is_abroad(
    title_mentions: Sequence[Mention],
    text_mentions: Sequence[Mention],
    text: str,
    dateline: Dateline | None,
    dateline_code: str | None,
) -> bool | None:
    """True for a foreign story, False for a domestic one, None when it cannot be told.

    ``text`` is the folded body the ``text_mentions`` were found in.
    """
    if dateline_code is not None:
        return dateline_code not in DOMESTIC
    foreign, home = setting_scores(title_mentions, text_mentions, lead_end(text))
    best = max(foreign.values(), default=0)
    abroad = best >= MAIN_SUBJECT_MIN and best > home
    if dateline is None:
        return abroad
    # A dateline city the gazetteer does not know ("DEERFIELD", "BATTLE CREEK"):
    # it knows the Dutch towns ANP datelines most and every foreign capital, so
    # the city is likely abroad. Copy of a foreign agency is foreign news, and so
    # is a text whose foreign evidence beats the home evidence, however slight
    # ("Het Amerikaanse bedrijf"); without evidence either way it stays unplaced.
    if best > home or any(agency.upper() in _foreign_agencies() for agency in dateline.agencies):
        return True
    return False if home > best else None
