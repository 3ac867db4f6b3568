"""What a push, a digest and an item list say around the stories, and how times read.

:mod:`bot.deliver.format` lays the stories out and fits them in a message;
the Dutch words come from here. Arguments named ``names``, ``label`` or
``command`` are Telegram HTML that the caller has already escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

# A story whose feed gave neither title nor link.
NO_TITLE = "(zonder titel)"
DIGEST_HEADER = "🗞️ <b>Je dagelijkse nieuwsoverzicht</b>"
DIGEST_NOTHING = "Geen nieuwe berichten over wat je volgt."


def format_time(dt: datetime, *, now: datetime, tz: ZoneInfo) -> str:
    """Dutch, relative to ``now``: "14:05", "gisteren 21:10", "ma 9:30", "12 mrt 9:30".

    Naive datetimes are taken as UTC (feeds without a zone are UTC by RSS
    convention); a different year is spelled out ("12 mrt 2025 9:30").
    """
    local = _aware(dt).astimezone(tz)
    today = _aware(now).astimezone(tz).date()
    clock = f"{local.hour}:{local.minute:02d}"
    days_ago = (today - local.date()).days
    if days_ago == 0:
        return clock
    if days_ago == 1:
        return f"gisteren {clock}"
    if 2 <= days_ago <= 6:
        return f"{WEEKDAYS[local.weekday()]} {clock}"
    year = "" if local.year == today.year else f" {local.year}"
    return f"{local.day} {MONTHS[local.month - 1]}{year} {clock}"


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def and_others(names: str, rest: int) -> str:
    """ "NOS, NU.nl en 2 andere": a list of names cut short."""
    return f"{names} en {rest} andere"


def via(names: str) -> str:
    """Which follows brought a story: "via Oekraïne, sport"."""
    return f"via {names}"


def also_at(names: str) -> str:
    """Other outlets with the same story: "ook bij NU.nl, RTL Nieuws"."""
    return f"ook bij {names}"


# Between outlets in "ook bij: NRC · AD · ND".
LIST_SEPARATOR = " · "
# A story's silent follow-up, a reply to the push that told the chat of it.
FOLLOWUP_HEADER = "🧵 <b>Meer over dit verhaal:</b>"


def also_at_story(names: str) -> str:
    """The story's other reports: "ook bij: NRC · AD · ND" (each name a link)."""
    return f"ook bij: {names}"


def followup_line(outlet: str, title: str, when: str) -> str:
    """One report in a follow-up: "NRC — <linked headline> · 21:40"."""
    return f"{outlet} — {title} · {when}"


def more(count: int) -> str:
    """Stories left out of a list: "en 3 meer" (a /laatste command may follow)."""
    return f"en {count} meer"


def several_header(total: int) -> str:
    """The head of a push with several stories (" via …" may follow)."""
    return f"📰 <b>{total} nieuwe berichten</b>"


def away_line(count: int, label: str) -> str:
    """ "Terwijl je weg was: 14 berichten over Oekraïne" (a /laatste command may follow)."""
    noun = "bericht" if count == 1 else "berichten"
    return f"Terwijl je weg was: {count} {noun} over {label}"


def digest_left_out(topics: int, stories: int) -> str:
    """The digest's closing line for follows that got no room at all."""
    return f"en nog {topics} onderwerpen met {stories} berichten — /laatste"
