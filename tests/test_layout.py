"""The tests' own layout: test modules share code through ``tests.helpers`` and conftest fixtures, never
by importing one another, and every folder of tests is a package (pytest names modules from the rootdir)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def imported_modules(source: str, module: str) -> list[str]:
    """Every module ``source`` (the text of the dotted ``module``) imports, or may import by a name it takes
    from a package; relative imports resolved."""
    package = module.split(".")[:-1]
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            names.append(target)
            names += [f"{target}.{alias.name}" for alias in node.names]
    return names


def imports_of_test_modules(source: str, module: str) -> list[str]:
    """The test modules among what ``source`` imports: ``tests.…test_*``."""
    return [
        name
        for name in imported_modules(source, module)
        if name.split(".")[0] == "tests" and name.rpartition(".")[2].startswith("test_")
    ]


def test_no_test_module_imports_another():
    offenders = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        module = ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        found = imports_of_test_modules(path.read_text(encoding="utf-8"), module)
        if found:
            offenders[module] = found
    assert offenders == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "from tests.plugin.test_scenarios import run_acceptance",
            ["tests.plugin.test_scenarios"],
            id="from",
        ),
        # Two spaces after import/from, so that grepping the tests for such imports finds only real ones.
        pytest.param("import  tests.test_run", ["tests.test_run"], id="import"),
        pytest.param("import  tests.test_run as run", ["tests.test_run"], id="import-as"),
        pytest.param(
            "from tests.reporting import test_reports", ["tests.reporting.test_reports"], id="from-package"
        ),
        pytest.param("from .test_xdist import verdicts", ["tests.plugin.test_xdist"], id="relative"),
        pytest.param("from ..test_run import x", ["tests.test_run"], id="relative-parent"),
        pytest.param("from .. import test_run", ["tests.test_run"], id="relative-parent-package"),
        pytest.param("def f():\n    from  tests.test_run import x\n", ["tests.test_run"], id="nested"),
        pytest.param("from tests.helpers.runs import run_acceptance, outcomes", [], id="helpers"),
        pytest.param("from tests.helpers import answers", [], id="helpers-package"),
        pytest.param("from .conftest import StartSimulator", [], id="conftest"),
        pytest.param("import pytest\nfrom pytest_intacct.plugin import test_user", [], id="not-tests"),
    ],
)
def test_the_layout_check_finds_every_spelling_of_such_an_import(source, expected):
    assert imports_of_test_modules(source, "tests.plugin.test_example") == expected


def test_every_folder_of_tests_is_a_package():
    """Every folder holding test modules or a conftest (third-party clients' driver scripts are not tests)."""
    folders = {path.parent for pattern in ("test_*.py", "conftest.py") for path in TESTS.rglob(pattern)}
    bare = sorted(str(f.relative_to(TESTS.parent)) for f in folders if not (f / "__init__.py").exists())
    assert bare == []
