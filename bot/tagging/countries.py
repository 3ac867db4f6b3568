"""Country tagger: which countries a Dutch news text refers to.

One pass of one compiled regex over the text finds every alias of every country
(names, adjectives, inhabitants, places, metonyms) and every known trap phrase
("Zwitserse gatenkaas"); the regex is a trie of folded aliases, so a longer alias
or trap that starts at the same place wins. Each hit then passes a few context
rules that generalise over Dutch news rather than over one test set:

* trap phrases (idioms, food, continents built on a country word) count for nothing;
* some aliases are also common lower-case words and count only capitalised
  ("Polen" vs "polen", "Chili" vs "chili");
* a language adjective is the language, not the country, after "het" or
  "vloeiend" and before "en" or a full stop ("in het Engels", "Engels en Frans");
* a one-word alias inside a proper name is a person or an organisation, not the
  country: "Frans Timmermans", "Denzel Washington", "Statiegeld Nederland";
* an alias that is also a common surname is the person after a first name or a
  title, or before a reporting verb: "premier Anthony Albanese", "Albanese zei".

The same pass finds the evidence of where a story is set (``data/setting.toml``):
people who act for a foreign state ("Trump", "Poetin") and Dutch institutions
and places ("RIVM", "Kamerleden", "Drenthe"). Their mentions carry a ``Role``
other than ``COUNTRY`` and tag no country; ``setting.py`` weighs them.

The text is folded once, keeping case (accents stripped, curly apostrophes
straightened) and the regex matches case-insensitively: case is needed by the
rules above, and every offset refers to that one folded string.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from bot.tagging.gazetteer import AliasKind, countries, country

# Curly apostrophes become straight ones ("Côte d’Ivoire"), no-break spaces plain
# ones; zero-width characters and soft hyphens go. str.replace runs in C.
_ODD_CHARS = (
    ("\u2019", "'"),
    ("\u2018", "'"),
    ("\u00b4", "'"),
    ("`", "'"),
    ("\u00a0", " "),
    ("\u200b", ""),
    ("\u200c", ""),
    ("\u200d", ""),
    ("\u2060", ""),
    ("\ufeff", ""),
    ("\u00ad", ""),
)
_COMBINING_RE = re.compile("[\u0300-\u036f]+")
_SEPARATORS_RE = re.compile(r"[\s\-]+")
_SEPARATOR = " "  # what a run of spaces and hyphens inside an alias key becomes
_SENTENCE_END = frozenset(".!?:;\"'“”(•-–—|")
_WORD_BEFORE_RE = re.compile(r"([^\W\d_][\w'.]*)\s+$")
_WORD_AFTER_RE = re.compile(r"\s+([^\W\d_]\w*)")
# Words before a country name that are part of how the state is named, not an
# organisation: "Koninkrijk België", "Team Nederland".
_STATE_TITLES = frozenset(
    {"team", "koninkrijk", "republiek", "staat", "hup", "groot", "kanaaleiland", "kanaaleilanden"}
)


def light_fold(text: str) -> str:
    """Strip accents, straighten apostrophes, drop zero-width characters; keep case."""
    if text.isascii():
        return text
    for odd, plain in _ODD_CHARS:
        text = text.replace(odd, plain)
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def lower_same_length(text: str) -> str:
    """``text.lower()``, keeping offsets valid: the rare characters whose lower
    case is longer ("İ") are left as they are."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char if len(char.lower()) != 1 else char.lower() for char in text)


def alias_key(alias: str) -> str:
    """The lookup key of an alias or of matched text: folded, lower, one separator."""
    return _matched_key(light_fold(alias).lower().strip())


def _matched_key(matched: str) -> str:
    """The key of text the regex matched (already folded and lower case)."""
    if " " not in matched and "-" not in matched and "\n" not in matched:
        return matched
    return _SEPARATORS_RE.sub(_SEPARATOR, matched)


