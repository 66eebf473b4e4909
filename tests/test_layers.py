"""The package keeps the layer order docs/architecture.md writes down: no import against it, no cycle,
pytest only in the glue, and a package root a newcomer can read at a glance."""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pytest_intacct"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
PYTEST_MODULES = ("pytest", "_pytest", "pytest_html", "pytest_metadata", "xdist")
GLUE = "plugin"


def layer_table(text: str) -> dict[str, set[str]]:
    """``layer -> what it may import`` from the table in docs/architecture.md."""
    rows = re.findall(r"^\| (\w+) \| `[^`]+` \| [^|]+ \|([^|\n]*)\|$", text, re.MULTILINE)
    return {layer: {name.strip() for name in allowed.split(",") if name.strip()} for layer, allowed in rows}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, module: str, is_package: bool, known: Collection[str] = ()) -> Iterator[str]:
    """Every absolute module name ``source`` imports, at any depth (lazy and TYPE_CHECKING ones too).

    ``from A import b`` imports ``A.b`` when that is a module (in ``known``), else ``A``.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            named = ".".join(part for part in (base, node.module or "") if part)
            for alias in node.names:
                submodule = f"{named}.{alias.name}"
                yield submodule if submodule in known else named


def layer_of(name: str) -> str | None:
    """``pytest_intacct.checks.user`` -> ``checks``; ``pytest_intacct`` itself -> None."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None


def allowed(target: str, rules: set[str]) -> bool:
    """Whether an import of ``target`` (``pytest_intacct.X...``) is one a layer with ``rules`` may make."""
    inner = target.removeprefix("pytest_intacct.")
    return any(inner == rule or inner.startswith(rule + ".") for rule in rules)


def wrong_way(sources: Mapping[str, tuple[str, bool]], table: Mapping[str, set[str]]) -> list[str]:
    """``module imports target`` for every import of another layer the table does not allow."""
    found = []
    for module, (source, is_package) in sources.items():
        mine = layer_of(module)
        for target in imports(source, module, is_package, sources):
            theirs = layer_of(target) if target.startswith("pytest_intacct.") else None
            if mine is None or theirs is None or theirs == mine or theirs == "__version__":
                continue
            if not allowed(target, table.get(mine, set())):
                found.append(f"{module} imports {target}")
    return sorted(set(found))


def cycles(sources: Mapping[str, tuple[str, bool]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or around a loop (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for module, (source, is_package) in sources.items():
        targets = set()
        for name in imports(source, module, is_package, sources):
            while name and name not in sources:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_sources() -> dict[str, tuple[str, bool]]:
    return {
        module_name(path): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


TABLE = layer_table(ARCHITECTURE.read_text(encoding="utf-8"))
SOURCES = package_sources()


def test_the_table_names_every_layer_of_the_package():
    assert len(TABLE) >= 10
    present = {layer_of(module) for module in SOURCES} - {None}
    assert present == set(TABLE), "every package and root module is a layer of docs/architecture.md"
    named = {rule.split(".")[0] for rules in TABLE.values() for rule in rules}
    assert named <= set(TABLE)


def test_no_module_imports_against_the_layer_order():
    assert wrong_way(SOURCES, TABLE) == []


def test_no_import_cycle():
    assert cycles(SOURCES) == []


def test_only_the_glue_imports_pytest():
    outside = sorted(
        f"{module} imports {name}"
        for module, (source, is_package) in SOURCES.items()
        if layer_of(module) != GLUE
        for name in imports(source, module, is_package)
        if name.split(".")[0] in PYTEST_MODULES
    )
    assert outside == []


def test_the_package_root_holds_at_most_four_modules():
    modules = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(modules) <= 4, modules


# -- the checks above can fail ------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("pytest_intacct.checks.bad", "from pytest_intacct.client import ErrorKind\n", "client"),
        ("pytest_intacct.evidence.bad", "def f():\n    from ..reporting import model\n", "reporting"),
        ("pytest_intacct.simulator.bad", "from pytest_intacct.safety import redaction\n", "redaction"),
        ("pytest_intacct.reporting.bad", "import pytest_intacct.plugin.session\n", "plugin"),
    ],
    ids=["checks-to-client", "lazy-evidence-to-reporting", "simulator-beyond-safety-xml", "up-to-glue"],
)
def test_a_wrong_way_import_is_caught(module, source, expected):
    found = wrong_way({**SOURCES, module: (source, False)}, TABLE)
    assert len(found) == 1
    assert found[0].startswith(f"{module} imports")
    assert expected in found[0]


def test_a_cycle_is_caught():
    sources = {
        "pytest_intacct.results.a": ("from pytest_intacct.results.b import x\n", False),
        "pytest_intacct.results.b": ("def f():\n    from .a import y\n", False),
    }
    assert cycles(sources) == [["pytest_intacct.results.a", "pytest_intacct.results.b"]]


def test_the_table_is_read_from_the_document():
    rules = layer_table("| x | `x/` | what | a, b.c |\n| y | `y.py` | what | |\n")
    assert rules == {"x": {"a", "b.c"}, "y": set()}
