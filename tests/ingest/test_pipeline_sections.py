"""One story filed under two section feeds of the same outlet keeps both sections."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from bot.config import FeedConfig, FetchConfig
from bot.core.clock import ManualClock
from bot.ingest.fetch import make_fetcher
from bot.ingest.pipeline import IngestPipeline
from bot.sim.feeds import FeedServer
from bot.store import Store
from tests.app_harness import NOW, rss_item, serve_feed

STORY = rss_item(
    "https://nos.nl/l/42",
    "Kabinet stuurt fregat naar Rode Zee",
    "Het kabinet stuurt een fregat naar de Rode Zee om schepen te beschermen.",
    NOW,
    "https://nos.nl/l/42",
)


async def test_a_later_section_feed_widens_the_stored_sections(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    clock = ManualClock(NOW)
    store = await Store.open(tmp_path / "data", clock=clock, shard_count=2)
    serve_feed(feed_server, "/politiek.xml", "NOS Politiek", [STORY])
    serve_feed(feed_server, "/buitenland.xml", "NOS Buitenland", [])
    client, fetcher = make_fetcher(FetchConfig(timeout_seconds=5.0), clock)
    cycle = IngestPipeline(
        feeds=[
            FeedConfig("NOS Politiek", feed_server.url("/politiek.xml"), "NOS", ("politiek",)),
            FeedConfig(
                "NOS Buitenland", feed_server.url("/buitenland.xml"), "NOS", ("buitenland",)
            ),
        ],
        fetcher=fetcher,
        store=store,
        clock=clock,
        interval=timedelta(minutes=5),
        rng=random.Random(1),
    )
    try:
        async with client:
            await cycle.run_cycle(force=True)
            assert store.recent(section="buitenland") == []
            feed_server.publish_item("/buitenland.xml", STORY)
            clock.advance(timedelta(minutes=10))
            report = await cycle.run_cycle(force=True)
        assert report.new_stories == ()  # not new: no second push
        [item] = store.recent(section="buitenland")
        assert set(item.sections) >= {"politiek", "buitenland"}
    finally:
        cycle.close()
        await store.close()