class Role(StrEnum):
    """What a mention says: a country reference, or only where the story is set."""

    COUNTRY = "country"  # tags the country
    SUBJECT = "subject"  # a person acting for a foreign state ("Trump"): no tag
    DOMESTIC = "domestic"  # a Dutch institution or place ("RIVM", "Drenthe"): no tag


@dataclass(frozen=True, slots=True)
class Alias:
    code: str
    kind: AliasKind
    inflected: bool  # attributive -e form of an adjective ("Franse")
    language: bool  # uninflected adjective that is also a language name ("Frans")
    role: Role = Role.COUNTRY


@dataclass(frozen=True, slots=True)
class Mention:
    code: str
    start: int
    end: int
    in_title: bool
    kind: AliasKind = AliasKind.NAME
    role: Role = Role.COUNTRY


@dataclass(frozen=True, slots=True)
class _Rules:
    pattern: re.Pattern[str]
    aliases: dict[str, Alias | None]  # None: a trap phrase
    case_sensitive: frozenset[str]
    language_before: frozenset[str]
    language_after: frozenset[str]
    sentence_openers: frozenset[str]
    surnames: frozenset[str]
    person_titles: frozenset[str]
    surname_verbs: frozenset[str]
    upper_only: frozenset[str]  # setting words written in capitals: "NS", not "ns"


def _load_traps() -> dict[str, list[str]]:
    raw = resources.files("bot.tagging").joinpath("data/traps.toml").read_text("utf-8")
    return tomllib.loads(raw)


@cache
def setting_data() -> dict[str, Any]:
    """``data/setting.toml``: foreign subjects, Dutch markers, foreign agencies."""
    raw = resources.files("bot.tagging").joinpath("data/setting.toml").read_text("utf-8")
    return tomllib.loads(raw)


def _setting_words() -> list[tuple[str, Alias]]:
    """(word, alias) of every setting word: foreign subjects and Dutch markers."""
    data = setting_data()
    words = [
        (form, Alias(code, AliasKind.NAME, False, False, Role.SUBJECT))
        for code, names in data["subjects"].items()
        for name in names
        for form in _with_genitive(name)
    ]
    skipped = {alias_key(word) for word in data["domestic"]["not_places"]}
    dutch = [*data["domestic"]["words"], *country("NL").dateline_places]
    words += [
        (word, Alias("NL", AliasKind.PLACE, False, False, Role.DOMESTIC))
        for word in dutch
        if alias_key(word) not in skipped
    ]
    return words


def _with_genitive(name: str) -> tuple[str, ...]:
    """A capitalised name and its s-genitive: "Trump", "Trumps" ("Musks politieke carrière").

    Names ending in a vowel take "'s" ("Obama's"), which the name alone
    already matches; those ending in s, x or z take an apostrophe. Lower-case
    entries ("bondskanselier") are words, whose "s" form is a plural.
    """
    if not name[0].isupper() or name[-1].lower() in "aeiouyxzs":
        return (name,)
    return (name, name + "s")


def _alias_table() -> dict[str, Alias]:
    table: dict[str, Alias] = {}
    clashes: set[str] = set()
    for entry in countries():
        languages = {alias_key(word) for word in entry.languages}
        pairs = entry.aliases()
        # Genitive of the display name: "Ruslands", "Oekraïnes", "Irans".
        if entry.name[-1].lower() not in "aiousxz":
            pairs.append((entry.name + "s", AliasKind.NAME))
        for alias, kind in pairs:
            key = alias_key(alias)
            inflected = kind is AliasKind.ADJECTIVE and key.endswith("e")
            new = Alias(entry.code, kind, inflected, key in languages)
            old = table.get(key)
            if old is not None and old.code != entry.code:
                clashes.add(key)
            elif old is None or kind is AliasKind.NAME:
                table[key] = new
    # An alias two countries share ("Congolees") says nothing certain: drop it.
    for key in clashes:
        table.pop(key, None)
    return table


