"""What the bot says in chats: command replies, button labels, pop-ups and the command menu.

Constants are ready-to-send Telegram HTML. Functions take plain values and
escape every one of them, so text from users and feeds can never break markup.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

from bot.core.keywords import KEYWORD_MAX_CHARS, KEYWORD_MIN_CHARS, RejectReason
from bot.core.model import FollowKey, FollowKind
from bot.core.telegram_text import clip, clip_html
from bot.texts.topics import KIND_HEADINGS, KIND_NAMES

# User input echoed in a reply is cut to this many UTF-16 units (escaped), so a
# 1,000-character argument full of "&" can never push a reply past 4096.
ECHO_UNITS = 80
# A follow's label in /mijn: 50 follows must fit one message with the settings.
LABEL_UNITS = 60
# A command name echoed back ("„/follow” ken ik niet").
COMMAND_ECHO_UNITS = 40
# The tagging core's question for an ambiguous word repeats that word.
QUESTION_UNITS = 300


def _echo(text: str, units: int = ECHO_UNITS) -> str:
    """User-provided text for an HTML reply: escaped and clipped."""
    return clip_html(text, units)


WELCOME = (
    "👋 <b>Welkom bij nieuwsbot!</b>\n"
    "Ik stuur je het nieuws over de onderwerpen die jij volgt: landen, rubrieken "
    "of trefwoorden.\n\n"
    "Volg bijvoorbeeld <code>/volg oekraine</code>, <code>/volg buitenland</code> of "
    '<code>/volg "Poetin"</code>.\n'
    "Kies hieronder iets populairs, of typ /help voor alle opdrachten."
)

GENERIC_ERROR = "Sorry, er ging iets mis bij het verwerken van je bericht. Probeer het zo nog eens."

HELP = (
    "<b>Zo werkt nieuwsbot</b>\n\n"
    "<b>Volgen</b>\n"
    "/volg <code>oekraine</code> – volg een land, rubriek of trefwoord\n"
    '/volg <code>sport, "Max Verstappen"</code> – meerdere tegelijk, met komma\'s\n'
    "/ontvolg <code>sport</code> – niet meer volgen (/ontvolg <code>alles</code> wist alles)\n"
    "/mijn – wat je volgt en je instellingen\n"
    "/onderwerpen – alle rubrieken en hoe je landen volgt\n"
    "/volg <code>belangrijk</code> – alleen het grote nieuws: wat veel nieuwssites tegelijk "
    "melden\n\n"
    "<b>Lezen</b>\n"
    "/laatste – het laatste nieuws (/laatste <code>oekraine 10</code>)\n"
    "/zoek <code>stikstof boeren</code> – zoek in het nieuws van de afgelopen dagen\n\n"
    "<b>Instellingen</b>\n"
    "/stil <code>23:00-07:00</code> – geen meldingen in die uren (/stil <code>uit</code>)\n"
    "/samenvatting <code>08:00</code> – één overzicht per dag in plaats van losse "
    "berichten (/samenvatting <code>uit</code>)\n"
    "/voorbeeld <code>aan</code> – een voorbeeld van het artikel onder elk bericht "
    "(/voorbeeld <code>uit</code>)\n"
    "/updates <code>stil</code> – meer nieuws over een verhaal dat je al kreeg als stil "
    "antwoord (<code>uit</code>: niet, <code>apart</code>: elk bericht met melding)\n"
    "/stop – stop alle berichten en wis je gegevens\n\n"
    "<b>Kanalen</b>\n"
    "/kanaal <code>@jouwkanaal</code> – nieuws in een kanaal dat je beheert (/kanaal "
    "voor uitleg)\n\n"
    "In groepen mag iedereen /laatste en /zoek gebruiken; alleen beheerders "
    "wijzigen wat de groep volgt."
)

PLAIN_TEXT = (
    "Ik reageer op opdrachten, zoals <code>/volg oekraine</code> of <code>/laatste</code>. "
    "Typ /help voor een overzicht."
)


def unknown_command(typed: str, suggestion: str | None, argument: str = "") -> str:
    """``typed``: the command name as typed (no "/"); ``suggestion``: the one meant, if any."""
    known = f"„/{_echo(typed, COMMAND_ECHO_UNITS)}” ken ik niet."
    if suggestion is None:
        return f"{known} Typ /help voor alle opdrachten."
    if argument:
        return f"{known} Bedoel je <code>/{escape(suggestion)} {_echo(argument)}</code>?"
    return f"{known} Bedoel je /{escape(suggestion)}?"


# --- Guards -------------------------------------------------------------------

ADMINS_ONLY = "Sorry, in deze groep kunnen alleen beheerders dat wijzigen. 🙂"
ADMINS_ONLY_SHORT = "Alleen beheerders van de groep kunnen dat wijzigen."


def rate_limited(seconds: float) -> str:
    """Over the command limit; ``seconds`` until the chat may go on. Also a button pop-up."""
    whole = max(1, math.ceil(seconds))
    if whole > 90:
        wait = f"{math.ceil(whole / 60)} minuten"
    else:
        wait = "1 seconde" if whole == 1 else f"{whole} seconden"
    return f"Even rustig aan: je kunt over {wait} weer opdrachten sturen."


UNCLOSED_QUOTE = (
    'Er mist een afsluitend aanhalingsteken. Voorbeeld: <code>/volg "Mark Rutte"</code>'
)
BUTTON_EXPIRED = "Deze knop werkt niet meer. Typ de opdracht opnieuw."


def input_too_long(max_chars: int) -> str:
    return f"Dat bericht is te lang. Houd het bij maximaal {max_chars} tekens."


def term_too_long(max_chars: int) -> str:
    return f"Eén onderwerp mag maximaal {max_chars} tekens lang zijn. Kies iets korters."


# --- Kinds ----------------------------------------------------------------------


def label_of(key: FollowKey) -> str:
    """What the user calls a follow: its label, else the stored value (plain text)."""
    if key.label:
        return key.label
    return f"„{key.value}”" if key.kind is FollowKind.KEYWORD else key.value


def described(key: FollowKey) -> str:
    """``Oekraïne (land)``, escaped."""
    return f"{_echo(label_of(key))} ({KIND_NAMES[key.kind]})"


def described_plain(key: FollowKey) -> str:
    """``Oekraïne (land)`` as plain text, for button labels."""
    return f"{label_of(key)} ({KIND_NAMES[key.kind]})"


def _listing(keys: Iterable[FollowKey]) -> str:
    return ", ".join(described(key) for key in keys)


# --- /volg ------------------------------------------------------------------------

FOLLOW_PICK = (
    "Wat wil je volgen? Tik hieronder op een onderwerp, of typ bijvoorbeeld "
    '<code>/volg oekraine</code> of <code>/volg "Max Verstappen"</code>.'
)
FOLLOW_NOTHING = (
    "Je gaf niets op om te volgen. Voorbeeld: <code>/volg oekraine</code> of "
    '<code>/volg "Mark Rutte"</code>.'
)


def followed(keys: Sequence[FollowKey]) -> str:
    return f"✅ Je volgt nu: {_listing(keys)}"


# After a follow of a country that rarely makes the news (resolve() flags it
# rare); ``{names}`` is a list of described() follows, already escaped.
FOLLOW_RARE = "ℹ️ Over {names} verschijnt maar zelden nieuws: verwacht er niet veel berichten over."


def already_following(keys: Sequence[FollowKey]) -> str:
    return f"Je volgde al: {_listing(keys)}"


def follow_limit(max_follows: int) -> str:
    return (
        f"Je volgt al het maximum van {max_follows} onderwerpen. Ontvolg eerst iets met "
        "/ontvolg, of bekijk je lijst met /mijn."
    )


def follow_limit_short(max_follows: int) -> str:
    """Plain text, for a button's pop-up."""
    return f"Je volgt al het maximum van {max_follows} onderwerpen. Ontvolg eerst iets."


