"""Pacer timing on virtual time: deterministic, and 120 simulated seconds in well under one.

The event loop below keeps its own clock: when nothing is ready to run, instead
of blocking in ``select`` it jumps the clock to the next timer. Real
``asyncio.sleep`` then sleeps in virtual time, and the pacer reads the same
clock, so concurrency is real while time is not.
"""

from __future__ import annotations

import asyncio
import itertools
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from bot.deliver.pacer import MAX_GLOBAL_RATE, MAX_PAID_RATE, Pacer

T = TypeVar("T")


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0


class _JumpingSelector(selectors.BaseSelector):
    """Never blocks: a wait for ``timeout`` seconds moves the clock instead."""

    def __init__(self, clock: _Clock) -> None:
        self._inner = selectors.DefaultSelector()
        self._clock = clock

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = self._inner.select(0)
        if not events:
            if timeout is None:
                raise RuntimeError("deadlock: nothing ready and no timer pending")
            self._clock.now += max(0.0, timeout)
        return events

    def get_map(self) -> Any:
        return self._inner.get_map()

    def close(self) -> None:
        self._inner.close()


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.clock = _Clock()
        super().__init__(_JumpingSelector(self.clock))

    def time(self) -> float:
        return self.clock.now


def run(main: Callable[[VirtualTimeLoop], Coroutine[Any, Any, T]]) -> T:
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main(loop))
    finally:
        loop.close()


async def send_all(
    pacer: Pacer, loop: VirtualTimeLoop, chats: list[int], *, priority: bool = False
) -> list[float]:
    """Acquire for every chat concurrently; the time each was granted, in order given."""

    async def one(chat_id: int) -> float:
        await pacer.acquire(chat_id, priority=priority)
        return loop.time()

    return list(await asyncio.gather(*(one(chat_id) for chat_id in chats)))


def max_in_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window - 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_3000_distinct_chats_take_the_rate_floor() -> None:
    sleeps = 0

    async def counting_sleep(seconds: float) -> None:
        nonlocal sleeps
        sleeps += 1
        await asyncio.sleep(seconds)

    async def main(loop: VirtualTimeLoop) -> list[float]:
        pacer = Pacer(global_rate=25.0, clock=loop.time, sleep=counting_sleep)
        return await send_all(pacer, loop, list(range(1, 3001)))

    times = run(main)
    floor = 3000 / 25.0
    makespan = max(times) - min(times)
    assert 0.95 <= makespan / floor <= 1.1
    assert max_in_window(times, 1.0) <= 25 + 2  # rate plus the burst's extra tokens
    # Waiting senders wake once each: one pump sleep per token, no thundering herd.
    assert sleeps <= 3000 + 10


def test_private_chat_gets_one_message_a_second_in_order() -> None:
    async def main(loop: VirtualTimeLoop) -> list[float]:
        pacer = Pacer(clock=loop.time)
        return await send_all(pacer, loop, [42] * 5)

    times = run(main)
    assert times == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0])


def test_group_gets_at_most_20_per_rolling_minute() -> None:
    async def main(loop: VirtualTimeLoop) -> list[float]:
        pacer = Pacer(clock=loop.time)
        return await send_all(pacer, loop, [-100123] * 45)

    times = run(main)
    assert times[:20] == pytest.approx([float(second) for second in range(20)])
    assert times[20] == pytest.approx(60.0)
    assert max_in_window(times, 60.0) == 20
    assert all(later - earlier >= 1.0 - 1e-9 for earlier, later in itertools.pairwise(times))


@pytest.mark.parametrize(("burst", "offset"), [(3, 2.0), (1, 2.0), (1, 2.01)])
def test_command_reply_jumps_ahead_of_a_broadcast(burst: int, offset: float) -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[list[float], float]:
        pacer = Pacer(global_rate=25.0, burst=burst, clock=loop.time)
        broadcast = asyncio.ensure_future(send_all(pacer, loop, list(range(1, 251))))
        await asyncio.sleep(offset)
        assert pacer.waiting > 100
        asked = loop.time()
        await pacer.acquire(999, priority=True)
        waited = loop.time() - asked
        return await broadcast, waited

    broadcast_times, reply_wait = run(main)
    # The reply waited at most for the next token, not for 200 queued sends.
    assert reply_wait <= 1 / 25.0 + 1e-9
    assert max(broadcast_times) == pytest.approx((250 - burst) / 25.0 + 1 / 25.0, abs=0.05)
    assert max_in_window(broadcast_times, 1.0) <= 25 + burst - 1


