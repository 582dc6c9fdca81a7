"""The site offline: the service worker (sw.js, written by macros/offline.py from macros/sw.js).

After a first visit online, a coordinator on a train reopens the call page, her checklist and
her draft budget, and keeps computing: the browser context is set offline and the server is
stopped. The site is served under a sub-path (/depot/), as GitHub Pages serves a project.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from browser_support import PageLog, open_calculator, serve_directory, wait_until
from conftest import PRODUCT_EXAMPLE

from macros.offline import runtime_files, service_worker

CALL = "appels/cpam-flandres-2025/"
SUB_PATH = "depot/"

CACHES = """async () => { const out = {}; for (const name of await caches.keys())
  out[name] = (await (await caches.open(name)).keys()).map((r) => r.url); return out; }"""


def under_sub_path(site: Path, tmp_path: Path) -> Path:
    """A directory serving a copy of the site at /depot/ (hard links: no 20 MB copy)."""
    shutil.copytree(site, tmp_path / "www" / SUB_PATH.strip("/"), copy_function=os.link)
    return tmp_path / "www"


def kept(page: Any) -> list[str]:
    """The addresses in the site's cache (appels-sante-<version>)."""
    return [url for name, urls in page.evaluate(CACHES).items() if name.startswith("appels-sante-") for url in urls]


def wait_summary(page: Any, text: str) -> None:
    wait_until(page, "text => (document.querySelector('.calc-summary')?.textContent ?? '').includes(text)", text, timeout=60)


# ---------------------------------------------------------------- the build's sw.js

def test_the_service_worker_is_written_at_the_root_with_this_builds_runtime(site: Path):
    text = (site / "sw.js").read_text(encoding="utf-8")
    manifest = json.loads((site / "assets" / "calculateurs" / "manifest.json").read_text(encoding="utf-8"))
    runtime = runtime_files(site, manifest)
    assert "__VERSION__" not in text and "__RUNTIME__" not in text
    assert json.dumps(runtime) in text
    assert f"{manifest['pyodide']['path']}pyodide.asm.wasm" in runtime and manifest["stdlib"] in runtime
    assert "assets/calculateurs/manifest.json" in runtime and "assets/calculateurs/worker.js" in runtime
    # The worker keeps the snapshot itself; calls' data are kept call by call, not all at once.
    assert manifest["snapshot"] not in runtime
    assert not [path for path in runtime if path.startswith("donnees/appels/")]
    assert all((site / path).is_file() for path in runtime)


def test_a_build_with_other_calculators_or_data_gets_another_cache(site: Path):
    manifest = json.loads((site / "assets" / "calculateurs" / "manifest.json").read_text(encoding="utf-8"))
    same = service_worker(site, json.loads(json.dumps(manifest)))
    changed = json.loads(json.dumps(manifest))
    changed["files"]["donnees/appels/cpam-flandres-2025.json"] = "0" * 64  # a call file edited
    other = service_worker(site, changed)
    version = [line for line in same.splitlines() if line.startswith("const VERSION")]
    assert same == (site / "sw.js").read_text(encoding="utf-8")
    assert version and version[0] not in other


def test_pages_register_it_and_the_policy_allows_nothing_more(site: Path):
    html = (site / CALL / "index.html").read_text(encoding="utf-8")
    assert 'src="../../assets/hors-ligne.js"' in html
    policy = html.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    assert "worker-src 'self'" in policy and "connect-src 'self'" in policy
    assert "https:" not in policy and "*" not in policy


# ---------------------------------------------------------------- in Chromium

