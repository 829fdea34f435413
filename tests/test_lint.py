"""The code is ruff clean, its layers hold (import-linter), the engine and the sandbox type-check (mypy), no module
uses another's private names, and no modules import each other in a circle. `make lint` runs the same tools."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from autograder.course.paths import ROOT


PACKAGE = ROOT / "autograder"


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.fail(f"{name} is not installed: `pip install -e '.[dev]'`")
    return found


def test_ruff_finds_nothing():
    done = subprocess.run([tool("ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing_in_the_engine_and_the_sandbox():
    done = subprocess.run([tool("mypy"), "--no-incremental"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter with the project's contracts, on the `autograder` package found first under `root`."""
    return subprocess.run([tool("lint-imports"), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=root,
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)})


def test_the_layers_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0 and "1 kept, 0 broken" in done.stdout, done.stdout + done.stderr


def test_an_import_against_the_layers_breaks_the_contract(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    engine = tmp_path / "autograder" / "engine" / "grade.py"
    engine.write_text(engine.read_text() + "\n\ndef _upward():\n    from autograder.runs import pool  # noqa\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1 and "BROKEN" in done.stdout, done.stdout + done.stderr
    assert "autograder.engine.grade -> autograder.runs.pool" in done.stdout


def private_uses(path: Path) -> list[str]:
    """`from autograder.x import _name` and `module._name` of an imported autograder module, in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograder"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno}: from {node.module} import {alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("autograder")}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                and isinstance(node.value, ast.Name) and node.value.id in modules:
            found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names(tmp_path):
    assert [use for path in sorted(PACKAGE.rglob("*.py")) for use in private_uses(path)] == []
    planted = tmp_path / "planted.py"
    planted.write_text("from autograder.engine import grade\nfrom autograder.runs.pool import _grade_into\n"
                       "grade._untouched('x')\n")
    assert private_uses(planted) == ["planted.py:2: from autograder.runs.pool import _grade_into",
                                     "planted.py:3: grade._untouched"]


def circles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other in a circle (strongly connected, more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(imports.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_no_modules_import_each_other_in_a_circle():
    graph = grimp.build_graph("autograder", include_external_packages=False)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert circles(imports) == []
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
