"""Schema migrations, applied in order when the store opens.

``MIGRATIONS[n]`` turns a version ``n`` data directory into version ``n + 1``.
Each migration rewrites files with atomic writes and must be idempotent per
document: the new version is recorded in ``meta.json`` only after every file is
rewritten, so a crash mid-migration simply runs it again at the next start.

Version history:

1. The first release: only keyword follows existed and were stored as bare
   strings (``"oekraine"``); countries and sections came later as
   ``"kind:value"`` strings, without display labels. Settings were flat fields
   on the chat document (``quiet_start``, ``quiet_end``, ``digest``,
   ``previews``).
2. Follows are ``[key, label]`` pairs (the label is what the user typed, shown
   back in /lijst); settings are a nested ``settings`` object holding only
   non-default values, with the field names of ``ChatSettings``.
3. ``manifest.json`` records the document count and checksum of every chat and
   outbox shard (:mod:`bot.store.manifest`); the shards themselves are unchanged.
   From here on a migration that rewrites shards must rebuild the manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.core.model import FollowKind
from bot.core.text import fold
from bot.store.atomic import AtomicJSONStorage
from bot.store.errors import SchemaError, StoreCorruptError
from bot.store.layout import CHATS_DIR, SCHEMA_VERSION, Meta, shard_path, write_meta
from bot.store.manifest import rebuild_manifest
from bot.store.records import DEFAULT_SETTINGS

Migration = Callable[[Path, Meta], Meta]

# v1 flat setting name -> v2 ChatSettings field
_V1_SETTINGS = {
    "quiet_start": "quiet_start",
    "quiet_end": "quiet_end",
    "digest": "digest_time",
    "previews": "link_previews",
}
# v1 wrote every setting, defaults included; its default was not a choice.
_V1_DEFAULTS = {"link_previews": False}
_KINDS = {kind.value for kind in FollowKind}


def v1_follow_to_v2(follow: Any) -> list[str]:
    """``"Oekraïne"`` -> ``["keyword:oekraine", "Oekraïne"]``; pairs pass unchanged."""
    if isinstance(follow, list):
        return follow  # already migrated by an interrupted earlier run
    kind, sep, _ = follow.partition(":")
    if sep and kind in _KINDS:
        return [follow, ""]
    return [f"{FollowKind.KEYWORD.value}:{fold(follow)}", follow]


def v1_chat_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    migrated = {key: value for key, value in doc.items() if key not in _V1_SETTINGS}
    migrated["follows"] = [v1_follow_to_v2(f) for f in doc.get("follows", [])]
    settings = dict(doc.get("settings", {}))
    for old_name, new_name in _V1_SETTINGS.items():
        value = doc.get(old_name)
        default = _V1_DEFAULTS.get(new_name, getattr(DEFAULT_SETTINGS, new_name))
        if value is not None and value != default:
            settings[new_name] = value
    migrated.pop("settings", None)
    if settings:
        migrated["settings"] = settings
    return migrated


def migrate_1_to_2(root: Path, meta: Meta) -> Meta:
    for shard in range(meta.shard_count):
        path = shard_path(root / CHATS_DIR, shard)
        storage = AtomicJSONStorage(path)
        tables = storage.read()
        if tables is None:
            continue
        chats = tables.get("chats", {})
        try:
            tables["chats"] = {doc_id: v1_chat_to_v2(doc) for doc_id, doc in chats.items()}
        except (AttributeError, TypeError) as exc:
            raise StoreCorruptError(path, f"not a version 1 shard: {exc!r}") from exc
        storage.write(tables)
    return Meta(schema_version=2, shard_count=meta.shard_count)


def migrate_2_to_3(root: Path, meta: Meta) -> Meta:
    rebuild_manifest(root)
    return Meta(schema_version=3, shard_count=meta.shard_count)


MIGRATIONS: dict[int, Migration] = {1: migrate_1_to_2, 2: migrate_2_to_3}


def migrate(root: Path, meta: Meta) -> Meta:
    """Bring ``root`` up to :data:`SCHEMA_VERSION`; returns the final meta."""
    if meta.schema_version > SCHEMA_VERSION:
        raise SchemaError(
            f"{root} has schema version {meta.schema_version}, newer than this code "
            f"({SCHEMA_VERSION}); refusing to touch it"
        )
    while meta.schema_version < SCHEMA_VERSION:
        step = MIGRATIONS.get(meta.schema_version)
        if step is None:
            raise SchemaError(f"no migration from schema version {meta.schema_version}")
        meta = step(root, meta)
        write_meta(root, meta)
    return meta
