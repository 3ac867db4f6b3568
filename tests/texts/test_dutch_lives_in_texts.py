"""Dutch texts live in bot/texts: the modules that used to hold them hold none again.

A guard, not a proof: it looks for string literals that read as a Dutch phrase
(two or more words, one of them a common Dutch word that English never uses).
Docstrings are skipped; so are the exceptions listed below, each with a reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The modules that build what users and admins read, around the texts.
GUARDED = sorted(
    [
        ROOT / "bot" / "deliver" / "format.py",
        ROOT / "bot" / "cli" / "console_render.py",
        ROOT / "bot" / "tagging" / "resolve.py",
        *(ROOT / "bot" / "ops").glob("*.py"),
        *(ROOT / "handlers").glob("*.py"),
    ]
)

# Common Dutch words that no English phrase, identifier or protocol string uses.
_DUTCH = re.compile(
    r"\b(?:je|jij|jouw|niet|geen|het|een|nog|meer|wat|voor|naar|bij|ook|maar|deze|en"
    r"|gisteren|berichten?|gevolgd|volgt|fout|welkom)\b"
)

# (module relative to the repository, literal): why it may stay. None needs to today.
ALLOWED: dict[tuple[str, str], str] = {}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                found.add(id(body[0].value))
    return found


def dutch_literals(path: Path) -> Iterator[str]:
    """String literals of ``path`` (f-string pieces too) that read as a Dutch phrase."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _docstrings(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in skipped:
            continue
        text = node.value.strip()
        if " " in text and _DUTCH.search(text.casefold()):
            yield node.value


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", GUARDED, ids=_relative)
def test_no_dutch_phrase_outside_bot_texts(path: Path) -> None:
    found = [
        literal for literal in dutch_literals(path) if (_relative(path), literal) not in ALLOWED
    ]
    assert found == [], f"move these to bot/texts: {found}"


@pytest.mark.parametrize("module", ["chat", "push", "admin", "topics", "console"])
def test_the_guard_recognises_the_texts_it_guards(module: str) -> None:
    # Were these texts back in a guarded module, the guard would see them.
    assert len(list(dutch_literals(ROOT / "bot" / "texts" / f"{module}.py"))) >= 1
