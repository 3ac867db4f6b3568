"""The ``chaos`` marker: ``-m chaos`` runs only these, ``-m "not chaos"`` skips them."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "chaos: faults staged against the real bot process (tests/chaos, ~2 min)"
    )
