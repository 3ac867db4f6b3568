"""Canonical links and stable item ids.

The same story reaches us with different tracking decorations (newsletters add
``utm_*``, social media ``fbclid``); stripping them keeps one link per story and
makes the link usable as an identity when a feed has no guid.
"""

from __future__ import annotations

import hashlib
import re
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


# An outlet's own article number in a link. Outlets put the headline in the
# URL and change it when the headline changes, so one article can reach a feed
# under several links; the number stays. DPG Media's titles (AD, Volkskrant,
# Trouw, Parool, the regional papers) end the path in "~a1b2c3d4/", one number
# across the titles that carry the article; NRC in "-a4066123"; NU.nl,
# Telegraaf, NOS, RTL, Tweakers and most regional broadcasters in a numeric
# segment ("/6169177/", "/2412345-").
# Host (without user or port) and path of a web link; query and fragment left off.
_WEB_LINK_RE = re.compile(r"(?i)https?://(?:[^/?#@]*@)?([^/?#:]+)(?::[0-9]*)?(/[^?#]*)")
_DPG_ARTICLE_RE = re.compile(r"~([ab][0-9a-f]{6,10})/?$")
_NRC_ARTICLE_RE = re.compile(r"-(a[0-9]{6,8})/?$")
_NUMBERED_ARTICLE_RE = re.compile(r"/([0-9]{6,12})(?=[-/.]|$)")
# A path segment of eight digits that reads as a date is a date, not a number.
_DATE_RE = re.compile(r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")


def article_key(url: str) -> str | None:
    """The outlet's article number in ``url``, as a key, or None if it has none.

    Two links with the same key are one article, perhaps under two headlines
    (``"dpg:a38eae892"`` for DPG Media, else host and number:
    ``"nu.nl:6169177"``).
    """
    found = _WEB_LINK_RE.match(url.strip())
    if found is None:
        return None
    host, path = found.group(1).lower().removeprefix("www."), found.group(2)
    number = _DPG_ARTICLE_RE.search(path)
    if number:
        return "dpg:" + number.group(1)
    number = _NRC_ARTICLE_RE.search(path)
    if number:
        return f"{host}:{number.group(1)}"
    for digits in _NUMBERED_ARTICLE_RE.findall(path):
        if not (len(digits) == 8 and _DATE_RE.fullmatch(digits)):
            return f"{host}:{digits}"
    return None
