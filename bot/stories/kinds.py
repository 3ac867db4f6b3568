"""What kind of piece an item is, and which of its words describe the event.

A story is one news event; only news reports make it up. Four kinds:

* ``FEATURE``: not the news report. Columns, opinion pieces, commentary,
  analyses, podcasts, photo series, readers' letters, when the outlet says so
  in the headline label, the URL or the lead ("Column Hugo Borst | ...",
  ``/opinie/``, "schrijft wekelijks", "in deze opinie"); explainers and
  reconstructions ("Hoe ...", "Zo kwam ..."); a headline that asks a question
  in its own voice ("Vers bloed in Rutte IV?"); digests of the day ("Wekdienst
  1/10: • ... • ..."). They never join a news story and no news joins theirs;
  only a copy of the same piece (AD and ED run one column) joins.
* ``LIVE_BLOG``: a page updated through the day under changing headlines. Its
  lead was written when the blog opened ("Volg via dit liveblog ...") and says
  nothing about the headline it carries now, so a live blog is judged by its
  headline alone.
* ``REACTION``: a piece whose headline frames it as the reactions to an
  event ("Zo reageert Den Haag op aftreden Van der Steur", "Koningspaar
  reageert op overlijden Elizabeth", "Reacties op klimaatakkoord"). A reaction
  is a happening of its own, not a report of the event it reacts to: it joins
  other reactions (two outlets' reports of one reaction), and a report only
  when both carry what the reactor said (the words its headline quotes): then
  the reaction is the news, framed one way by one outlet ("Rutte reageert op
  relweekend: 'Puur geweld van idioten'") and another way by the next ("Rutte
  over rellen: 'Puur geweld onder het mom van demonstreren'").
* ``NEWS``: everything else.

Headline labels ("Video |", "LIVE |", "Column Hugo Borst |") are cut off the
title, and boilerplate sentences ("Kijk hier live mee.", "Het bericht ...
verscheen eerst op ...") off the lead, before words are counted: they are the
same in every item of an outlet.

Marker lists are data, not logic: extend them freely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.core.text import fold, iter_sentences


class Kind(StrEnum):
    NEWS = "news"
    LIVE_BLOG = "live"
    FEATURE = "feature"
    REACTION = "reaction"


# Words of a headline label (the part before "|" or a leading "Label:") that
# mark a piece as a feature. Folded.
FEATURE_LABEL_WORDS = frozenset(
    {
        "column", "columns", "opinie", "analyse", "commentaar", "podcast",
        "fotoserie", "fotoserie's", "foto's", "beschouwing", "recensie", "review",
        "ingezonden", "brieven", "cartoon", "essay", "reconstructie", "achtergrond",
        "in beeld", "portret", "in memoriam", "necrologie", "terugblik", "reportage",
    }
)  # fmt: skip
# Headline openers that mark a feature without a separator ("In beeld: ...").
FEATURE_TITLE_OPENERS = (
    "ingezonden brief", "lezersbrief", "in beeld ", "in beeld:", "in beeld.", "eerste beelden",
    "in memoriam", "vanavond op tv",
    "vanavond op de tv", "vanavond op televisie", "tv-tips", "tv tips",
)  # fmt: skip
# A headline, in its own voice (quotes removed), that frames the piece as the
# reactions to an event: "Zo reageert Den Haag op ...", "Koningspaar reageert
# op overlijden ...", "Reacties op ...", "Geschokte reacties na ...", tributes
# ("Bekende Nederlanders herdenken ..."), and what the event did to people
# ("Rutte noemt opstappen Wiersma enorm spijtig", "Halsema staat stil bij
# verwoesting ...", "... laat het CDA in verslagenheid achter"), grief and
# sympathy ("Politiek Den Haag treurt om ...", "Koningspaar leeft mee met
# ...", "Voetbalwereld rouwt om ..."; "Kerk in rouw na overlijden van ..." is
# the report) and frustration ("Kamer gefrustreerd na vertrek ..."). One
# "reactie" is no marker: "Snelle reactie brandweer", an allergic reaction, and
# the "eerste reactie" of a party on its own happening ("Eerste reactie Rutte:
# 'Denk dat er goed akkoord ligt'") are part of the report.
REACTION_HEADLINE_RE = re.compile(
    r"\b(?:reageert|reageren|reageerde|reageerden|reacties|condoleances?|condoleert|"
    r"condoleren|herdenken|herdenkt|geschokt|verbijsterd|spijtig|bedroefd|aangeslagen|"
    r"verslagenheid|treurt|treuren|treurde|treurden|(?:leeft|leven|leefde|leefden) mee|"
    r"(?:rouwt|rouwen|rouwde|rouwden) om|gefrustreerd|teleurgesteld|"
    r"medeleven|(?:staat|staan|stond|stonden) stil bij)\b"
)
# "Reactie Rutte op aanslagen in Brussel": a headline that opens by naming
# itself a reaction to something.
REACTION_OPENER_RE = re.compile(r"^reactie\b[^:]*\bop\b")
# A headline that opens with people telling what an event did to them, in
# their words (it carries a colon or a quote): "Moeder van Nicky Verstappen
# tikt haar man aan: 'We hebben een dader'", "Klanten treuren om Blokker: 'Heb
# nog tienduizend spaarpunten'", "Buurman doodgeschoten advocaat: '...'".
# Witnesses telling what happened ("Ooggetuigen: tiener met hoodie schoot ...")
# report the event, and an office holder (a mayor, a minister) may be
# announcing its next step: neither is a voice here.
VOICE_OPENER_RE = re.compile(
    r"^(?:de |het )?(?:[a-z]+e )?(?:moeder|vader|ouders|familie|familieleden|nabestaanden|"
    r"weduwe|weduwnaar|buren|buurman|buurvrouw|buurtbewoners|bewoners|omwonenden|klanten|"
    r"fans|supporters|collega'?s|vrienden|vriendin|vriend|slachtoffers|passagiers|reizigers)\b"
)
_STATEMENT_RE = re.compile(r"[:\"'‘’“”„«»]")
# Openers of a headline clause (at the start or after a colon) that make an
# explainer or a reconstruction, not the report: "De lange weg naar Rutte IV:
# Hoe VVD, D66, CDA en CU ...", "Zo kwam Rutte-IV tot stand".
EXPLAINER_OPENERS = (
    "hoe ", "waarom ", "zo kwam ", "zo werd ", "zo ontstond ", "zo worden ", "zo werkt ",
    "zo gaat ", "wat we weten", "wat is ", "wat zijn ", "wat betekent ", "wat kun je ",
    "wat mag ", "wat moet je ", "dit is waarom ", "dit moet je weten", "uitleg",
)  # fmt: skip
# "What we know" round-ups anywhere in a headline ("De botsing van 2 treinen en
# een kraan: dit is wat we weten", "Storm trekt over het land, dit weten we nu"):
# an overview of the day, not a report.
WHAT_WE_KNOW_RE = re.compile(
    r"\b(?:(?:dit is (?:alles )?)?wat we (?:nu |tot nu toe |inmiddels )?weten|dit weten we|"
    r"wat weten we)\b"
)
# A reconstruction or an obituary, wherever the headline says so: "De liquidatie
# van advocaat W. van minuut tot minuut", "Advocaat W. (1975-2019) stond altijd
# ...", the life span of an obituary.
FEATURE_HEADLINE_RE = re.compile(
    r"\bvan minuut tot minuut\b|\bminuut voor minuut\b|\buur na uur\b|\bin beeld:|"
    r"\(\s*(?:1[89]|20)\d\d\s*[-–]\s*(?:19|20)\d\d\s*\)"
)
# URL path segments (between slashes) and slug openers that mark a feature.
FEATURE_PATH_SEGMENTS = frozenset(
    {
        "opinie", "opinion", "column", "columns", "commentaar", "analyse", "podcast",
        "podcasts", "fotoserie", "fotoseries", "watuzegt", "brieven", "blogs", "in-beeld",
        "fotos", "necrologie", "in-memoriam",
    }
)  # fmt: skip
FEATURE_SLUG_OPENERS = ("opinie-", "column-", "analyse-", "commentaar-", "podcast-")


class Phrases:
    """A regex of lead phrases, searched only in texts that hold one of its keywords.

    Every match of ``pattern`` contains one of ``keywords``, so a text
    without any cannot match: an ``in`` test for each keyword costs a
    fraction of a regex pass over a 300-character lead, and most leads hold
    none (``tests/stories/test_kinds_phrases.py`` checks the keywords).
    """

    __slots__ = ("keywords", "pattern")

    def __init__(self, pattern: str, keywords: tuple[str, ...]) -> None:
        self.pattern = re.compile(pattern)
        self.keywords = keywords

    def search(self, text: str) -> re.Match[str] | None:
        if not any(keyword in text for keyword in self.keywords):
            return None
        return self.pattern.search(text)


# Lead phrases (folded) of opinion pieces and columns.
FEATURE_LEAD_RE = Phrases(
    r"\bcolumnist|\bin (?:deze|haar|zijn) (?:opinie|column)\b|\bschrijft (?:wekelijks|dagelijks|"
    r"elke week|iedere week|elke dag|\w+ keer per week)\b|\bin de podcast\b|\bgeef je mening\b|"
    r"\breacties op nieuwsonderwerpen\b|\bopiniepagina|\been overzicht van\b",
    ("column", "opinie", "schrijft ", "podcast", "mening", "nieuwsonderwerpen", "overzicht van"),
)
# "…, schrijft Bas Heijne." closing a short lead: the NRC column standfirst. Only
# "schrijft": news leads end with "zegt De Jonge." or "stelt Van Dissel." too.
_BYLINE_CLOSE_RE = re.compile(
    r"schrijft\s+[A-Z][\w'-]+(?:\s+(?:van|de|der|den|ten|ter)?"
    r"\s*[A-Z][\w'-]+){0,3}\.?\s*$"
)

# Headline label words of live pages. "livestream" and "video" pages carry a
# real lead and are news; a "live"/"liveblog" label makes a live blog.
LIVE_LABEL_WORDS = frozenset({"live", "liveblog", "live-blog", "live blog", "🔴live"})
LIVE_PATH_RE = re.compile(r"liveblog|live-blog|/live-|[-/]live$")
# Lead phrases (folded) that only a live blog opens with.
LIVE_LEAD_RE = Phrases(
    r"\bliveblog|\blive-blog|\bhouden we u op de hoogte|\blive updates\b|"
    r"\bvolg hier (?:het|de) (?:belangrijkste|laatste)|\bwordt tijdens het \w+ bijgewerkt",
    ("live", "houden we", "volg hier", "bijgewerkt"),
)
# Sentences of a lead that are the outlet's furniture, not the story.
BOILERPLATE_RE = Phrases(
    r"\bliveblog|\blive-blog|\blive mee\b|\bvolg (?:hier|de|het|via)\b|\bkijk hier\b|"
    r"\blees hier\b|\bverscheen eerst op\b|\blees (?:al|ook|meer)\b|\bbekijk hier\b|"
    r"\bhouden we u op de hoogte\b|\blive te volgen\b|\bhieronder\b",
    ("live", "volg ", "kijk hier", "lees ", "verscheen eerst op", "houden we", "hieronder"),
)

# Digests of the day's news ("Wekdienst 1/10: • ... • ..."): many events, no one report.
DIGEST_TITLE_RE = re.compile(
    r"^(?:wekdienst|avonddienst|nieuwsoverzicht|het nieuws van|dit was het nieuws)\b|•.*•"
)
# Quoted words in a headline: what someone said, not the headline's own voice.
_QUOTED_RE = re.compile(r"[\"'‘’“”„«»].*?[\"'‘’“”„«»]")
# A headline label: up to five words before " | " (or " • " opening a title).
_LABEL_RE = re.compile(r"^\s*([^|•]{1,40}?)\s*\|\s*")
# A leading "Column:", "Live:", "LIVE:", "Live." that is a label, not a speaker.
_COLON_LABEL_RE = re.compile(r"^\s*(\S{1,14}?)\s*[:.]\s+")


@dataclass(frozen=True, slots=True)
class Piece:
    """An item's kind and the parts of its text that describe the event."""

    kind: Kind
    headline: str
    lead: str


