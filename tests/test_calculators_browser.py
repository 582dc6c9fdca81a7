"""The calculators in a real browser: Pyodide in a module worker, the budget simulator, the eligibility checker.

These tests open the built site (the session fixture ``site``, ``mkdocs build --strict``) in
headless Chromium; each page start runs Python in WebAssembly, so they take a few seconds each.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import wait_until
from conftest import PRODUCT_EXAMPLE as EXAMPLE
from conftest import site_bundle

pytestmark = pytest.mark.browser

BUDGET = "appels/cpam-flandres-2025/budget/"
ELIGIBILITY = "appels/cpam-flandres-2025/eligibilite/"
CSP_PROBE = """window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture(scope="module")
def calc_site(site: Path) -> Path:
    """The built site (the calculator pages, Pyodide and the rules bundle included)."""
    return site


@pytest.fixture(scope="module")
def cpython_result(site: Path) -> dict[str, Any]:
    """The same evaluation by CPython, through the same Bundle and published JSON the worker uses."""
    bundle = site_bundle(site, "cpam-flandres-2025")
    return json.loads(bundle.evaluate_text("budget", "cpam-flandres-2025", json.dumps(EXAMPLE)))["result"]


def open_calculator(page: Any, url: str) -> None:
    page.goto(url)
    wait_until(page, "() => window.calculators && window.calculators.status().phase === 'ready'", timeout=90)
    wait_until(page, "() => document.getElementById('calculateur').dataset.state === 'ready'")


def wait_summary(page: Any, pattern: str) -> str:
    wait_until(page, "pattern => new RegExp(pattern).test(document.querySelector('.calc-summary')?.textContent ?? '')", pattern)
    return page.locator(".calc-summary").text_content()


def test_the_page_gives_the_same_result_as_cpython(serve, new_page, calc_site, cpython_result):
    """window.calculators.evaluate returns exactly the output object CPython computes."""
    base = serve(calc_site)
    page, log = new_page()
    page.add_init_script(CSP_PROBE)
    open_calculator(page, base + BUDGET)
    result = page.evaluate("input => window.calculators.evaluate('budget', 'cpam-flandres-2025', input)", EXAMPLE)
    assert result == cpython_result
    assert log.errors == [] and log.not_found == []
    assert log.foreign(base) == []
    assert page.evaluate("window.__csp") == []


def test_an_invalid_amount_rejects_with_the_field_that_holds_it(serve, new_page, calc_site):
    """A malformed amount is an Error with .field naming it and a French .message."""
    page, _ = new_page()
    open_calculator(page, serve(calc_site) + BUDGET)
    error = page.evaluate("""async () => {
        try { await window.calculators.evaluate('budget', 'cpam-flandres-2025',
                {actions: [{lines: [{category: 'materiel', amount: 'douze'}]}]}); return null; }
        catch (e) { return {field: e.field, message: e.message}; } }""")
    assert error["field"] == "actions[0].lines[0].amount"
    assert "« douze »" in error["message"]  # the engine's French message names what was typed


def test_typing_a_budget_updates_totals_and_findings_beside_the_line(serve, new_page, calc_site):
    """A doctor at 80 €/h breaks the 75 € cap: the finding sits next to the line, linked to its fields."""
    page, log = new_page()
    open_calculator(page, serve(calc_site) + BUDGET)
    line = page.locator(".calc-section--hours .calc-line:not(.calc-line--header)").first
    line.get_by_label("Intervenant").select_option("medecin")
    assert "75" in line.locator(".calc-cap").text_content()
    line.get_by_label("Heures").fill("6")
    line.get_by_label("Taux horaire (€)").fill("80,00")
    summary = wait_summary(page, "480,00")
    assert "ne respecte" in summary
    finding = line.locator(".calc-finding--error")
    assert "dépasse le plafond de 75,00" in finding.text_content()
    assert "§ 3 c) 1." in finding.text_content()
    described = line.get_by_label("Taux horaire (€)").get_attribute("aria-describedby").split()
    assert finding.get_attribute("id") in described
    assert line.locator("output").last.text_content() == "480,00\u00a0€"
    line.get_by_label("Taux horaire (€)").fill("1 234,5")
    wait_summary(page, "7\u00a0407,00")
    assert log.errors == []


