"""Hostile feeds served to the running bot: it stays responsive, small, and keeps pushing.

Three feeds of the running ``nieuwsbot run`` turn hostile one after another
(each served harmless first, so the bot has polled it before): an
entity-expansion feed, a 100,000-entry feed and a gzip bomb. Held means: while
each is fetched, a ``/start`` from another chat is answered within 2 s; the
bot's resident memory (VmRSS/VmHWM from /proc, peak reset at idle) plus its
parse worker's stays within 100 MB over idle; a story on the healthy feed
still reaches its follower exactly once; the entity feed and the bomb are
refused and only the newest 200 of the 100,000 entries are stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import ManualClock
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from bot.store import Store
from tests.app_harness import serve_feed
from tests.chaos.disk import FEED, SETTLE_S, TITLE, news, wait_for_baseline
from tests.chaos.harness import (
    BotProcess,
    ask,
    children_of,
    exactly_once,
    lines_with,
    proc_status,
    pushes,
    reset_peak,
    wait_until,
    write_config,
)

MB = 1024 * 1024
FOLLOWER = 5501
PROBES = (5511, 5512, 5513)  # one chat per probe: no per-chat spacing between answers
REPLY_TARGET_S = 2.0
RSS_BUDGET_MB = 100.0
FLOOD_ENTRIES = 100_000
STORED_PER_FETCH = 200
BOMB_MIB = 256


@dataclass(frozen=True)
class Hostile:
    name: str
    path: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def entity_feed() -> bytes:
    """A DTD declaring a 10,000-character entity that the items reference 400,000 times."""
    big = "x" * 10_000
    items = "".join(
        f"<item><title>Bericht {n}</title><description>{'&big;' * 2000}</description></item>\n"
        for n in range(200)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE rss [\n<!ENTITY big "{big}">\n]>\n'
        f'<rss version="2.0"><channel><title>Vijand</title>\n{items}</channel></rss>\n'
    ).encode()


def entry_flood() -> bytes:
    items = "".join(f"<item><title>Vloed {n}</title></item>\n" for n in range(FLOOD_ENTRIES))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Vloed</title>\n{items}</channel></rss>\n"
    ).encode()


@functools.cache
def gzip_bomb() -> bytes:
    """BOMB_MIB MiB of spaces after ``<rss>``, gzipped to about a thousandth of that."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    space = b" " * MB
    body = packer.compress(b"<rss>") + b"".join(packer.compress(space) for _ in range(BOMB_MIB))
    return body + packer.flush()


def hostile_feeds() -> list[Hostile]:
    return [
        Hostile("entity expansion", "/entiteiten.xml", entity_feed()),
        Hostile(f"{FLOOD_ENTRIES:,} entries", "/vloed.xml", entry_flood()),
        Hostile("gzip bomb", "/bom.xml", gzip_bomb(), {"Content-Encoding": "gzip"}),
    ]


@dataclass
class MemoryWatch:
    """Samples the bot's and its children's memory every 20 ms (kB, from /proc)."""

    pid: int
    bot_idle: int = 0
    worker_idle: int = 0
    bot_peak: int = 0
    worker_peak: int = 0
    exact: bool = False

    def idle(self) -> None:
        self.bot_idle = proc_status(self.pid).get("VmRSS", 0)
        workers = [proc_status(child).get("VmRSS", 0) for child in children_of(self.pid)]
        self.worker_idle = max(workers, default=0)
        self.exact = reset_peak(self.pid)
        self.bot_peak, self.worker_peak = self.bot_idle, self.worker_idle

    def sample(self) -> None:
        status = proc_status(self.pid)
        self.bot_peak = max(self.bot_peak, status.get("VmHWM", 0), status.get("VmRSS", 0))
        for child in children_of(self.pid):
            figures = proc_status(child)
            self.worker_peak = max(
                self.worker_peak, figures.get("VmHWM", 0), figures.get("VmRSS", 0)
            )

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(0.02)

    @property
    def over_idle_mb(self) -> float:
        return (self.bot_peak - self.bot_idle + self.worker_peak - self.worker_idle) / 1024


@contextlib.contextmanager
def watching(watch: MemoryWatch) -> Iterator[None]:
    task = asyncio.get_running_loop().create_task(watch.run())
    try:
        yield
    finally:
        task.cancel()
        watch.sample()


