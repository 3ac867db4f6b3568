"""Telegram HTML for pushes, digests and item lists; pure.

Everything that comes from a feed is escaped here and nowhere else. Telegram
caps a message at 4096 characters counted in UTF-16 code units *after* entity
parsing; we count the escaped HTML instead, which can only be longer, so a
message that passes here always fits. Every visible word is Dutch and comes
from :mod:`bot.texts.push`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.core.cities import display_city
from bot.core.model import FollowKey, FollowKind, NewsItem
from bot.core.telegram_text import TELEGRAM_MESSAGE_LIMIT, clip_html, utf16_len
from bot.deliver.match import Matched
from bot.tagging import country
from bot.texts import push as texts

# Caps per field, in escaped UTF-16 units, so that one item always fits with
# room for a summary, whatever a feed puts in its title or link.
TITLE_UNITS = 400
URL_UNITS = 1024  # longer links are shown unlinked rather than eat the message
NAME_UNITS = 60  # source, city, follow label, outlet
LIST_SUMMARY_UNITS = 200  # the one-line summary of /laatste and /zoek
MAX_VIA = 4
MAX_OUTLETS = 5
# A follow-up lists at most this many reports ("en N meer" for the rest).
MAX_FOLLOWUP_REPORTS = 10

# Per listed report: the story's other reports, oldest first (pushes, lists, digests).
Others = Mapping[str, Sequence[NewsItem]]

LabelFor = Callable[[FollowKey], str]

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_RE = re.compile(r"\s+")


def default_label(key: FollowKey) -> str:
    """The label the store keeps, else the bare value ("poetin", "UA")."""
    return key.label or key.value


# -- escaping and clipping -------------------------------------------------------


def _one_line(text: str) -> str:
    return _SPACE_RE.sub(" ", _CONTROL_RE.sub("", text)).strip()


def _linked_title(item: NewsItem, max_units: int = TITLE_UNITS) -> str:
    title = clip_html(_one_line(item.title) or _one_line(item.link) or texts.NO_TITLE, max_units)
    href = _safe_href(item.link)
    if href is None:
        return f"<b>{title}</b>"
    return f'<b><a href="{href}">{title}</a></b>'


def _safe_href(link: str) -> str | None:
    """The escaped link when it is an http(s) URL short enough to carry; else None."""
    link = link.strip()
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if _CONTROL_RE.search(link) or any(ch.isspace() for ch in link):
        return None
    href = html.escape(link, quote=True)
    return href if utf16_len(href) <= URL_UNITS else None


def _names(names: Sequence[str], limit: int) -> str:
    shown = [clip_html(_one_line(name), NAME_UNITS) for name in names[:limit]]
    shown = [name for name in shown if name]
    rest = len(names) - limit
    text = ", ".join(shown)
    return texts.and_others(text, rest) if rest > 0 else text


def _via(keys: Sequence[FollowKey], label_for: LabelFor) -> str:
    return _names([label_for(key) for key in keys], MAX_VIA)


def _source_line(item: NewsItem, *, now: datetime, tz: ZoneInfo, with_city: bool) -> str:
    city = ""
    if with_city and item.dateline is not None:
        city = clip_html(_one_line(display_city(item.dateline)), NAME_UNITS)
    source = clip_html(_one_line(item.source), NAME_UNITS)
    when = texts.format_time(item.published, now=now, tz=tz)
    line = " · ".join(part for part in (city, source, when) if part)
    return f"📍 {line}" if city else line


def _also_line(item: NewsItem, others: Sequence[NewsItem], *, now: datetime, tz: ZoneInfo) -> str:
    """Where else the story is: "ook bij NU.nl" (wire copies), or linked outlets.

    With other reports of the story: "ook bij: NRC · AD · ND", each outlet a
    link to its report. An outlet named twice (two reports, or the lead's own
    outlet again) carries the report's time. Empty when there is nothing else.
    """
    if not others:
        return texts.also_at(_names(item.also_at, MAX_OUTLETS)) if item.also_at else ""
    outlets = [item.source, *(other.source for other in others)]
    repeated = {name for name in outlets if outlets.count(name) > 1}
    shown: list[str] = []
    named = {item.source}
    for other in others:
        label = _one_line(other.source)
        if other.source in repeated:
            label = f"{label} {texts.format_time(other.published, now=now, tz=tz)}"
        label = clip_html(label, NAME_UNITS)
        href = _safe_href(other.link)
        shown.append(f'<a href="{href}">{label}</a>' if href else label)
        named.add(other.source)
    copies = [name for one in (item, *others) for name in one.also_at if name not in named]
    shown.extend(clip_html(_one_line(name), NAME_UNITS) for name in dict.fromkeys(copies))
    rest = len(shown) - MAX_OUTLETS
    text = texts.LIST_SEPARATOR.join(shown[:MAX_OUTLETS])
    return texts.also_at_story(texts.and_others(text, rest) if rest > 0 else text)


def _more_line(count: int, more_command: str | None) -> str:
    line = texts.more(count)
    if more_command:
        line += f" — {clip_html(_one_line(more_command), NAME_UNITS * 2)}"
    return line


# -- pushes ----------------------------------------------------------------------


def format_push(
    matched: Sequence[Matched],
    *,
    tz: ZoneInfo,
    now: datetime,
    more_command: str | None,
    max_items: int = 5,
    label_for: LabelFor = default_label,
    total: int | None = None,
    others: Others | None = None,
) -> str:
    """One push message for one chat: a single story in full, or a numbered list.

    ``more_command`` ("/laatste oekraine") follows "en N meer" when stories
    are left out. ``total`` counts stories beyond ``matched`` too (the outbox
    keeps only the newest few). ``others``: per listed report, the story's
    other reports, named and linked ("ook bij: NOS · ND"). Always <= 4096
    UTF-16 units.
    """
    if not matched:
        raise ValueError("format_push needs at least one story")
    others = others or {}
    count = max(len(matched), total or 0)
    if count == 1:
        return _format_single(matched[0], tz=tz, now=now, label_for=label_for, others=others)
    return _format_several(
        matched,
        tz=tz,
        now=now,
        more_command=more_command,
        max_items=max(1, max_items),
        label_for=label_for,
        total=count,
        others=others,
    )


def _format_single(
    matched: Matched, *, tz: ZoneInfo, now: datetime, label_for: LabelFor, others: Others
) -> str:
    item = matched.item
    head = [
        _linked_title(item),
        _source_line(item, now=now, tz=tz, with_city=True),
    ]
    notes = []
    if matched.via:
        notes.append(texts.via(_via(matched.via, label_for)))
    also = _also_line(item, others.get(item.id, ()), now=now, tz=tz)
    if also:
        notes.append(also)
    tail = [f"<i>{' · '.join(notes)}</i>"] if notes else []
    fixed = "\n".join(head + tail)
    # What is left after the fixed lines (and the two newlines around the
    # summary) goes to the summary: the one field that is shortened to fit.
    budget = TELEGRAM_MESSAGE_LIMIT - utf16_len(fixed) - 2
    summary = clip_html(_one_line(item.summary), budget)
    return "\n".join(head + ([summary] if summary else []) + tail)


def _format_several(
    matched: Sequence[Matched],
    *,
    tz: ZoneInfo,
    now: datetime,
    more_command: str | None,
    max_items: int,
    label_for: LabelFor,
    total: int,
    others: Others,
) -> str:
    shown = list(matched[:max_items])
    vias = {match.via for match in shown}
    common_via = next(iter(vias)) if len(vias) == 1 else ()
    header = texts.several_header(total)
    if common_via:
        header += " " + texts.via(_via(common_via, label_for))
    entries = []
    for number, match in enumerate(shown, start=1):
        line = _source_line(match.item, now=now, tz=tz, with_city=False)
        if not common_via and match.via:
            line += " · " + texts.via(_via(match.via, label_for))
        also = _also_line(match.item, others.get(match.item.id, ()), now=now, tz=tz)
        if also:
            line += " · " + also
        entries.append(f"{number}. {_linked_title(match.item)}\n{line}")
    return _fit_list(header, entries, total, more_command)


def _fit_list(header: str, entries: list[str], total: int, more_command: str | None) -> str:
    """Header, entries and "en N meer": entries that do not fit move into N."""
    while True:
        rest = total - len(entries)
        parts = [header, *entries] if header else list(entries)
        text = "\n\n".join(parts)
        if rest > 0:
            text += "\n\n" + _more_line(rest, more_command)
        if utf16_len(text) <= TELEGRAM_MESSAGE_LIMIT or len(entries) <= 1:
            return text
        entries = entries[:-1]


def format_followup(reports: Sequence[NewsItem], *, tz: ZoneInfo, now: datetime) -> str:
    """A story's silent follow-up: "Meer over dit verhaal:" and per report its outlet,
    headline (linked) and time. Always <= 4096 UTF-16 units; reports that do not
    fit are counted ("en N meer").
    """
    if not reports:
        raise ValueError("format_followup needs at least one report")
    lines = [
        texts.followup_line(
            clip_html(_one_line(report.source), NAME_UNITS),
            _linked_title(report),
            texts.format_time(report.published, now=now, tz=tz),
        )
        for report in reports[:MAX_FOLLOWUP_REPORTS]
    ]
    rest = len(reports) - len(lines)
    while True:
        body = "\n".join(lines)
        if rest > 0:
            body += "\n" + texts.more(rest)
        text = f"{texts.FOLLOWUP_HEADER}\n{body}"
        if utf16_len(text) <= TELEGRAM_MESSAGE_LIMIT or len(lines) <= 1:
            return text
        lines.pop()
        rest += 1


def laatste_command(key: FollowKey) -> str:
    """The /laatste command that shows more of one follow."""
    if key.kind is FollowKind.COUNTRY:
        return f"/laatste {country(key.value).slug}"
    if key.kind is FollowKind.KEYWORD:
        return f'/laatste "{key.label or key.value}"'
    return f"/laatste {key.value}"


def format_away_line(count: int, label: str, command: str | None) -> str:
    """ "Terwijl je weg was: 14 berichten over Oekraïne — /laatste oekraine"."""
    line = texts.away_line(count, clip_html(_one_line(label), NAME_UNITS))
    if command:
        line += f" — {clip_html(_one_line(command), NAME_UNITS * 2)}"
    return line


# -- lists and digest ------------------------------------------------------------


def format_item_list(
    items: Sequence[NewsItem],
    *,
    tz: ZoneInfo,
    now: datetime,
    with_summary: bool,
    numbered: bool = True,
    more_command: str | None = None,
    others: Others | None = None,
) -> str:
    """The body of a /laatste or /zoek reply: title, source and time per item.

    ``others``: per listed item, the other reports of its story ("ook bij:
    NRC · AD · ND", linked). Items that do not fit in one message are counted
    in "en N meer".
    """
    if not items:
        raise ValueError("format_item_list needs at least one item")
    others = others or {}
    entries = []
    for number, item in enumerate(items, start=1):
        prefix = f"{number}. " if numbered else "• "
        line = _source_line(item, now=now, tz=tz, with_city=False)
        if others.get(item.id):
            line += " · " + _also_line(item, others[item.id], now=now, tz=tz)
        entry = f"{prefix}{_linked_title(item)}\n{line}"
        summary = clip_html(_one_line(item.summary), LIST_SUMMARY_UNITS) if with_summary else ""
        entries.append(f"{entry}\n{summary}" if summary else entry)
    return _fit_list("", entries, len(items), more_command)


def group_by_follow(
    matched: Sequence[Matched], label_for: LabelFor = default_label
) -> dict[str, list[Matched]]:
    """Stories per follow label, each story once: under the first key it came via."""
    groups: dict[str, list[Matched]] = {}
    for match in matched:
        label = label_for(match.via[0]) if match.via else ""
        groups.setdefault(label, []).append(match)
    return groups


def format_digest(
    groups: Mapping[str, Sequence[Matched]],
    *,
    tz: ZoneInfo,
    now: datetime,
    per_group: int = 5,
    more_commands: Mapping[str, str] | None = None,
    others: Others | None = None,
) -> str:
    """The daily digest: a header, then per follow label its newest stories.

    Stories are added to groups in turns until the message is full; whatever
    does not fit is counted per group ("en 7 meer — /laatste oekraine"), and
    groups that get no room at all in one closing line.
    """
    commands = more_commands or {}
    others = others or {}
    filled = {label: list(stories) for label, stories in groups.items() if stories}
    header = texts.DIGEST_HEADER
    if not filled:
        return f"{header}\n\n{texts.DIGEST_NOTHING}"
    entries = {
        label: [
            f"{number}. {_linked_title(match.item)} · "
            f"{_source_line(match.item, now=now, tz=tz, with_city=False)}"
            + _with_also(match.item, others, now=now, tz=tz)
            for number, match in enumerate(stories[:per_group], start=1)
        ]
        for label, stories in filled.items()
    }

    def render(counts: Mapping[str, int]) -> str:
        blocks = [header]
        for label, count in counts.items():
            stories = filled[label]
            title = f"<b>{clip_html(_one_line(label), NAME_UNITS)}</b> ({len(stories)})"
            lines = [title, *entries[label][:count]]
            if len(stories) > count:
                lines.append(_more_line(len(stories) - count, commands.get(label)))
            blocks.append("\n".join(lines))
        left_out = [label for label in filled if label not in counts]
        if left_out:
            stories_left = sum(len(filled[label]) for label in left_out)
            blocks.append(texts.digest_left_out(len(left_out), stories_left))
        return "\n\n".join(blocks)

    # Groups that do not fit with one story each are dropped from the end;
    # then each remaining group gets one more story, in turns, while it fits.
    counts = dict.fromkeys(filled, 1)
    while len(counts) > 1 and utf16_len(render(counts)) > TELEGRAM_MESSAGE_LIMIT:
        del counts[list(counts)[-1]]
    growing = True
    while growing:
        growing = False
        for label, count in counts.items():
            if count >= len(entries[label]):
                continue
            trial = {**counts, label: count + 1}
            if utf16_len(render(trial)) <= TELEGRAM_MESSAGE_LIMIT:
                counts = trial
                growing = True
    return render(counts)


def _with_also(item: NewsItem, others: Others, *, now: datetime, tz: ZoneInfo) -> str:
    """ " · ook bij: NOS · ND" after a digest line, for a story with other reports."""
    if not others.get(item.id):
        return ""
    return " · " + _also_line(item, others[item.id], now=now, tz=tz)


# -- plain text fallback ---------------------------------------------------------


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: str | None = None
        self._anchor_start = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._anchor_start = len(self.parts)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            anchor_text = "".join(self.parts[self._anchor_start :])
            if anchor_text.strip() != self._href:
                self.parts.append(f" ({self._href})")
            self._href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def to_plain_text(html_text: str) -> str:
    """Tags stripped and entities unescaped, links kept as "title (url)".

    For the re-send after Telegram rejected a message as bad HTML. Never longer
    than the HTML it came from in the cases we produce, and capped regardless.
    """
    collector = _TextCollector()
    collector.feed(html_text)
    collector.close()
    text = "".join(collector.parts)
    if utf16_len(text) > TELEGRAM_MESSAGE_LIMIT:
        text = html.unescape(clip_html(text, TELEGRAM_MESSAGE_LIMIT))
    return text
