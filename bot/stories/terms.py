"""The words an item's event is recognised by: terms, names and numbers.

A profile maps each term of the headline and lead to a multiplier; the
assigner multiplies it by the term's rarity (IDF over the window). Terms are
folded to ASCII, lower-cased and lightly stemmed (``aanvallen``/``aanval``,
``Russische``/``Russisch``) so two outlets' wordings meet; Dutch function words
and reporting verbs are dropped. Numbers are kept as ``#value`` terms
(``dertien``, ``13`` -> ``#13``; ``17.00 uur`` and ``17:00`` -> ``#17:00``):
a shared figure is evidence, but changing figures are normal within one story
("meerdere gewonden" -> "negen gewonden"), so a difference vetoes nothing.

Compounds (``compound_parts``): the assigner adds the parts of a compound
term that the window knows as words of their own ("pensioenstaking" ->
``pensioen``, ``staking``), since Dutch writes one outlet's "defensieminister"
as another's "minister van Defensie".

Multipliers: a headline term weighs ``TITLE_BOOST``, a name ``NAME_BOOST``
(a capitalised word that does not open a sentence, or an acronym), both
multiply. Headlines are written in sentence case, so a capital inside one is
a name.

Pure and deterministic; no state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from bot.core.article import article_key
from bot.core.model import NewsItem
from bot.core.text import stem
from bot.stories.kinds import Kind, classify, quoted_words
from bot.tagging.gazetteer import AliasKind, countries

# How much a headline term and a name count against a lead term. Chosen on the
# dev pairs (docs/stories.md).
TITLE_BOOST = 2.0
NAME_BOOST = 1.5
# The lead is the summary plus the start of the body, up to this many characters:
# enough for a second outlet's longer lead, not the background further down.
LEAD_CHARS = 300

_STOP_WORDS_TEXT = """
    de het een en van in op te dat die is zijn met voor niet aan er ook om als bij door
    naar over uit heeft wordt hij zij ze we nog maar dan of tot al kan meer was werd
    hun haar hem ik je jij u wij mij me ons onze zich dit deze daar hier wat wie waar
    hoe waarom toen nu wel geen na zo moet moeten worden werden hebben had hadden
    zou zouden zal zullen kunnen kon konden mag mogen wil willen wilde doen deed
    gaat gaan ging zegt zeggen zei gezegd meldt melden meldde laat laten liet volgens
    onder tegen tussen sinds tijdens zonder binnen buiten vanaf toe nadat omdat
    terwijl want dus echter alleen weer even zeer heel veel weinig andere ander alle
    elk elke iets niets iemand niemand men mensen dag dagen vandaag gisteren morgen
    vanochtend vanavond vannacht gisteravond afgelopen eerder later nieuwe nieuw
    eerste laatste grote groot kleine klein goed komt komen kwam krijgt krijgen
    kreeg staat stond blijft blijkt lijkt maakt maken maakte geeft geven gaf ziet
    zien houdt noemt vindt denkt ten ter den der des hebt heb ben bent wel waren
    uur jaar jaren keer week weken maand maanden video live kijk bekijk lees volg
    hieronder
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

NUMBER_WORDS: Mapping[str, str] = {
    "twee": "2", "drie": "3", "vier": "4", "vijf": "5", "zes": "6", "zeven": "7",
    "acht": "8", "negen": "9", "tien": "10", "elf": "11", "twaalf": "12",
    "dertien": "13", "veertien": "14", "vijftien": "15", "zestien": "16",
    "zeventien": "17", "achttien": "18", "negentien": "19", "twintig": "20",
    "dertig": "30", "veertig": "40", "vijftig": "50", "honderd": "100",
    "duizend": "1000",
}  # fmt: skip

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[.,:][0-9]+)*")
_NUMBER_RE = re.compile(r"[0-9]+(?:[.,:][0-9]+)*")
_CLOCK_RE = re.compile(r"([0-9]{1,2})[.:]([0-9]{2})")
_THOUSANDS_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
# A capitalised word after a space that follows neither a sentence end, a colon,
# an opening quote or bracket: a name. Headlines are in sentence case. (The
# character before the space is checked in ``name_terms``: a regex that looks
# behind at every position costs several times the scan.)
_NAME_RE = re.compile(r"\s+([A-ZÀ-ÖØ-Þ][\w'’-]*)")
_NOT_BEFORE_NAME = frozenset(".!?:;\"'‘’“”„«»([|•-")
# Acronyms are names wherever they stand ("VVD", "OMT"): two capitals or more,
# not inside a word (the neighbours are checked in ``name_terms``).
_ACRONYM_RE = re.compile(r"[A-Z][A-Z0-9]+")
_WORD_CHAR_RE = re.compile(r"[\w'’-]")


