"""Which chats get which stories: an in-memory inverted index over follows.

The index maps every followed key to the chats that follow it, so matching a
batch never scans chats. Sections and countries are plain dictionary look-ups.
Keywords are folded whole-word phrases; they are indexed by their first word, so
an item's text is tokenised once and each of its words is looked up, never the
other way round.

A batch of 500 items can reach 100k chats with ten million chat-story pairs
(section follows match a tenth of everything), more than Python can build in
the time a cycle has. ``match`` therefore does per-chat work only to find which
matched keys a chat follows (its signature), and one ``ChatMatches`` per distinct
signature, shared by every chat that has it. A ``ChatMatches`` holds bit sets
over the batch: its length and its first few stories (all a coalesced push
shows) cost almost nothing; the full list is built only when iterated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import NamedTuple, overload

from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.core.text import fold

# Whole words of folded text: letters and digits. Hyphens and apostrophes split
# words, so "saudi-arabie" matches "Saudi-Arabië" and "Saudi Arabië" alike.
_WORD_RE = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The folded whole words of ``text``: ``"Kyiv-drones"`` -> ``["kyiv", "drones"]``."""
    return _WORD_RE.findall(fold(text))


def item_words(item: NewsItem) -> list[str]:
    """The words keywords are matched against: the title and the summary."""
    return words(f"{item.title}\n{item.summary}")


def keyword_matches(folded_keyword: str, item: NewsItem) -> bool:
    """Whether the keyword occurs as whole words in the item's title or summary.

    ``folded_keyword`` may be a phrase ("den haag"); its words must appear
    consecutively. Accents and case are folded on both sides.
    """
    phrase = words(folded_keyword)
    if not phrase:
        return False
    return _contains_phrase(item_words(item), phrase)


def _contains_phrase(tokens: Sequence[str], phrase: Sequence[str]) -> bool:
    size = len(phrase)
    first = phrase[0]
    return any(
        token == first and list(tokens[start : start + size]) == list(phrase)
        for start, token in enumerate(tokens)
    )


class Matched(NamedTuple):
    """One story for one chat, with every followed key that brought it there.

    A named tuple rather than a dataclass: pushes create hundreds of thousands
    of these per cycle and tuple construction is several times cheaper.
    """

    item: NewsItem
    via: tuple[FollowKey, ...]


class ChatMatches(Sequence[Matched]):
    """One chat's stories of one batch, in batch order; immutable.

    Built lazily from bit sets over the batch: ``len`` and ``head`` cost next
    to nothing, which is all a coalesced push needs ("5 of 134, en 129 meer");
    iterating builds the ``Matched`` values once and keeps them.
    """

    __slots__ = ("_built", "_head", "_keys", "_masks", "_stories", "_union")

    def __init__(
        self,
        stories: Sequence[NewsItem],
        keys: tuple[FollowKey, ...],
        masks: tuple[int, ...],
    ) -> None:
        """``masks[i]`` has bit ``n`` set when ``stories[n]`` matches ``keys[i]``."""
        self._stories = stories
        self._keys = keys
        self._masks = masks
        union = 0
        for mask in masks:
            union |= mask
        self._union = union
        self._built: tuple[Matched, ...] | None = None
        self._head: tuple[Matched, ...] = ()

    @property
    def keys(self) -> tuple[FollowKey, ...]:
        """Every followed key that brought at least one story, sorted."""
        return self._keys

    def head(self, count: int) -> tuple[Matched, ...]:
        """The first ``count`` stories, without building the rest."""
        # Chats with the same keys share this object: keep the longest head.
        known = self._built if self._built is not None else self._head
        if count <= len(known) or len(known) == len(self):
            return known[:count]
        self._head = tuple(self._matched(index) for index in islice(_set_bits(self._union), count))
        return self._head

    def __len__(self) -> int:
        return self._union.bit_count()

    def __iter__(self) -> Iterator[Matched]:
        return iter(self._all())

    @overload
    def __getitem__(self, index: int) -> Matched: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Matched, ...]: ...

    def __getitem__(self, index: int | slice) -> Matched | tuple[Matched, ...]:
        if self._built is None:
            # The front of the list ("the first five") without building the rest.
            if isinstance(index, slice):
                start, stop, step = index.indices(len(self))
                if step == 1:
                    return self.head(stop)[start:]
            elif 0 <= index < len(self):
                return self.head(index + 1)[index]
        return self._all()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChatMatches):
            return self._all() == other._all()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"ChatMatches({len(self)} stories via {', '.join(map(str, self._keys))})"

    def _all(self) -> tuple[Matched, ...]:
        if self._built is None:
            self._built = tuple(self._matched(index) for index in _set_bits(self._union))
        return self._built

    def _matched(self, index: int) -> Matched:
        if len(self._keys) == 1:
            return Matched(self._stories[index], self._keys)
        bit = 1 << index
        via = tuple(key for key, mask in zip(self._keys, self._masks, strict=True) if mask & bit)
        return Matched(self._stories[index], via)


