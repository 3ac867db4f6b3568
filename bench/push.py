"""Benchmark: one broadcast to N chats through the production bot and a loopback Bot API.

Targets (the issue's): the makespan of a broadcast of one message to each of N
chats is at most 1.1 times the floor the configured global rate sets
(N / messages_per_second); Telegram's flood limits are never hit (zero 429s);
command replies sent while the broadcast runs are answered with p95 <= 1 s.

Setup: FakeTelegram with ``enforce_flood_limits=True`` (30/s overall, 1/s per
private chat), a FeedServer with one NOS feed, and the Application of
``bot.runtime.app.build_application`` with ``push.messages_per_second = 25``, started
the way ``run_polling`` starts it (long polling with the production timeout).
N private chats, each following ``country:UA``, are written into the store's
chat shards before the bot opens it (the store's per-chat API would spend ~6 ms
per chat). A first poll cycle stores the feed's old item without pushing; then
one Ukraine item is published and a second cycle plans one message per chat.

Makespan runs from the first broadcast sendMessage the fake recorded to the
last (``Call.at``, ``time.monotonic()`` in this process). The outbox is persisted
in chunks and sending starts once the first is durable, so the broadcast begins
inside the poll cycle: the cycle's duration (planning and persisting all of it,
with sends already running) and the time from the cycle's start to the first
send are shown separately. While the drain runs, a user sends
``/laatste oekraine`` every 0.5 s; latency is from queueing that update at the
fake to the fake receiving the bot's reply. The users rotate over a few chats so
that neither Telegram's 1 message/s per chat nor the bot's own 20 commands per
minute per chat throttle the probe itself. Replies draw on the same global
budget as the broadcast (the pacer paces every send at 25/s), so two replies a
second leave the broadcast ~23/s: expect a ratio near 25 / 23 = 1.087 with the
probe on and ~1.0 with ``--probe-interval 0``.

    python bench/push.py           # 1,000 chats: floor 40 s, about a minute
    python bench/push.py --full    # 3,000 chats: floor 120 s, the record run
    python bench/push.py --chats N

``--first-send`` measures something else (issue 13 item 3): at 100,000 followers
(``--chats`` to change), the time from the start of the poll cycle that finds
the new item to the first broadcast ``sendMessage`` the fake receives, in
``--runs`` fresh bots (median quoted; target <= 1 s). The rest of the
broadcast is not waited for: the bot is stopped once the cycle has returned.

    python bench/push.py --first-send

``--paid`` measures paid broadcasts (issue 13 item 5): ``push.paid_broadcast``
on and ``push.messages_per_second = 1000``; the fake (in a process of its own,
``bench/remote_fake.py``, so that it does not eat the bot's CPU) enforces 1,000
sends a second for sends that carry ``allow_paid_broadcast`` and 30 for the
rest. Default 20,000 chats: floor 20 s.

    python bench/push.py --paid
    python bench/push.py --paid --chats 20000

The last line is the verdict; the exit status is 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.config import (
    Config,
    FeedConfig,
    PushConfig,
    ScheduleConfig,
    StorageConfig,
    TelegramConfig,
)
from bot.core.clock import OffsetClock
from bot.core.model import FollowKey, FollowKind
from bot.deliver import engine
from bot.runtime.jobs import run_poll_cycle
from bot.runtime.lifecycle import running
from bot.runtime.services import Services
from bot.sim.feeds import FeedServer
from bot.sim.telegram import Call, FakeTelegram
from bot.store.chats import write_chat_shards
from bot.store.layout import CHATS_DIR, SCHEMA_VERSION, SHARD_COUNT, Meta, write_meta
from bot.store.manifest import rebuild_manifest
from bot.store.records import DEFAULT_SETTINGS, ChatRecord

sys.path.insert(0, str(Path(__file__).resolve().parent))
from remote_fake import CallRecord, RemoteFake  # a sibling script module

TARGET_RATIO = 1.1
TARGET_FIRST_SEND_S = 1.0
FIRST_SEND_CHATS = 100_000
FIRST_SEND_RUNS = 3
TARGET_429 = 0
TARGET_REPLY_P95_S = 1.0

RATE = 25.0  # push.messages_per_second, the production default
PAID_RATE = 1000.0  # push.messages_per_second with push.paid_broadcast
PAID_CHATS = 20_000
DEFAULT_CHATS = 1_000
FULL_CHATS = 3_000
FIRST_CHAT = 10_000_001
# The probing users: a command every 0.5 s spread over 8 chats is one per chat
# every 4 s, inside both Telegram's per-chat limit and the bot's command limit.
PROBE_INTERVAL_S = 0.5
PROBE_CHATS = tuple(range(900_001, 900_009))
PROBE_COMMAND = "/laatste oekraine"
# How long to wait for replies still in flight once the broadcast is over.
REPLY_GRACE_S = 5.0

FEED_PATH = "/nos.xml"
FEED_DOC = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>NOS Nieuws</title><link>https://nos.nl</link>
<description>bench feed</description>
{items}
</channel></rss>
"""
UKRAINE_FOLLOW = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")


