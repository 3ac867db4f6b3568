"""A feed server on 127.0.0.1 for tests, benchmarks and the console mode.

It serves byte-exact feed documents with a strong ETag and a Last-Modified,
answers conditional GETs with 304, lets a test publish a new item while it
runs, and injects the faults real feed servers produce: error statuses,
slowness, hangs, redirect chains and loops, oversized bodies and wrong content
types. Standard library only, so the console mode can use it without extras.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

DEFAULT_CONTENT_TYPE = "application/rss+xml; charset=utf-8"

_ENCODING_RE = re.compile(rb"""<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_FIRST_ITEM_RE = re.compile(rb"<item[\s>]")
_CHANNEL_END_RE = re.compile(rb"</channel\s*>")
_JUNK_CHUNK = b"x" * (64 * 1024)
# What socketserver hands a server: a stream socket (or a datagram pair, never here).
_Request = socket.socket | tuple[bytes, socket.socket]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server saw it; ``time`` is ``time.monotonic()`` on arrival."""

    path: str
    method: str
    headers: dict[str, str]
    time: float


@dataclass(slots=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime
    extra_headers: dict[str, str]


@dataclass(slots=True)
class _Fault:
    status: int | None
    times: int | None
    delay_s: float
    redirect_to: str | None
    redirect_status: int
    body_size: int | None
    content_type: str | None
    retry_after: int | None
    hang: bool


@dataclass(slots=True)
class _Counters:
    in_flight: int = 0
    max_in_flight: int = 0
    connections: set[socket.socket] = field(default_factory=set)


class FeedServer:
    """Serve feeds on ``127.0.0.1`` at an ephemeral port.

    Use as a context manager or call ``start()``/``stop()``. All methods are
    thread-safe; configuration may change while requests are being served.
    """

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._resources: dict[str, _Resource] = {}
        self._faults: dict[str, _Fault] = {}
        self._counters = _Counters()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.requests: list[RecordedRequest] = []

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError("feed server already started")
        self._stopping.clear()
        httpd = _Server(("127.0.0.1", 0), self)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="feed-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        # Wake handlers sleeping in a delay or hang fault, then cut idle keep-alive
        # connections so no handler thread outlives the server.
        self._stopping.set()
        httpd.shutdown()
        with self._lock:
            open_connections = list(self._counters.connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("feed server not started")
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` (which starts with ``/``) on this server."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        return f"http://127.0.0.1:{self.port}{path}"

    # -- content -----------------------------------------------------------

    def serve(
        self,
        path: str,
        body: bytes,
        content_type: str = DEFAULT_CONTENT_TYPE,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Serve ``body`` at ``path``; ETag and Last-Modified change only if the body does.

        ``headers`` adds response headers such as Cache-Control or Content-Encoding.
        """
        with self._lock:
            old = self._resources.get(path)
            etag = _strong_etag(body)
            if old is not None and old.etag == etag:
                modified = old.last_modified
            else:
                modified = self._next_last_modified(old)
            self._resources[path] = _Resource(
                body=body,
                content_type=content_type,
                etag=etag,
                last_modified=modified,
                extra_headers=dict(headers or {}),
            )

    def serve_file(self, path: str, file: str | Path, content_type: str | None = None) -> None:
        """Serve a file's bytes; the charset is taken from its XML declaration."""
        body = Path(file).read_bytes()
        self.serve(path, body, content_type or _guess_content_type(Path(file), body))

    def serve_dir(self, directory: str | Path, prefix: str = "/") -> list[str]:
        """Serve every file of ``directory`` at ``prefix + name``; returns the paths."""
        paths = []
        for file in sorted(Path(directory).iterdir()):
            if file.is_file() and not file.name.startswith("."):
                path = prefix.rstrip("/") + "/" + file.name
                self.serve_file(path, file)
                paths.append(path)
        return paths

    def body(self, path: str) -> bytes:
        with self._lock:
            return self._resources[path].body

    def etag(self, path: str) -> str:
        with self._lock:
            return self._resources[path].etag

    def last_modified(self, path: str) -> str:
        with self._lock:
            return _http_date(self._resources[path].last_modified)

    def publish_item(self, path: str, item_xml: str) -> None:
        """Insert ``item_xml`` before the first ``<item>`` so it becomes the newest.

        The text is encoded in the feed's declared encoding (characters it cannot
        hold become character references), so a windows-1252 feed stays valid.
        """
        with self._lock:
            resource = self._resources[path]
        body = resource.body
        declared = _ENCODING_RE.search(body[:200])
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
        item = item_xml.strip().encode(encoding, errors="xmlcharrefreplace")
        anchor = _FIRST_ITEM_RE.search(body) or _CHANNEL_END_RE.search(body)
        if anchor is None:
            raise ValueError(f"{path} has neither <item> nor </channel> to publish into")
        at = anchor.start()
        new_body = body[:at] + item + b"\n    " + body[at:]
        self.serve(path, new_body, resource.content_type, headers=resource.extra_headers)

    def remove(self, path: str) -> None:
        with self._lock:
            self._resources.pop(path, None)

    # -- faults ------------------------------------------------------------

    def fault(
        self,
        path: str,
        *,
        status: int | None = None,
        times: int | None = None,
        delay_s: float = 0,
        redirect_to: str | None = None,
        redirect_status: int = 302,
        body_size: int | None = None,
        content_type: str | None = None,
        retry_after: int | None = None,
        hang: bool = False,
    ) -> None:
        """Misbehave on requests for ``path`` (the next ``times`` ones, or all if None).

        In order: wait ``delay_s``; ``hang`` until the server stops; redirect to
        ``redirect_to`` (a path or an absolute URL); answer ``status`` (with
        ``retry_after`` seconds); stream ``body_size`` bytes of junk. Faults with
        only a delay or a ``content_type`` then serve the normal content.
        """
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        with self._lock:
            self._faults[path] = _Fault(
                status=status,
                times=times,
                delay_s=delay_s,
                redirect_to=redirect_to,
                redirect_status=redirect_status,
                body_size=body_size,
                content_type=content_type,
                retry_after=retry_after,
                hang=hang,
            )

    def clear_faults(self, path: str | None = None) -> None:
        with self._lock:
            if path is None:
                self._faults.clear()
            else:
                self._faults.pop(path, None)

    # -- observations ------------------------------------------------------

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in list(self.requests) if urlsplit(r.path).path == path]

    @property
    def max_in_flight(self) -> int:
        """The most requests that were being handled at the same moment."""
        with self._lock:
            return self._counters.max_in_flight

    def reset_observations(self) -> None:
        with self._lock:
            self.requests.clear()
            self._counters.max_in_flight = self._counters.in_flight

    # -- request handling (server threads) ---------------------------------

    def _next_last_modified(self, old: _Resource | None) -> datetime:
        # HTTP dates have one-second resolution; bump past the previous value so
        # two changes within a second still get distinct Last-Modified values.
        now = self._clock().astimezone(UTC).replace(microsecond=0)
        if old is not None and now <= old.last_modified:
            return old.last_modified + timedelta(seconds=1)
        return now

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            fault = self._faults.get(path)
            if fault is not None and fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    del self._faults[path]
            return fault

    def _track(self, conn: socket.socket, *, opened: bool) -> None:
        with self._lock:
            if opened:
                self._counters.connections.add(conn)
            else:
                self._counters.connections.discard(conn)

    def _handle(self, handler: _Handler, *, head: bool) -> None:
        self.requests.append(
            RecordedRequest(
                path=handler.path,
                method=handler.command,
                headers={k.lower(): v for k, v in handler.headers.items()},
                time=time.monotonic(),
            )
        )
        with self._lock:
            self._counters.in_flight += 1
            self._counters.max_in_flight = max(
                self._counters.max_in_flight, self._counters.in_flight
            )
        try:
            self._respond(handler, head=head)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (timeout, size cap); nothing left to tell it.
            handler.close_connection = True
        finally:
            with self._lock:
                self._counters.in_flight -= 1

    def _respond(self, handler: _Handler, *, head: bool) -> None:
        path = urlsplit(handler.path).path
        fault = self._take_fault(path)
        if fault is not None:
            if fault.delay_s > 0 and self._stopping.wait(fault.delay_s):
                handler.close_connection = True
                return
            if fault.hang:
                self._stopping.wait()
                handler.close_connection = True
                return
            if fault.redirect_to is not None:
                _send(handler, fault.redirect_status, b"", {"Location": fault.redirect_to}, head)
                return
            if fault.status is not None:
                extra = {"Content-Type": "text/plain; charset=utf-8"}
                if fault.retry_after is not None:
                    extra["Retry-After"] = str(fault.retry_after)
                _send(handler, fault.status, f"HTTP {fault.status}\n".encode(), extra, head)
                return
            if fault.body_size is not None:
                _send_junk(handler, fault.body_size, fault.content_type, head)
                return

        with self._lock:
            resource = self._resources.get(path)
        if resource is None:
            extra = {"Content-Type": "text/plain; charset=utf-8"}
            _send(handler, 404, b"not found\n", extra, head)
            return

        validators = {
            "ETag": resource.etag,
            "Last-Modified": _http_date(resource.last_modified),
            **resource.extra_headers,
        }
        if _not_modified(handler, resource):
            validators.pop("Content-Encoding", None)
            _send(handler, 304, None, validators, head)
            return
        content_type = fault.content_type if fault and fault.content_type else None
        headers = {"Content-Type": content_type or resource.content_type, **validators}
        _send(handler, 200, resource.body, headers, head)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many short keep-alive connections in a benchmark; a deeper backlog avoids
    # SYN retries that would show up as one-second stalls.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], owner: FeedServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def process_request(self, request: _Request, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            self.owner._track(request, opened=True)
        super().process_request(request, client_address)

    def shutdown_request(self, request: _Request) -> None:
        if isinstance(request, socket.socket):
            self.owner._track(request, opened=False)
        super().shutdown_request(request)

    def handle_error(self, request: _Request, client_address: Any) -> None:
        # A client that hangs up mid-answer (a fetch deadline, a size cap) is
        # routine here; socketserver would print its traceback to stderr.
        log.debug("feed server: connection from %s ended abruptly", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle
    # plus delayed ACK can stall each keep-alive response by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self.server.owner._handle(self, head=False)

    def do_HEAD(self) -> None:
        self.server.owner._handle(self, head=True)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: tests assert on ``FeedServer.requests`` instead of stderr."""


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes | None,
    headers: dict[str, str],
    head: bool,
) -> None:
    """Write a complete response. ``body=None`` means a bodiless status (304)."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if body is not None:
        # Always framed by Content-Length so keep-alive connections stay usable.
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body and not head:
        handler.wfile.write(body)


def _send_junk(
    handler: BaseHTTPRequestHandler, size: int, content_type: str | None, head: bool
) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type or DEFAULT_CONTENT_TYPE)
    handler.send_header("Content-Length", str(size))
    handler.end_headers()
    if head:
        return
    remaining = size
    while remaining > 0:
        chunk = _JUNK_CHUNK[: min(remaining, len(_JUNK_CHUNK))]
        handler.wfile.write(chunk)
        remaining -= len(chunk)


def _not_modified(handler: BaseHTTPRequestHandler, resource: _Resource) -> bool:
    if_none_match = handler.headers.get("If-None-Match")
    if if_none_match is not None:
        # RFC 9110: If-None-Match takes precedence and uses weak comparison.
        return any(
            tag == "*" or _weak(tag) == _weak(resource.etag) for tag in _split_etags(if_none_match)
        )
    if_modified_since = handler.headers.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since >= resource.last_modified


def _split_etags(header: str) -> Iterable[str]:
    return (part.strip() for part in header.split(",") if part.strip())


def _weak(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def _strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _guess_content_type(file: Path, body: bytes) -> str:
    suffix = file.suffix.lower()
    if suffix in (".html", ".htm"):
        return "text/html; charset=utf-8"
    if suffix == ".json":
        return "application/json"
    if suffix in (".xml", ".rss", ".atom"):
        declared = _ENCODING_RE.search(body[:200])
        charset = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        kind = "atom+xml" if b"<feed" in body[:2000] else "rss+xml"
        return f"application/{kind}; charset={charset}"
    return "application/octet-stream"
