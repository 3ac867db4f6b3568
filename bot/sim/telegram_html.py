"""Telegram's HTML parse mode, checked the way TDLib parses it.

:func:`parse_telegram_html` turns markup into the plain text and message
entities Telegram would store, and raises :class:`HtmlParseError` with a
Telegram-style reason for markup the real API rejects ("can't parse
entities"). :func:`command_entities` adds the ``bot_command`` entities Telegram
attaches to a user's message. Offsets and lengths are in UTF-16 code units
(:func:`utf16_len`, from :mod:`bot.core.telegram_text`), as in the Bot API.

Stdlib and ``bot.core`` only, no state: the fake Bot API server uses it and
tests import it to check the bot's markup directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.core.telegram_text import utf16_len

__all__ = ["HtmlParseError", "command_entities", "parse_telegram_html", "utf16_len"]

JsonDict = dict[str, Any]


class HtmlParseError(ValueError):
    """Markup Telegram would reject with "can't parse entities"."""


_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_SPECIAL_RE = re.compile(r"[<&]")


def _byte_offset(markup: str, index: int) -> int:
    return len(markup[:index].encode("utf-8"))


def _decode_entity(markup: str, index: int) -> tuple[str, int] | None:
    match = _ENTITY_RE.match(markup, index)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named], match.end()
    code_point = int(decimal, 10) if decimal else int(hexadecimal, 16)
    if code_point == 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
        return None
    return chr(code_point), match.end()


def _unescape_attribute(value: str) -> str:
    # Attribute values are decoded leniently (as TDLib does); only text is strict.
    out: list[str] = []
    index = 0
    while (amp := value.find("&", index)) >= 0:
        out.append(value[index:amp])
        decoded = _decode_entity(value, amp)
        if decoded is None:
            out.append("&")
            index = amp + 1
        else:
            out.append(decoded[0])
            index = decoded[1]
    out.append(value[index:])
    return "".join(out)


@dataclass(slots=True)
class _OpenTag:
    name: str
    offset16: int
    offset_chars: int
    attributes: dict[str, str]
    language: str | None = None


class _HtmlParser:
    """Single pass over the markup, producing plain text and entities like TDLib."""

    def __init__(self, markup: str) -> None:
        self.markup = markup
        self.pieces: list[str] = []
        self.length16 = 0
        self.length_chars = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def run(self) -> tuple[str, list[JsonDict]]:
        markup, index = self.markup, 0
        while index < len(markup):
            special = _SPECIAL_RE.search(markup, index)
            stop = special.start() if special else len(markup)
            if stop > index:
                self._append(markup[index:stop])
            if special is None:
                break
            if markup[stop] == "&":
                index = self._entity(stop)
            elif markup.startswith("</", stop):
                index = self._end_tag(stop)
            else:
                index = self._start_tag(stop)
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.pieces), self.entities

    def _append(self, text: str) -> None:
        self.pieces.append(text)
        self.length16 += utf16_len(text)
        self.length_chars += len(text)

    def _error(self, what: str, index: int) -> HtmlParseError:
        return HtmlParseError(f"{what} at byte offset {_byte_offset(self.markup, index)}")

    def _entity(self, index: int) -> int:
        decoded = _decode_entity(self.markup, index)
        if decoded is None:
            # Stricter than Telegram, which keeps a stray "&" literally: an
            # unescaped "&" in our output is always an escaping bug.
            raise HtmlParseError(
                f'Unescaped "&" at byte offset {_byte_offset(self.markup, index)}: '
                "write &amp;, &lt;, &gt;, &quot; or &#N;"
            )
        self._append(decoded[0])
        return decoded[1]

    def _skip_space(self, index: int) -> int:
        markup = self.markup
        while index < len(markup) and markup[index].isspace():
            index += 1
        return index

    def _read_name(self, index: int, stops: str) -> int:
        markup = self.markup
        while index < len(markup) and not markup[index].isspace() and markup[index] not in stops:
            index += 1
        return index

    def _start_tag(self, begin: int) -> int:
        markup = self.markup
        name_end = self._read_name(begin + 1, ">")
        name = markup[begin + 1 : name_end].lower()
        if name not in _TAG_ENTITY_TYPES:
            if name_end >= len(markup):
                raise self._error("Unclosed start tag", begin)
            raise self._error(f'Unsupported start tag "{name}"', begin)
        attributes: dict[str, str] = {}
        index = name_end
        while True:
            index = self._skip_space(index)
            if index >= len(markup):
                raise self._error("Unclosed start tag", begin)
            if markup[index] == ">":
                index += 1
                break
            attr_end = self._read_name(index, "=>")
            attr_name = markup[index:attr_end].lower()
            if not attr_name:
                raise self._error(f'Empty attribute name in the tag "{name}"', begin)
            index, value = self._attribute_value(self._skip_space(attr_end), begin)
            attributes[attr_name] = value
        self._check_attributes(name, attributes, begin)
        self.stack.append(_OpenTag(name, self.length16, self.length_chars, attributes))
        return index

    def _attribute_value(self, index: int, begin: int) -> tuple[int, str]:
        markup = self.markup
        if index >= len(markup) or markup[index] != "=":
            return index, ""
        index = self._skip_space(index + 1)
        if index >= len(markup):
            raise self._error("Unclosed start tag", begin)
        quote = markup[index]
        if quote in "\"'":
            close = markup.find(quote, index + 1)
            if close < 0:
                raise self._error("Unclosed start tag", begin)
            return close + 1, _unescape_attribute(markup[index + 1 : close])
        value_end = self._read_name(index, ">")
        return value_end, _unescape_attribute(markup[index:value_end])

    def _check_attributes(self, name: str, attributes: dict[str, str], begin: int) -> None:
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self._error('Tag "span" must have class "tg-spoiler"', begin)
        if name == "tg-emoji" and not attributes.get("emoji-id"):
            raise self._error('Tag "tg-emoji" must have attribute "emoji-id"', begin)

    def _end_tag(self, begin: int) -> int:
        markup = self.markup
        name_end = self._read_name(begin + 2, ">")
        name = markup[begin + 2 : name_end].lower()
        index = self._skip_space(name_end)
        if index >= len(markup) or markup[index] != ">":
            raise self._error("Unclosed end tag", begin)
        if not self.stack:
            raise self._error("Unexpected end tag", begin)
        opened = self.stack.pop()
        if name and name != opened.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {_byte_offset(self.markup, begin)}, "
                f'expected "</{opened.name}>", found "</{name}>"'
            )
        self._close(opened)
        return index + 1

    def _close(self, opened: _OpenTag) -> None:
        language = opened.attributes.get("class", "")
        inside_pre = bool(self.stack) and self.stack[-1].name == "pre"
        if opened.name == "code" and inside_pre and language.startswith("language-"):
            # <pre><code class="language-x"> is one pre entity with a language.
            self.stack[-1].language = language.removeprefix("language-")
            return
        length = self.length16 - opened.offset16
        if length <= 0:
            return
        entity: JsonDict = {
            "type": _TAG_ENTITY_TYPES[opened.name],
            "offset": opened.offset16,
            "length": length,
        }
        if opened.name == "a":
            inner = "".join(self.pieces)[opened.offset_chars :]
            entity["url"] = opened.attributes.get("href") or inner
        elif opened.name == "pre" and opened.language:
            entity["language"] = opened.language
        elif opened.name == "blockquote" and "expandable" in opened.attributes:
            entity["type"] = "expandable_blockquote"
        elif opened.name == "tg-emoji":
            entity["custom_emoji_id"] = opened.attributes["emoji-id"]
        self.entities.append(entity)


def parse_telegram_html(markup: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram's HTML parse mode into plain text and message entities.

    Raises :class:`HtmlParseError` with a Telegram-style reason (byte offsets,
    tag names) for unknown, unclosed or mismatched tags and for ``<`` or ``&``
    that are not escaped.
    """
    return _HtmlParser(markup).run()


_COMMAND_RE = re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_])")


def command_entities(text: str) -> list[JsonDict]:
    """``bot_command`` entities as Telegram attaches them to a user's message."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in _COMMAND_RE.finditer(text)
    ]
