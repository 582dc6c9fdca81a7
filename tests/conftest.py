"""Shared fixtures: the project root, the loaded corpus, and one built site per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "calls"


@pytest.fixture(scope="session")
def corpus():
    from callfiles.corpus import load_corpus

    return load_corpus(CALLS)


def build_site(destination: Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` into ``destination``; return the finished process."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(destination)]
    if config:
        command += ["-f", str(config)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site built once for the whole session (each xdist worker builds its own)."""
    destination = tmp_path_factory.mktemp("site")
    result = build_site(destination)
    assert result.returncode == 0, result.stderr
    return destination
