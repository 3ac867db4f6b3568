"""Linked channels through the production Application and the fake Bot API.

An admin of a channel links it from the private chat (``/kanaal @naam`` or a
forwarded post) and manages its follows there; everyone else, and a bot
without the right to post, gets a Dutch explanation. The bot's own rights
arriving as ``my_chat_member`` stop and resume posting (the admin is told once);
commands typed in the channel itself get one polite refusal.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.sim.telegram import FakeTelegram
from handlers.channels import LOST_RIGHTS_REASON
from tests.chat_harness import SILENCE_TIMEOUT_S, ChatBot, running_bot

CHANNEL = -1001234567890
NAME = "nieuwsNL"
OWNER = 4201  # the channel's creator; their private chat has the same id
EDITOR = 4202  # another administrator of the channel
READER = 4203  # not an administrator

JsonDict = dict[str, Any]


def channel(fake: FakeTelegram, **kwargs: Any) -> None:
    fake.add_channel(CHANNEL, NAME, admins=[EDITOR], creator=OWNER, **kwargs)


async def settled(bot: ChatBot, update: JsonDict) -> None:
    """Wait until the handlers are done with an injected update (see ChatBot.silence)."""
    await bot.fake.wait_for_call(
        "getUpdates",
        predicate=lambda call: int(call.params.get("offset", 0)) > update["update_id"],
    )
    await asyncio.wait_for(bot.application.update_queue.join(), SILENCE_TIMEOUT_S)


def sent_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [str(call.params["text"]) for call in fake.calls_of("sendMessage", chat_id) if call.ok]


async def link(bot: ChatBot, user: int = OWNER) -> str:
    return str((await bot.say(user, f"/kanaal @{NAME}"))["text"])


async def test_an_admin_links_the_channel_and_manages_it_from_the_private_chat(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel(fake_telegram)
    async with running_bot(fake_telegram, tmp_path) as bot:
        assert "is gekoppeld" in await link(bot)
        record = bot.chat(CHANNEL)
        assert record is not None
        assert record.chat_type == "channel"
        assert record.active
        stored = bot.store.channel_link(CHANNEL)
        assert stored is not None
        assert (stored.username, stored.linked_by) == (NAME, OWNER)

        followed = await bot.say(OWNER, f"/kanaal @{NAME} volg oekraine, buitenland")
        first, second = followed["text"].split("\n")[:2]
        assert f"Kanaal @{NAME}" in first  # the answer names the channel it changed
        assert second.startswith("✅")
        assert "country:UA" in bot.follows(CHANNEL)
        assert len(bot.follows(CHANNEL)) == 2
        assert bot.follows(OWNER) == set()  # the private chat follows nothing

        mine = await bot.say(OWNER, f"/kanaal @{NAME.lower()} mijn")
        assert f"Kanaal @{NAME}" in mine["text"]
        assert "Oekraïne" in mine["text"]

        quiet = await bot.say(OWNER, f"/kanaal @{NAME} stil 23:00-07:00")
        assert "23:00" in quiet["text"]
        record = bot.chat(CHANNEL)
        assert record is not None
        assert record.settings.quiet_hours == ("23:00", "07:00")

        # Another administrator may manage it too; the list is per linking admin.
        unfollowed = await bot.say(EDITOR, f"/kanaal @{NAME} ontvolg oekraine")
        assert "Oekraïne" in unfollowed["text"]
        assert f"Kanaal @{NAME}" in unfollowed["text"].split("\n")[0]
        assert "country:UA" not in bot.follows(CHANNEL)
        listing = await bot.say(OWNER, "/kanaal")
        assert f"@{NAME}: 1 onderwerp" in listing["text"]
        assert "Nieuws in je eigen kanaal" in (await bot.say(EDITOR, "/kanaal"))["text"]

        stopped = await bot.say(OWNER, f"/kanaal @{NAME} stop")
        assert "ontkoppeld" in stopped["text"]
        assert bot.chat(CHANNEL) is None
        assert bot.store.channel_link(CHANNEL) is None
        assert "nog niet gekoppeld" in (await bot.say(OWNER, f"/kanaal @{NAME} mijn"))["text"]


async def test_a_forwarded_channel_post_links_the_channel(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel(fake_telegram)
    async with running_bot(fake_telegram, tmp_path) as bot:
        after = fake_telegram.mark()
        fake_telegram.forward_channel_post(OWNER, CHANNEL)
        answer = await fake_telegram.wait_for_message(OWNER, after=after)
        assert "is gekoppeld" in answer["text"]
        assert bot.store.channel_link(CHANNEL) is not None


async def test_a_non_admin_is_refused_and_nothing_is_stored(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel(fake_telegram)
    async with running_bot(fake_telegram, tmp_path) as bot:
        refused = await link(bot, READER)
        assert "Alleen beheerders van @nieuwsNL" in refused
        assert bot.chat(CHANNEL) is None
        assert bot.store.channel_link(CHANNEL) is None

        await link(bot)
        await bot.say(OWNER, f"/kanaal @{NAME} volg oekraine")
        answer = await bot.say(READER, f"/kanaal @{NAME} ontvolg oekraine")
        assert "Alleen beheerders" in answer["text"]
        assert bot.follows(CHANNEL) == {"country:UA"}


async def test_the_admin_list_is_rechecked_after_five_minutes(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel(fake_telegram)
    async with running_bot(fake_telegram, tmp_path) as bot:
        await link(bot, EDITOR)
        fake_telegram.set_admins(CHANNEL, [], creator=OWNER)  # the editor is no admin now
        still = await bot.say(EDITOR, f"/kanaal @{NAME} volg oekraine")  # cached answer
        assert "✅ Je volgt nu" in still["text"]
        bot.clock.advance(timedelta(minutes=5))
        refused = await bot.say(EDITOR, f"/kanaal @{NAME} volg sport")
        assert "Alleen beheerders" in refused["text"]
        assert bot.follows(CHANNEL) == {"country:UA"}


async def test_a_bot_that_may_not_post_is_refused_with_what_to_do(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.add_channel(CHANNEL, NAME, creator=OWNER, bot_can_post=False)
    fake_telegram.add_channel(-1002222222222, "zonderbot", creator=OWNER, bot_status="member")
    fake_telegram.add_chat(-1003333333333, chat_type="supergroup", username="eengroep")
    async with running_bot(fake_telegram, tmp_path) as bot:
        cannot_post = await link(bot)
        assert "mag er geen berichten plaatsen" in cannot_post
        assert "„Berichten plaatsen”" in cannot_post
        not_admin = await bot.say(OWNER, "/kanaal @zonderbot")
        assert "Ik ben geen beheerder van @zonderbot" in not_admin["text"]
        missing = await bot.say(OWNER, "/kanaal @bestaatniet")
        assert "kan het kanaal @bestaatniet niet vinden" in missing["text"]
        group = await bot.say(OWNER, "/kanaal @eengroep")
        assert "is geen kanaal" in group["text"]
        bad = await bot.say(OWNER, "/kanaal @ab")
        assert "geen kanaalnaam" in bad["text"]
        assert bot.store.channel_links() == []


async def test_demoted_bot_stops_posting_and_tells_the_admin_once(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel(fake_telegram)
    async with running_bot(fake_telegram, tmp_path) as bot:
        await link(bot)
        await bot.say(OWNER, f"/kanaal @{NAME} volg oekraine")
        told_before = len(sent_to(fake_telegram, OWNER))

        await settled(bot, fake_telegram.set_bot_standing(CHANNEL, "administrator", can_post=False))
        record = bot.chat(CHANNEL)
        assert record is not None
        assert not record.active
        assert record.deactivation_reason == LOST_RIGHTS_REASON
        assert bot.follows(CHANNEL) == {"country:UA"}  # kept for a return
        told = sent_to(fake_telegram, OWNER)[told_before:]
        assert len(told) == 1
        assert "kan niet meer plaatsen in @nieuwsNL" in told[0]
        assert "30 dagen" in told[0]

        # Removed altogether afterwards: still silent towards the admin.
        await settled(bot, fake_telegram.set_bot_standing(CHANNEL, "left"))
        assert len(sent_to(fake_telegram, OWNER)) == told_before + 1
        assert "niet meer plaatsen" in (await bot.say(OWNER, "/kanaal"))["text"]

        # Made admin again: posting resumes with the kept follows.
        await settled(bot, fake_telegram.set_bot_standing(CHANNEL, "administrator"))
        record = bot.chat(CHANNEL)
        assert record is not None
        assert record.active
        assert "weer plaatsen" in sent_to(fake_telegram, OWNER)[-1]


async def test_commands_in_the_channel_get_one_polite_refusal(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel(fake_telegram)
    async with running_bot(fake_telegram, tmp_path) as bot:
        await link(bot)
        after = fake_telegram.mark()
        post = fake_telegram.post_in_channel(CHANNEL, "/volg sport")
        call = await fake_telegram.wait_for_call("sendMessage", chat_id=CHANNEL, after=after)
        assert call.ok
        assert "werken niet in het kanaal zelf" in call.params["text"]
        assert "@nieuwsbot_test_bot" in call.params["text"]
        assert call.result["reply_to_message"]["message_id"] == post["channel_post"]["message_id"]
        assert bot.follows(CHANNEL) == set()

        # Within ten minutes a second command, and any ordinary post, stay unanswered.
        await settled(bot, fake_telegram.post_in_channel(CHANNEL, "/stop"))
        await settled(bot, fake_telegram.post_in_channel(CHANNEL, "Gewoon een bericht"))
        assert len(sent_to(fake_telegram, CHANNEL)) == 1
        assert bot.chat(CHANNEL) is not None


async def test_a_command_for_another_bot_in_the_channel_is_ignored(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel(fake_telegram)
    async with running_bot(fake_telegram, tmp_path) as bot:
        await settled(bot, fake_telegram.post_in_channel(CHANNEL, "/start@anderebot"))
        assert sent_to(fake_telegram, CHANNEL) == []


async def test_kanaal_in_a_group_points_to_the_private_chat(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel(fake_telegram)
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(-100_777, f"/kanaal @{NAME}", user_id=OWNER)
        assert "privégesprek" in answer["text"]
        assert bot.store.channel_link(CHANNEL) is None


async def test_a_command_in_a_channel_the_bot_may_not_post_in_is_ignored(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    channel(fake_telegram)
    async with running_bot(fake_telegram, tmp_path) as bot:
        await link(bot)
        await settled(bot, fake_telegram.set_bot_standing(CHANNEL, "administrator", can_post=False))
        await settled(bot, fake_telegram.post_in_channel(CHANNEL, "/volg sport"))
        # Not even attempted: the bot knows it cannot post there.
        assert fake_telegram.calls_of("sendMessage", CHANNEL) == []