def follow_limit_partial(skipped: Sequence[str], max_follows: int) -> str:
    names = ", ".join(_echo(name) for name in skipped)
    return f"Niet gevolgd, want je zit aan het maximum van {max_follows}: {names}"


def suggestions(term: str) -> str:
    return f"Ik ken „{_echo(term)}” niet precies. Bedoel je een van deze?"


def ask(question: str) -> str:
    """``question`` comes from the tagging core and is plain text."""
    return clip_html(question, QUESTION_UNITS)


def not_understood(term: str) -> str:
    return (
        f"Ik kan „{_echo(term)}” niet volgen. Probeer een land (<code>/volg japan</code>), "
        "een rubriek (/onderwerpen) of een trefwoord (<code>/volg stikstof</code>)."
    )


_REJECTIONS = {
    RejectReason.EMPTY: "daar staat niets in",
    RejectReason.TOO_SHORT: "een trefwoord moet minstens {min} tekens hebben",
    RejectReason.TOO_LONG: "een trefwoord mag hoogstens {max} tekens lang zijn",
    RejectReason.NO_LETTERS: "er staan geen letters of cijfers in",
    RejectReason.STOP_WORD: "dat woord komt in bijna elk bericht voor",
}


def rejected(term: str, reason: RejectReason) -> str:
    why = _REJECTIONS[reason].format(min=KEYWORD_MIN_CHARS, max=KEYWORD_MAX_CHARS)
    shown = _echo(term) if term.strip() else "dat"
    return (
        f"„{shown}” kan ik niet volgen: {why}. Probeer bijvoorbeeld "
        "<code>/volg oekraine</code> of <code>/volg stikstof</code>."
    )


