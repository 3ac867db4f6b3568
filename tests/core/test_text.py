"""HTML to text, the Dutch sentence splitter and lead summaries."""

from __future__ import annotations

import html as html_module
import random
import re
import time
import unicodedata

import pytest

from bot.core.text import ELLIPSIS, fold, html_to_text, shorten, split_sentences, summarise
from tests.paths import FIXTURES

# --- html_to_text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        # NOS body shape: source newlines and indentation are not breaks; <p> and <h2> are.
        (
            '\r\n        <p>Dat plan viel <a href="https://nos.nl/a">zeer slecht</a> bij de'
            "\r\n oppositie.</p>\r\n        <h2>Niet veel draaiknoppen</h2>\r\n<p>Minister.</p>",
            "Dat plan viel zeer slecht bij de oppositie.\n\nNiet veel draaiknoppen\n\nMinister.",
        ),
        ("<p>Een</p><p>Twee</p>", "Een\n\nTwee"),
        ("Regel een<br>Regel twee<br/><br />Drie", "Regel een\n\nRegel twee\n\nDrie"),
        ("<ul><li>Eén</li><li>Twee</li></ul>", "Eén\n\nTwee"),
        ("<div><blockquote>Citaat</blockquote>na</div>", "Citaat\n\nna"),
        ("Oek<b>ra</b>ïne", "Oekraïne"),
        ("AT&amp;T en Procter &amp; Gamble", "AT&T en Procter & Gamble"),
        # Double escaping seen in the wild.
        ("Tom &amp;amp; Jerry &amp;quot;live&amp;quot;", 'Tom & Jerry "live"'),
        ("caf&eacute; &#233; &#xE9; &#8364;5", "café é é €5"),
        ("twee&nbsp;&nbsp;woorden", "twee woorden"),
        # Escaped markup is text, not a tag.
        ("&lt;b&gt;vet&lt;/b&gt;", "<b>vet</b>"),
        ("<p>tekst</p><script>var x = '<p>';</script><style>p {}</style>", "tekst"),
        ("<figure><img src=a.jpg><figcaption>Foto: ANP</figcaption></figure><p>Tekst</p>", "Tekst"),
        ("<!-- advertentie --><p>Tekst</p>", "Tekst"),
        ('<p title="a > b">Tekst <img alt=\'1 > 0\' src="x.jpg">hier</p>', "Tekst hier"),
        ('<a title="open>Tekst</a>', "Tekst"),
        (
            '<p>A</p><iframe src="x">Geen iframes</iframe><svg><text>Grafiek</text></svg>'
            '<SCRIPT type="text/javascript">alert("<b>")</SCRIPT ><p>B</p>',
            "A\n\nB",
        ),
        ("zero\u200bwidth\u00adsoft", "zerowidthsoft"),
        ("  ruimte   \t rond  ", "ruimte rond"),
        ("prijs < 5 euro en > 3", "prijs < 5 euro en > 3"),
        # Plain text: its line breaks are paragraph breaks.
        ("Regel een\nRegel twee\n\n\nDrie", "Regel een\n\nRegel twee\n\nDrie"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


# Hostile markup must not stall ingest: with regexes retried at every "<", each
# of these took time quadratic in its length (48,000 characters of "<a": 14 s).
# The bound is generous for a loaded machine; the conversion takes a fraction.
HOSTILE_SECONDS = 2.0
_LONG_TEXT = "tekst " * 175_000  # 1 MB


@pytest.mark.parametrize(
    ("html", "text"),
    [
        # A tag start without any ">" after it is text.
        pytest.param("<a" * 100_000, "<a" * 100_000, id="tag-starts-without-end"),
        pytest.param("<p " * 100_000, "<p " * 99_999 + "<p", id="block-starts-without-end"),
        # An element without its end tag is not dropped; its start tag is.
        pytest.param(
            "<p>Begin</p><script>" + _LONG_TEXT + "<p>Eind</p>",
            "Begin\n\n" + " ".join(_LONG_TEXT.split()) + "\n\nEind",
            id="unclosed-script",
        ),
        pytest.param(
            "<p>Begin</p>" + "<script>x" * 100_000 + "<p>Eind</p>",
            "Begin\n\n" + "x" * 100_000 + "\n\nEind",
            id="many-unclosed-scripts",
        ),
        pytest.param(
            "<p>Tekst</p>" + "<!--" * 50_000, "Tekst\n\n" + "<!--" * 50_000, id="unclosed-comments"
        ),
        # A tag with an unbalanced quote ends at its first ">".
        pytest.param(
            "<p>Tekst</p>" + '<a title="x>' * 50_000 + "<p>Eind</p>",
            "Tekst\n\nEind",
            id="stray-double-quotes",
        ),
        pytest.param(
            "<p>Tekst</p>" + "<a title='x>" * 50_000 + "<p>Eind</p>",
            "Tekst\n\nEind",
            id="stray-single-quotes",
        ),
        pytest.param(
            "<p>Een</p>" + '<a title="' * 50_000 + "<p>Twee</p>",
            "Een\n\n" + '<a title="' * 50_000 + "\n\nTwee",
            id="open-quotes-without-end",
        ),
        pytest.param("<b>" * 100_000 + "vet" + "</b>" * 100_000, "vet", id="nested-tags"),
    ],
)
def test_hostile_html_converts_in_linear_time(html: str, text: str) -> None:
    started = time.perf_counter()
    result = html_to_text(html)
    elapsed = time.perf_counter() - started
    assert result == text
    assert elapsed < HOSTILE_SECONDS


# The regexes html_to_text used before its linear scanners: the oracle for
# their output, on markup soup built from the pieces that make tags tricky.
_REFERENCE_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*>"""
_REFERENCE_DROPPED_RE = re.compile(
    r"<(script|style|noscript|template|figcaption|iframe|object|applet|svg|math)\b"
    rf"{_REFERENCE_ATTRS}.*?</\1\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
_REFERENCE_BLOCK_RE = re.compile(
    r"</?(?:p|div|br|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|pre|hr|table|tr|td|th|"
    rf"section|article|header|footer|aside|figure|main|nav)\b{_REFERENCE_ATTRS}",
    re.IGNORECASE,
)
_REFERENCE_TAG_RE = re.compile(rf"</?[A-Za-z]{_REFERENCE_ATTRS}|</?[A-Za-z][^>]*>|<![^>]*>")
_SOUP = [
    *("<", ">", '"', "'", "/", "!", "-", "=", " ", "\n", "a", "x", "é", "&amp;", "&lt;"),
    *("<a", "</a", "<b", "</b", "<p", "</p", "<P", "<pre", "<br/", "<li", "</li", "<h1", "<h7"),
    *("<p-x", "<1", "</ a", "<!", "<!DOCTYPE", "<!--", "-->", "--", "<scriptx", "<script"),
    *("<Script", "</script", "</SCRIPT ", "<style", "</style", "<svg", "</svg", "<iframe"),
    "</iframe  >",
]


def _reference_html_to_text(markup: str) -> str:
    if "<" not in markup:
        return html_to_text(markup)  # the plain-text path is unchanged
    text = _REFERENCE_DROPPED_RE.sub(" ", markup)
    text = _REFERENCE_BLOCK_RE.sub("\ue000", text)
    text = _REFERENCE_TAG_RE.sub("", text)
    once = html_module.unescape(text)
    text = html_module.unescape(once) if "&" in once else once
    collapsed = (" ".join(paragraph.split()) for paragraph in text.split("\ue000"))
    return "\n\n".join(paragraph for paragraph in collapsed if paragraph)


def test_html_to_text_matches_the_former_regexes_on_markup_soup() -> None:
    rng = random.Random(2024)
    for _ in range(5_000):
        markup = "".join(rng.choice(_SOUP) for _ in range(rng.randint(1, 40)))
        assert html_to_text(markup) == _reference_html_to_text(markup), markup


# --- split_sentences -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Een. Twee! Drie? Vier", ["Een.", "Twee!", "Drie?", "Vier"]),
        # Abbreviations do not end a sentence.
        (
            "Er waren o.a. ministers. Bijv. Jansen kwam ook.",
            ["Er waren o.a. ministers.", "Bijv. Jansen kwam ook."],
        ),
        ("Dat is d.w.z. Nederland. Klaar.", ["Dat is d.w.z. Nederland.", "Klaar."]),
        ("Mr. Jansen en dr. De Boer pleitten.", ["Mr. Jansen en dr. De Boer pleitten."]),
        ("Het ging om ca. 300 man. Daarna niet.", ["Het ging om ca. 300 man.", "Daarna niet."]),
        ("Zie nr. 5 van de lijst.", ["Zie nr. 5 van de lijst."]),
        ("Een brief m.b.t. Groningen kwam.", ["Een brief m.b.t. Groningen kwam."]),
        ("Op 12 maart jl. Het kabinet besloot.", ["Op 12 maart jl. Het kabinet besloot."]),
        # Initials.
        ("Dat zei J. de Vries gisteren.", ["Dat zei J. de Vries gisteren."]),
        ("Zoals John F. Kennedy zei. Nu.", ["Zoals John F. Kennedy zei.", "Nu."]),
        ("Schrijver J.F. Jansen tekende.", ["Schrijver J.F. Jansen tekende."]),
        # Numbers and times.
        (
            "De prijs steeg 3,5 procent tot 1.000 euro. Om 14.30 uur kwam 2,1 mln. Binnen.",
            ["De prijs steeg 3,5 procent tot 1.000 euro.", "Om 14.30 uur kwam 2,1 mln. Binnen."],
        ),
        ("Het was 2014. Nu niet.", ["Het was 2014.", "Nu niet."]),
        # Capitals that look like abbreviations end sentences.
        ("Hij woont in de VS. De rest niet.", ["Hij woont in de VS.", "De rest niet."]),
        ("Ze bankiert bij ING. Nu niet meer.", ["Ze bankiert bij ING.", "Nu niet meer."]),
        ("Het boek is van Jan. Hij schreef het.", ["Het boek is van Jan.", "Hij schreef het."]),
        ("Op 1 jan. 2024 begon het.", ["Op 1 jan. 2024 begon het."]),
        ("Bijv. dit. Of dat.", ["Bijv. dit.", "Of dat."]),
        ("Dr. Jansen kwam. St. Louis ook.", ["Dr. Jansen kwam.", "St. Louis ook."]),
        # Company names from the NOS feed.
        (
            "De overname van Warner Bros. Discovery door Paramount. Klaar.",
            ["De overname van Warner Bros. Discovery door Paramount.", "Klaar."],
        ),
        # Quotes close the sentence they end.
        (
            'Hij zei: "Wij zijn bereid." Daarna ging hij.',
            ['Hij zei: "Wij zijn bereid."', "Daarna ging hij."],
        ),
        (
            "Hij wil zich niet ,,overgeven''. ,,Nooit'', zei hij.",
            ["Hij wil zich niet ,,overgeven''.", ",,Nooit'', zei hij."],
        ),
        # Lower case after a full stop goes on (ellipsis in the middle).
        ("Hij ging weg... en kwam terug.", ["Hij ging weg... en kwam terug."]),
        # Paragraph breaks end sentences, even without punctuation.
        ("Kop zonder punt\n\nTekst. Meer", ["Kop zonder punt", "Tekst.", "Meer"]),
        ("", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_split_sentences_keeps_every_word() -> None:
    text = (
        "Het minderheidskabinet is bereid om de plannen te wijzigen. Dat heeft minister "
        'Heinen gezegd. Hij waarschuwde dat het "enorm ingewikkeld" is.\n\nOm 08.45 uur '
        "stond er 936 kilometer file, o.a. op de A2."
    )
    assert " ".join(split_sentences(text)).split() == text.split()


# --- summarise -----------------------------------------------------------------

LEAD = (
    "Zeker dertien mijnwerkers zijn om het leven gekomen bij een Russische drone-aanval "
    "in de Oekraïense regio Dnipropetrovsk. Dat meldt het mijnwerkersbedrijf DTEK Group. "
    "Acht mensen raakten gewond. De mijnwerkers werden gedood door een drone die insloeg "
    "vlak naast de bus waarmee zij na hun dienst naar huis werden gebracht."
)


@pytest.mark.parametrize(
    ("max_chars", "summary"),
    [
        (
            300,
            "Zeker dertien mijnwerkers zijn om het leven gekomen bij een Russische drone-aanval "
            "in de Oekraïense regio Dnipropetrovsk. Dat meldt het mijnwerkersbedrijf DTEK Group. "
            "Acht mensen raakten gewond.",
        ),
        (
            150,
            "Zeker dertien mijnwerkers zijn om het leven gekomen bij een Russische drone-aanval "
            "in de Oekraïense regio Dnipropetrovsk.",
        ),
        # The first sentence alone is too long: word boundary and an ellipsis.
        (60, "Zeker dertien mijnwerkers zijn om het leven gekomen bij een…"),
    ],
)
def test_summary_takes_whole_sentences(max_chars: int, summary: str) -> None:
    result = summarise(LEAD, max_chars=max_chars)
    assert result == summary
    assert len(result) <= max_chars


# The first sentence of LEAD is 121 characters: every limit below cuts it.
@pytest.mark.parametrize("max_chars", range(20, 121, 7))
def test_cut_summary_never_splits_a_word(max_chars: int) -> None:
    result = summarise(LEAD, max_chars=max_chars)
    assert len(result) <= max_chars
    assert result.endswith(ELLIPSIS)
    kept = result.removesuffix(ELLIPSIS)
    assert LEAD.startswith(kept)
    assert LEAD[len(kept)] in " ,"


def test_summary_that_repeats_the_title_is_dropped() -> None:
    title = "Vijf jaar cel voor 'superinbreker' na rooftocht in het Noorden"
    assert summarise(title, title=title) == ""
    assert summarise(title + ".", title=title.upper()) == ""


def test_reworded_subtitle_counts_as_a_repeat() -> None:
    title = "Postbezorger Weia heeft een pratende kerstbrievenbus in haar voortuin in Hoogezand"
    subtitle = "Pratende kerstbrievenbus in voortuin van postbezorger Weia in Hoogezand"
    assert summarise(subtitle, title=title) == ""


def test_subtitle_with_news_is_kept() -> None:
    title = "Twee Groningers hoofdrolspelers in bende crypto-oplichters"
    subtitle = "Noordelijke bende van crypto-oplichters opgerold"
    assert summarise(subtitle, title=title) == subtitle


def test_title_sentence_is_skipped_and_the_rest_kept() -> None:
    text = "Waterballet na leidingbreuk. In Harderwijk is een leiding gesprongen."
    assert summarise(text, title="Waterballet na leidingbreuk") == (
        "In Harderwijk is een leiding gesprongen."
    )


def test_truncated_description_tail_is_left_out() -> None:
    text = "Met de pleineigenaar in gesprek. Vorig jaar werden op diverse feestlocaties minderj"
    assert summarise(text) == "Met de pleineigenaar in gesprek."


def test_heading_after_the_lead_is_left_out() -> None:
    text = "Eerste zin.\n\nNiet veel draaiknoppen\n\nDaarna meer."
    assert summarise(text) == "Eerste zin."


def test_empty_text_has_empty_summary() -> None:
    assert summarise("") == ""


@pytest.mark.parametrize(
    ("text", "max_chars", "short"),
    [
        ("kort", 10, "kort"),
        ("een twee drie vier", 12, "een twee…"),
        ("een, twee drie", 9, "een…"),
        ("Donaudampfschifffahrtsgesellschaft", 10, "Donaudamp…"),
    ],
)
def test_shorten(text: str, max_chars: int, short: str) -> None:
    assert shorten(text, max_chars) == short


# --- fold: the fast implementation must equal the reference definition ----------


def _reference_fold(text: str) -> str:
    # The original definition of fold(), kept as the oracle for the fast version.
    zero_width = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
    decomposed = unicodedata.normalize("NFKD", text.translate(zero_width))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


@pytest.mark.parametrize(
    "text",
    [
        "Oekraïense",
        "  Saudi-Arabië\u00a0en\tIsraël \n",
        "ﬁnale Straße Ørsted Ĳsselmeer ½",
        "zero\u200bwidth\u00adsoft\ufeff",
        "ASCII only, with  spaces\x1c\x1dand separators",
        "Ελλάδα Україна 日本",
        "",
    ],
)
def test_fold_examples_match_reference(text: str) -> None:
    assert fold(text) == _reference_fold(text)


def test_fold_matches_reference_on_the_first_two_planes() -> None:
    # Blocks of 64 code points (surrogates excluded), each block one string.
    for start in range(0, 0x20000, 64):
        block = "".join(
            chr(code) for code in range(start, start + 64) if not 0xD800 <= code < 0xE000
        )
        assert fold(block) == _reference_fold(block), hex(start)


def test_fold_matches_reference_on_the_fixture_feeds() -> None:
    for path in sorted((FIXTURES / "feeds").glob("*.xml")):
        text = path.read_bytes().decode("utf-8", "replace")
        assert fold(text) == _reference_fold(text), path.name
