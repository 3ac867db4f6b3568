"""Where a story is set: abroad (buitenland), at home (binnenland), or unknown.

Dutch newsrooms file a story under Buitenland when its main subject is foreign:
the event happens abroad or a foreign state acts. A country named once in
passing in a Dutch story ("de container kwam uit Peru") does not make it
foreign, and a foreign story does not need to name its country more than once
("Trump tekent decreet ... in het Witte Huis").

The evidence is the mentions of one pass of the country tagger, weighed by
where they stand and what they are:

* a side (a foreign country, or home) named in the title or in the lead (the
  first sentence, which says who, what and where) gets ``MAIN_WEIGHT`` once:
  title and lead usually repeat one subject; every mention further down adds
  ``BODY_WEIGHT``;
* a foreign head of state or government ("Trump", "Poetin") and a government
  metonym ("Witte Huis", "Kremlin") name the acting state: they make their
  country a main subject wherever they stand;
* Dutch mentions (Nederland, Den Haag, the Tweede Kamer) and Dutch markers
  (Kamerleden, RIVM, VVD, Drenthe, Dutch dateline towns) count for home;
* a country named as where something comes from ("een container die afkomstig
  was uit Ecuador") is a passing mention even in the lead: it adds only
  ``BODY_WEIGHT``.

A story is foreign when its best foreign country reaches ``MAIN_SUBJECT_MIN``
(``UNOPPOSED_SUBJECT_MIN`` when nothing Dutch is named at all) and beats the
home evidence: a Dutch subject with a foreign mention stays domestic. With
nothing Dutch named, ``UNOPPOSED_COUNTRIES_MIN`` foreign countries are enough
together (a summit of the EU and six Balkan states). A tie
goes to the side the title names first (its subject). Before the weighing,
the headline may decide on its own: one that opens with a Dutch subject
("Heineken trekt zich terug uit Rusland", "Premier Rutte en minister Hoekstra
reizen naar Kiev"; the lead when there is no headline), or names the home side
and no foreign one ("Inleidende zitting beoogde aanslag Rotterdam"), is home
news. A digest of the day ("Wekdienst 15/5: ... • ...", "Goedemorgen! ...") is
filed by its first story, and a regional kicker in capitals ("LANGZAMER - ...")
is not a dateline.

A known dateline decides, except that a foreign dateline over a Dutch acting
subject in the title or lead ("KOPENHAGEN (ANP) - Demissionair minister Eelco
Heinen (Financiën) ...", "Nederlandse militairen in Polen ...") or over a
headline (lead) that opens with a Dutch subject ("ANTWERPEN (ANP/BELGA) - De
Nederlandse drugscrimineel ...") is home news, as ANP files it. A dateline
that names a Dutch province or region is home, and so is a dateline town the
gazetteer does not know, credited to Dutch agencies only, over a text without
foreign evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

from bot.core.model import Dateline
from bot.tagging.countries import Mention, Role, find_mentions_folded, light_fold, setting_data
from bot.tagging.gazetteer import AliasKind
from bot.tagging.lead import lead_end

# Codes whose news is domestic for a Dutch outlet: the Netherlands with
# Caribisch Nederland (Bonaire, Sint Eustatius, Saba), and the other countries
# of the Kingdom (Aruba, Curaçao, Sint Maarten), whose news Dutch newsrooms
# file at home ("Koninkrijk"): a hurricane on Sint Maarten, a benefit for Curaçao.
DOMESTIC = frozenset({"NL", "BQ", "AW", "CW", "SX"})
_HOME = ""  # the key of home evidence in a score table
MAIN_WEIGHT = 3
BODY_WEIGHT = 1
# A country is the main subject from this score on: one mention in the title or
# the lead, one acting head of state, or three passing mentions.
MAIN_SUBJECT_MIN = 3
# Unopposed by any home evidence, two mentions further down are enough: a text
# that never names anything Dutch and names one foreign country twice ("de
# Noord-Griekse havenstad Thessaloniki") is set there.
UNOPPOSED_SUBJECT_MIN = 2
# Unopposed, a text that names this many foreign countries is set abroad even
# when none of them is its one subject: a summit of the EU and six Balkan
# states, a list of countries a ban hits.
UNOPPOSED_COUNTRIES_MIN = 3
# Words right before a country that name it as an origin, not as the setting.
_ORIGIN_BEFORE_RE = re.compile(
    r"(?:afkomstig(?:\s+(?:is|was|zijn|waren))?|komt|kwam|komen|kwamen)\s+(?:uit|van)\s+"
    r"(?:het\s+|de\s+)?$",
    re.IGNORECASE,
)
ORIGIN_WINDOW_CHARS = 40
# "de Belgische minister Annelies Verlinden (Binnenlandse Zaken)": the adjective
# stands this close before the bracketed portfolio.
PORTFOLIO_ADJECTIVE_WINDOW_CHARS = 60
# "het Britse kabinet": a foreign adjective directly before a Dutch-institution word.
ADJECTIVE_GAP_CHARS = 1
# Agencies of Dutch copy: a dateline credited only to them is a Dutch newsroom's.
DUTCH_AGENCIES = frozenset({"ANP", "NOS", "NU.NL"})


@cache
def _foreign_agencies() -> frozenset[str]:
    return frozenset(agency.upper() for agency in setting_data()["foreign_agencies"])


@cache
def _home_actor_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Dutch acting subjects under a foreign dateline (setting.toml): words, portfolios."""
    data = setting_data()["home_actors"]
    words = "|".join(re.escape(word).replace("\\ ", r"[\s\-]+") for word in data["words"])
    portfolios = "|".join(re.escape(word) for word in data["portfolios"])
    return (
        re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE),
        re.compile(rf"\((?:{portfolios})[,)]", re.IGNORECASE),
    )


