"""What admins read: the ``/status`` lines, feed alerts and why a feed fails.

Functions take plain values and escape them; :mod:`bot.ops.status` and
:mod:`bot.ops.alerts` decide what to show and cut long values before they
arrive here. A feed failure reads in Dutch by its key (:data:`FAILURES`);
a failure stored before keys existed shows its stored text as it is.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping, Sequence
from datetime import timedelta
from html import escape

from bot.core.feed_failure import FailureKey, FeedFailure
from bot.core.model import FollowKind
from bot.texts.topics import KIND_HEADINGS

# --- Why a feed fails -------------------------------------------------------------------

# The Dutch text of each failure key; ``{name}`` is a parameter, shown as it is.
FAILURES: Mapping[FailureKey, str] = {
    FailureKey.CONNECT_TIMEOUT: "verbinden duurde te lang",
    FailureKey.TIMEOUT: "geen antwoord binnen {seconds} s",
    FailureKey.CONNECTION_REFUSED: "verbinding geweigerd",
    FailureKey.HOST_NOT_FOUND: "servernaam niet gevonden",
    FailureKey.TLS_ERROR: "TLS-fout",
    FailureKey.CONNECTION_FAILED: "verbinding mislukt",
    FailureKey.CONNECTION_CLOSED: "verbinding halverwege verbroken",
    FailureKey.UNDECODABLE_ENCODING: "onleesbare compressie",
    FailureKey.INVALID_URL: "ongeldige URL",
    FailureKey.UNSUPPORTED_SCHEME: "URL-schema „{scheme}” niet ondersteund",
    FailureKey.REDIRECT_LOOP: "doorverwijzingslus",
    FailureKey.TOO_MANY_REDIRECTS: "te veel doorverwijzingen",
    FailureKey.BODY_TOO_LARGE: "antwoord groter dan {limit}",
    FailureKey.HTTP_STATUS: "HTTP {status}",
    FailureKey.HTTP_FAILURE: "HTTP-fout ({exception})",
    FailureKey.NETWORK_ERROR: "netwerkfout ({exception})",
    FailureKey.NOT_A_FEED: "geen feed ({exception})",
    FailureKey.NO_FEED_CONTENT: "geen feed (geen versie, geen berichten)",
    FailureKey.ENTITY_DECLARATION: "geweigerd: de feed declareert XML-entiteiten",
    FailureKey.DTD_INTERNAL_SUBSET: "geweigerd: de feed declareert XML-entiteiten (DTD)",
    FailureKey.PARSE_TIMEOUT: "geweigerd: verwerken duurde langer dan {seconds} s",
    FailureKey.PARSE_MEMORY: "geweigerd: verwerken vroeg meer dan {mib} MiB geheugen",
    FailureKey.PARSER_CRASHED: "geweigerd: het verwerkingsproces stopte onverwacht",
    FailureKey.UNEXPECTED: "onverwachte fout: {exception}",
    FailureKey.UNKNOWN: "onbekende fout",
}


def failure_reason(failure: FeedFailure | None, stored_text: str | None = None) -> str:
    """Why a feed fails, in Dutch (plain text).

    ``stored_text`` is the English text a state kept before failures had keys
    (or with a key this version does not know); it is shown as it is.
    """
    if failure is not None:
        return FAILURES[failure.key].format_map(failure.params)
    return stored_text or FAILURES[FailureKey.UNKNOWN]


# --- Feed alerts --------------------------------------------------------------------------


def feed_down(name: str, hours: int | None, reason: str) -> str:
    """A feed failing for hours; ``hours`` since its last success, None if it never worked."""
    since = f"al {hours} uur" if hours is not None else "sinds de start"
    return f"⚠️ Feed <b>{escape(name)}</b> faalt {since}.\nLaatste fout: {escape(reason)}"


def feed_recovered(name: str) -> str:
    return f"✅ Feed <b>{escape(name)}</b> werkt weer."


# --- /status ------------------------------------------------------------------------------


def status_overview(
    *,
    version: str,
    uptime: timedelta,
    since: str,
    chats_active: int,
    chats_stopped: int,
    items_stored: int,
    outbox_pending: int,
    stories_stored: int | None = None,
    sent_last_hour: int,
    throttled_last_hour: int,
    failed_last_hour: int,
) -> list[str]:
    """The opening lines; ``since`` is a time as :func:`bot.texts.push.format_time` writes it."""
    return [
        f"📊 <b>Status nieuwsbot {escape(version)}</b>",
        f"⏱ Draait {duration(uptime)}, sinds {since}",
        f"💬 Chats: {number(chats_active)} actief, {number(chats_stopped)} gestopt",
        f"🗞 Berichten opgeslagen: {number(items_stored)}"
        + (
            f" over {count(stories_stored, 'verhaal', 'verhalen')}"
            if stories_stored is not None
            else ""
        ),
        f"📤 Wachtrij: {count(outbox_pending, 'bericht', 'berichten')}",
        f"✉️ Laatste uur: {number(sent_last_hour)} verstuurd, "
        f"{number(throttled_last_hour)}× afgeremd door Telegram (429), "
        f"{number(failed_last_hour)} mislukt",
    ]


def push_latency(p50: timedelta, p90: timedelta, samples: int) -> str:
    """Publication → push over the last day; ``samples`` counts stories per chat."""
    return (
        f"⚡ Publicatie → push (24 uur): mediaan {short_span(p50)}, "
        f"90% binnen {short_span(p90)} ({count(samples, 'push', 'pushes')})"
    )


def push_latency_none() -> str:
    return "⚡ Publicatie → push (24 uur): nog geen pushes"


def feed_intervals(
    *,
    fastest: tuple[timedelta, str],
    median: timedelta,
    slowest: tuple[timedelta, str],
    feeds: int,
) -> str:
    """How often the working feeds are polled now: (interval, feed name) at both ends."""
    if feeds == 1:
        return f"⏲ Ophaalinterval: {short_span(fastest[0])} ({escape(fastest[1])})"
    return (
        f"⏲ Ophaalinterval: {short_span(fastest[0])} ({escape(fastest[1])}) tot "
        f"{short_span(slowest[0])} ({escape(slowest[1])}), mediaan {short_span(median)}"
    )


def follows_heading(top: int) -> str:
    return f"<b>Gevolgd</b> (aantal chats, top {top} per soort)"


def kind_nothing_followed(kind: FollowKind, distinct: int) -> str:
    return f"{_kind_heading(kind, distinct)}, nog niets gevolgd"


def kind_followed(kind: FollowKind, distinct: int, follows: int) -> str:
    return f"{_kind_heading(kind, distinct)}, {count(follows, 'keer', 'keer')} gevolgd"


def _kind_heading(kind: FollowKind, distinct: int) -> str:
    return f"{KIND_HEADINGS[kind]}: {number(distinct)} verschillend"


def topic_counts(topics: Sequence[tuple[str, int]]) -> str:
    """ "Oekraïne 12, sport 9": (label, chats) pairs."""
    return ", ".join(f"{escape(label)} {number(chats)}" for label, chats in topics)


def feeds_summary(total: int, ok: int, failing: int, not_polled: int) -> str:
    parts = [f"{number(ok)} in orde", f"{number(failing)} falen"]
    if not_polled:
        parts.append(f"{number(not_polled)} nog niet opgehaald")
    return f"<b>Feeds</b> ({number(total)}): {', '.join(parts)}"


def feed_not_polled(name: str) -> str:
    return f"⏳ {escape(name)}: nog niet opgehaald"


def feed_failing(
    name: str, reason: str, *, streak: int, last_success: str | None, alerted: bool
) -> str:
    """One failing feed; ``last_success`` is a formatted time, None when it never worked."""
    since = f"laatst gelukt {last_success}" if last_success else "nog nooit gelukt"
    mark = " ⚠️ gemeld" if alerted else ""
    return f"❌ <b>{escape(name)}</b>: {escape(reason)} ({number(streak)}× op rij, {since}){mark}"


def more_feeds(left_out: int) -> str:
    return f"… en {count(left_out, 'feed', 'feeds')} meer"


# --- Dutch numbers and durations ----------------------------------------------------------


def number(value: int) -> str:
    """Dutch digit grouping: 12.345."""
    return f"{value:,}".replace(",", ".")


def count(value: int, one: str, many: str) -> str:
    return f"{number(value)} {one if value == 1 else many}"


def duration(span: timedelta) -> str:
    """``2 dagen en 3 uur``, ``5 uur en 12 minuten``, ``1 minuut``: the two largest units."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        (days, "dag", "dagen"),
        (hours, "uur", "uur"),
        (minutes, "minuut", "minuten"),
    ]
    shown = [count(value, one, many) for value, one, many in parts if value][:2]
    if not shown:
        return "minder dan een minuut"
    return " en ".join(shown)


