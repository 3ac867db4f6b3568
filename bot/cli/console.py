"""``nieuwsbot console``: chat with the real bot in a terminal, without Telegram or internet.

The real Application with its real handlers, store, poll job and push engine
talks to an in-process loopback Bot API (:class:`FakeTelegram`). Feeds come
from a loopback feed server with the bundled sample items, or with ``--live``
from the configured feeds. What the user types is sent as a private chat
message; what the bot sends to that chat is printed as readable text.

Threads: the Application runs on this module's event loop; the two loopback
servers serve from their own daemon threads; stdin is read by a daemon thread,
so pushes are printed while the user is idle and a blocked ``readline`` never
holds up the exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from bot.cli.console_render import (
    FETCHING,
    HELP,
    NOTHING_PENDING,
    STALE_BUTTON,
    STARTING,
    Button,
    ConsoleCommand,
    Inline,
    Pick,
    Say,
    Unknown,
    banner,
    fetched,
    link_button,
    no_such_button,
    nobody_follows,
    parse_line,
    published,
    render_call,
    render_inline,
    unknown_command,
    user_line,
)
from bot.config import Config, FeedConfig
from bot.core.clock import Clock, utc_now
from bot.core.model import NewsItem
from bot.runtime.jobs import run_poll_cycle
from bot.runtime.lifecycle import running
from bot.runtime.services import Services
from bot.sim.feeds import FeedServer
from bot.sim.samples import (
    SAMPLE_FEEDS,
    PendingItem,
    feed_documents,
    pending_items,
)
from bot.sim.telegram import FakeTelegram
from bot.tagging import country, section
from bot.texts.console import INLINE_FAILED, channel_created, channel_post_heading

__all__ = [
    "CONSOLE_CHAT_ID",
    "console_config",
    "run_console",
    "sample_feed_configs",
]

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1

# The console user's private chat (and user) id; private chat ids equal user ids.
CONSOLE_CHAT_ID = 1000
CONSOLE_FIRST_NAME = "Lezer"
CONSOLE_BOT_USERNAME = "nieuwsbot_console_bot"
# ``:kanaal``: a channel the console user owns, with the bot as admin that may post.
CONSOLE_CHANNEL_ID = -1001000000001
CONSOLE_CHANNEL_NAME = "console_kanaal"
# How often the bot's calls to the loopback API are looked for and printed.
_WATCH_INTERVAL_S = 0.03
# The first poll cycle runs a second after start; sample feeds take well under this.
_SAMPLE_READY_TIMEOUT_S = 15.0
# Live feeds may each take the fetch deadline; on top of it, parsing and storing.
_LIVE_READY_MARGIN_S = 15.0
# How long to wait for the answer to the user's last message, and before
# stopping the silence after it that says the bot is done (replies to one chat
# are paced about a second apart, as Telegram requires).
_ANSWER_MAX_S = 5.0
_ANSWER_QUIET_S = 1.2
_ANSWERS = frozenset(
    {"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}
)


def sample_feed_configs(url_of: Callable[[str], str]) -> tuple[FeedConfig, ...]:
    """Feed configs for the bundled samples; ``url_of`` maps a server path to its URL.

    No sections are configured: the items' categories and texts decide, as for
    a real general feed.
    """
    return tuple(
        FeedConfig(name=feed.name, url=url_of(feed.path), source=feed.outlet)
        for feed in SAMPLE_FEEDS
    )


def console_config(
    config: Config,
    *,
    token: str,
    base_url: str,
    data_path: Path,
    feeds: tuple[FeedConfig, ...],
) -> Config:
    """The configuration the console runs the bot with (pure).

    The bot talks to the loopback Bot API with its token, polls for updates
    (never a webhook), keeps its data under ``data_path`` and reads ``feeds``.
    Admin ids are dropped: they belong to real Telegram users, not to the console.
    Everything else (schedule, push and news settings) is the user's own.
    """
    telegram = dataclasses.replace(
        config.telegram, token=token, base_url=base_url, webhook_url="", admins=()
    )
    storage = dataclasses.replace(config.storage, path=str(data_path))
    return dataclasses.replace(config, telegram=telegram, storage=storage, feeds=feeds)


def run_console(
    config: Config,
    *,
    live: bool,
    stdin: TextIO,
    stdout: TextIO,
    data_dir: Path | None = None,
) -> int:
    """Run a console session until ``:stop`` or end of input; returns the exit code.

    ``config`` may be the default ``Config()``: no token and no file are needed.
    Data lives in a temporary directory that is removed afterwards, unless
    ``data_dir`` is given.
    """
    with _quiet_logging():
        try:
            return asyncio.run(
                _session(config, live=live, stdin=stdin, stdout=stdout, data_dir=data_dir)
            )
        except OSError as exc:  # a port, the data directory
            log.error("Console failed: %s", exc)
            return EXIT_FAILURE


@contextlib.contextmanager
def _quiet_logging() -> Iterator[None]:
    """Only warnings and errors between the chat lines, unless debug logging was asked for."""
    root = logging.getLogger()
    previous = root.level
    if previous != logging.DEBUG:
        root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.setLevel(previous)


async def _session(
    config: Config, *, live: bool, stdin: TextIO, stdout: TextIO, data_dir: Path | None
) -> int:
    clock: Clock = utc_now
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            temporary = stack.enter_context(tempfile.TemporaryDirectory(prefix="nieuwsbot-"))
            data_path = Path(temporary)
        else:
            data_path = data_dir
        fake = stack.enter_context(FakeTelegram(username=CONSOLE_BOT_USERNAME))
        feeds: _SampleFeeds | None = None
        if live:
            feed_configs = config.enabled_feeds
        else:
            server = stack.enter_context(FeedServer())
            feeds = _SampleFeeds(server, clock)
            feed_configs = sample_feed_configs(server.url)
        bot_config = console_config(
            config,
            token=fake.token,
            base_url=fake.base_url,
            data_path=data_path,
            feeds=feed_configs,
        )
        screen = _Screen(fake, stdout, ansi=_wants_ansi(stdout))
        ready_timeout = (
            config.fetch.timeout_seconds + _LIVE_READY_MARGIN_S if live else _SAMPLE_READY_TIMEOUT_S
        )
        screen.say(STARTING)
        async with running(bot_config, clock, poll_timeout=1) as bot:
            svc = bot.services
            watcher = asyncio.create_task(_watch(screen))
            try:
                await _first_cycle(svc, ready_timeout)
                screen.say(banner(live=live, items=svc.store.item_count(), feeds=len(feed_configs)))
                lines = _read_lines(stdin)
                news = _News(svc, screen, feeds)
                scripted = not _is_terminal(stdin)
                last_input = await _dialogue(lines, screen, fake, news, scripted=scripted)
                # Stopping at once would lose the answer to the last line. Someone
                # at a terminal has read it already, or chose not to wait for it.
                await _answer(fake, last_input, quiet_s=_ANSWER_QUIET_S if scripted else 0.0)
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
        # After the Application has stopped: replies and pushes it finished meanwhile.
        screen.drain()
    return EXIT_OK


async def _first_cycle(svc: Services, wait_s: float) -> None:
    """Wait for the scheduled first poll, so the user starts with news in the bot."""
    try:
        async with asyncio.timeout(wait_s):
            # The poll job announces nothing but ``last_cycle``; looking costs nothing.
            while svc.last_cycle is None:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    except TimeoutError:
        log.warning("The first poll cycle did not finish within %.0f s", wait_s)


def _wants_ansi(stream: TextIO) -> bool:
    """Bold and colours only on a terminal, and not when NO_COLOR is set."""
    return not os.environ.get("NO_COLOR") and _is_terminal(stream)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


class _Screen:
    """Prints the bot's calls for the console chat, in order, and remembers the last keyboard."""

    def __init__(self, fake: FakeTelegram, out: TextIO, *, ansi: bool) -> None:
        self._fake = fake
        self._out = out
        self._ansi = ansi
        self._seen = 0
        self.keyboard: tuple[int, tuple[Button, ...]] | None = None
        # Channels whose posts are shown too (``:kanaal``); their buttons are not picked.
        self.channels: set[int] = set()

    def say(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def _keyboard_of(self, message_id: int | None) -> bool:
        return self.keyboard is not None and self.keyboard[0] == message_id

    def drain(self) -> None:
        """Print every call since the last drain that the user would see."""
        calls = self._fake.calls
        fresh, self._seen = calls[self._seen :], len(calls)
        for call in fresh:
            # Toasts carry no chat id; everything else must be for the console chat.
            if not call.ok:
                continue
            if call.chat_id in self.channels:
                shown = render_call(call.method, call.params, call.result, ansi=self._ansi)
                if shown is not None:
                    self.say(f"{channel_post_heading(CONSOLE_CHANNEL_NAME)}\n{shown.text}")
                continue
            if call.chat_id not in (CONSOLE_CHAT_ID, None):
                continue
            shown = render_call(call.method, call.params, call.result, ansi=self._ansi)
            if shown is None:
                continue
            if shown.buttons:
                assert shown.message_id is not None
                self.keyboard = (shown.message_id, shown.buttons)
            elif shown.buttons is not None and self._keyboard_of(shown.message_id):
                self.keyboard = None
            self.say(shown.text)


async def _watch(screen: _Screen) -> None:
    """Print the bot's messages as they come, also while the user is idle."""
    while True:
        screen.drain()
        await asyncio.sleep(_WATCH_INTERVAL_S)


def _read_lines(stdin: TextIO) -> asyncio.Queue[str | None]:
    """Lines from ``stdin`` as they are typed; None at end of input.

    A daemon thread rather than ``asyncio.to_thread``: the default executor is
    joined when the loop closes, and a ``readline`` waiting for a key never ends.
    """
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        while True:
            try:
                line: str | None = stdin.readline() or None
            except (OSError, ValueError):  # stdin closed under us
                line = None
            try:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            except RuntimeError:  # the session is over and its loop closed
                return
            if line is None:
                return

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return lines


async def _dialogue(
    lines: asyncio.Queue[str | None],
    screen: _Screen,
    fake: FakeTelegram,
    news: _News,
    *,
    scripted: bool,
) -> int | None:
    """Handle typed lines until ``:stop`` or end of input.

    Returns the call mark from before the user's last message or button press
    (None if there was none), so the caller can let the bot answer it.
    ``scripted`` input (a file or pipe, not a terminal) is echoed, since no
    terminal shows it, and paced: each line waits for the answer to the one
    before, as a person would.
    """
    last_input: int | None = None
    while (line := await lines.get()) is not None:
        screen.drain()  # what the bot said before this line comes before it
        if scripted and line.strip():
            screen.say(user_line(line.strip()))
        request = parse_line(line)
        if request is ConsoleCommand.STOP:
            break
        if request is ConsoleCommand.HELP:
            screen.say(HELP)
        elif request is ConsoleCommand.NEW:
            await news.new_item()
        elif request is ConsoleCommand.CHANNEL:
            last_input = fake.mark()
            _link_channel(screen, fake)
        elif isinstance(request, Inline):
            await _inline(screen, fake, request.query)
        elif isinstance(request, Say):
            last_input = fake.mark()
            fake.send_text(CONSOLE_CHAT_ID, request.text, first_name=CONSOLE_FIRST_NAME)
        elif isinstance(request, Pick):
            last_input = fake.mark()
            _press(request.number, screen, fake)
        elif isinstance(request, Unknown):
            screen.say(unknown_command(request.word))
        if scripted and last_input is not None:
            # A script's next line may pick a button of this answer: wait for it.
            await _answer(fake, last_input, quiet_s=_ANSWER_QUIET_S)
    return last_input


async def _answer(fake: FakeTelegram, since: int | None, *, quiet_s: float) -> None:
    """Wait (a few seconds at most) until the bot has answered the user's last message.

    Answered means an answer call after mark ``since`` and then ``quiet_s``
    without another one: a chain of answers (a toast, then the redrawn
    keyboard) is paced a second apart per chat, and an answer cannot be told
    from a late one to the message before.
    """
    if since is None:
        return
    deadline = time.monotonic() + _ANSWER_MAX_S
    while (now := time.monotonic()) < deadline:
        answers = [call for call in fake.calls[since:] if call.method in _ANSWERS]
        if answers and now - answers[-1].at >= quiet_s:
            return
        await asyncio.sleep(0.02)


def _link_channel(screen: _Screen, fake: FakeTelegram) -> None:
    """``:kanaal``: a channel owned by the console user, then ``/kanaal @…`` to link it."""
    fake.add_channel(CONSOLE_CHANNEL_ID, CONSOLE_CHANNEL_NAME, creator=CONSOLE_CHAT_ID)
    screen.channels.add(CONSOLE_CHANNEL_ID)
    screen.say(channel_created(CONSOLE_CHANNEL_NAME))
    fake.send_text(
        CONSOLE_CHAT_ID, f"/kanaal @{CONSOLE_CHANNEL_NAME}", first_name=CONSOLE_FIRST_NAME
    )


async def _inline(screen: _Screen, fake: FakeTelegram, query: str) -> None:
    """``:inline …``: send an inline query as the console user and print the answer."""
    try:
        answer = await fake.inline_and_wait(CONSOLE_CHAT_ID, query, timeout=_ANSWER_MAX_S)
    except (AssertionError, TimeoutError):
        screen.say(INLINE_FAILED)
        return
    screen.say(render_inline(CONSOLE_BOT_USERNAME, query, answer))


def _press(number: int, screen: _Screen, fake: FakeTelegram) -> None:
    message_id, buttons = screen.keyboard or (0, ())
    if not 1 <= number <= len(buttons):
        screen.say(no_such_button(number, len(buttons)))
        return
    button = buttons[number - 1]
    if button.callback_data is None:
        screen.say(link_button(button.url) if button.url else STALE_BUTTON)
        return
    try:
        fake.press_button(CONSOLE_CHAT_ID, message_id, button.callback_data)
    except ValueError:  # the message changed or is gone since it was printed
        screen.say(STALE_BUTTON)


class _SampleFeeds:
    """The bundled sample feeds on the loopback feed server, and the items still to release."""

    def __init__(self, server: FeedServer, clock: Clock) -> None:
        self.server = server
        self._clock = clock
        for path, body in feed_documents(clock()).items():
            server.serve(path, body)
        self.pending: deque[PendingItem] = deque(pending_items())

    def release(self, is_seen: Callable[[str], bool]) -> PendingItem | None:
        """Publish the next item not already in the store (a kept data directory)."""
        while self.pending:
            item = self.pending.popleft()
            if not is_seen(item.guid):
                self.server.publish_item(f"/{item.feed_file}", item.released(self._clock()))
                return item
        return None


class _News:
    """``:nieuw``: release a sample item (or, live, just fetch now) and run a poll cycle."""

    def __init__(self, svc: Services, screen: _Screen, samples: _SampleFeeds | None) -> None:
        self._svc = svc
        self._screen = screen
        self._samples = samples

    async def new_item(self) -> None:
        svc, screen = self._svc, self._screen
        if self._samples is None:
            screen.say(FETCHING)
        else:
            item = self._samples.release(svc.store.is_seen)
            if item is None:
                screen.say(NOTHING_PENDING)
                return
            screen.say(published(item.title))
        try:
            await run_poll_cycle(svc, force=True)
        except Exception:  # a bug in a cycle must not end the user's session
            log.exception("Poll cycle failed")
            return
        report = svc.last_cycle
        stories = report.new_stories if report is not None else ()
        if self._samples is None:
            screen.say(fetched(len(stories)))
        elif stories and not svc.index.match(stories):
            screen.say(nobody_follows(_topics(stories[0])))


def _topics(item: NewsItem) -> list[tuple[str, str]]:
    """What a story can be followed by: (label, term for /volg), sections first."""
    topics: list[tuple[str, str]] = []
    for slug in item.sections:
        with contextlib.suppress(KeyError):
            topics.append((section(slug).label, slug))
    for code in item.countries:
        with contextlib.suppress(KeyError):
            found = country(code)
            topics.append((found.name, found.slug))
    return topics
