"""Configuration: a TOML file (plus the token from the environment) as frozen dataclasses.

Loading is strict and kind: every error names the key, what was expected and how
to fix it, so an operator never has to read a traceback. The schema below is the
single source of truth: defaults, types and the keys that are allowed.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"  # noqa: S105 - the variable's name, not a secret
# What @BotFather hands out: the bot's numeric id, a colon, then URL-safe characters.
# Deliberately loose after the colon (emulators and local servers use short secrets).
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
CONFIG_ENV = "NIEUWSBOT_CONFIG"
DEFAULT_CONFIG_PATH = Path("config.toml")
OFFICIAL_BASE_URL = "https://api.telegram.org/bot"
# Polling a news feed more often than once a minute is impolite to publishers;
# allowed (tests and local servers need it) but logged as a warning.
MIN_POLITE_POLL_SECONDS = 60
# Adaptive polling never goes faster than this, whatever a feed publishes.
MIN_ADAPTIVE_POLL_SECONDS = 30
# Telegram's documented broadcast ceiling is about 30 messages per second.
MAX_GLOBAL_RATE = 30.0
# With paid broadcasts (allow_paid_broadcast, charged in Stars) up to 1,000.
MAX_PAID_RATE = 1000.0
# What setWebhook accepts as secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_KEY_HOWTO = (
    'Generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(32))" '
    'and set webhook_secret = "<it>" under [telegram].'
)


class ConfigError(Exception):
    """A configuration problem, phrased for the operator. Exit status 2."""


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str = ""
    base_url: str = OFFICIAL_BASE_URL
    admins: tuple[int, ...] = ()
    # Webhook mode: when webhook_url is set the bot listens for updates instead
    # of long polling.
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - a webhook server must be reachable
    webhook_port: int = 8443
    webhook_secret: str = ""


@dataclass(frozen=True, slots=True)
class StorageConfig:
    path: str = "data"


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    poll_interval_seconds: int = 300
    timezone: str = "Europe/Amsterdam"
    # Adaptive polling keeps each feed's interval between these two.
    min_interval_seconds: int = 60
    max_interval_seconds: int = 900

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class FetchConfig:
    contact_url: str = "https://github.com/nieuwsbot/nieuwsbot"
    timeout_seconds: float = 20.0
    max_bytes: int = 5 * 1024 * 1024
    concurrency: int = 8


@dataclass(frozen=True, slots=True)
class NewsConfig:
    summary_max_chars: int = 300
    retention_days: int = 7
    # belangrijk: a story this many outlets carry within the window of its first report.
    important_outlets: int = 3
    important_window_minutes: int = 60


@dataclass(frozen=True, slots=True)
class PushConfig:
    messages_per_second: float = 25.0
    max_age_hours: int = 6
    link_previews: bool = False
    # Broadcast sends carry allow_paid_broadcast (Telegram charges Stars for them)
    # and messages_per_second may go up to MAX_PAID_RATE.
    paid_broadcast: bool = False


@dataclass(frozen=True, slots=True)
class FeedConfig:
    name: str
    url: str
    source: str = ""
    sections: tuple[str, ...] = ()
    enabled: bool = True

    @property
    def outlet(self) -> str:
        """The outlet shown to users ("NOS"); defaults to the feed name."""
        return self.source or self.name


@dataclass(frozen=True, slots=True)
class Config:
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    news: NewsConfig = field(default_factory=NewsConfig)
    push: PushConfig = field(default_factory=PushConfig)
    feeds: tuple[FeedConfig, ...] = ()
    source_path: Path | None = None
    warnings: tuple[str, ...] = ()

    @property
    def enabled_feeds(self) -> tuple[FeedConfig, ...]:
        return tuple(feed for feed in self.feeds if feed.enabled)

    def require_token(self) -> str:
        if not self.telegram.token:
            raise ConfigError(
                "No Telegram bot token. Set the environment variable "
                f'{TOKEN_ENV}=<token from @BotFather>, or put token = "..." under '
                f"[telegram] in {self.source_path or DEFAULT_CONFIG_PATH}."
            )
        return self.telegram.token


_SECTIONS: dict[str, type] = {
    "telegram": TelegramConfig,
    "storage": StorageConfig,
    "schedule": ScheduleConfig,
    "fetch": FetchConfig,
    "news": NewsConfig,
    "push": PushConfig,
}
_TOP_LEVEL_KEYS = [*_SECTIONS, "feeds"]


def resolve_config_path(cli_path: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--config PATH``, else ``$NIEUWSBOT_CONFIG``, else ``./config.toml``."""
    env = os.environ if environ is None else environ
    if cli_path:
        return Path(cli_path)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    return DEFAULT_CONFIG_PATH


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read, validate and return the configuration; raise ConfigError on any problem."""
    env = os.environ if environ is None else environ
    if not path.is_file():
        raise ConfigError(
            f"Config file {path} not found. Create one from the example: "
            "cp config.example.toml config.toml (then set your token)."
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not valid UTF-8 ({exc.reason}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from None
    config = parse_config(raw, source_path=path)
    token = env.get(TOKEN_ENV, "").strip()
    if token:
        config = _replace_telegram(config, token=token)
    check_token_shape(config.telegram.token, source=TOKEN_ENV if token else str(path))
    return config


def check_token_shape(token: str, *, source: str) -> None:
    """An obviously malformed token is a config error (the token itself is never shown)."""
    if token and not _TOKEN_SHAPE.fullmatch(token):
        raise ConfigError(
            f"The Telegram bot token from {source} is malformed: expected "
            "<digits>:<letters, digits, _ or -> as @BotFather gives it "
            "(no quotes, spaces or 'bot' prefix)."
        )


def parse_config(raw: Mapping[str, Any], *, source_path: Path | None = None) -> Config:
    """Validate a decoded TOML document (pure; no environment, no file system)."""
    _reject_unknown(raw, _TOP_LEVEL_KEYS, where="")
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        value = raw.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table, not {_type_name(value)}.")
        sections[name] = _build(cls, value, where=name)
    feeds_raw = raw.get("feeds", [])
    if not isinstance(feeds_raw, list):
        raise ConfigError("feeds must be an array of tables ([[feeds]]), not a single value.")
    feeds = tuple(_build_feed(entry, index) for index, entry in enumerate(feeds_raw, start=1))
    _check_unique_feed_names(feeds)
    warnings = _validate_values(sections, feeds)
    telegram: TelegramConfig = sections["telegram"]
    sections["telegram"] = _with(telegram, base_url=normalise_base_url(telegram.base_url))
    return Config(**sections, feeds=feeds, source_path=source_path, warnings=tuple(warnings))


def normalise_base_url(url: str) -> str:
    """The Bot API prefix that python-telegram-bot puts the token behind.

    ``http://127.0.0.1:8081`` becomes ``http://127.0.0.1:8081/bot``; a URL that
    already has a path (``…/bot``) or a ``{token}`` placeholder is kept as given.
    """
    url = url.strip()
    if "{token}" in url:
        return url
    if urlsplit(url).path in ("", "/"):
        return url.rstrip("/") + "/bot"
    return url


def _build_feed(entry: Any, index: int) -> FeedConfig:
    where = f"feeds[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table with name and url.")
    for required in ("name", "url"):
        if required not in entry:
            raise ConfigError(f"{where} is missing the key '{required}'.")
    feed: FeedConfig = _build(FeedConfig, entry, where=where)
    scheme = urlsplit(feed.url).scheme
    if scheme not in ("http", "https"):
        raise ConfigError(f"{where}.url must start with http:// or https://, got {feed.url!r}.")
    return feed


def _check_unique_feed_names(feeds: tuple[FeedConfig, ...]) -> None:
    seen: set[str] = set()
    for feed in feeds:
        if feed.name in seen:
            raise ConfigError(f"Two feeds are named {feed.name!r}; feed names must be unique.")
        seen.add(feed.name)


def _validate_values(sections: dict[str, Any], feeds: tuple[FeedConfig, ...]) -> list[str]:
    warnings: list[str] = []
    schedule: ScheduleConfig = sections["schedule"]
    if schedule.poll_interval_seconds < 1:
        raise ConfigError("schedule.poll_interval_seconds must be at least 1.")
    if schedule.poll_interval_seconds < MIN_POLITE_POLL_SECONDS:
        warnings.append(
            f"schedule.poll_interval_seconds = {schedule.poll_interval_seconds} is below "
            f"{MIN_POLITE_POLL_SECONDS}: fine for testing, impolite to news sites in production."
        )
    if schedule.min_interval_seconds < MIN_ADAPTIVE_POLL_SECONDS:
        raise ConfigError(
            f"schedule.min_interval_seconds must be at least {MIN_ADAPTIVE_POLL_SECONDS}, "
            f"got {schedule.min_interval_seconds}."
        )
    if schedule.max_interval_seconds < schedule.min_interval_seconds:
        raise ConfigError(
            f"schedule.max_interval_seconds ({schedule.max_interval_seconds}) must be at least "
            f"schedule.min_interval_seconds ({schedule.min_interval_seconds})."
        )
    try:
        ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"schedule.timezone {schedule.timezone!r} is not a known time zone "
            "(use an IANA name such as Europe/Amsterdam)."
        ) from None
    push: PushConfig = sections["push"]
    _check_rate(push)
    if push.max_age_hours < 1:
        raise ConfigError("push.max_age_hours must be at least 1.")
    fetch: FetchConfig = sections["fetch"]
    if fetch.timeout_seconds <= 0:
        raise ConfigError("fetch.timeout_seconds must be above 0.")
    if fetch.max_bytes < 1024:
        raise ConfigError("fetch.max_bytes must be at least 1024.")
    if fetch.concurrency < 1:
        raise ConfigError("fetch.concurrency must be at least 1.")
    news: NewsConfig = sections["news"]
    if news.summary_max_chars < 40:
        raise ConfigError("news.summary_max_chars must be at least 40.")
    if news.retention_days < 1:
        raise ConfigError("news.retention_days must be at least 1.")
    if news.important_outlets < 2:
        raise ConfigError("news.important_outlets must be at least 2.")
    if not 1 <= news.important_window_minutes <= 24 * 60:
        raise ConfigError("news.important_window_minutes must be between 1 and 1440.")
    telegram: TelegramConfig = sections["telegram"]
    if urlsplit(telegram.base_url).scheme not in ("http", "https"):
        raise ConfigError(f"telegram.base_url must be an http(s) URL, got {telegram.base_url!r}.")
    if not 1 <= telegram.webhook_port <= 65535:
        raise ConfigError(
            f"telegram.webhook_port must be a TCP port (1-65535), got {telegram.webhook_port}."
        )
    if telegram.webhook_url and not telegram.webhook_url.startswith("https://"):
        warnings.append("telegram.webhook_url is not https://; Telegram only calls https URLs.")
    _check_webhook_secret(telegram)
    if not any(feed.enabled for feed in feeds):
        warnings.append("No enabled feeds: the bot will answer commands but push no news.")
    return warnings


def _check_rate(push: PushConfig) -> None:
    """Telegram's free limit is about 30 messages/s; paid broadcasts allow 1,000."""
    if push.paid_broadcast:
        if not 0 < push.messages_per_second <= MAX_PAID_RATE:
            raise ConfigError(
                f"push.messages_per_second must be above 0 and at most {MAX_PAID_RATE:g} "
                f"with push.paid_broadcast (Telegram's paid limit), "
                f"got {push.messages_per_second:g}."
            )
        return
    if not 0 < push.messages_per_second <= MAX_GLOBAL_RATE:
        hint = (
            "; above that needs push.paid_broadcast = true (Telegram charges Stars per message)"
            if MAX_GLOBAL_RATE < push.messages_per_second <= MAX_PAID_RATE
            else ""
        )
        raise ConfigError(
            f"push.messages_per_second must be above 0 and at most {MAX_GLOBAL_RATE:g} "
            f"(Telegram's limit), got {push.messages_per_second:g}{hint}."
        )


