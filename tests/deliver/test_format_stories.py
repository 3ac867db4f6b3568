"""Formatting stories: the silent follow-up and "ook bij: NRC · AD · ND" with links.

The Nunspeet reports (tests/stories/nunspeet.py) and the hostile items of
test_format.py: everything from a feed is escaped, every message fits 4096.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.core.model import NewsItem
from bot.deliver.format import format_followup, format_item_list, format_push
from bot.deliver.match import Matched
from tests.deliver.test_format import AMS, HOSTILE, NOW, UA, assert_valid
from tests.stories.nunspeet import ND, NOS, NRC, Report


def report(source: Report, at: datetime, **changes: object) -> NewsItem:
    item = NewsItem(
        id=source.guid,
        feed=source.outlet.lower(),
        source=source.outlet,
        link=source.link,
        title=source.title,
        summary=source.lead,
        text=source.lead,
        published=at,
    )
    return replace(item, **changes)  # type: ignore[arg-type]


T = datetime(2026, 10, 1, 13, 10, tzinfo=AMS)
NRC_ITEM = report(NRC, T)
NOS_ITEM = report(NOS, T + timedelta(minutes=20))
ND_ITEM = report(ND, T + timedelta(minutes=40))


def test_a_follow_up_names_outlet_headline_link_and_time() -> None:
    text = format_followup([NOS_ITEM, ND_ITEM], tz=AMS, now=NOW)
    assert text == (
        "🧵 <b>Meer over dit verhaal:</b>\n"
        f'NOS — <b><a href="{NOS.link}">{NOS.title}</a></b> · 13:30\n'
        f'ND — <b><a href="{ND.link}">{ND.title}</a></b> · 13:50'
    )
    assert_valid(text)


def test_a_long_follow_up_is_cut_and_counted() -> None:
    many = [replace(NOS_ITEM, id=f"n{n}", title=f"{NOS.title} {n}" * 8) for n in range(25)]
    text = format_followup(many, tz=AMS, now=NOW)
    assert_valid(text)
    lines = text.split("\n")[1:]
    listed = [line for line in lines if line.startswith("NOS — ")]
    assert 1 <= len(listed) <= 10  # at most ten, fewer when they do not fit
    assert lines[-1] == f"en {25 - len(listed)} meer"


@pytest.mark.parametrize("item", HOSTILE, ids=[item.id for item in HOSTILE])
def test_hostile_reports_give_a_valid_follow_up(item: NewsItem) -> None:
    text = format_followup([item] * 12, tz=AMS, now=NOW)
    assert_valid(text)
    assert "<script" not in text


def test_a_push_links_the_storys_other_reports() -> None:
    text = format_push(
        [Matched(NRC_ITEM, (UA,))],
        tz=AMS,
        now=NOW,
        more_command=None,
        others={NRC_ITEM.id: [NOS_ITEM, ND_ITEM]},
    )
    assert text.endswith(
        f'<i>via Oekraïne · ook bij: <a href="{NOS.link}">NOS</a> · <a href="{ND.link}">ND</a></i>'
    )
    assert_valid(text)


def test_an_outlet_named_twice_carries_the_time_and_wire_copies_are_named() -> None:
    update = replace(NRC_ITEM, id="nrc-2", published=T + timedelta(minutes=55))
    nos = replace(NOS_ITEM, also_at=("AD",))
    listing = format_item_list(
        [NRC_ITEM],
        tz=AMS,
        now=NOW,
        with_summary=False,
        others={NRC_ITEM.id: [nos, update]},
    )
    assert listing.endswith(
        f'NRC · 13:10 · ook bij: <a href="{NOS.link}">NOS</a> · '
        f'<a href="{NRC.link}">NRC 14:05</a> · AD'
    )
    assert_valid(listing)


def test_hostile_outlets_and_links_in_ook_bij_are_escaped() -> None:
    others = [
        replace(item, source=item.source or "<b>Bron</b> & co", published=T) for item in HOSTILE
    ]
    text = format_push(
        [Matched(NRC_ITEM, (UA,))] * 3,
        tz=AMS,
        now=NOW,
        more_command=None,
        others={NRC_ITEM.id: others},
    )
    assert_valid(text)
    assert "javascript:" not in text
    # Five outlets are shown, the rest (and the wire copies' 50 names) counted.
    also = text.split("ook bij: ")[1].split("\n")[0]
    assert also.count(" · ") == 4
    assert also.endswith(" en 56 andere")
