"""The simulator stands alone: of the plugin it uses only the safety helpers ``pytest_intacct.safety.xml``
(hardened parsing, issue 8), ``pytest_intacct.safety.files`` (reading scenarios, appending its journal)
and ``pytest_intacct.safety.limits`` (their bounds)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest_intacct.simulator

SIMULATOR_DIR = Path(pytest_intacct.simulator.__file__).parent
ALLOWED = {
    "pytest_intacct",
    "pytest_intacct.safety",
    "pytest_intacct.safety.xml",
    "pytest_intacct.safety.files",
    "pytest_intacct.safety.limits",
}


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports, at any depth (lazy imports included)."""
    package = "pytest_intacct.simulator"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_no_simulator_source_imports_the_plugin_beyond_its_safety_helpers() -> None:
    files = sorted(SIMULATOR_DIR.glob("*.py"))
    assert len(files) > 10
    outside = {
        (path.name, name)
        for path in files
        for name in _imported_modules(path)
        if name.startswith("pytest_intacct")
        and not name.startswith("pytest_intacct.simulator")
        and name not in ALLOWED
        and not name.startswith(tuple(f"{allowed}." for allowed in ALLOWED if "safety." in allowed))
    }
    assert outside == set()


def test_the_ast_walk_sees_relative_imports_out_of_the_package(tmp_path: Path) -> None:
    """The check above can fail: a relative import of the plugin is recognised as one."""
    source = tmp_path / "bad.py"
    source.write_text(
        "def f():\n    from ..results import Outcome\n    from .. import run\n", encoding="utf-8"
    )
    assert {"pytest_intacct.results", "pytest_intacct.run"} <= _imported_modules(source)


def test_importing_every_simulator_module_loads_only_its_safety_helpers() -> None:
    code = (
        "import json, pkgutil, sys, importlib, pytest_intacct.simulator as s\n"
        "for m in pkgutil.iter_modules(s.__path__):\n"
        "    importlib.import_module('pytest_intacct.simulator.' + m.name)\n"
        "print(json.dumps(sorted(n for n in sys.modules if n.startswith('pytest_intacct')"
        " and not n.startswith('pytest_intacct.simulator'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(json.loads(result.stdout)) == ALLOWED
