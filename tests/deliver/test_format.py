"""Telegram HTML formatting: real NOS items, hostile feed text, the 4096 limit.

Real item texts are quoted (some shortened) from tests/fixtures/feeds/ (NOS algemeen
2026-10-01 and the swelbyboy NOS re-publication); the hostile ones are made up.
"""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import Dateline, FollowKey, FollowKind, NewsItem
from bot.core.telegram_text import TELEGRAM_MESSAGE_LIMIT, clip_html, utf16_len
from bot.deliver.format import (
    format_away_line,
    format_digest,
    format_item_list,
    format_push,
    group_by_follow,
    to_plain_text,
)
from bot.deliver.match import Matched
from bot.texts.push import format_time

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 10, 1, 14, 30, tzinfo=AMS)  # a Thursday

UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
RU = FollowKey(FollowKind.COUNTRY, "RU", "Rusland")
PUTIN = FollowKey(FollowKind.KEYWORD, "poetin")  # no label kept: the value shows


def news(
    item_id: str,
    title: str,
    summary: str = "",
    *,
    link: str | None = None,
    source: str = "NOS",
    published: datetime = datetime(2026, 10, 1, 14, 5, tzinfo=AMS),
    dateline: Dateline | None = None,
    also_at: tuple[str, ...] = (),
) -> NewsItem:
    return NewsItem(
        id=item_id,
        feed="nos",
        source=source,
        link=f"https://nos.nl/l/{item_id}" if link is None else link,
        title=title,
        summary=summary,
        text=summary,
        published=published,
        dateline=dateline,
        also_at=also_at,
    )


DIESEL = news(
    "2633254",
    "Trump overweegt exportverbod diesel, 'zou heel Europa veel last van hebben'",
    "Gaat president Trump besluiten tot een verbod op export van Amerikaanse diesel om de "
    "prijzen aan de pomp in de VS te verlagen?",
    dateline=Dateline("WASHINGTON", ("ANP", "RTR")),
    also_at=("NU.nl", "AD"),
)
DRONES = news(
    "2600568",
    "Zeker 13 mijnwerkers dood door Russische drone-aanval, ook kraamkliniek getroffen",
    "Zeker dertien mijnwerkers zijn om het leven gekomen bij een Russische drone-aanval.",
    published=datetime(2026, 9, 30, 21, 10, tzinfo=AMS),
)
SPAARDERS = news(
    "2633258",
    "Kabinet is bereid om kleinere spaarders en beleggers toch te ontzien",
    "Het minderheidskabinet is bereid om de plannen voor de vermogensbelasting te wijzigen.",
    dateline=Dateline("DEN HAAG", ("ANP",)),
    published=datetime(2026, 9, 28, 9, 30, tzinfo=AMS),
)


class TelegramHtmlChecker(HTMLParser):
    """Telegram's subset: b, i, a[href] only, every tag closed in order."""

    ALLOWED = frozenset({"b", "i", "a"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED:
            self.errors.append(f"tag {tag}")
        if tag == "a" and [name for name, _ in attrs] != ["href"]:
            self.errors.append(f"a attrs {attrs}")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced {tag}")


def assert_valid(message: str) -> None:
    checker = TelegramHtmlChecker()
    checker.feed(message)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    # Only the entities Telegram knows may appear.
    for part in message.split("&")[1:]:
        assert part.startswith(("amp;", "lt;", "gt;", "quot;")), part[:10]
    assert utf16_len(message) <= TELEGRAM_MESSAGE_LIMIT


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (datetime(2026, 10, 1, 14, 5, tzinfo=AMS), "14:05"),
        (datetime(2026, 10, 1, 7, 5, tzinfo=AMS), "7:05"),
        (datetime(2026, 10, 1, 0, 0, tzinfo=AMS), "0:00"),
        (datetime(2026, 9, 30, 21, 10, tzinfo=AMS), "gisteren 21:10"),
        (datetime(2026, 9, 28, 9, 30, tzinfo=AMS), "ma 9:30"),
        (datetime(2026, 9, 25, 9, 30, tzinfo=AMS), "vr 9:30"),
        (datetime(2026, 9, 24, 9, 30, tzinfo=AMS), "24 sep 9:30"),
        (datetime(2026, 3, 12, 9, 30, tzinfo=AMS), "12 mrt 9:30"),
        (datetime(2025, 12, 31, 23, 59, tzinfo=AMS), "31 dec 2025 23:59"),
        # UTC in, Amsterdam out: 22:30 UTC on 30 Sep is 0:30 on 1 Oct (summer time).
        (datetime.fromisoformat("2026-09-30T22:30:00+00:00"), "0:30"),
        # A naive time is UTC by RSS convention.
        (datetime(2026, 10, 1, 10, 0), "12:00"),
        # Winter time: UTC+1.
        (datetime.fromisoformat("2026-03-12T08:30:00+00:00"), "12 mrt 9:30"),
    ],
)
def test_format_time(published: datetime, expected: str) -> None:
    assert format_time(published, now=NOW, tz=AMS) == expected


