"""The feed fetcher against the loopback feed server: real feeds and crafted faults."""

from __future__ import annotations

import gzip
import random
import socket
import time
from datetime import timedelta

import httpx
import pytest

from bot.config import ScheduleConfig
from bot.core.clock import ManualClock
from bot.core.feed_failure import FailureKey, FeedFailure
from bot.ingest.adaptive import AdaptivePolicy
from bot.ingest.decide import next_state_after_fetch
from bot.ingest.feedstate import FeedState
from bot.ingest.fetch import FeedFetcher, FetchResult
from bot.ingest.schedule import BACKOFF_CAP, JITTER, is_due
from bot.sim.feeds import FeedServer
from tests.plugin_feeds import FEED_FIXTURES, TEST_CONTACT_URL, TEST_USER_AGENT

NOS = "/nos_nieuwsalgemeen_2026-10-01.xml"
CP1252 = "/windows1252.xml"
MIN = timedelta(minutes=1)
INTERVAL = 5 * MIN
POLICY = AdaptivePolicy.from_config(ScheduleConfig(poll_interval_seconds=300))


def fold_in(
    state: FeedState, result: FetchResult, clock: ManualClock, rng: random.Random
) -> FeedState:
    # Nothing is learned here: without a publishing model the interval is INTERVAL.
    return next_state_after_fetch(state, result, now=clock(), policy=POLICY, rng=rng)


async def test_first_fetch_returns_exact_bytes_and_validators(
    feed_server: FeedServer, feed_fetcher: FeedFetcher
) -> None:
    result = await feed_fetcher.fetch(FeedState(feed_server.url(NOS)))
    assert result.status == "ok"
    assert result.error is None
    assert result.body == (FEED_FIXTURES / NOS.lstrip("/")).read_bytes()
    assert result.http_status == 200
    assert result.etag == feed_server.etag(NOS)
    assert result.last_modified == feed_server.last_modified(NOS)
    assert result.final_url == feed_server.url(NOS)
    assert result.permanent_redirect_to is None
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert all(name == name.lower() for name in result.headers)
    [request] = feed_server.requests
    assert request.headers["user-agent"] == f"{TEST_USER_AGENT} (+{TEST_CONTACT_URL})"
    assert "application/rss+xml" in request.headers["accept"]
    assert "if-none-match" not in request.headers


async def test_304_round_trip(
    feed_server: FeedServer,
    feed_fetcher: FeedFetcher,
    feed_clock: ManualClock,
    no_jitter: random.Random,
) -> None:
    state = FeedState(feed_server.url(NOS))
    state = fold_in(state, await feed_fetcher.fetch(state), feed_clock, no_jitter)
    assert state.etag == feed_server.etag(NOS)
    assert state.next_check == feed_clock() + INTERVAL

    feed_clock.advance(INTERVAL)
    assert is_due(state, feed_clock())
    result = await feed_fetcher.fetch(state)
    assert result.status == "not_modified"
    assert result.body is None
    assert result.http_status == 304
    conditional = feed_server.requests[-1].headers
    assert conditional["if-none-match"] == feed_server.etag(NOS)
    assert conditional["if-modified-since"] == feed_server.last_modified(NOS)

    after = fold_in(state, result, feed_clock, no_jitter)
    assert after.etag == state.etag
    assert after.last_modified == state.last_modified
    assert after.last_success == feed_clock()
    assert after.next_check == feed_clock() + INTERVAL


async def test_changed_etag_after_a_new_item(
    feed_server: FeedServer,
    feed_fetcher: FeedFetcher,
    feed_clock: ManualClock,
    no_jitter: random.Random,
) -> None:
    state = FeedState(feed_server.url(NOS))
    state = fold_in(state, await feed_fetcher.fetch(state), feed_clock, no_jitter)
    old_etag = state.etag

    feed_server.publish_item(
        NOS, "<item><title>Kabinet valt over stikstof</title><guid>nieuw-1</guid></item>"
    )
    result = await feed_fetcher.fetch(state)
    assert result.status == "ok"
    assert result.body is not None
    assert b"Kabinet valt over stikstof" in result.body
    assert result.etag is not None
    assert result.etag != old_etag
    assert fold_in(state, result, feed_clock, no_jitter).etag == result.etag


