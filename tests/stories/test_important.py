"""``belangrijk``: a story three distinct outlets carry within the hour of its first report.

Tables over the Nunspeet reports (tests/stories/nunspeet.py), timed as they
might come in; the rule is pure, the reports are handed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.model import NewsItem
from bot.stories.important import (
    ImportantRule,
    important_stories,
    newest_important,
    reached_by,
)
from tests.stories.nunspeet import AD, ND, NOS, NRC, Report

T0 = datetime(2026, 10, 3, 19, 5, tzinfo=UTC)
STORY = "nrc-lichtjesparade"
RULE = ImportantRule(outlets=3, window=timedelta(minutes=60))


def report(source: Report, minutes: int, *, outlet: str | None = None) -> NewsItem:
    return NewsItem(
        id=f"{source.guid}@{minutes}",
        feed=source.outlet.lower(),
        source=outlet or source.outlet,
        link=source.link,
        title=source.title,
        summary=source.lead,
        text=source.lead,
        published=T0 + timedelta(minutes=minutes),
        story=STORY,
    )


@pytest.mark.parametrize(
    ("case", "reports", "reaching"),
    [
        ("one outlet", [report(NRC, 0)], None),
        ("two outlets", [report(NRC, 0), report(NOS, 20)], None),
        ("three outlets in 40 minutes", [report(NRC, 0), report(NOS, 20), report(ND, 40)], 2),
        ("the third exactly at 60 minutes", [report(NRC, 0), report(NOS, 5), report(ND, 60)], 2),
        ("the third after the hour", [report(NRC, 0), report(NOS, 20), report(ND, 61)], None),
        (
            "an outlet's update does not count twice",
            [report(NRC, 0), report(NRC, 10), report(NOS, 20)],
            None,
        ),
        (
            "outlet names are compared without case",
            [report(NRC, 0), report(NOS, 10, outlet="nos"), report(NOS, 15)],
            None,
        ),
        (
            "four outlets: reached with the third",
            [report(AD, 50), report(NRC, 0), report(ND, 30), report(NOS, 20)],
            2,
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_reached_by(case: str, reports: list[NewsItem], reaching: int | None) -> None:
    ordered = sorted(reports, key=lambda r: r.published)
    expected = None if reaching is None else ordered[reaching]
    assert reached_by(reports, RULE) == expected, case


def test_the_threshold_and_window_come_from_the_rule() -> None:
    reports = [report(NRC, 0), report(NOS, 20), report(ND, 40)]
    assert reached_by(reports, ImportantRule(outlets=2)) == reports[1]
    assert reached_by(reports, ImportantRule(outlets=4)) is None
    assert reached_by(reports, ImportantRule(window=timedelta(minutes=30))) is None


def stored(reports: Sequence[NewsItem]) -> dict[str, list[NewsItem]]:
    table: dict[str, list[NewsItem]] = {}
    for item in reports:
        table.setdefault(item.story_id, []).append(item)
    return table


def test_a_story_is_newly_important_in_the_cycle_of_its_third_outlet() -> None:
    nrc, nos, nd, ad = report(NRC, 0), report(NOS, 20), report(ND, 40), report(AD, 55)
    table = stored([nrc])
    assert important_stories([nos], lambda s: table.get(s, []), RULE) == []
    table = stored([nrc, nos])
    (found,) = important_stories([nd], lambda s: table.get(s, []), RULE)
    assert (found.story, found.newly, found.reached_by) == (STORY, True, nd)
    assert found.outlets == ("NRC", "NOS", "ND")
    assert found.reports == (nrc, nos, nd)
    # The fourth outlet: still important, but not newly.
    table = stored([nrc, nos, nd])
    (later,) = important_stories([ad], lambda s: table.get(s, []), RULE)
    assert (later.newly, later.reached_by) == (False, nd)


def test_two_outlets_in_one_cycle_can_complete_it() -> None:
    nrc, nos, nd = report(NRC, 0), report(NOS, 20), report(ND, 40)
    table = stored([nrc])
    (found,) = important_stories([nd, nos], lambda s: table.get(s, []), RULE)
    assert found.newly
    assert found.reached_by == nd


def test_refreshed_reports_replace_their_stored_copies() -> None:
    nrc, nos, nd = report(NRC, 0), report(NOS, 20), report(ND, 40)
    widened = replace(nrc, also_at=("AD",))
    table = stored([nrc, nos])
    (found,) = important_stories([nd], lambda s: table.get(s, []), RULE, refreshed=[widened])
    assert found.reports[0].also_at == ("AD",)


def test_unrelated_stories_are_not_important() -> None:
    lone = replace(report(NRC, 0), id="other", story=None)
    assert important_stories([lone], lambda s: [], RULE) == []


def test_newest_important_lists_each_important_story_once_newest_first() -> None:
    def story(name: str, *reports: NewsItem) -> list[NewsItem]:
        return [replace(r, id=f"{name}:{r.id}", story=name) for r in reports]

    big = story("big", report(NRC, 0), report(NOS, 20), report(ND, 40), report(AD, 90))
    later = story("later", report(NRC, 100), report(NOS, 110), report(ND, 120))
    small = story("small", report(NRC, 130), report(NOS, 140))
    everything = [*big, *later, *small]
    newest_first = sorted(everything, key=lambda r: r.published, reverse=True)
    looked_up: list[str] = []

    def reports_of(name: str) -> list[NewsItem]:
        looked_up.append(name)
        return [r for r in everything if r.story == name]

    found = newest_important(newest_first, reports_of, RULE, count=5)
    assert [(r.story, r.source) for r in found] == [("later", "ND"), ("big", "AD")]
    assert sorted(looked_up) == ["big", "later", "small"]  # each story judged once
    assert newest_important(newest_first, reports_of, RULE, count=1) == found[:1]
