"""The HTTP edges of the fake Bot API: the server PTB talks to, the webhook client.

:class:`Server` is a stdlib ``ThreadingHTTPServer`` on 127.0.0.1 speaking
HTTP/1.1 with keep-alive; its handler only moves bytes and leaves every
decision to :meth:`BotApi.handle_request` (``FakeTelegram``). A 502 answer
gets nginx's HTML page instead of JSON, as from the real front end.
:func:`post_update` delivers one update to a webhook the way Telegram does.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

__all__ = ["BotApi", "Server", "post_update"]

# Logged under the fake's name, so log filters on ``bot.sim.telegram`` still apply.
_LOG = logging.getLogger("bot.sim.telegram")

JsonDict = dict[str, Any]


class BotApi(Protocol):
    """What the HTTP layer needs from the fake: one answer per request."""

    def handle_request(self, path: str, content_type: str, body: bytes) -> tuple[int, JsonDict]:
        """Answer one request with an HTTP status and a JSON envelope."""
        ...


def post_update(url: str, update: JsonDict, secret: str | None) -> tuple[int | None, str | None]:
    """POST one update to a webhook; returns (HTTP status, error text)."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, json.dumps(update).encode("utf-8"), headers)
        response = connection.getresponse()
        response.read()
    except OSError as exc:
        return None, f"Connection failed: {exc}"
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status, None
    return response.status, f"Wrong response from the webhook: {response.status} {response.reason}"


_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


class Server(ThreadingHTTPServer):
    """The fake's HTTP server on a free 127.0.0.1 port, one thread per connection."""

    daemon_threads = True

    def __init__(self, fake: BotApi) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A bot that hangs up mid-answer (a read timeout in a test) is routine
        # here; socketserver would print its traceback to stderr.
        _LOG.debug("fake Bot API: connection from %s ended abruptly", client_address, exc_info=True)

    def drop_connections(self) -> None:
        """End idle keep-alive connections so their handler threads exit."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeTelegram/1.0"
    server: Server

    def setup(self) -> None:
        super().setup()
        # One write per response and no Nagle delay: keep-alive round trips stay
        # sub-millisecond, which the 25 msg/s benchmarks rely on.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.track(self.connection, open_=False)
        with contextlib.suppress(OSError):  # client went away mid-answer
            super().finish()

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        self._serve(self._read_body())

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self, body: bytes) -> None:
        try:
            status, envelope = self.server.fake.handle_request(
                self.path, self.headers.get("Content-Type", ""), body
            )
        except Exception:
            _LOG.exception("fake Telegram failed on %s", self.path)
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            envelope = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        if status == HTTPStatus.BAD_GATEWAY:
            payload, content_type = _BAD_GATEWAY_HTML, "text/html"
        else:
            payload = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
            content_type = "application/json"
        connection = "close" if self.close_connection else "keep-alive"
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            f"Server: {self.server_version}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(payload)}\r\n"
            f"Connection: {connection}\r\n\r\n"
        )
        try:
            self.wfile.write(head.encode("latin-1") + payload)
        except OSError:
            self.close_connection = True  # the client gave up (timeout, cancelled poll)

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("fake Telegram: " + format, *args)
