"""Imports point one way: the layering of bot/ and handlers/ as data, checked on the source.

Every ``.py`` under ``bot/`` and ``handlers/`` is parsed (never imported) and
every import in it is collected: ``import x`` and ``from x import y``, at module
level, inside functions and under ``if TYPE_CHECKING:``. TYPE_CHECKING imports
count: a type a module names is a dependency on the module that defines it,
and a cycle through annotations is still a cycle for the reader. ``from
bot.ingest import dateline`` counts as importing ``bot.ingest.dateline`` when
that is a module of its own.

The rules below are the whole policy; each carries its reason. Violations that
exist today are listed in ``KNOWN_VIOLATIONS``: the test fails when a new one
appears and also when a listed one is gone, so that list can only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.paths import ROOT

# -- the rules, as data ------------------------------------------------------

# Layers, low to high. A module may import its own package and lower layers,
# never a sibling of its own layer or anything above it.
LAYERS: dict[str, int] = {
    "bot": 0,  # the package root: __version__ and the PTB_TIMEDELTA opt-in
    "bot.core": 0,  # plain data and pure helpers every stage shares
    "bot.config": 0,  # the parsed configuration every stage reads
    "bot.texts": 1,  # the Dutch text catalogue: words only, no behaviour
    "bot.tagging": 2,  # pure tagging of text; knows no storage
    "bot.store": 2,  # persistence of the core records; knows no stage above it
    "bot.ingest": 3,  # feeds in: fetch, parse, tag, store
    "bot.stories": 2,  # pure story grouping of core items; the ingest cycle calls it
    "bot.deliver": 4,  # stories out: match, plan, format, send
    "bot.ops": 5,  # admin status and alerts read every stage below
    "handlers": 6,  # the chat commands drive the stages
    "bot.runtime": 7,  # wires handlers, stages and jobs into one Application
    "bot.cli": 8,  # the command line starts the runtime
    "bot.__main__": 9,  # ``python -m bot`` runs the command line
}
# Stages that must not import each other even though the order above would allow
# it: (importer package, imported package) -> reason.
FORBIDDEN_EDGES: dict[tuple[str, str], str] = {
    ("bot.deliver", "bot.ingest"): (
        "ingest and deliver are stages that meet in the store; what both need belongs in core"
    ),
}
# Imports across layers that are allowed on purpose: (importer package, imported module).
LAYER_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("handlers", "bot.runtime.services"): "the typed services the handlers read",
    ("handlers", "bot.runtime.context"): "the typed custom context the handlers read",
    ("bot.stories", "bot.tagging.gazetteer"): (
        "the country table (data only): a country's names and adjectives are one story term"
    ),
}
# bot/sim is a test double shipped for the console: it stands apart from the layers.
SIM = "bot.sim"
SIM_MAY_IMPORT = ("bot.core", SIM)  # a fake Bot API must not depend on the bot it fakes
SIM_IMPORTED_BY = ("bot.cli",)  # only the console starts the fakes; production never does

# Third-party packages only some modules may import: package -> (allowed prefixes, reason).
RESTRICTED_PACKAGES: dict[str, tuple[tuple[str, ...], str]] = {
    "httpx": (
        ("bot.ingest.fetch", "bot.ingest.decompress", SIM),
        "feeds are fetched in one place (bot/ingest/fetch.py and its bounded decoder); "
        "bot/sim is a test double",
    ),
    "telegram": (
        (
            "handlers",
            "bot.runtime",
            "bot.deliver.engine",
            "bot.deliver.share",
            "bot.deliver.admin_notice",
            "bot.deliver.ratelimit",
            "bot.deliver.outcome",
            "bot.ops.alerts",
            "bot.ops.online_check",
            "bot.cli",
            SIM,
        ),
        "only the Telegram-facing modules know python-telegram-bot; the stages stay pure",
    ),
}
# Top-level packages the runtime must never import.
FORBIDDEN_PACKAGES: dict[str, str] = {
    "tests": "tests are not shipped; production code cannot lean on them",
    "tools": "tools/ holds developer scripts, not part of the runtime",
}

SOURCE_DIRS = ("bot", "handlers")

# Today's violations as (file, imported module, rule). Remove a line when its
# import is fixed; never add one.
KNOWN_VIOLATIONS: frozenset[tuple[str, str, str]] = frozenset({})


# -- collecting imports ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Import:
    file: str  # relative to the repository root, with forward slashes
    importer: str  # dotted module name of the file
    module: str  # dotted name of what it imports
    line: int


def module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path) -> Iterator[Path]:
    for directory in SOURCE_DIRS:
        yield from sorted((root / directory).rglob("*.py"))


def known_modules(root: Path) -> set[str]:
    return {module_name(path.relative_to(root)) for path in source_files(root)}


def imports_of(path: Path, root: Path, modules: set[str]) -> Iterator[Import]:
    relative = path.relative_to(root)
    importer = module_name(relative)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):  # walks function bodies and TYPE_CHECKING blocks too
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(relative.as_posix(), importer, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, importer, is_package)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                target = candidate if candidate in modules else base
                yield Import(relative.as_posix(), importer, target, node.lineno)


def _absolute(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute name of ``from <dots><module> import ...`` inside ``importer``."""
    if level == 0:
        return module or ""
    package = importer.split(".")
    if not is_package:
        package.pop()
    if level > 1:
        package = package[: -(level - 1)]
    return ".".join([*package, module] if module else package)


