"""Feed failures carry a key from where they arise, and the feed's state keeps it."""

from __future__ import annotations

import json
import random
import socket
import ssl
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.config import FeedConfig, FetchConfig
from bot.core.clock import ManualClock
from bot.core.feed_failure import FailureKey, FeedFailure
from bot.ingest.errors import NotAFeedError
from bot.ingest.feedstate import FeedState
from bot.ingest.fetch import FeedFetcher, describe_error, make_client, make_fetcher
from bot.ingest.parse import parse_feed
from bot.ingest.pipeline import IngestPipeline, stored_feed_state
from bot.ingest.schedule import ServerHints, next_state_after_error, next_state_after_success
from bot.sim.feeds import FeedServer
from bot.store import Store
from tests.app_harness import NOW

URL = "https://feeds.nos.nl/nosnieuwsalgemeen"


def _connect_error(cause: BaseException) -> httpx.ConnectError:
    # httpx raises ConnectError "from" the socket error, several layers down.
    error = httpx.ConnectError("connect failed")
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (httpx.ConnectTimeout("slow"), FeedFailure(FailureKey.CONNECT_TIMEOUT)),
        (httpx.ReadTimeout("slow"), FeedFailure(FailureKey.TIMEOUT, {"seconds": "20"})),
        (
            _connect_error(ConnectionRefusedError(111, "Connection refused")),
            FeedFailure(FailureKey.CONNECTION_REFUSED),
        ),
        (
            _connect_error(socket.gaierror(-2, "Name or service not known")),
            FeedFailure(FailureKey.HOST_NOT_FOUND),
        ),
        (
            _connect_error(ssl.SSLCertVerificationError(1, "certificate verify failed")),
            FeedFailure(FailureKey.TLS_ERROR),
        ),
        (
            _connect_error(OSError(101, "Network is unreachable")),
            FeedFailure(FailureKey.CONNECTION_FAILED),
        ),
        (
            httpx.RemoteProtocolError("peer closed connection"),
            FeedFailure(FailureKey.CONNECTION_CLOSED),
        ),
        (httpx.DecodingError("bad gzip"), FeedFailure(FailureKey.UNDECODABLE_ENCODING)),
        (httpx.InvalidURL("no host"), FeedFailure(FailureKey.INVALID_URL)),
        (httpx.UnsupportedProtocol("gopher"), FeedFailure(FailureKey.INVALID_URL)),
        (
            httpx.ReadError("reset"),
            FeedFailure(FailureKey.HTTP_FAILURE, {"exception": "ReadError"}),
        ),
        (
            ConnectionResetError(104, "reset"),
            FeedFailure(FailureKey.NETWORK_ERROR, {"exception": "ConnectionResetError"}),
        ),
    ],
)
def test_a_failed_request_is_described_by_key(exc: BaseException, failure: FeedFailure) -> None:
    assert describe_error(exc, 20.0) == failure


async def test_a_surprise_inside_the_fetcher_is_unexpected_by_key() -> None:
    client = make_client("nieuwsbot-test/0.1", "https://nieuwsbot.example/contact")
    await client.aclose()  # httpx raises RuntimeError, which no feed server can cause
    result = await FeedFetcher(client).fetch(FeedState("http://127.0.0.1:9/feed.xml"))
    assert result.failure == FeedFailure(FailureKey.UNEXPECTED, {"exception": "RuntimeError"})
    assert result.error == "unexpected error: RuntimeError"


COOKIE_WALL = b"<!DOCTYPE html><html><body><h1>Wij gebruiken cookies</h1></body></html>"


@pytest.mark.parametrize(
    ("body", "headers", "failure"),
    [
        (
            COOKIE_WALL,
            {"Content-Type": "text/html"},
            FeedFailure(
                FailureKey.NOT_A_FEED,
                {
                    "exception": "NonXMLContentType",
                    "detail": "text/html is not an XML media type",
                },
            ),
        ),
        (b"", None, FeedFailure(FailureKey.NO_FEED_CONTENT)),
    ],
)
def test_a_document_that_is_no_feed_says_why_by_key(
    body: bytes, headers: dict[str, str] | None, failure: FeedFailure
) -> None:
    with pytest.raises(NotAFeedError) as raised:
        parse_feed(body, feed="AD", headers=headers)
    assert raised.value.failure == failure
    # The log line keeps naming the feed and the English reason.
    assert str(raised.value) == f"AD: {failure.english}"