def test_an_input_error_is_shown_next_to_its_field(serve, new_page, calc_site):
    """« abc » as an amount: message beside the field, aria-invalid, the line named as left out of the totals."""
    page, _ = new_page()
    open_calculator(page, serve(calc_site) + BUDGET)
    page.get_by_role("button", name="Ajouter une ligne « Communication » à l'action n° 1").click()
    line = page.locator(".calc-section--amount .calc-line:not(.calc-line--header)").first
    line.get_by_label("Total (1+2) en €").fill("abc")
    wait_summary(page, "saisie à corriger, non comptée dans les totaux")
    field = line.get_by_label("Total (1+2) en €")
    assert field.get_attribute("aria-invalid") == "true"
    error = line.locator(".calc-input-error")
    assert "« abc »" in error.text_content()
    assert error.get_attribute("id") in field.get_attribute("aria-describedby").split()


def test_the_draft_survives_a_reload_and_travels_in_the_link_fragment(serve, new_page, calc_site):
    """The draft is restored from localStorage, and « Copier le lien » puts it after #, never after ?."""
    base = serve(calc_site)
    page, _ = new_page(permissions=["clipboard-read", "clipboard-write"])
    open_calculator(page, base + BUDGET)
    page.evaluate("data => { localStorage.clear(); }")
    page.locator("[data-name=title]").first.fill("Ateliers nutrition")
    line = page.locator(".calc-section--hours .calc-line:not(.calc-line--header)").first
    line.get_by_label("Intervenant").select_option("dieteticien")
    line.get_by_label("Heures").fill("12")
    line.get_by_label("Taux horaire (€)").fill("50")
    wait_summary(page, "600,00")
    page.wait_for_timeout(400)  # the save is debounced
    page.reload()
    open_calculator(page, page.url)
    wait_summary(page, "600,00")
    assert page.locator("[data-name=title]").first.input_value() == "Ateliers nutrition"
    page.get_by_role("button", name="Copier le lien").click()
    wait_until(page, "() => document.querySelector('.calc-messages')?.textContent.includes('Lien copié')")
    link = page.evaluate("navigator.clipboard.readText()")
    assert "?" not in link and "#brouillon=" in link
    other, _ = new_page()  # another visitor: empty storage
    open_calculator(other, link)
    wait_summary(other, "600,00")
    assert other.locator("[data-name=title]").first.input_value() == "Ateliers nutrition"
    assert "#" not in other.url  # the fragment is dropped once read


def test_csv_and_json_exports(serve, new_page, calc_site, tmp_path):
    """CSV like the annex table (BOM, semicolons, decimal commas); JSON that imports back."""
    page, _ = new_page(accept_downloads=True)
    open_calculator(page, serve(calc_site) + BUDGET)
    chooser_path = tmp_path / "example.json"
    chooser_path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(chooser_path))
    wait_summary(page, "1\u00a0150,00")
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter en CSV").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Moyens humains" in text and "Communication" in text
    assert ";450,00;0,00;450,00;" in text
    assert re.search(r"Total du budget demandé;;;650,00;500,00;1150,00;400,00", text)
    assert "Ville de Dunkerque;100,00;" in text
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter en JSON").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["cofunders"] == [{"amount": "100", "status": "requested", "name": "Ville de Dunkerque"}]
    assert [line["category"] for line in exported["actions"][0]["lines"]] == ["personnel", "personnel", "communication"]


def test_eligibility_asks_the_calls_questions_and_gives_the_verdict(serve, new_page, calc_site):
    """Incomplete until answered, then not eligible for a company, with the rule's reference."""
    page, log = new_page()
    open_calculator(page, serve(calc_site) + ELIGIBILITY)
    verdict = page.locator(".calc-verdict")
    wait_until(page, "() => document.querySelector('.calc-verdict')?.dataset.verdict === 'incomplete'")
    assert "Type de structure" in page.locator(".calc-missing").text_content()
    page.get_by_label("Type de votre structure").select_option("association")
    page.get_by_label("Département où se déroule l'action").select_option("59")
    for question in page.locator("fieldset.calc-choices--inline").all():
        question.get_by_label("Oui").check()
    page.get_by_label("Date à laquelle vous déposerez le dossier").fill("2025-04-01")
    page.get_by_label("Date de début du projet").fill("2025-06-01")
    page.get_by_label("Date de fin du projet (évaluation comprise)").fill("2026-05-15")
    wait_until(page, "() => document.querySelector('.calc-verdict')?.dataset.verdict === 'eligible'")
    page.get_by_label("Type de votre structure").select_option("entreprise")
    wait_until(page, "() => document.querySelector('.calc-verdict')?.dataset.verdict === 'not-eligible'")
    assert "§ 2 « Qui peut répondre ? »" in verdict.text_content()
    assert log.errors == []


