"""Wire-copy datelines: ``WASHINGTON (ANP/RTR) - De president ...``.

A dateline names the city a story was filed from and the agencies that carried
it. It is parsed once, kept on the item (the tagger may use the city) and
removed from the text the summary is made of.

The hard part is not matching real datelines but refusing ordinary sentences
that happen to open with capitals and a dash ("VVD - de partij ..."). A match
therefore needs a city shape (1-4 words of letters, hyphens, apostrophes and
dots) and then either an agency list in brackets, or an all-capitals city that
is not a well-known acronym, followed by a sentence that starts properly.
"""

from __future__ import annotations

import re

from bot.core.cities import CITY_PARTICLES as _CITY_PARTICLES
from bot.core.cities import is_capitals as _is_capitals
from bot.core.model import Dateline

# One word of a city: letters plus the punctuation place names carry
# ('S-HERTOGENBOSCH, ST. LOUIS, AIX-EN-PROVENCE). No digits, no underscore.
_WORD = r"['’]?[^\W\d_](?:[^\W\d_]|['’.\-])*"
_DATELINE_RE = re.compile(
    rf"""
    [ \t\r\n\u00a0]*
    (?P<city>{_WORD}(?:[ \u00a0]+{_WORD}){{0,3}})
    (?:[ \u00a0]*\((?P<agencies>[^()\n]{{1,80}})\))?
    (?P<gap>[ \u00a0]*)
    [-–—]
    (?P<after>[ \u00a0]*)
    """,
    re.VERBOSE,
)
_AGENCY_RE = re.compile(r"[A-Za-z][A-Za-z0-9&.\-]{0,19}")

# Wire services seen in Dutch copy. Only consulted when the city is not written
# in capitals ("San Mateo (ANP) -"), where a bracket alone is weak evidence
# ("Rutte (VVD) - ..." must not become a dateline).
KNOWN_AGENCIES = frozenset(
    {
        "ANP", "AFN", "RTR", "REUTERS", "AFP", "DPA", "AP", "BLOOMBERG", "BELGA",
        "EFE", "ANSA", "APA", "PAP", "NTB", "TT", "KYODO", "XINHUA", "TASS",
        "YONHAP", "UPI", "NOVUM", "BNR", "DJ", "CTK",
    }
)  # fmt: skip

# All-capitals sentence openers that are organisations, not cities. Without an
# agency list these would otherwise pass the city shape ("NOS - De omroep ...").
NON_CITY_ACRONYMS = frozenset(
    {
        "ANP", "NOS", "RTL", "VVD", "CDA", "PVV", "PVDA", "SP", "GL", "BBB",
        "NSC", "FVD", "JA21", "SGP", "CU", "DENK", "VOLT", "EU", "VN", "VS",
        "NAVO", "NATO", "KNVB", "KNMI", "RIVM", "UWV", "ING", "ABN", "AMRO",
        "KLM", "NS", "FNV", "CBS", "OM", "AIVD", "UPDATE", "LIVE", "VIDEO",
        "BREAKING", "EXCLUSIEF", "OPINIE", "COLUMN", "ANALYSE", "PODCAST",
    }
)  # fmt: skip

_VOWELS = frozenset("AEIOUYÀÁÂÃÄÅÆÈÉÊËÌÍÎÏÒÓÔÕÖØÙÚÛÜÝ")


def split_dateline(text: str) -> tuple[Dateline | None, str]:
    """Parse a leading dateline; return it and the text after its dash.

    ``(None, text)`` (text unchanged) when the text does not open with one.
    """
    match = _DATELINE_RE.match(text)
    if match is None:
        return None, text
    rest = text[match.end() :]
    if not rest.strip():
        return None, text
    city = " ".join(match["city"].split())
    raw_agencies = match["agencies"]
    if raw_agencies is not None:
        # "(ANP)—De" without spaces is still a dateline: the brackets say so.
        agencies = _parse_agencies(raw_agencies)
        if agencies is None or not _city_with_agencies_ok(city, agencies):
            return None, text
        return Dateline(city, agencies), rest
    # Without agencies only an all-capitals city set off by " - " counts.
    spaced = match["gap"] and match["after"]
    if not spaced or not _bare_city_ok(city) or not _starts_sentence(rest):
        return None, text
    return Dateline(city, ()), rest


def _parse_agencies(raw: str) -> tuple[str, ...] | None:
    parts = [part.strip() for part in raw.split("/")]
    if not parts or not all(_AGENCY_RE.fullmatch(part) for part in parts):
        return None
    return tuple(part.upper() for part in parts)


def _city_with_agencies_ok(city: str, agencies: tuple[str, ...]) -> bool:
    if _is_capitals(city):
        return True
    # Mixed case ("San Mateo (ANP) -"): every word capitalised and a real agency.
    words = city.split(" ")
    capitalised = (
        all(word in _CITY_PARTICLES or word.lstrip("'’")[:1].isupper() for word in words[1:])
        and words[0].lstrip("'’")[:1].isupper()
    )
    return capitalised and any(agency in KNOWN_AGENCIES for agency in agencies)


def _bare_city_ok(city: str) -> bool:
    if not _is_capitals(city) or city in NON_CITY_ACRONYMS:
        return False
    letters = [char for char in city if char.isalpha()]
    # Acronyms like "VVD" have no vowel; every city name has one.
    return len(letters) >= 2 and any(char in _VOWELS for char in letters)


def _starts_sentence(rest: str) -> bool:
    first = rest.lstrip()[:1]
    return first.isupper() or first.isdigit() or first in "\"'‘’“”„,«"
