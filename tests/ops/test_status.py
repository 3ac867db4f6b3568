"""/status: counting follows and feed health, the Dutch HTML text, and reading a live store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config, FeedConfig
from bot.core.feed_failure import FailureKey, FeedFailure
from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.core.telegram_text import TELEGRAM_MESSAGE_LIMIT, utf16_len
from bot.deliver.match import FollowIndex
from bot.deliver.stats import DeliveryStats
from bot.ingest.feedstate import FeedState
from bot.ops.status import (
    FeedCondition,
    FeedHealth,
    KindCounts,
    PushLatency,
    StatusSnapshot,
    TopicCount,
    collect_status,
    feed_health,
    follow_counts,
    status_text,
)
from bot.runtime.services import Services
from bot.sim.telegram import parse_telegram_html
from bot.store import DEFAULT_SETTINGS, ChatRecord, OutboxEntry, Store, outbox_entry_id

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)  # 14:00 in Amsterdam
SECOND = timedelta(seconds=1)

UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
US = FollowKey(FollowKind.COUNTRY, "US", "Verenigde Staten")
SPORT = FollowKey(FollowKind.SECTION, "sport", "Sport")
TECH = FollowKey(FollowKind.SECTION, "tech", "Tech")
POETIN = FollowKey(FollowKind.KEYWORD, "poetin", "Poetin")
STIKSTOF = FollowKey(FollowKind.KEYWORD, "stikstof")


def _chat(chat_id: int, *follows: FollowKey, active: bool = True) -> ChatRecord:
    return ChatRecord(
        chat_id=chat_id,
        chat_type="private",
        follows=follows,
        settings=DEFAULT_SETTINGS,
        active=active,
        deactivated_at=None if active else NOW,
        created_at=NOW - timedelta(days=3),
    )


def _snapshot(**changes: object) -> StatusSnapshot:
    base = StatusSnapshot(
        now=NOW,
        tz=AMS,
        started_at=NOW - timedelta(hours=26, minutes=5),
        chats_active=12345,
        chats_deactivated=67,
        follows=(
            KindCounts(
                FollowKind.SECTION, 30, 2, (TopicCount("Sport", 20), TopicCount("Tech", 10))
            ),
            KindCounts(FollowKind.COUNTRY, 8, 1, (TopicCount("Oekraïne", 8),)),
            KindCounts(FollowKind.KEYWORD, 0, 0, ()),
        ),
        items_stored=3456,
        stories_stored=2901,
        feeds=(
            FeedHealth(
                "NOS Algemeen",
                FeedCondition.OK,
                last_success=NOW,
                interval=timedelta(seconds=68),
            ),
            FeedHealth(
                "NU.nl Sport",
                FeedCondition.FAILING,
                last_error="HTTP 500",
                consecutive_errors=3,
                last_success=NOW - timedelta(hours=7),
                alerted=True,
            ),
            FeedHealth("Omroep West", FeedCondition.UNKNOWN),
        ),
        outbox_pending=1,
        sent_last_hour=1200,
        retry_after_last_hour=2,
        failed_last_hour=0,
        version="0.1.0",
        push_latency=PushLatency(timedelta(seconds=48), timedelta(seconds=131), 1234),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _plain(text: str) -> str:
    """The text as a Telegram client shows it; fails on markup Telegram would refuse."""
    plain, _entities = parse_telegram_html(text)
    return plain


# --- the text ---------------------------------------------------------------------------


def test_status_text_shows_every_figure_in_dutch() -> None:
    assert _plain(status_text(_snapshot())).splitlines() == [
        "📊 Status nieuwsbot 0.1.0",
        "⏱ Draait 1 dag en 2 uur, sinds gisteren 11:55",
        "💬 Chats: 12.345 actief, 67 gestopt",
        "🗞 Berichten opgeslagen: 3.456 over 2.901 verhalen",
        "📤 Wachtrij: 1 bericht",
        "✉️ Laatste uur: 1.200 verstuurd, 2× afgeremd door Telegram (429), 0 mislukt",
        "⚡ Publicatie → push (24 uur): mediaan 48 s, 90% binnen 2 min (1.234 pushes)",
        "",
        "Gevolgd (aantal chats, top 10 per soort)",
        "📰 Rubrieken: 2 verschillend, 30 keer gevolgd",
        "Sport 20, Tech 10",
        "🌍 Landen: 1 verschillend, 8 keer gevolgd",
        "Oekraïne 8",
        "🔎 Trefwoorden: 0 verschillend, nog niets gevolgd",
        "",
        "Feeds (3): 1 in orde, 1 falen, 1 nog niet opgehaald",
        "⏲ Ophaalinterval: 68 s (NOS Algemeen)",
        "❌ NU.nl Sport: HTTP 500 (3× op rij, laatst gelukt 7:00) ⚠️ gemeld",
        "⏳ Omroep West: nog niet opgehaald",
    ]


def test_no_push_in_a_day_says_so() -> None:
    lines = _plain(status_text(_snapshot(push_latency=None))).splitlines()
    assert lines[6] == "⚡ Publicatie → push (24 uur): nog geen pushes"


@pytest.mark.parametrize(
    ("p50", "p90", "samples", "shown"),
    [
        (0.4, 0.9, 1, "mediaan 0 s, 90% binnen 1 s (1 push)"),
        (99.4, 99.6, 2, "mediaan 99 s, 90% binnen 2 min (2 pushes)"),
        (150, 209, 3, "mediaan 3 min, 90% binnen 3 min (3 pushes)"),
        (3599, 5400, 25_000, "mediaan 1 uur, 90% binnen 1 uur 30 min (25.000 pushes)"),
        (7200, 9000, 1, "mediaan 2 uur, 90% binnen 2 uur 30 min (1 push)"),
    ],
)
def test_push_latency_reads_in_seconds_then_minutes(
    p50: float, p90: float, samples: int, shown: str
) -> None:
    latency = PushLatency(timedelta(seconds=p50), timedelta(seconds=p90), samples)
    lines = _plain(status_text(_snapshot(push_latency=latency))).splitlines()
    assert lines[6] == f"⚡ Publicatie → push (24 uur): {shown}"


def test_intervals_of_the_working_feeds_fastest_median_slowest() -> None:
    feeds = (
        FeedHealth("Tweakers", FeedCondition.OK, interval=timedelta(minutes=15)),
        FeedHealth("NOS <Algemeen>", FeedCondition.OK, interval=timedelta(seconds=61)),
        FeedHealth("AD", FeedCondition.OK, interval=timedelta(minutes=4)),
        FeedHealth("NU.nl", FeedCondition.OK, interval=timedelta(minutes=2)),
        # A failing feed waits out its backoff; that is no polling interval.
        FeedHealth("Stuk", FeedCondition.FAILING, "HTTP 500", 3, interval=timedelta(hours=1)),
        FeedHealth("Nieuw", FeedCondition.UNKNOWN),
        # Polled, but no schedule stored (a state from before): left out.
        FeedHealth("Oud", FeedCondition.OK),
    )
    lines = _plain(status_text(_snapshot(feeds=feeds))).splitlines()
    assert "⏲ Ophaalinterval: 61 s (NOS <Algemeen>) tot 15 min (Tweakers), mediaan 2 min" in lines


def test_no_working_feed_no_interval_line() -> None:
    feeds = (FeedHealth("Nieuw", FeedCondition.UNKNOWN),)
    assert "Ophaalinterval" not in _plain(status_text(_snapshot(feeds=feeds)))


@pytest.mark.parametrize(
    ("uptime", "shown"),
    [
        (timedelta(seconds=40), "minder dan een minuut"),
        (timedelta(minutes=1), "1 minuut"),
        (timedelta(minutes=59, seconds=59), "59 minuten"),
        (timedelta(hours=1), "1 uur"),
        (timedelta(hours=5, minutes=12), "5 uur en 12 minuten"),
        (timedelta(days=2, hours=3, minutes=7), "2 dagen en 3 uur"),
        (timedelta(days=40, minutes=7), "40 dagen en 7 minuten"),
        (timedelta(seconds=-5), "minder dan een minuut"),  # a clock that stepped back
    ],
)
def test_uptime_reads_as_the_two_largest_units(uptime: timedelta, shown: str) -> None:
    text = _plain(status_text(_snapshot(started_at=NOW - uptime)))
    assert text.splitlines()[1].startswith(f"⏱ Draait {shown}, sinds ")


def test_a_feed_that_never_worked_says_so() -> None:
    refused = FeedFailure(FailureKey.CONNECTION_REFUSED)
    never = FeedHealth(
        "Tweakers", FeedCondition.FAILING, refused.english, 12, None, last_failure=refused
    )
    lines = _plain(status_text(_snapshot(feeds=(never,)))).splitlines()
    assert lines[-2:] == [
        "Feeds (1): 0 in orde, 1 falen",
        "❌ Tweakers: verbinding geweigerd (12× op rij, nog nooit gelukt)",
    ]


@pytest.mark.parametrize(
    ("last_error", "last_failure", "shown"),
    [
        # The key decides what admins read, whatever English text sits beside it.
        (
            "timeout after 20 s",
            FeedFailure(FailureKey.TIMEOUT, {"seconds": "20"}),
            "geen antwoord binnen 20 s",
        ),
        # A state stored before failures had keys shows its text as it is.
        ("timeout after 20 s", None, "timeout after 20 s"),
        (None, None, "onbekende fout"),
        # Admins read the parser's exception; its English complaint is for the log.
        (
            "not a feed (SAXParseException: <unknown>:2:0: syntax error)",
            FeedFailure(
                FailureKey.NOT_A_FEED,
                {"exception": "SAXParseException", "detail": "<unknown>:2:0: syntax error"},
            ),
            "geen feed (SAXParseException)",
        ),
        # An old stored text over several lines stays on the feed's one line.
        (
            "not a feed (SAXParseException:\n  bad token)",
            None,
            "not a feed (SAXParseException: bad token)",
        ),
    ],
)
def test_a_failing_feed_reads_its_reason_by_key(
    last_error: str | None, last_failure: FeedFailure | None, shown: str
) -> None:
    feed = FeedHealth("AD", FeedCondition.FAILING, last_error, 2, NOW, last_failure=last_failure)
    lines = _plain(status_text(_snapshot(feeds=(feed,)))).splitlines()
    assert lines[-1] == f"❌ AD: {shown} (2× op rij, laatst gelukt 14:00)"


def test_everything_from_feeds_users_and_servers_is_escaped() -> None:
    hostile = "<b>Feed & co</b>"
    snapshot = _snapshot(
        follows=(KindCounts(FollowKind.KEYWORD, 1, 1, (TopicCount("<script>x</script>", 1),)),),
        feeds=(
            # A text stored before failures had keys is shown as it is: escaped.
            FeedHealth(hostile, FeedCondition.FAILING, "not a feed (<html> & </p>)", 1, NOW),
            FeedHealth("a</b><i>", FeedCondition.UNKNOWN),
        ),
        version="1<2",
    )
    plain = _plain(status_text(snapshot))
    assert "Status nieuwsbot 1<2" in plain
    assert "<script>x</script> 1" in plain
    assert f"❌ {hostile}: not a feed (<html> & </p>) (1× op rij, laatst gelukt 14:00)" in plain
    assert "⏳ a</b><i>: nog niet opgehaald" in plain


def test_many_failing_feeds_are_cut_to_fit_one_message_with_a_count() -> None:
    feeds = tuple(
        FeedHealth(f"Feed {n:03d} " + "é" * 60, FeedCondition.FAILING, "x" * 500, n + 1, None)
        for n in range(300)
    )
    text = status_text(_snapshot(feeds=feeds))
    assert utf16_len(text) <= TELEGRAM_MESSAGE_LIMIT
    lines = _plain(text).splitlines()
    shown = [line for line in lines if line.startswith("❌ ")]
    assert 0 < len(shown) < 300
    assert lines[-1] == f"… en {300 - len(shown)} feeds meer"
    # Longest error streaks first: feed 299 has 300 errors in a row.
    assert shown[0].startswith("❌ Feed 299 ")
    # Names and errors are clipped, so one feed cannot fill the message.
    assert all(len(line) < 260 for line in shown)


def test_a_status_that_fits_is_not_cut() -> None:
    assert "meer" not in _plain(status_text(_snapshot()))


# --- counting follows ----------------------------------------------------------------------


def test_follows_are_counted_per_kind_over_active_chats_only() -> None:
    unlabelled_ua = FollowKey(FollowKind.COUNTRY, "UA")
    chats = [
        _chat(1, SPORT, UA, POETIN),
        _chat(2, SPORT, unlabelled_ua, STIKSTOF),
        _chat(3, TECH, US),
        _chat(4, SPORT, UA, POETIN, active=False),
        _chat(5),
    ]
    sections, countries, keywords = follow_counts(chats)
    assert sections == KindCounts(
        FollowKind.SECTION, 3, 2, (TopicCount("Sport", 2), TopicCount("Tech", 1))
    )
    # The same country with and without a label is one topic, shown by its label.
    assert countries == KindCounts(
        FollowKind.COUNTRY, 3, 2, (TopicCount("Oekraïne", 2), TopicCount("Verenigde Staten", 1))
    )
    # A keyword without a label is shown quoted, as /mijn does.
    assert keywords == KindCounts(
        FollowKind.KEYWORD, 2, 2, (TopicCount("Poetin", 1), TopicCount("„stikstof”", 1))
    )


def test_only_the_top_ten_per_kind_are_listed_most_followed_first() -> None:
    keys = [FollowKey(FollowKind.KEYWORD, f"woord{n:02d}") for n in range(15)]
    # Keyword n is followed by n + 1 chats.
    chats = [_chat(1000 * n + c, keys[n]) for n in range(15) for c in range(n + 1)]
    keywords = follow_counts(chats)[2]
    assert keywords.distinct == 15
    assert keywords.follows == sum(range(1, 16))
    assert [topic.chats for topic in keywords.top] == list(range(15, 5, -1))
    assert keywords.top[0].label == "„woord14”"


def test_no_chats_count_nothing() -> None:
    assert [(k.kind, k.follows, k.distinct, k.top) for k in follow_counts([])] == [
        (FollowKind.SECTION, 0, 0, ()),
        (FollowKind.COUNTRY, 0, 0, ()),
        (FollowKind.KEYWORD, 0, 0, ()),
    ]


# --- feed health --------------------------------------------------------------------------------


def test_feed_health_from_stored_poll_states() -> None:
    feeds = [FeedConfig(name=n, url=f"https://example.nl/{n}") for n in ("a", "b", "c", "d")]
    http_503 = FeedFailure(FailureKey.HTTP_STATUS, {"status": "503"})
    states = {
        "a": FeedState(
            url="https://example.nl/a",
            last_attempt=NOW,
            last_success=NOW,
            next_check=NOW + timedelta(seconds=70),
        ),
        "b": FeedState(
            url="https://example.nl/b",
            last_attempt=NOW,
            next_check=NOW + timedelta(minutes=20),
            consecutive_errors=4,
            last_error="HTTP 503",
            last_success=NOW - timedelta(hours=8),
            last_failure=http_503,
        ),
        "c": None,
        # Known to the store but never attempted: a state carried over from config.
        "d": FeedState(url="https://example.nl/d"),
    }
    # The interval is the gap scheduled after the last poll (a backoff, for b).
    assert feed_health(feeds, states, alerted=frozenset({"b"})) == (
        FeedHealth("a", FeedCondition.OK, None, 0, NOW, interval=timedelta(seconds=70)),
        FeedHealth(
            "b",
            FeedCondition.FAILING,
            "HTTP 503",
            4,
            NOW - timedelta(hours=8),
            True,
            http_503,
            interval=timedelta(minutes=20),
        ),
        FeedHealth("c", FeedCondition.UNKNOWN),
        FeedHealth("d", FeedCondition.UNKNOWN),
    )


# --- reading the live objects ----------------------------------------------------------------


class _Monotonic:
    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


def _item(n: int) -> NewsItem:
    return NewsItem(
        id=f"item-{n}",
        feed="NOS Algemeen",
        source="NOS",
        link=f"https://nos.nl/artikel/{n}",
        title=f"Bericht {n}",
        summary="",
        text="",
        published=NOW - timedelta(minutes=n),
    )


async def test_collect_status_reads_store_config_alerts_and_counters(tmp_path: Path) -> None:
    feeds = (
        FeedConfig(name="NOS Algemeen", url="https://feeds.nos.nl/nosnieuwsalgemeen"),
        FeedConfig(name="NU.nl Sport", url="https://www.nu.nl/rss/Sport"),
        FeedConfig(name="Uit", url="https://example.nl/uit", enabled=False),
    )
    store = await Store.open(tmp_path, clock=lambda: NOW, freeze_gc=False)
    try:
        for chat_id in (1, 2, 3):
            await store.ensure_chat(chat_id, "private")
        await store.add_follows(1, [SPORT, UA])
        await store.add_follows(2, [UA])
        await store.add_follows(3, [POETIN])
        await store.deactivate(3, "blocked")
        # Item 3 is another outlet's report of item 2's story.
        await store.add_items([*(_item(n) for n in range(3)), replace(_item(3), story=_item(2).id)])
        await store.enqueue(
            [
                OutboxEntry(outbox_entry_id(1, "s1"), 1, "push", {"story": "s1"}, NOW),
                OutboxEntry(outbox_entry_id(2, "s1"), 2, "push", {"story": "s1"}, NOW),
            ]
        )
        await store.put_feed_states(
            {
                feeds[0].url: FeedState(
                    feeds[0].url,
                    last_attempt=NOW,
                    last_success=NOW,
                    next_check=NOW + timedelta(seconds=75),
                ).to_dict(),
                feeds[1].url: FeedState(
                    feeds[1].url, last_attempt=NOW, consecutive_errors=2, last_error="HTTP 500"
                ).to_dict(),
            }
        )
        services = Services(
            config=Config(feeds=feeds),
            store=store,
            index=FollowIndex(),
            clock=lambda: NOW,
            started_at=NOW - timedelta(minutes=90),
        )
        services.feed_alerts.alerted.add("NU.nl Sport")
        ticks = _Monotonic()
        stats = DeliveryStats(clock=ticks)
        stats.sent.add()  # more than an hour ago by the time of the snapshot
        ticks.now += 3700
        for _ in range(3):
            stats.sent.add()
        stats.retry_after.add()
        # Two stories pushed: published 1 and 3 minutes before the confirmed send.
        pushed = OutboxEntry(
            outbox_entry_id(1, "b"),
            1,
            "push",
            {"stories": [["item-1", [["country", "UA"]]], ["item-3", [["country", "UA"]]]]},
            NOW,
            not_before=NOW,
        )
        stats.pushed([pushed], sent_at=NOW, lookup=store.get_item)

        snapshot = collect_status(services, stats)
    finally:
        await store.close()

    assert snapshot.uptime == timedelta(minutes=90)
    assert (snapshot.chats_active, snapshot.chats_deactivated) == (2, 1)
    assert snapshot.items_stored == 4
    assert snapshot.stories_stored == 3
    assert snapshot.outbox_pending == 2
    assert (snapshot.sent_last_hour, snapshot.retry_after_last_hour) == (3, 1)
    assert snapshot.failed_last_hour == 0
    sections, countries, keywords = snapshot.follows
    assert sections.top == (TopicCount("Sport", 1),)
    assert countries.top == (TopicCount("Oekraïne", 2),)
    assert keywords.top == ()  # chat 3 is deactivated
    assert snapshot.feeds == (
        FeedHealth("NOS Algemeen", FeedCondition.OK, None, 0, NOW, interval=75 * SECOND),
        FeedHealth("NU.nl Sport", FeedCondition.FAILING, "HTTP 500", 2, None, True),
    )
    assert snapshot.push_latency is not None
    assert snapshot.push_latency.samples == 2
    assert snapshot.push_latency.p50.total_seconds() == pytest.approx(60, rel=0.01)
    assert snapshot.push_latency.p90.total_seconds() == pytest.approx(180, rel=0.01)
    text = _plain(status_text(snapshot))
    assert "💬 Chats: 2 actief, 1 gestopt" in text
    assert "❌ NU.nl Sport: HTTP 500 (2× op rij, nog nooit gelukt) ⚠️ gemeld" in text
    assert "⚡ Publicatie → push (24 uur): mediaan 60 s, 90% binnen 3 min (2 pushes)" in text
    assert "⏲ Ophaalinterval: 75 s (NOS Algemeen)" in text