def test_global_pause_holds_broadcasts_but_not_replies() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[list[float], float]:
        pacer = Pacer(clock=loop.time)
        pacer.pause_all(30.0)
        broadcast = asyncio.ensure_future(send_all(pacer, loop, [1, 2, 3]))
        await asyncio.sleep(0.5)
        await pacer.acquire(77, priority=True)
        reply_at = loop.time()
        return await broadcast, reply_at

    broadcast_times, reply_at = run(main)
    assert reply_at == pytest.approx(0.5)
    assert min(broadcast_times) == pytest.approx(30.0)


def test_chat_pause_holds_that_chat_only_replies_included() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[float, float, float]:
        pacer = Pacer(clock=loop.time)
        pacer.pause_chat(5, 12.5)
        other = await send_all(pacer, loop, [6])
        reply = await send_all(pacer, loop, [5], priority=True)
        push = await send_all(pacer, loop, [5])
        return other[0], reply[0], push[0]

    other, reply, push = run(main)
    assert other == pytest.approx(0.0)
    assert reply == pytest.approx(12.5)
    assert push == pytest.approx(13.5)


def test_pause_while_queued_sends_the_sender_back_to_wait() -> None:
    async def main(loop: VirtualTimeLoop) -> list[float]:
        pacer = Pacer(global_rate=5.0, burst=1, clock=loop.time)
        sends = asyncio.ensure_future(send_all(pacer, loop, list(range(1, 11))))
        await asyncio.sleep(0.1)
        pacer.pause_chat(10, 20.0)  # chat 10 is queued at this point
        return await sends

    times = run(main)
    assert times[-1] == pytest.approx(20.1)
    assert max(times[:-1]) <= 2.0


def test_reply_after_a_push_to_the_same_chat_keeps_the_spacing() -> None:
    async def main(loop: VirtualTimeLoop) -> list[float]:
        pacer = Pacer(clock=loop.time)
        push = await send_all(pacer, loop, [9])
        reply = await send_all(pacer, loop, [9], priority=True)
        return push + reply

    assert run(main) == pytest.approx([0.0, 1.0])


def test_rate_above_telegrams_ceiling_is_clamped() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[Pacer, list[float]]:
        pacer = Pacer(global_rate=100.0, burst=10, clock=loop.time)
        return pacer, await send_all(pacer, loop, list(range(1, 301)))

    pacer, times = run(main)
    assert pacer.rate == MAX_GLOBAL_RATE
    assert pacer.burst == 1
    assert max_in_window(times, 1.0) <= 30
    assert max(times) == pytest.approx(299 / 30.0)


# -- paid broadcasts (allow_paid_broadcast) ---------------------------------------


def test_paid_broadcasts_run_at_up_to_1000_a_second() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[Pacer, list[float]]:
        pacer = Pacer(global_rate=1000.0, clock=loop.time, paid=True)
        return pacer, await send_all(pacer, loop, list(range(1, 5001)))

    pacer, times = run(main)
    assert pacer.rate == MAX_PAID_RATE
    assert pacer.burst == 1  # at the ceiling: no burst on top
    assert max_in_window(times, 1.0) <= 1000
    assert max(times) - min(times) == pytest.approx(4999 / 1000.0, abs=0.01)


def test_paid_rate_above_the_paid_ceiling_is_clamped() -> None:
    assert Pacer(global_rate=5000.0, paid=True).rate == MAX_PAID_RATE
    assert Pacer(global_rate=1000.0).rate == MAX_GLOBAL_RATE  # not paid: the free ceiling


