"""Ship the browser runtime of the calculators: Pyodide's core files and the rules package.

Called once per build (``on_post_build``) with the built site directory::

    manifest = write_runtime(Path(config.site_dir), project_root)

It writes

- ``pyodide/<version>/``: the Pyodide core files, copied from ``node_modules/pyodide``
  (installed by ``npm ci`` from ``package-lock.json``); the version is in the path so that
  a new Pyodide never meets a stale cached file;
- ``pyodide/<version>/stdlib-<hash>.zip``: the standard library the worker mounts, trimmed to
  what Pyodide's start-up and the calculators can import and compiled to ``.pyc`` by
  Pyodide's own CPython (see :func:`compiled_stdlib`); Pyodide's stock ``.py`` zip when Node
  cannot run;
- ``pyodide/<version>/snapshot-<hash>.bin``: Pyodide's memory once started on that library
  (gzip), which the worker restores instead of starting Python (not written without Node);
- ``assets/calculateurs/calculators-<hash>.zip``: the ``calculators`` package, zipped
  deterministically (same sources, same bytes, same name);
- ``assets/calculateurs/manifest.json``: what the worker loads, with each file's sha256,
  which the browser checks before using any of them.

Unchanged files are not copied again and the compiled standard library is cached in
``node_modules/.cache/``: the build runs this on every ``mkdocs serve`` reload.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import TypedDict

PYODIDE_FILES = (
    "pyodide.mjs",          # the ES module the worker imports (loadPyodide)
    "pyodide.asm.mjs",      # the Emscripten glue, imported by the worker and handed to loadPyodide
    "pyodide.asm.wasm",     # the interpreter
)
"""The Pyodide files the worker loads as they are; nothing else is shipped (no packages, no micropip).

Not shipped: ``pyodide-lock.json`` (the worker passes an empty package index instead) and
``python_stdlib.zip`` (replaced by the compiled, trimmed ``stdlib-<hash>.zip``).
"""
STOCK_STDLIB = "python_stdlib.zip"
STDLIB_COMPILER = Path(__file__).resolve().parent / "stdlib_compile.mjs"
STDLIB_PROGRAM = Path(__file__).resolve().parent / "stdlib_compile.py"
WORKER_PACKAGE_DIR = "/home/pyodide/calculateurs"
"""Where the worker unpacks the calculators in Pyodide's file system (``PACKAGE_DIR`` in
``docs/assets/calculateurs/worker.js``); the snapshot imports them from the same place."""
CACHE_DIR = Path("node_modules") / ".cache" / "appels-sante"
NODE_TIMEOUT_S = 600

log = logging.getLogger("mkdocs.hooks.runtime")

PACKAGE = "calculators"
EXCLUDED = {"__main__.py"}  # the command line reads files: CPython only
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry; fixed for reproducible bytes
ASSETS_DIR = Path("assets") / "calculateurs"
MANIFEST = "manifest.json"


class RuntimeMissing(RuntimeError):
    """Pyodide is not installed in ``node_modules``: the build cannot ship the calculators."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pyodide_version(project_root: Path) -> str:
    """Version of the installed Pyodide, from ``node_modules/pyodide/package.json``."""
    package = project_root / "node_modules" / "pyodide" / "package.json"
    if not package.is_file():
        raise RuntimeMissing(
            f"{package} is missing: Pyodide is not installed. Run `npm ci` in {project_root} "
            "(it installs the version pinned in package-lock.json), then build again."
        )
    return str(json.loads(package.read_text(encoding="utf-8"))["version"])


