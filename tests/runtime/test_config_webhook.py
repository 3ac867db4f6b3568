"""Webhook mode needs a secret Telegram accepts; a bad one is an error that never quotes it."""

from __future__ import annotations

import secrets

import pytest

from bot.config import ConfigError, parse_config

URL = "https://bot.example.nl/telegram/7f3a9c"


def webhook(**telegram: object) -> dict[str, object]:
    return {"telegram": {"webhook_url": URL, **telegram}}


def test_webhook_mode_without_a_secret_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(webhook())
    message = str(refused.value)
    assert message.startswith("telegram.webhook_secret is required in webhook mode")
    assert "secrets.token_urlsafe(32)" in message
    assert 'webhook_secret = "<it>" under [telegram]' in message


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("geheim wachtwoord", "contains characters other than A-Z a-z 0-9 _ -"),
        ("geheim!", "contains characters other than A-Z a-z 0-9 _ -"),
        ("sécret", "contains characters other than A-Z a-z 0-9 _ -"),
        ("abc\n", "contains characters other than A-Z a-z 0-9 _ -"),
        ("a" * 257, "is 257 characters long"),
    ],
)
def test_a_secret_telegram_would_refuse_is_a_config_error(secret: str, problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(webhook(webhook_secret=secret))
    message = str(refused.value)
    assert message.startswith(f"telegram.webhook_secret {problem};")
    assert secret.strip() not in message


@pytest.mark.parametrize(
    "secret", ["x", "a" * 256, "webhook-secret_123", secrets.token_urlsafe(32), "A-Z_a-z_0-9"]
)
def test_valid_secrets_are_accepted(secret: str) -> None:
    config = parse_config(webhook(webhook_secret=secret))
    assert config.telegram.webhook_secret == secret


def test_long_polling_needs_no_secret_but_a_set_one_is_still_checked() -> None:
    assert parse_config({}).telegram.webhook_secret == ""
    with pytest.raises(ConfigError, match="contains characters other than"):
        parse_config({"telegram": {"webhook_secret": "geen geheim"}})
