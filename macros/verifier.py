"""Ship what « Vérifier un fichier d'appel » (``/publier/verifier/``) runs in the browser.

The page checks a call file with the build's own code (:mod:`callfiles.draft`, which calls
:func:`callfiles.corpus.load_corpus`) under the site's Pyodide, and previews it with the
build's own templates (:mod:`macros.draft_page`). Called once per build, after
:func:`macros.runtime.write_runtime` (whose Pyodide copy it reuses), it writes

- ``assets/verifier/verifier-<hash>.zip``: the project's ``callfiles``, ``calculators`` and the
  few ``macros`` modules and templates the preview renders, ``calls/schema.json``, and the
  pure-Python parts of their third-party dependencies — PyYAML (its pure-Python reader; the
  libyaml extension is left out), jsonschema with referencing and jsonschema-specifications,
  attrs, fastjsonschema, Jinja2, MarkupSafe (its pure fallback), Markdown — taken from the
  wheels PyPI publishes for the versions the build itself runs (:func:`wheels`), plus
  ``rpds.py``, a pure-Python stand-in for rpds-py, the one compiled dependency
  (``macros/browser/rpds_standin.py``, shipped as ``rpds.py``);
- ``pyodide/<version>/python_stdlib-<hash>.zip``: Pyodide's whole standard library (the
  calculators' trimmed one lacks what jsonschema and Jinja import);
- ``donnees/referentiel/*.yaml``, ``donnees/appels/<id>.yaml``, ``donnees/sources/<nom>.txt``:
  the referentiel, call files and source texts exactly as the build read them (a draft
  naming a framework or a source text is checked against them);
- ``assets/verifier/manifest.json``: every file the checking page's worker loads, with its
  SHA-256, which the browser checks before using any of them (as the calculators' manifest).

Only the checking page loads any of this: no other page links the worker.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zoneinfo
from pathlib import Path, PurePosixPath
from typing import Any

from macros.runtime import CACHE_DIR, STOCK_STDLIB, ZIP_DATE, _write_named, package_sources, sha256_of, write_manifest

log = logging.getLogger("mkdocs.hooks.verifier")

ASSETS_DIR = Path("assets") / "verifier"
MANIFEST = "manifest.json"

DISTRIBUTIONS = {
    # distribution on PyPI → top-level packages kept from its wheel
    "PyYAML": ("yaml",),
    "jsonschema": ("jsonschema",),
    "referencing": ("referencing",),
    "jsonschema-specifications": ("jsonschema_specifications",),
    "attrs": ("attr", "attrs"),
    "fastjsonschema": ("fastjsonschema",),
    "Jinja2": ("jinja2",),
    "MarkupSafe": ("markupsafe",),
    "Markdown": ("markdown",),
    "tzdata": ("tzdata",),
}
"""What the check and the preview import beyond the standard library and the project."""

PROJECT_MODULES = ("callfiles", "calculators")
MACROS_MODULES = ("__init__.py", "pages.py", "contacts.py", "sources.py", "draft_page.py")
SHIM = Path(__file__).resolve().parent / "browser" / "rpds_standin.py"  # shipped as rpds.py
WHEEL_CACHE = CACHE_DIR / "pypi"
SKIPPED_PARTS = {"tests", "benchmarks", "__pycache__"}


class WheelsMissing(RuntimeError):
    """The wheels of the check's dependencies are neither cached nor downloadable."""


def pinned() -> dict[str, str]:
    """Each dependency at the version installed for the build: the browser runs the same code."""
    return {name: importlib.metadata.version(name) for name in DISTRIBUTIONS}


def _wheel_for(cache: Path, name: str, version: str) -> Path | None:
    prefix = f"{name.replace('-', '_').lower()}-{version}-"
    return next((p for p in sorted(cache.glob("*.whl")) if p.name.lower().startswith(prefix)), None)