def rss_item(guid: str, title: str, description: str, published: datetime) -> str:
    stamp = published.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return (
        f"<item><title><![CDATA[{title}]]></title><link>https://nos.nl/l/{guid}</link>"
        f'<guid isPermaLink="false">{guid}</guid><pubDate>{stamp}</pubDate>'
        f"<description><![CDATA[{description}]]></description></item>"
    )


def old_item(now: datetime) -> str:
    return rss_item(
        "nos-1",
        "Kabinet presenteert plannen voor de woningmarkt",
        "Het kabinet wil meer betaalbare huizen bouwen.",
        now - timedelta(hours=1),
    )


def ukraine_item(now: datetime) -> str:
    return rss_item(
        "nos-2",
        "Oekraïne meldt grote drone-aanval op Kyiv",
        "KYIV (ANP/RTR) - Rusland heeft de Oekraïense hoofdstad Kyiv in de nacht aangevallen "
        "met tientallen drones. Volgens burgemeester Klitsjko zijn zeker drie doden gevallen.",
        now,
    )


@dataclass
class Probe:
    """Commands sent during the broadcast: chat id and ``time.monotonic()`` at queueing."""

    sent: list[tuple[int, float]] = field(default_factory=list)


Fake = FakeTelegram | RemoteFake
Recorded = Call | CallRecord


def is_paid(call: Recorded) -> bool:
    """Whether the send carried ``allow_paid_broadcast``."""
    if isinstance(call, CallRecord):
        return call.paid
    return call.params.get("allow_paid_broadcast") is True


@dataclass(frozen=True)
class Figures:
    chats: int
    configured_rate: float
    plan_s: float
    first_send_s: float
    makespan_s: float
    delivered: int
    duplicates: int
    flood_429: int
    refused_sends: int
    probed: bool
    latencies: list[float]
    unanswered: int
    pending_after: int
    other_sends: int
    paid_pushes: int  # broadcast sends that carried allow_paid_broadcast
    paid_replies: int  # other sends that carried it (must be 0)

    @property
    def floor_s(self) -> float:
        return self.chats / self.configured_rate

    @property
    def ratio(self) -> float:
        return self.makespan_s / self.floor_s

    @property
    def rate(self) -> float:
        return self.delivered / self.makespan_s if self.makespan_s > 0 else 0.0

    @property
    def total_rate(self) -> float:
        """Broadcast plus replies: the pacer's one global budget covers both."""
        sends = self.delivered + self.other_sends
        return sends / self.makespan_s if self.makespan_s > 0 else 0.0

    @property
    def errors_429(self) -> int:
        # The fake counts every flood answer; refused sends also catch a 429
        # from any other source (none is injected here).
        return max(self.flood_429, self.refused_sends)

    @property
    def reply_p95_s(self) -> float:
        if self.unanswered or not self.latencies:
            return math.inf
        return percentile(self.latencies, 0.95)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def seed_chats(root: Path, chat_ids: Sequence[int], created_at: datetime) -> None:
    """Write the subscribers into a fresh store directory in one pass per shard."""
    root.mkdir(parents=True)
    write_meta(root, Meta(SCHEMA_VERSION, SHARD_COUNT))
    records = [
        ChatRecord(
            chat_id=chat_id,
            chat_type="private",
            follows=(UKRAINE_FOLLOW,),
            settings=DEFAULT_SETTINGS,
            active=True,
            deactivated_at=None,
            created_at=created_at,
        )
        for chat_id in chat_ids
    ]
    write_chat_shards(root / CHATS_DIR, records, SHARD_COUNT)
    rebuild_manifest(root)  # a store without a manifest is refused