def trie_regex(keys: list[str], *, open_ending: frozenset[str] = frozenset()) -> str:
    """One regex alternation of ``keys`` as a trie, so matching costs one pass.

    A space in a key matches any run of spaces and hyphens. Keys in
    ``open_ending`` also match with any word characters after them (stems).
    """
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node["" if key not in open_ending else "*"] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        branches = [
            ("[\\s\\-]+" if char == _SEPARATOR else re.escape(char)) + emit(child)
            for char, child in sorted(node.items())
            if char not in ("", "*")
        ]
        if "*" in node:
            branches.append("\\w*")
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@cache
def _rules() -> _Rules:
    traps = _load_traps()
    aliases: dict[str, Alias | None] = dict(_alias_table())
    for phrase in traps["not_a_country"]:
        aliases[alias_key(phrase)] = None
    case_sensitive = {alias_key(word) for word in traps["case_sensitive"]}
    upper_only = set()
    for word, setting_alias in _setting_words():
        key = alias_key(word)
        if aliases.get(key) is not None:
            continue  # a country alias already ("Amsterdam"): it counts as that
        aliases[key] = setting_alias
        if word.isupper():
            upper_only.add(key)
        elif word[0].isupper():
            case_sensitive.add(key)
    pattern = re.compile(r"(?<!\w)(?:" + trie_regex(sorted(aliases)) + r")(?!\w)")
    return _Rules(
        pattern=pattern,
        aliases=aliases,
        case_sensitive=frozenset(case_sensitive),
        language_before=frozenset(alias_key(word) for word in traps["language_before"]),
        language_after=frozenset(alias_key(word) for word in traps["language_after"]),
        sentence_openers=frozenset(alias_key(word) for word in traps["sentence_openers"]),
        surnames=frozenset(alias_key(word) for word in traps["surnames"]),
        person_titles=frozenset(alias_key(word) for word in traps["person_titles"]),
        surname_verbs=frozenset(alias_key(word) for word in traps["surname_verbs"]),
        upper_only=frozenset(upper_only),
    )


def find_mentions(text: str, *, in_title: bool = False) -> list[Mention]:
    """Every country reference in ``text`` that survives the context rules."""
    return find_mentions_folded(light_fold(text), in_title=in_title)


def alias_keys() -> frozenset[str]:
    """Every key the country regex matches (aliases, traps, setting words)."""
    return frozenset(_rules().aliases)


def country_pattern() -> re.Pattern[str]:
    """The country regex, over light-folded lower-case text."""
    return _rules().pattern


def is_alias_text(matched: str) -> bool:
    """Whether ``matched`` (lower case) is a whole key of the country regex."""
    return _matched_key(matched) in _rules().aliases


def find_mentions_folded(
    folded: str, *, in_title: bool = False, matches: Iterable[re.Match[str]] | None = None
) -> list[Mention]:
    """:func:`find_mentions` over text already passed through :func:`light_fold`.

    ``matches``: the country regex's matches over ``folded`` in lower case, if
    the caller has them (``bot.tagging.scan``).
    """
    rules = _rules()
    found = []
    # Match on the lower-cased text; the rules look at case in ``folded``, whose
    # offsets are the same.
    if matches is None:
        matches = rules.pattern.finditer(lower_same_length(folded))
    for match in matches:
        key = _matched_key(match.group())
        alias = rules.aliases.get(key)
        if alias is None:
            continue
        start, end = match.span()
        if key in rules.case_sensitive and not folded[start].isupper():
            continue
        if alias.role is not Role.COUNTRY:
            # Names and Dutch places: no language, surname or proper-name rules
            # ("Donald Trump", "Gemeente Utrecht" are what they say).
            if key not in rules.upper_only or folded[start:end].isupper():
                found.append(Mention(alias.code, start, end, in_title, alias.kind, alias.role))
            continue
        if alias.language and _is_language(folded, start, end, rules):
            continue
        if key in rules.surnames and _is_surname(folded, start, end, rules):
            continue
        if _inside_proper_name(folded, start, end, alias, key, rules):
            continue
        found.append(Mention(alias.code, start, end, in_title, alias.kind))
    return found


