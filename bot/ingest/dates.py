"""Dates as Dutch feeds write them: ``di, 12 mrt 2024 14:05:00 +0100``.

feedparser only knows English names, so a Dutch ``pubDate`` reaches us as a raw
string. Dates without a zone are local time of the outlet (the ``tz`` given,
Europe/Amsterdam for this bot); feedparser would read them as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

# Month names and abbreviations, Dutch first, English too because the same
# fallback sees English dates feedparser could not parse ("Sept", no zone).
_MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "febr": 2, "february": 2,
    "maart": 3, "mrt": 3, "mar": 3, "march": 3, "maa": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "augustus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

# Day names are only skipped, never checked against the date: feeds get them wrong.
_DAYS = (
    "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "ma|di|wo|do|vr|za|zo|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
)
_NAMED_ZONES: dict[str, timedelta] = {
    "z": timedelta(0),
    "ut": timedelta(0),
    "utc": timedelta(0),
    "gmt": timedelta(0),
    "cet": timedelta(hours=1),
    "met": timedelta(hours=1),
    "cest": timedelta(hours=2),
    "mest": timedelta(hours=2),
}
_ZONE = r"(?P<zone>[+-]\d{2}:?\d{2}|[A-Za-z]{1,4})"
_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2})(?:\.\d+)?)?"

_TEXTUAL_RE = re.compile(
    rf"(?:(?:{_DAYS})\.?,?\s+)?"
    r"(?P<day>\d{1,2})\.?\s+(?P<month>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4})"
    rf"(?:,?\s+(?:om\s+)?{_TIME}(?:\s*uur)?)?"
    rf"(?:\s*{_ZONE})?",
    re.IGNORECASE,
)
_ISO_RE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    rf"(?:[T\s]+{_TIME})?"
    rf"(?:\s*{_ZONE})?",
    re.IGNORECASE,
)
_NUMERIC_DMY_RE = re.compile(
    r"(?P<day>\d{1,2})[-/.](?P<month>\d{1,2})[-/.](?P<year>\d{4})"
    rf"(?:,?\s+(?:om\s+)?{_TIME}(?:\s*uur)?)?"
    rf"(?:\s*{_ZONE})?",
    re.IGNORECASE,
)


def parse_date(value: str, *, tz: ZoneInfo) -> datetime | None:
    """Parse a feed date; aware result, ``tz`` for dates without a zone.

    Understands RFC 822 with Dutch or English names (``di, 12 mrt 2024
    14:05:00 +0100``), ``12 maart 2024 14:05``, ISO ``2024-03-12 14:05`` and
    Dutch numeric ``12-03-2024 14:05``. ``None`` when the value is none of these.
    """
    text = value.strip()
    for pattern in (_TEXTUAL_RE, _ISO_RE, _NUMERIC_DMY_RE):
        match = pattern.fullmatch(text)
        if match is not None:
            return _build(match, tz)
    return None


def _build(match: re.Match[str], tz: ZoneInfo) -> datetime | None:
    month_text = match["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.casefold())
    if month is None:
        return None
    zone = _zone(match["zone"], tz)
    if zone is None:
        return None
    try:
        return datetime(
            int(match["year"]),
            month,
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
            tzinfo=zone,
        )
    except ValueError:  # 31 feb, 25:00 and the like
        return None


def _zone(text: str | None, default: ZoneInfo) -> timezone | ZoneInfo | None:
    if text is None:
        return default
    if text[0] in "+-":
        digits = text[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset >= timedelta(hours=24):
            return None
        return timezone(-offset if text[0] == "-" else offset)
    named = _NAMED_ZONES.get(text.casefold())
    if named is None:
        return None
    return UTC if not named else timezone(named)