def classify(title: str, lead: str, link: str) -> Piece:
    """The kind of an item and its headline without label, lead without furniture."""
    label, headline = split_label(title)
    folded_label = fold(label)
    folded_title = fold(title)
    folded_lead = fold(lead)
    if _is_feature(folded_label, folded_title, folded_lead, lead, link):
        kind = Kind.FEATURE
    elif _is_live_blog(folded_label, folded_lead, link):
        kind = Kind.LIVE_BLOG
    elif _frames_reactions(headline, folded_label):
        kind = Kind.REACTION
    else:
        kind = Kind.NEWS
    if kind is Kind.LIVE_BLOG:
        return Piece(kind, headline, "")
    if not BOILERPLATE_RE.search(folded_lead):
        return Piece(kind, headline, lead)
    kept = [s for s in iter_sentences(lead) if not BOILERPLATE_RE.search(fold(s))]
    return Piece(kind, headline, " ".join(kept))


def _frames_reactions(headline: str, folded_label: str) -> bool:
    folded = fold(headline)
    return bool(
        REACTION_HEADLINE_RE.search(_QUOTED_RE.sub("", folded))
        or _label_words(folded_label) & {"reacties", "reactie"}
        or REACTION_OPENER_RE.match(folded)
        or (VOICE_OPENER_RE.match(folded) and _STATEMENT_RE.search(headline))
    )