def _is_origin(text: str, start: int) -> bool:
    """The country at ``start`` of ``text`` is named as where something comes from."""
    return _ORIGIN_BEFORE_RE.search(text, max(0, start - ORIGIN_WINDOW_CHARS), start) is not None


def setting_scores(
    title_mentions: Sequence[Mention],
    text_mentions: Sequence[Mention],
    lead: int,
    text: str = "",
    title: str = "",
) -> tuple[Counter[str], int]:
    """Weighted evidence per foreign country, and the weight of home evidence.

    ``text`` and ``title`` are the folded texts the mentions were found in; with
    them, a country named as an origin counts as a passing mention.
    """
    scores: Counter[str] = Counter()  # _HOME for every kind of home evidence
    main: set[str] = set()
    for mention in (*title_mentions, *text_mentions):
        home = mention.role is Role.DOMESTIC or mention.code in DOMESTIC
        source = title if mention.in_title else text
        if home and _not_home_here(
            mention, title_mentions if mention.in_title else text_mentions, source
        ):
            continue
        code = _HOME if home else mention.code
        in_lead = mention.in_title or mention.start < lead
        if in_lead and not home and _is_origin(source, mention.start):
            in_lead = False
        if in_lead or mention.role is Role.SUBJECT or mention.kind is AliasKind.METONYM:
            # Title and lead usually repeat one subject: it counts once.
            main.add(code)
        if not in_lead:
            scores[code] += BODY_WEIGHT
    for code in main:
        scores[code] += MAIN_WEIGHT
    home_score = scores.pop(_HOME, 0)
    return scores, home_score


def has_home_actor(
    title_mentions: Sequence[Mention], text_mentions: Sequence[Mention], title: str, lead: str
) -> bool:
    """A Dutch institution, office holder or group acts in the title or the lead.

    Dutch markers (the Tweede Kamer, a Dutch party, the king), a title that opens
    with the Netherlands ("Nederlandse militairen ..."), or the words of
    ``[home_actors]`` in setting.toml ("demissionair premier", "minister Eelco
    Heinen (Financiën)").
    """
    lead_mentions = [m for m in text_mentions if m.start < len(lead)]
    if any(m.role is Role.DOMESTIC for m in (*title_mentions, *lead_mentions)):
        return True
    if any(m.code in DOMESTIC and m.start == 0 for m in title_mentions):
        return True
    words, portfolios = _home_actor_patterns()
    if words.search(title) is not None or words.search(lead) is not None:
        return True
    for text, mentions in ((title, title_mentions), (lead, lead_mentions)):
        for match in portfolios.finditer(text):
            if not _foreign_adjective_before(mentions, match.start()):
                return True
    return False


def _not_home_here(mention: Mention, mentions: Sequence[Mention], text: str) -> bool:
    """A Dutch-institution word that names a foreign one here.

    "het Britse kabinet" (the adjective already counts abroad) or "het
    kabinet-Netanyahu" (the Dutch compounds are setting words that match whole).
    """
    return _after_foreign_adjective(mention, mentions) or _names_another(mention, text)


def _after_foreign_adjective(mention: Mention, mentions: Sequence[Mention]) -> bool:
    """A Dutch-institution word right after a foreign adjective ("Duitse kabinet")."""
    return mention.role is Role.DOMESTIC and any(
        m.kind is AliasKind.ADJECTIVE
        and m.code not in DOMESTIC
        and 0 < mention.start - m.end <= ADJECTIVE_GAP_CHARS
        for m in mentions
    )


