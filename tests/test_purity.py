"""The modules the browser loads are pure standard-library Python and do no I/O.

Every ``.py`` of ``calculators/`` except ``__main__.py`` (the command line, CPython only) is
shipped to Pyodide: its imports, read from the source with :mod:`ast` (``TYPE_CHECKING`` and
function-level imports included), may name only the standard library and the package itself.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = "calculators"
BROWSER_MODULES = sorted(p for p in (ROOT / PACKAGE).rglob("*.py") if p.name != "__main__.py")

# Standard-library modules that reach files, processes or the network: none belongs in the rules.
IO_MODULES = {"os", "socket", "urllib", "subprocess", "pathlib", "http", "shutil", "io", "tempfile", "glob",
              "ftplib", "smtplib", "ssl", "select", "selectors", "asyncio", "multiprocessing", "threading",
              "sqlite3", "webbrowser", "ctypes", "importlib", "zipfile", "tarfile", "pickle", "shelve"}
# Builtins that read files or run code from strings.
IO_BUILTINS = {"open", "exec", "eval", "compile", "__import__", "input", "breakpoint"}


def _imports(path: Path, package: str | None = None) -> list[tuple[int, str]]:
    """Every module ``path`` imports, as (line, absolute dotted name); relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.append((node.lineno, ".".join([*base, *([node.module] if node.module else [])])))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_the_browser_modules_are_found():
    """The walk sees the engine's modules (a moved package would make the purity checks vacuous)."""
    names = {p.relative_to(ROOT / PACKAGE).as_posix() for p in BROWSER_MODULES}
    assert {"money.py", "budget.py", "eligibility.py", "api.py", "rules/budget.py", "rules/eligibility.py"} <= names
    assert "__main__.py" not in names


@pytest.mark.parametrize("path", BROWSER_MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_only_the_standard_library_and_the_package(path):
    """Each browser module imports only standard-library modules and ``calculators`` itself."""
    outside = [f"{_where(path, line)}: import {name}" for line, name in _imports(path)
               if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != PACKAGE]
    assert not outside, "hors de la bibliothèque standard :\n" + "\n".join(outside)


@pytest.mark.parametrize("path", BROWSER_MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_no_input_output_module(path):
    """No browser module imports os, socket, urllib, subprocess, pathlib or another I/O module."""
    bad = [f"{_where(path, line)}: import {name}" for line, name in _imports(path) if name.split(".")[0] in IO_MODULES]
    assert not bad, "module d'entrée-sortie :\n" + "\n".join(bad)


@pytest.mark.parametrize("path", BROWSER_MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_calls_no_input_output_builtin(path):
    """No browser module calls open(), eval(), exec(), __import__() or input()."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"{_where(path, node.lineno)}: {node.func.id}()" for node in ast.walk(tree)
           if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in IO_BUILTINS]
    assert not bad, "appel d'entrée-sortie :\n" + "\n".join(bad)


def test_the_purity_check_catches_an_outside_import(tmp_path):
    """The walk itself sees a third-party import, a function-level I/O import and a relative one."""
    sample = tmp_path / "sample.py"
    sample.write_text("import yaml\nif True:\n    def f():\n        from os import path\nfrom ..money import plain\n",
                      encoding="utf-8")
    assert sorted(name for _, name in _imports(sample, "calculators.rules")) == ["calculators.money", "os", "yaml"]
