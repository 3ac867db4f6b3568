"""A feed failure is a key with exactly the parameters its text needs."""

from __future__ import annotations

import pytest

from bot.core.feed_failure import PARAMETERS, FailureKey, FeedFailure
from bot.ingest.feedstate import FeedState


@pytest.mark.parametrize(
    ("key", "params"),
    [
        (FailureKey.TIMEOUT, {}),
        (FailureKey.TIMEOUT, {"seconds": "20", "limit": "5 MiB"}),
        (FailureKey.REDIRECT_LOOP, {"status": "301"}),
        (FailureKey.NOT_A_FEED, {"exception": "SAXParseException"}),
    ],
)
def test_wrong_parameters_are_refused(key: FailureKey, params: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=key.value):
        FeedFailure(key, params)


def test_parameters_are_the_placeholders_of_the_english_text() -> None:
    assert PARAMETERS[FailureKey.TIMEOUT] == {"seconds"}
    assert PARAMETERS[FailureKey.NOT_A_FEED] == {"exception", "detail"}
    assert PARAMETERS[FailureKey.REDIRECT_LOOP] == frozenset()


def test_a_failure_keeps_its_own_copy_of_the_parameters() -> None:
    params = {"status": "503"}
    failure = FeedFailure(FailureKey.HTTP_STATUS, params)
    params["status"] = "200"
    assert failure.english == "HTTP 503"


def test_a_failure_and_the_state_holding_it_stay_hashable() -> None:
    one = FeedFailure(FailureKey.NOT_A_FEED, {"exception": "E", "detail": "d"})
    same = FeedFailure(FailureKey.NOT_A_FEED, {"detail": "d", "exception": "E"})
    assert len({one, same, FeedFailure(FailureKey.TLS_ERROR)}) == 2
    assert hash(FeedState("https://x.nl/rss", last_failure=one)) == hash(
        FeedState("https://x.nl/rss", last_failure=same)
    )


@pytest.mark.parametrize(
    ("key", "params", "restored"),
    [
        ("http_status", {"status": "404"}, FeedFailure(FailureKey.HTTP_STATUS, {"status": "404"})),
        ("tls_error", None, FeedFailure(FailureKey.TLS_ERROR)),
        ("tls_error", {}, FeedFailure(FailureKey.TLS_ERROR)),
        (None, None, None),
        ("quantum_flux", {}, None),  # a key from a newer version
        ("http_status", {}, None),  # parameters that no longer fit the key
        ("http_status", {"status": 404}, None),
        ("http_status", ["404"], None),
        (3, None, None),
    ],
)
def test_restore_reads_what_it_can_and_nothing_else(
    key: object, params: object, restored: FeedFailure | None
) -> None:
    assert FeedFailure.restore(key, params) == restored
