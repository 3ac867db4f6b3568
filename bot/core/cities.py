"""City names as people read them: ``DEN HAAG`` in a wire dateline is Den Haag.

Pure helpers shared by ingest (recognising datelines) and delivery (showing
them), so neither stage imports the other.
"""

from __future__ import annotations

from bot.core.model import Dateline

# Lower-case joining words inside city names: "Alphen aan den Rijn",
# "Rio de Janeiro", "Bergen op Zoom".
CITY_PARTICLES = frozenset(
    {"aan", "den", "op", "de", "het", "van", "der", "bij", "in", "en", "la", "le", "el", "du"}
)


def display_city(dateline: Dateline) -> str:
    """The city for people: ``DEN HAAG`` -> ``Den Haag``.

    ``'S-HERTOGENBOSCH`` -> ``'s-Hertogenbosch``; mixed-case cities are kept.
    """
    city = dateline.city
    if not is_capitals(city):
        return city
    words = city.lower().split(" ")
    shown = [
        word if index and word in CITY_PARTICLES else _capitalise_word(word)
        for index, word in enumerate(words)
    ]
    return " ".join(shown)


def _capitalise_word(word: str) -> str:
    # 's-Hertogenbosch keeps its lower-case 's; every hyphen part is capitalised.
    prefix = ""
    for elided in ("'s-", "’s-"):
        if word.startswith(elided):
            prefix, word = elided, word[len(elided) :]
    return prefix + "-".join(_capitalise_part(part) for part in word.split("-"))


def _capitalise_part(part: str) -> str:
    if part.startswith("ij"):
        # Dutch digraph: IJmuiden, IJsselstein.
        return "IJ" + part[2:]
    for index, char in enumerate(part):
        if char.isalpha():
            return part[:index] + char.upper() + part[index + 1 :]
    return part


def is_capitals(city: str) -> bool:
    return any(char.isalpha() for char in city) and city == city.upper()
