"""Lighthouse on a phone, one page of every type, against the built site served with gzip.

    .venv/bin/python benchmarks/lighthouse.py                     # builds the seed site, one run a page
    .venv/bin/python benchmarks/lighthouse.py --runs 3            # median of three runs a page
    .venv/bin/python benchmarks/lighthouse.py --site /tmp/site --pages accueil calendrier

Lighthouse is the npm package pinned in ``package.json`` (``lighthouse@12.2.3``: later versions
need Node 22), run from ``node_modules/.bin`` with its defaults: mobile emulation (Moto G
Power screen, simulated slow 4G, CPU slowed ×4). Chrome is Debian's Chromium (``CHROME_PATH``),
started with ``--headless=new --no-sandbox --disable-gpu``.

The site is served on 127.0.0.1 by a small Python server that gzips text responses (HTML, CSS,
JS, JSON, SVG…) as a static host does; ``.wasm`` and archives are sent as they are. The
**baseline**, measured in the same run with the same server and settings, is a bare static HTML
page (a title, a paragraph, a link; lang, viewport and description set): what Lighthouse gives
on this machine, under its present load, to a page that costs nothing. Each page's TBT and
bytes are also printed as a ratio to it.

For each page it prints the median (over ``--runs``) of the four category scores, CLS, TBT
and the bytes transferred, then the audits that did not pass (id and title; for the
accessibility, best-practices and SEO categories any audit under 1, for performance the
metrics and opportunities under 0.9), which is what to fix.

Goals (issue 16): accessibility, best practices and SEO 100 on every page type; CLS ≤ 0.02;
performance 100 on guidance pages and ≥ 95 on the calculators. Performance scores move with the
machine's load (the CPU throttling is simulated from the measured trace): quote the load average
printed at the top with them.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import QuietHandler, chromium_path  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
BASELINE_PATH = "__baseline__/"

# Page type → path in the seed site. Guidance pages aim at performance 100, calculators at ≥ 95.
PAGES: dict[str, str] = {
    "accueil": "",
    "trouver": "trouver/",
    "appel": "appels/cpam-flandres-2025/",
    "financeur": "financeurs/cpam-flandres/",
    "calendrier": "calendrier/",
    "calendrier-mois": "calendrier/2025/03/",
    "checklist": "appels/cpam-flandres-2025/checklist/",
    "budget": "appels/cpam-flandres-2025/budget/",
    "eligibilite": "appels/cpam-flandres-2025/eligibilite/",
    "texte-source": "textes/cpam-flandres-2025/",
    "publier": "publier/",
}
CALCULATORS = {"budget", "eligibilite"}

BASELINE_HTML = b"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="Page de reference du banc d'essai Lighthouse.">
<link rel="icon" href="data:,">
<title>Reference</title>
</head>
<body>
<main>
<h1>Page de reference</h1>
<p>Une page statique sans feuille de style ni script, pour mesurer la machine.</p>
<p><a href="/">Accueil du site</a></p>
</main>
</body>
</html>
"""

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml", "application/xml",
                "application/atom+xml", "application/manifest+json")


class GzipHandler(QuietHandler):
    """The tests' static handler, plus gzip for text types and the baseline page."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - name of the base class's method
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == "/" + BASELINE_PATH:
            self._send(200, "text/html; charset=utf-8", BASELINE_HTML)
            return
        fs_path = Path(self.translate_path(path))
        if fs_path.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            fs_path = fs_path / "index.html"
        if not fs_path.is_file():
            not_found = Path(self.directory) / "404.html"
            body = not_found.read_bytes() if not_found.is_file() else b"404"
            self._send(404, "text/html; charset=utf-8", body)
            return
        ctype = self.guess_type(str(fs_path))
        if ctype.startswith("text/") and "charset" not in ctype:
            ctype += "; charset=utf-8"
        self._send(200, ctype, fs_path.read_bytes())

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        accepts = "gzip" in (self.headers.get("Accept-Encoding") or "")
        packed = accepts and ctype.startswith(COMPRESSIBLE) and len(body) > 256
        if packed:
            body = gzip.compress(body, 6)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if packed:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextlib.contextmanager
def serve_gzip(directory: Path) -> Iterator[str]:
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="lighthouse-static", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_lighthouse(url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run (mobile defaults); its JSON report."""
    chrome = chromium_path()
    if chrome is None:
        sys.exit("Chromium est introuvable : installez le paquet Debian `chromium`.")
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse est absent de node_modules : lancez `npm ci` (ou `bash scripts/dev.sh setup`).")
    env = {**os.environ, "CHROME_PATH": chrome}
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES),
               "--max-wait-for-load=90000"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse: {report['runtimeError']}")
    return report


