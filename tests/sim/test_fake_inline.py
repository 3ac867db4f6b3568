"""The fake Bot API's inline queries: updates, answerInlineQuery and its limits."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, InlineQueryResultArticle, InputTextMessageContent
from telegram.error import BadRequest

from bot.sim.telegram import FakeTelegram


@pytest.fixture
async def client(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        yield bot


def article(result_id: str, title: str = "Titel", text: str = "<b>Nieuws</b>") -> Any:
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        input_message_content=InputTextMessageContent(text, parse_mode="HTML"),
    )


async def test_inline_query_arrives_as_an_update(client: Bot, fake_telegram: FakeTelegram) -> None:
    query_id = fake_telegram.send_inline_query(77, "oekraine", offset="20")
    (update,) = await client.get_updates()
    assert update.inline_query is not None
    assert update.inline_query.id == query_id
    assert update.inline_query.query == "oekraine"
    assert update.inline_query.offset == "20"
    assert update.inline_query.from_user.id == 77
    await client.answer_inline_query(query_id, [article("a")], cache_time=60, next_offset="40")
    answer = fake_telegram.inline_answer(query_id)
    assert answer is not None
    assert answer["results"][0]["id"] == "a"
    assert answer["next_offset"] == "40"
    # Telegram accepts one answer per query.
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await client.answer_inline_query(query_id, [article("a")])


@pytest.mark.parametrize(
    ("results", "reason"),
    [
        ([article(str(n)) for n in range(51)], "RESULTS_TOO_MUCH"),
        ([article("a"), article("a")], "RESULT_ID_DUPLICATE"),
        ([article("x" * 65)], "RESULT_ID_INVALID"),
        ([article("a", title=" ")], "RESULT_TITLE_EMPTY"),
        ([article("a", text="<b>open")], "can't parse entities"),
        ([article("a", text="x" * 4097)], "message is too long"),
    ],
)
async def test_answer_inline_query_limits(
    client: Bot, fake_telegram: FakeTelegram, results: list[Any], reason: str
) -> None:
    query_id = fake_telegram.send_inline_query(77, "x")
    with pytest.raises(BadRequest, match=r"(?i)" + re.escape(reason)):
        await client.answer_inline_query(query_id, results)
    assert fake_telegram.inline_answer(query_id) is None


async def test_get_me_reports_inline_support(fake_telegram: FakeTelegram) -> None:
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        assert (await bot.get_me()).supports_inline_queries is False
    fake_telegram.supports_inline_queries = True
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        assert (await bot.get_me()).supports_inline_queries is True
