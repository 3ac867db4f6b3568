"""Canonical links and stable item ids.

The same story reaches us with different tracking decorations (newsletters add
``utm_*``, social media ``fbclid``); stripping them keeps one link per story and
makes the link usable as an identity when a feed has no guid.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit

# Only parameters that exist purely for tracking. Generic names such as ``ref``
# or ``source`` are left alone: some sites route on them.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
        "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
        "wickedid", "li_fat_id", "s_kwcid", "ef_id",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def canonical_link(url: str) -> str:
    """The link without tracking parameters, fragment and default port.

    Scheme and host are lower-cased; the path and the remaining parameters
    keep their order and encoding. Anything that is not an http(s) URL comes
    back stripped but otherwise unchanged.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # malformed netloc or port
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname  # already lower-cased by urlsplit
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    if port is not None and str(port) != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((scheme, netloc, parts.path or "/", _strip_tracking(parts.query), ""))


def _strip_tracking(query: str) -> str:
    if not query:
        return ""
    kept = [
        pair
        for pair in query.split("&")
        if pair and not _is_tracking(pair.partition("=")[0].lower())
    ]
    return "&".join(kept)


def _is_tracking(name: str) -> bool:
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def item_id(*, guid: str | None, link: str | None, feed: str, title: str, text: str) -> str:
    """A stable id: the guid, else the canonical link, else a content hash.

    The hash covers feed, title and text so the same text in two feeds stays
    two items until de-duplication decides otherwise.
    """
    if guid and guid.strip():
        return guid.strip()
    if link and link.strip():
        return canonical_link(link)
    digest = hashlib.sha1(f"{feed}|{title}|{text}".encode(), usedforsecurity=False)
    return "sha1:" + digest.hexdigest()