def _check_webhook_secret(telegram: TelegramConfig) -> None:
    """Webhook mode needs a secret: without one anyone who finds the URL can post updates.

    Telegram allows 1-256 characters of A-Z a-z 0-9 _ -. The value itself is
    never quoted in a message.
    """
    secret = telegram.webhook_secret
    if secret and not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
        problem = (
            f"is {len(secret)} characters long"
            if len(secret) > 256
            else "contains characters other than A-Z a-z 0-9 _ -"
        )
        raise ConfigError(
            f"telegram.webhook_secret {problem}; Telegram accepts 1-256 characters of "
            f"A-Z a-z 0-9 _ -. {_WEBHOOK_KEY_HOWTO}"
        )
    if telegram.webhook_url and not secret:
        raise ConfigError(
            "telegram.webhook_secret is required in webhook mode (telegram.webhook_url is "
            "set): without it anyone who finds the URL can send the bot forged updates. "
            f"{_WEBHOOK_KEY_HOWTO}"
        )


def _build(cls: type, values: Mapping[str, Any], *, where: str) -> Any:
    hints = get_type_hints(cls)
    allowed = [f.name for f in fields(cls) if f.init]
    _reject_unknown(values, allowed, where=where)
    kwargs = {key: _coerce(value, hints[key], f"{where}.{key}") for key, value in values.items()}
    return cls(**kwargs)


