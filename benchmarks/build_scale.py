"""Build time, memory and output size at national scale, against a plain Material baseline.

    .venv/bin/python benchmarks/build_scale.py                       # N = 100, 1 000, 5 000
    .venv/bin/python benchmarks/build_scale.py --sizes 100,1000 --repeat 3
    .venv/bin/python benchmarks/build_scale.py --quick               # N = 100, 500: a smoke run

For each N, in a temporary copy of the project (``calls/`` filled up to N call files by
:mod:`synthetic`, which varies the seed calls), it

1. builds the site as CI does (``mkdocs build --strict``) and measures wall time, CPU time,
   peak memory (RSS) of the build process, pages, output size, the search index and the
   largest HTML page;
2. captures the Markdown our build feeds to Python-Markdown for every page — hand-written
   pages after mkdocs-macros, generated pages from the hook, with their front matter — plus
   the generated feeds and data files, and writes it as a plain ``docs/`` folder;
3. builds that folder with plain Material for MkDocs (same theme settings, overrides,
   Markdown extensions, search plugin and nav; no macros, no hooks) and prints ours / baseline.

At the size closest to 1 000 it then measures the preview of one call (``APPELS_PREVIEW``,
see ``macros/preview.py``): the one-shot ``mkdocs build`` and, with ``mkdocs serve``, the time
from saving the file to the served page showing the change.

Wall times depend on what else runs on the machine; CPU times (user + system of the build
process) much less, so both are printed, and the ratios are given for both.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("mkdocs.yml", "docs", "overrides", "calls", "macros", "calculators", "callfiles", "package.json")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
ENV.pop("APPELS_PREVIEW", None)


# --- one build, measured ---------------------------------------------------------------

@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    pages: int = 0
    output_mb: float = 0.0
    output_no_runtime_mb: float = 0.0
    search_kb: float = 0.0
    largest_page: tuple[str, float] = ("", 0.0)
    calendar_kb: float = 0.0
    home_kb: float = 0.0
    feeds_kb: dict[str, float] = field(default_factory=dict)  # the site-wide feeds and data files
    load: float = 0.0  # the machine's 1-minute load average at the end of the build


def run_measured(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[Run, str]:
    """Run ``command``; wall time, CPU time and peak RSS of that process (``wait4``), and its stderr."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Read the pipes in the background so that a chatty build never blocks on a full pipe.
    import threading
    chunks: dict[str, str] = {}
    readers = [threading.Thread(target=lambda n=n, s=s: chunks.__setitem__(n, s.read()))
               for n, s in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    output = chunks.get("out", "") + chunks.get("err", "")
    if process.returncode != 0:
        raise SystemExit(f"échec de {' '.join(command)} dans {cwd} :\n{output[-4000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, load=os.getloadavg()[0]), output


def _build_into(runs: list[Run], project: Path, site: Path) -> None:
    runs.append(mkdocs_build(project, site)[0])


def mkdocs_build(project: Path, site: Path, env: dict[str, str] | None = None, strict: bool = True) -> tuple[Run, str]:
    shutil.rmtree(site, ignore_errors=True)
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)] + (["--strict"] if strict else [])
    run, output = run_measured(command, project, env)
    describe_output(site, run)
    return run, output


def describe_output(site: Path, run: Run) -> None:
    total = runtime = 0
    largest = ("", 0)
    pages = 0
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        relative = path.relative_to(site).as_posix()
        if relative.startswith("pyodide/") or re.match(r"assets/calculateurs/calculators-.*\.zip", relative):
            runtime += size
        if path.suffix == ".html":
            pages += 1
            if size > largest[1]:
                largest = (relative, size)
    index = site / "search" / "search_index.json"
    run.pages = pages
    run.output_mb = total / 1e6
    run.output_no_runtime_mb = (total - runtime) / 1e6
    run.search_kb = index.stat().st_size / 1e3 if index.exists() else 0.0
    run.largest_page = (largest[0], largest[1] / 1e3)
    calendar = site / "calendrier" / "index.html"
    run.calendar_kb = calendar.stat().st_size / 1e3 if calendar.exists() else 0.0
    run.home_kb = (site / "index.html").stat().st_size / 1e3
    run.feeds_kb = {name: (site / name).stat().st_size / 1e3 for name in FEEDS if (site / name).exists()}