def follow_as_keyword(term: str) -> str:
    return f"🔎 Volg „{term}” als trefwoord"


# --- /ontvolg ---------------------------------------------------------------------

NO_FOLLOWS = (
    "Je volgt nog niets. Begin bijvoorbeeld met <code>/volg oekraine</code> of kijk bij "
    "/onderwerpen."
)
UNFOLLOW_PICK = "Tik op wat je niet meer wilt volgen:"
UNFOLLOW_ALL_CONFIRM = "Weet je zeker dat je <b>alles</b> wilt ontvolgen?"
UNFOLLOW_ALL_DONE = "Je volgt niets meer. Met /volg begin je opnieuw."
CANCELLED = "Oké, er is niets veranderd."
YES_UNFOLLOW_ALL = "Ja, ontvolg alles"
YES_STOP = "Ja, stop en wis alles"
NO_CANCEL = "Nee, laat maar"


def unfollowed(keys: Sequence[FollowKey]) -> str:
    return f"Je volgt niet meer: {_listing(keys)}"


def not_following(term: str) -> str:
    return f"Je volgde „{_echo(term)}” niet. Bekijk wat je volgt met /mijn."


# --- /mijn ------------------------------------------------------------------------


def my_follows(
    follows: Sequence[FollowKey],
    *,
    quiet: tuple[str, str] | None,
    digest: str | None,
    previews: bool,
    max_follows: int,
    updates: str = "",
) -> str:
    """``updates``: the chat's /updates choice as its word (``stil``); empty: not shown."""
    lines: list[str] = []
    if follows:
        lines.append(f"<b>Je volgt</b> ({len(follows)} van {max_follows})")
        for kind in (FollowKind.SECTION, FollowKind.COUNTRY, FollowKind.KEYWORD):
            names = sorted(
                (_echo(label_of(key), LABEL_UNITS) for key in follows if key.kind is kind),
                key=str.casefold,
            )
            if names:
                lines.append(f"{KIND_HEADINGS[kind]}: {', '.join(names)}")
    else:
        lines.append(NO_FOLLOWS)
    lines.append("")
    lines.append("<b>Instellingen</b>")
    lines.append(
        f"🌙 Stille uren: {quiet[0]}–{quiet[1]}" if quiet else "🌙 Stille uren: uit (/stil)"
    )
    lines.append(
        f"🗞 Dagelijkse samenvatting: om {digest}"
        if digest
        else "🗞 Dagelijkse samenvatting: uit, je krijgt berichten direct (/samenvatting)"
    )
    lines.append(
        "🔗 Voorbeeld van het artikel: aan"
        if previews
        else "🔗 Voorbeeld van het artikel: uit (/voorbeeld)"
    )
    if updates:
        lines.append(f"🧵 Meer over een verhaal: {_UPDATES_SHORT.get(updates, updates)} (/updates)")
    return "\n".join(lines)


# --- /laatste and /zoek --------------------------------------------------------------


def latest_header(topic: str | None) -> str:
    return f"🗞 <b>Laatste nieuws over {_echo(topic)}</b>" if topic else "🗞 <b>Laatste nieuws</b>"


def latest_clamped(max_items: int) -> str:
    return f"<i>(Ik laat er maximaal {max_items} tegelijk zien.)</i>"


def latest_count_invalid(max_items: int) -> str:
    return f"Kies een aantal van 1 tot {max_items}. Voorbeeld: <code>/laatste sport 10</code>"


def no_news(topic: str | None, days: int) -> str:
    period = _days(days)
    if topic:
        return (
            f"Geen nieuws over {_echo(topic)} in de afgelopen {period}. "
            "Probeer een ander onderwerp of gewoon /laatste."
        )
    return f"Er is nog geen nieuws binnen uit de afgelopen {period}. Probeer het straks nog eens."


def latest_did_you_mean(commands: Sequence[str]) -> str:
    """ "Bedoel je /laatste oekraine?" after a near miss; empty when nothing fits."""
    if not commands:
        return ""
    return "\nBedoel je " + " of ".join(escape(c) for c in commands) + "?"


SEARCH_EMPTY = (
    "Waar wil je naar zoeken? Voorbeeld: <code>/zoek stikstof</code> of "
    "<code>/zoek formatie kabinet</code>."
)


