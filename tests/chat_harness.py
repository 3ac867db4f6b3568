"""The production Application with the chat handlers, against the fake Bot API.

``running_bot`` starts the Application ``nieuwsbot run`` starts, through the
one lifecycle (``bot.runtime.lifecycle.running``, without the JobQueue), with
its data in a temporary directory and a fixed clock, and polls the fake server.
``ChatBot.say``/``press`` play the user and check the hygiene rules on every
answer: HTML parse mode, at most 4096 characters, callback data at most 64
bytes, no error raised in any handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.config import Config, NewsConfig, StorageConfig, TelegramConfig
from bot.core.clock import ManualClock
from bot.core.model import Dateline, NewsItem
from bot.runtime.lifecycle import running
from bot.runtime.services import Services
from bot.sim.telegram import Call, FakeTelegram
from bot.store import ChatRecord, Store
from handlers.button_tokens import payload_of

# Thursday 1 October 2026, 17:00 in Amsterdam: the day the NOS fixture was taken.
NOW = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
PRIVATE = 4242
GROUP = -100_777
ADMIN = 501
MEMBER = 502

JsonDict = dict[str, Any]
# How long ``ChatBot.silence`` lets the handlers work on an update before failing.
SILENCE_TIMEOUT_S = 10.0


@dataclass
class ChatBot:
    fake: FakeTelegram
    application: Application[Any, Any, Any, Any, Any, Any]
    services: Services
    clock: ManualClock
    errors: list[BaseException] = field(default_factory=list)

    @property
    def store(self) -> Store:
        return self.services.store

    def chat(self, chat_id: int) -> ChatRecord | None:
        return self.store.get_chat(chat_id)

    def follows(self, chat_id: int) -> set[str]:
        record = self.chat(chat_id)
        return {str(key) for key in record.follows} if record is not None else set()

    async def say(self, chat_id: int, text: str, *, user_id: int | None = None) -> JsonDict:
        """Send ``text`` as a user and return the bot's answer (checked for hygiene)."""
        answer = await self.fake.send_and_wait(chat_id, text, user_id=user_id)
        check_message(answer)
        return answer

    async def say_all(
        self, chat_id: int, text: str, count: int, *, user_id: int | None = None
    ) -> list[JsonDict]:
        """Send ``text`` and collect the bot's next ``count`` messages to that chat."""
        after = self.fake.mark()
        self.fake.send_text(chat_id, text, user_id=user_id)
        deadline = time.monotonic() + 10
        while True:
            sent = [
                call
                for call in self.fake.calls[after:]
                if call.method == "sendMessage" and call.chat_id == chat_id and call.ok
            ]
            if len(sent) >= count:
                break
            assert time.monotonic() < deadline, f"only {len(sent)} of {count} answers"
            await asyncio.sleep(0.01)
        answers = [_view(call) for call in sent]
        for answer in answers:
            check_message(answer)
        return answers

    async def press(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> JsonDict:
        """Press a button on a bot message; returns the resulting edit or message."""
        answer = await self.fake.press_and_wait(chat_id, message_id, data, user_id=user_id)
        if answer["method"] != "editMessageReplyMarkup":
            check_message(answer)
        check_keyboard(answer.get("reply_markup"))
        return answer

    async def press_for_toast(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> JsonDict:
        """Press a button whose only effect is a toast; returns answerCallbackQuery's params."""
        after = self.fake.mark()
        self.fake.press_button(chat_id, message_id, data, user_id=user_id)
        call = await self.fake.wait_for_call("answerCallbackQuery", after=after)
        return call.params

    async def silence(self, chat_id: int, text: str, *, user_id: int | None = None) -> None:
        """Send ``text`` and assert the bot does not answer in that chat.

        Waiting a fixed moment would pass a slow wrong answer, and a probe
        message is no marker: with ``concurrent_updates(True)`` its answer may
        come before the first update's. Instead this waits until the handlers
        have finished with the update. The updater puts fetched updates on the
        Application's ``update_queue`` before it confirms them (the next
        getUpdates asks for offsets after them), and the Application calls
        ``task_done()`` only once an update's handlers, blocking ones and the
        error handler included, have returned; so after the confirmation,
        ``update_queue.join()`` returns exactly when anything the handlers were
        going to send has been sent. (No handler runs with ``block=False`` or
        spawns tasks; one that did would escape this wait.)
        """
        after = self.fake.mark()
        update = self.fake.send_text(chat_id, text, user_id=user_id)
        # The updater confirms an update by asking for the ones after it.
        await self.fake.wait_for_call(
            "getUpdates",
            predicate=lambda call: int(call.params.get("offset", 0)) > update["update_id"],
            after=after,
        )
        try:
            await asyncio.wait_for(self.application.update_queue.join(), SILENCE_TIMEOUT_S)
        except TimeoutError:
            raise AssertionError(
                f"handlers still busy with {text!r} after {SILENCE_TIMEOUT_S} s"
            ) from None
        sent = [
            call.params.get("text")
            for call in self.fake.calls[after:]
            if call.method == "sendMessage" and call.chat_id == chat_id
        ]
        assert sent == [], f"expected no answer, got {sent}"


def _view(call: Call) -> JsonDict:
    return {
        "method": call.method,
        "chat_id": call.chat_id,
        "message_id": call.result["message_id"],
        "text": call.params.get("text"),
        "parse_mode": call.params.get("parse_mode"),
        "reply_markup": call.params.get("reply_markup"),
        "link_preview_options": call.params.get("link_preview_options"),
    }


def check_message(answer: JsonDict) -> None:
    """The hygiene every bot message must pass (the fake already parsed its HTML)."""
    assert answer["parse_mode"] == "HTML", answer
    assert 0 < len(answer["text"]) <= 4096
    check_keyboard(answer.get("reply_markup"))


def check_keyboard(markup: Any) -> None:
    if not markup:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            assert len(button["callback_data"].encode("utf-8")) <= 64, button


def buttons(answer: JsonDict) -> dict[str, str]:
    """Button text -> callback data of an answer's inline keyboard."""
    markup = answer.get("reply_markup") or {"inline_keyboard": []}
    return {
        button["text"]: button["callback_data"]
        for row in markup["inline_keyboard"]
        for button in row
    }


def payloads(answer: JsonDict) -> dict[str, str]:
    """Button text -> callback data without its token (what the button does)."""
    return {text: payload_of(data) for text, data in buttons(answer).items()}


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeTelegram, data_dir: Path, *, items: Sequence[NewsItem] = ()
) -> AsyncIterator[ChatBot]:
    clock = ManualClock(NOW)
    config = Config(
        telegram=TelegramConfig(token=fake.token, base_url=fake.base_url),
        storage=StorageConfig(path=str(data_dir)),
        news=NewsConfig(retention_days=7),
    )
    async with running(
        config, clock, monotonic=clock.monotonic, schedule=False, poll_timeout=1
    ) as bot:
        if items:
            await bot.services.store.add_items(items)
        harness = ChatBot(fake, bot.application, bot.services, clock)

        async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert context.error is not None
            harness.errors.append(context.error)

        # Beside the production error handler, which still answers the user.
        bot.application.add_error_handler(record_error)
        yield harness
    assert harness.errors == [], f"handlers raised: {harness.errors!r}"


# --- Seed items: real titles and leads from tests/fixtures/feeds -------------------


def _item(
    item_id: str,
    title: str,
    summary: str,
    published: datetime,
    *,
    source: str = "NOS",
    link: str,
    sections: tuple[str, ...] = (),
    countries: tuple[str, ...] = (),
    dateline: Dateline | None = None,
) -> NewsItem:
    return NewsItem(
        id=item_id,
        feed=source.lower(),
        source=source,
        link=link,
        title=title,
        summary=summary,
        text=summary,
        published=published,
        dateline=dateline,
        sections=sections,
        countries=countries,
        first_seen=published,
    )


def seed_items() -> list[NewsItem]:
    """Eight stories of 30 September and 1 October 2026 (times in UTC)."""
    day = datetime(2026, 10, 1, tzinfo=UTC)
    return [
        _item(
            "nos-2633258",
            "Kabinet is bereid om kleinere spaarders en beleggers toch te ontzien",
            "Het minderheidskabinet is bereid om de plannen voor de vermogensbelasting zo te "
            "wijzigen dat kleinere spaarders en beleggers ontzien worden.",
            day + timedelta(hours=10, minutes=52),
            link="https://nos.nl/l/2633258",
            sections=("binnenland", "politiek", "economie"),
            countries=("NL",),
        ),
        _item(
            "nos-2633254",
            "Trump overweegt exportverbod diesel, 'zou heel Europa veel last van hebben'",
            "Gaat president Trump besluiten tot een verbod op export van Amerikaanse diesel om "
            "de prijzen aan de pomp in de VS te verlagen?",
            day + timedelta(hours=10, minutes=17),
            link="https://nos.nl/l/2633254",
            sections=("buitenland", "economie"),
            countries=("US",),
        ),
        _item(
            "nos-2633251",
            "Vier nieuwe doden door westnijlvirus, maar uitbraak lijkt af te vlakken",
            "De afgelopen week zijn vier mensen overleden die waren besmet met het westnijlvirus.",
            day + timedelta(hours=8, minutes=24),
            link="https://nos.nl/l/2633251",
            sections=("binnenland",),
            countries=("NL",),
        ),
        _item(
            "nos-2633239",
            "Opnieuw doden en gewonden in Afghanistan na Pakistaanse luchtaanvallen",
            "Bij Pakistaanse luchtaanvallen op buurland Afghanistan zijn zeker negen mensen "
            "gedood, onder wie vrouwen en kinderen, melden de Taliban.",
            day + timedelta(hours=8, minutes=14),
            link="https://nos.nl/l/2633239",
            sections=("buitenland",),
            countries=("AF", "PK"),
        ),
        _item(
            "omroep-1001",
            "Oekraïne vraagt om meer luchtafweer",
            "Oekraïne wil van de NAVO-landen extra luchtafweer. De kosten lopen volgens het "
            "ministerie op tot 2 miljard €.",
            day + timedelta(hours=7, minutes=15),
            source="Testomroep Zuid",
            link="https://omroep.example/nieuws/1001",
            sections=("buitenland",),
            countries=("UA",),
            dateline=Dateline("Kyiv", ("ANP",)),
        ),
        _item(
            "omroep-1002",
            "Café in Eindhoven moet ‘per direct’ dicht",
            "De burgemeester sluit het café na een reeks incidenten; de eigenaar is geërgerd.",
            day + timedelta(hours=6, minutes=40),
            source="Testomroep Zuid",
            link="https://omroep.example/nieuws/1002",
            sections=("binnenland", "regionaal"),
            countries=("NL",),
        ),
        _item(
            "tweakers-252840",
            "Framework vraagt 7659 euro voor Desktop met 192GB ram en zonder ssd",
            "",
            day + timedelta(hours=11, minutes=54),
            source="Tweakers",
            link="https://tweakers.net/nieuws/252840/framework-vraagt-7659-euro-voor-desktop"
            "-met-192gb-ram-en-zonder-ssd.html",
            sections=("tech",),
        ),
        _item(
            "nos-2633100",
            "Wekdienst 1/10: • Tweede dag begrotingsdebat • Nederlands elftal speelt tegen "
            "Griekenland",
            "Goedemorgen! In de Tweede Kamer gaat het debat over de begroting verder & het "
            "Nederlands elftal speelt tegen Griekenland <live>.",
            day - timedelta(hours=3),
            link="https://nos.nl/l/2633100",
            sections=("binnenland", "sport"),
            countries=("NL", "GR"),
        ),
    ]
