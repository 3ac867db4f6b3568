"""Content-Encoding decoding in bounded steps, so a size cap holds before bytes exist.

httpx decodes gzip and deflate in ``aiter_bytes`` with one unbounded
``decompress`` per network chunk: a 64 KB chunk of a gzip bomb becomes 64 MB
at once, before any cap can look at it. Here every step of the inflater is
limited to ``STEP_BYTES`` of output, and the decoded chunks come out of a lazy
iterator: a caller that stops reading at its cap stops the decompression too.

Encodings are those httpx knows without optional packages (gzip, x-gzip,
deflate as a zlib stream or raw, identity); unknown names pass the bytes
through unchanged, as httpx does. Broken data raises ``httpx.DecodingError``
like httpx, so callers keep one error path.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence

import httpx

# The Accept-Encoding to send: exactly what this module decodes.
ACCEPT_ENCODING = "gzip, deflate"
# Largest decoded chunk one inflater step may produce.
STEP_BYTES = 64 * 1024

_GZIP_WBITS = zlib.MAX_WBITS | 16


class _Inflater:
    """One zlib layer (gzip, or deflate with httpx's raw-stream fallback)."""

    def __init__(self, *, gzip: bool) -> None:
        self._gzip = gzip
        self._inflater = zlib.decompressobj(_GZIP_WBITS if gzip else zlib.MAX_WBITS)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while pending and not self._inflater.eof:
            step = self._step(pending)
            if step:
                yield step
            pending = self._inflater.unconsumed_tail
        # Output can wait inside zlib when the last step filled its limit.
        yield from self._drain()

    def finish(self) -> Iterator[bytes]:
        yield from self._drain()
        try:
            rest = self._inflater.flush()
        except zlib.error as exc:  # pragma: no cover - flush rarely finds new faults
            raise httpx.DecodingError(str(exc)) from exc
        if rest:
            yield rest

    def _drain(self) -> Iterator[bytes]:
        while not self._inflater.eof:
            step = self._step(b"")
            if not step:
                return
            yield step

    def _step(self, data: bytes) -> bytes:
        try:
            out = self._inflater.decompress(data, STEP_BYTES)
        except zlib.error as exc:
            if self._gzip or self._started:
                raise httpx.DecodingError(str(exc)) from exc
            # "deflate" is meant as a zlib stream, but some servers send raw
            # deflate: retry the first bytes that way (as httpx does).
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            self._started = True
            return self._step(data)
        self._started = self._started or bool(data)
        return out


class BodyDecoder:
    """Decodes a response body with the given Content-Encoding values, lazily.

    ``decode`` and ``finish`` return iterators of chunks of at most
    ``STEP_BYTES``; nothing is decompressed beyond what the caller reads.
    """

    def __init__(self, content_encodings: Sequence[str]) -> None:
        layers: list[_Inflater] = []
        for value in content_encodings:
            name = value.strip().lower()
            if name in ("gzip", "x-gzip"):
                layers.append(_Inflater(gzip=True))
            elif name == "deflate":
                layers.append(_Inflater(gzip=False))
        # Encodings are listed in the order they were applied: undo the last first.
        self._layers = layers[::-1]

    def decode(self, raw: bytes) -> Iterator[bytes]:
        return _through(self._layers, (raw,))

    def finish(self) -> Iterator[bytes]:
        for index, layer in enumerate(self._layers):
            yield from _through(self._layers[index + 1 :], layer.finish())


def _through(layers: Sequence[_Inflater], chunks: Iterable[bytes]) -> Iterator[bytes]:
    for layer in layers:
        chunks = _decoded_by(layer, chunks)
    for chunk in chunks:
        if chunk:
            yield chunk


def _decoded_by(layer: _Inflater, chunks: Iterable[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        yield from layer.decode(chunk)
