"""« Vérifier un fichier d'appel »: bytes and time to the first report, beside the calculators' start-up.

    .venv/bin/python benchmarks/verifier_startup.py [--site DIR] [--runs 3]

Without ``--site`` the site is built with ``mkdocs build --strict`` into a temporary directory.
Served as in ``benchmarks/calculators_startup.py`` (local ``http.server``, no compression,
revalidation): "cold" is a new browser context (empty cache), "warm" a second visit in it.

Prints, medians over ``--runs``:

a. the checking page: navigation → first report for the seed call file (file input), cold
   and warm, and navigation → worker ready;
b. the calculators' budget page: navigation → calculator ready, cold and warm (the baseline,
   measured in the same run), and the ratios a/b;
c. bytes of the site's files fetched (cold, workers included; uncompressed) by the checking page until its first report,
   by the budget page until ready, and by the « Publier un appel » guidance page, which must
   not grow with the check (it loads none of it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from browser_support import serve_directory, wait_until  # noqa: E402
from conftest import build_site  # noqa: E402

SEED = ROOT / "calls" / "cpam-flandres-2025.yaml"
CHECK_PAGE = "publier/verifier/"
BUDGET_PAGE = "appels/cpam-flandres-2025/budget/"
GUIDANCE_PAGE = "publier/"
READY = "() => document.getElementById('verif-etat')?.dataset.phase === 'ready'"


def first_report(page: Any, base: str) -> tuple[float, float]:
    """Navigate to the checking page, open the seed file at once; (ms to worker ready, ms to the report)."""
    start = time.perf_counter()
    page.goto(base + CHECK_PAGE)
    page.set_input_files("#verif-fichier", str(SEED))
    wait_until(page, READY + " || document.getElementById('verif-resultat')?.dataset.run", timeout=180)
    ready = (time.perf_counter() - start) * 1000
    wait_until(page, "() => document.getElementById('verif-resultat')?.dataset.run === '1'", timeout=180)
    report = (time.perf_counter() - start) * 1000
    if page.get_attribute("#verif-resultat", "data-valid") != "true":
        raise SystemExit("the seed call file was not reported valid: " + page.inner_text("#verif-problemes"))
    return ready, report


def guidance(page: Any, base: str) -> None:
    page.goto(base + GUIDANCE_PAGE, wait_until="load")


def fetched_into(urls: list[str]) -> Any:
    return lambda request: urls.append(request.url)


def served_bytes(site: Path, base: str, urls: list[str]) -> int:
    """Bytes of the site's files behind ``urls`` (uncompressed, as the local server sends them)."""
    total = 0
    for url in dict.fromkeys(urls):
        if not url.startswith(base):
            continue
        path = site / url[len(base):].split("#")[0].split("?")[0]
        path = path / "index.html" if path.is_dir() else path
        total += path.stat().st_size if path.is_file() else 0
    return total


def calculator_ready(page: Any, base: str) -> float:
    start = time.perf_counter()
    page.goto(base + BUDGET_PAGE)
    wait_until(page, "() => window.calculators && window.calculators.status().phase === 'ready'", timeout=180)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from browser_support import launch_chromium
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            result = build_site(site)
            if result.returncode:
                raise SystemExit(result.stderr)
        figures: dict[str, list[float]] = {}
        with serve_directory(site) as base, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for _ in range(max(3, args.runs)):
                context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
                page = context.new_page()
                for visit in ("cold", "warm"):
                    ready, report = first_report(page, base)
                    figures.setdefault(f"check {visit}: ready", []).append(ready)
                    figures.setdefault(f"check {visit}: first report", []).append(report)
                context.close()
                context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
                page = context.new_page()
                for visit in ("cold", "warm"):
                    figures.setdefault(f"calculators {visit}: ready", []).append(calculator_ready(page, base))
                context.close()
            sizes = {}
            for name, action in (
                    ("checking page, until the first report", first_report),
                    ("budget page, until ready", calculator_ready),
                    ("« Publier un appel » guidance page", guidance)):
                context = browser.new_context()
                page = context.new_page()
                fetched: list[str] = []
                page.on("requestfinished", fetched_into(fetched))  # workers' requests included
                action(page, base)
                sizes[name] = served_bytes(site, base, fetched)
                context.close()
            browser.close()
    median = {key: statistics.median(values) for key, values in figures.items()}
    print(f"Machine: {sys.platform}, {__import__('os').cpu_count()} CPU; medians of {max(3, args.runs)} runs")
    for key, value in median.items():
        print(f"  {key:<34} {value:8.0f} ms")
    for visit in ("cold", "warm"):
        ratio = median[f"check {visit}: first report"] / median[f"calculators {visit}: ready"]
        print(f"  ratio check first report / calculators ready ({visit}): {ratio:.2f}")
    for key, value in sizes.items():
        print(f"  bytes, {key:<40} {value:>11,}".replace(",", " "))


if __name__ == "__main__":
    main()
