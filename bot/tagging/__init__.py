"""Tagging: countries and sections of news items, and what users type to follow.

``tag()`` is the one entry point ingest needs; ``resolve()`` (in ``resolve.py``)
turns a word typed after ``/volg`` into a follow key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from bot.core.model import Dateline
from bot.tagging.countries import find_mentions_folded, light_fold, scores_from_mentions
from bot.tagging.digest import first_story_ends, is_digest
from bot.tagging.gazetteer import Country, countries, country, dateline_country
from bot.tagging.scan import country_matches, scan, section_matches
from bot.tagging.sections import Section, all_sections, infer_sections, section
from bot.tagging.setting import is_abroad

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
    # Fold once and find mentions once; countries, setting and sections all use them.
    folded_title, folded_text = light_fold(title), light_fold(text)
    # One regex pass over each for country aliases and section words alike.
    title_scan, text_scan = scan(folded_title), scan(folded_text)
    title_mentions = find_mentions_folded(
        folded_title, in_title=True, matches=country_matches(title_scan)
    )
    text_mentions = find_mentions_folded(folded_text, matches=country_matches(text_scan))
    scores = scores_from_mentions(title_mentions, text_mentions, dateline_code)
    # A digest's topics and setting are its first story's (bot/tagging/digest.py).
    first_story = None
    topic_title, topic_text = folded_title, folded_text
    section_words: Iterable[re.Match[str]] | None = chain(
        section_matches(title_scan), section_matches(text_scan)
    )
    if is_digest(folded_title, folded_text):
        section_words = None  # the first story's words: sections_from_text scans them
        first_story = first_story_ends(folded_title, folded_text)
        title_end, text_end = first_story
        topic_title = folded_title if title_end < 0 else folded_title[:title_end]
        topic_text = folded_text if text_end < 0 else folded_text[:text_end]
    sections = infer_sections(
        topic_title,
        topic_text,
        link=link,
        feed_sections=feed_sections,
        categories=categories,
        foreign=is_abroad(
            title_mentions,
            text_mentions,
            folded_text,
            dateline,
            dateline_code,
            folded_title,
            first_story=first_story,
        ),
        matches=section_words,
    )
    return Tags(countries=tuple(sorted(scores)), sections=sections)
