"""The command line as users run it: fetch, check --online, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.sim.feeds import FeedServer
from bot.sim.telegram import FakeTelegram
from tests.paths import FIXTURES

FEEDS = FIXTURES / "feeds"
NOS = FEEDS / "nos_nieuwsalgemeen_2026-10-01.xml"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_fetch_json_from_a_local_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "fetch", "--json", str(NOS))
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    assert len(items) == 20
    keys = {"id", "feed", "link", "title", "summary", "published", "sections", "countries"}
    for item in items:
        assert keys | {"dateline", "duplicate_of"} <= set(item)
        assert item["published"][-6] in "+-"  # ISO 8601 with offset
        assert "<" not in item["summary"]
    assert any(item["countries"] == ["AF", "PK"] for item in items)


def test_fetch_over_http_dedupes_across_sources(
    capsys: pytest.CaptureFixture[str], feed_server: FeedServer
) -> None:
    feed_server.serve_file("/a.xml", NOS)
    feed_server.serve_file("/b.xml", NOS)
    code, out, _ = run_cli(
        capsys, "fetch", "--json", feed_server.url("/a.xml"), feed_server.url("/b.xml")
    )
    assert code == 0
    items = [json.loads(line) for line in out.splitlines()]
    # The same guids in two sources are one item each.
    assert len(items) == 20


def test_fetch_human_output_and_partial_failure(
    capsys: pytest.CaptureFixture[str], feed_server: FeedServer
) -> None:
    feed_server.serve_file("/a.xml", NOS)
    feed_server.fault("/down.xml", status=503, times=None)
    code, out, err = run_cli(
        capsys, "fetch", feed_server.url("/a.xml"), feed_server.url("/down.xml")
    )
    assert code == 0
    assert "NOS" not in err
    assert "HTTP 503" in err
    assert len(err.strip().splitlines()) == 1
    assert "https://nos.nl/l/" in out


def test_fetch_exits_1_when_every_source_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    html = tmp_path / "page.html"
    html.write_text("<html><body>Cookiemuur</body></html>", encoding="utf-8")
    code, _, err = run_cli(capsys, "fetch", str(html), str(tmp_path / "missing.xml"))
    assert code == 1
    assert len(err.strip().splitlines()) == 2


def test_check_online_all_well(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_server.serve_file("/nos.xml", NOS)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nbase_url = "{fake_telegram.base_url}"\n'
        f'[storage]\npath = "{tmp_path / "data"}"\n'
        f'[[feeds]]\nname = "NOS"\nurl = "{feed_server.url("/nos.xml")}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake_telegram.token)
    code, out, _ = run_cli(capsys, "check", "--online", "--config", str(config))
    assert code == 0, out
    assert "@nieuwsbot_test_bot" in out
    assert fake_telegram.token not in out
    feed_server.fault("/nos.xml", status=500, times=None)
    code, out, _ = run_cli(capsys, "check", "--online", "--config", str(config))
    assert code == 1
    assert "HTTP 500" in out


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert "nieuwsbot" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "check", "fetch", "tag", "console"):
        assert command in out