def test_single_push_in_full() -> None:
    message = format_push([Matched(DIESEL, (UA, RU))], tz=AMS, now=NOW, more_command=None)
    assert message == (
        '<b><a href="https://nos.nl/l/2633254">Trump overweegt exportverbod diesel, '
        "'zou heel Europa veel last van hebben'</a></b>\n"
        "📍 Washington · NOS · 14:05\n"
        "Gaat president Trump besluiten tot een verbod op export van Amerikaanse diesel om de "
        "prijzen aan de pomp in de VS te verlagen?\n"
        "<i>via Oekraïne, Rusland · ook bij NU.nl, AD</i>"
    )
    assert_valid(message)


def test_single_push_without_dateline_summary_or_outlets() -> None:
    item = news("1", "Kort bericht", published=datetime(2026, 9, 30, 21, 10, tzinfo=AMS))
    message = format_push([Matched(item, (PUTIN,))], tz=AMS, now=NOW, more_command=None)
    assert message == (
        '<b><a href="https://nos.nl/l/1">Kort bericht</a></b>\n'
        "NOS · gisteren 21:10\n"
        "<i>via poetin</i>"
    )


def test_several_items_share_a_header_with_their_common_follow() -> None:
    matched = [Matched(item, (UA,)) for item in (DIESEL, DRONES, SPAARDERS)]
    message = format_push(matched, tz=AMS, now=NOW, more_command="/laatste oekraine")
    assert message == (
        "📰 <b>3 nieuwe berichten</b> via Oekraïne\n\n"
        '1. <b><a href="https://nos.nl/l/2633254">Trump overweegt exportverbod diesel, '
        "'zou heel Europa veel last van hebben'</a></b>\n"
        "NOS · 14:05 · ook bij NU.nl, AD\n\n"
        '2. <b><a href="https://nos.nl/l/2600568">Zeker 13 mijnwerkers dood door Russische '
        "drone-aanval, ook kraamkliniek getroffen</a></b>\n"
        "NOS · gisteren 21:10\n\n"
        '3. <b><a href="https://nos.nl/l/2633258">Kabinet is bereid om kleinere spaarders en '
        "beleggers toch te ontzien</a></b>\n"
        "NOS · ma 9:30"
    )
    assert_valid(message)


def test_items_beyond_five_are_counted_with_the_command() -> None:
    items = [news(str(number), f"Bericht {number}") for number in range(8)]
    matched = [Matched(item, (UA,) if number % 2 else (RU,)) for number, item in enumerate(items)]
    message = format_push(matched, tz=AMS, now=NOW, more_command="/laatste oekraine")
    assert message.startswith("📰 <b>8 nieuwe berichten</b>\n\n1. ")
    assert "5. <b>" in message
    assert "6. <b>" not in message
    assert "NOS · 14:05 · via Oekraïne" in message
    assert "NOS · 14:05 · via Rusland" in message
    assert message.endswith("\n\nen 3 meer — /laatste oekraine")
    assert_valid(message)


def test_more_line_without_a_command() -> None:
    matched = [Matched(news(str(n), f"Bericht {n}"), (UA,)) for n in range(3)]
    message = format_push(matched, tz=AMS, now=NOW, more_command=None, max_items=2)
    assert message.endswith("\n\nen 1 meer")


HOSTILE = [
    news("b", "Nieuwe <b>wet</b> & \"regels\" </a><script>alert('x')</script>", "a < b > c"),
    news("emoji", "🇺🇦 Oekraïne 👨‍👩‍👧 viert 🎉" * 20, "😀" * 3000),
    news("rtl", "مرحبا بالعالم — שלום עולם", "\u202etekst van rechts naar links"),
    news("long", "Kop", "Lange tekst & meer. " * 500),  # 10,000 characters
    news("ctl", "Titel\x00met\x1bstuurtekens\nen regels", "Samen\u2028vatting"),
    news("js", "Klik", "Samenvatting", link="javascript:alert(1)"),
    news("quote", "Link met aanhalingsteken", link='https://example.nl/a"onmouseover="x'),
    news("huge-url", "Lange link", link="https://example.nl/" + "a" * 5000),
    news("no-title", "", "Alleen een samenvatting", link=""),
    news("long-title", "Titel " * 3000, "Samenvatting"),
    news(
        "long-names",
        "Kop",
        "Tekst",
        source="Bron" * 500,
        dateline=Dateline("STAD" * 300, ()),
        also_at=tuple(f"Omroep {n} &" for n in range(50)),
    ),
]


