"""``check --online`` against the loopback Bot API and the loopback feed server."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    Config,
    ConfigError,
    FeedConfig,
    ScheduleConfig,
    StorageConfig,
    TelegramConfig,
)
from bot.ingest.adaptive import AdaptivePolicy
from bot.ingest.feedstate import FeedState
from bot.ops.online_check import (
    BotCheck,
    FeedCheck,
    format_report,
    online_check,
    read_stored_feed_states,
)
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.store import Store
from tests.plugin_feeds import FEED_FIXTURES

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)  # 14:00 in Amsterdam (CEST)
NOS = "nos_nieuwsalgemeen_2026-10-01.xml"
TWEAKERS = "tweakers_mixed_2026-10-01_trimmed.xml"
WRONG_TOKEN = "987654:AAHwrongwrongwrongwrongwrongwrong12345"


def _item_count(fixture: str) -> int:
    # Counted on the raw XML, independently of the parser under test.
    return (FEED_FIXTURES / fixture).read_bytes().count(b"<item>")


def _config(telegram: FakeTelegram, token: str, feeds: list[FeedConfig], data: Path) -> Config:
    return Config(
        telegram=TelegramConfig(token=token, base_url=telegram.base_url),
        storage=StorageConfig(path=str(data)),
        feeds=tuple(feeds),
    )


def _rows(output: str) -> dict[str, str]:
    """Table rows by feed name (the name is the first column)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("feed "))
    return {line.split("  ")[0].strip(): line for line in lines[start + 2 :]}


def _cells(row: str) -> list[str]:
    return re.split(r"\s{2,}", row.strip())


def _files(root: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(root)), p.stat().st_mtime_ns) for p in root.rglob("*"))


async def _run(config: Config) -> tuple[int, str]:
    out = io.StringIO()
    code = await online_check(config, out=out, clock=lambda: NOW)
    return code, out.getvalue()


async def test_all_ok_prints_bot_and_a_row_per_feed_and_exits_0(
    fake_telegram: FakeTelegram, feed_server: FeedServer, bot_token: str, tmp_path: Path
) -> None:
    feeds = [
        FeedConfig(name="NOS Algemeen", url=feed_server.url(f"/{NOS}")),
        FeedConfig(name="Tweakers", url=feed_server.url(f"/{TWEAKERS}"), sections=("tech",)),
        FeedConfig(name="Uit", url=feed_server.url("/absent.xml"), enabled=False),
    ]
    code, output = await _run(_config(fake_telegram, bot_token, feeds, tmp_path))

    assert code == 0
    assert f"ok, bot @{fake_telegram.username}" in output
    assert "Feeds: 2 of 2 ok (1 disabled, not checked)" in output
    rows = _rows(output)
    assert set(rows) == {"NOS Algemeen", "Tweakers"}
    for name, fixture in (("NOS Algemeen", NOS), ("Tweakers", TWEAKERS)):
        cells = rows[name].split()
        assert "ok" in cells
        assert str(_item_count(fixture)) in cells
    # No server hints, no history: the next poll is poll_interval_seconds away.
    assert _cells(rows["NOS Algemeen"])[-2:] == ["5m", "2026-10-01 14:05"]
    assert feed_server.requests_for("/absent.xml") == []
    assert [call.method for call in fake_telegram.calls] == ["getMe"]
    assert bot_token not in output


async def test_failing_feeds_exit_1_with_their_errors_in_the_table(
    fake_telegram: FakeTelegram, feed_server: FeedServer, bot_token: str, tmp_path: Path
) -> None:
    feed_server.fault(f"/{TWEAKERS}", status=500)
    feed_server.serve(
        "/cookiewall", b"<!doctype html><html><body>Cookies?</body></html>", "text/html"
    )
    feeds = [
        FeedConfig(name="NOS Algemeen", url=feed_server.url(f"/{NOS}")),
        FeedConfig(name="Tweakers", url=feed_server.url(f"/{TWEAKERS}")),
        FeedConfig(name="Cookiemuur", url=feed_server.url("/cookiewall")),
    ]
    code, output = await _run(_config(fake_telegram, bot_token, feeds, tmp_path))

    assert code == 1
    assert "Feeds: 1 of 3 ok" in output
    rows = _rows(output)
    assert _cells(rows["NOS Algemeen"])[1:3] == ["ok", str(_item_count(NOS))]
    # A first error backs off by one interval.
    assert _cells(rows["Tweakers"])[1:] == ["FAIL", "-", "HTTP 500", "5m", "2026-10-01 14:05"]
    status, items, error, _, _ = _cells(rows["Cookiemuur"])[1:]
    assert (status, items) == ("FAIL", "-")
    assert error.startswith("not a feed (")


