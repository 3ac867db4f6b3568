"""bot/texts is a leaf: it imports only the standard library and bot.core, so any layer may."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

TEXTS = Path(__file__).resolve().parents[2] / "bot" / "texts"


def _imported(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def _allowed(module: str) -> bool:
    top = module.partition(".")[0]
    return (
        top in sys.stdlib_module_names
        or module == "bot.core"
        or module.startswith(("bot.core.", "bot.texts"))
    )


@pytest.mark.parametrize("path", sorted(TEXTS.glob("*.py")), ids=lambda path: path.name)
def test_texts_import_only_the_standard_library_and_core(path: Path) -> None:
    imported = _imported(path)
    assert [module for module in imported if not _allowed(module)] == []


def test_the_rule_sees_a_forbidden_import() -> None:
    assert not _allowed("bot.tagging.resolve")
    assert not _allowed("telegram")
    assert _allowed("bot.core.model")
