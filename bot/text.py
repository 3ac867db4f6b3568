"""Dutch text helpers shared by ingest, tagging, matching and handlers."""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACE_RE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case- and accent-fold: ``Oekraïense`` -> ``oekraiense``.

    Strips combining marks after NFKD, removes zero-width characters and
    collapses whitespace. Length may change (ligatures), so never use offsets of
    the folded text on the original.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_ZERO_WIDTH))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE_RE.sub(" ", stripped.casefold()).strip()
