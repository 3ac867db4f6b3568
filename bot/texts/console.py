"""What ``nieuwsbot console`` says to the person trying the bot (plain text, no HTML)."""

from __future__ import annotations

from collections.abc import Sequence

STARTING = "nieuwsbot start en haalt het nieuws op…"
BANNER_HINT = "Typ /start om te beginnen, :nieuw voor een nieuw bericht, :stop om te stoppen."

HELP = (
    "Console-opdrachten:\n"
    "  /start, /volg oekraine, /laatste …  stuur een bericht naar de bot\n"
    "  1, 2, 3 …                           kies een knop van het laatste bericht met knoppen\n"
    "  :nieuw                              publiceer een nieuw voorbeeldbericht\n"
    "                                      (met --live: haal de feeds nu op)\n"
    "  :kanaal                             koppel een proefkanaal en zie wat de bot erin\n"
    "                                      plaatst (beheer het met /kanaal @console_kanaal …)\n"
    "  :inline oekraine                    toon wat de bot antwoordt op @bot oekraine\n"
    "  :help                               deze uitleg\n"
    "  :stop                               stoppen (ook :quit of Ctrl-D)"
)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def banner(*, live: bool, items: int, feeds: int) -> str:
    """The greeting once the first poll cycle has filled the bot with news."""
    messages = "1 bericht" if items == 1 else f"{items} berichten"
    if live:
        source = f"Live: {messages} uit {_count(feeds, 'feed', 'feeds')} van je configuratie."
    else:
        source = (
            f"Voorbeeldnieuws: {messages} uit {_count(feeds, 'voorbeeldfeed', 'voorbeeldfeeds')} "
            "(geschreven voor nieuwsbot, geen echt nieuws)."
        )
    return (
        "nieuwsbot console: praat met de bot zonder Telegram.\n"
        f"{source}\n{BANNER_HINT}\n"
        "Kies een knop door het nummer te typen; :help toont alle console-opdrachten."
    )


def published(title: str) -> str:
    return f"📰 Nieuw voorbeeldbericht gepubliceerd: „{title}”. De bot haalt de feeds nu op…"


NOTHING_PENDING = (
    "Alle voorbeeldberichten zijn al gepubliceerd. Start de console opnieuw voor meer."
)
FETCHING = "De bot haalt de feeds nu op…"


def fetched(count: int) -> str:
    if count == 1:
        return "1 nieuw bericht opgehaald."
    return f"{count} nieuwe berichten opgehaald."


def nobody_follows(topics: Sequence[tuple[str, str]]) -> str:
    """No chat follows the new story. ``topics`` are (label, what to type after /volg)."""
    if not topics:
        return "Dit bericht past bij geen enkel onderwerp, dus er komt geen pushbericht."
    labels = ", ".join(label for label, _ in topics)
    return (
        f"Niemand volgt dit bericht ({labels}), dus er komt geen pushbericht. "
        f"Volg het bijvoorbeeld met /volg {topics[0][1]} en typ dan nog eens :nieuw."
    )


def unknown_command(word: str) -> str:
    return f"Onbekende console-opdracht :{word}. Typ :help voor een overzicht."


def link_button(url: str) -> str:
    return f"Deze knop opent een link: {url}"


STALE_BUTTON = "Die knop werkt niet meer. Typ de opdracht opnieuw."

# How a message that arrives without a notification, or as a reply, is marked.
SILENT_NOTE = "stil, zonder melding"
REPLY_NOTE = "antwoord"


def replying_to(first_line: str) -> str:
    """The line above a reply: which earlier message it answers."""
    return f"↪ antwoord op: {first_line}"


def no_such_button(number: int, available: int) -> str:
    if available == 0:
        return "Er zijn geen knoppen om te kiezen."
    if available == 1:
        return f"Er is geen knop {number}; kies 1."
    return f"Er is geen knop {number}; kies 1 tot en met {available}."


def channel_created(name: str) -> str:
    return (
        f"📣 Proefkanaal @{name} gemaakt, met de bot als beheerder. De console stuurt nu "
        f"/kanaal @{name}; volg daarna iets met /kanaal @{name} volg oekraine."
    )


def channel_post_heading(name: str) -> str:
    """The line above what the bot posts in the console's channel."""
    return f"📣 in kanaal @{name}:"


def inline_heading(bot_username: str, query: str, count: int) -> str:
    shown = query or "(leeg: belangrijk nieuws)"
    return f"🔎 @{bot_username} {shown}: {count} resultaten"


def inline_more(offset: str) -> str:
    return f"… meer resultaten met offset „{offset}”"


INLINE_FAILED = "De bot gaf geen antwoord op de inline-zoekvraag."