@pytest.mark.browser
def test_call_page_checklist_and_budget_reopen_and_compute_offline(browser, site: Path, tmp_path: Path):
    """First visit online under /depot/; then offline, server stopped: the three pages reopen, say
    they are the offline copy, keep her ticks and her draft, and the budget still computes."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    log = PageLog.attach(page)
    started = datetime.now(UTC).replace(microsecond=0)
    try:
        with serve_directory(under_sub_path(site, tmp_path)) as server:
            base = server + SUB_PATH
            page.goto(base + CALL)
            scope = wait_until(page, "() => navigator.serviceWorker.ready.then((r) => r.scope)", timeout=20)
            assert scope == base
            wait_until(page, "url => caches.keys().then(async (names) => { for (const n of names) "
                             "if (await (await caches.open(n)).match(url)) return true; return false; })", base + CALL)
            assert page.locator(".aap-hors-ligne").count() == 0  # online: no notice

            page.goto(base + "calendrier/")
            # The call page asked the worker to keep the calendar file it links to.
            wait_until(page, "url => caches.keys().then(async (names) => { for (const n of names) "
                             "if (await (await caches.open(n)).match(url)) return true; return false; })",
                       base + CALL + "calendrier.ics")

            page.goto(base + CALL + "checklist/")
            boxes = page.locator(".aap-checklist input[type=checkbox]")
            boxes.nth(1).check()

            open_calculator(page, base + CALL + "budget/")
            line = page.locator(".calc-section--hours .calc-line:not(.calc-line--header)").first
            line.get_by_label("Intervenant").select_option("dieteticien")
            line.get_by_label("Heures").fill("12")
            line.get_by_label("Taux horaire (€)").fill("50")
            wait_summary(page, "600,00")  # 12 h × 50 €
            page.wait_for_timeout(400)  # the draft's save is debounced
            wasm = base + "pyodide/"
            wait_until(page, """([wasm, data]) => caches.keys().then(async (names) => { for (const n of names) {
                               const urls = (await (await caches.open(n)).keys()).map((r) => r.url);
                               if (urls.some((u) => u.startsWith(wasm) && u.endsWith('.wasm')) && urls.includes(data)) {
                                 return true; } }
                               return false; })""", [wasm, base + "donnees/appels/cpam-flandres-2025.json"], timeout=30)
        # The server is stopped; the browser is told it is offline too.
        context.set_offline(True)
        online_requests = len(log.requests)

        page.goto(base + CALL)
        notice = wait_until(page, "() => document.querySelector('.aap-hors-ligne')?.textContent", timeout=10)
        assert notice.startswith("Hors ligne : vous lisez la copie de cette page enregistrée sur cet appareil le ")
        stored = datetime.fromisoformat(page.locator(".aap-hors-ligne").get_attribute("data-stored-at").replace("Z", "+00:00"))
        assert started <= stored <= datetime.now(UTC)  # when the first visit kept it
        assert page.locator("h1").count() == 1

        ics = page.evaluate("url => fetch(url).then((r) => r.text())", base + CALL + "calendrier.ics")
        assert ics.startswith("BEGIN:VCALENDAR") and "cpam-flandres-2025" in ics

        page.goto(base + "calendrier/")
        wait_until(page, "() => document.querySelector('.aap-hors-ligne')")
        assert page.locator(".aap-cal-filters").count() == 1  # the calendar page itself, from its copy

        page.goto(base + CALL + "checklist/")
        wait_until(page, "() => document.querySelector('.aap-hors-ligne')")
        assert page.locator(".aap-checklist input[type=checkbox]").nth(1).is_checked()

        page.goto(base + CALL + "budget/")
        wait_until(page, "() => document.querySelector('.aap-hors-ligne')")
        wait_until(page, "() => window.calculators && window.calculators.status().phase === 'ready'", timeout=90)
        wait_summary(page, "600,00")  # her draft, computed offline
        page.locator(".calc-section--hours .calc-line:not(.calc-line--header)").first.get_by_label("Heures").fill("10")
        wait_summary(page, "500,00")  # and she keeps computing: 10 h × 50 €

        offline = log.requests[online_requests:]
        assert not [r.url for r in log.requests if not r.url.startswith(server) and not r.url.startswith(("data:", "blob:"))]
        assert offline and all(r.url.startswith(base) for r in offline)
        assert page.locator(".calc-status").get_attribute("data-phase") == "ready"
        assert log.page_errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_an_unread_page_offline_says_so_in_french(browser, site: Path, tmp_path: Path):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        with serve_directory(under_sub_path(site, tmp_path)) as server:
            page.goto(server + SUB_PATH)
            wait_until(page, "() => navigator.serviceWorker.ready.then(() => caches.keys()).then((names) => names.length > 0)")
        context.set_offline(True)
        response = page.goto(server + SUB_PATH + "financeurs/")
        assert response is not None and response.status == 503
        assert page.locator("h1").text_content() == "Page non disponible hors ligne"
        assert page.locator("a").get_attribute("href") == "/" + SUB_PATH
    finally:
        context.close()


@pytest.mark.browser
def test_a_new_build_replaces_the_cache_and_keeps_what_she_read(browser, site: Path, tmp_path: Path):
    """A new sw.js (a new build): one cache left, under the new name, still holding her page (fetched
    again) and the runtime files this build still uses (copied as they are)."""
    www = under_sub_path(site, tmp_path)
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        with serve_directory(www) as server:
            base = server + SUB_PATH
            open_calculator(page, base + CALL + "budget/")
            wasm_kept = lambda: [u for u in kept(page) if u.endswith(".wasm")]  # noqa: E731
            wait_until(page, "() => caches.keys().then(async (names) => { for (const n of names) "
                             "if ((await (await caches.open(n)).keys()).some((r) => r.url.endsWith('.wasm'))) return true; })",
                       timeout=30)
            old = [name for name in page.evaluate("caches.keys()") if name.startswith("appels-sante-")]
            assert len(old) == 1 and wasm_kept()
            sw = www / SUB_PATH.strip("/") / "sw.js"
            text = sw.read_text(encoding="utf-8")
            sw.unlink()  # a new file: the hard link to the built site stays intact
            sw.write_text(text.replace(old[0].removeprefix("appels-sante-"), "0123456789abcdef"), encoding="utf-8")
            page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
            wait_until(page, "() => caches.keys().then((names) => names.includes('appels-sante-0123456789abcdef') "
                             "&& !names.some((n) => n.startsWith('appels-sante-') && n !== 'appels-sante-0123456789abcdef'))",
                       timeout=30)
            urls = kept(page)
            assert base + CALL + "budget/" in urls
            assert wasm_kept() and base + "assets/calculateurs/manifest.json" in urls
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("save_data", [True, False])
def test_the_snapshot_is_not_fetched_when_the_browser_saves_data(browser, site: Path, save_data: bool):
    """The 5 MB memory snapshot (for the next visits) is fetched in the background after a first
    result, but never when the browser asks to save data (navigator.connection.saveData, set here
    through DevTools; without it, the same visit does fetch it)."""
    draft = base64.urlsafe_b64encode(json.dumps(PRODUCT_EXAMPLE).encode()).decode().rstrip("=")
    context = browser.new_context(locale="fr-FR", service_workers="block")
    page = context.new_page()
    log = PageLog.attach(page)
    try:
        context.new_cdp_session(page).send("Emulation.setDataSaverOverride", {"dataSaverEnabled": save_data})
        with serve_directory(site) as base:
            page.goto(base + CALL + "budget/#brouillon=j" + draft)
            wait_summary(page, "1\u00a0150,00")  # PRODUCT.md's example
            page.wait_for_timeout(3000)
            snapshot = [r.url for r in log.requests if "/snapshot-" in r.url]
            if save_data:
                assert snapshot == []
                assert page.evaluate("window.calculators.status().snapshotCached") is not True
            else:
                assert len(snapshot) == 1
                wait_until(page, "() => window.calculators.status().snapshotCached === true", timeout=30)
    finally:
        context.close()
