"""PacedRateLimiter: the hook every Bot API call of the Application passes through.

Most tests drive ``process_request`` directly on virtual time (the event loop of
test_pacer.py jumps its clock instead of sleeping; the pacer reads that clock),
with a recording coroutine standing in for PTB's HTTP call. The last ones put
the limiter in the real python-telegram-bot ``ExtBot`` against the fake Bot API,
to show a real 429 from Telegram takes the same paths.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.deliver.pacer import Pacer
from bot.deliver.ratelimit import BROADCAST, MAX_REPLY_WAIT_S, PacedRateLimiter, ShuttingDown
from bot.deliver.stats import DeliveryStats
from bot.sim.telegram import FakeTelegram
from tests.deliver.test_pacer import VirtualTimeLoop, run

Result = bool | dict[str, Any] | list[dict[str, Any]]


class TelegramCall:
    """Stands in for PTB's HTTP call: records when it ran; raises what it is told to."""

    def __init__(self, loop: VirtualTimeLoop, errors: list[Exception] | None = None) -> None:
        self._loop = loop
        self._errors = list(errors or [])
        self.times: list[float] = []

    async def __call__(self) -> Result:
        self.times.append(self._loop.time())
        if self._errors:
            raise self._errors.pop(0)
        return {"message_id": len(self.times)}


async def request(
    limiter: PacedRateLimiter,
    call: Callable[[], Coroutine[Any, Any, Result]],
    endpoint: str,
    data: dict[str, Any],
    rate_limit_args: str | None = None,
) -> Result:
    return await limiter.process_request(call, (), {}, endpoint, data, rate_limit_args)


def retry_after(seconds: float) -> RetryAfter:
    return RetryAfter(timedelta(seconds=seconds))


# -- which calls are paced --------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "data", "waits"),
    [
        ("sendMessage", {"chat_id": 5, "text": "Nieuws"}, True),
        ("sendMessage", {"chat_id": "5", "text": "Nieuws"}, True),  # ids arrive as text too
        ("editMessageText", {"chat_id": 5, "message_id": 1}, True),
        ("sendPhoto", {"chat_id": 5}, True),
        ("copyMessage", {"chat_id": 5, "from_chat_id": 6, "message_id": 1}, True),
        ("forwardMessage", {"chat_id": 5, "from_chat_id": 6, "message_id": 1}, True),
        ("sendChatAction", {"chat_id": 5, "action": "typing"}, False),  # not a message
        ("getChatMember", {"chat_id": 5, "user_id": 1001}, False),
        ("answerCallbackQuery", {"callback_query_id": "77"}, False),
        ("getUpdates", {"offset": 3, "timeout": 30}, False),
        ("sendMessage", {"chat_id": "@nieuwskanaal", "text": "Nieuws"}, False),  # no numeric id
    ],
)
def test_only_messages_to_a_chat_are_paced(
    endpoint: str, data: dict[str, Any], waits: bool
) -> None:
    async def main(loop: VirtualTimeLoop) -> list[float]:
        pacer = Pacer(clock=loop.time)
        pacer.pause_chat(5, 40.0)  # Telegram asked chat 5 to wait
        limiter = PacedRateLimiter(pacer)
        call = TelegramCall(loop)
        await request(limiter, call, endpoint, data)
        return call.times

    assert run(main) == pytest.approx([40.0 if waits else 0.0])


# -- priority: replies before broadcasts --------------------------------------------


def test_a_reply_is_not_starved_by_a_running_broadcast() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[float, float, list[float]]:
        limiter = PacedRateLimiter(Pacer(global_rate=25.0, clock=loop.time))
        sent = TelegramCall(loop)
        broadcast = asyncio.gather(
            *(
                request(limiter, sent, "sendMessage", {"chat_id": chat}, BROADCAST)
                for chat in range(1, 301)
            )
        )
        await asyncio.sleep(2.0)  # 300 pushes need 12 s at 25/s; most are still waiting
        assert limiter.pacer.waiting > 200
        asked = loop.time()
        reply = TelegramCall(loop)
        await request(limiter, reply, "sendMessage", {"chat_id": 4242})
        replied = reply.times[0] - asked
        await request(limiter, reply, "answerCallbackQuery", {"callback_query_id": "1"})
        button = reply.times[1] - replied - asked
        await broadcast
        return replied, button, sent.times

    replied, button, pushes = run(main)
    assert replied <= 1 / 25.0 + 1e-9  # the next token, not 250 queued pushes
    assert button == pytest.approx(0.0)
    assert len(pushes) == 300
    assert max(pushes) == pytest.approx(12.0, abs=0.2)  # the broadcast still finishes on time


# -- RetryAfter -----------------------------------------------------------------------


def test_retry_after_on_a_broadcast_is_raised_and_pauses_only_that_chat() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[DeliveryStats, list[float], list[float]]:
        stats = DeliveryStats(clock=loop.time)
        limiter = PacedRateLimiter(Pacer(clock=loop.time), stats)
        refused = TelegramCall(loop, [retry_after(7)])
        with pytest.raises(RetryAfter):
            await request(limiter, refused, "sendMessage", {"chat_id": 5}, BROADCAST)
        other = TelegramCall(loop)
        await request(limiter, other, "sendMessage", {"chat_id": 6}, BROADCAST)
        # A reply to the paused chat waits too: Telegram would refuse it as well.
        await request(limiter, refused, "sendMessage", {"chat_id": 5})
        return stats, refused.times, other.times

    stats, refused, other = run(main)
    assert refused == pytest.approx([0.0, 7.0])  # not retried by the limiter; the reply at 7 s
    assert other == pytest.approx([0.0])
    assert stats.retry_after.total == 1