async def hostile_feeds_while_running(work: Path) -> str:
    feeds_served = hostile_feeds()
    with FakeTelegram() as fake, FeedServer() as feeds:
        data = work / "data"
        serve_feed(feeds, FEED, "NOS", [])
        for hostile in feeds_served:
            serve_feed(feeds, hostile.path, "Rustig", [])  # harmless until it turns
        urls = {"NOS": feeds.url(FEED)}
        urls.update({h.name: feeds.url(h.path) for h in feeds_served})
        config = write_config(work, fake, data, urls)
        with BotProcess(config, fake.token, work / "bot.log") as bot:
            await bot.start_ready(fake)
            reply = await ask(fake, FOLLOWER, "/volg oekraine", bot)
            assert reply.startswith("✅"), reply
            await wait_for_baseline(feeds, bot)
            # A second poll of the healthy feed: the first cycle (parse worker started) is over.
            await wait_until(lambda: len(feeds.requests_for(FEED)) >= 2, 30, "a cycle", bot=bot)
            watch = MemoryWatch(bot.pid)
            watch.idle()
            waits: list[float] = []
            with watching(watch):
                for n, hostile in enumerate(feeds_served):
                    waits.append(await turn_hostile(fake, feeds, bot, hostile, PROBES[n]))
                    if n == 0:
                        feeds.publish_item(FEED, news("nos-vijand", TITLE))
                await wait_until(
                    lambda: pushes(fake, TITLE)[FOLLOWER] >= 1, 30, "the healthy feed", bot=bot
                )
                await asyncio.sleep(SETTLE_S)
            assert exactly_once(fake, TITLE, [FOLLOWER]), dict(pushes(fake, TITLE))
            assert bot.stop() == 0, bot.log_tail()
            log = bot.log_text()
        refusals = {
            "entity expansion": "refused: the feed declares XML entities",
            "gzip bomb": "body larger than 5 MiB",
        }
        for name, reason in refusals.items():
            failed = [line for line in lines_with(log, f"Feed {name} failed") if reason in line]
            assert failed, f"the {name} feed was not refused ({reason!r} not logged)"
        flood = await stored_titles(data, "Vloed ")
        assert flood == STORED_PER_FETCH, f"{flood} of the {FLOOD_ENTRIES:,} entries were stored"
    assert watch.over_idle_mb <= RSS_BUDGET_MB, f"peak {watch.over_idle_mb:.0f} MB over idle"
    answered = ", ".join(f"{h.name} {w:.2f} s" for h, w in zip(feeds_served, waits, strict=True))
    return (
        f"/start answered during each ({answered}); RSS bot {watch.bot_idle / 1024:.0f} → "
        f"peak {watch.bot_peak / 1024:.0f} MB, parse worker {watch.worker_idle / 1024:.0f} → "
        f"{watch.worker_peak / 1024:.0f} MB (+{watch.over_idle_mb:.0f} MB ≤ "
        f"{RSS_BUDGET_MB:.0f}); entities and bomb refused, {flood} of {FLOOD_ENTRIES:,} "
        "entries stored, the healthy feed's story arrived once"
    )


async def turn_hostile(
    fake: FakeTelegram, feeds: FeedServer, bot: BotProcess, hostile: Hostile, probe: int
) -> float:
    """Serve the hostile body; once the bot fetches it, a /start must be answered in time.

    Returns how long the answer took; waits until a later poll cycle began (the
    JobQueue runs one cycle at a time, so the hostile one is over then).
    """
    before = len(feeds.requests_for(hostile.path))
    feeds.serve(hostile.path, hostile.body, headers=hostile.headers)
    await wait_until(
        lambda: len(feeds.requests_for(hostile.path)) > before, 30, f"{hostile.name}", bot=bot
    )
    fetched = feeds.requests_for(hostile.path)[before].time
    asked = time.monotonic()
    try:
        reply = await fake.send_and_wait(probe, "/start", timeout=REPLY_TARGET_S)
    except TimeoutError:
        raise AssertionError(
            f"/start was not answered within {REPLY_TARGET_S:g} s during {hostile.name}"
        ) from None
    waited = time.monotonic() - asked
    assert "Welkom" in reply["text"], reply["text"]
    await wait_until(
        lambda: any(r.time > fetched + 1.0 for r in feeds.requests_for(FEED)),
        30,
        f"the poll cycle after {hostile.name}",
        bot=bot,
    )
    return waited


async def stored_titles(data: Path, prefix: str) -> int:
    store = await Store.open(data, clock=ManualClock(datetime.now(UTC)), freeze_gc=False)
    try:
        items = store.recent(limit=None, include_duplicates=True)
        return sum(1 for item in items if item.title.startswith(prefix))
    finally:
        await store.close()
