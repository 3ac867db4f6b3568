"""Lead-phrase regexes with a keyword prefilter match exactly as the bare regexes do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.text import fold
from bot.stories.kinds import BOILERPLATE_RE, FEATURE_LEAD_RE, LIVE_LEAD_RE, Phrases

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stories"

# One phrase for each alternative of each regex: a keyword set that missed an
# alternative would let its phrase through unmatched.
PHRASES = [
    (FEATURE_LEAD_RE, "columnist"),
    (FEATURE_LEAD_RE, "in deze opinie"),
    (FEATURE_LEAD_RE, "in zijn column"),
    (FEATURE_LEAD_RE, "schrijft wekelijks"),
    (FEATURE_LEAD_RE, "schrijft twee keer per week"),
    (FEATURE_LEAD_RE, "in de podcast"),
    (FEATURE_LEAD_RE, "geef je mening"),
    (FEATURE_LEAD_RE, "reacties op nieuwsonderwerpen"),
    (FEATURE_LEAD_RE, "opiniepagina"),
    (FEATURE_LEAD_RE, "een overzicht van"),
    (LIVE_LEAD_RE, "liveblog"),
    (LIVE_LEAD_RE, "live-blog"),
    (LIVE_LEAD_RE, "houden we u op de hoogte"),
    (LIVE_LEAD_RE, "live updates"),
    (LIVE_LEAD_RE, "volg hier het belangrijkste"),
    (LIVE_LEAD_RE, "volg hier de laatste"),
    (LIVE_LEAD_RE, "wordt tijdens het debat bijgewerkt"),
    (BOILERPLATE_RE, "liveblog"),
    (BOILERPLATE_RE, "live-blog"),
    (BOILERPLATE_RE, "live mee"),
    (BOILERPLATE_RE, "volg hier"),
    (BOILERPLATE_RE, "volg via"),
    (BOILERPLATE_RE, "kijk hier"),
    (BOILERPLATE_RE, "lees hier"),
    (BOILERPLATE_RE, "verscheen eerst op"),
    (BOILERPLATE_RE, "lees ook"),
    (BOILERPLATE_RE, "bekijk hier"),
    (BOILERPLATE_RE, "houden we u op de hoogte"),
    (BOILERPLATE_RE, "live te volgen"),
    (BOILERPLATE_RE, "hieronder"),
]


@pytest.mark.parametrize(("phrases", "phrase"), PHRASES)
def test_every_alternative_passes_the_keyword_test(phrases: Phrases, phrase: str) -> None:
    text = f"de redactie: {phrase}, zo blijkt"
    assert phrases.pattern.search(text) is not None  # the table is right
    assert phrases.search(text) is not None


def test_real_leads_match_as_with_the_bare_regex() -> None:
    texts = []
    for path in sorted(FIXTURES.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            row = json.loads(line)
            texts += [fold(str(row.get(key) or "")) for key in ("title", "description", "text")]
    assert len(texts) > 1000
    for phrases in (FEATURE_LEAD_RE, LIVE_LEAD_RE, BOILERPLATE_RE):
        for text in texts:
            expected = phrases.pattern.search(text)
            found = phrases.search(text)
            assert (found and found.span()) == (expected and expected.span()), text
