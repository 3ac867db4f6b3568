"""The Dutch country table: complete, consistent, spelled as Dutch news does."""

from __future__ import annotations

import pytest

from bot.core.text import fold
from bot.tagging import countries, country, tag
from bot.tagging.gazetteer import dateline_country, place_index
from tools.build_gazetteer import inflect


def test_table_covers_states_and_territories_in_the_news() -> None:
    codes = {entry.code for entry in countries()}
    assert len(codes) >= 240
    assert {"PS", "TW", "XK", "HK", "GL", "CW", "AW", "SX", "VA", "SS"} <= codes


@pytest.mark.parametrize(
    ("code", "name", "slug"),
    [
        ("UA", "Oekraïne", "oekraine"),
        ("SA", "Saudi-Arabië", "saudi-arabie"),
        ("GE", "Georgië", "georgie"),
        ("BY", "Belarus", "belarus"),
        ("PS", "Palestijnse gebieden", "palestina"),
        ("US", "Verenigde Staten", "vs"),
        ("CZ", "Tsjechië", "tsjechie"),
        ("CI", "Ivoorkust", "ivoorkust"),
    ],
)
def test_display_names_and_slugs(code: str, name: str, slug: str) -> None:
    assert country(code).name == name
    assert country(code).slug == slug


def test_variants_adjectives_inhabitants_places_metonyms() -> None:
    assert {"Saoedi-Arabië"} <= set(country("SA").variants)
    assert {"VS", "Amerika", "USA"} <= set(country("US").variants)
    assert {"Groot-Brittannië", "Engeland", "VK"} <= set(country("GB").variants)
    assert {"Kiev", "Kyiv"} <= set(country("UA").variants)
    assert {"Oekraïens", "Oekraïense"} <= set(country("UA").adjectives)
    assert {"Oekraïner", "Oekraïners"} <= set(country("UA").inhabitants)
    assert {"Moskou"} <= set(country("RU").cities)
    assert {"Kremlin"} <= set(country("RU").metonyms)
    assert {"Witte Huis", "Pentagon"} <= set(country("US").metonyms)
    assert {"Downing Street"} <= set(country("GB").metonyms)
    assert "Wit-Rusland" in country("BY").variants


def test_slugs_are_unique_and_folded() -> None:
    slugs = [entry.slug for entry in countries()]
    assert len(slugs) == len(set(slugs))
    assert all(slug == fold(slug) and " " not in slug for slug in slugs)


def test_traps_are_not_aliases() -> None:
    aliases = {fold(alias) for entry in countries() for alias, _ in entry.aliases()}
    assert not {"georgia", "jordan", "chad", "man", "paris", "nice"} & aliases
    # Jersey (JE) counts only capitalised: the cycling shirt is lower case.
    assert tag("", "De renner draagt de gele jersey.").countries == ()
    assert tag("", "De renner draagt de gele jersey. Jersey").countries == ("JE",)


@pytest.mark.parametrize(
    ("plain", "inflected"),
    [
        ("Frans", "Franse"),
        ("Chinees", "Chinese"),
        ("Indiaas", "Indiase"),
        ("Pools", "Poolse"),
        ("Iraans", "Iraanse"),
        ("Israëlisch", "Israëlische"),
        ("Oekraïens", "Oekraïense"),
    ],
)
def test_inflect(plain: str, inflected: str) -> None:
    assert inflect(plain) == inflected


@pytest.mark.parametrize(
    ("city", "code"),
    [
        ("DEN HAAG", "NL"),
        ("UTRECHT", "NL"),
        ("Londen", "GB"),
        ("BRUSSEL", "BE"),
        ("Kyiv", "UA"),
        ("NEW YORK", "US"),
        ("Atlantis", None),
    ],
)
def test_dateline_country(city: str, code: str | None) -> None:
    assert dateline_country(city) == code


def test_place_index_has_no_shared_names() -> None:
    # Every entry maps to exactly one country by construction; spot-check the size.
    assert len(place_index()) > 1000
