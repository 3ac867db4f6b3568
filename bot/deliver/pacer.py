"""Pacing sends to Telegram's limits, so that floods are avoided, not answered.

Three limits apply at once: about 30 messages a second overall, one a second
to one chat, and 20 a minute to one group or channel. ``Pacer.acquire`` returns
when a send to the given chat respects all three; the caller sends right after.

How waiting works, and why:

* Per chat: a sender sleeps exactly until its chat's next slot. Broadcast sends
  to one chat queue behind each other (FIFO), so a chat's pushes keep order.
* Globally: a GCRA token bucket (``rate`` per second, a small ``burst``).
  Broadcast senders that find no token wait in one FIFO served by a single pump
  task that wakes once per token, so 3,000 waiting senders cost 3,000 wake-ups,
  not 3,000 squared, and the makespan is the rate's floor, not a sum of sleeps.
* Command replies (``priority=True``) never queue behind broadcasts: they take
  the next token directly, the pump leaves that token to them, and a broadcast
  pause (``pause_all``) does not hold them up. They still respect their chat's
  spacing and any pause of that chat.
* Paid broadcasts (``paid=True``): broadcast sends carry ``allow_paid_broadcast``
  and the global rate may go up to ``MAX_PAID_RATE``. Replies do not carry the
  flag, so besides the global bucket they also keep Telegram's free limit
  (``MAX_GLOBAL_RATE``) in a bucket of their own.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from bot.core.clock import Monotonic

# Telegram's documented ceiling for one bot; a configured rate above it is
# clamped, and the burst is cut so a one-second window never exceeds it.
MAX_GLOBAL_RATE = 30.0
# Telegram's ceiling for sends that carry allow_paid_broadcast.
MAX_PAID_RATE = 1000.0
GROUP_WINDOW_S = 60.0
# Per-chat state is pruned when the table reaches this size (then doubles).
_PRUNE_MIN = 1024
# Slack for float rounding: a sleep until t may wake a hair before t.
_EPSILON = 1e-6

Sleep = Callable[[float], Awaitable[object]]


class Pacer:
    def __init__(
        self,
        global_rate: float = 25.0,
        private_interval_s: float = 1.0,
        group_per_minute: int = 20,
        clock: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        burst: int = 3,
        paid: bool = False,
    ) -> None:
        if global_rate <= 0 or private_interval_s < 0 or group_per_minute < 1 or burst < 1:
            raise ValueError("pacer limits must be positive")
        ceiling = MAX_PAID_RATE if paid else MAX_GLOBAL_RATE
        self.rate = min(global_rate, ceiling)
        self._interval = 1.0 / self.rate
        # b tokens at once plus rate per second stays within the ceiling
        # in any one-second window.
        self.burst = max(1, min(burst, int(ceiling - self.rate) + 1))
        self._tolerance = (self.burst - 1) * self._interval
        # Replies never carry the paid flag: above the free limit they get a
        # bucket of their own at that limit (0: the global bucket suffices).
        self._free_interval = 1.0 / MAX_GLOBAL_RATE if self.rate > MAX_GLOBAL_RATE else 0.0
        self._free_tat = 0.0
        self._chat_interval = private_interval_s
        self._group_per_minute = group_per_minute
        self._clock = clock
        self._sleep = sleep

        self._tat = 0.0  # GCRA theoretical arrival time of the next token
        self._broadcast_paused_until = 0.0
        self._last_send: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._chat_paused_until: dict[int, float] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._chat_lock_users: dict[int, int] = {}
        self._queue: deque[tuple[int, asyncio.Future[bool]]] = deque()
        self._pump: asyncio.Task[None] | None = None
        self._priority_waiting = 0
        self._prune_at = _PRUNE_MIN

    # -- public --------------------------------------------------------------

    async def acquire(self, chat_id: int, *, priority: bool = False) -> None:
        """Wait until a message to ``chat_id`` may be sent now; the caller sends next."""
        if priority:
            await self._acquire_priority(chat_id)
            return
        lock = self._chat_lock(chat_id)
        try:
            async with lock:
                await self._acquire_broadcast(chat_id)
        finally:
            self._release_chat_lock(chat_id)

    def pause_all(self, seconds: float) -> None:
        """Hold every broadcast send (Telegram's global flood answer); replies go on."""
        until = self._clock() + max(0.0, seconds)
        self._broadcast_paused_until = max(self._broadcast_paused_until, until)

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """Hold every send to one chat, replies included (``RetryAfter`` on that chat)."""
        until = self._clock() + max(0.0, seconds)
        self._chat_paused_until[chat_id] = max(self._chat_paused_until.get(chat_id, 0.0), until)

    @property
    def waiting(self) -> int:
        """Broadcast senders waiting for a global token."""
        return len(self._queue)

    @property
    def tracked_chats(self) -> int:
        """Chats whose recent sends are remembered (old ones are pruned)."""
        return len(self._last_send)

    async def close(self) -> None:
        """Stop the pump; waiting broadcast senders are cancelled."""
        for _, future in self._queue:
            future.cancel()
        self._queue.clear()
        if self._pump is not None:
            self._pump.cancel()
            # wait() rather than await: the pump's CancelledError is expected,
            # a cancellation of close() itself must still propagate.
            await asyncio.wait({self._pump})
            self._pump = None

    # -- paths ---------------------------------------------------------------

    async def _acquire_priority(self, chat_id: int) -> None:
        while True:
            now = self._clock()
            chat_at = self._chat_ready_at(chat_id, now)
            if chat_at > now + _EPSILON:
                await self._sleep(chat_at - now)
                continue
            token_at = self._token_at()
            if max(token_at, self._free_tat) <= now + _EPSILON:
                self._grant(chat_id, now)
                if self._free_interval:
                    self._free_tat = max(self._free_tat, now) + self._free_interval
                return
            if self._free_tat > max(token_at, now + _EPSILON):
                # Waiting for the free budget only: broadcasts keep their tokens meanwhile.
                await self._sleep(self._free_tat - now)
                continue
            self._priority_waiting += 1
            try:
                await self._sleep(token_at - now)
            finally:
                self._priority_waiting -= 1

    async def _acquire_broadcast(self, chat_id: int) -> None:
        while True:
            now = self._clock()
            chat_at = self._chat_ready_at(chat_id, now)
            if chat_at > now + _EPSILON:
                await self._sleep(chat_at - now)
                continue
            if not self._queue and self._global_ready_at(now) <= now + _EPSILON:
                self._grant(chat_id, now)
                return
            future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self._queue.append((chat_id, future))
            self._ensure_pump()
            if await future:
                return
            # Not granted: the chat was paused, or a reply took its slot,
            # while this sender queued. Back to waiting for the chat.

    async def _run_pump(self) -> None:
        while self._queue:
            now = self._clock()
            ready_at = self._global_ready_at(now)
            if ready_at > now + _EPSILON:
                await self._sleep(ready_at - now)
                continue
            chat_id, future = self._queue.popleft()
            if future.done():  # its sender was cancelled
                continue
            if self._chat_ready_at(chat_id, now) > now + _EPSILON:
                future.set_result(False)
                continue
            self._grant(chat_id, now)
            future.set_result(True)

    def _ensure_pump(self) -> None:
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._run_pump())

    # -- limits --------------------------------------------------------------

    def _token_at(self) -> float:
        return self._tat - self._tolerance

    def _global_ready_at(self, now: float) -> float:
        """When the next broadcast may take a token."""
        token_at = self._token_at()
        if self._priority_waiting:
            # A reply is waiting for this very token: leave it, take the next.
            token_at = max(token_at, now) + self._interval
        return max(token_at, self._broadcast_paused_until)

    def _chat_ready_at(self, chat_id: int, now: float) -> float:
        ready = max(now, self._chat_paused_until.get(chat_id, 0.0))
        last = self._last_send.get(chat_id)
        if last is not None:
            ready = max(ready, last + self._chat_interval)
        sends = self._group_sends.get(chat_id)
        if sends is not None and len(sends) >= self._group_per_minute:
            ready = max(ready, sends[0] + GROUP_WINDOW_S)
        return ready

    def _grant(self, chat_id: int, now: float) -> None:
        self._tat = max(self._tat, now) + self._interval
        self._last_send[chat_id] = now
        if chat_id < 0:  # groups and channels have negative ids
            sends = self._group_sends.get(chat_id)
            if sends is None:
                sends = self._group_sends[chat_id] = deque(maxlen=self._group_per_minute)
            sends.append(now)
        if len(self._last_send) >= self._prune_at:
            self._prune(now)

    def _prune(self, now: float) -> None:
        idle = [
            chat_id
            for chat_id, last in self._last_send.items()
            if last + max(self._chat_interval, GROUP_WINDOW_S) <= now
            and self._chat_paused_until.get(chat_id, 0.0) <= now
        ]
        for chat_id in idle:
            del self._last_send[chat_id]
            self._group_sends.pop(chat_id, None)
        for chat_id in [c for c, until in self._chat_paused_until.items() if until <= now]:
            del self._chat_paused_until[chat_id]
        # Amortised: the next prune waits until the table doubles again.
        self._prune_at = max(_PRUNE_MIN, 2 * len(self._last_send))

    # -- per-chat ordering ---------------------------------------------------

    def _chat_lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = self._chat_locks[chat_id] = asyncio.Lock()
        self._chat_lock_users[chat_id] = self._chat_lock_users.get(chat_id, 0) + 1
        return lock

    def _release_chat_lock(self, chat_id: int) -> None:
        users = self._chat_lock_users[chat_id] - 1
        if users:
            self._chat_lock_users[chat_id] = users
        else:
            del self._chat_lock_users[chat_id]
            del self._chat_locks[chat_id]
