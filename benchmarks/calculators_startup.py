"""How fast the in-page calculators start and answer, in headless Chromium.

    .venv/bin/python benchmarks/calculators_startup.py [--site DIR] [--runs 5] [--json out.json]

Without ``--site`` the site is built with ``mkdocs build`` into a temporary directory (or,
while the build has no calculator pages yet, the stand-in of ``tests/calculator_site.py`` is
written). The site is served by a local ``http.server`` thread on 127.0.0.1 — no
compression, ``Cache-Control: no-cache`` (revalidation), so byte counts are uncompressed and
"warm" means "HTTP cache and V8/WebAssembly code cache filled, revalidated with 304s".

Measures, medians over ``--runs`` (at least 3):

a. a bare page running stock ``loadPyodide()`` on the main thread and one line of Python,
   cold (new browser context, empty cache) and warm (same context, second visit);
b. navigation → first displayed result on the CPAM des Flandres budget page, with an example
   budget in the link fragment, cold and warm; and the ratios b/a;
c. recalculation latency on a 40-line budget over at least 30 input changes, median and p95:
   input event → updated summary on screen (includes the 150 ms debounce), and the bare
   ``window.calculators.evaluate`` round trip;
d. bytes transferred by a guidance page and by a calculator page (cold, until ready);
e. the longest main-thread task while loading (PerformanceObserver "longtask").
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import http.server
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from browser_support import CHROMIUM_ARGS, QuietHandler, chromium_path  # noqa: E402

CALL = "cpam-flandres-2025"
BUDGET_PAGE = f"appels/{CALL}/budget/"
GUIDANCE_PAGE = f"appels/{CALL}/"
EXAMPLE = {
    "actions": [
        {"title": "Ateliers collectifs",
         "lines": [
             {"category": "personnel", "profession": "medecin", "hours": "6", "hourly_rate": "75", "funder": "450"},
             {"category": "communication", "label": "Affiches FALC", "amount": "300", "funder": "200"},
             {"category": "personnel", "profession": "coordinateur", "hours": "10", "hourly_rate": "40", "in_kind": True},
         ]},
    ],
    "cofunders": [{"name": "Ville de Dunkerque", "amount": "100", "status": "requested"}],
}
EXAMPLE_TOTAL = "1\u00a0150,00"

LONGTASKS = """
window.__longtasks = [];
try {
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push(e.duration); })
    .observe({ type: "longtask", buffered: true });
} catch (e) { /* not supported */ }
"""


def big_budget(lines: int = 40) -> dict[str, Any]:
    """A 40-line budget over 4 actions, every category of the annex represented."""
    professions = ["medecin", "infirmier", "psychologue", "animateur", "dieteticien"]
    actions = []
    for a in range(4):
        items: list[dict[str, Any]] = []
        for i in range(lines // 4):
            if i % 2 == 0:
                items.append({"category": "personnel", "profession": professions[i % 5], "hours": str(4 + i),
                              "hourly_rate": "40", "label": f"Atelier {i + 1}"})
            else:
                category = ["materiel", "communication", "formation", "deplacements", "location_salle"][i % 5]
                items.append({"category": category, "label": f"Poste {i + 1}", "amount": f"{100 + 10 * i},50",
                              "funder": f"{50 + 10 * i}"})
        actions.append({"title": f"Action {a + 1}", "lines": items})
    return {"actions": actions, "cofunders": [{"name": "Ville", "amount": "1 000", "status": "obtained"}]}


def fragment(draft: dict[str, Any]) -> str:
    """The « Copier le lien » fragment, uncompressed form: #brouillon=j<base64url(JSON)>."""
    data = base64.urlsafe_b64encode(json.dumps(draft, ensure_ascii=False).encode()).decode().rstrip("=")
    return f"#brouillon=j{data}"


