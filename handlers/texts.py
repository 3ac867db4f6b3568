"""Every Dutch text a user sees, in one place."""

from __future__ import annotations

WELCOME = (
    "👋 <b>Welkom bij nieuwsbot!</b>\n"
    "Ik stuur je het nieuws over de onderwerpen die jij volgt: landen, rubrieken "
    "of trefwoorden.\n\n"
    "Volg bijvoorbeeld <code>/volg oekraine</code>, <code>/volg buitenland</code> of "
    '<code>/volg "Poetin"</code>.\n'
    "Kies hieronder iets populairs, of typ /help voor alle opdrachten."
)

GENERIC_ERROR = "Sorry, er ging iets mis bij het verwerken van je bericht. Probeer het zo nog eens."
