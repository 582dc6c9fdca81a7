"""What the source-text pages cost: search index with and without them, and the quote check.

    .venv/bin/python benchmarks/source_pages.py

Builds the seed site twice in a temporary copy of the project — as shipped (source pages kept
out of the search index by their front matter) and with them indexed — and prints the size of
the Pagefind index, ``pagefind/`` (raw and gzip), for both, with the ratio. A visitor's query
loads only a few of its files; the total says what the texts would add to the build's output. Then times the work the
build adds per call file: parsing each text once and finding every rule's quote in it (median
of repeated runs, on a fresh parse each time, so no citation comes from a cache).
"""

from __future__ import annotations

import gzip
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from callfiles.corpus import load_corpus  # noqa: E402 - after the path set-up
from callfiles.sources import parse  # noqa: E402

COPIED = ("mkdocs.yml", "docs", "overrides", "calls", "macros", "calculators", "callfiles", "package.json")


def build(project: Path, site: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)], cwd=project, env=env,
                   check=True)
    return time.perf_counter() - start


def index_size(site: Path) -> tuple[int, int]:
    """The whole Pagefind index (macros/search.py): raw, and gzip (its index files are compressed already)."""
    files = [p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()]
    return sum(len(d) for d in files), sum(min(len(d), len(gzip.compress(d))) for d in files)


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        project = Path(work) / "project"
        project.mkdir()
        for name in COPIED:
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / name)
        (project / "node_modules").symlink_to(ROOT / "node_modules")
        build(project, Path(work) / "site-excluded")
        template = project / "macros" / "templates" / "source.md.j2"
        template.write_text(template.read_text(encoding="utf-8").replace("  exclude: true", "  exclude: false"),
                            encoding="utf-8")
        build(project, Path(work) / "site-indexed")
        excluded, indexed = index_size(Path(work) / "site-excluded"), index_size(Path(work) / "site-indexed")
        pages = sum(f.stat().st_size for f in (Path(work) / "site-excluded" / "textes").rglob("*.html"))
    corpus = load_corpus(ROOT / "calls")
    texts = {name: (ROOT / "calls" / "_sources" / name).read_text(encoding="utf-8") for name in corpus.sources}
    quotes = [(c.source.file, r.info.quote) for c in corpus.calls.values() if c.source.file
              for r in (*c.budget_rules, *c.eligibility_rules)]
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        parsed = {name: parse(name, text) for name, text in texts.items()}
        for name, quote in quotes:
            assert parsed[name].cite(quote).block is not None
        runs.append(time.perf_counter() - start)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"source pages: {len(texts)} texts, {pages / 1024:.0f} KiB of HTML")
    print(f"search index, source pages excluded (as shipped): {excluded[0] / 1024:.0f} KiB, gzip {excluded[1] / 1024:.0f} KiB")
    print(f"search index, source pages indexed:               {indexed[0] / 1024:.0f} KiB, gzip {indexed[1] / 1024:.0f} KiB")
    print(f"ratio indexed / excluded: {indexed[0] / excluded[0]:.2f} raw, {indexed[1] / excluded[1]:.2f} gzip")
    median = statistics.median(runs)
    print(f"parsing {len(texts)} texts and finding {len(quotes)} quotes: median {median * 1000:.1f} ms "
          f"({median / len(quotes) * 1e6:.0f} µs a quote, parse included)")


if __name__ == "__main__":
    main()
