"""Keyboard only: a skip link first, a visible focus everywhere, no trap, and every control of
the budget simulator, the eligibility checker and the checklist usable without a mouse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_support import open_calculator, wait_until
from test_accessibility import PAGES

pytestmark = pytest.mark.browser

BUDGET = "appels/cpam-flandres-2025/budget/"
ELIGIBILITY = "appels/cpam-flandres-2025/eligibilite/"
CHECKLIST = "appels/cpam-flandres-2025/checklist/"
WIDE = {"width": 1280, "height": 900}

# What has the focus, whether it shows, and a record of every element reached (window.__reached).
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  (window.__reached ??= new Set()).add(e);
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const name = (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 50);
  return {
    what: `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className} « ${name} »`,
    visible: outline || style.boxShadow !== 'none',
    skip: e.matches('a.md-skip'),
    // Material's search results region: focusable, and empty with no height until a query is typed.
    searchResults: e.matches('.md-search__scrollwrap'),
    inContent: Boolean(e.closest('#contenu')),
    // In the content or after it (the footer, when the content has no link or control).
    fromContent: Boolean(document.getElementById('contenu')?.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING),
  };
}"""

# Every control a visitor may use inside `root`, with whether Tab reached it.
CONTROLS = """(root) => [...document.querySelector(root).querySelectorAll('a[href], button, input, select, textarea, summary')]
  .filter((e) => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
  .map((e) => ({what: `${e.tagName.toLowerCase()}#${e.id} « ${
                  (e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent || e.value || '')
                    .trim().slice(0, 60)} »`,
                reached: Boolean(window.__reached?.has(e)),
                radioPeer: e.type === 'radio'
                  && [...document.getElementsByName(e.name)].some((r) => window.__reached?.has(r))}))"""


def tab(page: Any) -> dict[str, Any] | None:
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