@pytest.mark.parametrize("item", HOSTILE, ids=[item.id for item in HOSTILE])
def test_hostile_items_give_valid_html_within_the_limit(item: NewsItem) -> None:
    many_keys = tuple(FollowKey(FollowKind.KEYWORD, f"woord{n}", "<i>" * 30) for n in range(9))
    single = format_push([Matched(item, many_keys)], tz=AMS, now=NOW, more_command=None)
    assert_valid(single)
    assert "<script" not in single
    assert "javascript:" not in single.split("</b>")[0]
    several = format_push(
        [Matched(item, many_keys)] * 7, tz=AMS, now=NOW, more_command="/laatste <x>"
    )
    assert_valid(several)
    listing = format_item_list([item] * 12, tz=AMS, now=NOW, with_summary=True)
    assert_valid(listing)


def test_long_summary_is_cut_to_fit_with_an_ellipsis() -> None:
    item = HOSTILE[3]
    message = format_push([Matched(item, (UA,))], tz=AMS, now=NOW, more_command=None)
    summary = message.split("\n")[2]
    assert summary.endswith("…")
    assert summary.startswith("Lange tekst &amp; meer.")
    assert utf16_len(message) <= TELEGRAM_MESSAGE_LIMIT
    assert utf16_len(message) > TELEGRAM_MESSAGE_LIMIT - 30  # the room is used, not wasted


def test_emoji_count_double_towards_the_limit() -> None:
    message = format_push([Matched(HOSTILE[1], (UA,))], tz=AMS, now=NOW, more_command=None)
    assert len(message) < utf16_len(message) <= TELEGRAM_MESSAGE_LIMIT


def test_only_http_links_are_linked() -> None:
    js, quoted, huge = HOSTILE[5], HOSTILE[6], HOSTILE[7]
    assert format_push([Matched(js, ())], tz=AMS, now=NOW, more_command=None).startswith(
        "<b>Klik</b>\n"
    )
    linked = format_push([Matched(quoted, ())], tz=AMS, now=NOW, more_command=None)
    assert linked.startswith('<b><a href="https://example.nl/a&quot;onmouseover=&quot;x">')
    unlinked = format_push([Matched(huge, ())], tz=AMS, now=NOW, more_command=None)
    assert unlinked.startswith("<b>Lange link</b>")


def test_long_entries_move_into_the_more_line() -> None:
    long_titles = [
        news(str(n), "Zeer lange kop " * 40, link="https://nos.nl/" + "x" * 900) for n in range(5)
    ]
    message = format_push(
        [Matched(item, (UA,)) for item in long_titles], tz=AMS, now=NOW, more_command="/laatste"
    )
    assert_valid(message)
    shown = message.count("<a href=")
    assert 1 <= shown < 5
    assert message.endswith(f"en {5 - shown} meer — /laatste")


@pytest.mark.parametrize(
    ("count", "label", "command", "expected"),
    [
        (
            14,
            "Oekraïne",
            "/laatste oekraine",
            "Terwijl je weg was: 14 berichten over Oekraïne — /laatste oekraine",
        ),
        (1, "Sport", None, "Terwijl je weg was: 1 bericht over Sport"),
        (
            3,
            "AT&T",
            "/laatste at&t",
            "Terwijl je weg was: 3 berichten over AT&amp;T — /laatste at&amp;t",
        ),
    ],
)
def test_format_away_line(count: int, label: str, command: str | None, expected: str) -> None:
    assert format_away_line(count, label, command) == expected


def test_item_list_for_laatste_and_zoek() -> None:
    listing = format_item_list([DIESEL, DRONES], tz=AMS, now=NOW, with_summary=True)
    assert listing == (
        '1. <b><a href="https://nos.nl/l/2633254">Trump overweegt exportverbod diesel, '
        "'zou heel Europa veel last van hebben'</a></b>\n"
        "NOS · 14:05\n"
        "Gaat president Trump besluiten tot een verbod op export van Amerikaanse diesel om de "
        "prijzen aan de pomp in de VS te verlagen?\n\n"
        '2. <b><a href="https://nos.nl/l/2600568">Zeker 13 mijnwerkers dood door Russische '
        "drone-aanval, ook kraamkliniek getroffen</a></b>\n"
        "NOS · gisteren 21:10\n"
        "Zeker dertien mijnwerkers zijn om het leven gekomen bij een Russische drone-aanval."
    )
    bullets = format_item_list([DRONES], tz=AMS, now=NOW, with_summary=False, numbered=False)
    assert bullets == (
        '• <b><a href="https://nos.nl/l/2600568">Zeker 13 mijnwerkers dood door Russische '
        "drone-aanval, ook kraamkliniek getroffen</a></b>\n"
        "NOS · gisteren 21:10"
    )


