"""Compressed feed bodies: decoded in bounded steps, a bomb stopped before it is in memory.

The bomb is 200 MiB of spaces behind a 200 KB gzip body, served by the loopback
feed server; the fetch must fail at the 5 MiB cap having allocated little more
than the cap itself.
"""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Callable

import pytest

from bot.ingest.decompress import STEP_BYTES, BodyDecoder
from bot.ingest.feedstate import FeedState
from bot.ingest.fetch import FeedFetcher
from bot.sim.feeds import FeedServer

FEED = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
    + b"<item><title>Oekra\xc3\xafne</title></item>" * 200
    + b"</channel></rss>"
)
BOMB_MIB = 200


def deflate_zlib(data: bytes) -> bytes:
    return zlib.compress(data)


def deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def gzip_then_deflate(data: bytes) -> bytes:
    return zlib.compress(gzip.compress(data))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    chunk = b" " * (1024 * 1024)
    parts = [packer.compress(b"<rss>")]
    parts.extend(packer.compress(chunk) for _ in range(BOMB_MIB))
    parts.append(packer.flush())
    return b"".join(parts)


ENCODED: list[tuple[str, str, Callable[[bytes], bytes]]] = [
    ("gzip", "gzip", gzip.compress),
    ("x-gzip", "x-gzip", gzip.compress),
    ("upper case", "GZIP", gzip.compress),
    ("deflate as zlib stream", "deflate", deflate_zlib),
    ("deflate as raw stream", "deflate", deflate_raw),
    ("two encodings in order", "gzip, deflate", gzip_then_deflate),
    ("identity", "identity", lambda data: data),
    ("unknown encoding passes through", "utf-8", lambda data: data),
]


@pytest.mark.parametrize(
    ("header", "encode"), [(h, e) for _, h, e in ENCODED], ids=[n for n, _, _ in ENCODED]
)
async def test_encoded_feeds_arrive_decoded(
    feed_server: FeedServer,
    feed_fetcher: FeedFetcher,
    header: str,
    encode: Callable[[bytes], bytes],
) -> None:
    feed_server.serve("/enc.xml", encode(FEED), headers={"Content-Encoding": header})
    result = await feed_fetcher.fetch(FeedState(url=feed_server.url("/enc.xml")))
    assert result.status == "ok", result.error
    assert result.body == FEED


async def test_a_feed_of_exactly_the_cap_after_decoding_is_accepted(
    feed_server: FeedServer, feed_fetcher: FeedFetcher
) -> None:
    body = b"<rss>" + b" " * (feed_fetcher.max_bytes - 5)
    feed_server.serve("/cap.xml", gzip.compress(body), headers={"Content-Encoding": "gzip"})
    result = await feed_fetcher.fetch(FeedState(url=feed_server.url("/cap.xml")))
    assert result.status == "ok"
    assert result.body == body


async def test_gzip_bomb_is_stopped_before_it_is_decoded_into_memory(
    feed_server: FeedServer, feed_fetcher: FeedFetcher, bomb: bytes
) -> None:
    feed_server.serve("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        result = await feed_fetcher.fetch(FeedState(url=feed_server.url("/bomb.xml")))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "body larger than 5 MiB"
    assert peak < 20 * 1024 * 1024, f"{peak / 2**20:.0f} MiB allocated during the fetch"


async def test_a_bomb_inside_two_layers_is_stopped_too(
    feed_server: FeedServer, feed_fetcher: FeedFetcher, bomb: bytes
) -> None:
    feed_server.serve("/bomb2.xml", gzip.compress(bomb), headers={"Content-Encoding": "gzip, gzip"})
    tracemalloc.start()
    try:
        result = await feed_fetcher.fetch(FeedState(url=feed_server.url("/bomb2.xml")))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "body larger than 5 MiB"
    assert peak < 20 * 1024 * 1024, f"{peak / 2**20:.0f} MiB allocated during the fetch"


async def test_corrupt_gzip_is_an_error(feed_server: FeedServer, feed_fetcher: FeedFetcher) -> None:
    feed_server.serve(
        "/bad.xml", b"\x1f\x8b\x08\x00garbage-not-gzip", headers={"Content-Encoding": "gzip"}
    )
    result = await feed_fetcher.fetch(FeedState(url=feed_server.url("/bad.xml")))
    assert result.status == "error"
    assert result.error == "undecodable content encoding"


async def test_only_decodable_encodings_are_asked_for(
    feed_server: FeedServer, feed_fetcher: FeedFetcher
) -> None:
    feed_server.serve("/plain.xml", FEED)
    await feed_fetcher.fetch(FeedState(url=feed_server.url("/plain.xml")))
    (request,) = feed_server.requests_for("/plain.xml")
    assert request.headers["accept-encoding"] == "gzip, deflate"


# --- the decoder on its own ---------------------------------------------------------


def test_decoder_output_comes_in_bounded_chunks_and_is_complete() -> None:
    original = bytes(range(256)) * 40_000 + b" " * 3_000_000
    decoder = BodyDecoder(["gzip"])
    encoded = gzip.compress(original)
    chunks = [
        c for i in range(0, len(encoded), 4096) for c in decoder.decode(encoded[i : i + 4096])
    ]
    chunks.extend(decoder.finish())
    assert b"".join(chunks) == original
    assert max(len(c) for c in chunks) <= STEP_BYTES


def test_decoder_inflates_only_what_is_read(bomb: bytes) -> None:
    tracemalloc.start()
    try:
        first = next(BodyDecoder(["gzip"]).decode(bomb))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first.startswith(b"<rss>")
    assert peak < 2 * 1024 * 1024


def test_trailing_bytes_after_the_gzip_stream_are_ignored() -> None:
    decoder = BodyDecoder(["gzip"])
    decoded = b"".join(decoder.decode(gzip.compress(b"<rss/>") + b"\x00" * 100_000))
    assert decoded + b"".join(decoder.finish()) == b"<rss/>"
