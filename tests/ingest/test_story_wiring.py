"""Stories through the poll cycle and ``nieuwsbot fetch``: ids are given, kept and stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.model import NewsItem
from bot.ingest.decide import assign_stories, seed_story_window
from bot.stories import StoryAssigner

T0 = datetime(2025, 12, 13, 20, 0, tzinfo=UTC)


def report(item_id: str, source: str, title: str, lead: str, minutes: int) -> NewsItem:
    at = T0 + timedelta(minutes=minutes)
    return NewsItem(
        id=item_id,
        feed=source.lower(),
        source=source,
        link=f"https://{source.lower()}.example/{item_id}",
        title=title,
        summary=lead,
        text=lead,
        published=at,
        first_seen=at,
    )


NUNSPEET = [
    report(
        "nrc-1",
        "NRC",
        "Auto rijdt in op publiek bij lichtjesparade in Nunspeet, meerdere gewonden",
        "In Nunspeet is zaterdagavond een auto ingereden op publiek bij een lichtjesparade. "
        "Daarbij zijn meerdere mensen gewond geraakt.",
        0,
    ),
    report(
        "nos-1",
        "NOS",
        "Negen gewonden nadat auto inrijdt op publiek lichtjesparade Nunspeet",
        "Bij een lichtjesparade in Nunspeet is een auto ingereden op publiek. Negen mensen "
        "raakten gewond, meldt de politie.",
        40,
    ),
]


def test_new_items_get_stories_and_stored_ones_keep_theirs() -> None:
    stories = StoryAssigner()
    first = assign_stories(NUNSPEET[:1], stories)
    assert [item.story for item in first] == ["nrc-1"]
    # A restart: the window is rebuilt from what was stored, nothing renumbered.
    restarted = StoryAssigner()
    seed_story_window(restarted, first)
    again = assign_stories([first[0], NUNSPEET[1]], restarted)
    assert again[0].story == "nrc-1"
    assert again[1].story is not None


def test_a_lone_item_is_its_own_story() -> None:
    lone = report("ad-9", "AD", "Kabinet presenteert plannen voor stikstof", "Het kabinet.", 0)
    assert assign_stories([lone], StoryAssigner())[0].story == "ad-9"
    assert lone.story_id == "ad-9"  # before assignment: its own id


def test_fetch_json_carries_the_story_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    feed = tmp_path / "een.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
        "<link>https://a.example</link><description>t</description>"
        "<item><title>Kabinet presenteert plannen voor stikstof</title>"
        "<link>https://a.example/1</link><guid>https://a.example/1</guid>"
        "<pubDate>Sat, 13 Dec 2025 20:00:00 +0000</pubDate>"
        "<description>Het kabinet presenteert plannen.</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    assert main(["fetch", "--json", str(feed)]) == 0
    items = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(items) == 1
    assert items[0]["story"] == items[0]["id"]


def _rss(outlet: str, items: list[tuple[str, str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{when}</pubDate><description>{lead}</description></item>"
        for title, link, when, lead in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{outlet}</title><link>https://{outlet}.example</link>"
        f"<description>{outlet}</description>{entries}</channel></rss>"
    )


def test_fetch_of_recorded_feeds_follows_their_own_times(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Recorded a year ago: a live blog opened at 20:00 and another outlet's report
    # at 20:40 are one story. This run's clock says nothing about when a recorded
    # feed was seen, so the live blog goes by its own time, not by today's.
    live = tmp_path / "nrc.xml"
    live.write_text(
        _rss(
            "nrc",
            [
                (
                    "LIVE | Auto rijdt in op publiek bij lichtjesparade in Nunspeet",
                    "https://nrc.example/liveblog-nunspeet",
                    "Sat, 13 Dec 2025 20:00:00 +0100",
                    "Volg hier het liveblog.",
                )
            ],
        ),
        encoding="utf-8",
    )
    report = tmp_path / "nos.xml"
    report.write_text(
        _rss(
            "nos",
            [
                (
                    "Negen gewonden nadat auto inrijdt op publiek lichtjesparade Nunspeet",
                    "https://nos.example/artikel/1",
                    "Sat, 13 Dec 2025 20:40:00 +0100",
                    "Bij een lichtjesparade in Nunspeet is een auto ingereden op publiek. "
                    "Negen mensen raakten gewond, meldt de politie.",
                )
            ],
        ),
        encoding="utf-8",
    )
    assert main(["fetch", "--json", str(live), str(report)]) == 0
    items = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(items) == 2
    assert items[0]["story"] == items[1]["story"] == items[0]["id"]