def _copy_if_changed(source: Path, target: Path) -> None:
    """Copy ``source`` over ``target`` unless it already holds the same bytes."""
    if target.is_file():
        target_stat, source_stat = target.stat(), source.stat()
        if target_stat.st_size == source_stat.st_size:
            if target_stat.st_mtime_ns == source_stat.st_mtime_ns:
                return  # copied by an earlier build (copy2 keeps the time): no hashing of 10 MB per reload
            if sha256_of(target) == sha256_of(source):
                return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def copy_pyodide(site_dir: Path, project_root: Path) -> tuple[str, dict[str, str]]:
    """Copy the Pyodide core files into ``site_dir/pyodide/<version>/``.

    Returns the version and the sha256 of each copied file (by file name).
    """
    version = pyodide_version(project_root)
    source_dir = project_root / "node_modules" / "pyodide"
    missing = [name for name in (*PYODIDE_FILES, STOCK_STDLIB, "pyodide-lock.json") if not (source_dir / name).is_file()]
    if missing:
        raise RuntimeMissing(
            f"{source_dir} lacks {', '.join(missing)}: the Pyodide install is incomplete. "
            f"Run `npm ci` in {project_root}, then build again."
        )
    target_dir = site_dir / "pyodide" / version
    hashes = {}
    for name in PYODIDE_FILES:
        _copy_if_changed(source_dir / name, target_dir / name)
        hashes[name] = _cached_sha256(source_dir / name)
    return version, hashes


_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def _cached_sha256(path: Path) -> str:
    """sha256 of a file, remembered by (path, size, mtime) for the life of the process."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _HASH_CACHE:
        _HASH_CACHE[key] = sha256_of(path)
    return _HASH_CACHE[key]


def package_sources(project_root: Path) -> list[Path]:
    """Every ``.py`` of the calculators package the browser needs, sorted."""
    package_dir = project_root / PACKAGE
    return sorted(
        (path for path in package_dir.rglob("*.py")
         if path.name not in EXCLUDED and "__pycache__" not in path.parts),
        key=lambda path: path.relative_to(project_root).as_posix(),
    )


def bundle_bytes(project_root: Path) -> bytes:
    """The calculators package as a zip whose bytes depend only on the sources.

    Entries are sorted, dated 1980-01-01, with fixed permissions, and the paths are
    relative to the project root (``calculators/api.py``…), so that unpacking the archive
    into a directory on ``sys.path`` makes ``import calculators`` work.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in package_sources(project_root):
            info = zipfile.ZipInfo(path.relative_to(project_root).as_posix(), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever the build machine
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def write_bundle(site_dir: Path, project_root: Path) -> tuple[str, str]:
    """Write ``calculators-<hash12>.zip`` into the assets folder; return its name and sha256.

    Bundles of earlier builds left in the folder (``mkdocs serve`` reuses it) are removed.
    """
    data = bundle_bytes(project_root)
    digest = hashlib.sha256(data).hexdigest()
    name = f"{PACKAGE}-{digest[:12]}.zip"
    target_dir = site_dir / ASSETS_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    if not (target.is_file() and target.read_bytes() == data):
        target.write_bytes(data)
    for old in target_dir.glob(f"{PACKAGE}-*.zip"):
        if old.name != name:
            old.unlink()
    return name, digest


def stdlib_imports(project_root: Path) -> list[str]:
    """The modules outside the package that the calculators import anywhere, sorted."""
    names: set[str] = set()
    for path in package_sources(project_root):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module)
    return sorted(name for name in names if name.split(".")[0] != PACKAGE)


