"""Which work makes the long main-thread tasks of a page: a Chrome trace, summarised.

    .venv/bin/python benchmarks/longtasks_trace.py SITE_DIR budget|guidance [--warm]

Serves ``SITE_DIR`` (a built site) on 127.0.0.1, opens the CPAM des Flandres budget page (with
the example budget of ``calculators_startup.py``) or its guidance page in headless Chromium,
records a DevTools timeline trace until the first result is shown (plus 1.5 s), and prints
every main-thread task over 40 ms with what it spent its time on (script by URL, layout,
style, paint…). ``--warm`` traces a second visit, once the first has filled the caches and kept
the memory snapshot. Figures include the tracing overhead: use them to attribute, and
``calculators_startup.py`` (e) to measure.
"""

from __future__ import annotations

import collections
import functools
import http.server
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import calculators_startup as startup  # noqa: E402
from browser_support import CHROMIUM_ARGS, QuietHandler, chromium_path  # noqa: E402

LONG_US = 40_000


def trace(site: Path, which: str, warm: bool) -> list[dict]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    url = base + (startup.BUDGET_PAGE + startup.fragment(startup.EXAMPLE) if which == "budget" else startup.GUIDANCE_PAGE)
    events: list[dict] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        if warm:
            page.goto(url)
            if which == "budget":
                page.wait_for_function("() => { const s = window.calculators?.status(); "
                                       "return s && (s.snapshot || s.snapshotCached); }", timeout=60_000)
            page.goto("about:blank")
        cdp = context.new_cdp_session(page)
        done = threading.Event()
        cdp.on("Tracing.dataCollected", lambda message: events.extend(message["value"]))
        cdp.on("Tracing.tracingComplete", lambda _: done.set())
        cdp.send("Tracing.start", {"categories": "devtools.timeline,disabled-by-default-devtools.timeline",
                                   "transferMode": "ReportEvents"})
        page.goto(url)
        if which == "budget":
            page.wait_for_function("expect => document.querySelector('.calc-summary')?.textContent.includes(expect)",
                                   arg=startup.EXAMPLE_TOTAL, timeout=120_000)
        page.wait_for_timeout(1500)
        cdp.send("Tracing.end")
        while not done.is_set():
            page.wait_for_timeout(100)
        browser.close()
    server.shutdown()
    return events


def report(events: list[dict]) -> None:
    threads = {(e["pid"], e["tid"]) for e in events if e.get("name") == "thread_name" and e["args"]["name"] == "CrRendererMain"}
    slices: dict[tuple, list[dict]] = collections.defaultdict(list)
    for event in events:
        if (event.get("pid"), event.get("tid")) in threads and event.get("ph") == "X":
            slices[(event["pid"], event["tid"])].append(event)
    for items in slices.values():
        start = min(e["ts"] for e in items)
        for task in (e for e in items if e["name"] == "RunTask" and e.get("dur", 0) > LONG_US):
            end = task["ts"] + task["dur"]
            spent: collections.Counter[str] = collections.Counter()
            for event in items:
                inside = task["ts"] <= event["ts"] and event["ts"] + event.get("dur", 0) <= end
                if event is task or not inside or event.get("dur", 0) < 500:
                    continue
                data = event.get("args", {}).get("data", {})
                where = data.get("url") or data.get("functionName") or ""
                spent[f"{event['name']} {where[-70:]}".strip()] += event["dur"] // 1000
            print(f"task at {(task['ts'] - start) / 1000:.0f} ms, {task['dur'] / 1000:.0f} ms")
            for label, ms in spent.most_common(6):
                print(f"    {ms:5d} ms  {label}")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[2] not in ("budget", "guidance"):
        raise SystemExit(__doc__)
    report(trace(Path(sys.argv[1]), sys.argv[2], "--warm" in sys.argv[3:]))
