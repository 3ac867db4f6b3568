"""Dutch text helpers shared by ingest, tagging, matching and handlers."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator

_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = dict.fromkeys(map(ord, _ZERO_WIDTH_CHARS), None)


class _CombiningMarks(dict[int, int | None]):
    """A str.translate table deleting combining marks, filled as characters appear.

    Lets translate() do the per-character work in C: a Python loop over
    every character made fold() the slowest step of tagging a feed.
    """

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_COMBINING = _CombiningMarks()
# News text is mostly ASCII after NFKD; only the rare non-ASCII runs can hold
# combining marks, so translate just those.
_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]+")


def _strip_marks(run: re.Match[str]) -> str:
    return run[0].translate(_WITHOUT_COMBINING)


def fold(text: str) -> str:
    """Case- and accent-fold: ``Oekraïense`` -> ``oekraiense``.

    Strips combining marks after NFKD, removes zero-width characters and
    collapses whitespace. Length may change (ligatures), so never use offsets of
    the folded text on the original.
    """
    # str.split() splits on exactly the characters regex \s matches (isspace).
    if text.isascii():  # NFKD and combining marks cannot change ASCII
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", _without_zero_width(text))
    stripped = _NON_ASCII_RUN_RE.sub(_strip_marks, decomposed)
    return " ".join(stripped.casefold().split())


# --- HTML to plain text -------------------------------------------------------

# The rest of a tag after its name: attributes, where a quoted value may hold
# ">" (alt="a > b"), up to the closing bracket.
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*>"""
# Content that is not part of the story text: code, styling, embedded objects
# and their fallback text, image captions. Feed HTML arrives unsanitised.
_DROPPED_ELEMENT_RE = re.compile(
    rf"<(script|style|noscript|template|figcaption|iframe|object|applet|svg|math)\b{_ATTRS}"
    r".*?</\1\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
# Elements whose start or end is a paragraph break in the rendered page.
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|div|br|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|pre|hr|table|tr|td|th|"
    rf"section|article|header|footer|aside|figure|main|nav)\b{_ATTRS}",
    re.IGNORECASE,
)
# Second alternative: a tag with an unbalanced quote ends at its first ">".
_ANY_TAG_RE = re.compile(rf"</?[A-Za-z]{_ATTRS}|</?[A-Za-z][^>]*>|<![^>]*>")
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A private-use character marks paragraph breaks while tags are removed; feeds
# never use it.
_BREAK = "\ue000"


def html_to_text(html: str) -> str:
    """Render feed HTML as plain text, one paragraph per ``\\n\\n`` block.

    Tags are stripped before entities are unescaped, so escaped markup in the
    copy (``&lt;b&gt;``) stays visible text. Entities are unescaped twice to
    undo the double escaping (``&amp;amp;``) some feeds ship. Input without
    tags is treated as plain text, whose line breaks are paragraph breaks.
    """
    # Whitespace is collapsed with str.split/join: on feed-sized text it is an
    # order of magnitude faster than a regex substitution (see bench/ingest.py).
    if "<" not in html:
        text = _unescape(html) if "&" in html else html
        paragraphs = _without_zero_width(text).splitlines()
    else:
        text = _DROPPED_ELEMENT_RE.sub(" ", html)
        text = _BLOCK_TAG_RE.sub(_BREAK, text)
        text = _ANY_TAG_RE.sub("", text)
        if "&" in text:
            text = _unescape(text)
        paragraphs = _without_zero_width(text).split(_BREAK)
    collapsed = (" ".join(paragraph.split()) for paragraph in paragraphs)
    return "\n\n".join(paragraph for paragraph in collapsed if paragraph)


def _without_zero_width(text: str) -> str:
    # translate() is slow on long text; most text has none of these characters.
    if any(char in text for char in _ZERO_WIDTH_CHARS):
        return text.translate(_ZERO_WIDTH)
    return text


def _unescape(text: str) -> str:
    once = html.unescape(text)
    return html.unescape(once) if _ENTITY_RE.search(once) else once


# --- Dutch sentences ----------------------------------------------------------

