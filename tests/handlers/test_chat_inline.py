"""Inline mode through the real Application and the fake Bot API."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.sim.telegram import FakeTelegram
from tests.chat_harness import PRIVATE, running_bot, seed_items


async def test_inline_topic_answers_articles_with_push_html(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        answer = await bot.fake.inline_and_wait(PRIVATE, "oekraine")
        assert answer["cache_time"] == 60
        assert answer["is_personal"] is False
        (result,) = answer["results"]
        assert result["type"] == "article"
        assert result["title"] == "Oekraïne vraagt om meer luchtafweer"
        assert result["description"].startswith("Testomroep Zuid · 9:15")
        content = result["input_message_content"]
        assert content["parse_mode"] == "HTML"
        assert '<a href="https://omroep.example/nieuws/1001">' in content["message_text"]
        share = result["reply_markup"]["inline_keyboard"][0][0]
        assert share["switch_inline_query"] == "oekraine"


async def test_inline_typo_offers_did_you_mean(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        answer = await bot.fake.inline_and_wait(PRIVATE, "oekrane")
        first = answer["results"][0]
        assert first["title"] == "Bedoel je Oekraïne?"
        assert f"@{fake_telegram.username} oekraine" in first["description"]


async def test_inline_empty_query_lists_latest_stories(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        answer = await bot.fake.inline_and_wait(PRIVATE, "")
        titles = [result["title"] for result in answer["results"]]
        assert len(titles) == len(seed_items())
        assert titles[0] == "Framework vraagt 7659 euro voor Desktop met 192GB ram en zonder ssd"
        assert answer.get("next_offset", "") == ""


async def test_inline_pages_with_next_offset(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    base = seed_items()[0]
    items = [
        replace(
            base,
            id=f"nos-{900 + n}",
            title=f"Kabinetsbericht nummer {n}",
            link=f"https://nos.nl/l/{900 + n}",
            published=base.published - timedelta(minutes=n),
            first_seen=base.published - timedelta(minutes=n),
        )
        for n in range(30)
    ]
    async with running_bot(fake_telegram, tmp_path, items=items) as bot:
        first = await bot.fake.inline_and_wait(PRIVATE, "politiek")
        assert len(first["results"]) == 20
        assert first["next_offset"] == "20"
        second = await bot.fake.inline_and_wait(PRIVATE, "politiek", offset=first["next_offset"])
        assert len(second["results"]) == 10
        assert second.get("next_offset", "") == ""
        ids = [r["id"] for r in first["results"] + second["results"]]
        assert len(set(ids)) == 30
