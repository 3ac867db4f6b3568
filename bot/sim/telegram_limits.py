"""Telegram's documented broadcast limits, as a small deterministic state machine.

The fake Bot API server consults a :class:`FloodLimiter` before accepting a
``sendMessage`` when flood limits are enforced. Time is passed in explicitly so
the limiter can be tested without sleeping.

The limits follow the Bot FAQ: about 30 messages per second overall, no more
than one message per second in a single private chat (Telegram tolerates short
bursts, hence a small token bucket) and no more than 20 messages per minute in
one group, supergroup or channel (negative chat ids). Sends that carry
``allow_paid_broadcast`` (Bot API 7.11) are counted apart, against 1,000 per
second; the per-chat and per-group limits apply to them as to any other.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FloodPolicy:
    """The numbers a :class:`FloodLimiter` enforces."""

    global_per_second: int = 30
    paid_per_second: int = 1000
    private_burst: int = 3
    private_per_second: float = 1.0
    group_per_minute: int = 20


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated_at: float


class FloodLimiter:
    """Decides whether one more message may go out now.

    Rejected attempts do not consume budget, matching how a client that honours
    ``retry_after`` eventually gets through. Not thread-safe: the caller holds
    its own lock.
    """

    def __init__(self, policy: FloodPolicy | None = None) -> None:
        self.policy = policy or FloodPolicy()
        self._global: deque[float] = deque()
        self._paid: deque[float] = deque()
        self._private: dict[int, _Bucket] = {}
        self._groups: dict[int, deque[float]] = {}

    def admit(self, chat_id: int, now: float, *, paid: bool = False) -> int | None:
        """Record a message to ``chat_id`` at monotonic time ``now``.

        ``paid``: the send carries ``allow_paid_broadcast`` and counts against
        the paid limit instead of the free one. Returns ``None`` when the
        message is allowed, otherwise the whole number of seconds (at least 1)
        the sender should wait, as Telegram's ``retry_after``.
        """
        if paid:
            waits = [_window_wait(self._paid, self.policy.paid_per_second, 1.0, now)]
        else:
            waits = [self._global_wait(now)]
        if chat_id > 0:
            waits.append(self._private_wait(chat_id, now))
        else:
            waits.append(self._group_wait(chat_id, now))
        longest = max(waits)
        if longest > 0:
            return max(1, math.ceil(longest))
        self._commit(chat_id, now, paid)
        return None

    def _global_wait(self, now: float) -> float:
        return _window_wait(self._global, self.policy.global_per_second, 1.0, now)

    def _private_wait(self, chat_id: int, now: float) -> float:
        bucket = self._refilled(chat_id, now)
        if bucket.tokens >= 1.0:
            return 0.0
        return (1.0 - bucket.tokens) / self.policy.private_per_second

    def _group_wait(self, chat_id: int, now: float) -> float:
        window = self._groups.setdefault(chat_id, deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        if len(window) < self.policy.group_per_minute:
            return 0.0
        return window[0] + 60.0 - now

    def _refilled(self, chat_id: int, now: float) -> _Bucket:
        burst = float(self.policy.private_burst)
        bucket = self._private.get(chat_id)
        if bucket is None:
            bucket = _Bucket(tokens=burst, updated_at=now)
            self._private[chat_id] = bucket
            return bucket
        elapsed = max(0.0, now - bucket.updated_at)
        bucket.tokens = min(burst, bucket.tokens + elapsed * self.policy.private_per_second)
        bucket.updated_at = now
        return bucket

    def _commit(self, chat_id: int, now: float, paid: bool = False) -> None:
        (self._paid if paid else self._global).append(now)
        if chat_id > 0:
            self._private[chat_id].tokens -= 1.0
        else:
            self._groups[chat_id].append(now)


def _window_wait(window: deque[float], limit: int, span: float, now: float) -> float:
    """Seconds until ``window`` (send times, oldest first) has room for one more."""
    while window and window[0] <= now - span:
        window.popleft()
    if len(window) < limit:
        return 0.0
    return window[0] + span - now
