"""The build side of the browser runtime: Pyodide copied from node_modules, the rules bundle, the manifest."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from macros import runtime
from macros.runtime import PYODIDE_FILES, RuntimeMissing, bundle_bytes, pyodide_version, stdlib_imports, write_runtime

ROOT = Path(__file__).resolve().parent.parent
needs_pyodide = pytest.mark.skipif(not (ROOT / "node_modules" / "pyodide" / "package.json").is_file(),
                                   reason="run `npm ci` first")


@needs_pyodide
def test_pyodide_core_files_are_copied_under_their_version(tmp_path):
    """pyodide/<version>/ holds Pyodide's loader, glue and interpreter, identical to node_modules'."""
    manifest = write_runtime(tmp_path, ROOT)
    version = pyodide_version(ROOT)
    assert manifest["pyodide"]["path"] == f"pyodide/{version}/"
    for name in PYODIDE_FILES:
        copied = tmp_path / "pyodide" / version / name
        assert copied.read_bytes() == (ROOT / "node_modules" / "pyodide" / name).read_bytes()


@needs_pyodide
def test_the_manifest_lists_the_sha256_of_every_file_the_worker_loads(tmp_path):
    """Each manifest entry is a file of the site with that digest; the file on disk matches the return value."""
    manifest = write_runtime(tmp_path, ROOT)
    on_disk = json.loads((tmp_path / "assets" / "calculateurs" / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert f"assets/calculateurs/{manifest['bundle']}" in manifest["files"]
    assert manifest["stdlib"] in manifest["files"] and manifest["snapshot"] in manifest["files"]
    assert len(manifest["files"]) == len(PYODIDE_FILES) + 3
    for path, digest in manifest["files"].items():
        assert hashlib.sha256((tmp_path / path).read_bytes()).hexdigest() == digest
    assert manifest["pyodide"]["lock"]["abi_version"]


@needs_pyodide
def test_data_files_written_before_are_listed_too(tmp_path):
    """donnees/vocabulaire.json and donnees/appels/*.json, when present, are in the manifest."""
    (tmp_path / "donnees" / "appels").mkdir(parents=True)
    (tmp_path / "donnees" / "vocabulaire.json").write_text("{}", encoding="utf-8")
    (tmp_path / "donnees" / "appels" / "x.json").write_text("{}", encoding="utf-8")
    files = write_runtime(tmp_path, ROOT)["files"]
    assert "donnees/vocabulaire.json" in files and "donnees/appels/x.json" in files


def test_the_bundle_is_deterministic_and_named_after_its_digest():
    """Same sources, same bytes: sorted entries, fixed dates, no __main__.py, no __pycache__."""
    first, second = bundle_bytes(ROOT), bundle_bytes(ROOT)
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    names = archive.namelist()
    assert names == sorted(names)
    assert "calculators/api.py" in names and "calculators/rules/budget.py" in names
    assert "calculators/__main__.py" not in names
    assert not any("__pycache__" in name or not name.endswith(".py") for name in names)
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@needs_pyodide
def test_the_bundle_name_carries_the_first_12_hex_of_its_sha256(tmp_path):
    manifest = write_runtime(tmp_path, ROOT)
    digest = hashlib.sha256(bundle_bytes(ROOT)).hexdigest()
    assert manifest["bundle"] == f"calculators-{digest[:12]}.zip"


@needs_pyodide
def test_a_second_build_copies_nothing_again(tmp_path):
    """Unchanged files keep their modification time: the copy is skipped on every rebuild."""
    write_runtime(tmp_path, ROOT)
    before = {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file()}
    write_runtime(tmp_path, ROOT)
    after = {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file()}
    assert before == after


@needs_pyodide
def test_a_stale_bundle_of_an_earlier_build_is_removed(tmp_path):
    (tmp_path / "assets" / "calculateurs").mkdir(parents=True)
    (tmp_path / "assets" / "calculateurs" / "calculators-000000000000.zip").write_bytes(b"old")
    manifest = write_runtime(tmp_path, ROOT)
    assert [p.name for p in (tmp_path / "assets" / "calculateurs").glob("calculators-*.zip")] == [manifest["bundle"]]


def test_without_node_modules_the_error_says_to_run_npm_ci(tmp_path):
    with pytest.raises(RuntimeMissing, match="npm ci"):
        write_runtime(tmp_path / "site", tmp_path)


def test_the_bundle_imports_from_the_zip_alone(tmp_path):
    """The zipped package works on its own, as in the worker: nothing outside the standard library."""
    bundle = tmp_path / "calculators.zip"
    bundle.write_bytes(bundle_bytes(ROOT))
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import json\n"
        "from calculators.api import BUNDLE\n"
        "import calculators; assert calculators.__file__.startswith(sys.argv[1]), calculators.__file__\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-I", "-c", code, str(bundle)], capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout.strip() == "ok", result.stderr


@needs_pyodide
def test_the_standard_library_is_compiled_and_trimmed(tmp_path):
    """Only .pyc, made by Pyodide's own CPython (unchecked hash-based), and only what can be imported."""
    manifest = write_runtime(tmp_path, ROOT)
    assert manifest["stdlib_compiled"] is True  # Node is there wherever `npm ci` ran
    archive = zipfile.ZipFile(tmp_path / manifest["stdlib"])
    names = set(archive.namelist())
    assert all(name.endswith(".pyc") for name in names)
    for needed in ("json/decoder.pyc", "decimal.pyc", "dataclasses.pyc", "typing.pyc", "re/_parser.pyc",
                   "encodings/utf_8.pyc", "encodings/cp1252.pyc", "_pyodide/_base.pyc", "pyodide/ffi/__init__.pyc"):
        assert needed in names, needed
    for unneeded in ("sqlite3/__init__.pyc", "email/message.pyc", "tomllib/__init__.pyc", "wsgiref/__init__.pyc"):
        assert unneeded not in names, unneeded
    stock = zipfile.ZipFile(ROOT / "node_modules" / "pyodide" / "python_stdlib.zip")
    assert len(names) < len([n for n in stock.namelist() if n.endswith(".py")])
    headers = {archive.read(name)[:8] for name in names}
    assert len(headers) == 1  # one magic number, flags 0b01: hash-based, not checked against a source
    assert headers.pop()[4:8] == (1).to_bytes(4, "little")


def test_the_modules_the_calculators_import_are_listed():
    imports = stdlib_imports(ROOT)
    assert {"decimal", "json", "dataclasses", "re"} <= set(imports)
    assert not any(name.startswith("calculators") for name in imports)
    assert imports == sorted(imports)


@needs_pyodide
def test_the_snapshot_is_a_gzip_of_a_started_pyodide(tmp_path):
    """The memory image the worker restores: gzip, Pyodide's snapshot magic, this build of Pyodide."""
    import gzip

    manifest = write_runtime(tmp_path, ROOT)
    assert manifest["snapshot"].startswith(manifest["pyodide"]["path"] + "snapshot-")
    image = gzip.decompress((tmp_path / manifest["snapshot"]).read_bytes())
    assert int.from_bytes(image[:4], "little") == 1886286592  # Pyodide's snapshot magic number
    assert len(image) > 16 * 1024 * 1024  # the whole memory of a started interpreter
    assert b"/work/" not in image[:4096] and b"stdlib_compile.mjs" not in image  # nothing of the build machine
    # The calculators are imported, from where the worker unpacks them: a restored Python has them ready.
    for module in ("calculators/api.py", "calculators/rules/budget.py", "calculators/rules/eligibility.py"):
        assert f"{runtime.WORKER_PACKAGE_DIR}/{module}".encode() in image, module


def test_the_worker_unpacks_the_calculators_where_the_snapshot_imported_them():
    worker = (ROOT / "docs/assets/calculateurs/worker.js").read_text(encoding="utf-8")
    assert f'const PACKAGE_DIR = "{runtime.WORKER_PACKAGE_DIR}";' in worker


@needs_pyodide
def test_without_node_the_stock_standard_library_is_shipped(tmp_path, monkeypatch):
    """No Node and nothing cached: the build still works, with Pyodide's own .py zip and no snapshot."""
    monkeypatch.setattr(runtime, "CACHE_DIR", tmp_path / "empty-cache")
    monkeypatch.setattr(runtime.shutil, "which", lambda _name: None)
    manifest = write_runtime(tmp_path / "site", ROOT)
    assert manifest["stdlib_compiled"] is False and manifest["snapshot"] is None
    shipped = (tmp_path / "site" / manifest["stdlib"]).read_bytes()
    assert shipped == (ROOT / "node_modules" / "pyodide" / "python_stdlib.zip").read_bytes()


@needs_pyodide
def test_the_compiled_standard_library_is_cached(tmp_path, monkeypatch):
    """Once made, it comes from node_modules/.cache: later builds do not need Node."""
    write_runtime(tmp_path / "first", ROOT)
    monkeypatch.setattr(runtime.shutil, "which", lambda _name: None)
    manifest = write_runtime(tmp_path / "second", ROOT)
    assert manifest["stdlib_compiled"] is True