def _word_before(text: str, start: int) -> tuple[str, int] | None:
    match = _WORD_BEFORE_RE.search(text, max(0, start - 40), start)
    return (match.group(1), match.start(1)) if match else None


def _word_after(text: str, end: int) -> str | None:
    match = _WORD_AFTER_RE.match(text, end, end + 40)
    return match.group(1) if match else None


def _is_language(text: str, start: int, end: int, rules: _Rules) -> bool:
    before = _word_before(text, start)
    if before is not None and before[0].lower() in rules.language_before:
        return True
    after = _word_after(text, end)
    return after is None or after.lower() in rules.language_after


def _is_title_case(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:2].islower()


def _starts_sentence(text: str, index: int) -> bool:
    index -= 1
    while index >= 0 and text[index].isspace():
        index -= 1
    return index < 0 or text[index] in _SENTENCE_END


def _is_surname(text: str, start: int, end: int, rules: _Rules) -> bool:
    """A surname-like alias used as a surname: "premier Albanese", "Anthony
    Albanese", "Albanese zei"; not "de Albanese premier" or "Twee Albanese"."""
    if not text[start].isupper():
        return False
    after = _word_after(text, end)
    if after is not None and after.lower() in rules.surname_verbs:
        return True
    before = _word_before(text, start)
    if before is None:
        return False
    word = before[0].lower()
    if word in rules.person_titles:
        return True
    if not _is_title_case(before[0]) or word in _STATE_TITLES:
        return False
    return not _starts_sentence(text, before[1])


def _inside_proper_name(
    text: str, start: int, end: int, alias: Alias, key: str, rules: _Rules
) -> bool:
    # Multi-word aliases, attributive adjectives ("Nederlandse Spoorwegen" is
    # still Dutch) and acronyms (VS, UK) are never a person's or firm's name.
    matched = text[start:end]
    if _SEPARATOR in key or alias.inflected or matched.isupper():
        return False
    # "de Italiaan Pietro Sighel" is an apposition: an inhabitant noun before a
    # name still refers to the country.
    after = _word_after(text, end)
    if (
        alias.kind is not AliasKind.INHABITANT
        and after is not None
        and _is_title_case(after)
        and text[end] == " "
    ):
        return True
    # A name before an inhabitant noun is no firm: "Tien Nederlanders", "Max de Rus".
    before = _word_before(text, start)
    if alias.kind is AliasKind.INHABITANT or before is None or not _is_title_case(before[0]):
        return False
    word = before[0].lower()
    if word in _STATE_TITLES:
        return False
    return not (_starts_sentence(text, before[1]) and word in rules.sentence_openers)


def country_scores(
    folded_title: str, folded_text: str, dateline_code: str | None = None
) -> Counter[str]:
    """Weighted mention counts: a title mention or the dateline weighs 3, a body mention 1.

    Title and text must have passed through :func:`light_fold`.
    """
    return scores_from_mentions(
        find_mentions_folded(folded_title, in_title=True),
        find_mentions_folded(folded_text),
        dateline_code,
    )


def scores_from_mentions(
    title_mentions: Sequence[Mention],
    text_mentions: Sequence[Mention],
    dateline_code: str | None = None,
) -> Counter[str]:
    """:func:`country_scores` from mentions already found (country references only)."""
    scores: Counter[str] = Counter()
    for mention in title_mentions:
        if mention.role is Role.COUNTRY:
            scores[mention.code] += 3
    for mention in text_mentions:
        if mention.role is Role.COUNTRY:
            scores[mention.code] += 1
    if dateline_code is not None:
        scores[dateline_code] += 3
    return scores