async def test_next_check_continues_the_stored_error_streak(
    fake_telegram: FakeTelegram, feed_server: FeedServer, bot_token: str, tmp_path: Path
) -> None:
    url = feed_server.url(f"/{TWEAKERS}")
    feed_server.fault(f"/{TWEAKERS}", status=503)
    store = await Store.open(tmp_path, clock=lambda: NOW, freeze_gc=False)
    try:
        streak = FeedState(url=url, consecutive_errors=2, last_error="HTTP 503")
        await store.put_feed_states({url: streak.to_dict()})
    finally:
        await store.close()
    before = _files(tmp_path)

    config = _config(fake_telegram, bot_token, [FeedConfig(name="Tweakers", url=url)], tmp_path)
    code, output = await _run(config)

    assert code == 1
    # Third error in a row: 300 s × 2² = 20 minutes.
    assert _cells(_rows(output)["Tweakers"])[-2:] == ["20m", "2026-10-01 14:20"]
    assert _files(tmp_path) == before  # read-only


def _learned(url: str, items_per_hour: int) -> FeedState:
    """A feed state after two days of hourly polls that each found ``items_per_hour``."""
    policy = AdaptivePolicy.from_config(ScheduleConfig())
    state = FeedState(url=url, last_success=NOW - timedelta(hours=48))
    for hours in range(47, -1, -1):
        now = NOW - timedelta(hours=hours)
        state = replace(policy.learn(state, now=now, new_items=items_per_hour), last_success=now)
    return replace(state, last_attempt=NOW)


async def test_the_interval_follows_the_stored_publishing_model_and_the_servers_hints(
    fake_telegram: FakeTelegram, feed_server: FeedServer, bot_token: str, tmp_path: Path
) -> None:
    feed_server.serve(
        "/cached.xml", feed_server.body(f"/{NOS}"), headers={"Cache-Control": "max-age=600"}
    )
    busy, quiet = feed_server.url(f"/{NOS}"), feed_server.url(f"/{TWEAKERS}")
    store = await Store.open(tmp_path, clock=lambda: NOW, freeze_gc=False)
    try:
        await store.put_feed_states(
            {busy: _learned(busy, 30).to_dict(), quiet: _learned(quiet, 0).to_dict()}
        )
    finally:
        await store.close()
    before = _files(tmp_path)
    feeds = [
        FeedConfig(name="Druk", url=busy),
        FeedConfig(name="Stil", url=quiet),
        FeedConfig(name="Cache", url=feed_server.url("/cached.xml")),
    ]
    code, output = await _run(_config(fake_telegram, bot_token, feeds, tmp_path))

    assert code == 0
    rows = _rows(output)
    # 30 items an hour: the 60 s floor (min_interval_seconds).
    assert _cells(rows["Druk"])[-2:] == ["1m", "2026-10-01 14:01"]
    # Nothing in two days: the 900 s ceiling (max_interval_seconds).
    assert _cells(rows["Stil"])[-2:] == ["15m", "2026-10-01 14:15"]
    # No history, but max-age=600: a floor, kept clear of the -10 % jitter.
    assert _cells(rows["Cache"])[-2:] == ["11m7s", "2026-10-01 14:11"]
    assert _files(tmp_path) == before  # only looking: nothing learned, nothing written


async def test_wrong_token_exits_1_with_a_clear_line_and_never_prints_the_token(
    fake_telegram: FakeTelegram, feed_server: FeedServer, tmp_path: Path
) -> None:
    feeds = [FeedConfig(name="NOS Algemeen", url=feed_server.url(f"/{NOS}"))]
    code, output = await _run(_config(fake_telegram, WRONG_TOKEN, feeds, tmp_path))

    assert code == 1
    first = output.splitlines()[0]
    assert first.startswith(f"Telegram Bot API {fake_telegram.base_url}: FAIL - ")
    assert "refused the token (Unauthorized)" in first
    assert "TELEGRAM_BOT_TOKEN" in first
    assert WRONG_TOKEN not in output
    assert WRONG_TOKEN.split(":")[1] not in output
    assert "Feeds: 1 of 1 ok" in output  # feeds are still checked


