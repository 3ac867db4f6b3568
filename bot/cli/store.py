"""``nieuwsbot store repair``: the operator's explicit "accept the loss" for a refused store."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.config import Config

ConfigLoader = Callable[[argparse.Namespace], Config]

REPAIR_HELP = (
    "make a data directory that `run` refuses open again: unreadable chat and outbox "
    "files are moved aside, the manifest is rebuilt from the files as they are (the bot "
    "must not be running)"
)


def add_store_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    load: ConfigLoader,
) -> None:
    """Register ``store repair`` (``load`` reads the config the way every command does)."""
    store = commands.add_parser("store", help="maintain the data directory")
    actions = store.add_subparsers(dest="store_action", metavar="ACTION", required=True)
    repair = actions.add_parser("repair", parents=[common], help=REPAIR_HELP)
    repair.set_defaults(handler=lambda args: cmd_store_repair(args, load))


def cmd_store_repair(
    args: argparse.Namespace, load: ConfigLoader, out: TextIO | None = None
) -> int:
    from bot.core.clock import utc_now
    from bot.store.repair import repair_store

    config = load(args)
    root = Path(config.storage.path)
    result = asyncio.run(repair_store(root, clock=utc_now))
    lines = [f"Repairing {root}:"]
    lines += [f"  {change}" for change in result.changes] or [
        "  nothing to repair: every chat and outbox file matches the manifest"
    ]
    lines.append(
        f"The store opens: {result.chats} chats, {result.pending} messages waiting in the outbox."
    )
    print("\n".join(lines), file=out)
    return 0
