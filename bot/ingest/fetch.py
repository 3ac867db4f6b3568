"""Polite feed fetching over one shared httpx.AsyncClient.

Conditional GETs with the stored validators, redirects followed by hand (to
count them, catch loops and remember permanent moves), bodies streamed and
capped, a total deadline per feed, a global concurrency cap and at most a few
requests per host at a time. Network and HTTP trouble never raises: it comes
back as a ``FetchResult`` with ``status="error"``, a :class:`FeedFailure` (a key
with parameters, which admins read in Dutch) and its short English text.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx

from bot import __version__
from bot.config import FetchConfig
from bot.core.clock import Clock
from bot.core.feed_failure import FailureKey, FeedFailure
from bot.ingest.decompress import ACCEPT_ENCODING, BodyDecoder
from bot.ingest.feedstate import FeedState
from bot.ingest.schedule import (
    ServerHints,
    hints_from_response,
)

log = logging.getLogger(__name__)

FetchStatus = Literal["ok", "not_modified", "error"]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_DEADLINE_S = 20.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_GLOBAL_CONCURRENCY = 8
DEFAULT_PER_HOST = 2

# Feed servers that content-negotiate should pick a feed format; anything else
# still comes back so the parser can say what it got.
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_PERMANENT_REDIRECTS = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one feed poll.

    ``url`` is the configured feed URL (the state key). ``headers`` has
    lower-case names. ``permanent_redirect_to`` is set when every redirect hop
    from the requested URL was a 301/308, so the final URL can be remembered.
    ``elapsed_s`` is the wall time of the whole fetch, waiting for slots included.
    A failed fetch has ``failure`` and ``error``, its English text (logs, CLI).
    """

    url: str
    status: FetchStatus
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    permanent_redirect_to: str | None = None
    hints: ServerHints = field(default_factory=ServerHints)
    error: str | None = None
    failure: FeedFailure | None = None
    retry_after: timedelta | None = None
    http_status: int | None = None
    elapsed_s: float = 0.0

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


class FetchFailedError(Exception):
    """Internal: a fetch failed for a reason worth reporting as it is."""

    def __init__(self, failure: FeedFailure) -> None:
        super().__init__(failure.english)
        self.failure = failure


def default_user_agent(contact_url: str, product: str = f"nieuwsbot/{__version__}") -> str:
    """A User-Agent that names the bot and where its operator can be reached."""
    return f"{product} (+{contact_url})"