def compiled_stdlib(project_root: Path) -> tuple[bytes, bytes] | None:
    """The standard library for the browser and a snapshot of Pyodide started on it; None if Node cannot make them.

    Pyodide ships its standard library as ``.py`` sources, so each start-up compiles the ~150
    modules Pyodide imports before the first line runs. ``macros/stdlib_compile.mjs`` runs,
    under Node, Pyodide itself (the CPython that will load the bytecode: same version, same
    magic number, no other Python 3.14 needed) to

    - compile to ``.pyc`` only what Pyodide's start-up and the calculators can import
      (``macros/stdlib_compile.py``);
    - start a second Pyodide on that library, as the worker does, and take a gzip-compressed
      memory snapshot of it: the worker restores it instead of running Python's start-up.

    Returns ``(stdlib zip, snapshot)``. They depend only on the Pyodide install, the two
    compiler files and the calculators' sources (the snapshot has them imported): they are
    cached under ``node_modules/.cache/`` by a key made of those, so a build runs Node (ten
    to twenty seconds) only when one of them changes.
    """
    source_dir = project_root / "node_modules" / "pyodide"
    key = hashlib.sha256()
    bundle_data = bundle_bytes(project_root)
    for part in (pyodide_version(project_root), _cached_sha256(source_dir / STOCK_STDLIB),
                 sha256_of(STDLIB_COMPILER), sha256_of(STDLIB_PROGRAM), WORKER_PACKAGE_DIR,
                 hashlib.sha256(bundle_data).hexdigest(), *stdlib_imports(project_root)):
        key.update(part.encode() + b"\0")
    cached = project_root / CACHE_DIR / f"stdlib-{key.hexdigest()[:24]}.zip"
    cached_snapshot = cached.with_suffix(".snapshot")
    if cached.is_file() and cached_snapshot.is_file():
        return cached.read_bytes(), cached_snapshot.read_bytes()
    node = shutil.which("node")
    if node is None:
        log.info("Node is not on the PATH: the calculators ship Pyodide's standard library uncompiled (slower start)")
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stdlib-") as tmp:
        bundle, lock = Path(tmp) / "calculators.zip", Path(tmp) / "lock-info.json"
        output, snapshot = Path(tmp) / "stdlib.zip", Path(tmp) / "snapshot.bin"
        bundle.write_bytes(bundle_data)
        lock.write_text(json.dumps(_lock_info(project_root)), encoding="utf-8")
        command = [node, str(STDLIB_COMPILER), str(source_dir), str(bundle), str(output), str(snapshot), str(lock),
                   WORKER_PACKAGE_DIR]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=NODE_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            log.info("Could not compile the standard library with Pyodide under Node (%s): shipping it uncompiled", error)
            return None
        if result.returncode != 0 or not output.is_file() or not snapshot.is_file():
            log.info("Could not compile the standard library with Pyodide under Node: %s",
                     (result.stderr or result.stdout).strip()[-500:])
            return None
        data, image = output.read_bytes(), snapshot.read_bytes()
    for target, content in ((cached_snapshot, image), (cached, data)):  # the zip last: it marks a complete entry
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        partial.write_bytes(content)
        os.replace(partial, target)  # atomic: two builds at once (pytest-xdist) never read half a file
    for old in cached.parent.glob("stdlib-*"):  # entries of earlier Pyodide versions or compilers
        if old.stem != cached.stem and not old.name.endswith(".tmp"):
            old.unlink(missing_ok=True)
    return data, image


def _write_named(target_dir: Path, stem: str, suffix: str, data: bytes) -> tuple[Path, str]:
    """Write ``<stem>-<hash12><suffix>`` into ``target_dir`` (earlier versions removed); return it and its sha256."""
    digest = hashlib.sha256(data).hexdigest()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{stem}-{digest[:12]}{suffix}"
    if not (target.is_file() and target.stat().st_size == len(data) and sha256_of(target) == digest):
        target.write_bytes(data)
    for old in target_dir.glob(f"{stem}-*{suffix}"):
        if old.name != target.name:
            old.unlink()
    return target, digest


class Stdlib(TypedDict):
    """What :func:`write_stdlib` wrote (paths relative to the site directory)."""

    stdlib: str
    snapshot: str | None
    compiled: bool
    files: dict[str, str]


