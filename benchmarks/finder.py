"""The finder (/trouver/) at national scale: bytes before the first results, time to update the list.

    .venv/bin/python benchmarks/finder.py                    # 1 000 and 5 000 synthetic calls
    .venv/bin/python benchmarks/finder.py --sizes 200        # a quick check of the script
    .venv/bin/python benchmarks/finder.py --index-only       # only the time the build spends on the index

For each size, in a temporary copy of the project whose ``calls/`` is filled by
``benchmarks/synthetic.py`` (as ``build_scale.py`` does), it builds the site, then in headless
Chromium against localhost:

- **bytes before the first results** on a cold visit: the page's HTML, ``donnees/trouver.json``
  and the scripts it runs (``trouver.js``, the ``common.js`` it imports, ``site.js``), gzip-compressed
  as a static host serves them (Material's own CSS, JS and fonts excluded, as the goal says); and the raw sizes;
- **time from an answer change to the updated list**: the structure type is changed 40 times
  (cycling through the types), each time from the ``change`` event to the end of the update
  (the list is rebuilt synchronously), and to the next frame; median and p95.

Goals (issue « Quels appels pour ma structure ? »): ≤ 300 kB gzip at 5 000 calls; median ≤ 50 ms
and p95 ≤ 100 ms at 5 000 calls. The seed site (17 calls) is measured first as the baseline.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from browser_support import launch_chromium, serve_directory, wait_until  # noqa: E402
from build_scale import make_project, mkdocs_build  # noqa: E402

FILES = ("trouver/index.html", "donnees/trouver.json", "assets/trouver.js", "assets/calculateurs/common.js", "assets/site.js")
FRAGMENT = "#type=association&dep=59&date=2025-01-20"


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def measure(site: Path, label: str, runs: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    raw = sum((site / f).stat().st_size for f in FILES)
    packed = sum(gzip_size(site / f) for f in FILES)
    index = site / "donnees" / "trouver.json"
    with serve_directory(site) as base, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.goto(base + "trouver/" + FRAGMENT)
        wait_until(page, "() => document.querySelector('.aap-finder')?.dataset.state === 'ready'", timeout=120)
        wait_until(page, "() => document.querySelectorAll('.aap-result').length > 0", timeout=60)
        times = page.evaluate("""async (runs) => {
            const select = document.getElementById('trouver-type');
            const values = [...select.options].map(o => o.value).filter(Boolean);
            const sync = [], frame = [];
            for (let i = 0; i < runs; i++) {
                select.value = values[(i + 1) % values.length];
                const start = performance.now();
                select.dispatchEvent(new Event('change', {bubbles: true}));
                sync.push(performance.now() - start);
                await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
                frame.push(performance.now() - start);
            }
            return {sync, frame};
        }""", runs)
        browser.close()
    sync, frame = sorted(times["sync"]), sorted(times["frame"])
    p95 = lambda xs: xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]  # noqa: E731
    result = {"raw_kb": raw / 1000, "gzip_kb": packed / 1000, "index_gzip_kb": gzip_size(index) / 1000,
              "update_median_ms": statistics.median(sync), "update_p95_ms": p95(sync),
              "frame_median_ms": statistics.median(frame), "frame_p95_ms": p95(frame)}
    print(f"{label:>12}: first results need {result['gzip_kb']:.0f} kB gzip ({result['raw_kb']:.0f} kB raw; "
          f"index {result['index_gzip_kb']:.0f} kB gzip); answer change → list updated: median "
          f"{result['update_median_ms']:.1f} ms, p95 {result['update_p95_ms']:.1f} ms (to next frame: median "
          f"{result['frame_median_ms']:.1f} ms, p95 {result['frame_p95_ms']:.1f} ms)", flush=True)
    return result


def index_time(project: Path, repeat: int = 3) -> tuple[int, float]:
    """(calls, median seconds) of building the finder's index for ``project``'s calls, corpus loaded."""
    from calculators import finder
    from callfiles.corpus import load_corpus

    corpus = load_corpus(project / "calls")
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        finder.index(corpus.calls.values(), corpus.vocabulary, lambda _call, _rule: None)
        runs.append(time.perf_counter() - start)
    return len(corpus.calls), statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000", help="numbers of calls, comma-separated")
    parser.add_argument("--runs", type=int, default=40, help="answer changes timed per size")
    parser.add_argument("--index-only", action="store_true",
                        help="only time the build of the index (no site, no browser)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    if args.index_only:
        calls, seconds = index_time(ROOT)
        print(f"{'seed site':>12}: index of {calls} calls built in {seconds * 1000:.0f} ms (median of 3)")
        with tempfile.TemporaryDirectory() as work:
            for size in (int(s) for s in args.sizes.split(",")):
                calls, seconds = index_time(make_project(Path(work) / f"project-{size}", size))
                print(f"{size:>6} calls: index built in {seconds:.1f} s (median of 3), "
                      f"{seconds / calls * 1000:.1f} ms a call")
        return
    with tempfile.TemporaryDirectory() as work:
        seeds = Path(work) / "seeds"
        mkdocs_build(ROOT, seeds)
        baseline = measure(seeds, "seed site", args.runs)
        for size in (int(s) for s in args.sizes.split(",")):
            project = make_project(Path(work) / f"project-{size}", size)
            site = Path(work) / f"site-{size}"
            mkdocs_build(project, site)
            result = measure(site, f"{size} calls", args.runs)
            print(f"{'':>12}  ratio to the seed site: bytes ×{result['gzip_kb'] / baseline['gzip_kb']:.1f}, "
                  f"update time ×{result['update_median_ms'] / max(baseline['update_median_ms'], 0.01):.1f}")
            shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    main()
