"""``nieuwsbot store repair``: a refused store opens again, every accepted loss reported."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.clock import ManualClock
from bot.core.model import FollowKey, FollowKind
from bot.store import ManifestMismatchError, OutboxEntry, Store, outbox_entry_id
from bot.store.layout import CHATS_DIR, OUTBOX_DIR, Meta, shard_path, write_meta
from bot.store.manifest import MANIFEST_FILE, rebuild_manifest
from tests.store_support import T0

SHARDS = 4
UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
CHATS = (1001, 1005, 1002)  # two in shard 1, one in shard 2
FEED = '[[feeds]]\nname = "NOS"\nurl = "https://feeds.nos.nl/nosnieuwsalgemeen"\n'


async def open_store(root: Path) -> Store:
    return await Store.open(root, clock=ManualClock(T0), shard_count=SHARDS, freeze_gc=False)


async def build(root: Path) -> None:
    store = await open_store(root)
    try:
        for chat_id in CHATS:
            await store.ensure_chat(chat_id, "private")
            await store.add_follows(chat_id, [UA])
        entry = OutboxEntry(outbox_entry_id(1002, "s1"), 1002, "push", {"n": 1}, T0)
        await store.enqueue([entry])
    finally:
        await store.close()


async def chats_after_open(root: Path) -> list[int]:
    store = await open_store(root)
    try:
        return sorted(r.chat_id for r in store.iter_chats())
    finally:
        await store.close()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    asyncio.run(build(root))
    return root


@pytest.fixture
def config(tmp_path: Path, data: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "{data}"\n{FEED}', encoding="utf-8")
    return path


def repair(capsys: pytest.CaptureFixture[str], config: Path) -> tuple[int, list[str], str]:
    code = main(["store", "repair", "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_a_deleted_chat_shard_is_accepted_as_lost_and_the_store_opens(
    capsys: pytest.CaptureFixture[str], config: Path, data: Path
) -> None:
    shard_path(data / CHATS_DIR, 1).unlink()
    with pytest.raises(ManifestMismatchError):
        asyncio.run(open_store(data))

    code, out, err = repair(capsys, config)

    assert code == 0, err
    assert out == [
        f"Repairing {data}:",
        "  chats/shard-001.json: missing; accepted the loss of 2 chats",
        "The store opens: 1 chats, 1 messages waiting in the outbox.",
    ]
    assert asyncio.run(chats_after_open(data)) == [1002]


def test_an_unreadable_chat_shard_is_moved_aside_and_kept(
    capsys: pytest.CaptureFixture[str], config: Path, data: Path
) -> None:
    shard = shard_path(data / CHATS_DIR, 2)
    shard.write_bytes(b'{"chats": {"1002": ')

    code, out, _ = repair(capsys, config)

    assert code == 0
    (aside,) = shard.parent.glob("shard-002.json.corrupt-*")
    assert aside.read_bytes() == b'{"chats": {"1002": '
    assert out[1].startswith("  chats/shard-002.json: unreadable (")
    assert out[1].endswith(f"moved aside to {aside.name}, its chats are lost")
    assert len(out) == 3
    assert asyncio.run(chats_after_open(data)) == [1001, 1005]


def test_a_shard_whose_documents_do_not_load_is_moved_aside(
    capsys: pytest.CaptureFixture[str], config: Path, data: Path
) -> None:
    shard = shard_path(data / OUTBOX_DIR, 2)
    tables = json.loads(shard.read_text(encoding="utf-8"))
    for doc in tables["entries"].values():
        del doc["chat"]
    shard.write_text(json.dumps(tables), encoding="utf-8")
    rebuild_manifest(data)  # the manifest matches: only loading the documents fails

    code, out, _ = repair(capsys, config)

    assert code == 0
    assert out[1].startswith("  outbox/shard-002.json: unreadable (KeyError('chat'))")
    assert out[1].endswith("its outbox entries are lost")
    assert out[-1] == "The store opens: 3 chats, 0 messages waiting in the outbox."


def test_a_lost_manifest_is_rebuilt(
    capsys: pytest.CaptureFixture[str], config: Path, data: Path
) -> None:
    (data / MANIFEST_FILE).unlink()

    code, out, _ = repair(capsys, config)

    assert code == 0
    assert out[1] == "  manifest.json: missing or unreadable; rebuilt from the shards on disk"
    assert asyncio.run(chats_after_open(data)) == [1001, 1002, 1005]


def test_a_healthy_store_is_left_alone(
    capsys: pytest.CaptureFixture[str], config: Path, data: Path
) -> None:
    before = {p: p.read_bytes() for p in data.rglob("*.json")}

    code, out, _ = repair(capsys, config)

    assert code == 0
    assert out[1] == "  nothing to repair: every chat and outbox file matches the manifest"
    assert {p: p.read_bytes() for p in data.rglob("*.json")} == before


def test_a_store_from_before_the_manifest_is_repaired_then_migrated(
    capsys: pytest.CaptureFixture[str], config: Path, data: Path
) -> None:
    (data / MANIFEST_FILE).unlink()
    write_meta(data, Meta(schema_version=2, shard_count=SHARDS))
    shard_path(data / CHATS_DIR, 1).write_bytes(b"")

    code, out, _ = repair(capsys, config)

    assert code == 0
    assert out[1].startswith("  chats/shard-001.json: unreadable (file is empty)")
    assert asyncio.run(chats_after_open(data)) == [1002]
    assert (data / MANIFEST_FILE).exists()


def test_repair_refuses_while_the_store_is_open(
    capsys: pytest.CaptureFixture[str], config: Path, data: Path
) -> None:
    async def repair_beside_an_open_store() -> tuple[int, str]:
        store = await open_store(data)
        try:
            code = await asyncio.to_thread(main, ["store", "repair", "--config", str(config)])
        finally:
            await store.close()
        return code, capsys.readouterr().err

    code, err = asyncio.run(repair_beside_an_open_store())

    assert code == 2
    assert err.strip().splitlines() == [
        f"nieuwsbot: data directory {data.resolve()} is in use by process {os.getpid()} "
        "(another nieuwsbot run?)"
    ]


def test_repair_of_a_directory_without_a_store_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    config = tmp_path / "other.toml"
    config.write_text(f'[storage]\npath = "{empty}"\n{FEED}', encoding="utf-8")

    code, out, err = repair(capsys, config)

    assert code == 2
    assert out == []
    assert err.strip() == f"nieuwsbot: {empty} holds no store: nothing to repair"
    assert not (empty / "meta.json").exists()