@dataclass(frozen=True, slots=True)
class Profile:
    """One item as the assigner compares it: its kind and weighted terms."""

    kind: Kind
    terms: Mapping[str, float]  # term -> multiplier (headline, name)
    # ISO codes the tagger found (``NewsItem.countries``): two items tagged
    # with countries and none in common are not one event.
    countries: frozenset[str] = frozenset()
    # Of a reaction piece: the terms of what its headline quotes the reactor
    # saying, names left out (the assigner joins it to a report that carries them).
    quoted: frozenset[str] = frozenset()
    # The outlet's article number in the link (``bot.core.article.article_key``)
    # and, with it, the terms of the lead: the same article under a new
    # headline keeps both.
    article: str | None = None
    lead: frozenset[str] = frozenset()


def profile(item: NewsItem) -> Profile:
    """The kind and terms of ``item`` (headline, summary and start of the body)."""
    lead = item.summary
    if len(lead) < LEAD_CHARS:
        lead = f"{lead} {item.text[: LEAD_CHARS - len(lead)]}" if lead else item.text[:LEAD_CHARS]
    piece = classify(item.title, lead, item.link)
    lead_words = words(piece.lead)
    terms = weighted_terms(piece.headline, piece.lead, lead_words)
    if item.dateline is not None and item.dateline.city:
        # The city a wire story was filed from is a name, though the
        # normaliser cut it off the text.
        for term in words(item.dateline.city):
            terms[term] = max(terms.get(term, 1.0), NAME_BOOST)
    quoted: frozenset[str] = frozenset()
    if piece.kind is Kind.REACTION:
        said = quoted_words(piece.headline)
        if said:
            # Names anywhere in headline and lead: a quote's first word is
            # capitalised either way ("'Derk Wiersum was ...'", "'Puur geweld'").
            quoted = frozenset(words(said)) - name_terms(f"{piece.headline}. {piece.lead}")
    article = article_key(item.link) if item.link else None
    lead_terms = frozenset(lead_words) if article is not None else frozenset()
    return Profile(piece.kind, terms, frozenset(item.countries), quoted, article, lead_terms)


def weighted_terms(
    headline: str, lead: str, lead_words: list[str] | None = None
) -> dict[str, float]:
    """Terms of headline and lead with their multipliers (``lead_words``: ``words(lead)``)."""
    # One pass over both; the full stop keeps the lead's first word from
    # counting as a name inside the headline's sentence.
    names = name_terms(f"{headline}. {lead}") if lead else name_terms(headline)
    terms: dict[str, float] = {}
    for term in words(lead) if lead_words is None else lead_words:
        terms[term] = NAME_BOOST if term in names else 1.0
    for term in words(headline):
        terms[term] = TITLE_BOOST * (NAME_BOOST if term in names else 1.0)
    return terms