def failing_audits(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(category, audit id, title) of what did not pass."""
    failed: list[tuple[str, str, str]] = []
    audits = report["audits"]
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            score, mode = audit.get("score"), audit.get("scoreDisplayMode")
            if score is None or mode in ("notApplicable", "manual", "informative", "error"):
                continue
            threshold = 0.9 if category == "performance" else 1
            if score < threshold:
                failed.append((category, audit["id"], audit["title"]))
    return failed


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    audits = report["audits"]
    return {
        **{c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "failing": failing_audits(report),
    }


def measure(base: str, name: str, path: str, runs: int, work: Path) -> dict[str, Any]:
    results = [summarise(run_lighthouse(base + path, work / f"{name}-{i}.json")) for i in range(runs)]
    median = {key: statistics.median(r[key] for r in results) for key in (*CATEGORIES, "cls", "tbt", "bytes")}
    seen: dict[tuple[str, str, str], int] = {}
    for r in results:
        for item in r["failing"]:
            seen[item] = seen.get(item, 0) + 1
    median["failing"] = [(*item, count) for item, count in seen.items()]
    return median


def build_site(target: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = Path(sys.executable).parent / "mkdocs"
    subprocess.run([str(mkdocs), "build", "--strict", "-q", "-d", str(target)], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build the seed site)")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs a page (median)")
    parser.add_argument("--pages", nargs="*", choices=list(PAGES), help="only these page types")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        work = Path(tmp)
        site = args.site
        if site is None:
            site = work / "site"
            print("» Construction du site…", flush=True)
            build_site(site)
        print(f"machine: {platform.node()}, {os.cpu_count()} CPU, load average {os.getloadavg()[0]:.2f} "
              f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; Lighthouse 12.2.3, mobile, "
              f"{args.runs} run(s) a page (median)", flush=True)
        rows: dict[str, dict[str, Any]] = {}
        with serve_gzip(site) as base:
            rows["(référence)"] = measure(base, "baseline", BASELINE_PATH, args.runs, work)
            for name in args.pages or PAGES:
                print(f"  {name}…", flush=True)
                rows[name] = measure(base, name, PAGES[name], args.runs, work)
        load = os.getloadavg()
    ref = rows["(référence)"]
    header = (f"{'page':<16} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} {'CLS':>6} {'TBT ms':>7} {'kB':>8}  "
              f"{'TBT/réf':>8} {'kB/réf':>7}")
    print()
    print(header)
    print("-" * len(header))
    for name, r in rows.items():
        tbt_ratio = f"{r['tbt'] / ref['tbt']:.1f}" if ref["tbt"] else "–"
        print(f"{name:<16} {r['performance']:>5.0f} {r['accessibility']:>5.0f} {r['best-practices']:>5.0f} "
              f"{r['seo']:>5.0f} {r['cls']:>6.3f} {r['tbt']:>7.0f} {r['bytes'] / 1000:>8.1f}  "
              f"{tbt_ratio:>8} {r['bytes'] / ref['bytes']:>7.1f}")
    print(f"\nload average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("\nAudits not passed (category, id: title, in how many runs):")
    any_failed = False
    for name, r in rows.items():
        for category, audit_id, title, count in r["failing"]:
            any_failed = True
            print(f"  {name:<16} {category:<15} {audit_id}: {title} ({count}/{args.runs})")
    if not any_failed:
        print("  none")
    goals = []
    for name, r in rows.items():
        if name == "(référence)":
            continue
        for category in ("accessibility", "best-practices", "seo"):
            if r[category] < 100:
                goals.append(f"{name}: {category} {r[category]:.0f} < 100")
        if r["cls"] > 0.02:
            goals.append(f"{name}: CLS {r['cls']:.3f} > 0.02")
        floor = 95 if name in CALCULATORS else 100
        if r["performance"] < floor:
            goals.append(f"{name}: performance {r['performance']:.0f} < {floor}")
    print("\nGoals not met:" if goals else "\nAll goals met.")
    for goal in goals:
        print("  " + goal)
    if args.json:
        args.json.write_text(json.dumps({"load": load, "runs": args.runs, "pages": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
