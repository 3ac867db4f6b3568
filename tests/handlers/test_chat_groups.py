"""Groups: anyone may read, only admins change follows and settings."""

from __future__ import annotations

from pathlib import Path

from bot.sim.telegram import FakeTelegram
from tests.chat_harness import ADMIN, GROUP, MEMBER, buttons, running_bot, seed_items


async def test_admin_follows_with_bot_name_suffix(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.set_admins(GROUP, [ADMIN])
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(GROUP, "/volg@nieuwsbot_test_bot oekraine", user_id=ADMIN)
        assert answer["text"] == "✅ Je volgt nu: Oekraïne (land)"
        record = bot.chat(GROUP)
        assert record is not None
        assert record.chat_type == "supergroup"
        assert bot.follows(GROUP) == {"country:UA"}


async def test_member_is_politely_refused_but_may_read(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.set_admins(GROUP, [ADMIN])
    async with running_bot(fake_telegram, tmp_path, items=seed_items()) as bot:
        for command in ("/volg sport", "/ontvolg alles", "/stil 23:00-07:00", "/stop"):
            refused = await bot.say(GROUP, command, user_id=MEMBER)
            assert refused["text"] == (
                "Sorry, in deze groep kunnen alleen beheerders dat wijzigen. 🙂"
            )
        assert bot.chat(GROUP) is None

        latest = await bot.say(GROUP, "/laatste@nieuwsbot_test_bot oekraine", user_id=MEMBER)
        assert "Oekraïne vraagt om meer luchtafweer" in latest["text"]
        found = await bot.say(GROUP, "/zoek westnijlvirus", user_id=MEMBER)
        assert "westnijlvirus" in found["text"]
        mine = await bot.say(GROUP, "/mijn", user_id=MEMBER)
        assert "Je volgt nog niets" in mine["text"]


async def test_member_cannot_press_admin_buttons(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.set_admins(GROUP, [ADMIN])
    async with running_bot(fake_telegram, tmp_path) as bot:
        welcome = await bot.say(GROUP, "/start", user_id=ADMIN)
        answer = await bot.press_for_toast(
            GROUP, welcome["message_id"], buttons(welcome)["Sport"], user_id=MEMBER
        )
        assert answer["text"] == "Alleen beheerders van de groep kunnen dat wijzigen."
        assert answer["show_alert"] is True
        assert bot.chat(GROUP) is None

        edited = await bot.press(
            GROUP, welcome["message_id"], buttons(welcome)["Sport"], user_id=ADMIN
        )
        assert "✓ Sport" in buttons(edited)
        assert bot.follows(GROUP) == {"section:sport"}


async def test_admin_status_is_cached(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    fake_telegram.set_admins(GROUP, [ADMIN])
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.say(GROUP, "/volg sport", user_id=ADMIN)
        await bot.say(GROUP, "/volg tech", user_id=ADMIN)
        await bot.say(GROUP, "/stil 22:00-06:00", user_id=ADMIN)
        assert len(fake_telegram.calls_of("getChatMember", GROUP)) == 1
        assert bot.follows(GROUP) == {"section:sport", "section:tech"}


async def test_group_ignores_commands_for_other_bots_and_plain_text(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.set_admins(GROUP, [ADMIN])
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.silence(GROUP, "/volg@anderebot sport", user_id=ADMIN)
        await bot.silence(GROUP, "Wie heeft het nieuws gezien?", user_id=MEMBER)
        assert bot.chat(GROUP) is None
