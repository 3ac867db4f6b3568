"""Why a feed could not be read. The poller counts these and backs off."""

from __future__ import annotations


class FeedError(Exception):
    """A feed response that yields no usable items."""


class NotAFeedError(FeedError):
    """The response is no feed at all: an HTML page, a cookie wall, an error page."""
