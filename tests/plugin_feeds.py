"""Pytest fixtures for feed tests: the loopback feed server, a fetcher and a clock."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from bot.core.clock import ManualClock
from bot.ingest.fetch import FeedFetcher, make_client
from bot.sim.feeds import FeedServer
from tests.paths import FIXTURES

FEED_FIXTURES = FIXTURES / "feeds"
TEST_USER_AGENT = "nieuwsbot-test/0.1"
TEST_CONTACT_URL = "https://nieuwsbot.example/contact"


class MidpointRandom(random.Random):
    """A ``random.Random`` whose ``uniform`` returns the midpoint: jitter becomes zero."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A started FeedServer serving every file of tests/fixtures/feeds at ``/<name>``."""
    with FeedServer() as server:
        server.serve_dir(FEED_FIXTURES)
        yield server


@pytest.fixture
async def feed_client() -> AsyncIterator[httpx.AsyncClient]:
    client = make_client(TEST_USER_AGENT, TEST_CONTACT_URL)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def feed_clock() -> ManualClock:
    return ManualClock(datetime(2026, 10, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def feed_fetcher(feed_client: httpx.AsyncClient, feed_clock: ManualClock) -> FeedFetcher:
    """A fetcher with the production limits except a short deadline for fault tests."""
    return FeedFetcher(feed_client, deadline_s=2.0, now=feed_clock)


@pytest.fixture
def no_jitter() -> random.Random:
    return MidpointRandom()