def test_a_question_for_associations_only_is_not_put_to_other_structures(serve, new_page, calc_site):
    """Occitanie asks « déclarée en préfecture » of associations only: hidden for a local authority,
    back for an association, and the verdict follows (non → not eligible, for the association only)."""
    page, log = new_page()
    open_calculator(page, serve(calc_site) + "appels/occitanie-1000-jours-2021/eligibilite/")
    question = page.locator("#elig-q-association_declaree_prefecture")
    assert question.is_visible()
    assert "seulement si votre structure est : Association" in question.text_content()
    question.get_by_label("Non").check()
    page.get_by_label("Type de votre structure").select_option("association")
    wait_until(page, "() => document.querySelector('.calc-verdict')?.dataset.verdict === 'not-eligible'")
    assert "déclarée en préfecture" in page.locator(".calc-verdict").text_content()
    page.get_by_label("Type de votre structure").select_option("collectivite")
    wait_until(page, "() => !/déclarée en préfecture/.test(document.querySelector('.calc-verdict').textContent)")
    assert not question.is_visible()
    assert page.get_by_text("Cette question ne concerne pas votre type de structure.").is_visible()
    page.get_by_label("Type de votre structure").select_option("association")
    # Python's reply (not_asked) decides whom the question concerns; the page only shows it again.
    wait_until(page, "() => !document.querySelector('#elig-q-association_declaree_prefecture').hidden")
    assert question.is_visible()
    assert log.errors == []


def test_without_webassembly_the_page_says_so_and_keeps_the_rules(serve, new_page, calc_site):
    """No WebAssembly: a French message instead of a spinner, and the static rules stay visible."""
    page, _ = new_page()
    page.add_init_script("delete globalThis.WebAssembly")
    page.goto(serve(calc_site) + BUDGET)
    status = page.locator(".calc-status")
    wait_until(page, "() => document.querySelector('.calc-status')?.dataset.phase === 'failed'")
    assert "WebAssembly" in status.text_content()
    assert page.locator(".calc-status progress").is_hidden()
    assert page.locator(".calc-fallback").is_visible()


def test_the_simulator_fits_a_320_pixel_screen(serve, new_page, calc_site):
    """Nothing overflows sideways at 320 px."""
    page, _ = new_page(viewport={"width": 320, "height": 640})
    open_calculator(page, serve(calc_site) + BUDGET)
    overflow = page.evaluate("(m => m.scrollWidth - m.clientWidth)(document.getElementById('calculateur'))")
    assert overflow <= 0


def test_the_printed_budget_is_a_one_page_summary(serve, new_page, calc_site, tmp_path):
    """Print: the annex-like summary on one A4 page, without the form, the toolbar or the rules."""
    page, _ = new_page()
    (tmp_path / "example.json").write_text(json.dumps(EXAMPLE), encoding="utf-8")
    open_calculator(page, serve(calc_site) + BUDGET)
    page.locator("input[type=file]").set_input_files(str(tmp_path / "example.json"))
    wait_summary(page, "1\u00a0150,00")
    page.emulate_media(media="print")
    assert page.locator(".calc-print").is_visible()
    assert page.locator(".calc-form").is_hidden() and page.locator(".calc-fallback").is_hidden()
    assert "Total du budget demandé" in page.locator(".calc-print").text_content()
    pdf = page.pdf(format="A4")
    assert re.findall(rb"/Count (\d+)", pdf) == [b"1"]


def test_only_the_calculator_pages_load_the_runtime(calc_site):
    """Guidance pages reference no calculator script, so no Pyodide file is ever fetched for them."""
    pages = list(Path(calc_site).rglob("*.html"))
    loading = {page.relative_to(calc_site).parent.as_posix() for page in pages
               if "assets/calculateurs/" in page.read_text(encoding="utf-8")}
    assert BUDGET.rstrip("/") in loading and ELIGIBILITY.rstrip("/") in loading
    assert all(path.endswith(("/budget", "/eligibilite")) for path in loading), sorted(loading)
    assert not any("pyodide" in page.read_text(encoding="utf-8") for page in pages)