def tab_to(page: Any, selector: str, limit: int = 400) -> None:
    """Press Tab until the focused element matches ``selector`` (it must be reachable)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reaches {selector}")


def tab_through_the_page(page: Any, limit: int = 600) -> list[str]:
    """Tab on until the focus leaves the page, then once more around the whole page.

    Coming back from the browser's own controls, the first stop must be the skip link, and the
    focus must leave the page again (no keyboard trap). Returns the stops whose focus does not
    show (no outline, no box shadow).
    """
    hidden: list[str] = []
    left = 0
    entering = False
    for _ in range(limit):
        stop = tab(page)
        if stop is None:  # the browser's own controls have the focus
            left += 1
            if left == 2:
                return hidden
            entering = True
            continue
        if entering:
            assert stop["skip"], f"coming back into the page, Tab reaches {stop['what']}, not the skip link"
            entering = False
        if not stop["visible"] and not stop["searchResults"]:
            hidden.append(stop["what"])
    raise AssertionError(f"the focus left the page {left} time(s) in {limit} Tab presses: a keyboard trap?")


def unreached(page: Any, root: str) -> list[str]:
    """Controls under ``root`` that Tab did not reach (a radio group counts as one stop)."""
    return [c["what"] for c in page.evaluate(CONTROLS, root) if not c["reached"] and not c["radioPeer"]]


@pytest.mark.parametrize("name", list(PAGES))
def test_skip_link_visible_focus_and_no_trap(site, serve, new_page, name):
    """Tab 1 is « Aller au contenu », which focuses the content; every stop shows its focus; Tab leaves the page."""
    url, prepare = PAGES[name]
    page, log = new_page(viewport=WIDE)
    page.goto(serve(site) + url, wait_until="networkidle")
    skip = tab(page)
    assert skip and skip["skip"], f"first Tab: {skip}"
    assert page.locator("a.md-skip").text_content().strip() == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement?.id") == "contenu"
    after = tab(page)
    assert after and after["fromContent"], f"after the skip link, Tab reaches {after}"
    prepare(page)  # calculator pages: with their results on screen
    assert tab_through_the_page(page) == []
    assert unreached(page, "#contenu") == []
    assert log.errors == []


def test_every_budget_control_works_from_the_keyboard(site, serve, new_page, tmp_path):
    """Add, fill, tick, remove, export, import, print and copy the link with Tab, Enter, Space and typing only."""
    page, log = new_page(viewport=WIDE, accept_downloads=True, permissions=["clipboard-read", "clipboard-write"])
    # Listening from the start turns on Playwright's file chooser interception (enabled without
    # waiting for an answer): listening only around the key press races with it.
    page.on("filechooser", lambda _chooser: None)
    open_calculator(page, serve(site) + BUDGET)
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    summary = "() => document.querySelector('.calc-summary').textContent"

    # The first line: a doctor, 6 h at 80 €/h (above the 75 € cap).
    tab_to(page, "[data-name=title]")
    page.keyboard.type("Ateliers")
    tab_to(page, "select[data-name=profession]")
    while page.evaluate("() => document.activeElement.value") != "medecin":
        page.keyboard.press("ArrowDown")
    tab_to(page, "[data-name=hours]")
    page.keyboard.type("6")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.name") == "hourly_rate"
    page.keyboard.type("80")
    wait_until(page, "() => /480,00/.test(document.querySelector('.calc-summary').textContent)")
    assert "ne respecte" in page.evaluate(summary)

    # Space ticks « Contribution en nature », which disables « Demandé au financeur »; again, unticks.
    tab_to(page, "[data-name=in_kind]")
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked") is True
    assert page.locator("[data-name=funder]").first.is_disabled()
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked") is False

    # Enter on « Ajouter une ligne « Communication » »: the new line's first field has the focus.
    tab_to(page, "[data-action=add-line][data-section=communication]")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.closest('.calc-section--amount') !== null")
    page.keyboard.type("Affiches")
    tab_to(page, ".calc-section--amount [data-name=amount]")
    page.keyboard.type("300")
    wait_until(page, "() => /780,00/.test(document.querySelector('.calc-summary').textContent)")

    # A second action and a co-funder, so that every kind of control is on the page.
    tab_to(page, "[data-action=add-action]")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.dataset.name") == "title"
    page.keyboard.type("Suivi")
    tab_to(page, "[data-action=add-cofunder]")
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.dataset.name") == "name"
    page.keyboard.type("Ville de Dunkerque")
    page.keyboard.press("Tab")
    page.keyboard.type("100")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.name") == "status"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.value") == "obtained"

    # Every control of the simulator is reached by Tab, and Tab gets out again.
    page.evaluate("() => { document.activeElement?.blur(); window.__reached = new Set(); }")
    assert tab_through_the_page(page) == []
    assert unreached(page, "#calculateur") == []

    # Removing by keyboard: Space on a line's « Supprimer », Enter on « Supprimer l'action n° 2 » and the co-funder's.
    tab_to(page, ".calc-section--amount [data-action=remove-line]")
    page.keyboard.press("Space")
    assert page.locator(".calc-section--amount .calc-line:not(.calc-line--header)").count() == 0
    assert page.evaluate("() => document.activeElement.dataset.action") == "add-line"
    tab_to(page, "[data-action=remove-action][aria-label$='n° 2']")
    page.keyboard.press("Enter")
    assert page.locator(".calc-action").count() == 1
    tab_to(page, "[data-action=remove-cofunder]")
    page.keyboard.press("Enter")
    assert page.locator(".calc-line--cofunder").count() == 0
    wait_until(page, "() => /480,00/.test(document.querySelector('.calc-summary').textContent)")

    # The toolbar: CSV (Enter), JSON (Space), import (Enter opens the file chooser), print, copy the link.
    tab_to(page, "[data-action=export-csv]")
    with page.expect_download() as csv_download:
        page.keyboard.press("Enter")
    assert "Médecin" in Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    tab_to(page, "[data-action=export-json]")
    with page.expect_download() as json_download:
        page.keyboard.press("Space")
    exported = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert exported["actions"][0]["title"] == "Ateliers"
    tab_to(page, "[data-action=import-json]")
    imported = tmp_path / "budget.json"
    imported.write_text(json.dumps({"actions": [{"title": "Importée", "lines": [
        {"category": "communication", "label": "Flyers", "amount": "120"}]}]}), encoding="utf-8")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(imported))
    wait_until(page, "() => /120,00/.test(document.querySelector('.calc-summary').textContent)")
    tab_to(page, "[data-action=print]")
    page.keyboard.press("Enter")
    assert page.evaluate("() => window.__printed") == 1
    tab_to(page, "[data-action=copy-link]")
    page.keyboard.press("Enter")
    wait_until(page, "() => document.querySelector('.calc-messages').textContent.includes('Lien copié')")
    assert "#brouillon=" in page.evaluate("navigator.clipboard.readText()")
    tab_to(page, "[data-action=reset]")
    page.keyboard.press("Enter")
    wait_until(page, "() => /Saisissez une première dépense/.test(document.querySelector('.calc-summary').textContent)")
    assert log.errors == []


def test_every_eligibility_control_works_from_the_keyboard(site, serve, new_page):
    """Choose with the arrows, answer with Space, type dates, open the quotes, follow « Encore à renseigner », reset."""
    page, log = new_page(viewport=WIDE)
    open_calculator(page, serve(site) + ELIGIBILITY)
    verdict = "() => document.querySelector('.calc-verdict').dataset.verdict"
    wait_until(page, verdict)

    tab_to(page, "#elig-structure_type")
    page.keyboard.press("ArrowDown")  # the first structure the call allows: an association
    assert page.evaluate("() => document.activeElement.value") == "association"
    tab_to(page, "input[name=q-sans_but_lucratif]")
    page.keyboard.press("ArrowUp")  # from « Je ne sais pas encore » to « Non »
    assert page.evaluate("() => document.activeElement.value") == "non"
    wait_until(page, "() => document.querySelector('.calc-verdict').dataset.verdict === 'not-eligible'")
    page.keyboard.press("ArrowUp")  # « Oui »
    assert page.evaluate("() => document.activeElement.value") == "oui"
    tab_to(page, "#elig-department")
    page.keyboard.press("ArrowDown")  # the department the call covers comes first: 59
    assert page.evaluate("() => document.activeElement.value") == "59"
    tab_to(page, "#elig-submission_date")
    page.keyboard.type("01012025")  # day and month alike: the same in jj/mm/aaaa and mm/dd/yyyy
    wait_until(page, "() => document.getElementById('elig-submission_date').value === '2025-01-01'")

    # Enter opens « Texte de l'appel ».
    tab_to(page, "summary")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.parentElement.open") is True

    # Every control is reached by Tab (one stop per radio group), and Tab gets out again.
    page.evaluate("() => { document.activeElement?.blur(); window.__reached = new Set(); }")
    assert tab_through_the_page(page) == []
    assert unreached(page, "#calculateur") == []

    # Enter on an « Encore à renseigner » link moves the focus to the question.
    tab_to(page, ".calc-missing a")
    target = page.evaluate("() => document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    assert page.evaluate("(href) => { const e = document.activeElement; "
                         "return e.closest(href) !== null || '#' + e.id === href; }", target)
    tab_to(page, ".calc-toolbar button")
    page.keyboard.press("Enter")
    wait_until(page, "() => document.getElementById('elig-structure_type').value === ''")
    assert log.errors == []


def test_every_checklist_control_works_from_the_keyboard(site, serve, new_page):
    """Space ticks and unticks each box, the progress is announced, « Tout décocher » and « Imprimer » work with Enter."""
    page, log = new_page(viewport=WIDE)
    page.goto(serve(site) + CHECKLIST, wait_until="networkidle")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    boxes = page.locator(".aap-checklist input[type=checkbox]")
    total = boxes.count()
    assert total > 5
    tab_to(page, ".aap-checklist input[type=checkbox]")
    for _ in range(3):
        page.keyboard.press("Space")
        assert page.evaluate("() => document.activeElement.checked") is True
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('.aap-checklist .aap-ref a')"):
            page.keyboard.press("Tab")  # past the item's reference, a link to its sentence in the source text
    assert page.locator(".aap-checklist input:checked").count() == 3
    progress = page.locator(".aap-checklist__progress")
    assert progress.get_attribute("role") == "status" and "3" in progress.text_content()
    page.keyboard.press("Shift+Tab")
    if page.evaluate("() => document.activeElement.matches('.aap-checklist .aap-ref a')"):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    assert page.locator(".aap-checklist input:checked").count() == 2

    page.evaluate("() => { document.activeElement?.blur(); window.__reached = new Set(); }")
    assert tab_through_the_page(page) == []
    assert unreached(page, ".aap-checklist") == []

    tab_to(page, "[data-checklist-reset]")
    page.on("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    wait_until(page, "() => document.querySelectorAll('.aap-checklist input:checked').length === 0")
    tab_to(page, "[data-checklist-print]")
    page.keyboard.press("Enter")
    assert page.evaluate("() => window.__printed") == 1
    assert log.errors == []
