"""What the bot says about linked Telegram channels (``/kanaal``), all Telegram HTML.

Every function escapes the values it is given; channel names arrive without
the leading "@" (or as a numeric id for a channel without a public name).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.core.telegram_text import clip_html

# A channel name or title echoed back is cut to this many UTF-16 units.
NAME_UNITS = 64


def shown(name: str) -> str:
    """``@name`` for a public channel, the bare id for a private one (escaped)."""
    cut = clip_html(name, NAME_UNITS)
    return cut if cut.lstrip("-").isdigit() else f"@{cut}"


def _code(name: str, rest: str = "") -> str:
    tail = f" {escape(rest)}" if rest else ""
    return f"<code>/kanaal {shown(name)}{tail}</code>"


HOW_TO_LINK = (
    "📣 <b>Nieuws in je eigen kanaal</b>\n"
    "1. Voeg mij in je kanaal toe als <b>beheerder</b> met het recht „Berichten plaatsen”.\n"
    "2. Stuur mij hier <code>/kanaal @naamvanjekanaal</code>, of stuur een bericht uit het "
    "kanaal naar mij door.\n"
    "3. Kies wat het kanaal volgt: <code>/kanaal @naam volg oekraine, buitenland</code>.\n\n"
    "Daarna: <code>/kanaal @naam mijn</code>, <code>/kanaal @naam ontvolg …</code>, "
    "<code>/kanaal @naam stil 23:00-07:00</code> en <code>/kanaal @naam stop</code>."
)
PRIVATE_ONLY = (
    "Een kanaal koppel en beheer je in een privégesprek met mij: stuur mij daar "
    "<code>/kanaal @naamvanjekanaal</code>."
)


def linked_channels(names: Sequence[tuple[str, int, bool]]) -> str:
    """/kanaal: the channels this admin linked (name, follow count, still posting)."""
    lines = ["📣 <b>Je gekoppelde kanalen</b>"]
    for name, follows, active in names:
        state = "" if active else " – ⚠️ ik kan er niet meer plaatsen"
        lines.append(f"• {shown(name)}: {follows} onderwerp(en){state}")
    lines.append("")
    lines.append("Beheer een kanaal met bijvoorbeeld <code>/kanaal @naam mijn</code>.")
    return "\n".join(lines)


def linked(name: str, title: str) -> str:
    return (
        f"✅ Kanaal <b>{clip_html(title, NAME_UNITS)}</b> ({shown(name)}) is gekoppeld. "
        f"Kies wat het volgt, bijvoorbeeld {_code(name, 'volg oekraine, buitenland')}."
    )


def relinked(name: str) -> str:
    return (
        f"✅ {shown(name)} is weer gekoppeld; ik plaats er weer het nieuws dat het volgt. "
        f"Bekijk het met {_code(name, 'mijn')}."
    )


def bad_name(typed: str) -> str:
    return (
        f"„{clip_html(typed, NAME_UNITS)}” is geen kanaalnaam. Gebruik de openbare naam met @, "
        "bijvoorbeeld <code>/kanaal @mijnnieuwskanaal</code>."
    )


def unknown_action(name: str, word: str) -> str:
    return (
        f"„{clip_html(word, NAME_UNITS)}” ken ik niet bij /kanaal. Je kunt: "
        f"{_code(name, 'volg …')}, {_code(name, 'ontvolg …')}, {_code(name, 'mijn')}, "
        f"{_code(name, 'stil 23:00-07:00')} of {_code(name, 'stop')}."
    )


def not_found(name: str) -> str:
    return (
        f"Ik kan het kanaal {shown(name)} niet vinden. Controleer de naam en voeg mij eerst "
        "als beheerder aan het kanaal toe; een privékanaal koppel je door een bericht uit "
        "het kanaal naar mij door te sturen."
    )


def not_a_channel(name: str) -> str:
    return (
        f"{shown(name)} is geen kanaal. In een groep voeg je mij gewoon toe en gebruik je daar "
        "<code>/volg</code>."
    )


def bot_not_admin(name: str) -> str:
    return (
        f"Ik ben geen beheerder van {shown(name)}. Voeg mij in het kanaal toe als beheerder "
        f"met het recht „Berichten plaatsen” en stuur daarna opnieuw {_code(name)}."
    )


def bot_cannot_post(name: str) -> str:
    return (
        f"Ik ben beheerder van {shown(name)}, maar ik mag er geen berichten plaatsen. Zet bij "
        f"mijn beheerdersrechten „Berichten plaatsen” aan en stuur daarna opnieuw "
        f"{_code(name)}."
    )


def user_not_admin(name: str) -> str:
    return (
        f"Alleen beheerders van {shown(name)} kunnen het kanaal koppelen of instellen. Vraag "
        "een beheerder van het kanaal om dit te doen."
    )


def telegram_failed(name: str) -> str:
    return (
        f"Telegram gaf me nu geen antwoord over {shown(name)}. Probeer het over een paar "
        "minuten opnieuw."
    )


def not_linked(name: str) -> str:
    return f"{shown(name)} is nog niet gekoppeld. Koppel het eerst met {_code(name)}."


def follow_usage(name: str) -> str:
    return (
        f"Wat moet {shown(name)} volgen? Bijvoorbeeld: {_code(name, 'volg oekraine, buitenland')}."
    )


def unfollow_usage(name: str) -> str:
    return f"Wat moet {shown(name)} niet meer volgen? Bijvoorbeeld: {_code(name, 'ontvolg sport')}."


def heading(name: str) -> str:
    """The first line above what the bot says about a channel's follows."""
    return f"📣 <b>Kanaal {shown(name)}</b>"


def stopped(name: str) -> str:
    return (
        f"🛑 {shown(name)} is ontkoppeld en alles wat het volgde is gewist. Ik plaats er niets "
        "meer; je kunt mij nu uit het kanaal verwijderen."
    )


def lost_rights(name: str) -> str:
    """To the linking admin, once, when the bot can no longer post in the channel."""
    return (
        f"⚠️ Ik kan niet meer plaatsen in {shown(name)}: ik ben er geen beheerder meer of mag "
        "er geen berichten plaatsen. Wat het kanaal volgt bewaar ik 30 dagen. Geef mij het "
        f"recht „Berichten plaatsen” terug en stuur {_code(name)} om verder te gaan."
    )


def rights_back(name: str) -> str:
    return f"✅ Ik mag weer plaatsen in {shown(name)}; het nieuws gaat verder."


def commands_in_channel(bot_username: str) -> str:
    """The polite refusal when someone types a command in the channel itself."""
    return (
        "Opdrachten werken niet in het kanaal zelf (iedereen zou ze zien). Beheer dit kanaal "
        f"in een privégesprek met @{escape(bot_username)} via <code>/kanaal</code>."
    )


def status_channels(rows: Sequence[tuple[str, int | None, int, bool]], total: int) -> list[str]:
    """/status lines for the channels shown: (name, subscribers or None, follows, posting)."""
    lines = [f"📣 <b>Kanalen</b> ({total})"]
    for name, subscribers, follows, active in rows:
        count = "? abonnees" if subscribers is None else f"{subscribers} abonnees"
        state = "" if active else ", plaatsen kan niet"
        lines.append(f"• {shown(name)}: {count}, {follows} onderwerp(en){state}")
    if total > len(rows):
        lines.append(f"… en {total - len(rows)} meer")
    return lines