def write_stdlib(site_dir: Path, project_root: Path, version: str) -> Stdlib:
    """Write the standard library (and the snapshot, when compiled) into ``pyodide/<version>/``.

    Returns ``{"stdlib": path, "snapshot": path or None, "compiled": bool, "files": {path: sha256}}``
    with paths relative to ``site_dir``.
    """
    made = compiled_stdlib(project_root)
    target_dir = site_dir / "pyodide" / version
    files: dict[str, str] = {}
    if made is None:
        stdlib, digest = _write_named(target_dir, "stdlib", ".zip",
                                      (project_root / "node_modules" / "pyodide" / STOCK_STDLIB).read_bytes())
        snapshot_path = None
        for old in target_dir.glob("snapshot-*.bin"):
            old.unlink()
    else:
        stdlib, digest = _write_named(target_dir, "stdlib", ".zip", made[0])
        snapshot, snapshot_digest = _write_named(target_dir, "snapshot", ".bin", made[1])
        snapshot_path = snapshot.relative_to(site_dir).as_posix()
        files[snapshot_path] = snapshot_digest
    stdlib_path = stdlib.relative_to(site_dir).as_posix()
    files[stdlib_path] = digest
    return {"stdlib": stdlib_path, "snapshot": snapshot_path, "compiled": made is not None, "files": files}


def _lock_info(project_root: Path) -> dict[str, object]:
    lock = project_root / "node_modules" / "pyodide" / "pyodide-lock.json"
    return dict(json.loads(lock.read_text(encoding="utf-8"))["info"])


def write_runtime(site_dir: Path, project_root: Path) -> dict[str, object]:
    """Copy Pyodide, bundle the calculators and write the manifest the worker reads.

    Returns the manifest, e.g.::

        {"pyodide": {"version": "314.0.7", "path": "pyodide/314.0.7/", "lock": {...}},
         "stdlib": "pyodide/314.0.7/stdlib-0123456789ab.zip", "stdlib_compiled": true,
         "snapshot": "pyodide/314.0.7/snapshot-0123456789ab.bin",
         "bundle": "calculators-0123456789ab.zip",
         "files": {"pyodide/314.0.7/pyodide.mjs": "<sha256>", ...,
                   "assets/calculateurs/calculators-0123456789ab.zip": "<sha256>"}}

    ``files`` lists every file the worker loads; the browser refuses any file whose bytes do
    not have the listed sha256 (``fetch`` with ``integrity``), and fetches nothing unlisted.

    Paths are relative to the site root. Call it after ``donnees/`` is written so that the
    manifest also lists the vocabulary and call JSON files. Raises :class:`RuntimeMissing` (telling to run
    ``npm ci``) when Pyodide is not installed.
    """
    site_dir, project_root = Path(site_dir), Path(project_root)
    version, pyodide_hashes = copy_pyodide(site_dir, project_root)
    stdlib = write_stdlib(site_dir, project_root, version)
    bundle, bundle_hash = write_bundle(site_dir, project_root)
    pyodide_path = f"pyodide/{version}/"
    files = {pyodide_path + name: digest for name, digest in pyodide_hashes.items()}
    files.update(stdlib["files"])
    files[(ASSETS_DIR / bundle).as_posix()] = bundle_hash
    # The data the worker fetches, when the build wrote it before calling us.
    data_dir = site_dir / "donnees"
    for path in sorted([data_dir / "vocabulaire.json", *(data_dir / "appels").glob("*.json")]):
        if path.is_file():
            files[path.relative_to(site_dir).as_posix()] = sha256_of(path)
    manifest: dict[str, object] = {
        "pyodide": {"version": version, "path": pyodide_path, "lock": _lock_info(project_root)},
        "stdlib": stdlib["stdlib"],
        "stdlib_compiled": stdlib["compiled"],
        "snapshot": stdlib["snapshot"],
        "bundle": bundle,
        "files": dict(sorted(files.items())),
    }
    write_manifest(site_dir / ASSETS_DIR / MANIFEST, manifest)
    return manifest


def write_manifest(target: Path, manifest: dict[str, object]) -> None:
    """Write a runtime manifest as sorted JSON, leaving the file untouched when it says the same
    (a `mkdocs serve` reload then keeps its date and the browser's cached copy)."""
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if not (target.is_file() and target.read_text(encoding="utf-8") == text):
        target.write_text(text, encoding="utf-8")