def _names_another(mention: Mention, text: str) -> bool:
    """A Dutch-institution word joined to a name: "kabinet-Netanyahu", "Kamer-Smith".

    The Dutch compounds (kabinet-Rutte, kabinet-Schoof) are setting words of their
    own and match whole, so a hyphen and a capital after the word name another.
    """
    return (
        mention.role is Role.DOMESTIC
        and text[mention.end : mention.end + 1] == "-"
        and text[mention.end + 1 : mention.end + 2].isupper()
    )


def _foreign_adjective_before(mentions: Sequence[Mention], start: int) -> bool:
    """A foreign adjective shortly before ``start``: "de Belgische minister X (Defensie)"."""
    return any(
        m.kind is AliasKind.ADJECTIVE
        and m.code not in DOMESTIC
        and 0 <= start - m.end <= PORTFOLIO_ADJECTIVE_WINDOW_CHARS
        for m in mentions
    )


def is_abroad(
    title_mentions: Sequence[Mention],
    text_mentions: Sequence[Mention],
    text: str,
    dateline: Dateline | None,
    dateline_code: str | None,
    title: str = "",
    *,
    first_story: tuple[int, int] | None = None,
) -> bool | None:
    """True for a foreign story, False for a domestic one, None when it cannot be told.

    ``text`` and ``title`` are the folded body and title the mentions were found in.
    ``first_story``: of a digest, where its first story ends in title and text
    (``bot.tagging.digest.first_story_ends``); the digest is filed by that story.
    """
    lead = lead_end(text)
    if dateline_code is not None:
        if dateline_code in DOMESTIC:
            return False
        # The Dutch premier or troops abroad: home news under a foreign dateline.
        return not (
            has_home_actor(title_mentions, text_mentions, title, text[:lead])
            or opens_with_home_actor(title_mentions, text_mentions, title, text)
        )
    if dateline is not None and _is_kicker(dateline):
        dateline = None  # "SINTERKLAAS - Het zal je ...": a keyword, not a place
    if first_story is not None:
        title_end, text_end = first_story
        title_mentions = _before(title_mentions, title_end)
        text_mentions = _before(text_mentions, text_end)
    if dateline is None:
        if opens_with_home_actor(title_mentions, text_mentions, title, text):
            return False
        if _title_names_home_only(title_mentions, title):
            return False
    foreign, home = setting_scores(title_mentions, text_mentions, lead, text, title)
    best = max(foreign.values(), default=0)
    opener = [m for m in title_mentions if not _not_home_here(m, title_mentions, title)]
    foreign_wins = best > home or (best == home > 0 and _title_opens_abroad(opener, foreign, best))
    enough = best >= (MAIN_SUBJECT_MIN if home else UNOPPOSED_SUBJECT_MIN) or (
        home == 0 and len(foreign) >= UNOPPOSED_COUNTRIES_MIN
    )
    abroad = enough and foreign_wins
    if dateline is None:
        return abroad
    # A dateline city the gazetteer does not know ("DEERFIELD", "BATTLE CREEK"):
    # it knows the Dutch towns ANP datelines most and every foreign capital, so
    # the city is likely abroad. Copy of a foreign agency is foreign news, and so
    # is a text whose foreign evidence beats the home evidence, however slight
    # ("Het Amerikaanse bedrijf"); without evidence either way it stays unplaced,
    # unless it is ANP's own copy (below).
    if _names_home(dateline.city):
        return False  # "NOORD-HOLLAND - De zorgpremie ...": a Dutch province or region
    if foreign_wins or any(agency.upper() in _foreign_agencies() for agency in dateline.agencies):
        return True
    if home > 0 and home >= best:
        return False  # home evidence beats or ties the foreign (the title opens at home)
    # "HOUTEN (ANP) - Het winterse weer ...": Dutch copy, no foreign evidence at all.
    dutch_copy = bool(dateline.agencies) and all(
        agency.upper() in DUTCH_AGENCIES for agency in dateline.agencies
    )
    return False if dutch_copy and best == 0 else None


# What may stand before a Dutch subject that opens a headline or lead: an
# article, a title ("Premier Mark Rutte en ...", "Het Nederlandse kabinet").
_OPENING_PREFIX_RE = re.compile(
    r"^\s*(?:(?:de|het|een|oud-premier|premier|minister|staatssecretaris|demissionair|"
    r"demissionaire|koning|koningin|prinses|burgemeester)\s+)*$",
    re.IGNORECASE,
)


