"""Feed error reasons in Dutch, for what admins read in Telegram.

The fetcher and parser describe failures in short English phrases (they go to
the logs as they are); admins see the same reason in Dutch in /status and in
feed alerts. Unknown phrases pass through unchanged rather than disappear.
"""

from __future__ import annotations

import re

_EXACT = {
    "connect timeout": "verbinden duurde te lang",
    "connection refused": "verbinding geweigerd",
    "host name not found": "servernaam niet gevonden",
    "TLS error": "TLS-fout",
    "connection failed": "verbinding mislukt",
    "connection closed mid-response": "verbinding halverwege verbroken",
    "undecodable content encoding": "onleesbare compressie",
    "invalid URL": "ongeldige URL",
    "redirect loop": "doorverwijzingslus",
    "too many redirects": "te veel doorverwijzingen",
}
_PATTERNS = (
    (re.compile(r"^timeout after (.+)$"), r"geen antwoord binnen \1"),
    (re.compile(r"^body larger than (.+)$"), r"antwoord groter dan \1"),
    (re.compile(r"^HTTP failure \((.+)\)$"), r"HTTP-fout (\1)"),
    (re.compile(r"^network error \((.+)\)$"), r"netwerkfout (\1)"),
    (re.compile(r"^unsupported URL scheme (.+)$"), r"URL-schema \1 niet ondersteund"),
    (re.compile(r"^unexpected error: (.+)$"), r"onverwachte fout: \1"),
    (re.compile(r"^(?:.*: )?not a feed \((.+)\)$"), r"geen feed (\1)"),
)


def reason_nl(reason: str) -> str:
    """``"timeout after 20 s"`` → ``"geen antwoord binnen 20 s"``; HTTP codes stay."""
    if reason in _EXACT:
        return _EXACT[reason]
    for pattern, replacement in _PATTERNS:
        if pattern.match(reason):
            return pattern.sub(replacement, reason)
    return reason