def short_span(span: timedelta) -> str:
    """``45 s``, ``4 min``, ``1 uur 30 min``: seconds below 100 s, then whole minutes."""
    seconds = max(0, int(span.total_seconds() + 0.5))
    if seconds < 100:
        return f"{seconds} s"
    minutes = int(seconds / 60 + 0.5)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} uur {minutes} min" if minutes else f"{hours} uur"


# --- The store refusing writes (disk full, read-only) ------------------------------------

# errno values that mean "this disk or directory cannot be written", with the short
# Dutch cause the admin alert names.
_STORE_CAUSES = {
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "het schijfquotum is op",
    errno.EROFS: "het bestandssysteem is alleen-lezen",
    errno.EACCES: "geen schrijfrechten op de datamap",
    errno.EPERM: "geen schrijfrechten op de datamap",
}


def store_cause(error: OSError) -> str:
    """The Dutch cause of a refused write, for the admin alert."""
    return _STORE_CAUSES.get(error.errno or 0, "schrijffout")


def store_down_alert(cause: str, unsaved: int) -> str:
    """Once per outage, to the admins: the data directory refuses writes."""
    kept = (
        f"\n{unsaved} al verstuurde berichten houd ik in het geheugen; die gaan niet opnieuw."
        if unsaved
        else ""
    )
    return (
        f"🛑 <b>De opslag kan niet schrijven</b>: {escape(cause)}.\n"
        "Ik verstuur geen nieuwe pushberichten tot het weer lukt; opdrachten beantwoord ik "
        f"wel.{kept}\n"
        "Maak ruimte vrij of herstel de schrijfrechten van de datamap; daarna ga ik vanzelf "
        "verder."
    )


STORE_UP_ALERT = "✅ De opslag schrijft weer; de pushberichten gaan verder."
