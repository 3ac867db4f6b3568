"""What we remember about one configured feed between polls.

The state is keyed by the feed URL as configured; ``permanent_url`` records
where a 301/308 sent us so later polls go there directly. Persistence is the
store's job: it saves and loads the JSON-safe dicts of ``to_dict``/``from_dict``.

The last failure is kept twice: ``last_error`` is its English text (what every
version wrote), ``last_failure`` its key and parameters, stored as
``last_error_key`` and ``last_error_params``. A state written before keys
existed, or with a key this version does not know, has only the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core.feed_failure import FeedFailure
from bot.ingest.publishing import PublishingModel


@dataclass(frozen=True, slots=True)
class FeedState:
    """Conditional-GET validators and polling schedule of one feed."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    next_check: datetime | None = None
    consecutive_errors: int = 0
    last_error: str | None = None
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    permanent_url: str | None = None
    last_failure: FeedFailure | None = None  # last_error's key, when it has one
    # When the feed publishes (adaptive polling); None until its second success.
    publishing: PublishingModel | None = None

    @property
    def fetch_url(self) -> str:
        """The URL to request: the remembered permanent redirect target, if any."""
        return self.permanent_url or self.url

    def to_dict(self) -> dict[str, object]:
        failure = self.last_failure
        return {
            "url": self.url,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "next_check": _iso(self.next_check),
            "consecutive_errors": self.consecutive_errors,
            "last_error": self.last_error,
            "last_error_key": failure.key.value if failure else None,
            "last_error_params": dict(failure.params) if failure else None,
            "last_success": _iso(self.last_success),
            "last_attempt": _iso(self.last_attempt),
            "permanent_url": self.permanent_url,
            "publishing": None if self.publishing is None else self.publishing.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> FeedState:
        """Rebuild a state saved by ``to_dict``; missing keys take their defaults.

        Raises ``ValueError`` on a record of the wrong shape, so a corrupt store
        is noticed instead of silently resetting a feed's schedule.
        """
        url = data.get("url")
        if not isinstance(url, str) or not url:
            raise ValueError(f"feed state without a url: {data!r}")
        errors = data.get("consecutive_errors", 0)
        if not isinstance(errors, int) or isinstance(errors, bool) or errors < 0:
            raise ValueError(f"bad consecutive_errors in feed state of {url}: {errors!r}")
        return cls(
            url=url,
            etag=_optional_str(data, "etag"),
            last_modified=_optional_str(data, "last_modified"),
            next_check=_optional_datetime(data, "next_check"),
            consecutive_errors=errors,
            last_error=_optional_str(data, "last_error"),
            last_failure=FeedFailure.restore(
                data.get("last_error_key"), data.get("last_error_params")
            ),
            last_success=_optional_datetime(data, "last_success"),
            last_attempt=_optional_datetime(data, "last_attempt"),
            permanent_url=_optional_str(data, "permanent_url"),
            publishing=_optional_publishing(data, url),
        )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _optional_str(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"feed state field {key} should be a string, got {value!r}")


def _optional_publishing(data: Mapping[str, object], url: str) -> PublishingModel | None:
    # States saved before adaptive polling have no such key: they start learning.
    value = data.get("publishing")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"bad publishing model in feed state of {url}: {value!r}")
    return PublishingModel.from_dict(value)


def _optional_datetime(data: Mapping[str, object], key: str) -> datetime | None:
    value = _optional_str(data, key)
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    # Everything we write is aware; a naive value can only come from a hand-edited
    # store, and UTC is the only reading that cannot shift a schedule by hours.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
