"""A data directory that cannot be written: read-only after a crash, or full while running.

Both run the real ``nieuwsbot run`` with its data on a small tmpfs (see
:mod:`tests.chaos.tmpfs`), chats following Oekraïne, and a broadcast caught
half-way: the disk fills up during it, or the bot is killed while Telegram
refuses half the chats (429) and restarted read-only. Held means: the bot
keeps answering, every chat gets each story exactly once (nothing repeated
while the disk refuses writes, nothing lost once it takes them again), the
admin is told once when writes fail and once when they work again, and the
follows are intact.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.store.layout import OUTBOX_DIR
from tests.app_harness import rss_item, serve_feed
from tests.chaos.harness import (
    ADMIN,
    BotProcess,
    ask,
    exactly_once,
    lines_with,
    pushes,
    read_store,
    repeated,
    wait_until,
    write_config,
)
from tests.chaos.tmpfs import Tmpfs

TITLE = "Oekraïne meldt grote drone-aanval op Kyiv"
LEAD = "KYIV (ANP) - Rusland heeft de Oekraïense hoofdstad in de nacht aangevallen met drones."
SECOND_TITLE = "Oekraïne en Polen sluiten graanakkoord"
UA = "country:UA"
DE = "country:DE"
FEED = "/nos.xml"
# The outage lasts this long: two poll cycles (every 2 s), each ending in a drain
# that retries the write; a repeat or a second alert would show up in it.
OUTAGE_S = 4.5
# After everything arrived: time for a late duplicate to show up (a poll cycle and its drain).
SETTLE_S = 2.5
DELIVERY_TIMEOUT_S = 40.0
STORE_DOWN_LOG = "The store cannot write"


def news(guid: str, title: str, lead: str = LEAD) -> str:
    """A story published now: the bot runs on the real clock."""
    return rss_item(guid, title, lead, datetime.now(UTC), f"https://nos.nl/l/{guid}")


async def follow_all(fake: FakeTelegram, bot: BotProcess, chats: list[int]) -> None:
    for chat in chats:
        reply = await ask(fake, chat, "/volg oekraine", bot)
        assert reply.startswith("✅"), reply


async def wait_for_baseline(feeds: FeedServer, bot: BotProcess) -> None:
    """The first fetch of a feed is its baseline (not pushed): publish only after it."""
    await wait_until(lambda: feeds.requests_for(FEED), 30, "the first poll", bot=bot)
    await asyncio.sleep(0.5)


def admin_texts(fake: FakeTelegram) -> list[str]:
    return [str(m["text"]) for m in fake.sent_messages(ADMIN)]


async def during_outage(
    fake: FakeTelegram, bot: BotProcess, chats: list[int], titles: tuple[str, ...]
) -> None:
    """While writes fail: the admin is told once, commands are answered, nothing repeats."""
    await wait_until(lambda: admin_texts(fake), 20, "the admin alert", bot=bot)
    assert "De opslag kan niet schrijven" in admin_texts(fake)[0], admin_texts(fake)
    # Commands that need no write are still answered.
    listing = await ask(fake, chats[0], "/mijn", bot)
    assert "Oekraïne" in listing, listing
    await asyncio.sleep(OUTAGE_S)
    bot.check_alive()
    for title in titles:
        assert not repeated(fake, title), f"repeated during the outage: {repeated(fake, title)}"
    assert len(admin_texts(fake)) == 1, admin_texts(fake)


async def after_recovery(
    fake: FakeTelegram, bot: BotProcess, chats: list[int], titles: tuple[str, ...]
) -> None:
    """Writes work again: everything due arrives once, and the admin hears it."""
    for title in titles:
        await wait_until(
            lambda title=title: set(pushes(fake, title)) == set(chats),  # type: ignore[misc]
            DELIVERY_TIMEOUT_S,
            f"every chat to get {title!r}",
            bot=bot,
        )
    await wait_until(lambda: len(admin_texts(fake)) >= 2, 20, "the all-clear", bot=bot)
    await asyncio.sleep(SETTLE_S)
    for title in titles:
        assert exactly_once(fake, title, chats), f"{title!r}: {dict(pushes(fake, title))}"
    alerts = admin_texts(fake)
    assert len(alerts) == 2, alerts
    assert "schrijft weer" in alerts[1], alerts


def one_outage_logged(log: str) -> None:
    errors = [line for line in lines_with(log, STORE_DOWN_LOG) if " ERROR " in line]
    assert len(errors) == 1, errors


async def follows_intact(data: Path, chats: list[int], extra: dict[int, set[str]]) -> None:
    follows, pending = await read_store(data)
    for chat in chats:
        assert follows.get(chat) == {UA} | extra.get(chat, set()), (chat, follows.get(chat))
    assert pending == 0, f"{pending} messages still pending"


# --- read-only ------------------------------------------------------------------------

RO_CHATS = list(range(5101, 5113))
# Telegram answers these chats 429 in the first run, so their pushes are still
# queued when it is killed; the others get theirs.
RO_REFUSED = RO_CHATS[6:]
# What a writer killed mid-write leaves next to a shard (the store sweeps these at open).
LEFTOVER = ".shard-000.json.k1ll3d.tmp"
_DRAINED = re.compile(r"Drained outbox: \d+ chats, (\d+) sent")


def drained_sent(log: str) -> int:
    """Messages the finished drains report sent (each recorded as sent before the report)."""
    return sum(int(found.group(1)) for found in _DRAINED.finditer(log))


async def read_only_data_dir(work: Path) -> str:
    """The bot is killed with pushes queued, its disk comes back read-only, it is restarted."""
    with Tmpfs(work / "mnt", "8m") as fs, FakeTelegram() as fake, FeedServer() as feeds:
        data = fs.path / "data"
        serve_feed(feeds, FEED, "NOS", [])
        config = write_config(work, fake, data, {"NOS": feeds.url(FEED)})
        with BotProcess(config, fake.token, work / "first.log") as first:
            await first.start_ready(fake)
            await follow_all(fake, first, RO_CHATS)
            await wait_for_baseline(feeds, first)
            for chat in RO_REFUSED:
                fake.fail("sendMessage", chat_id=chat, kind="retry_after", times=None)
            feeds.publish_item(FEED, news("nos-ro", TITLE))
            # Every delivered push is recorded as sent once its drain reported it;
            # after that only refused sends happen: a kill cannot cut a delivered one.
            delivered = len(RO_CHATS) - len(RO_REFUSED)
            await wait_until(
                lambda: (
                    drained_sent(first.log_text()) >= delivered
                    and all(fake.calls_of("sendMessage", chat) for chat in RO_REFUSED)
                ),
                DELIVERY_TIMEOUT_S,
                "the broadcast",
                bot=first,
            )
            first.kill()
        fake.clear_faults()
        before = sum(pushes(fake, TITLE).values())
        assert before == delivered, dict(pushes(fake, TITLE))
        leftover = data / OUTBOX_DIR / LEFTOVER
        leftover.write_bytes(b'{"outbox": {"1": {"id": "')
        fs.read_only()

        with BotProcess(config, fake.token, work / "second.log") as second:
            await second.start_ready(fake)
            refused = await ask(fake, RO_CHATS[0], "/volg duitsland", second)
            assert not refused.startswith("✅"), "a follow on a read-only disk was confirmed"
            await during_outage(fake, second, RO_CHATS, (TITLE,))
            during = sum(pushes(fake, TITLE).values()) - before
            fs.writable()
            await after_recovery(fake, second, RO_CHATS, (TITLE,))
            reply = await ask(fake, RO_CHATS[0], "/volg duitsland", second)
            assert reply.startswith("✅"), reply
            assert second.stop() == 0, second.log_tail()
            log = second.log_text()
            one_outage_logged(log)
            # What the crash left could not be tidied on a read-only disk: said, not fatal.
            assert "could not remove the temp files" in log
            assert "could not rewrite" in log
        await follows_intact(data, RO_CHATS, {RO_CHATS[0]: {DE}})
        assert not leftover.exists(), "the half-written temp file was not swept"
    return (
        f"killed with {before}/{len(RO_CHATS)} sent, the rest queued; restarted read-only: "
        f"started, answered, {during} sent, admin told once; rw again: "
        f"{len(RO_CHATS)}/{len(RO_CHATS)} once, follows intact"
    )


# --- full -------------------------------------------------------------------------------

FULL_CHATS = list(range(5201, 5241))
FILL_AFTER = 4


async def full_data_dir(work: Path) -> str:
    """A 2 MiB data directory fills up mid-broadcast, and space is freed again."""
    with Tmpfs(work / "mnt", "2m") as fs, FakeTelegram() as fake, FeedServer() as feeds:
        data = fs.path / "data"
        serve_feed(feeds, FEED, "NOS", [])
        config = write_config(work, fake, data, {"NOS": feeds.url(FEED)}, messages_per_second=20.0)
        with BotProcess(config, fake.token, work / "bot.log") as bot:
            await bot.start_ready(fake)
            await follow_all(fake, bot, FULL_CHATS)
            await wait_for_baseline(feeds, bot)
            feeds.publish_item(FEED, news("nos-full", TITLE))
            await wait_until(
                lambda: sum(pushes(fake, TITLE).values()) >= FILL_AFTER,
                DELIVERY_TIMEOUT_S,
                "the broadcast",
                bot=bot,
            )
            filler = fs.fill()
            before = sum(pushes(fake, TITLE).values())
            # News during the outage: the poll cycle cannot store it, so it waits.
            feeds.publish_item(FEED, news("nos-full-2", SECOND_TITLE, "Een akkoord over graan."))
            await during_outage(fake, bot, FULL_CHATS, (TITLE, SECOND_TITLE))
            assert fs.free_bytes() == 0, "the disk was not full during the outage"
            assert not pushes(fake, SECOND_TITLE), "new work was broadcast while the disk was full"
            during = sum(pushes(fake, TITLE).values()) - before
            filler.unlink()
            await after_recovery(fake, bot, FULL_CHATS, (TITLE, SECOND_TITLE))
            assert bot.stop() == 0, bot.log_tail()
            one_outage_logged(bot.log_text())
        await follows_intact(data, FULL_CHATS, {})
    return (
        f"full after {before}/{len(FULL_CHATS)} sent; while full: {during} already under "
        f"way went out once, {len(FULL_CHATS) - before - during} and a new story held back, "
        "admin told once; space freed: "
        f"{len(FULL_CHATS)}/{len(FULL_CHATS)} × 2 stories once, follows intact"
    )