FEEDS = ("calendrier/tous.ics", "donnees/appels.atom", "donnees/appels.json")


def search_breakdown(site: Path) -> str:
    """What the search index is made of: bytes by kind of page, and by section of the call pages."""
    index = site / "search" / "search_index.json"
    if not index.exists():
        return ""
    docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
    by_kind: dict[str, int] = {}
    by_section: dict[str, int] = {}
    for doc in docs:
        location = doc["location"]
        size = len(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        parts = location.split("#")[0].strip("/").split("/")
        kind = ("appel" if len(parts) == 2 else parts[2]) if parts[0] == "appels" else (parts[0] or "accueil")
        by_kind[kind] = by_kind.get(kind, 0) + size
        if kind == "appel":
            section = location.split("#")[1] if "#" in location else "(titre et résumé)"
            by_section[section] = by_section.get(section, 0) + size
    kinds = ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(by_kind.items(), key=lambda i: -i[1]))
    sections = ", ".join(f"{k} {v / 1e6:.1f}" for k, v in sorted(by_section.items(), key=lambda i: -i[1]))
    raw = index.read_bytes()
    kept = sum(by_kind.values()) - sum(v for k, v in by_section.items() if k not in SEARCHABLE_CALL_SECTIONS)
    return (f"  index de recherche : {len(raw) / 1e6:.1f} MB, {len(gzip.compress(raw, 6)) / 1e6:.1f} MB en gzip ; "
            f"par page : {kinds}\n  pages d'appel, par section (MB) : {sections}\n"
            f"  si seules les sections {', '.join(SEARCHABLE_CALL_SECTIONS)} des pages d'appel étaient indexées : "
            f"{kept / 1e6:.1f} MB (environ {kept / len(raw) * len(gzip.compress(raw, 6)) / 1e6:.1f} MB en gzip)")


# The sections of a call page kept in the search index (the others carry data-search-exclude, macros/templates/call.md.j2).
SEARCHABLE_CALL_SECTIONS = ("(titre et résumé)", "thematiques", "axes", "publics-vises", "les-regions")


def median_run(runs: list[Run]) -> Run:
    best = sorted(runs, key=lambda r: r.wall)[len(runs) // 2]
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               statistics.median(r.peak_mb for r in runs), best.pages, best.output_mb, best.output_no_runtime_mb,
               best.search_kb, best.largest_page, best.calendar_kb, best.home_kb, best.feeds_kb,
               statistics.median(r.load for r in runs))


# --- the project copy ------------------------------------------------------------------

def make_project(destination: Path, total_calls: int) -> Path:
    """A copy of the project (sharing ``node_modules``) whose ``calls/`` holds ``total_calls`` files."""
    destination.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    (destination / "node_modules").symlink_to(ROOT / "node_modules")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic import populate  # benchmarks/ is not a package: imported after the path set-up

    populate(destination / "calls", total_calls)
    return destination


# --- the baseline: the same Markdown, plain Material ----------------------------------

