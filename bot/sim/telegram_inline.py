"""Checks on ``answerInlineQuery``, with the answers Telegram gives when they fail.

Telegram allows at most 50 results per answer, result ids of 1 to 64 bytes
that are unique within the answer, a ``next_offset`` of at most 64 bytes, and
for an article a non-empty title and an ``input_message_content`` whose text
passes the same checks as a sent message (HTML parsed, at most 4096 units).
"""

from __future__ import annotations

from typing import Any

from bot.sim.telegram_errors import bad_request
from bot.sim.telegram_payloads import check_reply_markup, render_text

__all__ = ["MAX_INLINE_RESULTS", "MAX_OFFSET_BYTES", "MAX_RESULT_ID_BYTES", "check_inline_answer"]

JsonDict = dict[str, Any]

MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_OFFSET_BYTES = 64


def check_inline_answer(params: JsonDict) -> list[JsonDict]:
    """Validate the parameters of one ``answerInlineQuery``; return its results."""
    results = params.get("results")
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _check_result(result, seen)
    offset = params.get("next_offset", "")
    if not isinstance(offset, str) or len(offset.encode("utf-8")) > MAX_OFFSET_BYTES:
        raise bad_request("NEXT_OFFSET_INVALID")
    cache_time = params.get("cache_time", 300)
    if not isinstance(cache_time, int) or isinstance(cache_time, bool) or cache_time < 0:
        raise bad_request("can't parse cache_time")
    return results


def _check_result(result: Any, seen: set[str]) -> None:
    if not isinstance(result, dict):
        raise bad_request("can't parse inline query result JSON object")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= MAX_RESULT_ID_BYTES:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result.get("type") != "article":
        raise bad_request("RESULT_TYPE_INVALID")  # the project only sends articles
    title = result.get("title")
    if not isinstance(title, str) or not title.strip():
        raise bad_request("RESULT_TITLE_EMPTY")
    content = result.get("input_message_content")
    if not isinstance(content, dict):
        raise bad_request("can't parse input message content")
    render_text(
        {
            "text": content.get("message_text"),
            "parse_mode": content.get("parse_mode"),
            "entities": content.get("entities"),
        }
    )
    check_reply_markup(result.get("reply_markup"))
