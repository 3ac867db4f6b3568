"""Why polling a feed failed, as a stable key with parameters.

The fetcher and the parser describe a failure where it happens, as a
:class:`FeedFailure`: a :class:`FailureKey` plus the few values that make it
concrete (a status code, a time-out, an exception class). The logs and the
command line read its English text (:attr:`FeedFailure.english`); admins read
the Dutch text that :mod:`bot.texts.admin` keeps for the same key. Nothing ever
translates the English text back.

Parameters are strings: numbers, sizes, status codes, URL schemes and
exception class names, which read the same in Dutch. The one parameter in
English prose, the XML parser's complaint (``detail`` of ``not_a_feed``), goes
into the English text only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from string import Formatter


class FailureKey(StrEnum):
    """A kind of feed failure. The values are stored with a feed's state: never rename one."""

    CONNECT_TIMEOUT = "connect_timeout"
    TIMEOUT = "timeout"
    CONNECTION_REFUSED = "connection_refused"
    HOST_NOT_FOUND = "host_not_found"
    TLS_ERROR = "tls_error"
    CONNECTION_FAILED = "connection_failed"
    CONNECTION_CLOSED = "connection_closed"
    UNDECODABLE_ENCODING = "undecodable_encoding"
    INVALID_URL = "invalid_url"
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BODY_TOO_LARGE = "body_too_large"
    HTTP_STATUS = "http_status"
    HTTP_FAILURE = "http_failure"
    NETWORK_ERROR = "network_error"
    NOT_A_FEED = "not_a_feed"
    NO_FEED_CONTENT = "no_feed_content"
    ENTITY_DECLARATION = "entity_declaration"
    DTD_INTERNAL_SUBSET = "dtd_internal_subset"
    PARSE_TIMEOUT = "parse_timeout"
    PARSE_MEMORY = "parse_memory"
    PARSER_CRASHED = "parser_crashed"
    UNEXPECTED = "unexpected"
    UNKNOWN = "unknown"


# The English text of each key, for logs and the command line; ``{name}`` is a parameter.
ENGLISH: Mapping[FailureKey, str] = {
    FailureKey.CONNECT_TIMEOUT: "connect timeout",
    FailureKey.TIMEOUT: "timeout after {seconds} s",
    FailureKey.CONNECTION_REFUSED: "connection refused",
    FailureKey.HOST_NOT_FOUND: "host name not found",
    FailureKey.TLS_ERROR: "TLS error",
    FailureKey.CONNECTION_FAILED: "connection failed",
    FailureKey.CONNECTION_CLOSED: "connection closed mid-response",
    FailureKey.UNDECODABLE_ENCODING: "undecodable content encoding",
    FailureKey.INVALID_URL: "invalid URL",
    FailureKey.UNSUPPORTED_SCHEME: "unsupported URL scheme '{scheme}'",
    FailureKey.REDIRECT_LOOP: "redirect loop",
    FailureKey.TOO_MANY_REDIRECTS: "too many redirects",
    FailureKey.BODY_TOO_LARGE: "body larger than {limit}",
    FailureKey.HTTP_STATUS: "HTTP {status}",
    FailureKey.HTTP_FAILURE: "HTTP failure ({exception})",
    FailureKey.NETWORK_ERROR: "network error ({exception})",
    FailureKey.NOT_A_FEED: "not a feed ({exception}: {detail})",
    FailureKey.NO_FEED_CONTENT: "not a feed (no version, no entries)",
    FailureKey.ENTITY_DECLARATION: "refused: the feed declares XML entities (entity declaration)",
    FailureKey.DTD_INTERNAL_SUBSET: "refused: the feed declares XML entities (DTD internal subset)",
    FailureKey.PARSE_TIMEOUT: "refused: parsing took longer than {seconds} s",
    FailureKey.PARSE_MEMORY: "refused: parsing needed more than {mib} MiB",
    FailureKey.PARSER_CRASHED: "refused: the parser process ended unexpectedly",
    FailureKey.UNEXPECTED: "unexpected error: {exception}",
    FailureKey.UNKNOWN: "unknown error",
}


def _placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


# The parameters each key takes (the placeholders of its text): exactly these.
PARAMETERS: Mapping[FailureKey, frozenset[str]] = {
    key: _placeholders(text) for key, text in ENGLISH.items()
}


@dataclass(frozen=True, slots=True)
class FeedFailure:
    """One failure: its key and parameters. ``str()`` is the English text."""

    key: FailureKey
    params: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A copy of its own: the caller's dict may change later.
        object.__setattr__(self, "params", dict(self.params))
        if set(self.params) != PARAMETERS[self.key]:
            expected = ", ".join(sorted(PARAMETERS[self.key])) or "none"
            raise ValueError(f"{self.key} takes parameters {expected}, got {dict(self.params)!r}")

    def __hash__(self) -> int:
        # Hashable like the FeedState that holds it, although the parameters are a dict.
        return hash((self.key, tuple(sorted(self.params.items()))))

    @property
    def english(self) -> str:
        return ENGLISH[self.key].format_map(self.params)

    def __str__(self) -> str:
        return self.english

    @classmethod
    def restore(cls, key: object, params: object) -> FeedFailure | None:
        """A failure as stored (key and parameters); None when this version cannot read it.

        A key from a newer version, or parameters that no longer fit the key,
        give None: the reader then shows the stored English text instead.
        """
        if not isinstance(key, str):
            return None
        try:
            failure_key = FailureKey(key)
        except ValueError:
            return None
        if params is None:
            params = {}
        if not isinstance(params, Mapping) or not all(
            isinstance(name, str) and isinstance(value, str) for name, value in params.items()
        ):
            return None
        try:
            return cls(failure_key, dict(params))
        except ValueError:
            return None
