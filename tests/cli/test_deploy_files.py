"""The deployment files stay in step with the project."""

from __future__ import annotations

import json
import re
import tomllib

from bot.cli.main import build_parser, cmd_health
from tests.paths import ROOT


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.\-]+", requirement)
    assert match is not None, requirement
    return match.group(0).lower().replace("_", "-")


def test_every_runtime_dependency_is_pinned_for_the_image() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = (ROOT / "deploy" / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pinned = {
        _name(line): line.split("==", 1)[1]
        for line in lines
        if line.strip() and not line.startswith("#")
    }
    missing = {_name(dep) for dep in project["dependencies"]} - set(pinned)
    assert not missing, f"add to deploy/constraints.txt: {sorted(missing)}"


def test_the_image_installs_with_the_constraints_and_checks_health() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "--constraint /tmp/constraints.txt" in dockerfile
    ignore = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert "!deploy/constraints.txt" in ignore


def test_the_image_has_a_healthcheck_with_the_health_command() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    joined = dockerfile.replace("\\\n", " ")
    (line,) = [ln for ln in joined.splitlines() if ln.startswith("HEALTHCHECK ")]
    options, _, command = line.partition(" CMD ")
    assert json.loads(command.strip()) == ["nieuwsbot", "health"]
    assert "--interval=30s" in options.split()
    assert "--start-period=60s" in options.split()
    # The command exists and takes the config from NIEUWSBOT_CONFIG, as the image sets it.
    args = build_parser().parse_args(["health"])
    assert args.handler is cmd_health
    assert "NIEUWSBOT_CONFIG=/etc/nieuwsbot/config.toml" in dockerfile


def test_the_project_declares_no_unused_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    telegram = next(d for d in project["dependencies"] if d.startswith("python-telegram-bot"))
    assert "rate-limiter" not in telegram  # our own Pacer is the rate limiter
