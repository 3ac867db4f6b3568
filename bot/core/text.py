"""Dutch text helpers shared by ingest, tagging, matching and handlers."""

from __future__ import annotations

import bisect
import functools
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
#
# Three passes, each a substitution over the output of the one before:
#   1. content that is not story text (script, style, ... and comments) -> " ";
#   2. tags that start or end a paragraph in the rendered page -> a break mark;
#   3. every other tag -> "".
# A tag ends at its first ">" outside a quoted attribute value (alt="a > b").
#
# The passes are hand-written scanners, not regex substitutions: a regex is
# retried at every "<", and where a tag or element never ends (a "<a" without a
# later ">", an unclosed <script> or "<!--", a stray quote) each retry scanned
# on to the end of the input, which made hostile HTML quadratic: 48,000
# characters of "<a" took 14 seconds. Here every tag start and end marker is
# located with str.find or a regex search, and what a scan learns about the
# rest of the text is remembered, so each pass is linear in the input. The
# output is exactly what the former regexes gave.

# Content that is not part of the story text: code, styling, embedded objects
# and their fallback text, image captions. Feed HTML arrives unsanitised.
_DROPPED_START_RE = re.compile(
    r"<(?:(script|style|noscript|template|figcaption|iframe|object|applet|svg|math)\b|!--)",
    re.IGNORECASE,
)
# Elements whose start or end is a paragraph break in the rendered page.
_BLOCK_TAG_START_RE = re.compile(
    r"</?(?:p|div|br|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|pre|hr|table|tr|td|th|"
    r"section|article|header|footer|aside|figure|main|nav)\b",
    re.IGNORECASE,
)
_TAG_START_RE = re.compile(r"<(?:/?[A-Za-z]|!)")
_TAG_SPECIAL_RE = re.compile(r"""[>"']""")
_GT_RE = re.compile(">")
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
    Takes time linear in the length of the input, whatever its markup.
    """
    # Whitespace is collapsed with str.split/join: on feed-sized text it is an
    # order of magnitude faster than a regex substitution (see bench/ingest.py).
    if "<" not in html:
        text = _unescape(html) if "&" in html else html
        paragraphs = _without_zero_width(text).splitlines()
    else:
        text = _replace_spans(html, _dropped_element_spans(html), " ")
        text = _replace_spans(text, _block_tag_spans(text), _BREAK)
        text = _replace_spans(text, _tag_spans(text), "")
        if "&" in text:
            text = _unescape(text)
        paragraphs = _without_zero_width(text).split(_BREAK)
    collapsed = (" ".join(paragraph.split()) for paragraph in paragraphs)
    return "\n\n".join(paragraph for paragraph in collapsed if paragraph)


def _replace_spans(text: str, spans: Iterator[tuple[int, int]], replacement: str) -> str:
    """``text`` with each of the ascending, disjoint ``[start, end)`` spans replaced."""
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        pieces += (text[done:start], replacement)
        done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _dropped_element_spans(html: str) -> Iterator[tuple[int, int]]:
    """Pass 1: dropped elements, start tag to end tag, and comments.

    An element without an end tag, or whose start tag never ends, is not
    dropped: its start is left for the later passes like any other tag.
    """
    tag_ends = _TagEnds(html)
    # The end tags of each kind (or the comment ends), found in one scan of the
    # whole text when first needed: every element of that kind looks its end
    # up there, so one without an end costs no scan to the end of the text.
    end_markers: dict[str, _Occurrences] = {}
    # Every element and comment ends in a ">": none can start after the last.
    last_gt = html.rfind(">")
    done = 0
    for start in _DROPPED_START_RE.finditer(html, 0, last_gt):
        if start.start() < done:
            continue
        name = start[1]
        marker = "-->" if name is None else f"</{name.lower()}>"
        if marker not in end_markers:
            end_markers[marker] = _Occurrences(_end_marker_re(marker), html)
        ends = end_markers[marker]
        content = start.end()
        if name is not None:
            # An element with no end tag anywhere after it is left alone at
            # once, however long its start tag would have been to find.
            if ends.end_of_first_at_or_after(content) < 0:
                continue
            tag_end = tag_ends.find(content)
            if tag_end < 0:
                continue
            content = tag_end + 1
        end = ends.end_of_first_at_or_after(content)
        if end >= 0:
            yield start.start(), end
            done = end


@functools.cache
def _end_marker_re(marker: str) -> re.Pattern[str]:
    """``-->``, or an end tag such as ``</script>`` in any case and with space before ">"."""
    if marker == "-->":
        return re.compile(marker)
    return re.compile(rf"{re.escape(marker[:-1])}\s*>", re.IGNORECASE)


def _block_tag_spans(text: str) -> Iterator[tuple[int, int]]:
    """Pass 2: whole start and end tags of the block elements."""
    tag_ends = _TagEnds(text)
    last_gt = text.rfind(">")  # no tag can start after the last ">"
    done = 0
    for start in _BLOCK_TAG_START_RE.finditer(text, 0, last_gt):
        if start.start() < done:
            continue
        tag_end = tag_ends.find(start.end())
        if tag_end >= 0:
            done = tag_end + 1
            yield start.start(), done


def _tag_spans(text: str) -> Iterator[tuple[int, int]]:
    """Pass 3: every remaining tag, comment-like ``<!...>`` and doctype."""
    tag_ends = _TagEnds(text)
    next_gt = _NextMatch(_GT_RE, text)
    last_gt = text.rfind(">")  # no tag can start after the last ">"
    done = 0
    for start in _TAG_START_RE.finditer(text, 0, last_gt):
        if start.start() < done:
            continue
        tag_end = tag_ends.find(start.end()) if start[0] != "<!" else -1
        if tag_end < 0:
            # "<!...>", and a tag with an unbalanced quote, end at the first ">".
            tag_end = next_gt.at_or_after(start.end())
        if tag_end >= 0:
            done = tag_end + 1
            yield start.start(), done


class _NextMatch:
    """Where a one-character pattern next matches.

    The last answer is kept, which makes ascending queries cheap: a run of
    queries inside one stretch without a match (say, every "<" of "<a<a<a...")
    costs a single scan in total.
    """

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self._search = pattern.search
        self._text = text
        # No match starts in [_scanned_from, _found); _found == len(text): none.
        self._scanned_from = 1
        self._found = 0

    def at_or_after(self, pos: int) -> int:
        """The first match at or after ``pos``, or -1."""
        if not self._scanned_from <= pos <= self._found:
            match = self._search(self._text, pos)
            self._scanned_from = pos
            self._found = match.start() if match else len(self._text)
        return self._found if self._found < len(self._text) else -1


class _TagEnds:
    """Where a tag ends: its first ">" outside quoted attribute values.

    A quote skips to the next quote of its kind; a quote that is never closed
    leaves the tag without an end. Every opening quote a scan passes is
    remembered with the scan's outcome: a later scan that reaches that quote
    from outside a value goes the same way from there, so it stops. A quote can
    be the closing quote of only one opening quote, so no stretch of the text
    is scanned twice however many tags start in it (for ascending queries).
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._next_special = _NextMatch(_TAG_SPECIAL_RE, text)
        self._end_from_quote: dict[int, int] = {}

    def find(self, pos: int) -> int:
        """The end of a tag whose attributes start at ``pos``, or -1 if it has none."""
        text = self._text
        special = self._next_special.at_or_after(pos)
        if special >= 0 and text[special] == ">":  # no quotes: the usual case
            return special
        known = self._end_from_quote
        passed: list[int] = []
        end = -1
        while special >= 0:
            if text[special] == ">":
                end = special
                break
            if special in known:
                end = known[special]
                break
            passed.append(special)
            closing = text.find(text[special], special + 1)
            if closing < 0:
                break
            match = _TAG_SPECIAL_RE.search(text, closing + 1)
            special = match.start() if match else -1
        for quote in passed:
            known[quote] = end
        return end


class _Occurrences:
    """Every match of an end marker (``</script>``, ``-->``) in a text, found in one scan."""

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        # Matches cannot overlap: each holds a single "<" or is "-->".
        self._starts: list[int] = []
        self._ends: list[int] = []
        for match in pattern.finditer(text):
            self._starts.append(match.start())
            self._ends.append(match.end())

    def end_of_first_at_or_after(self, pos: int) -> int:
        """The end of the first match starting at or after ``pos``, or -1."""
        index = bisect.bisect_left(self._starts, pos)
        return self._ends[index] if index < len(self._ends) else -1


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


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Light Dutch suffix stripping so plural and inflected forms meet.

    ``mijnwerkers``/``mijnwerker``, ``aanvallen``/``aanval``,
    ``Russische``/``Russisch``. Deliberately crude: it only has to map the
    forms two outlets use for the same word onto one key.
    """
    if len(word) < 5 or word.isdigit():
        return word
    # executies -> executi, as executie loses its e below
    if (word.endswith("en") and len(word) >= 6) or word.endswith("ies"):
        word = word[:-2]
    elif word.endswith(("s", "e")) and not word.endswith("ss"):
        word = word[:-1]
    # aanvall -> aanval, bommen -> bomm -> bom
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word