def search_header(query: str) -> str:
    return f"🔎 <b>Gevonden voor „{_echo(query)}”</b>"


def search_nothing(query: str, days: int) -> str:
    return (
        f"Niets gevonden voor „{_echo(query)}” in de afgelopen {_days(days)}. "
        "Probeer minder of andere woorden."
    )


def _days(days: int) -> str:
    return "dag" if days == 1 else f"{days} dagen"


# --- /stil, /samenvatting ----------------------------------------------------------------

QUIET_EMPTY = (
    "Begin en einde zijn gelijk; dat is geen stille periode. "
    "Voorbeeld: <code>/stil 23:00-07:00</code>"
)
QUIET_OFF = "🔔 Stille uren staan uit: je krijgt weer op elk moment berichten."
DIGEST_OFF = "De dagelijkse samenvatting staat uit: je krijgt nieuws weer direct."


def clock_invalid(text: str) -> str:
    return (
        f"„{_echo(text)}” is geen geldige tijd. Gebruik een tijd van 00:00 tot 23:59, "
        "bijvoorbeeld <code>07:30</code> of <code>8 uur</code>."
    )


def quiet_range_invalid(text: str) -> str:
    return (
        f"„{_echo(text)}” begrijp ik niet. Geef begin en einde, bijvoorbeeld "
        "<code>/stil 23:00-07:00</code> of <code>/stil 23-7</code>, of zet het uit met "
        "<code>/stil uit</code>."
    )


def quiet_usage(current: tuple[str, str] | None) -> str:
    now = f"Nu: stil van {current[0]} tot {current[1]}." if current else "Nu: uit."
    return (
        f"🌙 <b>Stille uren</b> – {now}\n"
        "Stel in met <code>/stil 23:00-07:00</code>, zet uit met <code>/stil uit</code>."
    )


def quiet_set(start: str, end: str) -> str:
    return f"🌙 Stille uren ingesteld: van {start} tot {end} krijg je geen meldingen."


def digest_usage(current: str | None) -> str:
    now = f"Nu: elke dag om {current}." if current else "Nu: uit, je krijgt nieuws direct."
    return (
        f"🗞 <b>Dagelijkse samenvatting</b> – {now}\n"
        "Stel in met <code>/samenvatting 08:00</code>, zet uit met "
        "<code>/samenvatting uit</code>."
    )


def digest_set(at: str) -> str:
    return f"🗞 Je krijgt voortaan elke dag om {at} één samenvatting in plaats van losse berichten."


# --- /voorbeeld ---------------------------------------------------------------------------

PREVIEWS_ON = (
    "🔗 Voorbeelden staan aan: onder elk nieuwsbericht zie je een voorbeeld van het artikel."
)
PREVIEWS_OFF = "Voorbeelden staan uit: je nieuwsberichten komen zonder voorbeeld van het artikel."


def previews_usage(shown: bool) -> str:
    now = "Nu: aan." if shown else "Nu: uit."
    return (
        f"🔗 <b>Voorbeeld van het artikel</b> – {now}\n"
        "Zet aan met <code>/voorbeeld aan</code>, uit met <code>/voorbeeld uit</code>."
    )


def switch_invalid(text: str, command: str) -> str:
    return (
        f"„{_echo(text)}” begrijp ik niet. Kies <code>/{escape(command)} aan</code> of "
        f"<code>/{escape(command)} uit</code>."
    )


# --- /updates -----------------------------------------------------------------------------

# What a chat types after /updates (and what /mijn shows).
UPDATES_WORD_SILENT = "stil"
UPDATES_WORD_OFF = "uit"
UPDATES_WORD_SEPARATE = "apart"
_UPDATES_SHORT = {
    UPDATES_WORD_SILENT: "stil, als antwoord op het eerste bericht",
    UPDATES_WORD_OFF: "uit, alleen het eerste bericht",
    UPDATES_WORD_SEPARATE: "apart, elk bericht met melding",
}
_UPDATES_EXPLAINED = (
    "<code>/updates stil</code> – het eerste bericht over een verhaal met melding, "
    "wat andere nieuwssites daarna melden als stil antwoord erop (hoogstens één per half uur)\n"
    "<code>/updates uit</code> – alleen het eerste bericht; de rest staat in /laatste\n"
    "<code>/updates apart</code> – elk bericht los en met melding, ook over hetzelfde verhaal"
)


def updates_usage(current: str) -> str:
    """``current``: the chat's choice as its word."""
    return (
        f"🧵 <b>Meer over hetzelfde verhaal</b> – Nu: {_UPDATES_SHORT.get(current, current)}.\n"
        f"{_UPDATES_EXPLAINED}"
    )


