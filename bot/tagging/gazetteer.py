"""The Dutch country table (``data/countries.json``) and lookups over it.

The table is data: names as NOS and the Taalunie write them, variants,
adjectives, inhabitants, places and government metonyms per ISO code. See
``build_gazetteer.py`` for how it was made and ``data/curation.toml`` to change it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from bot.core.text import fold


class AliasKind(StrEnum):
    """What an alias says about its country; rules of the tagger depend on it."""

    NAME = "name"
    ADJECTIVE = "adjective"
    INHABITANT = "inhabitant"
    PLACE = "place"
    METONYM = "metonym"


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    slug: str
    variants: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    inhabitants: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    dateline_places: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    minor: bool = False

    def aliases(self) -> list[tuple[str, AliasKind]]:
        """Every text alias with its kind (dateline-only places excluded)."""
        pairs = [(self.name, AliasKind.NAME)]
        pairs += [(alias, AliasKind.NAME) for alias in self.variants]
        if self.minor:
            return pairs
        pairs += [(alias, AliasKind.ADJECTIVE) for alias in self.adjectives]
        pairs += [(alias, AliasKind.INHABITANT) for alias in self.inhabitants]
        pairs += [(alias, AliasKind.PLACE) for alias in self.cities]
        pairs += [(alias, AliasKind.METONYM) for alias in self.metonyms]
        return pairs


@cache
def countries() -> tuple[Country, ...]:
    """All countries and territories of the table, in ISO code order."""
    raw = resources.files("bot.tagging").joinpath("data/countries.json").read_text("utf-8")
    return tuple(
        Country(
            code=entry["code"],
            name=entry["name"],
            slug=entry["slug"],
            variants=tuple(entry["variants"]),
            adjectives=tuple(entry["adjectives"]),
            inhabitants=tuple(entry["inhabitants"]),
            cities=tuple(entry["cities"]),
            metonyms=tuple(entry["metonyms"]),
            dateline_places=tuple(entry["dateline"]),
            languages=tuple(entry["language"]),
            minor=entry["minor"],
        )
        for entry in json.loads(raw)["countries"]
    )


@cache
def _by_code() -> dict[str, Country]:
    return {entry.code: entry for entry in countries()}


def country(code: str) -> Country:
    """The country with this ISO alpha-2 code; ``KeyError`` if unknown."""
    return _by_code()[code.upper()]


@cache
def place_index() -> dict[str, str]:
    """Folded place or country name -> code, for datelines (``DEN HAAG`` -> NL).

    Names that two countries share are left out: a dateline must be unambiguous.
    """
    seen: dict[str, set[str]] = {}
    for entry in countries():
        for place in (entry.name, *entry.variants, *entry.cities, *entry.dateline_places):
            seen.setdefault(fold(place), set()).add(entry.code)
    return {place: next(iter(codes)) for place, codes in seen.items() if len(codes) == 1}


def dateline_country(city: str) -> str | None:
    """The country of a dateline city, or None when the city is unknown."""
    return place_index().get(fold(city))
