"""What operators run by hand: pipes, token checks, the documented shell commands."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.paths import ROOT

NIEUWSBOT = [sys.executable, "-m", "bot"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _long_feed(path: Path, items: int = 150) -> Path:
    start = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    body = "Het kabinet neemt maatregelen in de Tweede Kamer. " * 40
    entries = "".join(
        f"<item><title>Bericht {n} over de begroting</title>"
        f"<link>https://example.nl/nieuws/{n}</link><guid>https://example.nl/nieuws/{n}</guid>"
        f"<pubDate>{(start - timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate><description>{body}</description></item>"
        for n in range(items)
    )
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Test</title><link>https://example.nl</link><description>t</description>"
        f"{entries}</channel></rss>",
        encoding="utf-8",
    )
    return path


def test_fetch_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    feed = _long_feed(tmp_path / "lang.xml")
    process = subprocess.Popen(
        [*NIEUWSBOT, "fetch", "--json", str(feed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        cwd=tmp_path,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    assert first.startswith(b"{")
    process.stdout.close()  # `| head -1`: the reader is gone
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, err
    assert "Traceback" not in err
    assert "BrokenPipe" not in err


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("README.md", "# nieuwsbot\n\nA Telegram bot.\n", "not a feed ("),
        ("leeg.xml", "", "not a feed"),
        ("ontbreekt.xml", None, "cannot read: No such file or directory"),
    ],
)
def test_a_failing_file_source_is_named_once(
    tmp_path: Path, name: str, content: str | None, reason: str
) -> None:
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    done = subprocess.run(
        [*NIEUWSBOT, "fetch", name],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"nieuwsbot: {name}: {reason}"), lines[0]
    assert lines[0].count(name) == 1, lines[0]


def test_check_without_a_token_is_valid_but_says_run_will_refuse(tmp_path: Path) -> None:
    done = subprocess.run(
        [*NIEUWSBOT, "check", "--config", str(ROOT / "config.example.toml")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "is valid" in done.stdout
    assert "`nieuwsbot run` will refuse to start" in done.stdout
    assert "TELEGRAM_BOT_TOKEN=" in done.stdout


@pytest.mark.parametrize(
    "token",
    ["bot123456:AAE-abc", "123456 AAEabc", '"123456:AAEabc"', "AAEabcdef", "123456:"],
)
def test_a_malformed_token_is_a_config_error(token: str) -> None:
    done = subprocess.run(
        [*NIEUWSBOT, "check", "--config", str(ROOT / "config.example.toml")],
        capture_output=True,
        text=True,
        env=_env(TELEGRAM_BOT_TOKEN=token),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "malformed" in done.stderr
    assert token.strip() not in done.stderr
    assert "Traceback" not in done.stderr


def test_the_documented_env_file_command_works_on_the_shipped_example() -> None:
    """docs/operations.md loads /etc/nieuwsbot/env with `set -a; . FILE`; the example has
    comment lines, which `env $(cat FILE)` could not take."""
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    documented = "set -a; . /etc/nieuwsbot/env; set +a;"
    assert documented in operations
    script = documented.replace("/etc/nieuwsbot/env", str(ROOT / "deploy" / "env.example"))
    done = subprocess.run(
        [
            "sh",
            "-c",
            f'{script} exec "$@"',
            "sh",
            *NIEUWSBOT,
            "check",
            "--config",
            str(ROOT / "config.example.toml"),
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Token:          set" in done.stdout