def wheels(project_root: Path) -> dict[str, Path]:
    """The wheel of every dependency, from ``node_modules/.cache/appels-sante/pypi/``, downloaded
    from PyPI by ``pip download`` when missing (``bash scripts/dev.sh setup`` fills it)."""
    cache = project_root / WHEEL_CACHE
    versions = pinned()
    missing = [f"{name}=={version}" for name, version in versions.items() if _wheel_for(cache, name, version) is None]
    if missing:
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                   "--dest", str(cache), *missing]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise WheelsMissing(f"pip download failed ({error}); run `bash scripts/dev.sh setup` with access to PyPI") from None
        if result.returncode != 0:
            raise WheelsMissing(f"pip download {' '.join(missing)} failed: {result.stderr.strip()[-400:]} ; "
                                "run `bash scripts/dev.sh setup` with access to PyPI")
    found = {name: _wheel_for(cache, name, version) for name, version in versions.items()}
    absent = [name for name, path in found.items() if path is None]
    if absent:
        raise WheelsMissing(f"no wheel for {', '.join(absent)} in {cache}")
    return found  # type: ignore[return-value]


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    """The time zones a call file may name (the schema's enum): the only ones the page needs."""
    schema = json.loads((Path(__file__).resolve().parent.parent / "calls" / "schema.json").read_text(encoding="utf-8"))
    return frozenset(schema["properties"]["timezone"]["enum"])


def _kept(path: str, packages: tuple[str, ...]) -> bool:
    parts = PurePosixPath(path).parts
    if not parts or parts[0].removesuffix(".py") not in packages or SKIPPED_PARTS & set(parts):
        return False
    if parts[0] == "tzdata" and len(parts) > 2:  # tzdata/zoneinfo/<Area>/<City>: the schema's zones only
        zone = "/".join(parts[2:])
        return zone in _zones() or zone.endswith("__init__.py") and (len(parts) == 3 or any(
            z.startswith(parts[2] + "/") for z in _zones()))
    # Python sources, and the metaschemas jsonschema-specifications reads; never a compiled extension.
    return path.endswith(".py") or (parts[0] == "jsonschema_specifications" and path.endswith(".json"))


def bundle_bytes(project_root: Path) -> bytes:
    """The check's Python, as a zip whose bytes depend only on its sources (sorted, dated 1980)."""
    entries: dict[str, bytes] = {}
    for name, wheel in wheels(project_root).items():
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if _kept(member, DISTRIBUTIONS[name]):
                    entries[member] = archive.read(member)
    entries["rpds.py"] = SHIM.read_bytes()
    # Pyodide leaves zoneinfo out of its standard library; the build's own (pure Python when its C
    # accelerator is missing) turns a call's local deadline into UTC, with tzdata's files above.
    for path in sorted(Path(zoneinfo.__file__).parent.glob("*.py")):
        entries[f"zoneinfo/{path.name}"] = path.read_bytes()
    for path in package_sources(project_root):  # the calculators, as in their own bundle
        entries[path.relative_to(project_root).as_posix()] = path.read_bytes()
    for path in sorted((project_root / "callfiles").glob("*.py")):
        entries[f"callfiles/{path.name}"] = path.read_bytes()
    for name in MACROS_MODULES:
        entries[f"macros/{name}"] = (project_root / "macros" / name).read_bytes()
    for path in sorted((project_root / "macros" / "templates").glob("*.j2")):
        entries[f"macros/templates/{path.name}"] = path.read_bytes()
    entries["calls/schema.json"] = (project_root / "calls" / "schema.json").read_bytes()
    # Compressing takes about a second: cached by content, so that a `mkdocs serve` reload does not pay it.
    key = hashlib.sha256()
    for name in sorted(entries):
        key.update(name.encode() + b"\0" + hashlib.sha256(entries[name]).digest())
    cached = project_root / CACHE_DIR / f"verifier-{key.hexdigest()[:24]}.zip"
    if cached.is_file():
        return cached.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, entries[name])
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, cached)  # atomic: two builds at once never read half a file
    for old in cached.parent.glob("verifier-*.zip"):
        if old != cached and not old.name.startswith("verifier-stdlib-"):
            old.unlink(missing_ok=True)
    return buffer.getvalue()


ENTRY_POINTS = ("macros.draft_page", "markdown.extensions.attr_list", "markdown.extensions.md_in_html",
                "markdown.extensions.tables", "markdown.extensions.toc", "markdown.extensions.admonition",
                "html.parser", "jsonschema", "fastjsonschema", "yaml")
"""What the worker imports (``macros.draft_page`` and what it loads on a first check; Markdown
loads a private copy of ``html.parser``, which the trim must keep): the
standard library is trimmed to what these can import (macros/stdlib_compile.py)."""
COMPILER = Path(__file__).resolve().parent / "verifier_stdlib.mjs"


