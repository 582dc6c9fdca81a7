"""Ship the browser runtime of the calculators: Pyodide's core files and the rules package.

Called once per build (``on_post_build``) with the built site directory::

    manifest = write_runtime(Path(config.site_dir), project_root)

It writes

- ``pyodide/<version>/``: the Pyodide core files, copied from ``node_modules/pyodide``
  (installed by ``npm ci`` from ``package-lock.json``); the version is in the path so that
  a new Pyodide never meets a stale cached file;
- ``assets/calculateurs/calculators-<hash>.zip``: the ``calculators`` package, zipped
  deterministically (same sources, same bytes, same name);
- ``assets/calculateurs/manifest.json``: what the worker loads, with each file's sha256.

Only the standard library is used, and unchanged files are not copied again: the build
runs this on every ``mkdocs serve`` reload.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

PYODIDE_FILES = (
    "pyodide.mjs",          # the ES module the worker imports (loadPyodide)
    "pyodide.asm.mjs",      # the Emscripten glue it imports in turn
    "pyodide.asm.wasm",     # the interpreter
    "python_stdlib.zip",    # the standard library, mounted at start-up
    "pyodide-lock.json",    # the package index, fetched by a stock loadPyodide()
)
"""The files Pyodide 314 fetches at start-up; nothing else is shipped (no packages, no micropip)."""

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
    missing = [name for name in PYODIDE_FILES if not (source_dir / name).is_file()]
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


def _lock_info(project_root: Path) -> dict[str, object]:
    lock = project_root / "node_modules" / "pyodide" / "pyodide-lock.json"
    return dict(json.loads(lock.read_text(encoding="utf-8"))["info"])


def write_runtime(site_dir: Path, project_root: Path) -> dict[str, object]:
    """Copy Pyodide, bundle the calculators and write the manifest the worker reads.

    Returns the manifest, e.g.::

        {"pyodide": {"version": "314.0.7", "path": "pyodide/314.0.7/", "lock": {...}},
         "bundle": "calculators-0123456789ab.zip",
         "files": {"pyodide/314.0.7/pyodide.mjs": "<sha256>", ...,
                   "assets/calculateurs/calculators-0123456789ab.zip": "<sha256>"}}

    Paths are relative to the site root. Call it after ``donnees/`` is written so that the
    manifest also lists the vocabulary and call JSON files. Raises :class:`RuntimeMissing` (telling to run
    ``npm ci``) when Pyodide is not installed.
    """
    site_dir, project_root = Path(site_dir), Path(project_root)
    version, pyodide_hashes = copy_pyodide(site_dir, project_root)
    bundle, bundle_hash = write_bundle(site_dir, project_root)
    pyodide_path = f"pyodide/{version}/"
    files = {pyodide_path + name: digest for name, digest in pyodide_hashes.items()}
    files[(ASSETS_DIR / bundle).as_posix()] = bundle_hash
    # The data the worker fetches, when the build wrote it before calling us.
    data_dir = site_dir / "donnees"
    for path in sorted([data_dir / "vocabulaire.json", *(data_dir / "appels").glob("*.json")]):
        if path.is_file():
            files[path.relative_to(site_dir).as_posix()] = sha256_of(path)
    manifest: dict[str, object] = {
        "pyodide": {"version": version, "path": pyodide_path, "lock": _lock_info(project_root)},
        "bundle": bundle,
        "files": dict(sorted(files.items())),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    target = site_dir / ASSETS_DIR / MANIFEST
    if not (target.is_file() and target.read_text(encoding="utf-8") == text):
        target.write_text(text, encoding="utf-8")
    return manifest