def make_config(
    fake: Fake, feeds: FeedServer, data: Path, rate: float = RATE, paid: bool = False
) -> Config:
    # No admins: feed alerts would add sends the broadcast figures do not want.
    return Config(
        telegram=TelegramConfig(token=fake.token, base_url=fake.base_url, admins=()),
        storage=StorageConfig(path=str(data)),
        schedule=ScheduleConfig(poll_interval_seconds=60),
        push=PushConfig(messages_per_second=rate, paid_broadcast=paid),
        feeds=(FeedConfig(name="NOS algemeen", source="NOS", url=feeds.url(FEED_PATH)),),
    )


async def probe_replies(fake: Fake, probe: Probe, stop: asyncio.Event, interval_s: float) -> None:
    """Send a command every ``interval_s``, rotating over PROBE_CHATS, until stopped."""
    turn = 0
    while interval_s > 0 and not stop.is_set():
        chat_id = PROBE_CHATS[turn % len(PROBE_CHATS)]
        probe.sent.append((chat_id, time.monotonic()))
        fake.send_text(chat_id, PROBE_COMMAND)
        turn += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)


def reply_latencies(probe: Probe, calls: Sequence[Recorded]) -> tuple[list[float], int]:
    """Match each command to its chat's next reply, in order; returns (latencies, unanswered)."""
    replies: dict[int, list[float]] = defaultdict(list)
    for call in calls:
        chat_id = call.chat_id
        if call.method == "sendMessage" and call.ok and chat_id in PROBE_CHATS:
            assert isinstance(chat_id, int)
            replies[chat_id].append(call.at)
    taken: dict[int, int] = defaultdict(int)
    latencies: list[float] = []
    unanswered = 0
    for chat_id, sent_at in probe.sent:
        answers = replies[chat_id]
        index = taken[chat_id]
        while index < len(answers) and answers[index] < sent_at:
            index += 1  # an answer from before this command belongs to no probe
        if index < len(answers):
            latencies.append(answers[index] - sent_at)
            taken[chat_id] = index + 1
        else:
            unanswered += 1
    return latencies, unanswered