def quoted_words(headline: str) -> str:
    """The words a headline quotes: "Puur geweld" of "Rutte reageert: 'Puur geweld'"."""
    return " ".join(match.group()[1:-1] for match in _QUOTED_RE.finditer(headline))


def split_label(title: str) -> tuple[str, str]:
    """``("Video", "Rutte over rellen ...")`` from ``"Video | Rutte over rellen ..."``."""
    match = _LABEL_RE.match(title)
    if match and len(match.group(1).split()) <= 5:
        return match.group(1), title[match.end() :]
    match = _COLON_LABEL_RE.match(title)
    if match:
        word = fold(match.group(1))
        if word in FEATURE_LABEL_WORDS or word in LIVE_LABEL_WORDS:
            return match.group(1), title[match.end() :]
    return "", title


def _label_words(folded_label: str) -> set[str]:
    words = set(folded_label.replace(":", " ").split())
    if folded_label:
        words.add(folded_label)
    return words


def _is_feature(
    folded_label: str, folded_title: str, folded_lead: str, lead: str, link: str
) -> bool:
    if _label_words(folded_label) & FEATURE_LABEL_WORDS:
        return True
    if folded_title.startswith(FEATURE_TITLE_OPENERS):
        return True
    if _asks_or_explains(folded_title) or DIGEST_TITLE_RE.search(folded_title):
        return True
    if WHAT_WE_KNOW_RE.search(folded_title) or FEATURE_HEADLINE_RE.search(folded_title):
        return True
    if _path_marks_feature(link):
        return True
    if FEATURE_LEAD_RE.search(folded_lead):
        return True
    return _BYLINE_CLOSE_RE.search(lead.strip()) is not None and len(lead) < 300


