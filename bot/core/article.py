"""An outlet's own article number in a link: one article under several headlines."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# An outlet's own article number in a link. Outlets put the headline in the
# URL and change it when the headline changes, so one article can reach a feed
# under several links; the number stays. DPG Media's titles (AD, Volkskrant,
# Trouw, Parool, the regional papers) end the path in "~a1b2c3d4/", one number
# across the titles that carry the article; NRC in "-a4066123"; NU.nl,
# Telegraaf, NOS, RTL, Tweakers and most regional broadcasters in a numeric
# segment ("/6169177/", "/2412345-").
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
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a malformed link ("http://[::1")
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host, path = parts.hostname.removeprefix("www."), parts.path
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