class FollowIndex:
    """Follow key -> chats, updated on every follow change; pure and in memory."""

    def __init__(self) -> None:
        # Keys compare on (kind, value) only; the instance kept here is the one
        # whose label is shown ("via Oekraïne").
        self._chats: dict[FollowKey, set[int]] = {}
        self._keys: dict[FollowKey, FollowKey] = {}
        self._follows: dict[int, set[FollowKey]] = {}
        # Keyword phrases as word tuples, and per first word the phrase lengths
        # that start with it, so a look-up tries only lengths that exist.
        self._phrases: dict[tuple[str, ...], list[FollowKey]] = {}
        self._lengths: dict[str, dict[int, int]] = {}

    # -- follow changes -------------------------------------------------------

    def set_follows(self, chat_id: int, keys: Iterable[FollowKey]) -> None:
        """Replace everything ``chat_id`` follows with ``keys``."""
        self.drop_chat(chat_id)
        self.add(chat_id, keys)

    def add(self, chat_id: int, keys: Iterable[FollowKey]) -> None:
        follows = self._follows.setdefault(chat_id, set())
        for key in keys:
            self._remember_key(key)
            follows.add(key)
            self._chats.setdefault(key, set()).add(chat_id)
        if not follows:
            del self._follows[chat_id]

    def remove(self, chat_id: int, keys: Iterable[FollowKey]) -> None:
        follows = self._follows.get(chat_id)
        if follows is None:
            return
        for key in keys:
            if key in follows:
                follows.discard(key)
                self._unlink(key, chat_id)
        if not follows:
            del self._follows[chat_id]

    def drop_chat(self, chat_id: int) -> None:
        """Forget a chat entirely (blocked the bot, or unsubscribed from all)."""
        for key in self._follows.pop(chat_id, set()):
            self._unlink(key, chat_id)

    def rename_chat(self, old: int, new: int) -> None:
        """Move a chat's follows to its new id (a group migrated to a supergroup)."""
        if old == new:
            return
        keys = self._follows.get(old, set()).copy()
        self.drop_chat(old)
        self.add(new, keys)

    # -- queries --------------------------------------------------------------

    def follows(self, chat_id: int) -> frozenset[FollowKey]:
        return frozenset(self._follows.get(chat_id, ()))

    def chats(self, key: FollowKey) -> frozenset[int]:
        return frozenset(self._chats.get(key, ()))

    def __len__(self) -> int:
        """The number of chats that follow anything."""
        return len(self._follows)

    def __contains__(self, chat_id: object) -> bool:
        return chat_id in self._follows

    def keys_for(self, item: NewsItem) -> set[FollowKey]:
        """Every followed key the item matches (keys nobody follows are left out)."""
        found: set[FollowKey] = set()
        for kind, values in (
            (FollowKind.SECTION, item.sections),
            (FollowKind.COUNTRY, item.countries),
        ):
            for value in values:
                key = self._keys.get(FollowKey(kind, value))
                if key is not None:
                    found.add(key)
        if self._lengths:
            found.update(self._keywords_in(item_words(item)))
        return found

    def match(self, items: Sequence[NewsItem]) -> dict[int, ChatMatches]:
        """Each reached chat's stories in this batch, once per story, in batch order.

        Items merged into another story (``duplicate_of`` set) are skipped: the
        canonical item stands for the story and carries ``also_at``. An item id
        seen twice in the batch counts once. Chats that reach the same keys
        share one (immutable) ``ChatMatches``.
        """
        stories = tuple(_canonical(items))
        item_masks: dict[FollowKey, int] = {}
        for index, item in enumerate(stories):
            bit = 1 << index
            for key in self.keys_for(item):
                item_masks[key] = item_masks.get(key, 0) | bit
        # Sorted keys give every chat its "via" in one stable order.
        matched_keys = sorted(item_masks)
        masks = [item_masks[key] for key in matched_keys]
        shared: dict[tuple[int, ...], ChatMatches] = {}
        result: dict[int, ChatMatches] = {}
        for chat_id, signature in self._signatures(matched_keys).items():
            matches = shared.get(signature)
            if matches is None:
                matches = shared[signature] = ChatMatches(
                    stories,
                    tuple(matched_keys[position] for position in signature),
                    tuple(masks[position] for position in signature),
                )
            result[chat_id] = matches
        return result

    # -- internals ------------------------------------------------------------

    def _signatures(self, matched_keys: Sequence[FollowKey]) -> dict[int, tuple[int, ...]]:
        # Per chat, the positions (in matched_keys) of the keys it follows, in
        # order. Concatenating small tuples beats appending to a list per chat:
        # at 100k chats, per-chat allocations are what the time goes into.
        signatures: dict[int, tuple[int, ...]] = {}
        get = signatures.get
        for position, key in enumerate(matched_keys):
            tail = (position,)
            for chat_id in self._chats[key]:
                signatures[chat_id] = get(chat_id, ()) + tail
        return signatures

    def _keywords_in(self, tokens: Sequence[str]) -> Iterator[FollowKey]:
        lengths_by_first = self._lengths
        phrases = self._phrases
        for start, token in enumerate(tokens):
            lengths = lengths_by_first.get(token)
            if lengths is None:
                continue
            for size in lengths:
                yield from phrases.get(tuple(tokens[start : start + size]), ())

    def _remember_key(self, key: FollowKey) -> None:
        known = self._keys.get(key)
        if known is not None and (known.label or not key.label):
            return
        self._keys[key] = key
        if key.kind is FollowKind.KEYWORD:
            self._add_phrase(key)

    def _add_phrase(self, key: FollowKey) -> None:
        phrase = tuple(words(key.value))
        if not phrase:
            return
        keys = self._phrases.get(phrase)
        if keys is None:
            self._phrases[phrase] = [key]
            counts = self._lengths.setdefault(phrase[0], {})
            counts[len(phrase)] = counts.get(len(phrase), 0) + 1
            return
        # Same key with a better label: replace; a different spelling of the
        # same words ("saudi-arabie", "saudi arabie"): keep both.
        keys[:] = [known for known in keys if known != key]
        keys.append(key)

    def _unlink(self, key: FollowKey, chat_id: int) -> None:
        chats = self._chats.get(key)
        if chats is None:
            return
        chats.discard(chat_id)
        if chats:
            return
        del self._chats[key]
        del self._keys[key]
        if key.kind is FollowKind.KEYWORD:
            self._drop_phrase(key)

    def _drop_phrase(self, key: FollowKey) -> None:
        phrase = tuple(words(key.value))
        keys = self._phrases.get(phrase)
        if keys is None:
            return
        keys[:] = [known for known in keys if known != key]
        if keys:
            # Another spelling of the same words is still followed.
            return
        del self._phrases[phrase]
        counts = self._lengths[phrase[0]]
        counts[len(phrase)] -= 1
        if not counts[len(phrase)]:
            del counts[len(phrase)]
        if not counts:
            del self._lengths[phrase[0]]


def _canonical(items: Iterable[NewsItem]) -> Iterator[NewsItem]:
    seen: set[str] = set()
    for item in items:
        if item.duplicate_of is not None or item.id in seen:
            continue
        seen.add(item.id)
        yield item


def _set_bits(bits: int) -> Iterator[int]:
    """Positions of the set bits, lowest first."""
    while bits:
        lowest = bits & -bits
        yield lowest.bit_length() - 1
        bits ^= lowest