def tampered_copy(site: Path, target: Path, path: str) -> Path:
    """A copy of the built site (hard links) where the file ``path`` has one byte changed."""
    import os
    import shutil

    shutil.copytree(site, target, copy_function=os.link)
    victim = target / path
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01  # a single bit, in the middle: same size, same type, other bytes
    victim.unlink()  # a new file: the hard link to the built site stays intact
    victim.write_bytes(bytes(data))
    return target


def runtime_files(site: Path) -> dict[str, str]:
    manifest = json.loads((site / "assets" / "calculateurs" / "manifest.json").read_text(encoding="utf-8"))
    pyodide = manifest["pyodide"]["path"]
    return {"interpreter": f"{pyodide}pyodide.asm.wasm", "loader": f"{pyodide}pyodide.mjs",
            "glue": f"{pyodide}pyodide.asm.mjs", "stdlib": manifest["stdlib"], "snapshot": manifest["snapshot"],
            "rules": f"assets/calculateurs/{manifest['bundle']}"}


@pytest.mark.parametrize("which", ["interpreter", "loader", "glue", "stdlib", "rules"])
def test_a_tampered_runtime_file_stops_the_calculator_with_a_french_message(serve, new_page, site, tmp_path, which):
    """One bit changed in a file Pyodide or the rules come from: the page says so and nothing is run."""
    path = runtime_files(site)[which]
    base = serve(tampered_copy(site, tmp_path / "site", path))
    page, log = new_page()
    page.goto(base + BUDGET)
    wait_until(page, "() => document.querySelector('.calc-status')?.dataset.phase === 'failed'", timeout=60)
    status = page.locator(".calc-status").text_content()
    assert f"un fichier du calculateur ({path}) ne correspond pas à celui publié avec le site" in status
    assert "aucun calcul n'est lancé" in status
    stages = [stage for stage, *_ in page.evaluate("window.calculators.status().timeline")]
    assert "python" not in stages and "ready" not in stages  # Pyodide never started
    refused = page.evaluate("""() => window.calculators.evaluate('budget', 'cpam-flandres-2025', {actions: []})
        .then(() => null, (error) => error.message)""")
    assert refused and "ne correspond pas" in refused
    assert "Coût total" not in (page.locator(".calc-summary").text_content() or "")
    assert page.locator(".calc-fallback").is_visible()  # the rules stay readable


def test_a_tampered_snapshot_stops_the_calculator_and_is_never_kept(serve, new_page, site, tmp_path):
    """The memory snapshot, fetched in the background after a first start, does not match: the page says so."""
    path = runtime_files(site)["snapshot"]
    base = serve(tampered_copy(site, tmp_path / "site", path))
    page, _ = new_page()
    page.goto(base + BUDGET)  # a first visit: Python starts from the other files, all checked
    wait_until(page, "() => document.querySelector('.calc-status')?.dataset.phase === 'failed'", timeout=90)
    status = page.locator(".calc-status").text_content()
    assert f"un fichier du calculateur ({path}) ne correspond pas à celui publié avec le site" in status
    assert page.evaluate("window.calculators.status().snapshot") is not True
    refused = page.evaluate("""() => window.calculators.evaluate('budget', 'cpam-flandres-2025', {actions: []})
        .then(() => null, (error) => error.message)""")
    assert refused and "ne correspond pas" in refused
    assert page.evaluate("caches.open('calculateurs-instantane').then((cache) => cache.keys()).then((keys) => keys.length)") == 0


def test_a_tampered_call_file_is_refused_by_the_page_and_the_worker(serve, new_page, site, tmp_path):
    """The call's published JSON changed after the build: no form built on it, no evaluation of it."""
    path = "donnees/appels/cpam-flandres-2025.json"
    base = serve(tampered_copy(site, tmp_path / "site", path))
    page, _ = new_page()
    page.goto(base + BUDGET)
    wait_until(page, "() => document.querySelector('#calculateur .calc-status')?.dataset.phase === 'failed'", timeout=60)
    assert f"le fichier {path} ne correspond pas à celui publié avec le site" in page.locator("#calculateur").text_content()
    refused = page.evaluate("""() => window.calculators.evaluate('budget', 'cpam-flandres-2025', {actions: []})
        .then(() => null, (error) => error.message)""")
    assert refused and f"({path}) ne correspond pas" in refused
    other = page.evaluate("""() => window.calculators.evaluate('eligibility', 'cpam-val-de-marne-2026', {})
        .then((result) => result.call)""")
    assert other == "cpam-val-de-marne-2026"  # the other calls, checked one by one, still work
