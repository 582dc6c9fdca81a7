"""The service worker that keeps the site usable offline (``sw.js`` at the site's root).

Called once per build, after :func:`macros.runtime.write_runtime`::

    write_service_worker(site_dir, manifest)

It fills in ``macros/sw.js`` (what it caches and how: see that file) with

- ``VERSION``: derived from the calculators' manifest and the worker's own source, so that a
  build that changes the calculators, their data or the worker gets a new cache and the old
  ones are deleted (a build changing only pages keeps the cache: pages are fetched network
  first anyway);
- ``RUNTIME``: the files the calculators load, kept as a whole once a calculator has been
  ready on this device (the manifest's files but the calls' data, which are kept call by
  call, and the memory snapshot, which the calculators' worker keeps itself), with the
  manifest, the calculators' scripts and styles.

Pages register it through ``assets/hors-ligne.js`` with the site's root as scope, so it works
under a sub-path (GitHub Pages' ``/<repo>/``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "sw.js"
TARGET = "sw.js"
CALCULATORS_DIR = Path("assets") / "calculateurs"


def runtime_files(site_dir: Path, manifest: dict[str, object]) -> list[str]:
    """What ``garder-calculateurs`` keeps: paths relative to the site root, sorted."""
    files = manifest.get("files", {})
    assert isinstance(files, dict)
    paths = {path for path in files
             if not path.startswith("donnees/appels/") and path != manifest.get("snapshot")}
    paths.add((CALCULATORS_DIR / "manifest.json").as_posix())
    for pattern in ("*.js", "*.css"):
        paths.update(path.relative_to(site_dir).as_posix() for path in (site_dir / CALCULATORS_DIR).glob(pattern))
    return sorted(paths)


def service_worker(site_dir: Path, manifest: dict[str, object]) -> str:
    """The text of ``sw.js`` for this build."""
    template = TEMPLATE.read_text(encoding="utf-8")
    version = hashlib.sha256(
        json.dumps(manifest, sort_keys=True).encode() + b"\0" + template.encode()).hexdigest()[:16]
    return (template.replace('"__VERSION__"', json.dumps(version))
            .replace("__RUNTIME__", json.dumps(runtime_files(site_dir, manifest))))


def write_service_worker(site_dir: Path, manifest: dict[str, object]) -> Path:
    """Write ``sw.js`` at the root of ``site_dir`` (only when its text changed); return its path."""
    site_dir = Path(site_dir)
    text = service_worker(site_dir, manifest)
    target = site_dir / TARGET
    if not (target.is_file() and target.read_text(encoding="utf-8") == text):
        target.write_text(text, encoding="utf-8")
    return target