def capture(project: Path, destination: Path) -> None:
    """Write into ``destination`` a plain MkDocs project with the Markdown our build renders.

    Runs our build's events up to ``on_page_markdown`` (configuration, hook, macros) in this
    process, with the project copy first on ``sys.path`` so that its own code is used.
    """
    os.chdir(project)
    sys.path.insert(0, str(project))
    import yaml
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation
    from mkdocs.utils.yaml import get_yaml_loader

    config = load_config(str(project / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    nav = get_navigation(files, config)
    config.plugins.on_nav(nav, config=config, files=files)
    docs = destination / "docs"
    for file in files:
        target = docs / file.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        if file.is_documentation_page():
            page = file.page
            assert page is not None
            config.plugins.on_pre_page(page, config=config, files=files)
            page.read_source(config)
            markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
            meta = {k: v for k, v in page.meta.items() if k != "render_macros"}
            front = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" if meta else ""
            target.write_text(front + markdown, encoding="utf-8")
        elif file.abs_src_path and Path(file.abs_src_path).is_file():
            shutil.copy2(file.abs_src_path, target)
        else:
            target.write_bytes(file.content_bytes)
    with open(project / "mkdocs.yml", encoding="utf-8") as stream:
        settings = yaml.load(stream, Loader=get_yaml_loader())  # noqa: S506 - MkDocs' own loader (!ENV)
    settings.pop("hooks", None)
    settings.pop("watch", None)
    settings["site_url"] = settings.get("site_url") or ""
    settings["plugins"] = [p for p in settings.get("plugins", []) if "macros" not in (p if isinstance(p, str) else next(iter(p)))]
    (destination / "mkdocs.yml").write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if (project / "overrides").is_dir():
        shutil.copytree(project / "overrides", destination / "overrides")


# --- the preview -------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own local server
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def edit_title(path: Path, marker: str) -> None:
    text = path.read_text(encoding="utf-8")
    text, count = re.subn(r'^(title: ["\']?)', lambda m: m.group(1) + marker + " ", text, count=1, flags=re.M)
    assert count == 1, path
    path.write_text(text, encoding="utf-8")


def measure_preview(project: Path, work: Path, call_id: str, repeat: int) -> dict[str, object]:
    """Preview of ``call_id``: one-shot build after an edit, then ``mkdocs serve`` save-to-page latency."""
    path = project / "calls" / f"{call_id}.yaml"
    original = path.read_text(encoding="utf-8")
    env = {**ENV, "APPELS_PREVIEW": call_id}
    builds = []
    try:
        for n in range(max(3, repeat)):
            edit_title(path, f"Apercu{n}")
            run, output = mkdocs_build(project, work / "preview-site", env)
            page = (work / "preview-site" / "appels" / call_id / "index.html").read_text(encoding="utf-8")
            assert f"Apercu{n}" in page
            builds.append(run)
            path.write_text(original, encoding="utf-8")
        pages = builds[-1].pages
        serve = _measure_serve(project, path, call_id, env, max(3, repeat))
    finally:
        path.write_text(original, encoding="utf-8")
    return {"build": median_run(builds), "pages": pages, "serve": serve}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure_serve(project: Path, path: Path, call_id: str, env: dict[str, str], repeat: int
                   ) -> list[tuple[float, float]]:
    """(wall seconds from the save to the new page being served, CPU seconds the server spent meanwhile)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/appels/{call_id}/"
    log = open(path.parent.parent / "serve.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", f"127.0.0.1:{port}"],
                              cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    latencies = []
    try:
        deadline = time.monotonic() + 180
        while _get(url) is None:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"mkdocs serve n'a pas démarré : voir {log.name}")
            time.sleep(0.2)
        for n in range(repeat):
            time.sleep(1.5)  # let the watcher settle after the previous rebuild
            marker = f"Serve{n}x{time.time():.0f}"
            cpu = _cpu_seconds(server.pid)
            edit_title(path, marker)
            saved = time.perf_counter()
            while True:
                body = _get(url)
                if body and marker in body:
                    latencies.append((time.perf_counter() - saved, _cpu_seconds(server.pid) - cpu))
                    break
                if time.perf_counter() - saved > 120:
                    raise SystemExit(f"la page n'a pas changé en 120 s : voir {log.name}")
                time.sleep(0.05)
    finally:
        os.killpg(server.pid, signal.SIGINT)  # our own server's process group
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    return latencies


# --- search in the browser ------------------------------------------------------------

def search_latency(site: Path, query: str = "parentalité") -> float:
    """Seconds from typing ``query`` in Material's search box to the first result, in headless Chromium.

    On the first search the browser downloads ``search_index.json`` and builds its index in a
    worker: what a visitor waits for, and what grows with the index.
    """
    from playwright.sync_api import sync_playwright  # test dependency, only for --browser

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1", "-d", str(site)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while _get(f"http://127.0.0.1:{port}/") is None:
            time.sleep(0.2)
        with sync_playwright() as playwright:
            chromium = shutil.which("chromium")
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"]) if chromium \
                else playwright.chromium.launch()
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/financeurs/")
            start = time.perf_counter()
            page.click("input.md-search__input")
            page.fill("input.md-search__input", query)
            page.wait_for_selector(".md-search-result__item", timeout=600_000)
            elapsed = time.perf_counter() - start
            browser.close()
        return elapsed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


# --- report ------------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    return (f"{os.cpu_count()} cœurs ({cpu_model()}), {memory:.0f} GiB, Python {sys.version.split()[0]}, "
            f"charge moyenne au départ {load[0]:.1f}")


def row(label: str, run: Run) -> str:
    return (f"  {label:<9} {run.wall:8.1f} s {run.cpu:8.1f} s {run.peak_mb:8.0f} MB {run.pages:6d} "
            f"{run.output_mb:8.1f} MB {run.output_no_runtime_mb:8.1f} MB {run.search_kb / 1e3:8.1f} MB "
            f"{run.calendar_kb:8.0f} kB {run.home_kb:6.0f} kB {run.load:6.1f}  "
            f"{run.largest_page[0]} ({run.largest_page[1]:.0f} kB)")


HEADER = (f"  {'':<9} {'wall':>10} {'CPU':>10} {'peak RSS':>11} {'pages':>6} {'output':>11} {'sans Pyodide':>11} "
          f"{'search':>11} {'calendrier':>11} {'accueil':>9} {'charge':>6}  plus grosse page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,5000", help="nombres d'appels, séparés par des virgules")
    parser.add_argument("--repeat", type=int, default=1, help="constructions par mesure (médiane affichée)")
    parser.add_argument("--quick", action="store_true", help="N = 100 et 500, une construction : vérifier le script")
    parser.add_argument("--no-baseline", action="store_true", help="ne pas construire la référence Material")
    parser.add_argument("--no-preview", action="store_true", help="ne pas mesurer l'aperçu d'un appel")
    parser.add_argument("--keep", action="store_true", help="garder le dossier temporaire (chemin affiché)")
    parser.add_argument("--parallel", action="store_true",
                        help="construire le site et la référence en même temps (un cœur chacun) : deux fois plus court, "
                             "mesures un peu moins propres")
    parser.add_argument("--json", type=Path, help="écrire aussi les mesures dans ce fichier JSON")
    parser.add_argument("--browser", action="store_true",
                        help="mesurer aussi, dans Chromium (Playwright), le temps jusqu'aux premiers résultats de recherche")
    parser.add_argument("--capture", nargs=2, type=Path, metavar=("PROJECT", "DEST"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.capture:
        capture(*args.capture)
        return
    sizes = [100, 500] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeat = 1 if args.quick else max(1, args.repeat)
    work = Path(tempfile.mkdtemp(prefix="appels-bench-"))
    print(f"Machine : {machine()}")
    print(f"Dossier de travail : {work}\n")
    results: dict[int, dict[str, object]] = {}
    preview_size = min(sizes, key=lambda n: abs(n - 1000))
    started = time.perf_counter()
    try:
        for size in sizes:
            here = work / f"n{size}"
            project = make_project(here / "project", size)
            plain = here / "plain"
            if not args.no_baseline:
                capture_run, _ = run_measured([sys.executable, str(Path(__file__).resolve()), "--capture", str(project),
                                               str(plain)], project)
            ours_runs: list[Run] = []
            base_runs: list[Run] = []
            for _ in range(repeat):
                jobs = [partial(_build_into, ours_runs, project, here / "site")]
                if not args.no_baseline:
                    jobs.append(partial(_build_into, base_runs, plain, here / "plain-site"))
                if args.parallel:
                    with ThreadPoolExecutor(len(jobs)) as pool:
                        for future in [pool.submit(job) for job in jobs]:
                            future.result()
                else:
                    for job in jobs:
                        job()
            ours = median_run(ours_runs)
            result: dict[str, object] = {"ours": ours}
            print(f"N = {size} appels")
            print(HEADER)
            print(row("nous", ours))
            if base_runs:
                base = median_run(base_runs)
                result["baseline"] = base
                result["capture_s"] = capture_run.wall
                print(row("référence", base))
                print(f"  nous / référence : {ours.wall / base.wall:.2f} (wall), {ours.cpu / base.cpu:.2f} (CPU)")
            print(search_breakdown(here / "site"))
            if args.browser:
                result["search_s"] = search_latency(here / "site")
                print(f"  recherche dans Chromium : premiers résultats {result['search_s']:.1f} s après la frappe "
                      f"(téléchargement et indexation de search_index.json)")
            if size == preview_size and not args.no_preview:
                call_id = _preview_target(project)
                preview = measure_preview(project, work / f"n{size}", call_id, repeat)
                result["preview"] = preview
                build = preview["build"]
                assert isinstance(build, Run)
                serve = preview["serve"]
                assert isinstance(serve, list)
                print(f"  aperçu de {call_id} parmi {size} appels : mkdocs build {build.wall:.2f} s (CPU {build.cpu:.2f} s, "
                      f"{build.pages} pages) ; mkdocs serve, de l'enregistrement à la page servie : "
                      + ", ".join(f"{w:.2f} s (CPU {c:.2f} s)" for w, c in serve)
                      + f", médiane {statistics.median(w for w, _ in serve):.2f} s")
            results[size] = result
            print()
            if not args.keep:
                shutil.rmtree(work / f"n{size}", ignore_errors=True)
        _summary(results)
        print(f"\nDurée totale du banc : {time.perf_counter() - started:.0f} s")
        if args.json:
            args.json.write_text(json.dumps({str(k): _plain(v) for k, v in results.items()}, indent=1, default=str),
                                 encoding="utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _preview_target(project: Path) -> str:
    """A synthetic CPAM call: the case of a funder editing his file among many."""
    return sorted(p.stem for p in (project / "calls").glob("cpam-*-*-*.yaml"))[0]


def _plain(value: object) -> object:
    if isinstance(value, Run):
        return value.__dict__
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _summary(results: dict[int, dict[str, object]]) -> None:
    print("Objectifs")
    sizes = sorted(results)
    for size in sizes:
        ours, base = results[size]["ours"], results[size].get("baseline")
        assert isinstance(ours, Run)
        if isinstance(base, Run):
            wall, cpu = ours.wall / base.wall, ours.cpu / base.cpu
            print(f"  N = {size} : nous / référence = {wall:.2f} wall ({_verdict(wall <= 1.3)}), {cpu:.2f} CPU "
                  f"({_verdict(cpu <= 1.3)}) ; objectif ≤ 1,3")
    if 1000 in results and 5000 in results:
        a, b = results[1000]["ours"], results[5000]["ours"]
        assert isinstance(a, Run) and isinstance(b, Run)
        print(f"  linéarité : temps(5 000) / temps(1 000) = {b.wall / a.wall:.2f} wall ({_verdict(b.wall / a.wall <= 5.5)}), "
              f"{b.cpu / a.cpu:.2f} CPU ({_verdict(b.cpu / a.cpu <= 5.5)}) ; objectif ≤ 5,5")
    largest = results[sizes[-1]]["ours"]
    assert isinstance(largest, Run)
    print(f"  mémoire à N = {sizes[-1]} : {largest.peak_mb:.0f} MB (objectif ≤ 1 500 MB à 5 000) "
          f"{_verdict(largest.peak_mb <= 1500)}")
    print(f"  à N = {sizes[-1]} : index de recherche {largest.search_kb / 1e3:.1f} MB, calendrier {largest.calendar_kb:.0f} kB, "
          f"accueil {largest.home_kb:.0f} kB, plus grosse page {largest.largest_page[0]} ({largest.largest_page[1]:.0f} kB)")
    print("  fichiers pour tout le site : " + ", ".join(f"{name} {kb / 1e3:.1f} MB" for name, kb in largest.feeds_kb.items()))
    for size in sizes:
        preview = results[size].get("preview")
        if isinstance(preview, dict):
            serve = preview["serve"]
            assert isinstance(serve, list)
            wall = statistics.median(w for w, _ in serve)
            cpu = statistics.median(c for _, c in serve)
            print(f"  aperçu à N = {size} : {wall:.2f} s de l'enregistrement à la page ({_verdict(wall <= 3)}), "
                  f"dont {cpu:.2f} s de CPU du serveur ; objectif ≤ 3 s")
    print("  (wall : temps réel, sensible à la charge de la machine, colonne « charge » ; CPU : user + system du "
          "processus de construction)")


def _verdict(ok: bool) -> str:
    return "OK" if ok else "MANQUÉ"


if __name__ == "__main__":
    main()
