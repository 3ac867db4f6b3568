"""Why a feed could not be read. The poller counts these and backs off."""

from __future__ import annotations

from bot.core.feed_failure import FeedFailure


class FeedError(Exception):
    """A feed response that yields no usable items; ``failure`` says why, as a key.

    The message is the English text prefixed with the feed's name, for logs.
    """

    def __init__(self, feed: str, failure: FeedFailure) -> None:
        super().__init__(f"{feed}: {failure.english}")
        self.feed = feed
        self.failure = failure

    def __reduce__(self) -> tuple[type[FeedError], tuple[str, FeedFailure]]:
        # Raised in the parse worker process and re-raised here: pickle the real arguments.
        return (type(self), (self.feed, self.failure))


class NotAFeedError(FeedError):
    """The response is no feed at all: an HTML page, a cookie wall, an error page."""