async def test_500_then_recovery_with_backoff_schedule(
    feed_server: FeedServer,
    feed_fetcher: FeedFetcher,
    feed_clock: ManualClock,
    no_jitter: random.Random,
) -> None:
    feed_server.fault(NOS, status=500, times=4)
    state = FeedState(feed_server.url(NOS))
    waits = []
    for _ in range(4):
        assert is_due(state, feed_clock())
        result = await feed_fetcher.fetch(state)
        assert result.status == "error"
        assert result.error == "HTTP 500"
        assert result.failure == FeedFailure(FailureKey.HTTP_STATUS, {"status": "500"})
        assert result.http_status == 500
        state = fold_in(state, result, feed_clock, no_jitter)
        assert state.next_check is not None
        waits.append(state.next_check - feed_clock())
        assert not is_due(state, feed_clock() + waits[-1] - timedelta(seconds=1))
        feed_clock.set(state.next_check)
    assert waits == [5 * MIN, 10 * MIN, 20 * MIN, 40 * MIN]
    assert state.consecutive_errors == 4
    assert state.last_error == "HTTP 500"
    assert state.last_success is None

    recovered = await feed_fetcher.fetch(state)
    assert recovered.status == "ok"
    state = fold_in(state, recovered, feed_clock, no_jitter)
    assert state.consecutive_errors == 0
    assert state.last_error is None
    assert state.last_success == feed_clock()
    assert state.next_check == feed_clock() + INTERVAL
    assert len(feed_server.requests_for(NOS)) == 5


async def test_backoff_never_exceeds_the_cap_and_never_stops(
    feed_server: FeedServer,
    feed_fetcher: FeedFetcher,
    feed_clock: ManualClock,
    no_jitter: random.Random,
) -> None:
    feed_server.fault(NOS, status=502)
    state = FeedState(feed_server.url(NOS), consecutive_errors=40)
    state = fold_in(state, await feed_fetcher.fetch(state), feed_clock, no_jitter)
    assert state.next_check == feed_clock() + BACKOFF_CAP
    assert state.consecutive_errors == 41


async def test_503_retry_after_stretches_the_wait(
    feed_server: FeedServer,
    feed_fetcher: FeedFetcher,
    feed_clock: ManualClock,
    no_jitter: random.Random,
) -> None:
    feed_server.fault(NOS, status=503, retry_after=900, times=1)
    state = FeedState(feed_server.url(NOS))
    result = await feed_fetcher.fetch(state)
    assert result.error == "HTTP 503"
    assert result.retry_after == timedelta(seconds=900)
    assert result.hints.retry_after == timedelta(seconds=900)
    state = fold_in(state, result, feed_clock, no_jitter)
    assert state.next_check == feed_clock() + 15 * MIN


async def test_cache_control_and_ttl_hints(
    feed_server: FeedServer,
    feed_fetcher: FeedFetcher,
    feed_clock: ManualClock,
    no_jitter: random.Random,
) -> None:
    feed_server.serve(
        "/cached.xml", feed_server.body(NOS), headers={"Cache-Control": "public, max-age=600"}
    )
    cached = await feed_fetcher.fetch(FeedState(feed_server.url("/cached.xml")))
    assert cached.hints.max_age == 10 * MIN
    state = fold_in(FeedState(feed_server.url("/cached.xml")), cached, feed_clock, no_jitter)
    # max-age is a floor kept clear of the jitter: even -10 % does not poll before it.
    assert state.next_check == feed_clock() + 10 * MIN / (1 - JITTER)

    with_ttl = await feed_fetcher.fetch(FeedState(feed_server.url(CP1252)))
    assert with_ttl.hints.ttl == 15 * MIN


async def test_timeout_of_a_hanging_server(
    feed_server: FeedServer, feed_client: httpx.AsyncClient
) -> None:
    fetcher = FeedFetcher(feed_client, deadline_s=0.5)
    feed_server.fault(NOS, hang=True)
    started = time.monotonic()
    result = await fetcher.fetch(FeedState(feed_server.url(NOS)))
    assert result.status == "error"
    assert result.error == "timeout after 0.5 s"
    assert result.failure == FeedFailure(FailureKey.TIMEOUT, {"seconds": "0.5"})
    assert 0.5 <= time.monotonic() - started < 1.5


async def test_deadline_covers_all_redirect_hops(
    feed_server: FeedServer, feed_client: httpx.AsyncClient
) -> None:
    fetcher = FeedFetcher(feed_client, deadline_s=0.6)
    feed_server.fault("/traag-1.xml", delay_s=0.35, redirect_to="/traag-2.xml")
    feed_server.fault("/traag-2.xml", delay_s=0.35, redirect_to=NOS)
    result = await fetcher.fetch(FeedState(feed_server.url("/traag-1.xml")))
    assert result.error == "timeout after 0.6 s"