def bare_page(pyodide_path: str) -> bytes:
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>loadPyodide</title></head><body><p id="out">…</p>
<script type="module">
import {{ loadPyodide }} from "/{pyodide_path}pyodide.mjs";
const pyodide = await loadPyodide();
const answer = pyodide.runPython("sum(range(10))");
window.__done = performance.now();
document.getElementById("out").textContent = String(answer);
</script></body></html>""".encode()


@contextlib.contextmanager
def serve(site: Path, extra: dict[str, bytes]) -> Iterator[str]:
    """Serve ``site`` and a few in-memory pages on 127.0.0.1 (a free port)."""

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path in extra:
                body = extra[path]
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def transferred(requests: list[Any]) -> tuple[int, list[tuple[str, int]]]:
    """Bytes received (headers + body, as on the wire) for finished requests."""
    sizes = []
    for request in requests:
        try:
            size = request.sizes()
        except Exception:  # noqa: BLE001 - a request that never finished counts for nothing
            continue
        sizes.append((request.url, size["responseBodySize"] + size["responseHeadersSize"]))
    return sum(size for _, size in sizes), sorted(sizes, key=lambda item: -item[1])


class Bench:
    def __init__(self, browser: Any, base: str):
        self.browser = browser
        self.base = base

    def context(self) -> Any:
        # bypass_csp: wait_for_function polls with eval, which the site's policy forbids.
        context = self.browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900},
                                           bypass_csp=True)
        context.add_init_script(LONGTASKS)
        return context

    def visit_bare(self, page: Any) -> tuple[float, float]:
        page.goto(self.base + "__bench__/bare.html")
        done = page.wait_for_function("window.__done", timeout=120_000, polling=50).json_value()
        return done, max(page.evaluate("window.__longtasks"), default=0.0)

    def visit_budget(self, page: Any, draft: dict[str, Any] = EXAMPLE, expect: str = EXAMPLE_TOTAL) -> tuple[float, float]:
        page.goto(self.base + BUDGET_PAGE + fragment(draft))
        shown = page.wait_for_function(
            """expect => { const s = document.querySelector('.calc-summary');
                           return s && s.textContent.includes(expect) ? performance.now() : false; }""",
            arg=expect, timeout=120_000, polling="raf").json_value()
        return shown, max(page.evaluate("window.__longtasks"), default=0.0)

    def cold_warm(self, visit: Any, runs: int) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {"cold": [], "warm": [], "cold_longtask": [], "warm_longtask": []}
        for _ in range(runs):
            context = self.context()
            page = context.new_page()
            for phase in ("cold", "warm"):
                elapsed, longest = visit(page)
                out[phase].append(elapsed)
                out[f"{phase}_longtask"].append(longest)
            context.close()
        return out

    def recalculation(self, changes: int) -> dict[str, list[float]]:
        context = self.context()
        page = context.new_page()
        draft = big_budget(40)
        page.goto(self.base + BUDGET_PAGE + fragment(draft))
        page.wait_for_function("document.querySelector('.calc-summary')?.textContent.includes('Coût total')",
                               timeout=120_000)
        displayed = page.evaluate(
            """async (changes) => {
                const inputs = [...document.querySelectorAll('input[data-name="hours"]')];
                const summary = document.querySelector('.calc-summary');
                const times = [];
                for (let i = 0; i < changes; i++) {
                  const input = inputs[i % inputs.length];
                  const before = summary.textContent;
                  const changed = new Promise((resolve) => {
                    const observer = new MutationObserver(() => {
                      if (summary.textContent !== before) { observer.disconnect(); resolve(performance.now()); }
                    });
                    observer.observe(summary, { childList: true, characterData: true, subtree: true });
                  });
                  input.value = String(100 + i) + ",5";
                  const start = performance.now();
                  input.dispatchEvent(new Event('input', { bubbles: true }));
                  const end = await changed;
                  await new Promise((r) => requestAnimationFrame(() => r()));
                  times.push(performance.now() - start);
                  void end;
                }
                return times;
            }""", changes)
        evaluate = page.evaluate(
            """async ([changes, input]) => {
                const times = [];
                for (let i = 0; i < changes; i++) {
                  input.actions[0].lines[0].hours = String(200 + i);
                  const start = performance.now();
                  await window.calculators.evaluate('budget', 'cpam-flandres-2025', input);
                  times.push(performance.now() - start);
                }
                return times;
            }""", [changes, draft])
        context.close()
        return {"displayed": displayed, "evaluate": evaluate}

    def bytes_for(self, path: str, ready: str) -> tuple[int, list[tuple[str, int]]]:
        context = self.context()
        page = context.new_page()
        requests: list[Any] = []
        page.on("requestfinished", lambda request: requests.append(request))
        page.goto(self.base + path)
        page.wait_for_function(ready, timeout=120_000)
        page.wait_for_timeout(500)
        result = transferred(requests)
        context.close()
        return result


def build(site: str | None, workdir: Path) -> tuple[Path, str]:
    if site:
        return Path(site), "given"
    from calculator_site import build_site, mkdocs_site

    built = mkdocs_site(workdir / "site")
    if built is not None:
        return built, "mkdocs build"
    return build_site(workdir / "stand-in"), "stand-in (the build has no calculator pages yet)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", help="a built site directory (default: build one)")
    parser.add_argument("--runs", type=int, default=5, help="runs per cold/warm figure (at least 3)")
    parser.add_argument("--changes", type=int, default=40, help="input changes for the recalculation figure (at least 30)")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    runs, changes = max(3, args.runs), max(30, args.changes)
    if chromium_path() is None:
        print("Chromium not found (Debian package `chromium`)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from macros.runtime import pyodide_version

    with tempfile.TemporaryDirectory(prefix="calc-bench-") as tmp:
        site, how = build(args.site, Path(tmp))
        manifest = json.loads((site / "assets" / "calculateurs" / "manifest.json").read_text(encoding="utf-8"))
        pyodide_path = manifest["pyodide"]["path"]
        extra = {"/__bench__/bare.html": bare_page(pyodide_path)}
        print(f"site: {site} ({how}); Pyodide {pyodide_version(ROOT)}; {runs} runs; Chromium {chromium_path()}")
        figures: dict[str, Any] = {}
        with serve(site, extra) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            bench = Bench(browser, base)
            started = time.time()
            figures["a"] = bench.cold_warm(bench.visit_bare, runs)
            figures["b"] = bench.cold_warm(bench.visit_budget, runs)
            figures["c"] = bench.recalculation(changes)
            guidance, guidance_files = bench.bytes_for(GUIDANCE_PAGE, "document.readyState === 'complete'")
            calculator, calculator_files = bench.bytes_for(
                BUDGET_PAGE, "window.calculators && window.calculators.status().phase === 'ready'")
            figures["d"] = {"guidance": guidance, "calculator": calculator,
                            "guidance_files": guidance_files, "calculator_files": calculator_files}
            browser.close()
        a, b, c = figures["a"], figures["b"], figures["c"]
        print("\n(a) bare page, stock loadPyodide() + one line, navigation → done (ms)")
        print(f"    cold  median {median(a['cold']):7.0f}   runs {[round(x) for x in a['cold']]}")
        print(f"    warm  median {median(a['warm']):7.0f}   runs {[round(x) for x in a['warm']]}")
        print("(b) Flandres budget page with an example budget, navigation → first result shown (ms)")
        print(f"    cold  median {median(b['cold']):7.0f}   runs {[round(x) for x in b['cold']]}")
        print(f"    warm  median {median(b['warm']):7.0f}   runs {[round(x) for x in b['warm']]}")
        print(f"    ratio b/a  cold {median(b['cold']) / median(a['cold']):.2f}   warm {median(b['warm']) / median(a['warm']):.2f}")
        print(f"(c) 40-line budget, {changes} input changes (ms)")
        print(f"    input → summary updated   median {median(c['displayed']):6.1f}   p95 {p95(c['displayed']):6.1f}"
              "   (includes the 150 ms debounce)")
        print(f"    evaluate() round trip     median {median(c['evaluate']):6.1f}   p95 {p95(c['evaluate']):6.1f}")
        print("(d) bytes transferred (uncompressed server, cold)")
        print(f"    guidance page   {guidance:>10,} B   ({len(guidance_files)} requests)")
        print(f"    calculator page {calculator:>10,} B   ({len(calculator_files)} requests)")
        for url, size in calculator_files[:6]:
            print(f"        {size:>10,}  {url.split('/', 3)[-1]}")
        print("(e) longest main-thread task during load (ms, median over runs)")
        print(f"    bare page (Pyodide on the main thread)  cold {median(a['cold_longtask']):6.0f}   warm {median(a['warm_longtask']):6.0f}")
        print(f"    budget page (Pyodide in a worker)       cold {median(b['cold_longtask']):6.0f}   warm {median(b['warm_longtask']):6.0f}")
        print(f"\n({time.time() - started:.0f} s)")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