def test_retry_after_on_a_reply_is_waited_out_and_retried_once() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[Result, list[float], int]:
        stats = DeliveryStats(clock=loop.time)
        limiter = PacedRateLimiter(Pacer(clock=loop.time), stats)
        call = TelegramCall(loop, [retry_after(3)])
        result = await request(limiter, call, "sendMessage", {"chat_id": 5, "text": "/help"})
        return result, call.times, stats.retry_after.total

    result, times, counted = run(main)
    assert result == {"message_id": 2}
    assert times == pytest.approx([0.0, 3.0])
    assert counted == 1


def test_a_second_retry_after_on_a_reply_is_raised() -> None:
    async def main(loop: VirtualTimeLoop) -> list[float]:
        limiter = PacedRateLimiter(Pacer(clock=loop.time))
        call = TelegramCall(loop, [retry_after(2), retry_after(2)])
        with pytest.raises(RetryAfter):
            await request(limiter, call, "sendMessage", {"chat_id": 5})
        return call.times

    assert run(main) == pytest.approx([0.0, 2.0])


def test_a_reply_asked_to_wait_too_long_is_raised_at_once() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[list[float], float]:
        limiter = PacedRateLimiter(Pacer(clock=loop.time))
        call = TelegramCall(loop, [retry_after(MAX_REPLY_WAIT_S + 1)])
        with pytest.raises(RetryAfter):
            await request(limiter, call, "sendMessage", {"chat_id": 5})
        raised_at = loop.time()
        await request(limiter, call, "sendMessage", {"chat_id": 5})  # the pause still holds
        return call.times, raised_at

    times, raised_at = run(main)
    assert raised_at == pytest.approx(0.0)
    assert times == pytest.approx([0.0, MAX_REPLY_WAIT_S + 1])


# -- shutting down --------------------------------------------------------------------


def test_shutting_down_withholds_broadcasts_but_not_replies() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[list[float], list[float]]:
        limiter = PacedRateLimiter(Pacer(clock=loop.time))
        limiter.accepting = lambda: False
        push = TelegramCall(loop)
        with pytest.raises(ShuttingDown):
            await request(limiter, push, "sendMessage", {"chat_id": 5}, BROADCAST)
        reply = TelegramCall(loop)
        await request(limiter, reply, "sendMessage", {"chat_id": 6})
        return push.times, reply.times

    push, reply = run(main)
    assert push == []
    assert reply == pytest.approx([0.0])


def test_a_broadcast_waiting_for_its_slot_when_shutdown_begins_is_withheld() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[list[float], float]:
        limiter = PacedRateLimiter(Pacer(global_rate=1.0, burst=1, clock=loop.time))
        accepting = [True]
        limiter.accepting = lambda: accepting[0]
        push = TelegramCall(loop)
        await request(limiter, push, "sendMessage", {"chat_id": 1}, BROADCAST)
        waiting = asyncio.ensure_future(
            request(limiter, push, "sendMessage", {"chat_id": 2}, BROADCAST)
        )
        await asyncio.sleep(0.5)
        assert not waiting.done()
        accepting[0] = False  # SIGTERM while chat 2 waits for the next token
        with pytest.raises(ShuttingDown):
            await waiting
        return push.times, loop.time()

    times, withheld_at = run(main)
    assert times == pytest.approx([0.0])  # chat 2's request never started
    assert withheld_at == pytest.approx(1.0)


# -- in the real PTB stack against the fake Bot API ------------------------------


def paced_bot(fake: FakeTelegram, limiter: PacedRateLimiter) -> ExtBot[str]:
    return ExtBot(fake.token, base_url=fake.base_url, rate_limiter=limiter)


async def test_a_429_from_telegram_on_a_reply_is_waited_out_through_ptb(
    fake_telegram: FakeTelegram,
) -> None:
    stats = DeliveryStats()
    async with paced_bot(fake_telegram, PacedRateLimiter(Pacer(), stats)) as bot:
        fake_telegram.fail("sendMessage", chat_id=1001, kind="retry_after", retry_after=1)
        message = await bot.send_message(1001, "Je volgt nu: Oekraïne")
    assert message.text == "Je volgt nu: Oekraïne"
    calls = fake_telegram.calls_of("sendMessage", 1001)
    assert [call.http_status for call in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0
    assert stats.retry_after.total == 1


async def test_a_429_from_telegram_on_a_broadcast_reaches_the_caller_through_ptb(
    fake_telegram: FakeTelegram,
) -> None:
    async with paced_bot(fake_telegram, PacedRateLimiter(Pacer())) as bot:
        fake_telegram.fail("sendMessage", chat_id=1001, kind="retry_after", retry_after=4)
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(1001, "Nieuws", rate_limit_args=BROADCAST)
    assert raised.value.retry_after == timedelta(seconds=4)
    assert [call.http_status for call in fake_telegram.calls_of("sendMessage")] == [429]


async def test_shutting_down_keeps_a_broadcast_from_reaching_telegram_through_ptb(
    fake_telegram: FakeTelegram,
) -> None:
    limiter = PacedRateLimiter(Pacer())
    async with paced_bot(fake_telegram, limiter) as bot:
        limiter.accepting = lambda: False
        with pytest.raises(ShuttingDown):
            await bot.send_message(1001, "Nieuws", rate_limit_args=BROADCAST)
        reply = await bot.send_message(1001, "Tot ziens")
    assert [m["text"] for m in fake_telegram.sent_messages(1001)] == [reply.text]