def updates_set(choice: str) -> str:
    if choice == UPDATES_WORD_OFF:
        return (
            "🧵 Je krijgt voortaan alleen het eerste bericht over een verhaal. Wat andere "
            "nieuwssites later melden, vind je met /laatste."
        )
    if choice == UPDATES_WORD_SEPARATE:
        return "🧵 Je krijgt voortaan elk bericht apart en met melding, ook over hetzelfde verhaal."
    return (
        "🧵 Meer nieuws over een verhaal dat je al kreeg, komt voortaan als stil antwoord op "
        "het eerste bericht (hoogstens één per half uur)."
    )


def updates_invalid(text: str) -> str:
    return (
        f"„{_echo(text)}” ken ik niet als keuze. Kies <code>/updates stil</code>, "
        "<code>/updates uit</code> of <code>/updates apart</code>."
    )


# --- /stop ------------------------------------------------------------------------------

STOP_CONFIRM = (
    "Weet je het zeker? Ik stop dan met alle berichten en wis wat ik over deze chat "
    "bewaar (wat je volgt en je instellingen)."
)
STOP_DONE = "👋 Gestopt. Je gegevens zijn gewist. Met /start begin je opnieuw."

# --- /onderwerpen ---------------------------------------------------------------------


def topics(sections: Sequence[tuple[str, str]], important: tuple[int, int] | None = None) -> str:
    """``sections``: (slug, label) pairs, plain text; ``important``: the belangrijk
    rule as (outlets, minutes), shown when given."""
    lines = ["📰 <b>Rubrieken</b>"]
    lines.extend(
        f"• {escape(label)} – <code>/volg {escape(slug)}</code>" for slug, label in sections
    )
    lines.append("")
    if important is not None:
        lines.append(important_explained(*important))
        lines.append("")
    lines.append(
        "🌍 <b>Landen</b>: typ de Nederlandse naam, bijvoorbeeld <code>/volg oekraine</code> of "
        "<code>/volg verenigde staten</code>."
    )
    lines.append(
        "🔎 <b>Trefwoorden</b>: alles wat geen rubriek of land is, bijvoorbeeld "
        '<code>/volg "stikstof"</code>.'
    )
    return "\n".join(lines)


def important_explained(outlets: int, minutes: int) -> str:
    """What /volg belangrijk does, for /onderwerpen."""
    return (
        f"⚡ <b>Belangrijk nieuws</b>: een verhaal dat minstens {outlets} nieuwssites binnen "
        f"{minutes} minuten brengen, één keer, met alle sites erbij – "
        "<code>/volg belangrijk</code>"
    )


# --- Button toasts ----------------------------------------------------------------------


# Telegram refuses a button pop-up (answerCallbackQuery text) over 200 characters.
TOAST_CHARS = 200
_TOAST_LABEL_CHARS = 60


def _toast_label(key: FollowKey) -> str:
    return clip(label_of(key), _TOAST_LABEL_CHARS)


def toggled_on(key: FollowKey) -> str:
    """Plain text, for a button's pop-up (at most ``TOAST_CHARS``)."""
    return f"Je volgt nu {_toast_label(key)}"


def toggled_off(key: FollowKey) -> str:
    """Plain text, for a button's pop-up (at most ``TOAST_CHARS``)."""
    return f"Je volgt {_toast_label(key)} niet meer"


# --- Admin alerts: the store cannot write -----------------------------------------------


# --- Bot menu (plain text, no HTML) -----------------------------------------------------

COMMANDS: tuple[tuple[str, str], ...] = (
    ("laatste", "Het laatste nieuws, ook per onderwerp"),
    ("zoek", "Zoek in het nieuws van de afgelopen dagen"),
    ("volg", "Volg een land, rubriek of trefwoord"),
    ("ontvolg", "Stop met volgen"),
    ("mijn", "Wat je volgt en je instellingen"),
    ("onderwerpen", "Alle rubrieken en hoe je landen volgt"),
    ("stil", "Stille uren, bijv. 23:00-07:00"),
    ("samenvatting", "Eén overzicht per dag"),
    ("voorbeeld", "Voorbeeld van het artikel aan of uit"),
    ("updates", "Meer over hetzelfde verhaal: stil, uit of apart"),
    ("kanaal", "Nieuws in je eigen kanaal"),
    ("help", "Alle opdrachten met voorbeelden"),
    ("start", "Welkom en populaire onderwerpen"),
    ("stop", "Stop alle berichten en wis je gegevens"),
)