def fold_ascii(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text`` (accents dropped), fast."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return decomposed.encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """Folded, stemmed content words and ``#number`` terms of ``text``, in order, once each."""
    cache = _TERMS
    if len(cache) > _TERMS_KEPT:
        cache.clear()
    found: dict[str, None] = {}
    for token in _TOKEN_RE.findall(fold_ascii(text)):
        term = cache.get(token, _UNKNOWN)
        if term is _UNKNOWN:
            term = cache[token] = _term(token)
        if term is not None:
            found[term] = None
    return list(found)


# Token -> term (or None for a stop word), for every token seen lately: most
# tokens recur, and stemming is the costliest step per token. Cleared when full.
_TERMS: dict[str, str | None] = {}
_TERMS_KEPT = 200_000
_UNKNOWN = "\0"


def _term(token: str) -> str | None:
    if token[0].isdigit():
        return _number(token) if _NUMBER_RE.fullmatch(token) else stem(token)
    if token in NUMBER_WORDS:
        return "#" + NUMBER_WORDS[token]
    if token in STOP_WORDS or len(token) < 2:
        return None
    term = stem(token)
    return _country_terms().get(term, term)


@cache
def _country_terms() -> dict[str, str]:
    """Stemmed one-word names, adjectives and inhabitants of a foreign country -> ``@CODE``.

    "Oekraïne", "Oekraïense" and "Oekraïners" are one term (``@UA``), so two
    headlines that name one country in different forms share it. Home
    (Nederland) is left out: nearly every item names it in some form. Cities,
    aliases shorter than four letters ("VS", "Rus") and words of two
    countries are left out too.
    """
    seen: dict[str, set[str]] = {}
    for entry in countries():
        if entry.minor or entry.code in ("NL", "BQ"):
            continue
        for alias, kind in entry.aliases():
            if kind in (AliasKind.PLACE, AliasKind.METONYM):
                continue
            tokens = _TOKEN_RE.findall(fold_ascii(alias))
            if len(tokens) == 1 and len(tokens[0]) >= 4 and tokens[0] not in STOP_WORDS:
                seen.setdefault(stem(tokens[0]), set()).add(entry.code)
    return {term: "@" + next(iter(codes)) for term, codes in seen.items() if len(codes) == 1}


def _number(token: str) -> str | None:
    clock = _CLOCK_RE.fullmatch(token)
    if clock:
        return f"#{int(clock.group(1))}:{clock.group(2)}"
    if _THOUSANDS_RE.fullmatch(token):
        return "#" + (token.replace(".", "").lstrip("0") or "0")
    whole, _, fraction = token.replace(",", ".").partition(".")
    value = whole.lstrip("0") or "0"
    if value == "0" and not fraction:
        return None
    return f"#{value}.{fraction}" if fraction else f"#{value}"


# Compound splitting (``compound_parts``): a term this long may be a compound;
# its head is at least HEAD_MIN letters and its modifier at least MODIFIER_MIN.
COMPOUND_MIN = 9
HEAD_MIN = 5
MODIFIER_MIN = 4


def compound_parts(terms: Mapping[str, float], known: Mapping[str, int]) -> dict[str, float]:
    """Parts of the compound terms in ``terms`` that are words of ``known``, with multipliers.

    Dutch writes compounds as one word: one outlet's "pensioenstaking",
    "defensieminister" or "regeerakkoord" is another's "staking", "minister
    van Defensie" or "akkoord". A term splits where both its tail (the head)
    and what stands before it (the modifier, a linking "s" allowed) are terms
    of ``known`` (the window's terms with their counts): the longest head
    wins. Each part takes the compound's multiplier unless ``terms`` holds it
    already. ``known`` is the window's vocabulary, so a part must have been
    seen as a word of its own: "schiet" + "partij" splits only if both were.
    """
    parts: dict[str, float] = {}
    for term, multiplier in terms.items():
        if len(term) < COMPOUND_MIN or not term.isalpha():
            continue
        for cut in range(MODIFIER_MIN, len(term) - HEAD_MIN + 1):
            head = term[cut:]
            if head not in known:
                continue
            modifier = _known_modifier(term[:cut], known)
            if modifier is not None:
                for part in (modifier, head):
                    if part not in terms and parts.get(part, 0.0) < multiplier:
                        parts[part] = multiplier
                break
    return parts


def _known_modifier(prefix: str, known: Mapping[str, int]) -> str | None:
    """The known term a compound's first part stands for, or None.

    The prefix as it stands ("prijs" of "prijsverhoging"), else without a
    linking "s" ("bonds" of "bondskanselier" -> "bond").
    """
    for candidate in (prefix, prefix[:-1] if prefix.endswith("s") else ""):
        if len(candidate) < MODIFIER_MIN:
            continue
        term = _TERMS.get(candidate, _UNKNOWN)
        if term is _UNKNOWN:
            term = _TERMS[candidate] = _term(candidate)
        if term is not None and term in known:
            return term
    return None


def name_terms(text: str) -> set[str]:
    """Terms of the names in ``text``: capitalised words not opening a sentence, acronyms."""
    names = [
        match.group(1)
        for match in _NAME_RE.finditer(text)
        if (start := match.start()) > 0 and not _ends_sentence_or_opens(text[start - 1])
    ]
    for match in _ACRONYM_RE.finditer(text):
        start, end = match.span()
        if (start == 0 or not _WORD_CHAR_RE.match(text, start - 1)) and not _WORD_CHAR_RE.match(
            text, end
        ):
            names.append(match.group())
    return set(words(" ".join(names))) if names else set()


def _ends_sentence_or_opens(char: str) -> bool:
    """A space, sentence end, colon, quote or opening bracket: what a name may not follow."""
    return char.isspace() or char in _NOT_BEFORE_NAME