# -- the rules, as checks ----------------------------------------------------


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def component(module: str) -> str | None:
    """The layered package ``module`` belongs to (longest matching prefix), or sim."""
    if _within(module, SIM):
        return SIM
    matches = [name for name in LAYERS if _within(module, name)]
    return max(matches, key=len) if matches else None


def violations_of(found: Import) -> Iterator[tuple[str, str]]:
    """(rule, reason) for each rule ``found`` breaks."""
    top = found.module.split(".")[0]
    for package, (allowed, reason) in RESTRICTED_PACKAGES.items():
        if top == package and not any(_within(found.importer, a) for a in allowed):
            yield package, reason
    if top in FORBIDDEN_PACKAGES:
        yield top, FORBIDDEN_PACKAGES[top]
    source, target = component(found.importer), component(found.module)
    if source is None or target is None or source == target:
        return
    if target == SIM:
        if not any(_within(found.importer, a) for a in SIM_IMPORTED_BY):
            yield "sim", "bot/sim is a test double: only the console (bot/cli) starts it"
        return
    if source == SIM:
        if not any(_within(found.module, a) for a in SIM_MAY_IMPORT):
            yield "sim", "bot/sim may import bot.core only: a fake must not depend on the bot"
        return
    edge = FORBIDDEN_EDGES.get((source, target))
    if edge is not None:
        yield "stage", edge
        return
    if (source, found.module) in LAYER_EXCEPTIONS:
        return
    if LAYERS[target] >= LAYERS[source]:
        yield (
            "layer",
            f"{source} (layer {LAYERS[source]}) may import its own package and lower layers "
            f"only, not {target} (layer {LAYERS[target]})",
        )


def all_violations(root: Path) -> dict[tuple[str, str, str], str]:
    modules = known_modules(root)
    result: dict[tuple[str, str, str], str] = {}
    for path in source_files(root):
        for found in imports_of(path, root, modules):
            for rule, reason in violations_of(found):
                key = (found.file, found.module, rule)
                result.setdefault(
                    key, f"{found.file}:{found.line}: {found.module} [{rule}] {reason}"
                )
    return result


# -- tests -------------------------------------------------------------------


def test_imports_follow_the_layering() -> None:
    found = all_violations(ROOT)
    new = sorted(key for key in found if key not in KNOWN_VIOLATIONS)
    fixed = sorted(KNOWN_VIOLATIONS - found.keys())
    lines = []
    if new:
        lines.append("New import-rule violations:")
        lines.extend(f"  {found[key]}" for key in new)
    if fixed:
        lines.append("Fixed, remove from KNOWN_VIOLATIONS:")
        lines.extend(f"  {key}" for key in fixed)
    if lines:
        lines.append("All current violations:")
        lines.extend(f"  {found[key]}" for key in sorted(found))
    assert not lines, "\n".join(lines)


def test_every_module_has_a_layer() -> None:
    """A package missing from LAYERS would be exempt from every layer rule."""
    modules = known_modules(ROOT)
    unplaced = sorted(m for m in modules if component(m) is None)
    assert unplaced == []


def _violations_in(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, str, str]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return set(all_violations(tmp_path))


def test_the_checker_sees_nested_relative_and_type_checking_imports(tmp_path: Path) -> None:
    """The walker itself: each import form a real module could use is caught."""
    found = _violations_in(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/store/__init__.py": "",
            "bot/store/rows.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from bot.deliver.plan import ChatPrefs\n"
                "def later():\n"
                "    import httpx\n"
                "    from ..ingest import feedstate\n"
            ),
            "bot/ingest/__init__.py": "",
            "bot/ingest/feedstate.py": "",
            "bot/deliver/__init__.py": "",
            "bot/deliver/plan.py": (
                "from bot.store import rows\nimport telegram.ext\n"
                "from bot.ingest import feedstate\n"
            ),
            "bot/core/__init__.py": "",
            "bot/core/clock.py": "",
            "bot/sim/__init__.py": "",
            "bot/sim/fake.py": (
                "from bot.core import clock\nfrom . import __name__ as here\n"
                "from bot.store import rows\nimport tools.build_gazetteer\n"
            ),
            "bot/cli/__init__.py": "",
            "bot/cli/console.py": "from bot.sim import fake\nimport bot.runtime.app\n",
            "bot/ops/__init__.py": "",
            "bot/ops/status.py": (
                "from bot.sim.fake import FakeTelegram\nfrom bot.deliver import plan\n"
            ),
            "handlers/__init__.py": "",
            "handlers/start.py": (
                "from bot.runtime.services import Services\nfrom bot.runtime import app\n"
            ),
            "bot/runtime/__init__.py": "",
            "bot/runtime/services.py": "",
            "bot/runtime/app.py": "import handlers.start\nfrom tests.clock import ManualClock\n",
        },
    )
    assert found == {
        ("bot/store/rows.py", "bot.deliver.plan", "layer"),
        ("bot/store/rows.py", "httpx", "httpx"),
        ("bot/store/rows.py", "bot.ingest.feedstate", "layer"),
        ("bot/deliver/plan.py", "telegram.ext", "telegram"),
        ("bot/deliver/plan.py", "bot.ingest.feedstate", "stage"),
        ("bot/sim/fake.py", "bot.store.rows", "sim"),
        ("bot/sim/fake.py", "tools.build_gazetteer", "tools"),
        ("bot/ops/status.py", "bot.sim.fake", "sim"),
        ("handlers/start.py", "bot.runtime.app", "layer"),
        ("bot/runtime/app.py", "tests.clock", "tests"),
    }