def test_paid_broadcasts_keep_the_per_chat_and_group_limits() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[list[float], list[float]]:
        pacer = Pacer(global_rate=1000.0, clock=loop.time, paid=True)
        private, group = await asyncio.gather(
            send_all(pacer, loop, [42] * 4), send_all(pacer, loop, [-100123] * 21)
        )
        return private, group

    private, group = run(main)
    assert private == pytest.approx([0.0, 1.0, 2.0, 3.0], abs=0.01)
    assert max_in_window(group, 60.0) == 20
    assert group[20] >= 60.0


def test_replies_keep_telegrams_free_limit_while_paid_broadcasts_run() -> None:
    """Replies carry no paid flag: 30 a second at most, however fast broadcasts go."""

    async def main(loop: VirtualTimeLoop) -> tuple[list[float], list[float]]:
        pacer = Pacer(global_rate=1000.0, clock=loop.time, paid=True)
        broadcast = asyncio.ensure_future(send_all(pacer, loop, list(range(1, 2001))))
        replies = await send_all(pacer, loop, list(range(100_001, 100_091)), priority=True)
        return await broadcast, replies

    broadcast, replies = run(main)
    assert max_in_window(replies, 1.0) <= MAX_GLOBAL_RATE
    # 90 replies at 30/s; each may also wait for one global token (1 ms) behind the pump.
    assert 89 / MAX_GLOBAL_RATE - 1e-6 <= max(replies) <= 89 / MAX_GLOBAL_RATE + 90 / 1000.0
    # The broadcast shares the global budget with them and still finishes near 2 s.
    assert max(broadcast) <= (2000 + 90) / 1000.0 + 0.01
    assert max_in_window(broadcast + replies, 1.0) <= 1000


def test_cancelled_waiter_does_not_block_the_queue() -> None:
    async def main(loop: VirtualTimeLoop) -> list[float]:
        pacer = Pacer(global_rate=1.0, burst=1, clock=loop.time)
        first = await send_all(pacer, loop, [1])
        doomed = asyncio.ensure_future(pacer.acquire(2))
        rest = asyncio.ensure_future(send_all(pacer, loop, [3, 4]))
        await asyncio.sleep(0.5)
        doomed.cancel()
        times = first + await rest
        await pacer.close()
        return times

    assert run(main) == pytest.approx([0.0, 1.0, 2.0])


def test_close_cancels_waiting_broadcasts() -> None:
    async def main(loop: VirtualTimeLoop) -> bool:
        pacer = Pacer(global_rate=1.0, burst=1, clock=loop.time)
        await pacer.acquire(1)
        waiting = asyncio.ensure_future(pacer.acquire(2))
        await asyncio.sleep(0.1)
        await pacer.close()
        await asyncio.wait({waiting})
        return waiting.cancelled()

    assert run(main)


def test_injected_clock_and_sleep_are_used() -> None:
    """Plain fakes, no event-loop tricks: sleep just moves the clock forward."""
    now = [100.0]
    slept: list[float] = []

    def clock() -> float:
        return now[0]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds
        await asyncio.sleep(0)

    async def main() -> list[float]:
        pacer = Pacer(global_rate=10.0, burst=1, clock=clock, sleep=sleep)
        granted = []
        for _ in range(3):
            await pacer.acquire(8)
            granted.append(now[0])
        return granted

    assert asyncio.run(main()) == pytest.approx([100.0, 101.0, 102.0])
    assert slept == pytest.approx([1.0, 1.0])


def test_per_chat_state_is_pruned() -> None:
    async def main(loop: VirtualTimeLoop) -> Pacer:
        pacer = Pacer(global_rate=30.0, burst=1, clock=loop.time)
        await send_all(pacer, loop, list(range(1, 3001)))
        return pacer

    pacer = run(main)
    # 3,000 chats over 100 s: the ones idle for a minute or more are gone.
    assert pacer.tracked_chats < 3000


@pytest.mark.parametrize(
    "kwargs",
    [{"global_rate": 0}, {"private_interval_s": -1}, {"group_per_minute": 0}, {"burst": 0}],
)
def test_nonsense_limits_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(**kwargs)  # type: ignore[arg-type]
