"""The chaos suite: every fault of issue 11 staged against the real bot must hold.

The scenarios live in tests/chaos/scenarios.py (``python bench/chaos.py``
runs the same ones and prints the table); each asserts as it goes and says
in its module what "held" means for it. Faults that need root (a tmpfs that
fills up or turns read-only) are skipped with the reason without it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.chaos.harness import Unavailable
from tests.chaos.scenarios import SCENARIOS, Scenario

pytestmark = pytest.mark.chaos


@pytest.mark.timeout(240)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.slug for s in SCENARIOS])
async def test_the_fault_holds(
    scenario: Scenario, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    try:
        summary = await scenario.run(tmp_path)
    except Unavailable as reason:
        pytest.skip(f"{scenario.fault}: {reason}")
    record_property("summary", summary)  # in --junitxml reports
