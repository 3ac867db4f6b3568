"""A full or read-only disk: a send Telegram confirmed is never repeated, and nothing is lost.

The production Application runs against the fake Bot API and a real Store in
tmp_path. The store's atomic write (the one place every store write ends up) is
made to fail with ENOSPC, like a full disk; tests may run as root, where a
read-only directory would not stop a write.
"""

from __future__ import annotations

import errno
import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest

import bot.store.atomic as atomic
from bot.core.clock import ManualClock
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.texts.admin import store_cause, store_down_alert
from tests.app_harness import NOW, make_config, rss_item, running_app, serve_feed

ADMIN = 9001  # make_config's admin
EARLY, LATE = 1101, 1102
TITLE = "Oekraïne meldt grote drone-aanval op Kyiv"
LEAD = "KYIV (ANP) - Rusland heeft de Oekraïense hoofdstad in de nacht aangevallen met drones."
SECOND_TITLE = "Oekraïne en Polen sluiten graanakkoord"


class DiskSwitch:
    """Makes every store write fail like a full disk while ``full`` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = False
        self.refused = 0
        real = atomic.write_atomically

        def write(path: Path, payload: bytes) -> None:
            if self.full:
                self.refused += 1
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            real(path, payload)

        monkeypatch.setattr(atomic, "write_atomically", write)


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> DiskSwitch:
    return DiskSwitch(monkeypatch)


def pushes_of(fake: FakeTelegram, chat_id: int, title: str) -> list[str]:
    return [m["text"] for m in fake.sent_messages(chat_id) if title in m["text"]]


def bot_errors(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.levelno >= logging.ERROR and r.name.startswith("bot.")]


async def test_confirmed_sends_are_not_repeated_while_the_disk_is_full(
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    feed_server: FeedServer,
    disk: DiskSwitch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(NOW)
    serve_feed(feed_server, "/nos.xml", "NOS", [])
    config = make_config(fake_telegram, feed_server, tmp_path / "data", {"/nos.xml": ("NOS", ())})
    async with running_app(config, fake_telegram, feed_server, clock) as app:
        store = app.services.store
        for chat in (EARLY, LATE):
            reply = await fake_telegram.send_and_wait(chat, "/volg oekraine")
            assert reply["text"].startswith("✅"), reply["text"]
        # Quiet hours hold both chats' messages in the outbox (on disk): EARLY's
        # until 16:00, LATE's until 18:00 (it is 15:00 in Amsterdam).
        for chat, hours in ((EARLY, "14:00-16:00"), (LATE, "14:00-18:00")):
            reply = await fake_telegram.send_and_wait(chat, f"/stil {hours}")
            assert "Stille uren ingesteld" in reply["text"], reply["text"]
        await app.cycle()  # baseline
        feed_server.publish_item(
            "/nos.xml", rss_item("nos-2", TITLE, LEAD, clock.now, "https://nos.nl/l/2")
        )
        await app.cycle()
        waiting = {e.chat_id: e.id for e in store.pending(clock.now + timedelta(days=1))}
        assert set(waiting) == {EARLY, LATE}
        assert pushes_of(fake_telegram, EARLY, TITLE) == []

        # The disk fills up. EARLY's quiet hours end: Telegram takes its message,
        # the store cannot record that. Drains keep coming every outbox tick.
        disk.full = True
        caplog.clear()
        caplog.set_level(logging.INFO)
        clock.now = NOW + timedelta(hours=1)  # 16:00
        for _ in range(4):
            clock.advance(timedelta(seconds=20))
            await app.drain()
        # News arrives meanwhile; the poll cycle cannot store it.
        feed_server.publish_item(
            "/nos.xml",
            rss_item("nos-3", SECOND_TITLE, "Een akkoord over graan.", clock.now, "https://x/3"),
        )
        await app.cycle()
        # LATE's quiet hours end too, but no new broadcast starts.
        clock.advance(timedelta(hours=2))
        for _ in range(3):
            await app.drain()
        assert disk.refused > 0
        assert len(pushes_of(fake_telegram, EARLY, TITLE)) == 1
        assert pushes_of(fake_telegram, LATE, TITLE) == []
        alerts = fake_telegram.sent_messages(ADMIN)
        assert len(alerts) == 1, alerts
        assert "opslag" in alerts[0]["text"].lower()
        assert len(bot_errors(caplog.records)) == 1, [r.getMessage() for r in caplog.records]
        # Commands that need no write are still answered.
        reply = await fake_telegram.send_and_wait(EARLY, "/mijn")
        assert "Oekraïne" in reply["text"]

        # Space comes back: the confirmed send is recorded, broadcasting resumes.
        disk.full = False
        clock.advance(timedelta(seconds=20))
        await app.drain()
        await app.drain()
        assert store.is_delivered(waiting[EARLY])
        assert store.is_delivered(waiting[LATE])
        assert store.pending_count() == 0
        assert len(pushes_of(fake_telegram, EARLY, TITLE)) == 1
        assert len(pushes_of(fake_telegram, LATE, TITLE)) == 1
        assert any("store writes again" in r.getMessage() for r in caplog.records)
        assert len(bot_errors(caplog.records)) == 1

        alerts = fake_telegram.sent_messages(ADMIN)
        assert len(alerts) == 2
        assert "schrijft weer" in alerts[1]["text"]

        # The story the outage kept out is fetched again and goes out, once.
        await app.cycle()
        await app.cycle()
        for chat in (EARLY, LATE):
            assert len(pushes_of(fake_telegram, chat, SECOND_TITLE)) == 1
            assert len(pushes_of(fake_telegram, chat, TITLE)) == 1


async def test_a_refused_requeue_pauses_broadcasting_until_a_write_succeeds(
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    feed_server: FeedServer,
    disk: DiskSwitch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The first refused write is not a "sent" mark (nothing went out): still one outage."""
    clock = ManualClock(NOW)
    serve_feed(feed_server, "/nos.xml", "NOS", [])
    config = make_config(fake_telegram, feed_server, tmp_path / "data", {"/nos.xml": ("NOS", ())})
    async with running_app(config, fake_telegram, feed_server, clock) as app:
        store = app.services.store
        await fake_telegram.send_and_wait(EARLY, "/volg oekraine")
        await fake_telegram.send_and_wait(EARLY, "/stil 14:00-16:00")
        await app.cycle()  # baseline
        feed_server.publish_item(
            "/nos.xml", rss_item("nos-2", TITLE, LEAD, clock.now, "https://nos.nl/l/2")
        )
        await app.cycle()  # held for the quiet hours, on disk
        assert store.pending_count() == 1

        # At 16:00 the disk is full and Telegram answers 429: holding the message
        # for a retry is refused.
        disk.full = True
        caplog.clear()
        caplog.set_level(logging.INFO)
        clock.now = NOW + timedelta(hours=1)
        fake_telegram.fail("sendMessage", chat_id=EARLY, kind="retry_after", retry_after=1)
        for _ in range(4):
            clock.advance(timedelta(seconds=20))
            await app.drain()
        refused = [c for c in fake_telegram.calls_of("sendMessage", EARLY) if not c.ok]
        assert len(refused) == 1  # tried once; the later drains start nothing
        assert pushes_of(fake_telegram, EARLY, TITLE) == []
        assert len(fake_telegram.sent_messages(ADMIN)) == 1
        assert len(bot_errors(caplog.records)) == 1, [r.getMessage() for r in caplog.records]

        disk.full = False
        clock.advance(timedelta(seconds=20))
        await app.drain()
        assert len(pushes_of(fake_telegram, EARLY, TITLE)) == 1
        assert store.pending_count() == 0
        assert len(fake_telegram.sent_messages(ADMIN)) == 2
        assert len(bot_errors(caplog.records)) == 1


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        (errno.ENOSPC, "de schijf is vol"),
        (errno.EDQUOT, "het schijfquotum is op"),
        (errno.EROFS, "het bestandssysteem is alleen-lezen"),
        (errno.EACCES, "geen schrijfrechten op de datamap"),
        (errno.EIO, "schrijffout"),
    ],
)
def test_the_alert_names_the_cause_in_dutch(code: int, cause: str) -> None:
    error = OSError(code, os.strerror(code), "/srv/nieuwsbot/outbox/shard-001.json")
    assert store_cause(error) == cause
    assert cause in store_down_alert(store_cause(error), 0)


def test_the_alert_counts_the_messages_kept_in_memory() -> None:
    assert "3 al verstuurde berichten" in store_down_alert("de schijf is vol", 3)
    assert "al verstuurde" not in store_down_alert("de schijf is vol", 0)
