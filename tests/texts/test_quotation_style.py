"""One quotation style in every Dutch text: „…” (issue 15, item 8).

Every string in ``bot/texts`` except docstrings is read as the user reads it.
Allowed: „ and ” as quotation marks, apostrophes inside words ("auto's",
"komma's", "d’Ivoire"), and anything inside ``<code>…</code>``: that is what the
user must type, and the bot parses straight quotes (``/volg "Poetin"``).
The user guide is held to the same rule outside its code spans.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.paths import ROOT

TEXTS = sorted((ROOT / "bot" / "texts").glob("*.py"))
GUIDE = ROOT / "docs" / "gebruikershandleiding.md"

_CODE_HTML_RE = re.compile(r"<code>.*?</code>", re.DOTALL)
_CODE_MD_RE = re.compile(r"`[^`]*`")
# A quotation mark of another style: straight or English double quotes, English
# single quotes, or a straight or curly apostrophe that is not inside a word.
_FOREIGN_QUOTE_RE = re.compile(r"[\"“‘]|(?<!\w)['’]|['’](?!\w)")


def foreign_quotes(text: str) -> list[str]:
    """The places in ``text`` (code spans removed) that quote in another style."""
    return [text[max(0, m.start() - 15) : m.end() + 15] for m in _FOREIGN_QUOTE_RE.finditer(text)]


def _docstring_nodes(tree: ast.Module) -> set[int]:
    nodes: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                nodes.add(id(body[0].value))
    return nodes


def user_visible_strings(path: Path) -> list[str]:
    """Every string constant of the module but its docstrings; f-strings whole."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstring_nodes(tree)
    found: list[str] = []
    parts_of_fstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            # The literal parts with a placeholder between them, read as one text.
            pieces = []
            for value in node.values:
                parts_of_fstrings.add(id(value))
                pieces.append(value.value if isinstance(value, ast.Constant) else "x")
            found.append("".join(str(p) for p in pieces))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and id(node) not in parts_of_fstrings
        ):
            found.append(node.value)
    return found


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Ik ken „oekraine” niet.", False),
        ("met komma's, auto's en d’Ivoire", False),
        ('Voorbeeld: <code>/volg "Mark Rutte"</code>', False),
        ("URL-schema 'ftp' niet ondersteund", True),
        ('Ik ken "oekraine" niet.', True),
        ("Wat bedoel je met ‘georgia’?", True),
        ("Wat bedoel je met “georgia”?", True),
        ("Rutte: ’Fouten heb ik te corrigeren’", True),
    ],
)
def test_the_rule_sees_foreign_quotes(text: str, bad: bool) -> None:
    assert bool(foreign_quotes(_CODE_HTML_RE.sub("", text))) is bad


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_every_text_quotes_dutch_style(path: Path) -> None:
    offending = [
        (text, foreign_quotes(_CODE_HTML_RE.sub("", text)))
        for text in user_visible_strings(path)
        if foreign_quotes(_CODE_HTML_RE.sub("", text))
    ]
    assert offending == []


def test_the_user_guide_quotes_dutch_style() -> None:
    offending: list[tuple[int, list[str]]] = []
    in_block = False
    for number, line in enumerate(GUIDE.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_block = not in_block
            continue
        found = [] if in_block else foreign_quotes(_CODE_MD_RE.sub("", line))
        if found:
            offending.append((number, found))
    assert offending == []
