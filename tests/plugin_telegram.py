"""Pytest plugin: a fresh fake Telegram Bot API server for every test.

Options for one test go through a marker, e.g.
``@pytest.mark.fake_telegram(enforce_flood_limits=True)``; the keyword
arguments are passed to :class:`bot.sim.telegram.FakeTelegram`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.sim.telegram import FakeTelegram

TEST_TOKEN = "123456:TEST-token"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fake_telegram(**options): keyword arguments for the fake_telegram fixture"
    )


@pytest.fixture
def bot_token() -> str:
    """The token the fake Telegram server accepts."""
    return TEST_TOKEN


@pytest.fixture
def fake_telegram(request: pytest.FixtureRequest, bot_token: str) -> Iterator[FakeTelegram]:
    """A started :class:`FakeTelegram` on 127.0.0.1, stopped after the test."""
    marker = request.node.get_closest_marker("fake_telegram")
    options = dict(marker.kwargs) if marker else {}
    options.setdefault("token", bot_token)
    with FakeTelegram(**options) as fake:
        yield fake
