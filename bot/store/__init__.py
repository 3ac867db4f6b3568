"""Durable storage on TinyDB: sharded chats, daily item files, feed state, outbox.

See docs/storage.md for the layout and the guarantees.
"""

from bot.store.errors import (
    FollowLimitError,
    ManifestMismatchError,
    SchemaError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreRefusedError,
    UnknownChatError,
)
from bot.store.follows import MAX_FOLLOWS
from bot.store.items import PruneResult
from bot.store.layout import SCHEMA_VERSION, SHARD_COUNT
from bot.store.records import (
    DEFAULT_SETTINGS,
    ChatRecord,
    ChatSettings,
    OutboxEntry,
    outbox_entry_id,
)
from bot.store.store import (
    DEACTIVATED_RETENTION,
    DELIVERED_RETENTION,
    ITEM_RETENTION,
    SEEN_RETENTION,
    FollowsListener,
    Store,
    StorePruneResult,
)

__all__ = [
    "DEACTIVATED_RETENTION",
    "DEFAULT_SETTINGS",
    "DELIVERED_RETENTION",
    "ITEM_RETENTION",
    "MAX_FOLLOWS",
    "SCHEMA_VERSION",
    "SEEN_RETENTION",
    "SHARD_COUNT",
    "ChatRecord",
    "ChatSettings",
    "FollowLimitError",
    "FollowsListener",
    "ManifestMismatchError",
    "OutboxEntry",
    "PruneResult",
    "SchemaError",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StorePruneResult",
    "StoreRefusedError",
    "UnknownChatError",
    "outbox_entry_id",
]
