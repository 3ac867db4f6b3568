"""A fake Telegram Bot API server on 127.0.0.1 for tests, console mode and benchmarks.

The real python-telegram-bot HTTP stack talks to it exactly as it talks to
``api.telegram.org``: point ``base_url`` at :attr:`FakeTelegram.base_url` and
every request lands here, is answered in Telegram's envelope
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ...,
"description": ..., "parameters": ...}``) and is recorded as a :class:`Call`.

The server is stdlib only: a ``ThreadingHTTPServer`` in a daemon thread,
HTTP/1.1 with keep-alive. All state sits behind one re-entrant lock; long
polling and the blocking waiters use conditions on that lock, so ``stop()``
wakes every waiter at once and shutdown is quick.

This module holds :class:`FakeTelegram` (lifecycle, Bot API methods, user
simulation, waiters, fault injection, webhook delivery) and its chat state.
The rest lives next to it, and the public names are re-exported from here:

* :mod:`bot.sim.telegram_params`: request decoding (:func:`decode_params`);
* :mod:`bot.sim.telegram_html`: Telegram's HTML subset
  (:func:`parse_telegram_html`, :func:`command_entities`, :func:`utf16_len`);
* :mod:`bot.sim.telegram_payloads`: checks on message text, inline
  keyboards and other method arguments;
* :mod:`bot.sim.telegram_errors`: :class:`ApiError`, its constructors and
  the errors injected faults produce;
* :mod:`bot.sim.telegram_records`: :class:`Call`, :class:`WebhookDelivery`
  and the views tests assert on;
* :mod:`bot.sim.telegram_http`: the HTTP server and the webhook client;
* :mod:`bot.sim.telegram_limits`: the flood limiter.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from bot.sim.telegram_channels import (
    BOT_ADMIN,
    COMMON_ADMIN_RIGHTS,
    BotStanding,
    my_chat_member_update,
    refuse_post,
    standing_json,
)
from bot.sim.telegram_errors import (
    FAULT_KINDS,
    NOT_MODIFIED,
    ApiError,
    Fault,
    FaultKind,
    bad_request,
    fault_error,
    too_many_requests,
)
from bot.sim.telegram_html import (
    HtmlParseError,
    command_entities,
    parse_telegram_html,
    utf16_len,
)
from bot.sim.telegram_http import Server, post_update
from bot.sim.telegram_inline import check_inline_answer
from bot.sim.telegram_limits import FloodLimiter, FloodPolicy
from bot.sim.telegram_params import decode_params
from bot.sim.telegram_payloads import (
    CHAT_ACTIONS,
    COMMAND_NAME_RE,
    SECRET_TOKEN_RE,
    callback_datas,
    check_reply_markup,
    render_text,
)
from bot.sim.telegram_payloads import MAX_CALLBACK_DATA_BYTES as MAX_CALLBACK_DATA_BYTES
from bot.sim.telegram_payloads import MAX_MESSAGE_UTF16 as MAX_MESSAGE_UTF16
from bot.sim.telegram_records import (
    Call,
    CallPredicate,
    WebhookDelivery,
    call_matcher,
    message_view,
    sent_view,
    succeeded,
)

__all__ = [
    "Call",
    "FakeTelegram",
    "FaultKind",
    "HtmlParseError",
    "WebhookDelivery",
    "command_entities",
    "decode_params",
    "parse_telegram_html",
    "utf16_len",
]

JsonDict = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]

# Who writes in a group chat when a test does not say.
DEFAULT_GROUP_USER_ID = 1000
# How long a "timeout" fault holds the answer when no delay is given: longer than
# any client read timeout the project uses.
DEFAULT_TIMEOUT_HOLD_S = 30.0
# Update types Telegram delivers when allowed_updates is empty or never set.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


# -------------------------------------------------------------------------- state


@dataclass(slots=True)
class _Stored:
    message: JsonDict
    from_bot: bool


@dataclass(slots=True)
class _Chat:
    info: JsonDict
    next_message_id: int = 1
    messages: dict[int, _Stored] = field(default_factory=dict)
    admins: set[int] = field(default_factory=set)
    creator: int | None = None
    # Channels only: the bot's rights there and the subscriber count.
    bot_standing: BotStanding | None = None
    member_count: int = 1


@dataclass(slots=True)
class _InlineQuery:
    user_id: int
    query: str
    offset: str
    answer: JsonDict | None = None


@dataclass(slots=True)
class _CallbackQuery:
    chat_id: int
    message_id: int
    data: str
    answer: JsonDict | None = None


def _update_type(update: JsonDict) -> str:
    return next((key for key in update if key != "update_id"), "")


def _chat_type_for(chat_id: int) -> ChatType:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _utc_now() -> datetime:
    return datetime.now(UTC)


MethodHandler = Callable[[JsonDict], Any]


class FakeTelegram:
    """An in-process Telegram Bot API server plus helpers that play the user.

    Use as a context manager (or ``start()``/``stop()``), hand :attr:`base_url`
    and :attr:`token` to python-telegram-bot, then drive conversations with
    :meth:`send_text` / :meth:`press_button` and await the bot's answers with
    :meth:`send_and_wait`, :meth:`wait_for_message` or :meth:`wait_for_call`.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",  # noqa: S107 - a fake bot's token, not a secret
        bot_id: int = 123456,
        username: str = "nieuwsbot_test_bot",
        first_name: str = "Nieuwsbot",
        enforce_flood_limits: bool = False,
        flood_policy: FloodPolicy | None = None,
        clock: Callable[[], datetime] = _utc_now,
        supports_inline_queries: bool = False,
    ) -> None:
        self._token = token
        self.supports_inline_queries = supports_inline_queries
        self.bot_id = bot_id
        self.username = username
        self.enforce_flood_limits = enforce_flood_limits
        self._clock = clock
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self._lock = threading.RLock()
        self._updates_cond = threading.Condition(self._lock)
        self._calls_cond = threading.Condition(self._lock)
        self._webhook_cond = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._calls: list[Call] = []
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, JsonDict] = {}
        self._sent: list[JsonDict] = []
        self._pending: deque[JsonDict] = deque()
        self._update_log: list[JsonDict] = []
        self._next_update_id = 1
        self._poll_generation = 0
        self._allowed_updates: list[str] = []
        self._callbacks: dict[str, _CallbackQuery] = {}
        self._inline_queries: dict[str, _InlineQuery] = {}
        self._faults: list[Fault] = []
        self._commands: dict[str, list[JsonDict]] = {}
        self._limiter = FloodLimiter(flood_policy)
        self.flood_429_count = 0
        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_queue: deque[JsonDict] = deque()
        self._webhook_deliveries: list[WebhookDelivery] = []
        self._webhook_last_error: tuple[int, str] | None = None
        self._server: Server | None = None
        self._threads: list[threading.Thread] = []
        self._methods: dict[str, tuple[str, MethodHandler]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._get_me),
                ("getUpdates", self._get_updates),
                ("sendMessage", self._send_message),
                ("editMessageText", self._edit_message_text),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("answerCallbackQuery", self._answer_callback_query),
                ("answerInlineQuery", self._answer_inline_query),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("getChat", self._get_chat),
                ("getChatMember", self._get_chat_member),
                ("getChatMemberCount", self._get_chat_member_count),
                ("sendChatAction", self._send_chat_action),
                ("close", self._harmless),
                ("logOut", self._harmless),
            )
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def token(self) -> str:
        return self._token

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url``; PTB appends ``<token>/<method>``."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeTelegram:
        if self._server is not None:
            raise RuntimeError("FakeTelegram already started")
        self._stopping.clear()
        self._server = Server(self)
        self._threads = [
            threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.01},
                name="fake-telegram-http",
                daemon=True,
            ),
            threading.Thread(target=self._webhook_loop, name="fake-telegram-webhook", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        server = self._server
        if server is None:
            return
        self._stopping.set()
        with self._lock:
            # Wake long polls, blocking waiters and the webhook worker.
            self._updates_cond.notify_all()
            self._calls_cond.notify_all()
            self._webhook_cond.notify_all()
        server.shutdown()
        server.server_close()
        server.drop_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        self._server = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ recording

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every call so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_of(self, method: str, chat_id: int | str | None = None) -> list[Call]:
        with self._lock:
            return [
                call
                for call in self._calls
                if call.method == method and (chat_id is None or call.chat_id == chat_id)
            ]

    def sent_messages(self, chat_id: int | None = None) -> list[JsonDict]:
        """Every message the bot sent successfully, as sent (text still in HTML)."""
        with self._lock:
            return [
                dict(view) for view in self._sent if chat_id is None or view["chat_id"] == chat_id
            ]

    def message(self, chat_id: int, message_id: int) -> JsonDict:
        """The current state of a stored message (after edits), as Telegram shapes it."""
        with self._lock:
            return json.loads(json.dumps(self._chats[chat_id].messages[message_id].message))  # type: ignore[no-any-return]

    def delete_by_user(self, chat_id: int, message_id: int) -> None:
        """The user deletes a message in their chat (replies to it then find nothing)."""
        with self._lock:
            del self._chats[chat_id].messages[message_id]

    @property
    def updates(self) -> list[JsonDict]:
        """Every update created so far, whether delivered by polling or webhook."""
        with self._lock:
            return list(self._update_log)

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        with self._lock:
            return list(self._webhook_deliveries)

    def callback_answer(self, query_id: str) -> JsonDict | None:
        """The bot's answerCallbackQuery parameters for a press, or None if unanswered."""
        with self._lock:
            query = self._callbacks.get(query_id)
            return dict(query.answer) if query and query.answer is not None else None

    def inline_answer(self, query_id: str) -> JsonDict | None:
        """The bot's answerInlineQuery parameters for a query, or None if unanswered."""
        with self._lock:
            query = self._inline_queries.get(query_id)
            return json.loads(json.dumps(query.answer)) if query and query.answer else None

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """The command list set with setMyCommands for a scope and language."""
        with self._lock:
            return list(self._commands.get(_commands_key(scope, language_code), []))

    # ------------------------------------------------------------- chats and users

    def add_chat(
        self,
        chat_id: int,
        *,
        chat_type: ChatType | None = None,
        title: str | None = None,
        username: str | None = None,
        first_name: str = "Test",
    ) -> JsonDict:
        """Create (or return) a chat; the type defaults from the id's sign and prefix."""
        with self._lock:
            return dict(self._ensure_chat(chat_id, chat_type, title, username, first_name).info)

    def set_admins(
        self, chat_id: int, user_ids: Iterable[int], *, creator: int | None = None
    ) -> None:
        """Make users administrators of a group chat (and one of them its creator)."""
        with self._lock:
            chat = self._ensure_chat(chat_id, None)
            chat.admins = set(user_ids)
            chat.creator = creator
            for user_id in [*chat.admins, *([creator] if creator is not None else [])]:
                if user_id != self.bot_id:
                    self._ensure_user(user_id)

    def add_channel(
        self,
        channel_id: int,
        username: str,
        *,
        title: str | None = None,
        admins: Iterable[int] = (),
        creator: int | None = None,
        bot_status: str = BOT_ADMIN,
        bot_can_post: bool = True,
        subscribers: int = 1,
    ) -> JsonDict:
        """A channel ``@username`` with its admins and the bot's rights there (no update sent)."""
        with self._lock:
            chat = self._ensure_chat(channel_id, "channel", title or f"Kanaal {username}", username)
            chat.admins = set(admins)
            chat.creator = creator
            for user_id in [*chat.admins, *([creator] if creator is not None else [])]:
                self._ensure_user(user_id)
            chat.bot_standing = BotStanding(bot_status, bot_can_post)
            chat.member_count = subscribers
            return dict(chat.info)

    def set_bot_standing(
        self, channel_id: int, status: str, *, can_post: bool = True, by_user: int | None = None
    ) -> JsonDict:
        """Change the bot's rights in a channel and send the ``my_chat_member`` update."""
        with self._lock:
            chat = self._chats[channel_id]
            old = chat.bot_standing or BotStanding()
            new = BotStanding(status, can_post)
            chat.bot_standing = new
            actor = self._ensure_user(by_user if by_user is not None else chat.creator or 1)
            update = my_chat_member_update(
                chat.info,
                actor,
                standing_json(self.bot_user, old),
                standing_json(self.bot_user, new),
                int(self._clock().timestamp()),
            )
            return self._enqueue(update)

    def post_in_channel(self, channel_id: int, text: str) -> JsonDict:
        """The channel publishes ``text`` (as the channel); the bot sees a ``channel_post``."""
        with self._lock:
            chat = self._chats[channel_id]
            fields: JsonDict = {"text": text, "sender_chat": dict(chat.info)}
            entities = command_entities(text)
            if entities:
                fields["entities"] = entities
            message = self._store(chat, {}, fields, from_bot=False)
            message.pop("from", None)
            return self._enqueue({"channel_post": message})

    def forward_channel_post(
        self, chat_id: int, channel_id: int, text: str = "Bericht uit het kanaal"
    ) -> JsonDict:
        """A user forwards one of the channel's posts into their private chat with the bot."""
        with self._lock:
            channel = self._chats[channel_id]
            origin: JsonDict = {
                "type": "channel",
                "chat": dict(channel.info),
                "message_id": max(channel.messages, default=1),
                "date": int(self._clock().timestamp()),
            }
            chat = self._ensure_chat(chat_id, None)
            sender = self._ensure_user(self._sender_id(chat, None))
            message = self._store(
                chat, sender, {"text": text, "forward_origin": origin}, from_bot=False
            )
            return self._enqueue({"message": message})

    def _ensure_chat(
        self,
        chat_id: int,
        chat_type: ChatType | None,
        title: str | None = None,
        username: str | None = None,
        first_name: str = "Test",
    ) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        kind = chat_type or _chat_type_for(chat_id)
        if (kind == "private") != (chat_id > 0):
            raise ValueError(f"chat id {chat_id} cannot be a {kind} chat")
        info: JsonDict = {"id": chat_id, "type": kind}
        if kind == "private":
            info["first_name"] = first_name
        else:
            info["title"] = title or f"Testgroep {abs(chat_id)}"
        if username:
            info["username"] = username
        chat = _Chat(info=info)
        self._chats[chat_id] = chat
        return chat

    def _ensure_user(
        self, user_id: int, first_name: str = "Test", username: str | None = None
    ) -> JsonDict:
        user = self._users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "nl"}
            self._users[user_id] = user
        if username:
            user["username"] = username
        return user

    def _resolve_chat(self, params: JsonDict, *, create: bool) -> _Chat:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            for known in self._chats.values():
                if str(known.info.get("username", "")).lower() == wanted:
                    return known
            raise bad_request("chat not found")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool) or chat_id == 0:
            raise bad_request("chat not found" if chat_id else "chat_id is empty")
        chat = self._chats.get(chat_id)
        if chat is None:
            if not create:
                raise bad_request("chat not found")
            # Lenient on purpose: subscribers restored from storage are messaged
            # without a test having to introduce every chat first.
            chat = self._ensure_chat(chat_id, None)
        return chat

    def _store(
        self, chat: _Chat, sender: JsonDict, fields: JsonDict, *, from_bot: bool
    ) -> JsonDict:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JsonDict = {
            "message_id": message_id,
            "from": dict(sender),
            "chat": dict(chat.info),
            "date": int(self._clock().timestamp()),
            **fields,
        }
        chat.messages[message_id] = _Stored(message=message, from_bot=from_bot)
        return message

    # --------------------------------------------------------------- user simulation

    def add_update(self, update: JsonDict) -> JsonDict:
        """Queue a raw update (an ``update_id`` is assigned when missing)."""
        with self._lock:
            return self._enqueue(dict(update))

    def _enqueue(self, update: JsonDict) -> JsonDict:
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._update_log.append(update)
        if self._webhook_url:
            self._webhook_queue.append(update)
            self._webhook_cond.notify_all()
        else:
            self._pending.append(update)
            self._updates_cond.notify_all()
        return update

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType | None = None,
        username: str | None = None,
        first_name: str = "Test",
    ) -> JsonDict:
        """A user writes ``text`` in a chat; returns the queued update.

        Private chats have the user's id by default; in groups the writer is
        :data:`DEFAULT_GROUP_USER_ID` unless ``user_id`` is given. Commands get
        their ``bot_command`` entities like in Telegram.
        """
        with self._lock:
            chat = self._ensure_chat(chat_id, chat_type, username=username, first_name=first_name)
            sender_id = self._sender_id(chat, user_id)
            sender = self._ensure_user(sender_id, first_name, username)
            fields: JsonDict = {"text": text}
            entities = command_entities(text)
            if entities:
                fields["entities"] = entities
            message = self._store(chat, sender, fields, from_bot=False)
            return self._enqueue({"message": message})

    send_command = send_text

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        strict: bool = True,
    ) -> str:
        """A user presses an inline button on one of the bot's messages.

        Returns the callback query id. With ``strict`` the data must belong to a
        button currently on that message, since a real user can press nothing else.
        """
        with self._lock:
            chat = self._chats.get(chat_id)
            stored = chat.messages.get(message_id) if chat else None
            if chat is None or stored is None or not stored.from_bot:
                raise ValueError(f"no bot message {message_id} in chat {chat_id}")
            buttons = callback_datas(stored.message.get("reply_markup"))
            if strict and data not in buttons:
                raise ValueError(f"message {message_id} has no button {data!r}; has {buttons}")
            sender = self._ensure_user(self._sender_id(chat, user_id))
            query_id = str(4_000_000_000_000_000_000 + self._next_update_id)
            self._callbacks[query_id] = _CallbackQuery(chat_id, message_id, data)
            self._enqueue(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": dict(sender),
                        "message": json.loads(json.dumps(stored.message)),
                        "chat_instance": str((chat_id * 2_654_435_761) % 10**19),
                        "data": data,
                    }
                }
            )
            return query_id

    def send_inline_query(
        self, user_id: int, query: str, *, offset: str = "", chat_type: str = "private"
    ) -> str:
        """A user types ``@bot query`` in some chat; returns the inline query id."""
        if user_id <= 0:
            raise ValueError("inline queries come from users")
        with self._lock:
            sender = self._ensure_user(user_id)
            query_id = str(5_000_000_000_000_000_000 + self._next_update_id)
            self._inline_queries[query_id] = _InlineQuery(user_id, query, offset)
            self._enqueue(
                {
                    "inline_query": {
                        "id": query_id,
                        "from": dict(sender),
                        "query": query,
                        "offset": offset,
                        "chat_type": chat_type,
                    }
                }
            )
            return query_id

    async def inline_and_wait(
        self,
        user_id: int,
        query: str,
        *,
        offset: str = "",
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> JsonDict:
        """Send an inline query and return the bot's successful answer's parameters."""
        after = self.mark()
        query_id = self.send_inline_query(user_id, query, offset=offset)
        call = await self.wait_for_call(
            "answerInlineQuery",
            predicate=lambda call: str(call.params.get("inline_query_id")) == query_id,
            timeout=timeout,
            after=after,
        )
        if not call.ok:
            raise AssertionError(f"answerInlineQuery failed: {call.response}")
        return dict(call.params)

    def _sender_id(self, chat: _Chat, user_id: int | None) -> int:
        chat_id = int(chat.info["id"])
        if chat.info["type"] == "private":
            if user_id is not None and user_id != chat_id:
                raise ValueError("in a private chat the user id is the chat id")
            return chat_id
        return DEFAULT_GROUP_USER_ID if user_id is None else user_id

    # ------------------------------------------------------------------- waiting

    async def wait_for_call(
        self,
        method: str | tuple[str, ...],
        *,
        chat_id: int | None = None,
        predicate: CallPredicate | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a test deadline, not an I/O timeout
        after: int | None = None,
    ) -> Call:
        """Await the first call to ``method`` (at index >= ``after``) that matches.

        Polls without blocking the event loop, so the bot under test keeps running.
        """
        matcher = call_matcher(method, chat_id, predicate)
        deadline = time.monotonic() + timeout
        index = after or 0
        while True:
            with self._lock:
                fresh = self._calls[index:]
            for call in fresh:
                if matcher(call):
                    return call
            index += len(fresh)
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(method, chat_id, timeout, after))
            await asyncio.sleep(0.01)

    def wait_for_call_blocking(
        self,
        method: str | tuple[str, ...],
        *,
        chat_id: int | None = None,
        predicate: CallPredicate | None = None,
        timeout: float = 10.0,
        after: int | None = None,
    ) -> Call:
        """Like :meth:`wait_for_call`, for threads other than the bot's event loop."""
        matcher = call_matcher(method, chat_id, predicate)
        deadline = time.monotonic() + timeout
        index = after or 0
        with self._calls_cond:
            while True:
                for call in self._calls[index:]:
                    if matcher(call):
                        return call
                index = len(self._calls)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopping.is_set():
                    raise TimeoutError(self._timeout_message(method, chat_id, timeout, after))
                self._calls_cond.wait(remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        after: int | None = None,
        methods: tuple[str, ...] = ("sendMessage", "editMessageText"),
    ) -> JsonDict:
        """Await the bot's next successful message (or edit) to ``chat_id``."""
        call = await self.wait_for_call(
            methods, chat_id=chat_id, predicate=succeeded, timeout=timeout, after=after
        )
        return message_view(call)

    def wait_for_message_blocking(
        self,
        chat_id: int,
        *,
        timeout: float = 10.0,
        after: int | None = None,
        methods: tuple[str, ...] = ("sendMessage", "editMessageText"),
    ) -> JsonDict:
        call = self.wait_for_call_blocking(
            methods, chat_id=chat_id, predicate=succeeded, timeout=timeout, after=after
        )
        return message_view(call)

    def mark(self) -> int:
        """The current number of calls: pass as ``after`` to wait for the next one."""
        with self._lock:
            return len(self._calls)

    async def send_and_wait(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType | None = None,
        username: str | None = None,
        first_name: str = "Test",
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> JsonDict:
        """Send a user message and return the bot's next message or edit in that chat."""
        after = self.mark()
        self.send_text(
            chat_id,
            text,
            user_id=user_id,
            chat_type=chat_type,
            username=username,
            first_name=first_name,
        )
        return await self.wait_for_message(chat_id, timeout=timeout, after=after)

    def send_and_wait_blocking(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType | None = None,
        timeout: float = 10.0,
    ) -> JsonDict:
        after = self.mark()
        self.send_text(chat_id, text, user_id=user_id, chat_type=chat_type)
        return self.wait_for_message_blocking(chat_id, timeout=timeout, after=after)

    async def press_and_wait(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> JsonDict:
        """Press a button and return the bot's next edit or message in that chat."""
        after = self.mark()
        self.press_button(chat_id, message_id, data, user_id=user_id)
        return await self.wait_for_message(
            chat_id,
            timeout=timeout,
            after=after,
            methods=("editMessageText", "editMessageReplyMarkup", "sendMessage"),
        )

    def _timeout_message(
        self, method: str | tuple[str, ...], chat_id: int | None, timeout: float, after: int | None
    ) -> str:
        with self._lock:
            recent = [
                f"{call.method}({call.chat_id}) -> {call.http_status}"
                for call in self._calls[(after or 0) :][-8:]
            ]
        return f"no {method} call for chat {chat_id} within {timeout}s; recent calls: {recent}"

    # ------------------------------------------------------------------- faults

    def fail(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        kind: FaultKind,
        times: int | None = 1,
        retry_after: int = 1,
        migrate_to: int | None = None,
        delay_s: float = 0.0,
        status: int = 500,
    ) -> None:
        """Make the next ``times`` calls to ``method`` (``"*"``: any) fail like Telegram.

        ``chat_id`` narrows the fault to one chat; ``times=None`` keeps it until
        :meth:`clear_faults`. ``status`` picks 500, 502, 503 or 504 for
        ``server_error``. ``slow`` answers correctly after ``delay_s``;
        ``timeout`` performs the call but holds the answer for ``delay_s``
        (default 30 s), like a reply lost to a client read timeout.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if method != "*" and method.lower() not in self._methods:
            raise ValueError(f"unknown Bot API method {method!r}")
        if status not in {500, 502, 503, 504}:
            raise ValueError("server_error status must be 500, 502, 503 or 504")
        with self._lock:
            self._faults.append(
                Fault(
                    method=method.lower(),
                    chat_id=chat_id,
                    kind=kind,
                    remaining=times,
                    retry_after=retry_after,
                    migrate_to=migrate_to,
                    delay_s=delay_s,
                    status=status,
                )
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, params: JsonDict) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, params):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # --------------------------------------------------------------- dispatching

    def handle_request(self, path: str, content_type: str, body: bytes) -> tuple[int, JsonDict]:
        """Answer one HTTP request; the HTTP layer only moves bytes."""
        at = time.monotonic()
        parts = urlsplit(path)
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)/?", parts.path)
        if match is None:
            return HTTPStatus.NOT_FOUND, {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        token, method_name = unquote(match.group(1)), unquote(match.group(2))
        try:
            params = decode_params(content_type, body, parts.query)
        except (ValueError, UnicodeDecodeError):
            params, error = {}, bad_request("can't parse request body")
            status, envelope = error.code, error.envelope()
        else:
            status, envelope = self._answer(token, method_name, params)
        entry = self._methods.get(method_name.lower())
        call = Call(entry[0] if entry else method_name, params, at, envelope, status)
        with self._lock:
            self._calls.append(call)
            self._calls_cond.notify_all()
        return status, envelope

    def _answer(self, token: str, method_name: str, params: JsonDict) -> tuple[int, JsonDict]:
        if token != self._token:
            return HTTPStatus.UNAUTHORIZED, ApiError(401, "Unauthorized").envelope()
        entry = self._methods.get(method_name.lower())
        if entry is None:
            return HTTPStatus.NOT_FOUND, ApiError(404, "Not Found: method not found").envelope()
        name, handler = entry
        fault = self._take_fault(name, params)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.delay_s)
        elif fault is not None and fault.kind != "timeout":
            error = fault_error(fault, params)
            return error.code, error.envelope()
        try:
            with self._lock:
                self._check_flood(name, params)
                result = handler(params)
        except ApiError as error:
            status, envelope = error.code, error.envelope()
        else:
            status, envelope = HTTPStatus.OK, {"ok": True, "result": result}
        if fault is not None and fault.kind == "timeout":
            self._stopping.wait(fault.delay_s or DEFAULT_TIMEOUT_HOLD_S)
        return status, envelope

    def _check_flood(self, method: str, params: JsonDict) -> None:
        chat_id = params.get("chat_id")
        if not self.enforce_flood_limits or method != "sendMessage" or not isinstance(chat_id, int):
            return
        paid = params.get("allow_paid_broadcast") is True
        wait = self._limiter.admit(chat_id, time.monotonic(), paid=paid)
        if wait is not None:
            self.flood_429_count += 1
            raise too_many_requests(wait)

    # --------------------------------------------------------------- Bot API methods

    def _harmless(self, params: JsonDict) -> bool:
        return True

    def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        limit = params.get("limit", 100)
        timeout = params.get("timeout", 0)
        limit = min(100, max(1, limit)) if isinstance(limit, int) else 100
        timeout = max(0.0, float(timeout)) if isinstance(timeout, int | float) else 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if isinstance(offset, int):
            self._confirm(offset)
        # A newer getUpdates ends an older one, as Telegram does for a second instance.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_cond.notify_all()
        deadline = time.monotonic() + timeout
        while True:
            ready = self._deliverable(limit)
            if ready or self._stopping.is_set():
                return ready
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._updates_cond.wait(remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
        elif offset > 0:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()

    def _deliverable(self, limit: int) -> list[JsonDict]:
        allowed = set(self._allowed_updates)
        kept: deque[JsonDict] = deque()
        for update in self._pending:
            kind = _update_type(update)
            # Updates the bot did not ask for are dropped, never delivered later.
            if (kind in allowed) if allowed else (kind not in _OPT_IN_UPDATE_TYPES):
                kept.append(update)
        self._pending = kept
        return list(kept)[:limit]

    def _send_message(self, params: JsonDict) -> JsonDict:
        chat = self._resolve_chat(params, create=True)
        if chat.bot_standing is not None:
            refusal = refuse_post(chat.bot_standing)
            if refusal is not None:
                raise refusal
        plain, entities = render_text(params)
        markup = check_reply_markup(params.get("reply_markup"))
        fields: JsonDict = {"text": plain}
        if entities:
            fields["entities"] = entities
        if markup is not None:
            fields["reply_markup"] = markup
        reply = self._reply_target(chat, params)
        if reply is not None:
            fields["reply_to_message"] = reply
        message = self._store(chat, self.bot_user, fields, from_bot=True)
        self._sent.append(sent_view("sendMessage", params, message))
        return message

    def _reply_target(self, chat: _Chat, params: JsonDict) -> JsonDict | None:
        reply = params.get("reply_parameters")
        target = reply.get("message_id") if isinstance(reply, dict) else None
        target = target or params.get("reply_to_message_id")
        if not isinstance(target, int):
            return None
        stored = chat.messages.get(target)
        if stored is not None:
            return dict(stored.message)
        tolerant = params.get("allow_sending_without_reply") or (
            isinstance(reply, dict) and reply.get("allow_sending_without_reply")
        )
        if tolerant:
            return None
        raise bad_request("message to be replied not found")

    def _editable(self, params: JsonDict) -> _Stored:
        chat = self._resolve_chat(params, create=False)
        message_id = params.get("message_id")
        stored = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return stored

    def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id"):
            render_text(params)
            check_reply_markup(params.get("reply_markup"))
            return True
        stored = self._editable(params)
        plain, entities = render_text(params)
        markup = check_reply_markup(params.get("reply_markup"))
        message = stored.message
        unchanged = (
            message.get("text") == plain
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        )
        if unchanged:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message["text"] = plain
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(self._clock().timestamp())
        return dict(message)

    def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id"):
            check_reply_markup(params.get("reply_markup"))
            return True
        stored = self._editable(params)
        markup = check_reply_markup(params.get("reply_markup"))
        if stored.message.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        _set_or_drop(stored.message, "reply_markup", markup)
        stored.message["edit_date"] = int(self._clock().timestamp())
        return dict(stored.message)

    def _delete_message(self, params: JsonDict) -> bool:
        chat = self._resolve_chat(params, create=False)
        if chat.messages.pop(params.get("message_id"), None) is None:  # type: ignore[arg-type]
            raise bad_request("message to delete not found")
        return True

    def _answer_callback_query(self, params: JsonDict) -> bool:
        query = self._callbacks.get(str(params.get("callback_query_id")))
        if query is None or query.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.answer = {
            key: params[key] for key in ("text", "show_alert", "url", "cache_time") if key in params
        }
        return True

    def _answer_inline_query(self, params: JsonDict) -> bool:
        query = self._inline_queries.get(str(params.get("inline_query_id")))
        if query is None or query.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        check_inline_answer(params)
        query.answer = json.loads(json.dumps(params))
        return True

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND_NAME_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _commands_key(params.get("scope"), str(params.get("language_code", "")))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        key = _commands_key(params.get("scope"), str(params.get("language_code", "")))
        return list(self._commands.get(key, []))

    def _delete_my_commands(self, params: JsonDict) -> bool:
        key = _commands_key(params.get("scope"), str(params.get("language_code", "")))
        self._commands.pop(key, None)
        return True

    def _set_webhook(self, params: JsonDict) -> bool:
        url = str(params.get("url", ""))
        if not url:
            return self._delete_webhook(params)
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._webhook_url = url
        self._webhook_secret = str(secret) if secret is not None else None
        self._webhook_last_error = None
        # Updates nobody fetched yet now go to the webhook, in order.
        self._webhook_queue.extend(self._pending)
        self._pending.clear()
        self._updates_cond.notify_all()  # a running long poll now gets 409-free []
        self._webhook_cond.notify_all()
        return True

    def _delete_webhook(self, params: JsonDict) -> bool:
        self._webhook_url = ""
        self._webhook_secret = None
        self._pending.extendleft(reversed(self._webhook_queue))
        self._webhook_queue.clear()
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._webhook_queue or self._pending),
        }
        if self._webhook_url:
            info["max_connections"] = 40
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        if self._webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _get_chat(self, params: JsonDict) -> JsonDict:
        chat = self._resolve_chat(params, create=False)
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_chat_member(self, params: JsonDict) -> JsonDict:
        chat = self._resolve_chat(params, create=False)
        user_id = params.get("user_id")
        if user_id == self.bot_id:
            user = dict(self.bot_user)
        elif isinstance(user_id, int) and user_id in self._users:
            user = dict(self._users[user_id])
        else:
            raise bad_request("user not found")
        if chat.bot_standing is not None and user_id == self.bot_id:
            return standing_json(user, chat.bot_standing)
        if chat.info["type"] != "private" and user_id == chat.creator:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if chat.info["type"] != "private" and user_id in chat.admins:
            return {"status": "administrator", "user": user, **_ADMIN_RIGHTS}
        return {"status": "member", "user": user}

    def _get_chat_member_count(self, params: JsonDict) -> int:
        chat = self._resolve_chat(params, create=False)
        if chat.bot_standing is not None and chat.bot_standing.status != BOT_ADMIN:
            raise bad_request("member list is inaccessible")
        return chat.member_count

    def _send_chat_action(self, params: JsonDict) -> bool:
        self._resolve_chat(params, create=True)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # ------------------------------------------------------------ webhook delivery

    def _webhook_loop(self) -> None:
        backoff = 0.05
        while True:
            with self._webhook_cond:
                while not self._stopping.is_set() and not (
                    self._webhook_url and self._webhook_queue
                ):
                    self._webhook_cond.wait()
                if self._stopping.is_set():
                    return
                update, url, secret = (
                    self._webhook_queue[0],
                    self._webhook_url,
                    self._webhook_secret,
                )
            status, error = post_update(url, update, secret)
            delivery = WebhookDelivery(
                int(update["update_id"]), url, status, error, time.monotonic()
            )
            with self._lock:
                self._webhook_deliveries.append(delivery)
                if delivery.ok:
                    if self._webhook_queue and self._webhook_queue[0] is update:
                        self._webhook_queue.popleft()
                else:
                    self._webhook_last_error = (
                        int(self._clock().timestamp()),
                        error or f"Wrong response from the webhook: {status}",
                    )
            if delivery.ok:
                backoff = 0.05
            else:
                # Telegram keeps retrying a failing webhook with growing pauses.
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 1.0)


_ADMIN_RIGHTS: JsonDict = {**COMMON_ADMIN_RIGHTS, "can_pin_messages": True}


def _commands_key(scope: Any, language_code: str) -> str:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{language_code}"


def _set_or_drop(message: JsonDict, key: str, value: Any) -> None:
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value
