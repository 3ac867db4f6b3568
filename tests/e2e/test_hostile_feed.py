"""A hostile feed in the running bot: chats are answered meanwhile, and it costs a bounded amount.

The production Application on the loopback Bot API and feed server. The slow
feed needs about 14 s of feedparser's loose parser (no DTD involved); the
bot's parse worker gives up on it after its time budget while a chat's command
is answered during the parse. The flood feed lists 5,000 entries.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from bot.core.clock import ManualClock
from bot.ingest.parse_worker import ParseWorker
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.app_harness import NOW, make_config, rss_item, running_app, serve_feed
from tests.e2e.test_push_crash import wait_until

CHAT = 4242
BUDGET_S = 3.0
GOOD_TITLE = "Oekraïne meldt grote drone-aanval op Kyiv"


def slow_feed() -> bytes:
    attributes = " ".join(f"a{n}='1'" for n in range(26_000))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>x</title><description><b {attributes}/>&nbsp;</description></item>"
        "</channel></rss>"
    ).encode()


def proc_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def test_a_command_is_answered_while_a_hostile_feed_is_parsed(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    feed_server.serve("/traag.xml", slow_feed())
    serve_feed(feed_server, "/nos.xml", "NOS", [rss_item("nos-1", GOOD_TITLE, "Tekst.", NOW)])
    config = make_config(
        fake_telegram,
        feed_server,
        tmp_path / "data",
        {"/traag.xml": ("Traag", ()), "/nos.xml": ("NOS", ())},
    )
    async with running_app(config, fake_telegram, feed_server, clock) as app:
        pipeline = app.services.pipeline
        assert pipeline is not None
        pipeline.close()
        pipeline.parse_worker = ParseWorker(time_budget_s=BUDGET_S)
        cycle = asyncio.create_task(app.cycle())
        await wait_until(lambda: feed_server.requests_for("/traag.xml"), 10, "the fetch")
        # The worker starts (about 0.5 s), then the slow parse begins.
        worker = pipeline.parse_worker
        await wait_until(lambda: worker.pid is not None, 30, "the parse worker")
        await asyncio.sleep(0.5)

        asked = time.monotonic()
        reply = await fake_telegram.send_and_wait(CHAT, "/help", timeout=BUDGET_S)
        waited = time.monotonic() - asked

        assert not cycle.done(), "the command must be answered during the parse"
        assert reply["text"]
        assert waited < 1.0, f"the reply took {waited:.2f} s"
        await asyncio.wait_for(cycle, timeout=BUDGET_S + 10)
        worker_pid = pipeline.parse_worker.pid
        report = app.services.last_cycle
        assert report is not None
        outcomes = {o.feed: o for o in report.outcomes}
        assert outcomes["Traag traag.xml"].error == (
            f"refused: parsing took longer than {BUDGET_S:g} s"
        )
        assert outcomes["NOS nos.xml"].status == "ok"
        assert [i.title for i in app.services.store.recent(limit=None)] == [GOOD_TITLE]
    assert worker_pid is not None
    assert not proc_alive(worker_pid), "the parse worker must stop with the bot"


async def test_a_feed_of_5000_entries_stores_its_newest_200(
    tmp_path: Path, fake_telegram: FakeTelegram, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    entries = [
        rss_item(f"vloed-{n}", f"Bericht {n}", "Tekst.", NOW - timedelta(minutes=n))
        for n in range(5000)
    ]
    serve_feed(feed_server, "/vloed.xml", "Vloed", entries)
    config = make_config(
        fake_telegram, feed_server, tmp_path / "data", {"/vloed.xml": ("Vloed", ())}
    )
    async with running_app(config, fake_telegram, feed_server, clock) as app:
        await app.cycle()
        stored = app.services.store.recent(limit=None)
    assert sorted(item.title for item in stored) == sorted(f"Bericht {n}" for n in range(200))
