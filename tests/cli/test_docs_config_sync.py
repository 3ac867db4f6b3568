"""The docs cannot drift from the code: config reference and user-guide commands.

The configuration reference in docs/operations.md is a table with one row per
key (`` `section.key` ``, or `` `feeds[].key` `` for the feed tables), its TOML
type and its default as a TOML literal in backticks (or ``required``). These
tests compare it with config.example.toml and the dataclasses of bot.config in
both directions, so a key cannot be added, renamed or re-defaulted in one
place only.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import MISSING, Field, fields, is_dataclass
from typing import Any, NamedTuple, get_args, get_origin, get_type_hints

import pytest

from bot.config import Config
from handlers.registry import COMMANDS
from tests.paths import ROOT

OPERATIONS = ROOT / "docs" / "operations.md"
USER_GUIDE = ROOT / "docs" / "gebruikershandleiding.md"
EXAMPLE = ROOT / "config.example.toml"

FEEDS = "feeds"
REQUIRED = "required"
_ROW_RE = re.compile(
    r"^\|\s*`(?P<key>[^`]+)`\s*\|\s*(?P<type>[^|]+?)\s*\|\s*(?P<default>[^|]+?)\s*\|"
)
_TYPE_NAMES = {str: "string", int: "integer", float: "float", bool: "boolean"}
_PLURALS = {str: "strings", int: "integers", float: "floats", bool: "booleans"}


class DocRow(NamedTuple):
    type: str
    default: str


class CodeKey(NamedTuple):
    type: Any
    field: Field[Any]


def doc_rows() -> dict[str, DocRow]:
    """The rows of the "Configuration reference" section, by key."""
    text = OPERATIONS.read_text(encoding="utf-8")
    match = re.search(r"^## Configuration reference\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, "docs/operations.md has no '## Configuration reference' section"
    rows: dict[str, DocRow] = {}
    for line in match.group(1).splitlines():
        row = _ROW_RE.match(line)
        if row is None or row["key"] == "key":
            continue
        assert row["key"] not in rows, f"{row['key']} is documented twice"
        rows[row["key"]] = DocRow(row["type"], row["default"])
    return rows


def code_keys() -> dict[str, CodeKey]:
    """Every configurable key: fields of the section dataclasses and of FeedConfig."""
    keys: dict[str, CodeKey] = {}
    for section in fields(Config):
        hint = get_type_hints(Config)[section.name]
        if is_dataclass(hint):
            prefix, cls = section.name, hint
        elif get_origin(hint) is tuple and is_dataclass(get_args(hint)[0]):
            prefix, cls = f"{section.name}[]", get_args(hint)[0]
        else:
            continue  # bookkeeping such as source_path and warnings, not TOML keys
        hints = get_type_hints(cls)
        for field in fields(cls):
            if field.init:
                keys[f"{prefix}.{field.name}"] = CodeKey(hints[field.name], field)
    return keys


def example_values() -> dict[str, list[Any]]:
    """Every key set in config.example.toml with the values it is given there."""
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    found: dict[str, list[Any]] = {}
    for name, value in raw.items():
        if isinstance(value, dict):
            for key, setting in value.items():
                found.setdefault(f"{name}.{key}", []).append(setting)
        elif isinstance(value, list):
            for table in value:
                for key, setting in table.items():
                    found.setdefault(f"{name}[].{key}", []).append(setting)
        else:
            found.setdefault(name, []).append(value)
    return found


def toml_value(literal: str) -> Any:
    """A default cell as a value: `` `"data"` `` -> "data", `` `[]` `` -> []."""
    quoted = re.fullmatch(r"`(.+)`", literal)
    assert quoted, f"default {literal!r} is neither `<TOML literal>` nor {REQUIRED}"
    return tomllib.loads(f"value = {quoted[1]}")["value"]


def toml_default(field: Field[Any]) -> Any:
    """A dataclass default as TOML would spell it (tuples are arrays)."""
    default = field.default
    if default is MISSING and field.default_factory is not MISSING:
        default = field.default_factory()
    return list(default) if isinstance(default, tuple) else default


def type_name(hint: Any) -> str:
    if get_origin(hint) is tuple:
        return f"array of {_PLURALS[get_args(hint)[0]]}"
    return _TYPE_NAMES[hint]


DOCS = doc_rows()
CODE = code_keys()
EXAMPLE_VALUES = example_values()


def test_the_reference_is_found_and_covers_every_section() -> None:
    sections = {key.split(".")[0] for key in DOCS}
    assert sections == {"telegram", "storage", "schedule", "fetch", "news", "push", "feeds[]"}


@pytest.mark.parametrize("key", sorted(EXAMPLE_VALUES))
def test_every_key_of_the_example_is_documented(key: str) -> None:
    assert key in DOCS, f"{key} is in config.example.toml but not in docs/operations.md"


@pytest.mark.parametrize("key", sorted(CODE))
def test_every_config_field_is_documented(key: str) -> None:
    assert key in DOCS, f"{key} is a field in bot/config.py but not in docs/operations.md"


@pytest.mark.parametrize("key", sorted(DOCS))
def test_every_documented_key_exists_in_the_code(key: str) -> None:
    assert key in CODE, f"docs/operations.md documents {key}, which bot/config.py does not know"


@pytest.mark.parametrize("key", sorted(set(DOCS) & set(CODE)))
def test_documented_type_and_default_match_the_dataclass(key: str) -> None:
    row, code = DOCS[key], CODE[key]
    assert row.type == type_name(code.type)
    has_default = code.field.default is not MISSING or code.field.default_factory is not MISSING
    if not has_default:
        assert row.default == REQUIRED
    else:
        assert toml_value(row.default) == toml_default(code.field)


@pytest.mark.parametrize(
    "key", sorted(key for key in set(DOCS) & set(EXAMPLE_VALUES) if not key.startswith("feeds[]"))
)
def test_documented_default_is_the_value_in_the_example(key: str) -> None:
    # Feed tables are examples of real feeds, not defaults; sections show defaults.
    (value,) = EXAMPLE_VALUES[key]
    assert toml_value(DOCS[key].default) == value


def test_the_example_spells_out_every_section_key() -> None:
    # The example is the template operators copy: every setting appears in it.
    missing = sorted(key for key in CODE if key not in EXAMPLE_VALUES)
    assert missing == []


@pytest.mark.parametrize("names", [names for names, _ in COMMANDS], ids=lambda n: "/".join(n))
def test_the_user_guide_explains_every_command(names: tuple[str, ...]) -> None:
    guide = USER_GUIDE.read_text(encoding="utf-8")
    headings = re.findall(r"^### (.+)$", guide, re.M)
    # One heading per command, naming all of its aliases ("/help of /hulp").
    assert any(all(f"/{name}" in heading.split() for name in names) for heading in headings)
    for name in names:
        assert re.search(rf"^/{name}\b", guide, re.M), f"no example line for /{name}"