# A Dutch office holder introduced by office and name alone: Dutch newsrooms
# name a foreign one with the country ("de Amerikaanse minister Rubio"), so a
# headline opening "Minister Zijlstra ontmoet ..." or "Minister voor
# Rechtsbescherming Sander Dekker ..." has a Dutch subject (unless the name is a
# known foreign subject of setting.toml: "Premier Netanyahu ...").
# The same holds for the king, the queen and the royal couple, with or without
# a name ("Koning bij sluitingsceremonie ...", but "Koning Filip praat met ...").
_DUTCH_OFFICE_OPENING_RE = re.compile(
    r"^\s*(?:(?i:(?:de\s+)?(?:demissionaire?\s+)?(?:minister-president|minister|staatssecretaris|"
    r"premier)\s+(?:(?:van|voor)\s+[A-Z][\w-]*(?:\s+(?:en|in)\s+[A-Z][\w-]*)?\s+)?)"
    r"(?=[A-Z][\w'-])|(?i:(?:het\s+|de\s+)?(?:koningspaar|koning|koningin))(?!\w)\s*)"
)


def opens_with_home_actor(
    title_mentions: Sequence[Mention], text_mentions: Sequence[Mention], title: str, text: str
) -> bool:
    """The headline (or, without one, the lead) opens with a Dutch subject.

    A Dutch headline opens with who acts: "Heineken trekt zich terug uit
    Rusland", "Premier Mark Rutte en minister Hoekstra reizen naar Kiev",
    "Nederlandse militairen naar Litouwen" are home news however often the
    foreign country is named after it (a Dutch subject with a foreign mention
    stays domestic). The opening is the first mention (or a home actor of
    setting.toml), with at most an article or a title before it.
    """
    source, mentions = (title, title_mentions) if title.strip() else (text, text_mentions)
    words, _ = _home_actor_patterns()
    actor = words.search(source)
    if actor is not None and _OPENING_PREFIX_RE.match(source[: actor.start()]):
        return True
    office = _DUTCH_OFFICE_OPENING_RE.match(source)
    if office is not None and not any(
        mention.start <= office.end() and mention.code not in DOMESTIC for mention in mentions
    ):
        return True
    if not mentions:
        return False
    first = min(mentions, key=lambda mention: mention.start)
    home = first.role is Role.DOMESTIC or first.code in DOMESTIC
    return (
        home
        and not _not_home_here(first, mentions, source)
        and _OPENING_PREFIX_RE.match(source[: first.start]) is not None
    )


def _before(mentions: Sequence[Mention], end: int) -> Sequence[Mention]:
    """The mentions that start before ``end`` (all when ``end`` is negative)."""
    return mentions if end < 0 else [mention for mention in mentions if mention.start < end]


def _is_kicker(dateline: Dateline) -> bool:
    """A capitalised keyword before the dash ("LANGZAMER -", "OSCAR WILDE -"), not a place.

    Regional titles open a lead with a keyword in capitals the way ANP opens
    with a dateline. A "city" the gazetteer does not know, credited to no
    agency and naming nothing Dutch, is taken for one; a real dateline of a
    town it does not know comes with its agency ("BATTLE CREEK (AFN) -").
    """
    return not dateline.agencies and not _names_home(dateline.city)


def _title_names_home_only(title_mentions: Sequence[Mention], title: str) -> bool:
    """The headline names the home side and no foreign one: it says where the story is.

    "Inleidende zitting beoogde aanslag Rotterdam" is home news, though the lead
    names Paris and the suspects' nationality.
    """
    places = [m for m in title_mentions if not _not_home_here(m, title_mentions, title)]
    return bool(places) and all(
        mention.role is Role.DOMESTIC or mention.code in DOMESTIC for mention in places
    )


def _names_home(city: str) -> bool:
    """The dateline names a Dutch province, region or marker of the setting words."""
    return any(
        mention.role is Role.DOMESTIC or mention.code in DOMESTIC
        for mention in find_mentions_folded(light_fold(city))
    )


def _title_opens_abroad(
    title_mentions: Sequence[Mention], foreign: Counter[str], best: int
) -> bool:
    """The title's first mention is a best-scoring foreign country.

    A Dutch headline opens with its subject, so this breaks a tie between home and
    foreign evidence ("Ecuador onderschept coke bestemd voor haven Rotterdam" is
    foreign, "Nederlandse militairen in Polen ..." is home).
    """
    if not title_mentions:
        return False
    first = min(title_mentions, key=lambda mention: mention.start)
    home = first.role is Role.DOMESTIC or first.code in DOMESTIC
    return not home and foreign[first.code] == best