def compiled_stdlib(project_root: Path, bundle: bytes, version: str) -> bytes | None:
    """Pyodide's standard library trimmed to what the check imports, compiled to ``.pyc`` by
    Pyodide itself under Node (a start-up without compiling ~2 MB of sources); cached under
    ``node_modules/.cache/``. None when Node cannot make it: the stock library is shipped then."""
    from macros.runtime import NODE_TIMEOUT_S, STDLIB_PROGRAM

    key = hashlib.sha256()
    for part in (version, hashlib.sha256(bundle).hexdigest(), sha256_of(COMPILER), sha256_of(STDLIB_PROGRAM), *ENTRY_POINTS):
        key.update(part.encode() + b"\0")
    cached = project_root / CACHE_DIR / f"verifier-stdlib-{key.hexdigest()[:24]}.zip"
    if cached.is_file():
        return cached.read_bytes()
    node = shutil.which("node")
    if node is None:
        return None
    with tempfile.TemporaryDirectory(prefix="verifier-stdlib-") as tmp:
        bundle_path, output = Path(tmp) / "verifier.zip", Path(tmp) / "stdlib.zip"
        bundle_path.write_bytes(bundle)
        command = [node, str(COMPILER), str(project_root / "node_modules" / "pyodide"), str(bundle_path), str(output),
                   *ENTRY_POINTS]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=NODE_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            log.info("Could not compile the checking page's standard library (%s): shipping it uncompiled", error)
            return None
        if result.returncode != 0 or not output.is_file():
            log.info("Could not compile the checking page's standard library: %s",
                     (result.stderr or result.stdout).strip()[-500:])
            return None
        data = output.read_bytes()
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, cached)
    for old in cached.parent.glob("verifier-stdlib-*.zip"):
        if old != cached:
            old.unlink(missing_ok=True)
    return data


def _publish(source: Path, target: Path) -> None:
    if not (target.is_file() and target.stat().st_size == source.stat().st_size and target.read_bytes() == source.read_bytes()):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def publish_sources(site_dir: Path, calls: Path) -> list[Path]:
    """Copy the referentiel, the call files and the source texts as the build read them; return the copies."""
    written = []
    pairs = [(calls / "_referentiel" / name, site_dir / "donnees" / "referentiel" / name)
             for name in ("vocabulaire.yaml", "financeurs.yaml")]
    pairs += [(path, site_dir / "donnees" / "appels" / path.name) for path in sorted(calls.glob("*.yaml"))]
    pairs += [(path, site_dir / "donnees" / "sources" / path.name) for path in sorted((calls / "_sources").glob("*.txt"))]
    for source, target in pairs:
        _publish(source, target)
        written.append(target)
    return written


def write_verifier(site_dir: Path, project_root: Path, runtime: dict[str, Any]) -> dict[str, object]:
    """Write the checking page's files and manifest next to the calculators' runtime; return the manifest."""
    site_dir, project_root = Path(site_dir), Path(project_root)
    pyodide = runtime["pyodide"]
    version = pyodide["version"]
    files = {path: digest for path, digest in runtime["files"].items()
             if path.startswith(str(pyodide["path"]))
             and path.rsplit("/", 1)[-1] in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")}
    bundle_data = bundle_bytes(project_root)
    stdlib, digest = _write_named(site_dir / "pyodide" / version, "verifier_stdlib", ".zip",
                                  compiled_stdlib(project_root, bundle_data, str(version))
                                  or (project_root / "node_modules" / "pyodide" / STOCK_STDLIB).read_bytes())
    files[stdlib.relative_to(site_dir).as_posix()] = digest
    bundle, digest = _write_named(site_dir / ASSETS_DIR, "verifier", ".zip", bundle_data)
    files[bundle.relative_to(site_dir).as_posix()] = digest
    for path in publish_sources(site_dir, project_root / "calls"):
        files[path.relative_to(site_dir).as_posix()] = sha256_of(path)
    manifest = {
        "pyodide": pyodide,
        "stdlib": stdlib.relative_to(site_dir).as_posix(),
        "bundle": bundle.relative_to(site_dir).as_posix(),
        "files": dict(sorted(files.items())),
    }
    write_manifest(site_dir / ASSETS_DIR / MANIFEST, manifest)
    return manifest
