"""The ``nieuwsbot`` command line: run, check, fetch, tag, console, health, store repair."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from telegram.error import InvalidToken

from bot import __version__
from bot.cli.store import add_store_command
from bot.config import TOKEN_ENV, Config, ConfigError, load_config, resolve_config_path
from bot.core.redact import redact
from bot.runtime.logsetup import add_secret, setup_logging
from bot.store.errors import StoreRefusedError

log = logging.getLogger("nieuwsbot")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_CONFIG
    # A long-running bot logs what it does; one-shot commands only what went wrong.
    quiet = args.command not in ("run",)
    setup_logging(verbose=args.verbose, level=logging.WARNING if quiet else None)
    handler: Command = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        print(f"nieuwsbot: config error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_CONFIG
    except StoreRefusedError as exc:
        # Locked, corrupt, mismatching or too new: only the operator can fix it,
        # so one line and exit 2 (the systemd unit does not restart on 2).
        print(f"nieuwsbot: {' '.join(redact(str(exc)).splitlines())}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `nieuwsbot fetch | head`: the reader has all it wanted; that is a normal end.
        _silence_stdout()
        return EXIT_OK
    except InvalidToken:
        # PTB's message quotes the token; say what to do instead.
        print(
            "nieuwsbot: the Bot API refused the token; check TELEGRAM_BOT_TOKEN and "
            "[telegram] base_url.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except Exception:
        # Through the redacting formatter: a library's message may quote the token.
        log.critical("nieuwsbot stopped on an unexpected error", exc_info=True)
        return EXIT_FAILURE


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nieuwsbot",
        description="Telegram bot that pushes Dutch news about what you follow.",
    )
    parser.add_argument("--version", action="version", version=f"nieuwsbot {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $NIEUWSBOT_CONFIG, else ./config.toml)",
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", parents=[common], help="start the bot (long polling)")
    run.set_defaults(handler=cmd_run)

    check = commands.add_parser(
        "check", parents=[common], help="validate the configuration and print a summary"
    )
    check.add_argument(
        "--online",
        action="store_true",
        help="also call getMe on the Bot API and fetch every feed once",
    )
    check.set_defaults(handler=cmd_check)

    console = commands.add_parser(
        "console",
        parents=[common],
        help="chat with the bot in this terminal (no Telegram, no token needed)",
    )
    console.add_argument(
        "--live", action="store_true", help="poll the configured feeds instead of the samples"
    )
    console.set_defaults(handler=cmd_console)

    fetch = commands.add_parser(
        "fetch",
        parents=[common],
        help="fetch feeds once and print the items (URLs, files, or the configured feeds)",
    )
    fetch.add_argument("--json", action="store_true", help="one JSON object per item and line")
    fetch.add_argument("sources", nargs="*", metavar="SOURCE", help="feed URL or local file")
    fetch.set_defaults(handler=cmd_fetch)

    tag = commands.add_parser(
        "tag",
        parents=[common],
        help="tag items read from stdin with countries, sections and dateline",
    )
    tag.add_argument(
        "--json", action="store_true", help='input and output are JSON lines ({"title", "text"})'
    )
    tag.set_defaults(handler=cmd_tag)

    health = commands.add_parser(
        "health",
        parents=[common],
        help="exit 0 if the bot runs on its data directory and can write there "
        "(for container health checks; no Telegram call)",
    )
    health.set_defaults(handler=cmd_health)

    add_store_command(commands, common, _load)
    return parser


def _load(args: argparse.Namespace, *, need_token: bool = False) -> Config:
    config = load_config(resolve_config_path(args.config))
    if need_token:
        config.require_token()  # before any warning: a missing token is the one message
    add_secret(config.telegram.token)
    add_secret(config.telegram.webhook_secret)
    for warning in config.warnings:
        log.warning("%s", warning)
    return config


def cmd_run(args: argparse.Namespace) -> int:
    config = _load(args, need_token=True)
    from bot.runtime.lifecycle import serve  # imported late: keeps `--help` fast

    mode = "webhook" if config.telegram.webhook_url else "long polling"
    log.info("Starting nieuwsbot %s (%s)", __version__, mode)
    serve(config)
    log.info("Stopped")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    config = _load(args, need_token=args.online)
    print(describe_config(config))
    if not args.online:
        return EXIT_OK
    from bot.ops.online_check import online_check

    print()
    return asyncio.run(online_check(config, out=sys.stdout))


def cmd_health(args: argparse.Namespace) -> int:
    """Exit 0 or 1 only: Docker reserves 2, so a config error is "unhealthy" too."""
    from bot.cli.health import check_health

    try:
        # Not _load: its warnings (no feeds, ...) would make the answer more than one line.
        config = load_config(resolve_config_path(args.config))
    except ConfigError as exc:
        print(f"nieuwsbot: unhealthy: config error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    health = check_health(Path(config.storage.path))
    if health.ok:
        print(health.line)
        return EXIT_OK
    print(f"nieuwsbot: {health.line}", file=sys.stderr)
    return EXIT_FAILURE


def cmd_console(args: argparse.Namespace) -> int:
    path = resolve_config_path(args.config)
    if args.config is None and not path.is_file() and not args.live:
        config = Config()  # the console needs no config file and no token
    else:
        config = _load(args)
    from bot.cli.console import run_console

    return run_console(config, live=args.live, stdin=sys.stdin, stdout=sys.stdout)


def cmd_fetch(args: argparse.Namespace) -> int:
    path = resolve_config_path(args.config)
    if args.sources and args.config is None and not path.is_file():
        config = Config()  # one-off fetch of explicit sources needs no config file
    else:
        config = _load(args)
    from bot.cli.fetch import (
        feeds_for_sources,
        fetch_sources,
        item_to_json,
        item_to_text,
    )
    from bot.core.clock import utc_now

    feeds = feeds_for_sources(args.sources, config)
    if not feeds:
        print("nieuwsbot: no sources given and no enabled feeds configured", file=sys.stderr)
        return EXIT_FAILURE
    results = asyncio.run(fetch_sources(feeds, config, utc_now))
    tz = config.schedule.tz
    for result in results:
        if result.error is not None:
            print(f"nieuwsbot: {result.feed.url}: {result.error}", file=sys.stderr)
            continue
        for item in result.items:
            print(item_to_json(item) if args.json else item_to_text(item, tz) + "\n")
    return EXIT_FAILURE if all(result.error for result in results) else EXIT_OK


def cmd_tag(args: argparse.Namespace) -> int:
    from bot.cli.tag import run

    return run(sys.stdin, sys.stdout, as_json=args.json)


def describe_config(config: Config) -> str:
    """A human summary of a valid configuration (the token is never printed)."""
    token = (
        "set"
        if config.telegram.token
        else f"NOT SET: `nieuwsbot run` will refuse to start. Set {TOKEN_ENV}=<token from "
        '@BotFather> in the environment, or token = "..." under [telegram].'
    )
    lines = [
        f"Config: {config.source_path or '(defaults)'} is valid.",
        f"  Bot API:        {config.telegram.base_url}",
        f"  Token:          {token}",
        f"  Admins:         {', '.join(map(str, config.telegram.admins)) or 'none'}",
        f"  Updates:        {'webhook ' + config.telegram.webhook_url if config.telegram.webhook_url else 'long polling'}",  # noqa: E501
        f"  Data directory: {Path(config.storage.path)}",
        f"  Poll interval:  {config.schedule.poll_interval_seconds} s ({config.schedule.timezone})",
        f"  Feeds:          {len(config.enabled_feeds)} enabled of {len(config.feeds)}",
    ]
    for feed in config.feeds:
        state = "on " if feed.enabled else "off"
        sections = ", ".join(feed.sections) or "-"
        lines.append(f"    [{state}] {feed.name:<28} {sections:<22} {feed.url}")
    lines.extend(f"  Warning: {warning}" for warning in config.warnings)
    return "\n".join(lines)
