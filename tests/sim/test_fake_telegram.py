"""The fake Telegram Bot API server, exercised through python-telegram-bot's real HTTP stack."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.sim.telegram import (
    FakeTelegram,
    HtmlParseError,
    command_entities,
    decode_params,
    parse_telegram_html,
)
from bot.sim.telegram_limits import FloodLimiter, FloodPolicy

# ----------------------------------------------------------------- pure: HTML subset

HTML_OK = [
    ("Gewoon nieuws", "Gewoon nieuws", []),
    ("<b>Kabinet</b> valt", "Kabinet valt", [("bold", 0, 7)]),
    (
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del>",
        "abcd",
        [("bold", 0, 1), ("italic", 1, 1), ("underline", 2, 1), ("strikethrough", 3, 1)],
    ),
    # Emoji outside the BMP count two UTF-16 units before the entity.
    ("🇺🇦 <i>Oekraïne</i>", "🇺🇦 Oekraïne", [("italic", 5, 8)]),
    ('Zie <a href="https://nos.nl/l/1?a=1&amp;b=2">NOS</a>', "Zie NOS", [("text_link", 4, 3)]),
    ("&lt;tag&gt; &amp; &quot;citaat&quot; &#8364;5 &#x20AC;6", '<tag> & "citaat" €5 €6', []),
    ("<b>vet <i>schuin</i></b>", "vet schuin", [("bold", 0, 10), ("italic", 4, 6)]),
    ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
    ("<code>inline</code>", "inline", [("code", 0, 6)]),
    (
        '<span class="tg-spoiler">geheim</span> <tg-spoiler>ook</tg-spoiler>',
        "geheim ook",
        [("spoiler", 0, 6), ("spoiler", 7, 3)],
    ),
    (
        "<blockquote expandable>lang citaat</blockquote>",
        "lang citaat",
        [("expandable_blockquote", 0, 11)],
    ),
    ("<blockquote>kort</blockquote>", "kort", [("blockquote", 0, 4)]),
    ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", [("custom_emoji", 0, 2)]),
    ("<B>hoofdletters</B>", "hoofdletters", [("bold", 0, 12)]),
    ("<b></b>leeg", "leeg", []),
    ("1 > 0", "1 > 0", []),
]


@pytest.mark.parametrize(("markup", "text", "entities"), HTML_OK)
def test_html_subset_parses_to_text_and_entities(
    markup: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    plain, parsed = parse_telegram_html(markup)
    assert plain == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed] == entities


def test_html_link_and_pre_details() -> None:
    _, link = parse_telegram_html('<a href="https://nos.nl/l/1?a=1&amp;b=2">NOS</a>')
    assert link[0]["url"] == "https://nos.nl/l/1?a=1&b=2"
    _, pre = parse_telegram_html('<pre><code class="language-python">x</code></pre>')
    assert pre[0]["language"] == "python"
    _, emoji = parse_telegram_html('<tg-emoji emoji-id="42">👍</tg-emoji>')
    assert emoji[0]["custom_emoji_id"] == "42"


HTML_BAD = [
    ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("regel<br>regel", 'Unsupported start tag "br" at byte offset 5'),
    ("<p>alinea</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("<b", "Unclosed start tag at byte offset 0"),
    ('<a href="x>link</a>', "Unclosed start tag at byte offset 0"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("Ajax & PSV", 'Unescaped "&" at byte offset 5'),
    ("€ &euro;", 'Unescaped "&" at byte offset 4'),  # byte offsets count UTF-8 bytes
    ("&#0;", 'Unescaped "&" at byte offset 0'),
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ("<tg-emoji>x</tg-emoji>", 'Tag "tg-emoji" must have attribute "emoji-id"'),
]


@pytest.mark.parametrize(("markup", "reason"), HTML_BAD)
def test_html_subset_rejects_like_telegram(markup: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_telegram_html(markup)
    assert reason in str(caught.value)


# ------------------------------------------------------------ pure: command entities

COMMANDS = [
    ("/start", [(0, 6)]),
    ("/volg oekraine", [(0, 5)]),
    ("/volg@nieuwsbot_test_bot oekraine", [(0, 24)]),
    ("hallo /help", [(6, 5)]),
    ("🇳🇱 /help", [(5, 5)]),
    ("geen commando", []),
    ("pad/naar/iets", []),
]


@pytest.mark.parametrize(("text", "spans"), COMMANDS)
def test_command_entities_use_utf16_offsets(text: str, spans: list[tuple[int, int]]) -> None:
    entities = command_entities(text)
    assert [(e["offset"], e["length"]) for e in entities] == spans
    assert all(e["type"] == "bot_command" for e in entities)


# ------------------------------------------------------------- pure: parameter decoding


def test_decode_form_params_as_ptb_sends_them() -> None:
    body = (
        b"chat_id=-100123&text=123&parse_mode=HTML&disable_notification=true"
        b"&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D&allowed_updates=%5B%22message%22%5D"
    )
    params = decode_params("application/x-www-form-urlencoded", body)
    assert params == {
        "chat_id": -100123,
        "text": "123",  # a text that looks like a number stays text
        "parse_mode": "HTML",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": []},
        "allowed_updates": ["message"],
    }


def test_decode_json_body_query_string_and_channel_username() -> None:
    body = json.dumps({"chat_id": "42", "text": "hoi", "reply_markup": {"a": 1}}).encode()
    params = decode_params("application/json; charset=utf-8", body, "limit=5")
    assert params == {"chat_id": 42, "text": "hoi", "reply_markup": {"a": 1}, "limit": 5}
    assert decode_params("", b"", "chat_id=%40nieuwskanaal&timeout=1.0") == {
        "chat_id": "@nieuwskanaal",
        "timeout": 1,
    }


def test_decode_multipart_fields_and_uploads() -> None:
    boundary = "grens"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n7\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nBrüssel\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\nJPEGDATA\r\n--{boundary}--\r\n"
    ).encode()
    params = decode_params(f"multipart/form-data; boundary={boundary}", body)
    assert params == {
        "chat_id": 7,
        "caption": "Brüssel",
        "photo": {"filename": "a.jpg", "size": 8},
    }


# ---------------------------------------------------------------- pure: flood limiter


def test_flood_private_chat_allows_burst_then_one_per_second() -> None:
    limiter = FloodLimiter()
    assert [limiter.admit(7, 100.0) for _ in range(4)] == [None, None, None, 1]
    assert limiter.admit(7, 100.5) == 1  # half a token is not enough
    assert limiter.admit(7, 101.0) is None
    assert limiter.admit(8, 101.0) is None  # other chats have their own budget


def test_flood_group_twenty_per_minute_with_retry_after() -> None:
    limiter = FloodLimiter()
    assert all(limiter.admit(-500, 10.0 + i) is None for i in range(20))
    assert limiter.admit(-500, 40.0) == 30  # first of the 20 leaves the window at t=70
    assert limiter.admit(-500, 70.0) is None


def test_flood_global_thirty_per_second_and_rejections_cost_nothing() -> None:
    limiter = FloodLimiter(FloodPolicy(private_burst=100))
    assert all(limiter.admit(1000 + i, 5.0) is None for i in range(30))
    assert limiter.admit(2000, 5.5) == 1
    assert limiter.admit(2000, 5.9) == 1
    assert limiter.admit(2000, 6.0) is None


def test_flood_paid_sends_count_against_1000_a_second_apart_from_free_ones() -> None:
    limiter = FloodLimiter(FloodPolicy(private_burst=100))
    assert all(limiter.admit(3000 + i, 7.0, paid=True) is None for i in range(1000))
    assert limiter.admit(9999, 7.5, paid=True) == 1
    # The free budget is untouched by paid sends: 30 more without the flag.
    assert all(limiter.admit(5000 + i, 7.5) is None for i in range(30))
    assert limiter.admit(6000, 7.5) == 1
    assert limiter.admit(9999, 8.0, paid=True) is None
    # Per chat as before: the flag buys rate, not a faster chat.
    assert [limiter.admit(77, 9.0, paid=True) for _ in range(101)][-1] == 1


# ------------------------------------------------------------- server through PTB Bot


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as client:
        yield client


async def test_get_me_describes_the_test_bot(bot: Bot, fake_telegram: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "nieuwsbot_test_bot", True)
    assert fake_telegram.calls_of("getMe")[0].ok


async def test_send_message_returns_message_and_is_recorded(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Stop", callback_data="ontvolg:UA")]])
    message = await bot.send_message(
        42, "🇺🇦 <b>Oekraïne</b> &amp; Rusland", parse_mode="HTML", reply_markup=keyboard
    )
    assert message.text == "🇺🇦 Oekraïne & Rusland"
    assert message.from_user is not None
    assert message.from_user.id == 123456
    assert message.chat.id == 42
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 5, 8)]
    second = await bot.send_message(42, "nog een")
    assert second.message_id == message.message_id + 1
    sent = fake_telegram.sent_messages(42)
    assert [s["text"] for s in sent] == ["🇺🇦 <b>Oekraïne</b> &amp; Rusland", "nog een"]
    assert sent[0]["parse_mode"] == "HTML"
    assert sent[0]["reply_markup"] == keyboard.to_dict()
    assert fake_telegram.sent_messages(99) == []


FAULTS: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("retry_after", {"retry_after": 7}, RetryAfter, "retry"),
    ("blocked", {}, Forbidden, "bot was blocked by the user"),
    ("kicked", {}, Forbidden, "bot was kicked from the group chat"),
    ("deactivated", {}, Forbidden, "user is deactivated"),
    ("bad_html", {}, BadRequest, "parse entities"),
    ("chat_not_found", {}, BadRequest, "Chat not found"),
    ("migrate", {"migrate_to": -1001234}, ChatMigrated, "migrated"),
    ("server_error", {}, NetworkError, "Internal Server Error"),
    ("server_error", {"status": 502}, NetworkError, "Bad Gateway (502)"),
]


# PTB 22 warns whenever RetryAfter.retry_after is read as an int; not our concern here.
IGNORE_PTB_TIMEDELTA = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@IGNORE_PTB_TIMEDELTA
@pytest.mark.parametrize(("kind", "options", "error", "text"), FAULTS)
async def test_injected_faults_raise_ptb_exceptions(
    bot: Bot,
    fake_telegram: FakeTelegram,
    kind: Any,
    options: dict[str, Any],
    error: type[Exception],
    text: str,
) -> None:
    fake_telegram.fail("sendMessage", chat_id=42, kind=kind, **options)
    with pytest.raises(error) as caught:
        await bot.send_message(42, "x")
    assert text.lower() in str(caught.value).lower()
    if isinstance(caught.value, RetryAfter):
        assert caught.value.retry_after in (7, dt.timedelta(seconds=7))
    if isinstance(caught.value, ChatMigrated):
        assert caught.value.new_chat_id == -1001234
    # times=1: the next call goes through, other chats were never affected.
    assert (await bot.send_message(42, "y")).text == "y"
    assert fake_telegram.calls_of("sendMessage", 42)[0].http_status >= 400


async def test_faults_are_scoped_to_chat_and_last_until_cleared(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.fail("sendMessage", chat_id=42, kind="blocked", times=None)
    assert (await bot.send_message(43, "ander")).chat.id == 43
    for _ in range(3):
        with pytest.raises(Forbidden):
            await bot.send_message(42, "x")
    fake_telegram.clear_faults()
    assert (await bot.send_message(42, "weer")).text == "weer"
    with pytest.raises(ValueError, match="unknown Bot API method"):
        fake_telegram.fail("sendMesage", kind="blocked")


async def test_slow_answers_time_out_with_short_read_timeout(
    fake_telegram: FakeTelegram,
) -> None:
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url, request=request) as bot:
        fake_telegram.fail("sendMessage", kind="slow", delay_s=0.6)
        with pytest.raises(TimedOut):
            await bot.send_message(42, "traag")
        fake_telegram.fail("sendMessage", kind="slow", delay_s=0.05)
        assert (await bot.send_message(42, "net op tijd")).text == "net op tijd"


async def test_timeout_fault_delivers_but_the_answer_is_lost(
    fake_telegram: FakeTelegram,
) -> None:
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url, request=request) as bot:
        fake_telegram.fail("sendMessage", kind="timeout", delay_s=0.5)
        with pytest.raises(TimedOut):
            await bot.send_message(42, "misschien verstuurd")
    # Like Telegram under a client timeout: the message did arrive.
    assert [m["text"] for m in fake_telegram.sent_messages(42)] == ["misschien verstuurd"]


SEND_ERRORS: list[tuple[dict[str, Any], str]] = [
    ({"text": "<b>vet"}, "Can't parse entities: can't find end tag"),
    ({"text": "Ajax & PSV"}, "Can't parse entities: unescaped"),
    ({"text": "   "}, "Message text is empty"),
    ({"text": "<b></b>"}, "Message text is empty"),
    ({"text": "x" * 4097}, "Message is too long"),
    (
        {
            "text": "ok",
            "reply_markup": InlineKeyboardMarkup(
                [[InlineKeyboardButton("b", callback_data="d" * 65)]]
            ),
        },
        "Button_data_invalid",
    ),
    (
        {"text": "ok", "reply_markup": {"inline_keyboard": [[{"text": "kaal"}]]}},
        "Text buttons are unallowed",
    ),
]


@pytest.mark.parametrize(("kwargs", "reason"), SEND_ERRORS)
async def test_send_message_validation(bot: Bot, kwargs: dict[str, Any], reason: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(42, parse_mode="HTML", **kwargs)
    assert reason.lower() in str(caught.value).lower()


async def test_exactly_4096_utf16_units_is_allowed(bot: Bot) -> None:
    message = await bot.send_message(42, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    assert len(message.text or "") == 4096


async def test_edit_text_and_markup_like_telegram(bot: Bot, fake_telegram: FakeTelegram) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Volg", callback_data="volg:UA")]])
    sent = await bot.send_message(42, "<b>Menu</b>", parse_mode="HTML", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<b>Menu</b>", 42, sent.message_id, parse_mode="HTML", reply_markup=keyboard
        )
    edited = await bot.edit_message_text("<i>Menu</i>", 42, sent.message_id, parse_mode="HTML")
    assert not isinstance(edited, bool)
    assert edited.edit_date is not None
    stored = fake_telegram.message(42, sent.message_id)
    assert stored["entities"] == [{"type": "italic", "offset": 0, "length": 4}]
    assert "reply_markup" not in stored  # an edit without markup drops the keyboard
    await bot.edit_message_reply_markup(42, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(42, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="to edit not found"):
        await bot.edit_message_text("x", 42, 999)
    user_message = fake_telegram.send_text(42, "hallo")["message"]["message_id"]
    with pytest.raises(BadRequest, match="can't be edited"):
        await bot.edit_message_text("x", 42, user_message)


async def test_button_press_reaches_bot_and_is_answered_once(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sport", callback_data="volg:sport")]])
    sent = await bot.send_message(42, "Kies", reply_markup=keyboard)
    with pytest.raises(ValueError, match="has no button"):
        fake_telegram.press_button(42, sent.message_id, "volg:cultuur")
    query_id = fake_telegram.press_button(42, sent.message_id, "volg:sport")
    (update,) = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "volg:sport"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.from_user.id == 42
    await bot.answer_callback_query(query_id, text="Gevolgd")
    assert fake_telegram.callback_answer(query_id) == {"text": "Gevolgd"}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_user_messages_carry_chat_sender_and_command_entity(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.send_text(42, "/volg@nieuwsbot_test_bot oekraine", username="anne")
    fake_telegram.send_text(-1001, "/help", user_id=7, chat_type="supergroup")
    first, second = await bot.get_updates(timeout=1)
    assert first.message is not None
    assert second.message is not None
    assert first.message.chat.type == "private"
    assert first.message.chat.id == 42
    assert first.message.from_user is not None
    assert first.message.from_user.username == "anne"
    assert first.message.entities[0].length == len("/volg@nieuwsbot_test_bot")
    assert second.message.chat.type == "supergroup"
    assert second.message.chat.title
    assert second.message.from_user is not None
    assert second.message.from_user.id == 7
    with pytest.raises(ValueError, match="private chat"):
        fake_telegram.send_text(42, "hoi", user_id=43)


async def test_long_poll_returns_update_as_soon_as_it_arrives(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    timer = threading.Timer(0.2, fake_telegram.send_text, args=(42, "hallo"))
    started = time.monotonic()
    timer.start()
    updates = await bot.get_updates(timeout=5)
    elapsed = time.monotonic() - started
    timer.join()
    assert [u.message.text for u in updates if u.message] == ["hallo"]
    assert 0.15 < elapsed < 2.0


async def test_long_poll_returns_nothing_after_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3.0


async def test_offset_confirms_updates(bot: Bot, fake_telegram: FakeTelegram) -> None:
    for text in ("een", "twee", "drie"):
        fake_telegram.send_text(42, text)
    assert [u.message.text for u in await bot.get_updates(limit=2) if u.message] == [
        "een",
        "twee",
    ]
    everything = await bot.get_updates()
    assert len(everything) == 3  # nothing confirmed yet
    after_first = await bot.get_updates(offset=everything[0].update_id + 1)
    assert [u.update_id for u in after_first] == [u.update_id for u in everything[1:]]
    latest = await bot.get_updates(offset=-1)
    assert [u.update_id for u in latest] == [everything[-1].update_id]
    assert await bot.get_updates(offset=everything[-1].update_id + 1) == ()


async def test_allowed_updates_filters_types(bot: Bot, fake_telegram: FakeTelegram) -> None:
    sent = await bot.send_message(
        42,
        "Kies",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]]),
    )
    fake_telegram.press_button(42, sent.message_id, "a")
    fake_telegram.send_text(42, "tekst")
    updates = await bot.get_updates(allowed_updates=[Update.MESSAGE])
    assert [u.message.text for u in updates if u.message] == ["tekst"]
    assert all(u.callback_query is None for u in updates)


async def test_newer_long_poll_terminates_older_one(bot: Bot, fake_telegram: FakeTelegram) -> None:
    # A second Bot plays the second instance: one Bot polls over a single connection.
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as second:
        assert await second.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await older


async def test_stop_wakes_long_polls_quickly() -> None:
    fake = FakeTelegram().start()
    async with Bot(fake.token, base_url=fake.base_url) as client:
        poll = asyncio.create_task(client.get_updates(timeout=30))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await asyncio.to_thread(fake.stop)
        assert await poll == ()
        assert time.monotonic() - started < 1.0


async def test_wrong_token_and_unknown_method(fake_telegram: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake_telegram.base_url):
            pass  # initialising calls getMe, which must already fail
    except_unauth = fake_telegram.calls[-1]
    assert except_unauth.http_status == 401
    assert except_unauth.response == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as good:
        with pytest.raises(EndPointNotFound):
            await good.do_api_request("sendTelepathy")
    assert fake_telegram.calls[-1].response == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }


async def test_get_chat_and_chat_members(bot: Bot, fake_telegram: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(777)
    fake_telegram.add_chat(-500, title="Redactie")
    fake_telegram.send_text(-500, "hoi", user_id=9)
    fake_telegram.set_admins(-500, [8], creator=7)
    chat = await bot.get_chat(-500)
    assert (chat.type, chat.title) == ("group", "Redactie")
    statuses = [(await bot.get_chat_member(-500, user)).status for user in (7, 8, 9)]
    assert statuses == ["creator", "administrator", "member"]
    assert (await bot.get_chat_member(-500, 123456)).status == "member"
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(-500, 31337)


async def test_commands_actions_and_harmless_methods(bot: Bot, fake_telegram: FakeTelegram) -> None:
    assert await bot.set_my_commands([("volg", "Volg een land"), ("stop", "Stop alles")])
    assert [c.command for c in await bot.get_my_commands()] == ["volg", "stop"]
    assert fake_telegram.commands()[0] == {"command": "volg", "description": "Volg een land"}
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Volg!", "fout")])
    assert await bot.send_chat_action(42, "typing")
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(42, "dancing")
    assert await bot.delete_webhook()
    assert await bot.close()
    assert await bot.log_out()


@IGNORE_PTB_TIMEDELTA
async def test_flood_limits_when_enforced() -> None:
    with FakeTelegram(enforce_flood_limits=True) as fake:
        async with Bot(fake.token, base_url=fake.base_url) as client:
            for number in range(3):
                await client.send_message(42, f"burst {number}")
            with pytest.raises(RetryAfter):
                await client.send_message(42, "te veel")
            assert (await client.send_message(43, "andere chat")).chat.id == 43
            assert fake.flood_429_count == 1


# ------------------------------------------------------------------------- webhooks


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: list[tuple[dict[str, str], dict[str, Any]]]
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), json.loads(body)))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


async def _eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.01)


@pytest.fixture
def webhook_receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()
    server.server_close()


async def test_webhook_delivery_with_secret_token(
    bot: Bot, fake_telegram: FakeTelegram, webhook_receiver: tuple[str, type[_Receiver]]
) -> None:
    url, receiver = webhook_receiver
    fake_telegram.send_text(42, "voor de webhook")  # pending updates move to the webhook
    assert await bot.set_webhook(url, secret_token="geheim_123")
    fake_telegram.send_text(42, "erna")
    await _eventually(lambda: len(receiver.received) >= 2)
    texts = [update["message"]["text"] for _, update in receiver.received]
    assert texts == ["voor de webhook", "erna"]
    headers = receiver.received[0][0]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "geheim_123"
    assert headers["Content-Type"] == "application/json"
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (url, 0)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    with pytest.raises(BadRequest, match="unallowed characters"):
        await bot.set_webhook(url, secret_token="niet geheim!")
    assert await bot.delete_webhook()
    fake_telegram.send_text(42, "weer polling")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["weer polling"]


async def test_failing_webhook_is_retried_and_reported(
    bot: Bot, fake_telegram: FakeTelegram, webhook_receiver: tuple[str, type[_Receiver]]
) -> None:
    url, receiver = webhook_receiver
    receiver.status = 500
    await bot.set_webhook(url)
    fake_telegram.send_text(42, "blijft hangen")
    await _eventually(lambda: len(fake_telegram.webhook_deliveries) >= 2)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message is not None
    assert "500" in info.last_error_message
    receiver.status = 200
    await _eventually(lambda: any(d.ok for d in fake_telegram.webhook_deliveries))
    assert (await bot.get_webhook_info()).pending_update_count == 0


# ------------------------------------------------------------------- raw HTTP clients


def test_keep_alive_json_and_get_requests(fake_telegram: FakeTelegram) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", fake_telegram.port, timeout=5)
    path = f"/bot{fake_telegram.token}"
    connection.request(
        "POST",
        f"{path}/sendMessage",
        json.dumps({"chat_id": "-100200", "text": "via json"}),
        {"Content-Type": "application/json"},
    )
    first = connection.getresponse()
    payload = json.loads(first.read())
    assert first.getheader("Content-Length") == str(len(json.dumps(payload, ensure_ascii=False)))
    assert payload["result"]["chat"] == {
        "id": -100200,
        "type": "supergroup",
        "title": "Testgroep 100200",
    }
    socket_before = connection.sock
    connection.request("GET", f"{path}/getme")  # method names are case-insensitive
    second = connection.getresponse()
    assert json.loads(second.read())["result"]["username"] == "nieuwsbot_test_bot"
    assert connection.sock is socket_before  # same TCP connection: keep-alive works
    connection.request("GET", f"{path}/getUpdates?timeout=0&limit=1")
    assert json.loads(connection.getresponse().read()) == {"ok": True, "result": []}
    connection.close()
    assert [c.method for c in fake_telegram.calls] == ["sendMessage", "getMe", "getUpdates"]


# ------------------------------------------------------------------------ waiting


async def test_wait_for_call_times_out_with_context(fake_telegram: FakeTelegram) -> None:
    fake_telegram.send_text(42, "niemand luistert")
    with pytest.raises(TimeoutError, match="no sendMessage call for chat 42"):
        await fake_telegram.wait_for_call("sendMessage", chat_id=42, timeout=0.1)


async def test_blocking_waiter_from_another_thread(bot: Bot, fake_telegram: FakeTelegram) -> None:
    after = fake_telegram.mark()
    waiter = asyncio.create_task(
        asyncio.to_thread(fake_telegram.wait_for_message_blocking, 42, timeout=5, after=after)
    )
    await asyncio.sleep(0.05)
    await bot.send_message(42, "voor de console")
    view = await waiter
    assert (view["text"], view["chat_id"], view["method"]) == ("voor de console", 42, "sendMessage")


# --------------------------------------------------------------- PTB Application E2E


async def _pong(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("pong")


async def test_application_replies_pong_and_stops_fast(fake_telegram: FakeTelegram) -> None:
    app = ApplicationBuilder().token(fake_telegram.token).base_url(fake_telegram.base_url).build()
    app.add_handler(CommandHandler("ping", _pong))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        reply = await fake_telegram.send_and_wait(42, "/ping")
        assert (reply["text"], reply["chat_id"]) == ("pong", 42)
        group_reply = await fake_telegram.send_and_wait(-77, "/ping@nieuwsbot_test_bot", user_id=5)
        assert group_reply["text"] == "pong"
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
    assert time.monotonic() - started < 2.0
    assert fake_telegram.calls_of("deleteWebhook")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_application_in_webhook_mode(fake_telegram: FakeTelegram) -> None:
    app = ApplicationBuilder().token(fake_telegram.token).base_url(fake_telegram.base_url).build()
    app.add_handler(CommandHandler("ping", _pong))
    port = _free_port()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="nieuws_geheim",
        )
        reply = await fake_telegram.send_and_wait(42, "/ping")
        assert reply["text"] == "pong"
        await app.updater.stop()
        await app.stop()
    (delivery,) = fake_telegram.webhook_deliveries
    assert delivery.status == 200
    assert fake_telegram.calls_of("setWebhook")[0].params["secret_token"] == "nieuws_geheim"