def _coerce(value: Any, expected: Any, key: str) -> Any:
    origin = get_origin(expected)
    if origin is tuple:
        item_type = get_args(expected)[0]
        if not isinstance(value, list):
            raise _type_error(key, f"a list of {item_type.__name__}", value)
        return tuple(_coerce(item, item_type, f"{key}[{i}]") for i, item in enumerate(value))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is int and isinstance(value, bool):
        raise _type_error(key, "int", value)
    if not isinstance(value, expected):
        raise _type_error(key, expected.__name__, value)
    return value


def _type_error(key: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(
        f"{key} must be {_article(expected)} {expected}, but is {_type_name(value)} ({value!r})."
    )


def _article(type_name: str) -> str:
    return "an" if type_name[0] in "aeiou" else "a"


def _type_name(value: Any) -> str:
    names = {str: "str", int: "int", float: "float", bool: "bool", list: "list", dict: "table"}
    return names.get(type(value), type(value).__name__)


def _reject_unknown(values: Mapping[str, Any], allowed: list[str], *, where: str) -> None:
    for key in values:
        if key in allowed:
            continue
        name = f"{where}.{key}" if where else key
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else f" Valid keys: {', '.join(allowed)}."
        raise ConfigError(f"Unknown key '{name}'.{hint}")


def _with(obj: Any, **changes: Any) -> Any:
    values = {f.name: getattr(obj, f.name) for f in fields(obj)}
    values.update(changes)
    return type(obj)(**values)


def _replace_telegram(config: Config, **changes: Any) -> Config:
    return _with(config, telegram=_with(config.telegram, **changes))  # type: ignore[no-any-return]