async def wait_for_replies(fake: Fake, probe: Probe, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _, unanswered = reply_latencies(probe, fake.calls_of("sendMessage"))
        if not unanswered:
            return
        await asyncio.sleep(0.1)


async def broadcast(
    svc: Services,
    fake: Fake,
    feeds: FeedServer,
    clock: OffsetClock,
    chats: Sequence[int],
    probe_interval_s: float,
    rate: float,
) -> Figures:
    delivery = svc.delivery
    assert delivery is not None
    # Baseline: the first fetch of a feed is stored, never pushed.
    clock.advance(timedelta(minutes=10))
    await run_poll_cycle(svc)
    await delivery.wait_idle()
    if svc.store.pending_count():
        raise SystemExit("the baseline cycle planned pushes; the bench setup is wrong")

    feeds.publish_item(FEED_PATH, ukraine_item(clock()))
    clock.advance(timedelta(minutes=10))
    began = time.monotonic()
    await run_poll_cycle(svc)
    cycle_end = time.monotonic()  # the whole outbox is durable; sending began earlier

    probe, stop = Probe(), asyncio.Event()
    prober = asyncio.create_task(probe_replies(fake, probe, stop, probe_interval_s))
    await delivery.wait_idle()
    stop.set()
    await prober
    await wait_for_replies(fake, probe, REPLY_GRACE_S)

    calls = fake.calls
    wanted = set(chats)
    pushes = [
        c
        for c in calls
        if c.method == "sendMessage" and isinstance(c.chat_id, int) and c.chat_id in wanted
    ]
    delivered_to = [c.chat_id for c in pushes if c.ok]
    latencies, unanswered = reply_latencies(probe, calls)
    last = max((c.at for c in pushes), default=cycle_end)
    first = min((c.at for c in pushes), default=cycle_end)
    refused = [c for c in calls if c.method == "sendMessage" and not c.ok]
    return Figures(
        chats=len(chats),
        configured_rate=rate,
        plan_s=cycle_end - began,
        first_send_s=first - began,
        makespan_s=last - first,
        delivered=len(set(delivered_to)),
        duplicates=len(delivered_to) - len(set(delivered_to)),
        flood_429=fake.flood_429_count,
        refused_sends=len(refused),
        probed=probe_interval_s > 0,
        latencies=latencies,
        unanswered=unanswered,
        pending_after=svc.store.pending_count(),
        other_sends=sum(
            1
            for c in calls
            if c.method == "sendMessage"
            and c.ok
            and first <= c.at <= last
            and c.chat_id not in wanted
        ),
        paid_pushes=sum(1 for c in pushes if is_paid(c)),
        paid_replies=sum(
            1 for c in calls if c.method == "sendMessage" and c.chat_id not in wanted and is_paid(c)
        ),
    )


async def measure(n_chats: int, probe_interval_s: float, paid: bool = False) -> Figures:
    clock = OffsetClock()
    chats = list(range(FIRST_CHAT, FIRST_CHAT + n_chats))
    rate = PAID_RATE if paid else RATE
    fake_server: Fake = (
        RemoteFake(enforce_flood_limits=True) if paid else FakeTelegram(enforce_flood_limits=True)
    )
    with (
        tempfile.TemporaryDirectory(prefix="nieuwsbot-bench-push-") as tmp,
        fake_server as fake,
        FeedServer() as feeds,
    ):
        data = Path(tmp) / "data"
        seed_chats(data, chats, clock())
        body = FEED_DOC.format(items=old_item(clock()))
        feeds.serve(FEED_PATH, body.encode("utf-8"), "application/rss+xml; charset=utf-8")
        config = make_config(fake, feeds, data, rate, paid)
        async with running(config, clock, schedule=False) as bot:
            svc = bot.services
            if len(svc.index) != n_chats:
                raise SystemExit(f"seeded {n_chats} chats, the bot sees {len(svc.index)}")
            figures = await broadcast(svc, fake, feeds, clock, chats, probe_interval_s, rate)
    return figures


@dataclass(frozen=True)
class FirstSend:
    """One --first-send run: seconds from the cycle's start."""

    first_send_s: float
    cycle_s: float
    sent_during_cycle: int


async def first_send_run(n_chats: int) -> FirstSend:
    clock = OffsetClock()
    chats = range(FIRST_CHAT, FIRST_CHAT + n_chats)
    with (
        tempfile.TemporaryDirectory(prefix="nieuwsbot-bench-first-") as tmp,
        FakeTelegram(enforce_flood_limits=True) as fake,
        FeedServer() as feeds,
    ):
        data = Path(tmp) / "data"
        seed_chats(data, chats, clock())
        body = FEED_DOC.format(items=old_item(clock()))
        feeds.serve(FEED_PATH, body.encode("utf-8"), "application/rss+xml; charset=utf-8")
        async with running(make_config(fake, feeds, data), clock, schedule=False) as bot:
            svc = bot.services
            if len(svc.index) != n_chats:
                raise SystemExit(f"seeded {n_chats} chats, the bot sees {len(svc.index)}")
            clock.advance(timedelta(minutes=10))
            await run_poll_cycle(svc)  # the baseline: stored, not pushed
            feeds.publish_item(FEED_PATH, ukraine_item(clock()))
            clock.advance(timedelta(minutes=10))
            mark = fake.mark()
            began = time.monotonic()
            await run_poll_cycle(svc)
            cycle_s = time.monotonic() - began
            first = await fake.wait_for_call(
                "sendMessage",
                predicate=lambda call: isinstance(call.chat_id, int) and call.chat_id >= FIRST_CHAT,
                after=mark,
                timeout=60,
            )
            during = sum(
                1
                for call in fake.calls[mark:]
                if call.method == "sendMessage" and call.at <= began + cycle_s
            )
    return FirstSend(first.at - began, cycle_s, during)


def first_send(n_chats: int, runs: int) -> bool:
    print(f"first send at {n_chats} followers, {runs} runs ...")
    results = []
    for run in range(1, runs + 1):
        result = asyncio.run(first_send_run(n_chats))
        results.append(result)
        print(
            f"run {run}: first send {result.first_send_s:.3f} s after the cycle began; "
            f"cycle (whole outbox durable) {result.cycle_s:.2f} s; "
            f"{result.sent_during_cycle} sent before the cycle returned"
        )
    median = statistics.median(r.first_send_s for r in results)
    ok = median <= TARGET_FIRST_SEND_S
    print(
        f"push: first send {median:.2f} s at {n_chats} followers "
        f"(median of {runs}; target <= {TARGET_FIRST_SEND_S:g} s) {'ok' if ok else 'MISS'}"
    )
    return ok


def report(figures: Figures) -> bool:
    lat = figures.latencies
    rows = [
        ("chats due one message", f"{figures.chats}"),
        ("cycle (plan + persist outbox)", f"{figures.plan_s:.2f} s"),
        ("cycle start -> first send", f"{figures.first_send_s:.2f} s"),
        (f"floor (chats / {figures.configured_rate:g} per s)", f"{figures.floor_s:.1f} s"),
        ("makespan (first -> last send)", f"{figures.makespan_s:.2f} s"),
        ("ratio to floor", f"{figures.ratio:.3f}x"),
        ("achieved rate (broadcast)", f"{figures.rate:.2f} msg/s"),
        ("other sends in that window", f"{figures.other_sends} (command replies)"),
        ("all sends in that window", f"{figures.total_rate:.2f} msg/s"),
        ("delivered (distinct chats)", f"{figures.delivered}/{figures.chats}"),
        ("duplicate sends", f"{figures.duplicates}"),
        ("429s counted by the fake", f"{figures.flood_429}"),
        ("refused sendMessage calls", f"{figures.refused_sends}"),
        ("outbox pending afterwards", f"{figures.pending_after}"),
        ("probe commands / unanswered", f"{len(lat) + figures.unanswered} / {figures.unanswered}"),
        ("pushes / replies with the paid flag", f"{figures.paid_pushes} / {figures.paid_replies}"),
    ]
    if lat:
        rows += [
            ("reply latency p50", f"{statistics.median(lat) * 1000:.0f} ms"),
            ("reply latency p95", f"{percentile(lat, 0.95) * 1000:.0f} ms"),
            ("reply latency max", f"{max(lat) * 1000:.0f} ms"),
        ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")

    complete = (
        figures.delivered == figures.chats
        and figures.duplicates == 0
        and figures.pending_after == 0
        and figures.paid_replies == 0
    )
    ok = (
        complete
        and figures.ratio <= TARGET_RATIO
        and figures.errors_429 <= TARGET_429
        and (not figures.probed or figures.reply_p95_s <= TARGET_REPLY_P95_S)
    )
    replies = f"reply p95 {figures.reply_p95_s:.2f} s" if figures.probed else "replies not probed"
    shortfall = "" if complete else f", delivered {figures.delivered}/{figures.chats}"
    print(
        f"push: makespan {figures.ratio:.3f}x floor, {figures.errors_429} 429s, "
        f"{replies}{shortfall} "
        f"(target <= {TARGET_RATIO}x, {TARGET_429}, <= {TARGET_REPLY_P95_S:g} s) "
        f"{'ok' if ok else 'MISS'}"
    )
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help=f"{FULL_CHATS} chats (the record run)")
    size.add_argument("--chats", type=int, default=None, help="number of subscribed chats")
    parser.add_argument(
        "--probe-interval",
        type=float,
        default=PROBE_INTERVAL_S,
        help="seconds between probe commands; 0: the broadcast alone, no reply verdict",
    )
    parser.add_argument(
        "--first-send",
        action="store_true",
        help=f"cycle start -> first send at {FIRST_SEND_CHATS} followers instead",
    )
    parser.add_argument("--runs", type=int, default=FIRST_SEND_RUNS, help="--first-send runs")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="concurrent send workers (bot.deliver.engine.SEND_WORKERS, 32 in production)",
    )
    parser.add_argument(
        "--paid",
        action="store_true",
        help=f"paid broadcast at {PAID_RATE:g}/s, the fake in its own process "
        f"({PAID_CHATS} chats unless --chats)",
    )
    args = parser.parse_args(argv)
    if args.first_send:
        n_chats = args.chats or FIRST_SEND_CHATS
        if n_chats < 1 or args.runs < 1:
            parser.error("--chats and --runs must be positive")
        return 0 if first_send(n_chats, args.runs) else 1
    if args.workers is not None:
        if args.workers < 1:
            parser.error("--workers must be positive")
        engine.SEND_WORKERS = args.workers
    default_chats = PAID_CHATS if args.paid else DEFAULT_CHATS
    n_chats = FULL_CHATS if args.full else (args.chats or default_chats)
    if n_chats < 1:
        parser.error("--chats must be positive")
    rate = PAID_RATE if args.paid else RATE
    mode = "paid broadcast" if args.paid else "broadcast"
    print(
        f"{mode} to {n_chats} chats at {rate:g} msg/s, floor {n_chats / rate:.0f} s, "
        f"{engine.SEND_WORKERS} send workers ..."
    )
    figures = asyncio.run(measure(n_chats, args.probe_interval, args.paid))
    return 0 if report(figures) else 1


if __name__ == "__main__":
    sys.exit(main())
