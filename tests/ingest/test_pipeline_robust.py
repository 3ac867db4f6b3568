"""A poll cycle survives whatever one feed does; the other feeds' news still arrives."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.config import FeedConfig, FetchConfig
from bot.core.clock import ManualClock
from bot.ingest.fetch import make_fetcher
from bot.ingest.pipeline import IngestPipeline
from bot.sim.feeds import FeedServer
from bot.store import Store
from tests.app_harness import NOW, rss_item, serve_feed

GOOD_TITLE = "Oekraïne meldt grote drone-aanval op Kyiv"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "data", clock=ManualClock(NOW), shard_count=2)
    yield opened
    await opened.close()


def pipeline(
    store: Store, feeds: FeedServer, clock: ManualClock, *paths: str
) -> tuple[httpx.AsyncClient, IngestPipeline]:
    client, fetcher = make_fetcher(FetchConfig(timeout_seconds=5.0), clock)
    return client, IngestPipeline(
        feeds=[FeedConfig(name=p.strip("/"), url=feeds.url(p), source=p) for p in paths],
        fetcher=fetcher,
        store=store,
        clock=clock,
        interval=timedelta(minutes=5),
        rng=random.Random(1),
    )


def good_feed(feeds: FeedServer) -> None:
    serve_feed(
        feeds,
        "/good.xml",
        "NOS",
        [rss_item("g-1", GOOD_TITLE, "KYIV (ANP) - Drones vielen de stad aan.", NOW)],
    )


# What the bad feed itself comes to: its own error, or success (a 304 on later
# cycles) where the surprise was only in one header or one entry.
FINE = frozenset({"ok", "not_modified"})
BAD_FEED_STATUS = {
    "non-ascii etag": FINE,
    "huge retry-after": frozenset({"error"}),
    "unparsable link": FINE,
    "html page": frozenset({"error"}),
    "garbage bytes": frozenset({"error"}),
}


@pytest.mark.parametrize(
    "breakage",
    ["non-ascii etag", "huge retry-after", "unparsable link", "html page", "garbage bytes"],
)
async def test_one_broken_feed_does_not_stop_the_cycle(
    store: Store, feed_server: FeedServer, breakage: str
) -> None:
    clock = ManualClock(NOW)
    good_feed(feed_server)
    if breakage == "non-ascii etag":
        serve_feed(feed_server, "/bad.xml", "AD", [rss_item("b-1", "Iets", "Tekst.", NOW)])
        feed_server.serve("/bad.xml", feed_server.body("/bad.xml"), headers={"ETag": '"caf\u00e9"'})
    elif breakage == "huge retry-after":
        feed_server.fault("/bad.xml", status=503, retry_after=10**20, times=None)
    elif breakage == "unparsable link":
        serve_feed(
            feed_server,
            "/bad.xml",
            "AD",
            [rss_item("b-1", "Rare link", "Tekst.", NOW, "http://[nos.nl/a")],
        )
    elif breakage == "html page":
        feed_server.serve("/bad.xml", b"<html><body>Cookiemuur</body></html>", "text/html")
    else:
        feed_server.serve("/bad.xml", bytes(range(256)) * 100, "application/rss+xml")
    client, cycle = pipeline(store, feed_server, clock, "/good.xml", "/bad.xml")
    async with client:
        try:
            for _ in range(3):  # a stored bad validator would bite on the next cycles
                report = await cycle.run_cycle(force=True)
                clock.advance(timedelta(minutes=10))
                by_feed = {o.feed: o for o in report.outcomes}
                assert by_feed["good.xml"].status in FINE
                assert by_feed["bad.xml"].status in BAD_FEED_STATUS[breakage]
        finally:
            cycle.close()
    titles = {item.title for item in store.recent(limit=None)}
    assert GOOD_TITLE in titles
    if breakage == "unparsable link":
        assert "Rare link" in titles  # the odd link costs its sections, not the item
    assert store.get_feed_state(feed_server.url("/good.xml")) is not None
