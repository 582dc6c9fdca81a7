"""How fast the in-page calculators start and answer, in headless Chromium.

    .venv/bin/python benchmarks/calculators_startup.py [--site DIR] [--runs 5] [--json out.json] [--persistent] [--immutable]

Without ``--site`` the site is built with ``mkdocs build --strict`` into a temporary
directory. The site is served by a local ``http.server`` thread on 127.0.0.1 — no
compression, ``Cache-Control: no-cache`` (revalidation), so byte counts are uncompressed and
"warm" means "HTTP cache filled, revalidated with 304s". Browser contexts are in memory, like a
private window, hence without V8's code cache; ``--persistent`` uses an on-disk profile per
run instead (code cache on) and adds a third visit, ``--immutable`` serves Pyodide's and the
content-hashed files as cacheable for a year.

Measures, medians over ``--runs`` (at least 3):

a. a bare page running stock ``loadPyodide()`` on the main thread and one line of Python,
   cold (new browser context, empty cache) and warm (same context, second visit), with the
   files of the npm package as they are (``node_modules/pyodide``, served under ``/__bench__/``);
b. navigation → first displayed result on the CPAM des Flandres budget page, with an example
   budget in the link fragment, cold and warm; and the ratios b/a;
c. recalculation latency on a 40-line budget over at least 30 input changes, median and p95:
   input event → updated summary on screen (the page recalculates on every input, no
   debounce), and the bare ``window.calculators.evaluate`` round trip;
d. bytes transferred by a guidance page and by a calculator page (cold, until ready);
e. the longest main-thread task while loading (PerformanceObserver "longtask"), on the
   budget page and, for comparison, on the call's guidance page (Material's own scripts);
f. the worker's start-up stages on the budget page (ms since navigation: worker started,
   files fetched and checked, Python started, rules loaded), medians.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
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
from conftest import PRODUCT_EXAMPLE  # noqa: E402

CALL = "cpam-flandres-2025"
BUDGET_PAGE = f"appels/{CALL}/budget/"
GUIDANCE_PAGE = f"appels/{CALL}/"
EXAMPLE = PRODUCT_EXAMPLE  # the budget of PRODUCT.md (tests/conftest.py)
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


STOCK_PYODIDE = "/__bench__/pyodide/"  # node_modules/pyodide as npm installs it: the stock baseline


def bare_page() -> bytes:
    """Stock Pyodide as its documentation shows it: every file of the npm package, default options."""
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>loadPyodide</title></head><body><p id="out">…</p>
<script type="module">
import {{ loadPyodide }} from "{STOCK_PYODIDE}pyodide.mjs";
const pyodide = await loadPyodide();
const answer = pyodide.runPython("sum(range(10))");
window.__done = performance.now();
document.getElementById("out").textContent = String(answer);
</script></body></html>""".encode()


@contextlib.contextmanager
def serve(site: Path, extra: dict[str, bytes], immutable: bool = False) -> Iterator[str]:
    """Serve ``site`` and a few in-memory pages on 127.0.0.1 (a free port).

    ``immutable``: Pyodide's files (the site's and the stock ones) and the content-hashed
    files are sent with ``Cache-Control: max-age=31536000, immutable``, as README's hosting
    section suggests, instead of ``no-cache``: repeat visits take them from the cache unasked.
    """

    class Handler(QuietHandler):
        def end_headers(self) -> None:
            path = self.path.split("?", 1)[0]
            if immutable and ("/pyodide/" in path or re.search(r"-[0-9a-f]{12}\.(zip|bin)$", path)):
                self.send_header("Cache-Control", "max-age=31536000, immutable")
                http.server.SimpleHTTPRequestHandler.end_headers(self)
            else:
                super().end_headers()

        def translate_path(self, path: str) -> str:
            if path.startswith(STOCK_PYODIDE):  # the stock files, which the site no longer ships all of
                name = path[len(STOCK_PYODIDE):].split("?", 1)[0].split("#", 1)[0]
                return str(ROOT / "node_modules" / "pyodide" / Path(name).name)
            return super().translate_path(path)

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
        except Exception:  # noqa: BLE001, S112 - a request that never finished counts for nothing
            continue
        sizes.append((request.url, size["responseBodySize"] + size["responseHeadersSize"]))
    return sum(size for _, size in sizes), sorted(sizes, key=lambda item: -item[1])


