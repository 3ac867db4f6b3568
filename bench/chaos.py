"""Chaos: the faults of issue 11 staged against the real bot, one after another.

    python bench/chaos.py                      # every fault, about two minutes; exit 1 on a miss
    python bench/chaos.py --only full,sigkill  # some of them (slugs as in the table)

Runs the scenarios of tests/chaos/scenarios.py (the same ones ``python -m
pytest tests/chaos`` runs): each starts ``python -m bot run --config ...`` as
a child process against the fake Bot API and the loopback feed server, both
in this process on 127.0.0.1 (the clock-jump fault runs the production
Application in this process, through the Clock seam), stages its fault and
checks that the bot kept running or refused clearly and that nothing was
lost. It prints ``fault | held / FAILED | detail`` and ends with
``chaos: <n>/<m> faults held, nothing lost (target all) ok|MISS``.

A full or read-only data directory needs a real tmpfs, so root: without it
those faults show ``skipped`` with the reason and the verdict is MISS, since
they were not shown to hold.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the scenarios live in tests/chaos/

from tests.chaos.harness import Unavailable  # noqa: E402
from tests.chaos.scenarios import SCENARIOS, Scenario  # noqa: E402

HELD, FAILED, SKIPPED = "held", "FAILED", "skipped"


def run(scenario: Scenario) -> tuple[str, str, float]:
    """(outcome, detail, seconds) of one scenario in a fresh work directory."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"chaos-{scenario.slug}-") as work:
        try:
            detail = asyncio.run(scenario.run(Path(work)))
            outcome = HELD
        except Unavailable as reason:
            outcome, detail = SKIPPED, str(reason)
        except Exception as error:  # AssertionError: not held; anything else: not held either
            outcome, detail = FAILED, _first_line(error)
    return outcome, detail, time.monotonic() - started


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    slugs = ", ".join(s.slug for s in SCENARIOS)
    parser.add_argument("--only", help=f"comma-separated scenarios: {slugs}")
    args = parser.parse_args()
    chosen = list(SCENARIOS)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {s.slug for s in SCENARIOS}
        if unknown:
            parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
        chosen = [s for s in SCENARIOS if s.slug in wanted]
    # The in-process scenario's bot logs to the root logger; warnings are expected there.
    logging.basicConfig(level=logging.ERROR)

    width = max(len(s.fault) for s in chosen)
    print(f"{'fault':<{width}} | {'result':<7} | detail")
    print(f"{'-' * width}-|-{'-' * 7}-|-{'-' * 6}")
    held = 0
    for scenario in chosen:
        outcome, detail, seconds = run(scenario)
        held += outcome == HELD
        print(f"{scenario.fault:<{width}} | {outcome:<7} | {detail} ({seconds:.0f} s)", flush=True)
    verdict = "ok" if held == len(chosen) else "MISS"
    print(f"chaos: {held}/{len(chosen)} faults held, nothing lost (target all) {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
