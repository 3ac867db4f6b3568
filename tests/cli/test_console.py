"""``nieuwsbot console`` end to end: the real Application, loopback Telegram, sample feeds.

The console runs in a thread with a pipe as its stdin and a recording stream as
its stdout. Every step types one line and waits for the specific output it
should cause, so the test is as fast as the bot and never sleeps a fixed time.
"""

from __future__ import annotations

import dataclasses
import io
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.console import console_config, run_console, sample_feed_configs
from bot.cli.console_render import BANNER_HINT
from bot.config import Config, FeedConfig, PushConfig, StorageConfig, TelegramConfig
from bot.sim.feeds import FeedServer
from bot.sim.samples import (
    SAMPLE_FEEDS,
    SAMPLE_OUTLET,
    SECOND_OUTLET,
    feed_documents,
    pending_items,
    read_sample,
)

WAIT_S = 10.0


class Screen(io.StringIO):
    """A stdout that lets the test wait for text to appear."""

    def __init__(self) -> None:
        super().__init__()
        self._changed = threading.Condition()

    def write(self, text: str) -> int:
        with self._changed:
            written = super().write(text)
            self._changed.notify_all()
        return written

    def wait_for(self, needle: str, *, after: int = 0, timeout: float = WAIT_S) -> int:
        """Wait until ``needle`` is printed at or after offset ``after``; return its end."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while (found := self.getvalue().find(needle, after)) < 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"{needle!r} not printed within {timeout}s; output after {after}:\n"
                        + self.getvalue()[after:]
                    )
                self._changed.wait(remaining)
            return found + len(needle)

    @property
    def end(self) -> int:
        with self._changed:
            return len(self.getvalue())


class TerminalStdin(io.TextIOWrapper):
    """A pipe the console takes for a terminal: a person typing, who reads each answer."""

    def isatty(self) -> bool:
        return True


@dataclasses.dataclass
class Session:
    """A console running in a thread; ``type`` writes a line to its stdin."""

    screen: Screen
    keyboard: io.TextIOWrapper
    thread: threading.Thread
    result: list[int]

    def type(self, line: str) -> int:
        """Type a line; returns the output offset from which its effects are printed."""
        start = self.screen.end
        self.keyboard.write(line + "\n")
        self.keyboard.flush()
        return start

    def exit_code(self) -> int:
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive(), "the console did not stop"
        return self.result[0]


@pytest.fixture
def start_console() -> Iterator[object]:
    sessions: list[Session] = []

    def start(
        config: Config | None = None,
        data_dir: Path | None = None,
        *,
        live: bool = False,
        terminal: bool = True,
    ) -> Session:
        read_end, write_end = os.pipe()
        reader = TerminalStdin if terminal else io.TextIOWrapper
        stdin = reader(os.fdopen(read_end, "rb"), encoding="utf-8")
        keyboard = os.fdopen(write_end, "w", encoding="utf-8")
        screen = Screen()
        result: list[int] = []

        def run() -> None:
            result.append(
                run_console(
                    config or Config(),
                    live=live,
                    stdin=stdin,
                    stdout=screen,
                    data_dir=data_dir,
                )
            )

        thread = threading.Thread(target=run, name="console-under-test", daemon=True)
        thread.start()
        session = Session(screen, keyboard, thread, result)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        if not session.keyboard.closed:
            session.keyboard.close()  # end of input stops a console a test left running
        session.thread.join(WAIT_S)


def _first_title(feed_file: str) -> str:
    """The title of the newest item of a sample feed, as written in the file."""
    xml = read_sample(feed_file)
    return xml.split("<item>", 1)[1].split("<title>", 1)[1].split("</title>", 1)[0]


def test_a_newcomer_session(
    start_console: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The temporary data directory is made here, so the test can see it go.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    console = start_console()  # type: ignore[operator]
    screen: Screen = console.screen
    screen.wait_for(BANNER_HINT)
    items = sum(read_sample(feed.file).count("<item>") for feed in SAMPLE_FEEDS)
    assert f"Voorbeeldnieuws: {items} berichten uit {len(SAMPLE_FEEDS)} voorbeeldfeeds" in (
        screen.getvalue()
    )
    assert list(tmp_path.glob("nieuwsbot-*")), "the session keeps its data in a temporary dir"

    # /start: the welcome with numbered buttons.
    at = console.type("/start")
    at = screen.wait_for("Welkom bij nieuwsbot!", after=at)
    screen.wait_for("[1] Binnenland  [2] Buitenland", after=at)

    # Typing 1 presses the first button: a toast, then the keyboard with a ✓.
    at = console.type("1")
    screen.wait_for("💬 Je volgt nu Binnenland", after=at)
    screen.wait_for("[1] ✓ Binnenland", after=at)

    # A number without a button, and an unknown console command, get a Dutch hint.
    at = console.type("42")
    screen.wait_for("Er is geen knop 42; kies 1 tot en met 9.", after=at)
    at = console.type(":wat")
    screen.wait_for("Onbekende console-opdracht :wat.", after=at)

    at = console.type("/volg oekraine")
    screen.wait_for("✅ Je volgt nu: Oekraïne (land)", after=at)

    # :nieuw releases the pending Ukraine item; the push for the follower arrives.
    ukraine, sport = pending_items()[:2]
    at = console.type(":nieuw")
    at = screen.wait_for(f"Nieuw voorbeeldbericht gepubliceerd: „{ukraine.title}”", after=at)
    at = screen.wait_for(f"{ukraine.title} (https://voorbeeld.nieuwsbot.example/", after=at)
    screen.wait_for("via Oekraïne", after=at)

    # Nobody follows sport: no push, and the console says how to get one.
    at = console.type(":nieuw")
    at = screen.wait_for(f"gepubliceerd: „{sport.title}”", after=at)
    screen.wait_for("Niemand volgt dit bericht (Sport", after=at)

    # /laatste lists the sample items (and the released ones).
    at = console.type("/laatste")
    at = screen.wait_for("Laatste nieuws", after=at)
    screen.wait_for(ukraine.title, after=at)
    screen.wait_for(_first_title("voorbeeld-algemeen.xml"), after=at)

    # A second outlet reports the Ukraine story: no new notification, a silent
    # reply to the push about it (a thread).
    second = pending_items()[2]
    at = console.type(":nieuw")
    at = screen.wait_for(f"gepubliceerd: „{second.title}”", after=at)
    at = screen.wait_for("── nieuwsbot (stil, zonder melding · antwoord) ", after=at)
    at = screen.wait_for(f"↪ antwoord op: {ukraine.title}", after=at)
    at = screen.wait_for("🧵 Meer over dit verhaal:", after=at)
    screen.wait_for(f"{SECOND_OUTLET} — {second.title} (https://voorbeeldkrant.", after=at)

    console.type(":stop")
    assert console.exit_code() == 0
    assert "\x1b[" not in screen.getvalue(), "no ANSI codes when stdout is not a terminal"
    assert not list(tmp_path.glob("nieuwsbot-*")), "the temporary data directory is removed"


def test_a_piped_script_reads_as_a_conversation(start_console: object) -> None:
    # All lines at once, then end of input: each line waits for the answer to the
    # one before, and the console answers the last one before it stops.
    console = start_console(terminal=False)  # type: ignore[operator]
    console.keyboard.write("/start\n1\n")
    console.keyboard.close()
    assert console.exit_code() == 0
    transcript = console.screen.getvalue()
    expected_order = [
        BANNER_HINT,
        "> /start",
        "Welkom bij nieuwsbot!",
        "[1] Binnenland  [2] Buitenland",
        "> 1",
        "💬 Je volgt nu Binnenland",
        "[1] ✓ Binnenland",
    ]
    positions = [transcript.find(text) for text in expected_order]
    assert -1 not in positions, transcript
    assert positions == sorted(positions), transcript


def test_end_of_input_stops_cleanly_and_a_given_data_dir_is_kept(
    start_console: object, tmp_path: Path
) -> None:
    data_dir = tmp_path / "console-data"
    console = start_console(data_dir=data_dir)  # type: ignore[operator]
    console.screen.wait_for(BANNER_HINT)
    at = console.type(":help")
    console.screen.wait_for(":nieuw", after=at)
    console.keyboard.close()  # Ctrl-D
    assert console.exit_code() == 0
    assert any(data_dir.iterdir()), "the store stays where the user asked"


def test_live_reads_the_configured_feeds_and_fetches_on_demand(
    start_console: object, feed_server: FeedServer
) -> None:
    # "Live" feeds on the loopback feed server: the console must not care where they are.
    sample = SAMPLE_FEEDS[1]
    feed_server.serve("/live.xml", feed_documents(datetime.now(UTC))[sample.path])
    config = Config(
        feeds=(FeedConfig(name="live", url=feed_server.url("/live.xml"), source="Live"),)
    )
    console = start_console(config, live=True)  # type: ignore[operator]
    items = read_sample(sample.file).count("<item>")
    console.screen.wait_for(f"Live: {items} berichten uit 1 feed van je configuratie.")
    pending = next(item for item in pending_items() if item.feed_file == sample.file)
    feed_server.publish_item("/live.xml", pending.released(datetime.now(UTC)))
    at = console.type(":nieuw")
    console.screen.wait_for("De bot haalt de feeds nu op…", after=at)
    console.screen.wait_for("1 nieuw bericht opgehaald.", after=at)
    at = console.type("/laatste")
    console.screen.wait_for(pending.title, after=at)
    console.type(":stop")
    assert console.exit_code() == 0


def test_console_config_for_samples_and_live() -> None:
    live_feed = FeedConfig(name="nos", url="https://feeds.nos.nl/nosnieuwsalgemeen", source="NOS")
    off_feed = dataclasses.replace(live_feed, name="oud", enabled=False)
    config = Config(
        telegram=TelegramConfig(
            token="999:real-token",
            admins=(42,),
            webhook_url="https://bot.example/hook",
        ),
        storage=StorageConfig(path="/var/lib/nieuwsbot"),
        push=PushConfig(max_age_hours=3),
        feeds=(live_feed, off_feed),
    )
    derived = console_config(
        config,
        token="123:fake",
        base_url="http://127.0.0.1:5555/bot",
        data_path=Path("/tmp/console"),
        feeds=config.enabled_feeds,
    )
    assert derived.telegram.token == "123:fake"
    assert derived.telegram.base_url == "http://127.0.0.1:5555/bot"
    assert derived.telegram.webhook_url == ""  # the console polls the loopback API
    assert derived.telegram.admins == ()
    assert derived.storage.path == "/tmp/console"
    assert derived.feeds == (live_feed,)  # --live: the configured, enabled feeds
    assert derived.push == config.push  # the user's own settings otherwise
    assert config.telegram.token == "999:real-token"  # the original is untouched

    samples = sample_feed_configs(lambda path: f"http://127.0.0.1:7777{path}")
    assert [feed.url for feed in samples] == [
        f"http://127.0.0.1:7777/{feed.file}" for feed in SAMPLE_FEEDS
    ]
    assert [feed.outlet for feed in samples] == [feed.outlet for feed in SAMPLE_FEEDS]
    assert {feed.outlet for feed in samples} == {SAMPLE_OUTLET, SECOND_OUTLET}
