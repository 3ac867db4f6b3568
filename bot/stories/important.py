"""``belangrijk``: stories that several outlets carry within the hour of the first report.

A story is important when at least ``outlets`` distinct outlets report it
within ``window`` of its first report (config ``news.important_outlets``,
``news.important_window_minutes``). It becomes important with one report, the
one that brings the count to the threshold; chats that follow ``belangrijk``
are pushed the story then, once, with every outlet named. Pure: the caller
hands in the reports (stored and new).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.config import NewsConfig
from bot.core.model import NewsItem


@dataclass(frozen=True, slots=True)
class ImportantRule:
    outlets: int = 3
    window: timedelta = timedelta(minutes=60)


DEFAULT_IMPORTANT = ImportantRule()


def important_rule(news: NewsConfig) -> ImportantRule:
    """The rule as configured (``news.important_outlets``, ``news.important_window_minutes``)."""
    return ImportantRule(news.important_outlets, timedelta(minutes=news.important_window_minutes))


@dataclass(frozen=True, slots=True)
class ImportantStory:
    """A story that reached the rule; ``newly``: with a report of this cycle."""

    story: str
    reports: tuple[NewsItem, ...]  # every known report, oldest first
    reached_by: NewsItem
    outlets: tuple[str, ...]  # the distinct outlets within the window, in order
    newly: bool


def _order(item: NewsItem) -> tuple[object, str]:
    return (item.published, item.id)


def outlets_within(reports: Sequence[NewsItem], rule: ImportantRule) -> list[NewsItem]:
    """The first report of each distinct outlet within the window of the first report.

    ``reports`` must be oldest first. Outlets are told apart by name, ignoring case.
    """
    if not reports:
        return []
    first = reports[0].published
    seen: set[str] = set()
    found: list[NewsItem] = []
    for report in reports:
        if report.published - first > rule.window:
            break
        outlet = report.source.casefold()
        if outlet not in seen:
            seen.add(outlet)
            found.append(report)
    return found


def reached_by(reports: Sequence[NewsItem], rule: ImportantRule) -> NewsItem | None:
    """The report with which the story reached the rule, or None if it did not (yet)."""
    distinct = outlets_within(sorted(reports, key=_order), rule)
    return distinct[rule.outlets - 1] if len(distinct) >= rule.outlets else None


def important_stories(
    new_items: Iterable[NewsItem],
    stored_reports: Callable[[str], Sequence[NewsItem]],
    rule: ImportantRule = DEFAULT_IMPORTANT,
    refreshed: Iterable[NewsItem] = (),
) -> list[ImportantStory]:
    """The stories of ``new_items`` that are important, each once, in arrival order.

    ``stored_reports(story)`` gives the reports stored before this cycle; the
    new items complete them, and ``refreshed`` replaces stored ones changed by
    this cycle (a report that gained an outlet in ``also_at``). ``newly`` is
    set when one of the new items is the report that reached the rule.
    """
    fresher = {item.id: item for item in refreshed}
    by_story: dict[str, list[NewsItem]] = {}
    for item in new_items:
        by_story.setdefault(item.story_id, []).append(item)
    found: list[ImportantStory] = []
    for story, new in by_story.items():
        known = {report.id: fresher.get(report.id, report) for report in stored_reports(story)}
        known.update((report.id, report) for report in new)
        reports = tuple(sorted(known.values(), key=_order))
        reaching = reached_by(reports, rule)
        if reaching is None:
            continue
        outlets = tuple(report.source for report in outlets_within(reports, rule))
        new_ids = {report.id for report in new}
        found.append(ImportantStory(story, reports, reaching, outlets, reaching.id in new_ids))
    return found


def newest_important(
    reports: Iterable[NewsItem],
    story_reports: Callable[[str], Sequence[NewsItem]],
    rule: ImportantRule,
    count: int,
) -> list[NewsItem]:
    """The first report (in ``reports`` order) of each important story, at most ``count``.

    ``reports`` come newest first, so the result is the newest important
    stories by their newest report; ``story_reports(story)`` gives all of a
    story's reports. Each story is judged once.
    """
    found: list[NewsItem] = []
    judged: set[str] = set()
    for report in reports:
        if len(found) >= count:
            break
        if report.story_id in judged:
            continue
        judged.add(report.story_id)
        if reached_by(story_reports(report.story_id), rule) is not None:
            found.append(report)
    return found
