"""Admins read feed errors in Dutch."""

from __future__ import annotations

import pytest

from bot.ops.reasons import reason_nl


@pytest.mark.parametrize(
    ("english", "dutch"),
    [
        ("HTTP 503", "HTTP 503"),
        ("timeout after 20 s", "geen antwoord binnen 20 s"),
        ("connection refused", "verbinding geweigerd"),
        ("host name not found", "servernaam niet gevonden"),
        ("body larger than 5 MiB", "antwoord groter dan 5 MiB"),
        ("too many redirects", "te veel doorverwijzingen"),
        ("NOS Algemeen: not a feed (no version, no entries)", "geen feed (no version, no entries)"),
        ("unexpected error: OverflowError", "onverwachte fout: OverflowError"),
        ("something new", "something new"),
    ],
)
def test_reason_nl(english: str, dutch: str) -> None:
    assert reason_nl(english) == dutch