def make_client(
    user_agent: str,
    contact_url: str,
    *,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    deadline_s: float = DEFAULT_DEADLINE_S,
    max_connections: int = 32,
) -> httpx.AsyncClient:
    """The shared client for feed polling. The caller closes it (``aclose``).

    ``user_agent`` is a product token such as ``nieuwsbot/0.1``; the contact URL
    is appended the way crawlers do: ``nieuwsbot/0.1 (+https://…)``.
    """
    return httpx.AsyncClient(
        headers={
            "User-Agent": default_user_agent(contact_url, product=user_agent),
            "Accept": _ACCEPT,
            # Only what _read_capped can decode in bounded steps.
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        timeout=httpx.Timeout(deadline_s, connect=connect_timeout_s),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        follow_redirects=False,
        # Honour HTTP(S)_PROXY and SSL_CERT_FILE of the host; httpx 0.28 reads
        # no .netrc unless asked, so no credentials leak to feed servers.
        trust_env=True,
    )


class FeedFetcher:
    """Fetches feeds politely. One instance per shared client, reused every cycle."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        deadline_s: float = DEFAULT_DEADLINE_S,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        global_concurrency: int = DEFAULT_GLOBAL_CONCURRENCY,
        per_host: int = DEFAULT_PER_HOST,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if min(max_bytes, global_concurrency, per_host) < 1 or max_redirects < 0:
            raise ValueError("fetch limits must be positive")
        if deadline_s <= 0 or connect_timeout_s <= 0:
            raise ValueError("timeouts must be positive")
        self._client = client
        self.max_bytes = max_bytes
        self.deadline_s = deadline_s
        self.max_redirects = max_redirects
        self.per_host = per_host
        self._now = now
        # The read timeout is the deadline too: asyncio.timeout below is what
        # really bounds a feed that drips a byte a second.
        self._timeout = httpx.Timeout(deadline_s, connect=connect_timeout_s)
        self._global = asyncio.Semaphore(global_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def fetch_many(self, states: Sequence[FeedState]) -> list[FetchResult]:
        """Fetch all feeds concurrently (within the caps); results in input order."""
        return list(await asyncio.gather(*(self.fetch(state) for state in states)))

    async def fetch(self, state: FeedState) -> FetchResult:
        """Poll one feed. Never raises: whatever goes wrong is this feed's error result."""
        started = time.monotonic()
        try:
            result = await self._fetch_following_redirects(state)
        except Exception as exc:
            # A server can send anything (a header that is not ASCII, a number too
            # large for a timedelta): one feed's surprise must not stop the cycle.
            log.exception("fetch %s failed unexpectedly", state.url)
            unexpected = FeedFailure(FailureKey.UNEXPECTED, {"exception": type(exc).__name__})
            result = self._error(state, state.fetch_url, unexpected)
        result = replace(result, elapsed_s=time.monotonic() - started)
        if result.status == "error":
            log.info("fetch %s failed: %s", state.url, result.error)
        else:
            log.debug("fetch %s: %s in %.3f s", state.url, result.status, result.elapsed_s)
        return result

    async def _fetch_following_redirects(self, state: FeedState) -> FetchResult:
        url = state.fetch_url
        seen = {url}
        permanent_so_far = True
        permanent_target: str | None = None
        # The deadline covers time spent talking to servers, not time queued
        # behind other feeds of the same host or the global cap.
        budget = self.deadline_s
        for _hop in range(self.max_redirects + 1):
            try:
                request_url = _checked_url(url)
                async with self._host_slot(request_url), self._global:
                    hop_started = time.monotonic()
                    try:
                        async with asyncio.timeout(budget):
                            outcome = await self._request_once(state, request_url)
                    finally:
                        budget -= time.monotonic() - hop_started
            except TimeoutError:
                return self._error(state, url, _timeout(self.deadline_s))
            except FetchFailedError as exc:
                return self._error(state, url, exc.failure)
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
                return self._error(state, url, describe_error(exc, self.deadline_s))

            if isinstance(outcome, FetchResult):
                if permanent_target is None:
                    return outcome
                return replace(outcome, permanent_redirect_to=permanent_target)
            status, next_url = outcome
            if next_url in seen:
                return self._error(state, url, FeedFailure(FailureKey.REDIRECT_LOOP))
            seen.add(next_url)
            # Only an unbroken chain of permanent moves may replace the stored URL.
            permanent_so_far = permanent_so_far and status in _PERMANENT_REDIRECTS
            if permanent_so_far:
                permanent_target = next_url
            url = next_url
        return self._error(state, url, FeedFailure(FailureKey.TOO_MANY_REDIRECTS))

    async def _request_once(
        self, state: FeedState, request_url: httpx.URL
    ) -> FetchResult | tuple[int, str]:
        """One GET. Returns a redirect as (status, absolute target), else the result."""
        async with self._client.stream(
            "GET",
            request_url,
            headers=_conditional_headers(state),
            timeout=self._timeout,
            follow_redirects=False,
        ) as response:
            if response.has_redirect_location:
                target = response.url.join(response.headers["location"])
                return response.status_code, str(target)
            headers = {name.lower(): value for name, value in response.headers.items()}
            now = self._now()
            base = FetchResult(
                url=state.url,
                status="error",
                headers=headers,
                etag=_validator(headers.get("etag")),
                last_modified=_validator(headers.get("last-modified")),
                final_url=str(response.url),
                http_status=response.status_code,
            )
            if response.status_code == 304:
                hints = hints_from_response(headers, None, now)
                return replace(base, status="not_modified", hints=hints)
            if not 200 <= response.status_code < 300:
                hints = hints_from_response(headers, None, now)
                failure = FeedFailure(FailureKey.HTTP_STATUS, {"status": str(response.status_code)})
                return replace(
                    base,
                    error=failure.english,
                    failure=failure,
                    hints=hints,
                    retry_after=hints.retry_after,
                )
            body = await self._read_capped(response)
            hints = hints_from_response(headers, body, now)
            return replace(base, status="ok", body=body, hints=hints)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        too_big = FeedFailure(FailureKey.BODY_TOO_LARGE, {"limit": _size(self.max_bytes)})
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchFailedError(too_big)
        chunks: list[bytes] = []
        received = raw_received = 0

        def keep(decoded: Iterable[bytes]) -> None:
            nonlocal received
            for chunk in decoded:
                received += len(chunk)
                if received > self.max_bytes:
                    raise FetchFailedError(too_big)
                chunks.append(chunk)

        # Raw bytes, decoded here in bounded steps: the cap holds on the
        # decompressor's output, so a gzip bomb stops at the cap.
        decoder = BodyDecoder(response.headers.get_list("content-encoding", split_commas=True))
        async for raw in response.aiter_raw():
            raw_received += len(raw)
            if raw_received > self.max_bytes:
                raise FetchFailedError(too_big)
            keep(decoder.decode(raw))
        keep(decoder.finish())
        return b"".join(chunks)

    def _host_slot(self, url: httpx.URL) -> asyncio.Semaphore:
        key = f"{url.scheme}://{url.host}:{url.port or ''}"
        slot = self._hosts.get(key)
        if slot is None:
            slot = self._hosts[key] = asyncio.Semaphore(self.per_host)
        return slot

    def _error(self, state: FeedState, url: str, failure: FeedFailure) -> FetchResult:
        return FetchResult(
            url=state.url, status="error", final_url=url, error=failure.english, failure=failure
        )


def describe_error(exc: BaseException, deadline_s: float) -> FeedFailure:
    """Why a request failed, as a key (its English text goes to logs, Dutch to admins)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return FeedFailure(FailureKey.CONNECT_TIMEOUT)
    if isinstance(exc, httpx.TimeoutException):
        return _timeout(deadline_s)
    if isinstance(exc, httpx.ConnectError):
        # httpx wraps the socket error (via httpcore and anyio); the cause chain
        # says what actually went wrong.
        causes = list(_cause_chain(exc))
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return FeedFailure(FailureKey.CONNECTION_REFUSED)
        if any(isinstance(c, socket.gaierror) for c in causes):
            return FeedFailure(FailureKey.HOST_NOT_FOUND)
        if any(isinstance(c, ssl.SSLError) for c in causes):
            return FeedFailure(FailureKey.TLS_ERROR)
        return FeedFailure(FailureKey.CONNECTION_FAILED)
    if isinstance(exc, httpx.RemoteProtocolError):
        return FeedFailure(FailureKey.CONNECTION_CLOSED)
    if isinstance(exc, httpx.DecodingError):
        return FeedFailure(FailureKey.UNDECODABLE_ENCODING)
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return FeedFailure(FailureKey.INVALID_URL)
    name = {"exception": type(exc).__name__}
    if isinstance(exc, httpx.HTTPError | httpx.StreamError):
        return FeedFailure(FailureKey.HTTP_FAILURE, name)
    return FeedFailure(FailureKey.NETWORK_ERROR, name)


def _timeout(deadline_s: float) -> FeedFailure:
    return FeedFailure(FailureKey.TIMEOUT, {"seconds": _seconds(deadline_s)})


def _cause_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _checked_url(url: str) -> httpx.URL:
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https"):
        raise FetchFailedError(
            FeedFailure(FailureKey.UNSUPPORTED_SCHEME, {"scheme": parsed.scheme})
        )
    return parsed


def _conditional_headers(state: FeedState) -> dict[str, str]:
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _seconds(value: float) -> str:
    return f"{value:g}"


def _size(n_bytes: int) -> str:
    mib = n_bytes / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{n_bytes} bytes"


def _validator(value: str | None) -> str | None:
    """An ETag/Last-Modified we can send back: HTTP headers are ASCII (a stored
    non-ASCII validator would make every later conditional request fail)."""
    return value if value and value.isascii() else None


def make_fetcher(config: FetchConfig, clock: Clock) -> tuple[httpx.AsyncClient, FeedFetcher]:
    """The shared feed HTTP client (the caller closes it) and a fetcher using it."""
    client = make_client(
        f"nieuwsbot/{__version__}", config.contact_url, deadline_s=config.timeout_seconds
    )
    fetcher = FeedFetcher(
        client,
        max_bytes=config.max_bytes,
        deadline_s=config.timeout_seconds,
        global_concurrency=config.concurrency,
        now=clock,
    )
    return client, fetcher
