"""Tables for the pure parts of the chat handlers: arguments, callback data, guards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.model import FollowKey, FollowKind
from bot.core.telegram_text import CALLBACK_DATA_LIMIT_BYTES
from handlers import callback_data as cb
from handlers.args import (
    MAX_INPUT_CHARS,
    MAX_LATEST,
    ArgError,
    LatestArgs,
    Term,
    clean,
    command_argument,
    is_off,
    parse_clock,
    parse_latest,
    parse_quiet_hours,
    parse_switch,
    split_terms,
)
from handlers.guards import AdminCache, RateLimiter, Verdict

# Seconds on the monotonic clock, as the guards count.
T0_S = 5_000.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/volg oekraine", "oekraine"),
        ("/volg@nieuwsbot_test_bot oekraine, sport", "oekraine, sport"),
        ("/volg", ""),
        ("/volg\nverenigde   staten", "verenigde staten"),
        ("/volg oek\u200braine", "oekraine"),
        ("/volg \u202eeniarkeo", "eniarkeo"),
        ("/zoek  stikstof\tboeren ", "stikstof boeren"),
    ],
)
def test_command_argument(text: str, expected: str) -> None:
    assert command_argument(text) == expected


def test_command_argument_caps_the_whole_input() -> None:
    with pytest.raises(ArgError, match=str(MAX_INPUT_CHARS)):
        command_argument("/volg " + "a" * (MAX_INPUT_CHARS + 1))


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("oekraine", [Term("oekraine")]),
        ("oekraine, sport", [Term("oekraine"), Term("sport")]),
        ('"Mark Rutte", buitenland', [Term("Mark Rutte", quoted=True), Term("buitenland")]),
        ("„Den Haag, centrum”, tech", [Term("Den Haag, centrum", quoted=True), Term("tech")]),
        ("“Poetin”", [Term("Poetin", quoted=True)]),
        ("„Poetin”", [Term("Poetin", quoted=True)]),
        ("„Poetin“", [Term("Poetin", quoted=True)]),
        ('""', []),
        (" , ,", []),
        ("", []),
        ("<b>&amp;</b>", [Term("<b>&amp;</b>")]),
        ("🇺🇦", [Term("🇺🇦")]),
    ],
)
def test_split_terms(argument: str, expected: list[Term]) -> None:
    assert split_terms(argument) == expected


def test_split_terms_rejects_unclosed_quote_and_long_terms() -> None:
    with pytest.raises(ArgError, match="aanhalingsteken"):
        split_terms('"Mark Rutte')
    with pytest.raises(ArgError, match="300"):
        split_terms("x" * 301)


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("", LatestArgs("", 5)),
        ("10", LatestArgs("", 10)),
        ("oekraine", LatestArgs("oekraine", 5)),
        ("oekraine 3", LatestArgs("oekraine", 3)),
        ("verenigde staten 7", LatestArgs("verenigde staten", 7)),
        ("sport 50", LatestArgs("sport", MAX_LATEST, clamped=True)),
        ('"Mark Rutte" 2', LatestArgs("Mark Rutte", 2)),
        ("„Mark Rutte” 2", LatestArgs("Mark Rutte", 2)),
        ("“Mark Rutte”", LatestArgs("Mark Rutte", 5)),
        ("G7", LatestArgs("G7", 5)),
        ("٣", LatestArgs("٣", 5)),
    ],
)
def test_parse_latest(argument: str, expected: LatestArgs) -> None:
    assert parse_latest(argument) == expected


def test_parse_latest_rejects_zero() -> None:
    with pytest.raises(ArgError, match="1 tot 20"):
        parse_latest("sport 0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", "07:30"),
        ("7:30", "07:30"),
        ("23.59", "23:59"),
        ("0:00", "00:00"),
        # What people type (issue 15): hours alone, "uur", "u", Belgian "8u30".
        ("8", "08:00"),
        ("8 uur", "08:00"),
        ("8 Uur", "08:00"),
        ("8u", "08:00"),
        ("8U", "08:00"),
        ("08.00", "08:00"),
        ("20:30", "20:30"),
        ("20.30 uur", "20:30"),
        ("8u30", "08:30"),
        ("23u", "23:00"),
        ("24:00", "00:00"),
        ("24", "00:00"),
    ],
)
def test_parse_clock_accepts(text: str, expected: str) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "25:00",
        "7:5",
        "abc",
        "12:60",
        "",
        "1230",
        "-1:00",
        "07:30:00",
        "25",
        "24:30",
        "8 30",
        "8 uur 30",
        "uur",
        "morgen",
        "half negen",
        "8 uurtjes",
        "٨",
    ],
)
def test_parse_clock_rejects(text: str) -> None:
    with pytest.raises(ArgError, match="geen geldige tijd"):
        parse_clock(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23:00-07:00", ("23:00", "07:00")),
        ("23:00 - 7:00", ("23:00", "07:00")),
        ("12:00–13:30", ("12:00", "13:30")),
        ("23-7", ("23:00", "07:00")),
        ("23 - 7", ("23:00", "07:00")),
        ("23:00 tot 07:00", ("23:00", "07:00")),
        ("23 tot 7", ("23:00", "07:00")),
        ("van 23:00 tot 07:00", ("23:00", "07:00")),
        ("Van 22 uur tot 6 uur", ("22:00", "06:00")),
        ("23u-7u", ("23:00", "07:00")),
        ("23.00-07.00", ("23:00", "07:00")),
        ("22.30-6.45", ("22:30", "06:45")),
        ("22u30-6u", ("22:30", "06:00")),
        ("22-24", ("22:00", "00:00")),
    ],
)
def test_parse_quiet_hours(text: str, expected: tuple[str, str]) -> None:
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("08:00-08:00", "gelijk"),
        ("23:00", "begrijp ik niet"),
        ("25:00-07:00", "geen geldige tijd"),
        ("morgen-overmorgen", "geen geldige tijd"),
        ("25-7", "„25” is geen geldige tijd"),
        ("23-7-8", "begrijp ik niet"),
        ("23 tot", "begrijp ik niet"),
        ("tot 7", "begrijp ik niet"),
        ("morgen", "begrijp ik niet"),
        ("23", "begrijp ik niet"),
        ("van 23", "begrijp ik niet"),
        ("23 totaal 7", "begrijp ik niet"),
        ("23-", "begrijp ik niet"),
    ],
)
def test_parse_quiet_hours_rejects(text: str, message: str) -> None:
    with pytest.raises(ArgError, match=message):
        parse_quiet_hours(text)


@pytest.mark.parametrize(
    ("text", "on"),
    [("aan", True), ("Aan", True), ("ja", True), ("on", True), ("uit", False), ("UIT ", False)],
)
def test_parse_switch(text: str, on: bool) -> None:
    assert parse_switch(text, "voorbeeld") is on


@pytest.mark.parametrize("text", ["misschien", "aanuit", "1", "soms aan"])
def test_parse_switch_rejects(text: str) -> None:
    with pytest.raises(ArgError, match="<code>/voorbeeld aan</code>"):
        parse_switch(text, "voorbeeld")


@pytest.mark.parametrize(("text", "off"), [("uit", True), ("UIT ", True), ("aan", False)])
def test_is_off(text: str, off: bool) -> None:
    assert is_off(text) is off


def test_clean_removes_controls_and_bidi() -> None:
    assert clean("a\x00b\u200fc\u2067 d\n\ne") == "abc d e"


# --- callback data ------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        FollowKey(FollowKind.SECTION, "sport"),
        FollowKey(FollowKind.COUNTRY, "UA"),
        FollowKey(FollowKind.KEYWORD, "mark rutte"),
        FollowKey(FollowKind.KEYWORD, "noordzeekanaalgebied"),
    ],
)
@pytest.mark.parametrize("action", list(cb.FollowAction))
def test_follow_press_round_trips(key: FollowKey, action: cb.FollowAction) -> None:
    data = cb.encode_follow(action, key)
    assert data is not None
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT_BYTES
    assert cb.decode(data) == cb.FollowPress(action, key)


def test_long_keyword_unfollows_by_digest() -> None:
    key = FollowKey(FollowKind.KEYWORD, "stikstofuitstoot " * 5)
    assert cb.encode_follow(cb.FollowAction.FOLLOW, key) is None
    data = cb.encode_unfollow(key)
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT_BYTES
    assert cb.decode(data) == cb.UnfollowDigestPress(cb.key_digest(key))


@pytest.mark.parametrize("what", list(cb.Confirmation))
@pytest.mark.parametrize("yes", [True, False])
def test_confirm_round_trips(what: cb.Confirmation, yes: bool) -> None:
    assert cb.decode(cb.encode_confirm(what, yes)) == cb.ConfirmPress(what, yes)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "x:s:sport",
        "t:x:sport",
        "t:s:",
        "t:s:<b>",
        "t:c:ua",
        "t:c:UKRAINE",
        "t:k:Poetin",
        "f:k: rutte ",
        "stop:maybe",
        "ua:",
        "u#zzzz",
        "u#0123456789abcdef",
        "t:s:" + "a" * 70,
    ],
)
def test_decode_rejects_foreign_data(data: str | None) -> None:
    assert cb.decode(data) is None


# --- guards ----------------------------------------------------------------------


def test_rate_limiter_tells_once_then_stays_silent_and_recovers() -> None:
    limiter = RateLimiter(limit=3, window=timedelta(minutes=1))
    verdicts = [limiter.check(1, T0_S + i) for i in range(6)]
    assert verdicts == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.REFUSE_AND_TELL,
        Verdict.REFUSE_SILENTLY,
        Verdict.REFUSE_SILENTLY,
    ]
    assert limiter.check(2, T0_S) is Verdict.ALLOW  # other chats are unaffected
    assert limiter.check(1, T0_S + 61) is Verdict.ALLOW


def test_rate_limiter_says_when_the_chat_can_go_on() -> None:
    limiter = RateLimiter(limit=3, window=timedelta(minutes=1))
    for offset in (0, 10, 15):
        assert limiter.check(1, T0_S + offset) is Verdict.ALLOW
    assert limiter.check(1, T0_S + 20) is Verdict.REFUSE_AND_TELL
    # The oldest of the three leaves the window at T0 + 60: one more command then.
    assert limiter.retry_in(1, T0_S + 20) == pytest.approx(40.0)
    assert limiter.retry_in(1, T0_S + 59.5) == pytest.approx(0.5)
    assert limiter.retry_in(1, T0_S + 60) == 0.0
    assert limiter.retry_in(2, T0_S) == 0.0  # a chat never limited
    assert limiter.check(1, T0_S + 60) is Verdict.ALLOW
    assert limiter.check(1, T0_S + 61) is Verdict.REFUSE_SILENTLY
    assert limiter.retry_in(1, T0_S + 61) == pytest.approx(9.0)  # the hit at T0 + 10


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (40.0, "Even rustig aan: je kunt over 40 seconden weer opdrachten sturen."),
        (39.2, "Even rustig aan: je kunt over 40 seconden weer opdrachten sturen."),
        (0.3, "Even rustig aan: je kunt over 1 seconde weer opdrachten sturen."),
        (0.0, "Even rustig aan: je kunt over 1 seconde weer opdrachten sturen."),
        (60.0, "Even rustig aan: je kunt over 60 seconden weer opdrachten sturen."),
        (150.0, "Even rustig aan: je kunt over 3 minuten weer opdrachten sturen."),
    ],
)
def test_rate_limited_text_names_the_wait(seconds: float, expected: str) -> None:
    from bot.texts import chat as texts

    assert texts.rate_limited(seconds) == expected
    assert len(texts.rate_limited(seconds)) <= texts.TOAST_CHARS  # also a button pop-up


def test_admin_cache_expires() -> None:
    cache = AdminCache(ttl=timedelta(minutes=5))
    assert cache.get(-100, 7, T0_S) is None
    cache.put(-100, 7, True, T0_S)
    cache.put(-100, 8, False, T0_S)
    assert cache.get(-100, 7, T0_S + 4 * 60) is True
    assert cache.get(-100, 8, T0_S + 4 * 60) is False
    assert cache.get(-100, 7, T0_S + 5 * 60) is None


def test_pop_up_texts_fit_telegrams_limit() -> None:
    """A keyword whose label folds short can still be long (combining marks)."""
    from bot.core.model import FollowKey, FollowKind
    from bot.texts import chat as texts

    label = "ب" * 40 + "\u064e\u064f\u0650\u0651" * 40
    key = FollowKey(FollowKind.KEYWORD, "ب" * 40, label)
    for toast in (texts.toggled_on(key), texts.toggled_off(key)):
        assert len(toast) <= texts.TOAST_CHARS