# --- the state keeps the key ----------------------------------------------------------------


def test_the_key_survives_a_json_round_trip_beside_the_english_text() -> None:
    failure = FeedFailure(FailureKey.HTTP_STATUS, {"status": "503"})
    state = next_state_after_error(
        FeedState(URL),
        now=NOW,
        interval=timedelta(minutes=5),
        error=failure,
        retry_after=None,
        rng=random.Random(1),
    )
    stored = json.loads(json.dumps(state.to_dict()))
    assert stored["last_error"] == "HTTP 503"
    assert stored["last_error_key"] == "http_status"
    assert stored["last_error_params"] == {"status": "503"}
    assert FeedState.from_dict(stored) == state
    recovered = next_state_after_success(
        state, now=NOW, interval=timedelta(minutes=5), hints=ServerHints(), rng=random.Random(1)
    )
    assert recovered.last_failure is None
    assert recovered.to_dict()["last_error_key"] is None


def test_an_english_text_alone_is_kept_without_a_key() -> None:
    state = next_state_after_error(
        FeedState(URL, last_failure=FeedFailure(FailureKey.REDIRECT_LOOP)),
        now=NOW,
        interval=timedelta(minutes=5),
        error="no body (HTTP 304)",
        retry_after=None,
        rng=random.Random(1),
    )
    assert state.last_error == "no body (HTTP 304)"
    assert state.last_failure is None  # not the earlier failure's key


@pytest.mark.parametrize(
    ("record", "failure"),
    [
        # Written before failures had keys: the English text is all there is.
        ({"url": URL, "consecutive_errors": 2, "last_error": "timeout after 20 s"}, None),
        (
            {
                "url": URL,
                "last_error": "timeout after 20 s",
                "last_error_key": "timeout",
                "last_error_params": {"seconds": "20"},
            },
            FeedFailure(FailureKey.TIMEOUT, {"seconds": "20"}),
        ),
        (
            {"url": URL, "last_error": "redirect loop", "last_error_key": "redirect_loop"},
            FeedFailure(FailureKey.REDIRECT_LOOP),
        ),
        # A key from a newer version, or parameters that no longer fit: the text.
        ({"url": URL, "last_error": "x", "last_error_key": "quantum_flux"}, None),
        ({"url": URL, "last_error": "x", "last_error_key": "timeout"}, None),
        (
            {"url": URL, "last_error": "x", "last_error_key": "timeout", "last_error_params": [20]},
            None,
        ),
        ({"url": URL, "last_error": "x", "last_error_key": 7}, None),
    ],
)
def test_stored_states_old_and_new_are_read(
    record: dict[str, object], failure: FeedFailure | None
) -> None:
    state = FeedState.from_dict(record)
    assert state.last_error == record["last_error"]
    assert state.last_failure == failure


# --- the poll cycle stores what went wrong -----------------------------------------------------


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "data", clock=ManualClock(NOW), shard_count=2)
    yield opened
    await opened.close()


async def test_a_poll_cycle_stores_each_failure_with_its_key(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.fault("/down.xml", status=503, times=None)
    feed_server.serve("/wall.xml", COOKIE_WALL, "text/html")
    clock = ManualClock(NOW)
    client, fetcher = make_fetcher(FetchConfig(timeout_seconds=5.0), clock)
    feeds = [FeedConfig(name=p, url=feed_server.url(f"/{p}.xml")) for p in ("down", "wall")]
    cycle = IngestPipeline(
        feeds=feeds,
        fetcher=fetcher,
        store=store,
        clock=clock,
        interval=timedelta(minutes=5),
        rng=random.Random(1),
    )
    async with client:
        report = await cycle.run_cycle(force=True)
    assert {o.feed: o.error for o in report.outcomes} == {
        "down": "HTTP 503",
        "wall": "not a feed (NonXMLContentType: text/html is not an XML media type)",
    }
    failures = {feed.name: stored_feed_state(store, feed.url) for feed in feeds}
    assert {name: state.last_failure if state else None for name, state in failures.items()} == {
        "down": FeedFailure(FailureKey.HTTP_STATUS, {"status": "503"}),
        "wall": FeedFailure(
            FailureKey.NOT_A_FEED,
            {"exception": "NonXMLContentType", "detail": "text/html is not an XML media type"},
        ),
    }
