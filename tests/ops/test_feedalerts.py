"""Admins hear about a feed failing for hours once, and once when it recovers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.feed_failure import FailureKey, FeedFailure
from bot.ingest.feedstate import FeedState
from bot.ops.alerts import ALERT_AFTER, FeedAlerts, decide_alerts, down_text
from bot.sim.telegram import FakeTelegram

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
STARTED = NOW - timedelta(days=2)


def failing(since: timedelta, errors: int = 5) -> FeedState:
    return FeedState(
        url="https://x.nl/rss",
        consecutive_errors=errors,
        last_error="HTTP 500",
        last_success=NOW - since,
    )


OK = FeedState(url="https://x.nl/rss", last_success=NOW)


@pytest.mark.parametrize(
    ("state", "alerted", "down", "recovered"),
    [
        (failing(timedelta(hours=1)), False, (), ()),  # a short outage is normal
        (failing(ALERT_AFTER), False, ("AD",), ()),  # six hours: tell the admins
        (failing(timedelta(hours=9)), True, (), ()),  # already told: once only
        (OK, True, (), ("AD",)),  # back: tell them once more
        (OK, False, (), ()),
        (None, False, (), ()),  # never polled yet
    ],
)
def test_decide_alerts(
    state: FeedState | None, alerted: bool, down: tuple[str, ...], recovered: tuple[str, ...]
) -> None:
    decision = decide_alerts(
        {"AD": state}, frozenset({"AD"} if alerted else ()), now=NOW, started_at=STARTED
    )
    assert decision.down == down
    assert decision.recovered == recovered


def test_a_feed_that_never_worked_counts_from_start_up() -> None:
    never = FeedState(url="https://x.nl/rss", consecutive_errors=40, last_error="timeout")
    early = decide_alerts({"AD": never}, frozenset(), now=NOW, started_at=NOW - timedelta(hours=1))
    late = decide_alerts({"AD": never}, frozenset(), now=NOW, started_at=NOW - timedelta(hours=7))
    assert early.down == ()
    assert late.down == ("AD",)


def test_alert_text_is_escaped_dutch_html() -> None:
    state = FeedState(url="u", consecutive_errors=3, last_error="<b>&", last_success=NOW)
    text = down_text("A<D>", state, NOW + timedelta(hours=7))
    assert text == "⚠️ Feed <b>A&lt;D&gt;</b> faalt al 7 uur.\nLaatste fout: &lt;b&gt;&amp;"


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (
            FeedState(
                url="u",
                consecutive_errors=1,
                last_error="timeout after 20 s",
                last_failure=FeedFailure(FailureKey.TIMEOUT, {"seconds": "20"}),
            ),
            "geen antwoord binnen 20 s",
        ),
        # Stored before failures had keys: the text as it is.
        (FeedState(url="u", consecutive_errors=1, last_error="HTTP 502"), "HTTP 502"),
        (FeedState(url="u", consecutive_errors=1), "onbekende fout"),
        (None, "onbekende fout"),
    ],
)
def test_alert_names_the_last_failure_in_dutch(state: FeedState | None, reason: str) -> None:
    text = down_text("AD", state, NOW)
    assert text == f"⚠️ Feed <b>AD</b> faalt sinds de start.\nLaatste fout: {reason}"


async def test_admins_get_one_alert_and_one_recovery(fake_telegram: FakeTelegram) -> None:
    from telegram import Bot

    alerts = FeedAlerts()
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        for _ in range(3):
            await alerts.notify(
                bot, (11, 12), {"AD": failing(timedelta(hours=7))}, now=NOW, started_at=STARTED
            )
        await alerts.notify(bot, (11, 12), {"AD": OK}, now=NOW, started_at=STARTED)
    for admin in (11, 12):
        texts = [m["text"] for m in fake_telegram.sent_messages(admin)]
        assert len(texts) == 2
        assert texts[0].startswith("⚠️ Feed <b>AD</b> faalt al 7 uur.")
        assert texts[1] == "✅ Feed <b>AD</b> werkt weer."


async def test_an_alert_that_could_not_be_sent_is_tried_again(
    fake_telegram: FakeTelegram,
) -> None:
    from telegram import Bot

    alerts = FeedAlerts()
    down = {"AD": failing(timedelta(hours=7))}
    fake_telegram.fail("sendMessage", chat_id=11, kind="server_error", times=None)
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        await alerts.notify(bot, (11,), down, now=NOW, started_at=STARTED)
        assert fake_telegram.sent_messages(11) == []
        fake_telegram.clear_faults()
        await alerts.notify(bot, (11,), down, now=NOW, started_at=STARTED)
    assert len(fake_telegram.sent_messages(11)) == 1
