"""Every feed failure key reads in English for the logs and in Dutch for admins."""

from __future__ import annotations

import re

import pytest

from bot.core.feed_failure import ENGLISH, FailureKey, FeedFailure
from bot.texts.admin import FAILURES, failure_reason

# One real example per key: its parameters, the log's English, what admins read.
EXAMPLES: list[tuple[FailureKey, dict[str, str], str, str]] = [
    (FailureKey.CONNECT_TIMEOUT, {}, "connect timeout", "verbinden duurde te lang"),
    (
        FailureKey.TIMEOUT,
        {"seconds": "20"},
        "timeout after 20 s",
        "geen antwoord binnen 20 s",
    ),
    (FailureKey.CONNECTION_REFUSED, {}, "connection refused", "verbinding geweigerd"),
    (FailureKey.HOST_NOT_FOUND, {}, "host name not found", "servernaam niet gevonden"),
    (FailureKey.TLS_ERROR, {}, "TLS error", "TLS-fout"),
    (FailureKey.CONNECTION_FAILED, {}, "connection failed", "verbinding mislukt"),
    (
        FailureKey.CONNECTION_CLOSED,
        {},
        "connection closed mid-response",
        "verbinding halverwege verbroken",
    ),
    (
        FailureKey.UNDECODABLE_ENCODING,
        {},
        "undecodable content encoding",
        "onleesbare compressie",
    ),
    (FailureKey.INVALID_URL, {}, "invalid URL", "ongeldige URL"),
    (
        FailureKey.UNSUPPORTED_SCHEME,
        {"scheme": "ftp"},
        "unsupported URL scheme 'ftp'",
        "URL-schema „ftp” niet ondersteund",
    ),
    (FailureKey.REDIRECT_LOOP, {}, "redirect loop", "doorverwijzingslus"),
    (FailureKey.TOO_MANY_REDIRECTS, {}, "too many redirects", "te veel doorverwijzingen"),
    (
        FailureKey.BODY_TOO_LARGE,
        {"limit": "5 MiB"},
        "body larger than 5 MiB",
        "antwoord groter dan 5 MiB",
    ),
    (FailureKey.HTTP_STATUS, {"status": "503"}, "HTTP 503", "HTTP 503"),
    (
        FailureKey.HTTP_FAILURE,
        {"exception": "ReadError"},
        "HTTP failure (ReadError)",
        "HTTP-fout (ReadError)",
    ),
    (
        FailureKey.NETWORK_ERROR,
        {"exception": "ConnectionResetError"},
        "network error (ConnectionResetError)",
        "netwerkfout (ConnectionResetError)",
    ),
    (
        FailureKey.NOT_A_FEED,
        {"exception": "SAXParseException", "detail": "<unknown>:2:0: syntax error"},
        "not a feed (SAXParseException: <unknown>:2:0: syntax error)",
        "geen feed (SAXParseException)",
    ),
    (
        FailureKey.NO_FEED_CONTENT,
        {},
        "not a feed (no version, no entries)",
        "geen feed (geen versie, geen berichten)",
    ),
    (
        FailureKey.ENTITY_DECLARATION,
        {},
        "refused: the feed declares XML entities (entity declaration)",
        "geweigerd: de feed declareert XML-entiteiten",
    ),
    (
        FailureKey.DTD_INTERNAL_SUBSET,
        {},
        "refused: the feed declares XML entities (DTD internal subset)",
        "geweigerd: de feed declareert XML-entiteiten (DTD)",
    ),
    (
        FailureKey.PARSE_TIMEOUT,
        {"seconds": "20"},
        "refused: parsing took longer than 20 s",
        "geweigerd: verwerken duurde langer dan 20 s",
    ),
    (
        FailureKey.PARSE_MEMORY,
        {"mib": "80"},
        "refused: parsing needed more than 80 MiB",
        "geweigerd: verwerken vroeg meer dan 80 MiB geheugen",
    ),
    (
        FailureKey.PARSER_CRASHED,
        {},
        "refused: the parser process ended unexpectedly",
        "geweigerd: het verwerkingsproces stopte onverwacht",
    ),
    (
        FailureKey.UNEXPECTED,
        {"exception": "OverflowError"},
        "unexpected error: OverflowError",
        "onverwachte fout: OverflowError",
    ),
    (FailureKey.UNKNOWN, {}, "unknown error", "onbekende fout"),
]


def test_every_key_has_an_example_an_english_and_a_dutch_text() -> None:
    assert [key for key, *_ in EXAMPLES] == list(FailureKey)
    assert set(ENGLISH) == set(FailureKey)
    assert set(FAILURES) == set(FailureKey)


@pytest.mark.parametrize(("key", "params", "english", "dutch"), EXAMPLES)
def test_a_failure_reads_by_its_key(
    key: FailureKey, params: dict[str, str], english: str, dutch: str
) -> None:
    failure = FeedFailure(key, params)
    assert failure.english == english
    assert str(failure) == english
    assert failure_reason(failure) == dutch
    # The key decides, not whatever English text a state kept beside it.
    assert failure_reason(failure, "something else") == dutch


# Words of the English texts that Dutch admin texts use too ("s" is the unit of seconds).
_SHARED_WORDS = frozenset({"http", "tls", "url", "feed", "s", "xml", "dtd", "mib"})


def _words(text: str) -> set[str]:
    return {word.casefold() for word in re.findall(r"[A-Za-z]+", text)}


@pytest.mark.parametrize(("key", "params", "english", "dutch"), EXAMPLES)
def test_no_english_word_reaches_the_admins(
    key: FailureKey, params: dict[str, str], english: str, dutch: str
) -> None:
    english_words = set().union(*(_words(text) for text in ENGLISH.values())) - _SHARED_WORDS
    # Parameter values are names and numbers (exception classes, status codes)...
    shown_values = {value for value in params.values() if value in dutch}
    outside_values = dutch
    for value in shown_values:
        outside_values = outside_values.replace(value, " ")
    assert not _words(outside_values) & english_words
    # ...and the parser's English complaint is for the log only.
    assert "detail" not in params or params["detail"] not in dutch


@pytest.mark.parametrize(
    ("stored_text", "shown"),
    [
        # A state stored before failures had keys: its text as it is.
        ("timeout after 20 s", "timeout after 20 s"),
        (
            "NOS Algemeen: not a feed (no version, no entries)",
            "NOS Algemeen: not a feed (no version, no entries)",
        ),
        (None, "onbekende fout"),
        ("", "onbekende fout"),
    ],
)
def test_a_failure_without_a_key_shows_the_stored_text(stored_text: str | None, shown: str) -> None:
    assert failure_reason(None, stored_text) == shown
