"""Pure parts of the store: word matching, follow edits, codecs, migrations of one doc."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.model import Dateline, FollowKey, FollowKind, NewsItem
from bot.store.codec import (
    chat_from_doc,
    chat_to_doc,
    dt_to_json,
    item_from_doc,
    item_to_doc,
    outbox_from_doc,
    outbox_to_doc,
    settings_from_doc,
    settings_to_doc,
)
from bot.store.follows import (
    merged_for_migration,
    missing_keys,
    with_follows_added,
    with_follows_removed,
)
from bot.store.migrations import v1_chat_to_v2, v1_follow_to_v2
from bot.store.outbox import migrated_id
from bot.store.records import DEFAULT_SETTINGS, ChatRecord, ChatSettings, OutboxEntry
from bot.store.textindex import has_all_prefixes, has_phrase, query_words, word_text

AMS = timezone(timedelta(hours=2))
UA = FollowKey(FollowKind.COUNTRY, "UA", "Oekraïne")
SPORT = FollowKey(FollowKind.SECTION, "sport", "Sport")
POETIN = FollowKey(FollowKind.KEYWORD, "poetin", "Poetin")


# --- word matching on real NOS titles ---------------------------------------------

TITLES = {
    "spaarders": "Kabinet is bereid om kleinere spaarders en beleggers toch te ontzien",
    "afghanistan": "Opnieuw doden en gewonden in Afghanistan na Pakistaanse luchtaanvallen",
    "netanyahu": "Netanyahu: te vroeg voor conclusie dat Iran bij aanval in vliegtuig "
    "betrokken was",
    "wekdienst": "Wekdienst 1/10: • Tweede dag begrotingsdebat • Nederlands elftal speelt tegen "
    "Griekenland",
    "warner": "Laatste grote hobbel weg voor overname Warner Bros. door Paramount",
    "zzp": "Zelfstandigenwet moet zzp'ers en opdrachtgevers duidelijkheid geven",
}


@pytest.mark.parametrize(
    ("title", "phrase", "expected"),
    [
        ("afghanistan", "afghanistan", True),
        ("afghanistan", "AFGHANISTAN", True),
        ("afghanistan", "pakistan", False),  # only "Pakistaanse": whole words only
        ("afghanistan", "pakistaanse", True),
        ("netanyahu", "iran", True),
        ("netanyahu", "netanyahu", True),  # the colon after the name is not part of it
        ("wekdienst", "nederlands elftal", True),
        ("wekdienst", "elftal nederlands", False),
        ("wekdienst", "griekenland", True),
        ("warner", "warner bros", True),
        ("zzp", "zzp", True),  # "zzp'ers" splits at the apostrophe
        ("spaarders", "spaar", False),
        ("spaarders", "", False),
    ],
)
def test_has_phrase_is_whole_word_on_folded_text(title: str, phrase: str, expected: bool) -> None:
    assert has_phrase(word_text(TITLES[title]), phrase) is expected


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("Oekraïense troepen rukken op", ["oekrai"], True),
        ("Oekraïense troepen rukken op", ["Oekraïne"], False),  # "oekraine" is not a prefix
        ("Brandweer blust grote brand in Groningen", ["brand", "gron"], True),
        ("Brandweer blust grote brand in Groningen", ["brand", "utrecht"], False),
        ("Saudi-Arabië koopt wapens", ["saudi-arabie"], True),
        ("Café in Zürich", ["cafe", "zurich"], True),
    ],
)
def test_has_all_prefixes(text: str, words: list[str], expected: bool) -> None:
    assert has_all_prefixes(query_words(words), word_text(text)) is expected


def test_prefixes_may_be_spread_over_several_texts() -> None:
    head, body = word_text("Kabinet ontziet spaarders"), word_text("minister Heinen van Financiën")
    assert has_all_prefixes(("spaard", "financ"), head, body)
    assert not has_all_prefixes(("spaard", "belasting"), head, body)


# --- follow edits -----------------------------------------------------------------


def chat(*follows: FollowKey, chat_id: int = 42, active: bool = True) -> ChatRecord:
    return ChatRecord(
        chat_id=chat_id,
        chat_type="private",
        follows=follows,
        settings=DEFAULT_SETTINGS,
        active=active,
        deactivated_at=None,
        created_at=datetime(2026, 10, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("before", "adding", "after", "added"),
    [
        ((), (UA,), (UA,), (UA,)),
        ((UA,), (UA, SPORT), (UA, SPORT), (SPORT,)),
        ((UA,), (FollowKey(FollowKind.COUNTRY, "UA", "Oekraine"),), (UA,), ()),  # label ignored
        ((), (POETIN, POETIN, SPORT), (POETIN, SPORT), (POETIN, SPORT)),
    ],
)
def test_with_follows_added(
    before: tuple[FollowKey, ...],
    adding: tuple[FollowKey, ...],
    after: tuple[FollowKey, ...],
    added: tuple[FollowKey, ...],
) -> None:
    record, result = with_follows_added(chat(*before), adding)
    assert record.follows == after
    assert result == added
    assert missing_keys(chat(*before), adding) == added


@pytest.mark.parametrize(
    ("before", "removing", "after", "removed"),
    [
        ((UA, SPORT, POETIN), (SPORT,), (UA, POETIN), (SPORT,)),
        ((UA,), (POETIN,), (UA,), ()),
        ((UA, SPORT), (SPORT, UA), (), (UA, SPORT)),
    ],
)
def test_with_follows_removed(
    before: tuple[FollowKey, ...],
    removing: tuple[FollowKey, ...],
    after: tuple[FollowKey, ...],
    removed: tuple[FollowKey, ...],
) -> None:
    record, result = with_follows_removed(chat(*before), removing)
    assert (record.follows, result) == (after, removed)


def test_migration_merge_unites_follows_of_both_ids() -> None:
    old = chat(UA, SPORT, chat_id=-4001)
    assert merged_for_migration(old, None, -1004001) == ChatRecord(
        chat_id=-1004001,
        chat_type="supergroup",
        follows=(UA, SPORT),
        settings=DEFAULT_SETTINGS,
        active=True,
        deactivated_at=None,
        created_at=old.created_at,
    )
    existing = chat(POETIN, SPORT, chat_id=-1004001)
    assert merged_for_migration(old, existing, -1004001).follows == (POETIN, SPORT, UA)


# --- codecs -------------------------------------------------------------------------


def test_news_item_round_trips_with_offsets_kept() -> None:
    item = NewsItem(
        id="nos-2633258",
        feed="https://feeds.nos.nl/nosnieuwsalgemeen",
        source="NOS",
        link="https://nos.nl/l/2633258",
        title="Kabinet is bereid om kleinere spaarders en beleggers toch te ontzien",
        summary="Het minderheidskabinet is bereid de plannen te wijzigen.",
        text="Dat heeft minister Heinen van Financiën gezegd.",
        published=datetime(2026, 10, 1, 12, 52, 42, tzinfo=AMS),
        dateline=Dateline("WASHINGTON", ("ANP", "RTR")),
        sections=("binnenland", "economie"),
        countries=("NL",),
        duplicate_of=None,
        also_at=("NU.nl",),
        first_seen=datetime(2026, 10, 1, 10, 53, tzinfo=UTC),
    )
    doc = item_to_doc(item)
    assert doc["published"] == "2026-10-01T12:52:42+02:00"
    assert item_from_doc(doc) == item


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        dt_to_json(datetime(2026, 10, 1, 12, 0))


def test_chat_doc_is_small_and_round_trips() -> None:
    record = chat(UA, POETIN, chat_id=-1001234567890)
    doc = chat_to_doc(record)
    assert doc == {
        "type": "private",
        "follows": [["country:UA", "Oekraïne"], ["keyword:poetin", "Poetin"]],
        "active": True,
        "created": "2026-10-01T00:00:00+00:00",
    }
    back = chat_from_doc(-1001234567890, doc)
    assert back == record
    assert [k.label for k in back.follows] == ["Oekraïne", "Poetin"]
    assert back.settings is DEFAULT_SETTINGS


def test_chat_doc_keeps_non_default_settings_and_deactivation() -> None:
    record = ChatRecord(
        chat_id=7,
        chat_type="group",
        follows=(),
        settings=ChatSettings(quiet_start="22:00", quiet_end="07:00", summaries=False),
        active=False,
        deactivated_at=datetime(2026, 9, 20, 10, tzinfo=AMS),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        deactivation_reason="forbidden",
    )
    doc = chat_to_doc(record)
    assert doc["settings"] == {"quiet_start": "22:00", "quiet_end": "07:00", "summaries": False}
    assert chat_from_doc(7, doc) == record


def test_link_previews_are_unset_until_a_chat_chooses() -> None:
    """None follows the operator's default; a stored choice, on or off, survives."""
    assert ChatSettings().link_previews is None
    assert settings_to_doc(ChatSettings()) == {}
    for choice in (True, False):
        doc = settings_to_doc(ChatSettings(link_previews=choice))
        assert doc == {"link_previews": choice}
        assert settings_from_doc(doc).link_previews is choice
    # Documents written before the choice existed hold no key: still unset.
    assert settings_from_doc({"quiet_start": "22:00", "quiet_end": "07:00"}).link_previews is None