class Bench:
    def __init__(self, browser: Any, base: str, playwright: Any = None, persistent: bool = False) -> None:
        self.browser = browser
        self.base = base
        self.playwright = playwright
        self.persistent = persistent
        self.phases = ("cold", "warm", "third") if persistent else ("cold", "warm")
        self.profiles: list[str] = []  # on-disk profiles made for --persistent, removed by cleanup()

    def context(self) -> Any:
        # bypass_csp: wait_for_function polls with eval, which the site's policy forbids.
        options = {"locale": "fr-FR", "timezone_id": "Europe/Paris", "viewport": {"width": 1280, "height": 900},
                   "bypass_csp": True}
        if self.persistent:
            # A profile on disk, as a visitor's: unlike a new_context() (in memory, like a private
            # window), it has V8's code cache, which keeps compiled JavaScript and WebAssembly.
            self.profiles.append(tempfile.mkdtemp(prefix="calc-bench-profile-"))
            context = self.playwright.chromium.launch_persistent_context(
                self.profiles[-1], executable_path=chromium_path(), args=CHROMIUM_ARGS, **options)
        else:
            context = self.browser.new_context(**options)
        context.add_init_script(LONGTASKS)
        return context

    def cleanup(self) -> None:
        for profile in self.profiles:
            shutil.rmtree(profile, ignore_errors=True)

    def visit_bare(self, page: Any) -> dict[str, Any]:
        page.goto("about:blank")
        page.goto(self.base + "__bench__/bare.html")
        done = page.wait_for_function("window.__done", timeout=120_000, polling=50).json_value()
        return {"ms": done, "longtask": max(page.evaluate("window.__longtasks"), default=0.0)}

    def visit_budget(self, page: Any, draft: dict[str, Any] = EXAMPLE, expect: str = EXAMPLE_TOTAL) -> dict[str, Any]:
        # The page drops the fragment once read: going to the same address plus fragment would be a
        # same-document navigation (nothing reloaded), so leave the page first.
        page.goto("about:blank")
        page.goto(self.base + BUDGET_PAGE + fragment(draft))
        shown = page.wait_for_function(
            """expect => { const s = document.querySelector('.calc-summary');
                           return s && s.textContent.includes(expect) ? performance.now() : false; }""",
            arg=expect, timeout=120_000, polling="raf").json_value()
        # Stages as the page saw them: [stage, ms since the worker started, ms since navigation].
        stages = {stage: at for stage, _, at in page.evaluate("window.calculators.status().timeline")}
        longtask = max(page.evaluate("window.__longtasks"), default=0.0)
        # A visitor stays on the page: let the background fetch of the memory snapshot (first
        # visits only) end before leaving, as it would (not counted in the figures).
        with contextlib.suppress(Exception):
            page.wait_for_function("""() => { const s = window.calculators.status();
                                             return s.snapshot || s.snapshotCached; }""", timeout=10_000)
        return {"ms": shown, "longtask": longtask, "stages": stages}

    def visit_guidance(self, page: Any) -> dict[str, Any]:
        page.goto("about:blank")
        page.goto(self.base + GUIDANCE_PAGE)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # Material's scripts run after load
        return {"ms": 0.0, "longtask": max(page.evaluate("window.__longtasks"), default=0.0)}

    def startup(self, runs: int) -> dict[str, dict[str, list[Any]]]:
        """Cold then warm visits of the bare page, the budget page and the guidance page, interleaved
        run by run so that a change of load on the machine weighs on all of them alike."""
        out: dict[str, dict[str, list[Any]]] = {}
        for _ in range(runs):
            for name, visit in (("a", self.visit_bare), ("b", self.visit_budget), ("g", self.visit_guidance)):
                context = self.context()  # a new context: empty HTTP cache
                page = context.new_page()
                for phase in self.phases:
                    figures = visit(page)
                    entry = out.setdefault(name, {})
                    entry.setdefault(phase, []).append(figures["ms"])
                    entry.setdefault(f"{phase}_longtask", []).append(figures["longtask"])
                    if "stages" in figures:
                        entry.setdefault(f"{phase}_stages", []).append(figures["stages"])
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
        page.on("requestfinished", lambda request: requests.append(request))  # noqa: PLW0108 - Playwright tags its handler
        page.goto(self.base + path)
        page.wait_for_function(ready, timeout=120_000)
        page.wait_for_timeout(500)
        result = transferred(requests)
        context.close()
        return result


