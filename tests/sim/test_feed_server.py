"""The loopback feed server: exact bytes, validators, conditional GET, publishing, faults."""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime

import pytest

from bot.sim.feeds import FeedServer
from tests.plugin_feeds import FEED_FIXTURES

NOS = "/nos_nieuwsalgemeen_2026-10-01.xml"
CP1252 = "/windows1252.xml"


@contextmanager
def connection(server: FeedServer) -> Iterator[http.client.HTTPConnection]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        yield conn
    finally:
        conn.close()


def get(
    server: FeedServer, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    with connection(server) as conn:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_serves_fixture_bytes_with_validators(feed_server: FeedServer) -> None:
    status, headers, body = get(feed_server, NOS)
    assert status == 200
    assert body == (FEED_FIXTURES / NOS.lstrip("/")).read_bytes()
    assert headers["content-length"] == str(len(body))
    assert headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert headers["etag"].startswith('"')
    assert headers["etag"] == feed_server.etag(NOS)
    assert parsedate_to_datetime(headers["last-modified"]).tzinfo is not None


def test_content_type_follows_the_xml_declaration(feed_server: FeedServer) -> None:
    _, headers, body = get(feed_server, CP1252)
    assert headers["content-type"] == "application/rss+xml; charset=windows-1252"
    assert b"Oekra\xefne" in body


@pytest.mark.parametrize(
    "make_header",
    [
        pytest.param(lambda etag: {"If-None-Match": etag}, id="exact"),
        pytest.param(lambda etag: {"If-None-Match": f"W/{etag}"}, id="weak form"),
        pytest.param(lambda etag: {"If-None-Match": f'"other", {etag}'}, id="in a list"),
        pytest.param(lambda etag: {"If-None-Match": "*"}, id="star"),
    ],
)
def test_if_none_match_gives_304(
    feed_server: FeedServer, make_header: Callable[[str], dict[str, str]]
) -> None:
    status, headers, body = get(feed_server, NOS, make_header(feed_server.etag(NOS)))
    assert status == 304
    assert body == b""
    assert headers["etag"] == feed_server.etag(NOS)


def test_stale_etag_gets_full_body_even_with_fresh_date(feed_server: FeedServer) -> None:
    headers = {"If-None-Match": '"stale"', "If-Modified-Since": feed_server.last_modified(NOS)}
    status, _, body = get(feed_server, NOS, headers)
    assert status == 200, "If-None-Match takes precedence over If-Modified-Since"
    assert len(body) == len(feed_server.body(NOS))


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("same", 304),
        ("Fri, 31 Dec 2100 00:00:00 GMT", 304),
        ("Thu, 01 Jan 1998 00:00:00 GMT", 200),
        ("geen datum", 200),
    ],
)
def test_if_modified_since(feed_server: FeedServer, since: str, expected: int) -> None:
    value = feed_server.last_modified(NOS) if since == "same" else since
    status, _, _ = get(feed_server, NOS, {"If-Modified-Since": value})
    assert status == expected


def test_reserving_the_same_body_keeps_validators(feed_server: FeedServer) -> None:
    etag, modified = feed_server.etag(NOS), feed_server.last_modified(NOS)
    feed_server.serve(NOS, feed_server.body(NOS))
    assert (feed_server.etag(NOS), feed_server.last_modified(NOS)) == (etag, modified)


def test_publish_item_becomes_newest_and_changes_validators(feed_server: FeedServer) -> None:
    etag, modified = feed_server.etag(NOS), feed_server.last_modified(NOS)
    item = (
        "<item><title>Nieuw: Oekraïne en Rusland praten in Genève</title>"
        "<link>https://nos.nl/l/9999999</link><guid>https://nos.nl/l/9999999</guid></item>"
    )
    feed_server.publish_item(NOS, item)
    status, headers, body = get(feed_server, NOS, {"If-None-Match": etag})
    assert status == 200
    assert headers["etag"] != etag
    assert parsedate_to_datetime(headers["last-modified"]) > parsedate_to_datetime(modified)
    first_item = body.index(b"<item")
    assert body[first_item:].startswith(item.encode("utf-8"))
    assert body.count(b"<item>") == 21


def test_two_publishes_within_a_second_get_distinct_last_modified(
    feed_server: FeedServer,
) -> None:
    seen = {feed_server.last_modified(NOS)}
    for n in range(3):
        feed_server.publish_item(NOS, f"<item><title>Bericht {n}</title></item>")
        seen.add(feed_server.last_modified(NOS))
    assert len(seen) == 4