async def test_unreachable_bot_api_exits_1(feed_server: FeedServer, tmp_path: Path) -> None:
    with FakeTelegram() as stopped:
        base_url = stopped.base_url
    config = Config(
        telegram=TelegramConfig(token=WRONG_TOKEN, base_url=base_url),
        storage=StorageConfig(path=str(tmp_path)),
        feeds=(FeedConfig(name="NOS", url=feed_server.url(f"/{NOS}")),),
    )
    code, output = await _run(config)

    assert code == 1
    assert output.startswith(f"Telegram Bot API {base_url}: FAIL - ")
    assert WRONG_TOKEN not in output


async def test_missing_token_is_a_config_error(tmp_path: Path) -> None:
    config = Config(storage=StorageConfig(path=str(tmp_path)))
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        await online_check(config, out=io.StringIO())


def test_report_columns_line_up_whatever_the_cell_widths() -> None:
    tz = ZoneInfo("Europe/Amsterdam")
    feeds = [
        FeedCheck(
            "NOS", items=20, next_check=NOW + timedelta(minutes=5), interval=timedelta(minutes=5)
        ),
        FeedCheck("NU.nl Tech en wetenschap", error="timeout after 20 s", next_check=None),
        FeedCheck("AD", items=1234, next_check=NOW + timedelta(days=1), interval=timedelta(days=1)),
    ]
    report = format_report(BotCheck("https://api.telegram.org/bot", username="b"), feeds, tz=tz)
    lines = report.splitlines()
    table = lines[lines.index("") + 1 :]
    header, rule, *rows = table
    starts = [m.start() for m in re.finditer(r"(?<=  )\S", rule)]
    assert [header[i - 2 : i] for i in starts] == ["  "] * 5
    for row in rows:
        assert all(row[i - 2 : i] == "  " for i in starts)
    # Counts are right-aligned under their header.
    items_end = header.index("items") + len("items")
    assert [row[:items_end].split()[-1] for row in rows] == ["20", "-", "1234"]
    assert rows[0].endswith("2026-10-01 14:05")
    assert rows[1].split()[-1] == "-"


def test_long_errors_are_cut_to_one_line() -> None:
    error = "not a feed (SAXParseException: " + "x" * 200 + ")\nsecond line"
    report = format_report(
        BotCheck("u", username="b"),
        [FeedCheck("F", error=error)],
        tz=ZoneInfo("UTC"),
    )
    row = report.splitlines()[-1]
    assert "second line" not in report
    name, status, items, cell, interval, next_check = re.split(r"\s{2,}", row)
    assert (name, status, items, interval, next_check) == ("F", "FAIL", "-", "-", "-")
    assert cell.startswith("not a feed (SAXParseException: xxx")
    assert cell.endswith("…")
    assert len(cell) == 60


@pytest.mark.parametrize(
    "content",
    [None, b"", b"{not json", b"[]", b'{"feeds": []}', b'{"feeds": {"1": {"x": {"no": "url"}}}}'],
)
def test_unreadable_stored_state_is_ignored(tmp_path: Path, content: bytes | None) -> None:
    if content is not None:
        (tmp_path / "feeds.json").write_bytes(content)
    assert read_stored_feed_states(tmp_path) == {}


async def test_inline_mode_off_is_reported_with_the_botfather_step(
    fake_telegram: FakeTelegram, bot_token: str, tmp_path: Path
) -> None:
    code, output = await _run(_config(fake_telegram, bot_token, [], tmp_path))
    assert code == 0  # a warning, not a failure
    assert "Inline mode: off" in output
    assert f"/setinline, choose @{fake_telegram.username}" in output

    fake_telegram.supports_inline_queries = True
    code, output = await _run(_config(fake_telegram, bot_token, [], tmp_path))
    assert "Inline mode: on" in output
    assert "/setinline" not in output