def _asks_or_explains(folded_title: str) -> bool:
    """A headline that asks a question or opens an explainer.

    A question in the writer's own voice ("Vers bloed in Rutte IV? ...", "Hoe
    zuinig is de Rutteklaas?") announces a view, not a report; a quoted
    question ("'Waarom nu?'") or one after a speaker ("Rutte: waarom nu?") is
    reported speech and does not count.
    """
    clauses = [clause.strip() for clause in folded_title.split(":")]
    if any(clause.startswith(EXPLAINER_OPENERS) for clause in clauses):
        return True
    if len(clauses) > 1 and len(clauses[0].split()) <= 3:
        return False  # "Rutte: ..." - a speaker's words
    # A live blog joins headlines with "•": each must be a question.
    parts = _QUOTED_RE.sub("", folded_title).split("•")
    return all("?" in part for part in parts)


def _path_marks_feature(link: str) -> bool:
    path = link.split("://", 1)[-1].partition("/")[2].lower()
    segments = [segment for segment in path.split("/") if segment]
    if any(segment in FEATURE_PATH_SEGMENTS for segment in segments[:-1]):
        return True
    return any(segment.startswith(FEATURE_SLUG_OPENERS) for segment in segments)


def _is_live_blog(folded_label: str, folded_lead: str, link: str) -> bool:
    if _label_words(folded_label) & LIVE_LABEL_WORDS:
        return True
    if LIVE_PATH_RE.search(link.lower()):
        return True
    return LIVE_LEAD_RE.search(folded_lead) is not None