def build(site: str | None, workdir: Path) -> tuple[Path, str]:
    if site:
        return Path(site), "given"
    target = workdir / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(target)],
                            cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                            capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0:
        raise SystemExit(f"mkdocs build failed:\n{result.stderr}")
    return target, "mkdocs build --strict"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", help="a built site directory (default: build one)")
    parser.add_argument("--runs", type=int, default=5, help="runs per cold/warm figure (at least 3)")
    parser.add_argument("--changes", type=int, default=40, help="input changes for the recalculation figure (at least 30)")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    parser.add_argument("--persistent", action="store_true",
                        help="visit in an on-disk profile (V8 code cache on), with a third visit")
    parser.add_argument("--immutable", action="store_true",
                        help="serve Pyodide and the hashed files as cacheable for a year (else: no-cache)")
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
        extra = {"/__bench__/bare.html": bare_page()}
        print(f"site: {site} ({how}); Pyodide {pyodide_version(ROOT)}; {runs} runs; Chromium {chromium_path()}")
        print(f"standard library: {manifest.get('stdlib', 'python_stdlib.zip')}"
              f" ({'compiled .pyc, trimmed' if manifest.get('stdlib_compiled') else 'stock .py'});"
              f" memory snapshot: {manifest.get('snapshot') or 'none'};"
              f" load average {os.getloadavg()[0]:.1f} (2 cores: figures are noisy, compare the ratios)")
        figures: dict[str, Any] = {}
        with serve(site, extra, immutable=args.immutable) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            bench = Bench(browser, base, playwright, persistent=args.persistent)
            started = time.time()
            figures.update(bench.startup(runs))
            figures["c"] = bench.recalculation(changes)
            guidance, guidance_files = bench.bytes_for(GUIDANCE_PAGE, "document.readyState === 'complete'")
            calculator, calculator_files = bench.bytes_for(
                BUDGET_PAGE, "window.calculators && window.calculators.status().phase === 'ready'")
            figures["d"] = {"guidance": guidance, "calculator": calculator,
                            "guidance_files": guidance_files, "calculator_files": calculator_files}
            browser.close()
            bench.cleanup()
        a, b, c, g = figures["a"], figures["b"], figures["c"], figures["g"]
        print("\n(a) bare page, stock loadPyodide() + one line, navigation → done (ms)")
        print(f"    cold  median {median(a['cold']):7.0f}   runs {[round(x) for x in a['cold']]}")
        print(f"    warm  median {median(a['warm']):7.0f}   runs {[round(x) for x in a['warm']]}")
        if "third" in a:
            print(f"    third median {median(a['third']):7.0f}   runs {[round(x) for x in a['third']]}")
        print("(b) Flandres budget page with an example budget, navigation → first result shown (ms)")
        print(f"    cold  median {median(b['cold']):7.0f}   runs {[round(x) for x in b['cold']]}")
        print(f"    warm  median {median(b['warm']):7.0f}   runs {[round(x) for x in b['warm']]}")
        if "third" in b:
            print(f"    third median {median(b['third']):7.0f}   runs {[round(x) for x in b['third']]}")
        ratios = {phase: [y / x for x, y in zip(a[phase], b[phase], strict=True)] for phase in bench.phases}
        print("    ratio b/a (medians)        " + "".join(
            f"  {phase} {median(b[phase]) / median(a[phase]):.2f}" for phase in bench.phases))
        print("    ratio b/a (median per run) " + "".join(f"  {phase} {median(ratios[phase]):.2f}" for phase in bench.phases)
              + "   runs " + " ".join(f"{phase} {[round(x, 2) for x in ratios[phase]]}" for phase in bench.phases))
        print(f"(c) 40-line budget, {changes} input changes (ms)")
        print(f"    input → summary updated   median {median(c['displayed']):6.1f}   p95 {p95(c['displayed']):6.1f}"
              "   (recalculated on every input, no debounce)")
        print(f"    evaluate() round trip     median {median(c['evaluate']):6.1f}   p95 {p95(c['evaluate']):6.1f}")
        print("(d) bytes transferred (uncompressed server, cold)")
        print(f"    guidance page   {guidance:>10,} B   ({len(guidance_files)} requests)"
              f"   Pyodide files: {sum(1 for url, _ in guidance_files if '/pyodide/' in url)}")
        print(f"    calculator page {calculator:>10,} B   ({len(calculator_files)} requests, until ready + 0.5 s:"
              " on a first visit the memory snapshot is fetched in the background once ready)")
        for url, size in calculator_files[:6]:
            print(f"        {size:>10,}  {url.split('/', 3)[-1]}")
        print("(e) longest main-thread task during load (ms, median over runs)")
        def longest(runs: dict[str, Any]) -> str:
            return f"cold {median(runs['cold_longtask']):6.0f}   warm {median(runs['warm_longtask']):6.0f}"

        print(f"    bare page (Pyodide on the main thread)  {longest(a)}")
        print(f"    budget page (Pyodide in a worker)       {longest(b)}"
              f"   runs cold {[round(x) for x in b['cold_longtask']]} warm {[round(x) for x in b['warm_longtask']]}")
        print(f"    guidance page (no calculator)           {longest(g)}")
        print("(f) budget page: when each worker stage began (ms since navigation, median)")
        for phase in bench.phases:
            stages = b[f"{phase}_stages"]
            names = [name for name in stages[0]]
            cells = "   ".join(f"{name} {median([run.get(name, 0) for run in stages]):6.0f}" for name in names)
            print(f"    {phase}  {cells}   shown {median(b[phase]):6.0f}")
        print(f"\n({time.time() - started:.0f} s)")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
