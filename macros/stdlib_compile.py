"""The standard library the calculators' worker mounts: trimmed, and compiled to ``.pyc``.

This program runs **inside Pyodide** (under Node, at build time), so the bytecode is made by
the very CPython that loads it in the browser: same version, same magic number. It is
started by ``macros/stdlib_compile.mjs``, which :func:`macros.runtime.compiled_stdlib` calls:
the launcher copies the calculators zip into the Emscripten file system, runs this file, then
calls :func:`main` and copies the zip it wrote back to the build machine.

Why: Pyodide's ``python_stdlib.zip`` holds only ``.py`` sources, so every start-up compiles
the ~150 modules Pyodide itself imports (asyncio, inspect, typing…) before running one line;
that compilation is most of the start-up time once the WebAssembly is compiled. Shipping
``.pyc`` skips it.

What is kept: every module loaded once Pyodide has started and every module of the
calculators package is imported, plus everything those modules can import, following each
``import`` statement found anywhere in their source (inside functions and ``try`` blocks
too), plus the whole ``encodings`` package (codecs are looked up by name at run time). A
module that only a rare path imports is therefore still there; a module nothing can reach
is not.

The bytecode is "unchecked hash-based" (PEP 552) with no source beside it: the interpreter
never looks for the ``.py``, and the bytes do not depend on file dates.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import io
import marshal
import sys
import zipfile
from collections.abc import Iterator

STDLIB = f"/lib/python{sys.version_info[0]}{sys.version_info[1]}.zip"
PACKAGE_DIR = "/tmp/calculateurs"  # noqa: S108 - in Pyodide's in-memory file system, under Node
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ALWAYS = ("encodings",)  # packages kept whole: their submodules are imported by name at run time


def module_name(path: str) -> str:
    """``json/decoder.py`` → ``json.decoder``; ``json/__init__.py`` → ``json``."""
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_statements(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements run when the module is imported: not those inside functions."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def imported_names(source: bytes, module: str, is_package: bool) -> set[str]:
    """Every module name an ``import`` statement of ``source`` may load, with its parents."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in _import_statements(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                base_parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base:
                names.add(base)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    with_parents: set[str] = set()
    for name in names:
        parts = name.split(".")
        with_parents.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return with_parents


def closure(seeds: set[str], sources: dict[str, tuple[str, bytes]]) -> set[str]:
    """The stdlib modules reachable from ``seeds`` (module → (path, source) in ``sources``)."""
    needed: set[str] = set()
    queue = [name for name in seeds if name in sources]
    while queue:
        name = queue.pop()
        if name in needed:
            continue
        needed.add(name)
        path, source = sources[name]
        for imported in imported_names(source, name, path.endswith("/__init__.py")):
            if imported in sources and imported not in needed:
                queue.append(imported)
    return needed


def pyc(source: bytes, path: str) -> bytes:
    """Unchecked hash-based bytecode of ``source``, named as if loaded from the stock zip."""
    code = compile(source, f"{STDLIB}/{path}", "exec", dont_inherit=True, optimize=0)
    # PEP 552 layout, as importlib writes it: magic, flags (1 = hash-based, unchecked), source hash, code.
    header = importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little") + importlib.util.source_hash(source)
    return header + marshal.dumps(code)


def main(bundle_path: str, output_path: str, entry_points: list[str] | None = None) -> dict[str, int | str]:
    """``entry_points``: the modules the page imports (default: every module of the bundle)."""
    with zipfile.ZipFile(bundle_path) as bundle:
        bundle.extractall(PACKAGE_DIR)
        package = {module_name(path): (path, bundle.read(path)) for path in bundle.namelist() if path.endswith(".py")}
    sys.path.insert(0, PACKAGE_DIR)
    for name in entry_points if entry_points is not None else sorted(package):
        importlib.import_module(name)
    with zipfile.ZipFile(STDLIB) as stdlib:
        sources = {module_name(path): (path, stdlib.read(path)) for path in stdlib.namelist() if path.endswith(".py")}
    seeds = set(sys.modules)
    for name, (path, source) in package.items():
        seeds |= imported_names(source, name, path.endswith("/__init__.py"))
    seeds |= {name for name in sources if name.split(".")[0] in ALWAYS}
    needed = closure(seeds, sources)
    kept = {sources[name][0] for name in needed}
    loaded = {file[len(STDLIB) + 1:] for module in list(sys.modules.values())
              if isinstance(file := getattr(module, "__file__", None), str) and file.startswith(STDLIB + "/")}
    if loaded - kept:  # cannot happen (loaded modules are seeds), but a missing module would break the page
        raise RuntimeError(f"modules loaded but not kept: {sorted(loaded - kept)}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(kept):
            info = zipfile.ZipInfo(path + "c", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, pyc(sources[module_name(path)][1], path))
    with open(output_path, "wb") as output:
        output.write(buffer.getvalue())
    return {"modules": len(needed), "of": len(sources), "bytes": len(buffer.getvalue()),
            "python": ".".join(map(str, sys.version_info[:3]))}