@pytest.mark.parametrize(
    "fields",
    [{"quiet_start": 2200}, {"link_previews": "ja"}, {"link_previews": 1}, {"summaries": None}],
)
def test_settings_reject_wrong_types(fields: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        ChatSettings(**fields)  # type: ignore[arg-type]


def test_outbox_entry_round_trips() -> None:
    entry = OutboxEntry(
        id="42:nos-1",
        chat_id=42,
        kind="push",
        payload={"item": "nos-1", "text": "Oekraïne"},
        created_at=datetime(2026, 10, 1, 12, tzinfo=UTC),
        attempts=2,
        not_before=datetime(2026, 10, 1, 12, 5, tzinfo=UTC),
    )
    assert outbox_from_doc(outbox_to_doc(entry)) == entry


@pytest.mark.parametrize(
    ("entry_id", "expected"),
    [
        ("-4001:nos-1", "-1004001:nos-1"),
        ("-40012:nos-1", "-40012:nos-1"),  # another chat whose id merely starts alike
        ("digest-2026-10-01", "digest-2026-10-01"),
    ],
)
def test_migrated_id_rewrites_only_the_chat_part(entry_id: str, expected: str) -> None:
    assert migrated_id(entry_id, -4001, -1004001) == expected


# --- v1 -> v2 document migration -------------------------------------------------------


@pytest.mark.parametrize(
    ("v1", "v2"),
    [
        ("oekraine", ["keyword:oekraine", "oekraine"]),
        ("Poetin", ["keyword:poetin", "Poetin"]),
        ("Zürich", ["keyword:zurich", "Zürich"]),
        ("country:UA", ["country:UA", ""]),
        ("section:sport", ["section:sport", ""]),
        ("tijd:12", ["keyword:tijd:12", "tijd:12"]),  # not a known kind: a keyword
        (["keyword:x", "X"], ["keyword:x", "X"]),  # already migrated
    ],
)
def test_v1_follow_to_v2(v1: object, v2: list[str]) -> None:
    assert v1_follow_to_v2(v1) == v2


def test_v1_chat_to_v2_nests_and_renames_settings() -> None:
    v1 = {
        "type": "private",
        "follows": ["oekraine"],
        "active": True,
        "created": "2025-11-03T09:14:00+00:00",
        "quiet_start": "22:00",
        "quiet_end": None,
        "digest": "08:00",
        "previews": False,
    }
    v2 = v1_chat_to_v2(v1)
    assert v2 == {
        "type": "private",
        "follows": [["keyword:oekraine", "oekraine"]],
        "active": True,
        "created": "2025-11-03T09:14:00+00:00",
        "settings": {"quiet_start": "22:00", "digest_time": "08:00"},
    }
    assert v1_chat_to_v2(v2) == v2  # idempotent: an interrupted migration may rerun