def test_empty_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        format_push([], tz=AMS, now=NOW, more_command=None)
    with pytest.raises(ValueError, match="at least one"):
        format_item_list([], tz=AMS, now=NOW, with_summary=False)


def test_digest_groups_by_follow() -> None:
    matched = [
        Matched(DIESEL, (RU, UA)),
        Matched(DRONES, (UA,)),
        Matched(SPAARDERS, (PUTIN,)),
    ]
    groups = group_by_follow(matched)
    assert list(groups) == ["Rusland", "Oekraïne", "poetin"]
    digest = format_digest(groups, tz=AMS, now=NOW)
    assert digest == (
        "🗞️ <b>Je dagelijkse nieuwsoverzicht</b>\n\n"
        "<b>Rusland</b> (1)\n"
        '1. <b><a href="https://nos.nl/l/2633254">Trump overweegt exportverbod diesel, '
        "'zou heel Europa veel last van hebben'</a></b> · NOS · 14:05\n\n"
        "<b>Oekraïne</b> (1)\n"
        '1. <b><a href="https://nos.nl/l/2600568">Zeker 13 mijnwerkers dood door Russische '
        "drone-aanval, ook kraamkliniek getroffen</a></b> · NOS · gisteren 21:10\n\n"
        "<b>poetin</b> (1)\n"
        '1. <b><a href="https://nos.nl/l/2633258">Kabinet is bereid om kleinere spaarders en '
        "beleggers toch te ontzien</a></b> · NOS · ma 9:30"
    )
    assert_valid(digest)


def test_big_digest_fits_and_counts_the_rest() -> None:
    groups = {
        f"Onderwerp {g}": [
            Matched(news(f"{g}-{n}", "Een flink lange kop over het nieuws " * 3), (UA,))
            for n in range(12)
        ]
        for g in range(30)
    }
    commands = {label: f"/laatste onderwerp{label.split()[-1]}" for label in groups}
    digest = format_digest(groups, tz=AMS, now=NOW, more_commands=commands)
    assert_valid(digest)
    assert "<b>Onderwerp 0</b> (12)" in digest
    assert "en 11 meer — /laatste onderwerp0" in digest
    assert "en 12 meer" not in digest  # every group shown gets at least one story
    assert "\n\nen nog " in digest
    assert digest.endswith("berichten — /laatste")


def test_empty_digest_says_so() -> None:
    digest = format_digest({"Oekraïne": []}, tz=AMS, now=NOW)
    assert digest.endswith("Geen nieuwe berichten over wat je volgt.")


@pytest.mark.parametrize(
    ("html_text", "expected"),
    [
        (
            '<b><a href="https://nos.nl/l/1?a=1&amp;b=2">Kop &amp; &lt;meer&gt;</a></b>\nNOS',
            "Kop & <meer> (https://nos.nl/l/1?a=1&b=2)\nNOS",
        ),
        ('<a href="https://nos.nl">https://nos.nl</a>', "https://nos.nl"),
        ("<i>via Oekraïne</i>", "via Oekraïne"),
        ("kapot <b>html", "kapot html"),
        ("regel<br>regel", "regel\nregel"),
    ],
)
def test_to_plain_text(html_text: str, expected: str) -> None:
    assert to_plain_text(html_text) == expected


@pytest.mark.parametrize("item", HOSTILE, ids=[item.id for item in HOSTILE])
def test_plain_text_fallback_stays_within_the_limit(item: NewsItem) -> None:
    message = format_push([Matched(item, (UA,))], tz=AMS, now=NOW, more_command=None)
    plain = to_plain_text(message)
    assert utf16_len(plain) <= TELEGRAM_MESSAGE_LIMIT
    assert "&amp;" not in plain


@pytest.mark.parametrize(
    ("text", "units"),
    [("&&&&&&&&", 7), ("a" * 50, 10), ("😀" * 10, 5), ("abc", 0), ("woord " * 10, 20)],
)
def test_clip_html_never_exceeds_and_never_splits_an_entity(text: str, units: int) -> None:
    clipped = clip_html(text, units)
    assert utf16_len(clipped) <= units
    assert clipped.count("&") == clipped.count("&amp;")
    if clipped and utf16_len(text) > units:
        assert clipped.endswith("…")