# Abbreviations after which a full stop does not end a sentence, written in
# lower case without their final dot. They match as written or capitalised at a
# sentence start ("Bijv."), never in capitals: "in de VS." and "bij ING." end
# sentences. Data, not logic: extend freely.
DUTCH_ABBREVIATIONS = frozenset(
    {
        "o.a", "bijv", "bv", "b.v", "d.w.z", "mr", "dr", "drs", "ir", "prof",
        "mevr", "mw", "dhr", "hr", "ca", "nr", "nrs", "m.b.t", "jl", "j.l", "e.d",
        "e.a", "enz", "etc", "i.p.v", "i.v.m", "t.a.v", "n.a.v", "m.i.v", "o.b.v",
        "z.s.m", "a.s", "p.p", "t.o.v", "t/m", "incl", "excl", "evt", "ong", "resp",
        "vgl", "blz", "pag", "st", "sr", "jr", "gen", "lt", "kol", "sgt", "max",
        "mln", "mld", "mrd", "tel", "afd", "jhr", "ds", "zgn", "z.g.n", "m.n",
        "d.m.v", "v.w.b", "i.o.m", "c.q", "o.l.v", "bros",
    }
)  # fmt: skip
# Abbreviated months only hold a sentence together before a number
# ("1 jan. 2024"); "Jan." is also a name that can end a sentence.
DUTCH_MONTH_ABBREVIATIONS = frozenset(
    {"jan", "feb", "febr", "mrt", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec"}
)

# A full stop, ! or ? (or an ellipsis), closing quotes/brackets, then space: a
# candidate boundary. Numbers ("3,5", "1.000", "14.30 uur") never match because
# no space follows their separator.
_CANDIDATE_RE = re.compile(r"(?:[.!?]+|…)[\"'”’»)\]]*(?=\s)")
_OPENERS = frozenset("\"'‘’“”„«([,")
_TERMINATED_RE = re.compile(r"(?:[.!?]|…)[\"'”’»)\]]*$")


def split_sentences(text: str) -> list[str]:
    """Split Dutch plain text into sentences; a line break always ends one."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    """Lazily yield the sentences of ``text`` (see :func:`split_sentences`)."""
    for paragraph in text.splitlines():
        start = 0
        for match in _CANDIDATE_RE.finditer(paragraph):
            end = match.end()
            if _is_boundary(paragraph, match.start(), end):
                sentence = paragraph[start:end].strip()
                if sentence:
                    yield sentence
                start = end
        tail = paragraph[start:].strip()
        if tail:
            yield tail


def _is_boundary(paragraph: str, punct_at: int, end: int) -> bool:
    following = paragraph[end:].lstrip()[:1]
    if not following:
        return True
    if not (following.isupper() or following.isdigit() or following in _OPENERS):
        # "ca. twintig", "o.a. de" and "..." mid-sentence: lower case goes on.
        return False
    if paragraph[punct_at] != ".":
        return True
    word = _word_before(paragraph, punct_at)
    if len(word) == 1 and word.isupper():
        # An initial: "J. de Vries", "John F. Kennedy".
        return False
    if len(word) >= 3 and word[1] == "." and word.replace(".", "").isupper():
        # Run of initials: "J.F. Kennedy", "A.B.C. Jansen".
        return False
    if word in DUTCH_MONTH_ABBREVIATIONS:
        return not following.isdigit()
    return (
        word not in DUTCH_ABBREVIATIONS and word[:1].lower() + word[1:] not in DUTCH_ABBREVIATIONS
    )


def _word_before(paragraph: str, punct_at: int) -> str:
    start = punct_at
    while start > 0 and not paragraph[start - 1].isspace() and paragraph[start - 1] not in "([\"'„":
        start -= 1
    return paragraph[start:punct_at]


def is_terminated(sentence: str) -> bool:
    """Whether a sentence ends with . ! ? or … (closing quotes allowed)."""
    return _TERMINATED_RE.search(sentence) is not None


# --- Summaries -------------------------------------------------------------------

ELLIPSIS = "…"


def summarise(text: str, *, title: str = "", max_chars: int = 300) -> str:
    """The lead of ``text``: whole first sentences within ``max_chars``.

    Leading sentences that only repeat the title are skipped, so a summary
    that merely repeats the title comes out empty. A first sentence longer
    than ``max_chars`` is cut at a word boundary and ends with "…". A sentence
    without final punctuation (a paragraph such as a sub-headline, or the tail
    of a description the feed truncated) can only stand alone as the lead.
    """
    title_words = _words(title)
    lead: list[str] = []
    length = 0
    for sentence in iter_sentences(text):
        if not lead:
            if title_words and _repeats(sentence, title_words):
                continue
            if len(sentence) > max_chars:
                return shorten(sentence, max_chars)
            lead.append(sentence)
            length = len(sentence)
            if not is_terminated(sentence):
                break
            continue
        if not is_terminated(sentence) or length + 1 + len(sentence) > max_chars:
            break
        lead.append(sentence)
        length += 1 + len(sentence)
    return " ".join(lead)


# Share of a sentence's words that may come from the title before the sentence
# counts as a repeat: catches re-worded subtitles ("Zorgen over verlenging ..."
# under "Zorgen over verlengen ...") while a lead adding news stays.
TITLE_REPEAT_SHARE = 0.8
_WORD_RE = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD_RE.findall(fold(text)))


def _repeats(sentence: str, title_words: frozenset[str]) -> bool:
    words = _WORD_RE.findall(fold(sentence))
    if not words:
        return True
    known = sum(1 for word in words if word in title_words)
    return known / len(words) >= TITLE_REPEAT_SHARE


def shorten(text: str, max_chars: int) -> str:
    """Cut ``text`` to ``max_chars`` at a word boundary, ending with "…" if cut."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    # A single word longer than the limit has no boundary: cut it as a last resort.
    cut = cut[:space] if space > 0 else cut[: max_chars - len(ELLIPSIS)]
    return _trim_trailing(cut) + ELLIPSIS


def _trim_trailing(text: str) -> str:
    return text.rstrip(" ,;:-–—([\"'„").rstrip()