async def test_20_mib_body_fails_cleanly_and_fast(
    feed_server: FeedServer, feed_fetcher: FeedFetcher
) -> None:
    feed_server.fault("/groot.xml", body_size=20 * 1024 * 1024)
    started = time.monotonic()
    result = await feed_fetcher.fetch(FeedState(feed_server.url("/groot.xml")))
    assert result.status == "error"
    assert result.error == "body larger than 5 MiB"
    assert result.failure == FeedFailure(FailureKey.BODY_TOO_LARGE, {"limit": "5 MiB"})
    assert result.body is None
    assert time.monotonic() - started < 1.0


async def test_gzip_bomb_is_stopped_by_the_streaming_cap(
    feed_server: FeedServer, feed_client: httpx.AsyncClient
) -> None:
    fetcher = FeedFetcher(feed_client, max_bytes=1024 * 1024)
    bomb = gzip.compress(b"<rss>" + b" " * (20 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024, "the declared length alone must not give it away"
    feed_server.serve("/bom.xml", bomb, headers={"Content-Encoding": "gzip"})
    result = await fetcher.fetch(FeedState(feed_server.url("/bom.xml")))
    assert result.error == "body larger than 1 MiB"


async def test_gzip_encoded_feed_is_decoded(
    feed_server: FeedServer, feed_fetcher: FeedFetcher
) -> None:
    plain = feed_server.body(NOS)
    feed_server.serve("/gz.xml", gzip.compress(plain), headers={"Content-Encoding": "gzip"})
    result = await feed_fetcher.fetch(FeedState(feed_server.url("/gz.xml")))
    assert result.status == "ok"
    assert result.body == plain


async def test_redirect_loop(feed_server: FeedServer, feed_fetcher: FeedFetcher) -> None:
    feed_server.fault("/a.xml", redirect_to="/b.xml")
    feed_server.fault("/b.xml", redirect_to=feed_server.url("/a.xml"))
    result = await feed_fetcher.fetch(FeedState(feed_server.url("/a.xml")))
    assert result.status == "error"
    assert result.error == "redirect loop"
    assert result.failure == FeedFailure(FailureKey.REDIRECT_LOOP)
    assert len(feed_server.requests) == 2


@pytest.mark.parametrize(("hops", "status"), [(5, "ok"), (6, "error")])
async def test_at_most_five_redirects(
    feed_server: FeedServer, feed_fetcher: FeedFetcher, hops: int, status: str
) -> None:
    for n in range(hops):
        target = NOS if n == hops - 1 else f"/stap-{n + 1}.xml"
        feed_server.fault(f"/stap-{n}.xml", redirect_to=target)
    result = await feed_fetcher.fetch(FeedState(feed_server.url("/stap-0.xml")))
    assert result.status == status
    if status == "error":
        assert result.error == "too many redirects"
        assert result.failure == FeedFailure(FailureKey.TOO_MANY_REDIRECTS)
    else:
        assert result.final_url == feed_server.url(NOS)


async def test_permanent_redirect_is_remembered(
    feed_server: FeedServer,
    feed_fetcher: FeedFetcher,
    feed_clock: ManualClock,
    no_jitter: random.Random,
) -> None:
    feed_server.fault("/oud.xml", redirect_to=NOS, redirect_status=301)
    state = FeedState(feed_server.url("/oud.xml"))
    result = await feed_fetcher.fetch(state)
    assert result.status == "ok"
    assert result.url == feed_server.url("/oud.xml")
    assert result.permanent_redirect_to == feed_server.url(NOS)
    state = fold_in(state, result, feed_clock, no_jitter)
    assert state.url == feed_server.url("/oud.xml"), "the state stays keyed by the config URL"
    assert state.permanent_url == feed_server.url(NOS)

    again = await feed_fetcher.fetch(state)
    assert again.status == "not_modified"
    assert len(feed_server.requests_for("/oud.xml")) == 1


@pytest.mark.parametrize(
    ("first", "second", "remembered"),
    [
        pytest.param(302, 301, None, id="temporary first: nothing remembered"),
        pytest.param(301, 302, "/tussen.xml", id="permanent up to the temporary hop"),
        pytest.param(308, 301, NOS, id="all permanent: the final URL"),
    ],
)
async def test_only_unbroken_permanent_chains_are_remembered(
    feed_server: FeedServer,
    feed_fetcher: FeedFetcher,
    first: int,
    second: int,
    remembered: str | None,
) -> None:
    feed_server.fault("/begin.xml", redirect_to="/tussen.xml", redirect_status=first)
    feed_server.fault("/tussen.xml", redirect_to=NOS, redirect_status=second)
    result = await feed_fetcher.fetch(FeedState(feed_server.url("/begin.xml")))
    assert result.status == "ok"
    expected = feed_server.url(remembered) if remembered else None
    assert result.permanent_redirect_to == expected


async def test_html_page_comes_back_with_its_content_type(
    feed_server: FeedServer, feed_fetcher: FeedFetcher
) -> None:
    page = b"<!DOCTYPE html><html><head><title>NOS</title></head><body>Nieuws</body></html>"
    feed_server.serve("/pagina", page, "text/html; charset=utf-8")
    result = await feed_fetcher.fetch(FeedState(feed_server.url("/pagina")))
    assert result.status == "ok", "rejecting non-feeds is the parser's job"
    assert result.content_type == "text/html; charset=utf-8"
    assert result.body == page


async def test_feed_with_wrong_content_type(
    feed_server: FeedServer, feed_fetcher: FeedFetcher
) -> None:
    feed_server.fault(NOS, content_type="text/html")
    result = await feed_fetcher.fetch(FeedState(feed_server.url(NOS)))
    assert result.status == "ok"
    assert result.content_type == "text/html"
    assert result.body == feed_server.body(NOS)


async def test_windows1252_feed_bytes_are_untouched(
    feed_server: FeedServer, feed_fetcher: FeedFetcher
) -> None:
    result = await feed_fetcher.fetch(FeedState(feed_server.url(CP1252)))
    assert result.status == "ok"
    assert result.body == (FEED_FIXTURES / "windows1252.xml").read_bytes()
    assert result.body is not None
    assert b"Oekra\xefne" in result.body
    assert result.content_type == "application/rss+xml; charset=windows-1252"


async def test_connection_refused(feed_fetcher: FeedFetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    result = await feed_fetcher.fetch(FeedState(f"http://127.0.0.1:{free_port}/feed.xml"))
    assert result.status == "error"
    assert result.error == "connection refused"
    assert result.failure == FeedFailure(FailureKey.CONNECTION_REFUSED)


@pytest.mark.parametrize(
    ("url", "error", "failure"),
    [
        (
            "ftp://127.0.0.1/feed.xml",
            "unsupported URL scheme 'ftp'",
            FeedFailure(FailureKey.UNSUPPORTED_SCHEME, {"scheme": "ftp"}),
        ),
        ("http://", "invalid URL", FeedFailure(FailureKey.INVALID_URL)),
    ],
)
async def test_bad_urls_are_errors_not_exceptions(
    feed_fetcher: FeedFetcher, url: str, error: str, failure: FeedFailure
) -> None:
    result = await feed_fetcher.fetch(FeedState(url))
    assert result.status == "error"
    assert result.error == error
    assert result.failure == failure


async def test_at_most_two_requests_per_host(
    feed_server: FeedServer, feed_client: httpx.AsyncClient
) -> None:
    fetcher = FeedFetcher(feed_client, per_host=2, global_concurrency=8)
    paths = [f"/regio-{n}.xml" for n in range(6)]
    for path in paths:
        feed_server.serve(path, feed_server.body(CP1252))
        feed_server.fault(path, delay_s=0.15)
    results = await fetcher.fetch_many([FeedState(feed_server.url(p)) for p in paths])
    assert [r.status for r in results] == ["ok"] * 6
    assert feed_server.max_in_flight == 2


async def test_global_cap_across_hosts(
    feed_server: FeedServer, feed_client: httpx.AsyncClient
) -> None:
    # Every loopback feed lives on one host, so lift the per-host cap and let
    # only the global cap bind.
    fetcher = FeedFetcher(feed_client, per_host=10, global_concurrency=3)
    paths = [f"/land-{n}.xml" for n in range(7)]
    for path in paths:
        feed_server.serve(path, feed_server.body(CP1252))
        feed_server.fault(path, delay_s=0.15)
    results = await fetcher.fetch_many([FeedState(feed_server.url(p)) for p in paths])
    assert all(r.status == "ok" for r in results)
    assert feed_server.max_in_flight == 3


async def test_fetch_many_keeps_input_order(
    feed_server: FeedServer, feed_fetcher: FeedFetcher
) -> None:
    feed_server.fault(NOS, delay_s=0.2)
    names = sorted(p.name for p in FEED_FIXTURES.glob("*.xml"))
    states = [FeedState(feed_server.url("/" + name)) for name in names]
    states.append(FeedState(feed_server.url("/bestaat-niet.xml")))
    results = await feed_fetcher.fetch_many(states)
    assert [r.url for r in results] == [s.url for s in states]
    assert [r.status for r in results[:-1]] == ["ok"] * len(names)
    assert results[-1].error == "HTTP 404"
    for name, result in zip(names, results, strict=False):
        assert result.body == (FEED_FIXTURES / name).read_bytes()
