"""Tables for button tokens and for the keys button data may name."""

from __future__ import annotations

import pytest

from bot.core.model import FollowKey, FollowKind
from bot.core.telegram_text import CALLBACK_DATA_LIMIT_BYTES
from handlers import callback_data as cb
from handlers import topics
from handlers.button_tokens import TOKEN_BYTES, ButtonTokens, payload_of

CHAT, OTHER = 4242, -100_777
T = 1_000_000.0  # seconds on the monotonic clock
TOKENS = ButtonTokens(secret=b"k" * 32)
SEALED = TOKENS.seal(CHAT, "stop:y", T)


def test_a_sealed_button_opens_in_its_chat_with_its_age() -> None:
    opened = TOKENS.open(CHAT, SEALED, T + 90)
    assert opened is not None
    assert opened.payload == "stop:y"
    assert 90 <= opened.age_s < 150  # counted from the start of the minute
    assert payload_of(SEALED) == "stop:y"


@pytest.mark.parametrize(
    ("chat_id", "data"),
    [
        pytest.param(OTHER, SEALED, id="another chat"),
        pytest.param(CHAT, "stop:y", id="no token"),
        pytest.param(CHAT, "ua:y" + SEALED[len("stop:y") :], id="other payload, same token"),
        pytest.param(CHAT, SEALED[:-1] + ("A" if SEALED[-1] != "A" else "B"), id="mac altered"),
        pytest.param(CHAT, SEALED.replace("~", "~1", 1), id="stamp altered"),
        pytest.param(CHAT, "stop:y~", id="empty token"),
        pytest.param(CHAT, "", id="empty"),
        pytest.param(CHAT, None, id="none"),
        pytest.param(CHAT, ButtonTokens().seal(CHAT, "stop:y", T), id="another process"),
    ],
)
def test_a_press_that_is_not_ours_does_not_open(chat_id: int, data: str | None) -> None:
    assert TOKENS.open(chat_id, data, T + 60) is None


def test_every_payload_with_its_token_fits_64_bytes() -> None:
    longest = "t:k:" + "a" * (cb.MAX_PAYLOAD_BYTES - 4)
    assert cb.encode_follow(cb.FollowAction.TOGGLE, FollowKey(FollowKind.KEYWORD, longest[4:]))
    for now in (0.0, T, 60.0 * 36**5 - 1):
        sealed = TOKENS.seal(CHAT, longest, now)
        assert len(sealed.encode("utf-8")) <= CALLBACK_DATA_LIMIT_BYTES
    assert cb.MAX_PAYLOAD_BYTES + TOKEN_BYTES == 64


@pytest.mark.parametrize(
    ("key", "accepted"),
    [
        (FollowKey(FollowKind.KEYWORD, "poetin"), True),
        (FollowKey(FollowKind.KEYWORD, "mark rutte"), True),
        (FollowKey(FollowKind.KEYWORD, "de"), False),  # a stop word: /volg refuses it
        (FollowKey(FollowKind.KEYWORD, "het"), False),
        (FollowKey(FollowKind.KEYWORD, "x"), False),  # too short
        (FollowKey(FollowKind.KEYWORD, "a" * 41), False),  # too long
        (FollowKey(FollowKind.KEYWORD, "---"), False),  # no letters
        (FollowKey(FollowKind.KEYWORD, "Poetin"), False),  # not as stored (folded)
        (FollowKey(FollowKind.SECTION, "sport"), True),
        (FollowKey(FollowKind.SECTION, "bestaatniet"), False),
        (FollowKey(FollowKind.COUNTRY, "UA"), True),
        (FollowKey(FollowKind.COUNTRY, "ZZ"), False),
    ],
)
def test_button_keys_are_checked_like_typed_input(key: FollowKey, accepted: bool) -> None:
    assert (topics.labelled(key) is not None) is accepted
