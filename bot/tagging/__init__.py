"""Tagging: countries and sections of news items, and what users type to follow.

``tag()`` is the one entry point ingest needs; ``resolve()`` (in ``resolve.py``)
turns a word typed after ``/volg`` into a follow key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.model import Dateline
from bot.tagging.countries import country_scores, light_fold
from bot.tagging.gazetteer import Country, countries, country, dateline_country
from bot.tagging.sections import Section, all_sections, infer_sections, section

__all__ = [
    "SECTIONS",
    "Country",
    "Section",
    "Tags",
    "countries",
    "country",
    "section",
    "tag",
]

SECTIONS: tuple[Section, ...] = all_sections()

# Codes whose news is domestic for a Dutch outlet (Caribisch Nederland is part of NL).
DOMESTIC = frozenset({"NL", "BQ"})
# A country is the main subject of an item from this weighted score on (a title
# mention or the dateline weighs 3, each body mention 1) ...
MAIN_SUBJECT_MIN_SCORE = 3


@dataclass(frozen=True, slots=True)
class Tags:
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2, sorted
    sections: tuple[str, ...]  # section slugs, in vocabulary order


def tag(
    title: str,
    text: str,
    *,
    link: str | None = None,
    feed_sections: Sequence[str] = (),
    categories: Sequence[str] = (),
    dateline: Dateline | None = None,
) -> Tags:
    """Countries and sections of one item. ``text`` is plain text without the dateline."""
    dateline_code = dateline_country(dateline.city) if dateline is not None else None
    # Fold once; the country and section passes both match on the folded text.
    folded_title, folded_text = light_fold(title), light_fold(text)
    scores = country_scores(folded_title, folded_text, dateline_code)
    sections = infer_sections(
        folded_title,
        folded_text,
        link=link,
        feed_sections=feed_sections,
        categories=categories,
        foreign=_is_foreign(scores, dateline, dateline_code),
    )
    return Tags(countries=tuple(sorted(scores)), sections=sections)


def _is_foreign(
    scores: dict[str, int], dateline: Dateline | None, dateline_code: str | None
) -> bool | None:
    if dateline_code is not None:
        return dateline_code not in DOMESTIC
    if dateline is not None:
        return None  # a dateline city we do not know: could be either
    if not scores:
        return False
    top, top_score = max(scores.items(), key=lambda pair: (pair[1], pair[0]))
    # ... and beats the Netherlands: a Dutch story with a foreign aside stays domestic.
    domestic_score = max((scores.get(code, 0) for code in DOMESTIC), default=0)
    return (
        top not in DOMESTIC and top_score >= MAIN_SUBJECT_MIN_SCORE and top_score > domestic_score
    )
