"""/volg, /ontvolg and /mijn through the real Application against the fake Bot API."""

from __future__ import annotations

from pathlib import Path

from bot.core.model import FollowKey, FollowKind
from bot.sim.telegram import FakeTelegram
from bot.store import MAX_FOLLOWS
from tests.chat_harness import PRIVATE, buttons, payloads, running_bot


async def test_follow_country_confirms_what_was_understood(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/volg oekraine")
        assert answer["text"] == "✅ Je volgt nu: Oekraïne (land)"
        assert bot.follows(PRIVATE) == {"country:UA"}
        record = bot.chat(PRIVATE)
        assert record is not None
        assert record.chat_type == "private"


async def test_follow_several_with_quoted_phrase(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, '/volg sport, "Mark Rutte", verenigde staten')
        assert answer["text"] == (
            "✅ Je volgt nu: Sport (rubriek), Mark Rutte (trefwoord), Verenigde Staten (land)"
        )
        assert bot.follows(PRIVATE) == {"section:sport", "keyword:mark rutte", "country:US"}

        again = await bot.say(PRIVATE, "/volg Sport")
        assert again["text"] == "Je volgde al: Sport (rubriek)"


async def test_quoted_country_name_is_a_keyword(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, '/volg "Oekraïne"')
        assert "(trefwoord)" in answer["text"]
        assert bot.follows(PRIVATE) == {"keyword:oekraine"}


async def test_follow_without_argument_offers_a_keyboard(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/volg")
        assert "Wat wil je volgen?" in answer["text"]
        data = buttons(answer)["Economie"]
        edited = await bot.press(PRIVATE, answer["message_id"], data)
        assert "✓ Economie" in buttons(edited)
        assert bot.follows(PRIVATE) == {"section:economie"}


async def test_misspelling_gets_suggestion_buttons(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/volg oekrane")
        assert "Bedoel je" in answer["text"]
        options = buttons(answer)
        assert "Oekraïne (land)" in options
        assert "🔎 Volg „oekrane” als trefwoord" in options
        assert bot.follows(PRIVATE) == set()

        done = await bot.press(PRIVATE, answer["message_id"], options["Oekraïne (land)"])
        assert done["method"] == "editMessageText"
        assert done["text"] == "✅ Je volgt nu: Oekraïne (land)"
        assert done["reply_markup"] is None
        assert bot.follows(PRIVATE) == {"country:UA"}


async def test_ambiguous_word_asks_which_one(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        answer = await bot.say(PRIVATE, "/volg georgia")
        assert answer["text"].startswith("Wat bedoel je met „georgia”: Georgië (land)")
        options = buttons(answer)
        assert payloads(answer)["Georgië (land)"] == "f:c:GE"
        await bot.press(PRIVATE, answer["message_id"], options["🔎 Volg „georgia” als trefwoord"])
        assert bot.follows(PRIVATE) == {"keyword:georgia"}


async def test_clear_and_unclear_terms_in_one_command(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        confirmed, question = await bot.say_all(PRIVATE, "/volg sport, oekrane", 2)
        assert confirmed["text"] == "✅ Je volgt nu: Sport (rubriek)"
        assert "Oekraïne (land)" in buttons(question)
        assert bot.follows(PRIVATE) == {"section:sport"}


async def test_stop_words_and_empty_terms_are_refused_clearly(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        stop_word = await bot.say(PRIVATE, "/volg de")
        assert "„de” kan ik niet volgen" in stop_word["text"]
        empty = await bot.say(PRIVATE, '/volg ""')
        assert "Je gaf niets op om te volgen" in empty["text"]
        too_long = await bot.say(PRIVATE, "/volg " + "stikstof " * 6)
        assert "hoogstens 40 tekens" in too_long["text"]
        assert bot.chat(PRIVATE) is None


async def test_follow_limit_is_explained(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.store.ensure_chat(PRIVATE, "private")
        fillers = [FollowKey(FollowKind.KEYWORD, f"onderwerp{n}") for n in range(MAX_FOLLOWS - 1)]
        await bot.store.add_follows(PRIVATE, fillers)

        partial = await bot.say(PRIVATE, "/volg sport, tech")
        assert "✅ Je volgt nu: Sport (rubriek)" in partial["text"]
        assert "Niet gevolgd, want je zit aan het maximum van 50: Tech" in partial["text"]
        assert len(bot.follows(PRIVATE)) == MAX_FOLLOWS

        full = await bot.say(PRIVATE, "/volg cultuur")
        assert "maximum van 50" in full["text"]
        assert "/ontvolg" in full["text"]
        assert "section:cultuur" not in bot.follows(PRIVATE)

        mine = await bot.say(PRIVATE, "/mijn")
        assert "(50 van 50)" in mine["text"]


async def test_unfollow_by_name_and_unknown(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        nothing = await bot.say(PRIVATE, "/ontvolg sport")
        assert "Je volgt nog niets" in nothing["text"]

        await bot.say(PRIVATE, '/volg oekraine, sport, "Mark Rutte"')
        answer = await bot.say(PRIVATE, "/ontvolg Oekraïne, mark rutte, japan")
        assert "Je volgt niet meer: Oekraïne (land), Mark Rutte (trefwoord)" in answer["text"]
        assert "Je volgde „japan” niet" in answer["text"]
        assert bot.follows(PRIVATE) == {"section:sport"}


async def test_unfollow_keyboard_removes_follows_one_by_one(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.say(PRIVATE, "/volg oekraine, sport")
        answer = await bot.say(PRIVATE, "/ontvolg")
        assert answer["text"] == "Tik op wat je niet meer wilt volgen:"
        options = buttons(answer)
        assert set(options) == {"✖ Oekraïne", "✖ Sport"}

        first = await bot.press(PRIVATE, answer["message_id"], options["✖ Sport"])
        assert set(buttons(first)) == {"✖ Oekraïne"}
        assert bot.follows(PRIVATE) == {"country:UA"}

        last = await bot.press(PRIVATE, answer["message_id"], options["✖ Oekraïne"])
        assert last["text"] == "Je volgt niets meer. Met /volg begin je opnieuw."
        assert bot.follows(PRIVATE) == set()


async def test_unfollow_all_needs_confirmation(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        await bot.say(PRIVATE, "/volg oekraine, sport, tech")
        ask = await bot.say(PRIVATE, "/ontvolg alles")
        assert "Weet je zeker" in ask["text"]
        assert payloads(ask) == {"Ja, ontvolg alles": "ua:y", "Nee, laat maar": "ua:n"}

        cancelled = await bot.press(PRIVATE, ask["message_id"], buttons(ask)["Nee, laat maar"])
        assert cancelled["text"] == "Oké, er is niets veranderd."
        assert len(bot.follows(PRIVATE)) == 3

        ask = await bot.say(PRIVATE, "/ontvolg alles")
        done = await bot.press(PRIVATE, ask["message_id"], buttons(ask)["Ja, ontvolg alles"])
        assert done["text"] == "Je volgt niets meer. Met /volg begin je opnieuw."
        assert bot.follows(PRIVATE) == set()


async def test_my_follows_grouped_by_kind_with_settings(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        empty = await bot.say(PRIVATE, "/mijn")
        assert "Je volgt nog niets" in empty["text"]
        assert "Stille uren: uit" in empty["text"]

        await bot.say(PRIVATE, '/volg oekraine, sport, "Max Verstappen", verenigde staten')
        await bot.say(PRIVATE, "/stil 23:00-07:00")
        text = (await bot.say(PRIVATE, "/mijn"))["text"]
        assert "📰 Rubrieken: Sport" in text
        assert "🌍 Landen: Oekraïne, Verenigde Staten" in text
        assert "🔎 Trefwoorden: Max Verstappen" in text
        assert "Stille uren: 23:00–07:00" in text
        assert "Dagelijkse samenvatting: uit" in text


async def test_only_ids_follows_and_settings_are_stored(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path / "data") as bot:
        await fake_telegram.send_and_wait(
            PRIVATE, "/volg oekraine", first_name="Annelies", username="annelies_nl"
        )
        await fake_telegram.send_and_wait(PRIVATE, "Geheime notitie over de buren")
        await bot.say(PRIVATE, "/stil 23:00-07:00")
    stored = "\n".join(
        path.read_text("utf-8", errors="replace")
        for path in (tmp_path / "data").rglob("*")
        if path.is_file()
    )
    assert "UA" in stored
    for private in ("Annelies", "annelies_nl", "Geheime", "buren"):
        assert private not in stored


async def test_dutch_and_english_curly_quotes_make_a_keyword_too(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake_telegram, tmp_path) as bot:
        for typed in ("„Poetin”", "“Poetin”", '"Poetin"'):
            answer = await bot.say(PRIVATE, f"/volg {typed}")
            assert answer["text"] in (
                "✅ Je volgt nu: Poetin (trefwoord)",
                "Je volgde al: Poetin (trefwoord)",
            )
        assert bot.follows(PRIVATE) == {"keyword:poetin"}
