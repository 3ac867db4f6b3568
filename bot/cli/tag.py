"""``nieuwsbot tag [--json]``: tag items read from stdin, one per line.

With ``--json`` every input line is an object ``{"title": ..., "text": ...,
"link": ...}`` (``link``, ``feed_sections`` and ``categories`` optional) whose text
may open with a wire dateline; every output line is ``{"countries": [...],
"sections": [...], "dateline": {...} | null}``, or ``{"error": ...}`` for a line
that cannot be read; processing goes on. Without ``--json`` each line is plain
text and the answer a readable line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, TextIO

from bot.core.model import Dateline
from bot.core.text import html_to_text
from bot.ingest.dateline import split_dateline
from bot.tagging import Tags, tag

EXIT_OK = 0
# A tag or an entity: enough to treat a field as HTML rather than plain text.
_LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z/!]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")


class InputError(ValueError):
    """An input line that is not a usable item."""


def run(stdin: TextIO, stdout: TextIO, *, as_json: bool) -> int:
    """Tag every line of ``stdin``; one output line per input line. Returns exit code."""
    for line in stdin:
        line = line.rstrip("\r\n")
        if as_json:
            stdout.write(json.dumps(_json_answer(line), ensure_ascii=False) + "\n")
        else:
            stdout.write(_plain_answer(line) + "\n")
        stdout.flush()
    return EXIT_OK


def _json_answer(line: str) -> dict[str, Any]:
    try:
        item = _parse(line)
    except InputError as exc:
        return {"error": str(exc)}
    try:
        return _tag_item(item)
    except Exception as exc:
        # One line nobody foresaw must not end the run: the next lines still count.
        return {"error": f"cannot tag this item: {type(exc).__name__}"}


def _tag_item(item: dict[str, Any]) -> dict[str, Any]:
    dateline, text = split_dateline(as_plain_text(item["text"]))
    tags = tag(
        as_plain_text(item["title"]),
        text,
        link=item["link"],
        feed_sections=item["feed_sections"],
        categories=item["categories"],
        dateline=dateline,
    )
    return _tags_json(tags, dateline)


def as_plain_text(value: str) -> str:
    """Feed copy may arrive as HTML (``<p>KYIV (ANP) - …``, ``&amp;``); tag its text."""
    return html_to_text(value) if _LOOKS_LIKE_HTML.search(value) else value


def _tags_json(tags: Tags, dateline: Dateline | None) -> dict[str, Any]:
    return {
        "countries": list(tags.countries),
        "sections": list(tags.sections),
        "dateline": dateline.to_json() if dateline is not None else None,
    }


def _parse(line: str) -> dict[str, Any]:
    if not line.strip():
        raise InputError("empty line")
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(raw, dict):
        raise InputError("expected a JSON object")
    title = _optional_str(raw, "title") or ""
    text = _optional_str(raw, "text") or ""
    if not title.strip() and not text.strip():
        raise InputError("neither title nor text given")
    return {
        "title": title,
        "text": text,
        "link": _optional_str(raw, "link"),
        "feed_sections": _optional_strings(raw, "feed_sections"),
        "categories": _optional_strings(raw, "categories"),
    }


def _optional_str(raw: dict[str, Any], field: str) -> str | None:
    value = raw.get(field)
    if value is None or isinstance(value, str):
        return value
    raise InputError(f"field {field!r} must be a string")


def _optional_strings(raw: dict[str, Any], field: str) -> Sequence[str]:
    value = raw.get(field, [])
    if isinstance(value, list) and all(isinstance(entry, str) for entry in value):
        return tuple(value)
    raise InputError(f"field {field!r} must be a list of strings")


def _plain_answer(line: str) -> str:
    if not line.strip():
        return "(empty line)"
    dateline, text = split_dateline(line)
    tags = tag("", text, dateline=dateline)
    parts = [
        "countries: " + (", ".join(tags.countries) or "-"),
        "sections: " + (", ".join(tags.sections) or "-"),
    ]
    if dateline is not None:
        parts.append(f"dateline: {dateline.city}")
    return " | ".join(parts)
