"""Shared fixtures: the project root, the loaded corpus, and one built site per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Browser fixtures (browser, new_page, serve…) for every test module, from one Playwright instance.
pytest_plugins = ["browser_support"]

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "calls"


@pytest.fixture(scope="session")
def corpus():
    from callfiles.corpus import load_corpus

    return load_corpus(CALLS)


@pytest.fixture(scope="session")
def rule_corpus(tmp_path_factory):
    """The seed calls plus the synthetic ones of ``tests/synthetic/`` (the rule cases' corpus)."""
    from cases_support import synthetic_corpus

    return synthetic_corpus(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="session")
def synthetic_site(tmp_path_factory) -> Path:
    """The site built from ``calls/`` plus the synthetic calls of ``tests/synthetic/`` (never published)."""
    from cases_support import SYNTHETIC_DIR

    work = tmp_path_factory.mktemp("synthetic-site")
    extra = {path.name: path.read_text(encoding="utf-8") for path in SYNTHETIC_DIR.glob("*.yaml")}
    result = build_copy(project_copy(work / "project", calls=extra), work / "site")
    assert result.returncode == 0, result.stderr
    return work / "site"


def build_site(destination: Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` into ``destination``; return the finished process."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(destination)]
    if config:
        command += ["-f", str(config)]
    cwd = config.parent if config else ROOT
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site built once for the whole session (each xdist worker builds its own)."""
    destination = tmp_path_factory.mktemp("site")
    result = build_site(destination)
    assert result.returncode == 0, result.stderr
    return destination


def site_bundle(site: Path, *call_ids: str):
    """A calculators ``Bundle`` loaded from the built site's published JSON, as the browser worker loads it.

    CPython's side of every browser comparison: same vocabulary and call files, same entry
    points (``evaluate_text``, ``budget_page_text``).
    """
    from calculators.api import Bundle

    bundle = Bundle()
    bundle.load_vocabulary((site / "donnees" / "vocabulaire.json").read_text(encoding="utf-8"))
    for call_id in call_ids:
        bundle.load_call((site / "donnees" / "appels" / f"{call_id}.json").read_text(encoding="utf-8"))
    return bundle


PRODUCT_EXAMPLE = {  # the budget of PRODUCT.md: 6 h × 75 €, 300 € of posters (200 € asked), 10 h × 40 € in kind
    "actions": [
        {"title": "Ateliers collectifs",
         "lines": [
             {"category": "personnel", "profession": "medecin", "hours": 6, "hourly_rate": "75", "funder": "450"},
             {"category": "communication", "label": "Affiches FALC", "amount": "300", "funder": "200"},
             {"category": "personnel", "profession": "coordinateur", "hours": 10, "hourly_rate": "40", "in_kind": True},
         ]},
    ],
    "cofunders": [{"name": "Ville de Dunkerque", "amount": "100", "status": "requested"}],
}


COPIED = ("mkdocs.yml", "docs", "overrides", "calls", "macros", "calculators", "package.json")


def project_copy(destination: Path, calls: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> Path:
    """A throw-away copy of the project (sharing node_modules) with extra or removed call files.

    ``calls`` maps a file name in ``calls/`` to its text; ``drop`` lists call files to remove.
    """
    import shutil

    destination.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    (destination / "node_modules").symlink_to(ROOT / "node_modules")
    for name in drop:
        (destination / "calls" / name).unlink()
    for name, text in (calls or {}).items():
        (destination / "calls" / name).write_text(text, encoding="utf-8")
    return destination


def build_copy(project: Path, output: Path) -> subprocess.CompletedProcess[str]:
    """Build a :func:`project_copy` with ``mkdocs build --strict``."""
    return build_site(output, project / "mkdocs.yml")
