"""Storage benchmark at 100,000 chats x 5 follows, against plain TinyDB.

Seeds a temporary directory with the bulk path, then measures in fresh
subprocesses (so one measurement's memory does not pollute the next):

- start-up load: ``Store.open`` (parse every shard, build the in-memory model);
- follow-change latency: ``add_follows`` / ``remove_follows`` through the async
  API, from call to durable return (fsync included);
- resident memory: VmRSS after the run and the peak VmHWM, from /proc.

The baseline is plain single-file TinyDB (JSONStorage, default settings, one
table, chat id as document id), with fewer changes because each one rewrites
the whole file.

Usage: python bench/store.py [--chats N] [--changes N] [--baseline-changes N] [--full]
The last line is the verdict; the exit status is 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tinydb import TinyDB

from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.store import Store
from bot.store.chats import write_chat_shards
from bot.store.codec import chat_to_doc
from bot.store.layout import CHATS_DIR, SCHEMA_VERSION, SHARD_COUNT, Meta, write_meta
from bot.store.manifest import rebuild_manifest
from bot.store.records import DEFAULT_SETTINGS, ChatRecord

TARGET_P99_MS = 20.0
TARGET_LOAD_S = 5.0
TARGET_RSS_MB = 300.0

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

COUNTRIES = [
    ("UA", "Oekraïne"), ("RU", "Rusland"), ("US", "Verenigde Staten"), ("IL", "Israël"),
    ("IR", "Iran"), ("DE", "Duitsland"), ("BE", "België"), ("FR", "Frankrijk"),
    ("GB", "Verenigd Koninkrijk"), ("CN", "China"), ("TR", "Turkije"), ("SA", "Saudi-Arabië"),
    ("AF", "Afghanistan"), ("PK", "Pakistan"), ("SR", "Suriname"), ("ID", "Indonesië"),
]  # fmt: skip
SECTIONS = ["binnenland", "buitenland", "politiek", "economie", "sport", "tech", "cultuur", "112"]
KEYWORDS = [f"woord{n}" for n in range(400)] + ["poetin", "zelensky", "ajax", "stikstof", "kabinet"]


def follow_universe() -> list[FollowKey]:
    keys = [FollowKey(FollowKind.COUNTRY, code, name) for code, name in COUNTRIES]
    keys += [FollowKey(FollowKind.SECTION, slug, slug) for slug in SECTIONS]
    keys += [FollowKey(FollowKind.KEYWORD, word, word) for word in KEYWORDS]
    return keys


def chat_ids(count: int, rng: random.Random) -> list[int]:
    """Mostly private chats (positive ids), a fifth supergroups (-100...)."""
    ids: set[int] = set()
    while len(ids) < count:
        if rng.random() < 0.8:
            ids.add(rng.randrange(10_000_000, 8_000_000_000))
        else:
            ids.add(-1_000_000_000_000 - rng.randrange(1, 3_000_000_000))
    return sorted(ids)


def seed_records(count: int, follows: int, rng: random.Random) -> list[ChatRecord]:
    universe = follow_universe()
    return [
        ChatRecord(
            chat_id=chat_id,
            chat_type="private" if chat_id > 0 else "supergroup",
            follows=tuple(rng.sample(universe, follows)),
            settings=DEFAULT_SETTINGS,
            active=True,
            deactivated_at=None,
            created_at=NOW,
        )
        for chat_id in chat_ids(count, rng)
    ]


def seed_store(root: Path, records: Sequence[ChatRecord], shards: int = SHARD_COUNT) -> None:
    root.mkdir(parents=True)
    write_meta(root, Meta(SCHEMA_VERSION, shards))
    write_chat_shards(root / CHATS_DIR, records, shards)
    rebuild_manifest(root)  # a store without a manifest is refused


def seed_baseline(path: Path, records: Sequence[ChatRecord]) -> None:
    # Same documents as the store, in TinyDB's own format and default table.
    docs = {str(r.chat_id): chat_to_doc(r) for r in records}
    path.write_text(json.dumps({"_default": docs}), encoding="utf-8")


def memory_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


# --- children ---------------------------------------------------------------


async def run_store_child(root: Path, changes: int, seed: int) -> dict[str, float]:
    started = time.perf_counter()
    store = await Store.open(root, clock=lambda: NOW)
    load_s = time.perf_counter() - started
    rss_loaded, _ = memory_mb()
    rng = random.Random(seed)
    ids = [r.chat_id for r in store.all_chats()]
    latencies: list[float] = []
    for n in range(changes):
        chat_id = rng.choice(ids)
        key = FollowKey(FollowKind.KEYWORD, f"bench{n}", f"bench{n}")
        began = time.perf_counter()
        await store.add_follows(chat_id, [key])
        latencies.append(time.perf_counter() - began)
        began = time.perf_counter()
        await store.remove_follows(chat_id, [key])
        latencies.append(time.perf_counter() - began)
    await store.close()
    rss, peak = memory_mb()
    return _result(load_s, latencies, rss_loaded, rss, peak, store.chat_count())


FIXTURE_ITEMS = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "store_nos_items.json"
)


def week_of_items(count: int) -> list[NewsItem]:
    """``count`` items cycled from the 20 real NOS items, spread over 7 days."""
    raws = json.loads(FIXTURE_ITEMS.read_text(encoding="utf-8"))
    step = timedelta(days=7) / count
    items = []
    for n in range(count):
        raw = raws[n % len(raws)]
        published = NOW - timedelta(days=7) + step * n
        items.append(
            NewsItem(
                id=f"{raw['guid']}#{n}",
                feed="https://feeds.nos.nl/nosnieuwsalgemeen",
                source="NOS",
                link=raw["link"],
                title=raw["title"],
                summary=raw["text"][:200],
                text=raw["text"] * 3,  # ~1,800 characters, a typical article body
                published=published,
                first_seen=published,
                countries=("NL",) if n % 3 else ("UA",),
                sections=("binnenland",),
            )
        )
    return items


async def run_items_child(root: Path, count: int) -> dict[str, float]:
    """A week of items added in poll-sized batches, then the /laatste and /zoek reads."""
    store = await Store.open(root, clock=lambda: NOW)
    items = week_of_items(count)
    batch = 50
    adds = []
    for start in range(0, count, batch):
        began = time.perf_counter()
        await store.add_items(items[start : start + batch])
        adds.append(time.perf_counter() - began)
    reads = []
    for words in (["oekraine"], ["kabinet"], ["spaarders", "heinen"], ["zzzz"]):
        began = time.perf_counter()
        store.search(words, limit=10)
        store.recent(keyword=words[0], limit=10)
        reads.append(time.perf_counter() - began)
    began = time.perf_counter()
    await store.prune(NOW + timedelta(days=1))
    prune_s = time.perf_counter() - began
    await store.close()
    return {
        "items": count,
        "add_p50_ms": percentile([a * 1000 for a in adds], 0.5),
        "add_p99_ms": percentile([a * 1000 for a in adds], 0.99),
        "query_max_ms": max(reads) * 1000,
        "prune_s": prune_s,
    }


async def run_load_child(root: Path) -> dict[str, float]:
    """Open an existing store in a fresh process: load time and resident memory."""
    started = time.perf_counter()
    store = await Store.open(root, clock=lambda: NOW)
    load_s = time.perf_counter() - started
    rss, _ = memory_mb()
    count = store.item_count()
    await store.close()
    return {"load_s": load_s, "rss_mb": rss, "items": count}


def run_baseline_child(path: Path, changes: int, seed: int) -> dict[str, float]:
    started = time.perf_counter()
    db = TinyDB(path)
    # Start-up needs every chat to build the matching index; hold them like the
    # store holds its model so the memory figures compare like with like.
    docs = db.all()
    load_s = time.perf_counter() - started
    rss_loaded, _ = memory_mb()
    rng = random.Random(seed)
    ids = [int(doc_id) for doc_id in json.loads(path.read_text())["_default"]]
    latencies: list[float] = []
    for n in range(changes):
        chat_id = rng.choice(ids)
        pair = [f"keyword:bench{n}", f"bench{n}"]
        began = time.perf_counter()
        db.update(lambda doc, pair=pair: doc["follows"].append(pair), doc_ids=[chat_id])
        latencies.append(time.perf_counter() - began)
    db.close()
    rss, peak = memory_mb()
    return _result(load_s, latencies, rss_loaded, rss, peak, len(docs))


def _result(
    load_s: float, latencies: list[float], rss_loaded: float, rss: float, peak: float, chats: int
) -> dict[str, float]:
    ms = [s * 1000 for s in latencies]
    return {
        "chats": chats,
        "load_s": load_s,
        "changes": len(ms),
        "p50_ms": statistics.median(ms),
        "p99_ms": percentile(ms, 0.99),
        "max_ms": max(ms),
        "rss_loaded_mb": rss_loaded,
        "rss_mb": rss,
        "peak_mb": peak,
    }


def spawn(mode: str, target: Path, changes: int, seed: int) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; its last stdout line is JSON."""
    command = [sys.executable, __file__, "--child", mode, str(target)]
    command += ["--changes", str(changes), "--seed", str(seed)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{mode} child failed with status {done.returncode}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--follows", type=int, default=5)
    parser.add_argument("--changes", type=int, default=250, help="add+remove pairs (x2 samples)")
    parser.add_argument("--baseline-changes", type=int, default=12)
    parser.add_argument("--full", action="store_true", help="2,000 pairs, 50 baseline changes")
    parser.add_argument("--seed", type=int, default=20261001)
    parser.add_argument("--shards", type=int, default=SHARD_COUNT, help="shard count to seed")
    parser.add_argument("--items", type=int, default=15_000, help="a week of items (0: skip)")
    parser.add_argument(
        "--child", choices=["store", "baseline", "items", "load"], help=argparse.SUPPRESS
    )
    parser.add_argument("target", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "store":
        print(json.dumps(asyncio.run(run_store_child(Path(args.target), args.changes, args.seed))))
        return 0
    if args.child == "baseline":
        print(json.dumps(run_baseline_child(Path(args.target), args.changes, args.seed)))
        return 0
    if args.child == "items":
        print(json.dumps(asyncio.run(run_items_child(Path(args.target), args.changes))))
        return 0
    if args.child == "load":
        print(json.dumps(asyncio.run(run_load_child(Path(args.target)))))
        return 0

    changes = 2_000 if args.full else args.changes
    baseline_changes = 50 if args.full else args.baseline_changes
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="nieuwsbot-bench-") as tmp:
        started = time.perf_counter()
        records = seed_records(args.chats, args.follows, rng)
        store_root = Path(tmp) / "store"
        baseline_file = Path(tmp) / "plain.json"
        seed_store(store_root, records, args.shards)
        seed_baseline(baseline_file, records)
        del records
        size_store = sum(p.stat().st_size for p in store_root.rglob("*.json")) / 1e6
        size_plain = baseline_file.stat().st_size / 1e6
        print(
            f"seeded {args.chats:,} chats x {args.follows} follows in "
            f"{time.perf_counter() - started:.1f} s "
            f"(store {size_store:.1f} MB in {args.shards} shards, plain {size_plain:.1f} MB)"
        )
        ours = spawn("store", store_root, changes, args.seed)
        plain = spawn("baseline", baseline_file, baseline_changes, args.seed)
        items = items_load = None
        if args.items:
            items = spawn("items", Path(tmp) / "items", args.items, args.seed)
            items_load = spawn("load", Path(tmp) / "items", 0, args.seed)

    print()
    print(f"{'':24}{'sharded store':>16}{'plain TinyDB':>16}")
    rows = [
        ("chats loaded", "chats", "{:,.0f}"),
        ("start-up load (s)", "load_s", "{:.2f}"),
        ("follow changes timed", "changes", "{:.0f}"),
        ("follow change p50 (ms)", "p50_ms", "{:.2f}"),
        ("follow change p99 (ms)", "p99_ms", "{:.2f}"),
        ("follow change max (ms)", "max_ms", "{:.2f}"),
        ("RSS after load (MB)", "rss_loaded_mb", "{:.0f}"),
        ("RSS at end (MB)", "rss_mb", "{:.0f}"),
        ("peak RSS (MB)", "peak_mb", "{:.0f}"),
    ]
    for label, key, fmt in rows:
        print(f"{label:24}{fmt.format(ours[key]):>16}{fmt.format(plain[key]):>16}")
    print()
    if items is not None and items_load is not None:
        print(
            f"items: {items['items']:,.0f} over 7 days in batches of 50: add p50 "
            f"{items['add_p50_ms']:.1f} ms, p99 {items['add_p99_ms']:.1f} ms; slowest "
            f"search+recent {items['query_max_ms']:.1f} ms; prune 1 day "
            f"{items['prune_s'] * 1000:.0f} ms; fresh process: load "
            f"{items_load['load_s']:.2f} s, {items_load['items']:,.0f} items kept, "
            f"RSS {items_load['rss_mb']:.0f} MB"
        )
        print()

    ok = (
        ours["p99_ms"] <= TARGET_P99_MS
        and ours["load_s"] <= TARGET_LOAD_S
        and ours["peak_mb"] <= TARGET_RSS_MB
    )
    print(
        f"store: follow p99 {ours['p99_ms']:.1f} ms, load {ours['load_s']:.2f} s, "
        f"rss {ours['peak_mb']:.0f} MB (target p99 <= {TARGET_P99_MS:.0f} ms, "
        f"load <= {TARGET_LOAD_S:.0f} s, rss <= {TARGET_RSS_MB:.0f} MB) " + ("ok" if ok else "MISS")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
