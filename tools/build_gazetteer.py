"""Build ``data/countries.json`` from the shared gazetteer sources and the curation.

Developer tool, not used at run time::

    python tools/build_gazetteer.py ../shared/data/gazetteer

Sources, in order of trust (later ones only fill what earlier ones left empty):

1. ``data/curation.toml``: hand curation (names as NOS and the Taalunie write them,
   variants, adjectives, inhabitants, cities, metonyms, traps to drop).
2. CLDR Dutch territory names (``cldr_nl_territories.tsv``): the display name.
3. pycountry's Dutch ISO 3166-1 names (``pycountry_iso3166-1_nl.tsv``): which codes
   exist, and the common/official Dutch name as a variant.
4. i18n-nationality (nl) keyed by code, looked up in the Alpino lexicon: inhabitant
   nouns (with plurals) and adjectives for countries the curation did not cover.
"""

from __future__ import annotations

import csv
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from bot.core.text import fold

DATA = Path(__file__).resolve().parent.parent / "bot" / "tagging" / "data"

# CLDR codes that are not countries or territories (EU, UN, test locales) or are
# better folded into their state (Canarische Eilanden -> ES via the curation).
_SKIP_CODES = frozenset(
    {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)
_LIST_FIELDS = (
    "variants",
    "adjectives",
    "adjectives_e",
    "inhabitants",
    "cities",
    "metonyms",
    "dateline",
    "language",
    "drop",
)


def inflect(adjective: str) -> str:
    """The attributive -e form: Frans -> Franse, Chinees -> Chinese, Indiaas -> Indiase.

    A doubled vowel before one final consonant loses a vowel in the open syllable.
    """
    if adjective.endswith("e"):
        return adjective
    if len(adjective) > 3 and adjective[-2] == adjective[-3] and adjective[-2] in "aeou":
        return adjective[:-2] + adjective[-1] + "e"
    return adjective + "e"


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _alpino_forms(path: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Inhabitant nouns and adjectives of Alpino, keyed by every singular form."""
    lexicon = json.loads(path.read_text("utf-8"))
    nouns: dict[str, list[str]] = {}
    for entry in lexicon["nouns_capitalized"]:
        forms = [form for form in entry["sg"] + entry["pl"] if form]
        for singular in entry["sg"]:
            nouns[singular] = forms
    adjectives: dict[str, list[str]] = {}
    for entry in lexicon["adjectives_capitalized"]:
        for plain in entry["no_e"]:
            adjectives[plain] = list(entry["no_e"])
    return nouns, adjectives


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        key = fold(value)
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def build(sources: Path) -> dict[str, Any]:
    curation: dict[str, dict[str, Any]] = tomllib.loads((DATA / "curation.toml").read_text("utf-8"))
    cldr = {
        row["alpha_2"]: row["name_nl"] for row in _read_tsv(sources / "cldr_nl_territories.tsv")
    }
    iso = {row["alpha_2"]: row for row in _read_tsv(sources / "pycountry_iso3166-1_nl.tsv")}
    nationality: dict[str, str] = json.loads(
        (sources / "i18n-nationality_1.4.0_nl.json").read_text("utf-8")
    )["nationalities"]
    nouns, adjectives = _alpino_forms(sources / "alpino_capitalized_nouns_adjectives.json")

    codes = sorted((set(iso) | set(cldr) | set(curation)) - _SKIP_CODES)
    countries = []
    for code in codes:
        cured = curation.get(code, {})
        name = cured.get("name") or cldr.get(code) or iso[code]["name_nl"]
        entry: dict[str, Any] = {
            "code": code,
            "name": name,
            "slug": cured.get("slug") or fold(name).replace(" ", "-").replace("'", ""),
            "minor": bool(cured.get("minor", False)),
        }
        for field in _LIST_FIELDS:
            entry[field] = list(cured.get(field, []))
        row = iso.get(code)
        if row is not None:
            for column in ("name_nl", "common_name_nl"):
                # ISO sort forms ("Korea, Democratische Volksrepubliek") are no names.
                if row[column] and "," not in row[column]:
                    entry["variants"].append(row[column])
        if code in cldr and cldr[code] != name and " SAR " not in cldr[code]:
            entry["variants"].append(cldr[code])
        if not entry["minor"] and code in nationality:
            _fill_from_lexicon(entry, nationality[code], nouns, adjectives)
        entry["variants"] = [v for v in _dedupe(entry["variants"]) if fold(v) != fold(name)]
        entry["adjectives"] = _dedupe(
            entry["adjectives"] + [inflect(a) for a in entry["adjectives"]] + entry["adjectives_e"]
        )
        # Dropped aliases go from every field the base may have filled (a variant
        # of pycountry, an inhabitant noun of Alpino), inflected forms included.
        dropped = {fold(alias) for alias in entry["drop"]}
        del entry["adjectives_e"], entry["drop"]
        for field in ("variants", "adjectives", "inhabitants"):
            entry[field] = [alias for alias in entry[field] if fold(alias) not in dropped]
        for field in ("inhabitants", "cities", "metonyms", "dateline", "language"):
            entry[field] = _dedupe(entry[field])
        countries.append(entry)
    return {
        "about": (
            "Dutch country table of nieuwsbot. Generated by tools/build_gazetteer.py "
            "from data/curation.toml (hand curation, authoritative), Unicode CLDR Dutch "
            "territory names, pycountry 26.2.16 Dutch ISO 3166-1 names, and inhabitant "
            "nouns/adjectives of the Alpino lexicon (LGPL-2.1) linked to codes through "
            "npm i18n-nationality 1.4.0 (MIT). Do not edit by hand: edit the curation "
            "and rebuild."
        ),
        "countries": countries,
    }


def _fill_from_lexicon(
    entry: dict[str, Any],
    form: str,
    nouns: dict[str, list[str]],
    adjectives: dict[str, list[str]],
) -> None:
    # Only fill what the curation left empty: Alpino is not keyed to countries,
    # so a lookup through i18n-nationality is a guess a curator may overrule.
    if not entry["inhabitants"] and form in nouns:
        entry["inhabitants"] = list(nouns[form])
    if not entry["adjectives"] and form in adjectives:
        entry["adjectives"] = list(adjectives[form])


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python tools/build_gazetteer.py GAZETTEER_DIR\n")
        return 2
    table = build(Path(argv[0]))
    out = DATA / "countries.json"
    out.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sys.stderr.write(f"wrote {len(table['countries'])} countries to {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
