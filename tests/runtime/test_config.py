"""Configuration loading: strict, kind, and one clear message per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    OFFICIAL_BASE_URL,
    ConfigError,
    load_config,
    normalise_base_url,
    parse_config,
    resolve_config_path,
)
from tests.paths import ROOT

EXAMPLE = ROOT / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid_and_has_real_dutch_feeds() -> None:
    config = load_config(EXAMPLE, environ={})
    outlets = {feed.outlet for feed in config.feeds}
    assert {"NOS", "NU.nl"} <= outlets
    assert len(outlets) >= 5
    nos_sections = {s for f in config.feeds if f.outlet == "NOS" for s in f.sections}
    nu_sections = {s for f in config.feeds if f.outlet == "NU.nl" for s in f.sections}
    for section in ("buitenland", "economie", "sport", "tech"):
        assert section in nos_sections
        assert section in nu_sections
    assert config.telegram.base_url == OFFICIAL_BASE_URL
    assert config.schedule.poll_interval_seconds == 300
    assert config.schedule.timezone == "Europe/Amsterdam"
    assert config.storage.path == "data"


def test_defaults_when_sections_are_missing(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), environ={})
    assert config.telegram.token == ""
    assert config.feeds == ()
    assert any("No enabled feeds" in w for w in config.warnings)


def test_environment_token_wins_over_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\ntoken = "1:file"\n')
    assert load_config(path, environ={}).telegram.token == "1:file"
    env = {"TELEGRAM_BOT_TOKEN": "2:env"}
    assert load_config(path, environ=env).telegram.token == "2:env"


def test_missing_token_names_both_ways(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), environ={})
    with pytest.raises(ConfigError) as caught:
        config.require_token()
    assert "TELEGRAM_BOT_TOKEN" in str(caught.value)
    assert "[telegram]" in str(caught.value)


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cp config\.example\.toml config\.toml"):
        load_config(tmp_path / "nope.toml", environ={})


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[schedule]\npoll_interval_seconds = 300\ntimezone = Europe\n")
    with pytest.raises(ConfigError, match="line 3"):
        load_config(path, environ={})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[telegram]\ntokn = "x"\n', "Unknown key 'telegram.tokn'. Did you mean 'token'?"),
        ("[schedul]\n", "Unknown key 'schedul'. Did you mean 'schedule'?"),
        ("[schedule]\npoll_intervall_seconds = 5\n", "Did you mean 'poll_interval_seconds'?"),
        ('[[feeds]]\nname = "a"\nurl = "https://x.nl/rss"\nsection = []\n', "'sections'"),
    ],
)
def test_unknown_key_suggests_the_closest(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, toml), environ={})
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "fragments"),
    [
        ('[schedule]\npoll_interval_seconds = "300"\n', ["poll_interval_seconds", "int", "str"]),
        ('[telegram]\nadmins = "12"\n', ["telegram.admins", "list of int", "str"]),
        ('[telegram]\nadmins = [1, "x"]\n', ["telegram.admins[1]", "int", "str"]),
        ("[push]\nlink_previews = 1\n", ["push.link_previews", "bool", "int"]),
        ('[push]\npaid_broadcast = "yes"\n', ["push.paid_broadcast", "bool", "str"]),
        ("[schedule]\npoll_interval_seconds = true\n", ["poll_interval_seconds", "int", "bool"]),
        ('storage = "data"\n', ["[storage]", "table"]),
    ],
)
def test_wrong_type_names_key_expected_and_given(
    tmp_path: Path, toml: str, fragments: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, toml), environ={})
    for fragment in fragments:
        assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"schedule": {"timezone": "Mars/Olympus"}}, "not a known time zone"),
        ({"schedule": {"min_interval_seconds": 29}}, "min_interval_seconds must be at least 30"),
        (
            {"schedule": {"min_interval_seconds": 120, "max_interval_seconds": 90}},
            r"max_interval_seconds \(90\) must be at least schedule.min_interval_seconds \(120\)",
        ),
        ({"push": {"messages_per_second": 31}}, "at most 30"),
        ({"push": {"messages_per_second": 500}}, "needs push.paid_broadcast = true"),
        (
            {"push": {"messages_per_second": 1001, "paid_broadcast": True}},
            "at most 1000 with push.paid_broadcast",
        ),
        ({"push": {"messages_per_second": 0, "paid_broadcast": True}}, "above 0"),
        ({"push": {"max_age_hours": -1}}, "max_age_hours must be at least 1"),
        ({"fetch": {"concurrency": 0}}, "concurrency must be at least 1"),
        ({"fetch": {"timeout_seconds": 0}}, "timeout_seconds must be above 0"),
        ({"fetch": {"max_bytes": 10}}, "max_bytes must be at least 1024"),
        ({"telegram": {"webhook_port": 70000}}, "webhook_port must be a TCP port"),
        ({"feeds": [{"name": "a"}]}, "missing the key 'url'"),
        ({"feeds": [{"name": "a", "url": "ftp://x"}]}, "http:// or https://"),
        (
            {"feeds": [{"name": "a", "url": "https://x"}, {"name": "a", "url": "https://y"}]},
            "unique",
        ),
    ],
)
def test_invalid_values_are_explained(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


@pytest.mark.parametrize(("shortest", "longest"), [(30, 30), (30, 900), (60, 900), (120, 3600)])
def test_adaptive_bounds_within_the_rules_are_accepted(shortest: int, longest: int) -> None:
    config = parse_config(
        {"schedule": {"min_interval_seconds": shortest, "max_interval_seconds": longest}}
    )
    assert (config.schedule.min_interval_seconds, config.schedule.max_interval_seconds) == (
        shortest,
        longest,
    )
    assert config.warnings == ("No enabled feeds: the bot will answer commands but push no news.",)


def test_paid_broadcast_is_off_by_default_and_lifts_the_rate_when_on() -> None:
    assert parse_config({}).push.paid_broadcast is False
    config = parse_config({"push": {"paid_broadcast": True, "messages_per_second": 1000}})
    assert config.push.paid_broadcast is True
    assert config.push.messages_per_second == 1000
    # Paid but slow is allowed (the flag alone costs Stars; the operator chose it).
    assert parse_config({"push": {"paid_broadcast": True}}).push.messages_per_second == 25.0


def test_short_poll_interval_is_allowed_with_a_warning() -> None:
    config = parse_config({"schedule": {"poll_interval_seconds": 5}})
    assert config.schedule.poll_interval_seconds == 5
    assert any("below 60" in w for w in config.warnings)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot"),
        ("https://api.telegram.org/bot{token}/test", "https://api.telegram.org/bot{token}/test"),
    ],
)
def test_base_url_normalisation(given: str, expected: str) -> None:
    assert normalise_base_url(given) == expected


def test_config_path_lookup_order() -> None:
    env = {"NIEUWSBOT_CONFIG": "/etc/nieuwsbot.toml"}
    assert resolve_config_path("x.toml", env) == Path("x.toml")
    assert resolve_config_path(None, env) == Path("/etc/nieuwsbot.toml")
    assert resolve_config_path(None, {}) == Path("config.toml")