def test_publish_into_windows1252_feed_keeps_its_encoding(feed_server: FeedServer) -> None:
    feed_server.publish_item(CP1252, "<item><title>Oekraïne: ‘€ 5 miljard’ ≈ veel</title></item>")
    body = feed_server.body(CP1252)
    assert b"<title>Oekra\xefne: \x91\x80 5 miljard\x92 &#8776; veel</title>" in body
    assert body.index(b"Oekra\xefne: ") < body.index(b"luchtafweer")


def test_status_fault_for_a_number_of_times_then_recovery(feed_server: FeedServer) -> None:
    feed_server.fault(NOS, status=503, times=2, retry_after=120)
    first = get(feed_server, NOS)
    second = get(feed_server, NOS)
    third = get(feed_server, NOS)
    assert [first[0], second[0], third[0]] == [503, 503, 200]
    assert first[1]["retry-after"] == "120"
    assert third[2] == feed_server.body(NOS)


def test_permanent_fault_until_cleared(feed_server: FeedServer) -> None:
    feed_server.fault(NOS, status=500)
    assert [get(feed_server, NOS)[0] for _ in range(3)] == [500, 500, 500]
    feed_server.clear_faults()
    assert get(feed_server, NOS)[0] == 200


def test_redirect_fault(feed_server: FeedServer) -> None:
    feed_server.fault("/oud.xml", redirect_to=NOS, redirect_status=301)
    status, headers, _ = get(feed_server, "/oud.xml")
    assert status == 301
    assert headers["location"] == NOS


def test_oversized_body_fault_streams_junk_of_that_size(feed_server: FeedServer) -> None:
    status, headers, body = get(feed_server, "/groot.xml")
    assert status == 404
    feed_server.fault("/groot.xml", body_size=300_000)
    status, headers, body = get(feed_server, "/groot.xml")
    assert status == 200
    assert headers["content-length"] == "300000"
    assert len(body) == 300_000


def test_content_type_fault_serves_the_same_body(feed_server: FeedServer) -> None:
    feed_server.fault(NOS, content_type="text/html; charset=utf-8")
    status, headers, body = get(feed_server, NOS)
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body == feed_server.body(NOS)


def test_delay_fault_slows_the_answer(feed_server: FeedServer) -> None:
    feed_server.fault(NOS, delay_s=0.3, times=1)
    started = time.monotonic()
    assert get(feed_server, NOS)[0] == 200
    assert time.monotonic() - started >= 0.3


def test_head_has_headers_but_no_body(feed_server: FeedServer) -> None:
    status, headers, body = get(feed_server, NOS, method="HEAD")
    assert status == 200
    assert body == b""
    assert headers["content-length"] == str(len(feed_server.body(NOS)))


def test_records_requests_with_lower_case_headers(feed_server: FeedServer) -> None:
    get(feed_server, NOS + "?x=1", {"User-Agent": "proef/1.0"})
    [request] = feed_server.requests_for(NOS)
    assert request.path == NOS + "?x=1"
    assert request.method == "GET"
    assert request.headers["user-agent"] == "proef/1.0"


def test_keep_alive_serves_many_requests_on_one_connection(feed_server: FeedServer) -> None:
    etag = feed_server.etag(NOS)
    with connection(feed_server) as conn:
        conn.request("GET", NOS)
        conn.getresponse().read()
        first_socket = conn.sock
        started = time.perf_counter()
        for _ in range(50):
            conn.request("GET", NOS, headers={"If-None-Match": etag})
            response = conn.getresponse()
            response.read()
            assert response.status == 304
        elapsed = time.perf_counter() - started
        assert conn.sock is first_socket, "the server closed a keep-alive connection"
    assert elapsed < 0.5, f"50 conditional GETs took {elapsed:.3f} s"


def test_stop_returns_promptly_with_a_hanging_request() -> None:
    server = FeedServer().start()
    server.fault("/hangt.xml", hang=True)
    client = threading.Thread(target=lambda: _swallow(server, "/hangt.xml"), daemon=True)
    client.start()
    deadline = time.monotonic() + 2
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.0
    client.join(timeout=2)
    assert not client.is_alive()


def _swallow(server: FeedServer, path: str) -> None:
    # The server cuts the hanging request when it stops; the error is expected.
    with contextlib.suppress(http.client.HTTPException, OSError):
        get(server, path)


def test_url_needs_a_started_server_and_absolute_path() -> None:
    server = FeedServer()
    with pytest.raises(RuntimeError, match="not started"):
        server.url("/x.xml")
    with server, pytest.raises(ValueError, match="start with"):
        server.url("x.xml")
