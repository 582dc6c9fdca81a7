"""The budget simulator as a coordinator uses it (issue 11, items 1 to 5): one bad field does not
freeze the rest, the summary's counts are the lists under it, the coordination choice is
explained on the line, a compact summary stays in view, and « 12,345 » is never rounded."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from browser_support import open_calculator, wait_until
from conftest import site_bundle

from calculators.money import format_eur
from calculators.rules.budget import line_notes

pytestmark = pytest.mark.browser

CALL = "cpam-flandres-2025"
BUDGET = f"appels/{CALL}/budget/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
LINES = ".calc-section--hours .calc-line:not(.calc-line--header)"
AMOUNT_LINES = ".calc-section--amount .calc-line:not(.calc-line--header)"

# Where the focus is: the line (its aria-label) and the field (data-name), or a finding's text.
FOCUS = """() => {
  const e = document.activeElement;
  const line = e?.closest('.calc-line');
  return {line: line?.getAttribute('aria-label') ?? null, name: e?.dataset?.name ?? null,
          firstOfLine: Boolean(line) && line.querySelector('input, select') === e,
          finding: e?.classList.contains('calc-finding') ? e.textContent : null};
}"""


@pytest.fixture(scope="module")
def page_answer(site):
    """CPython's answer to the simulator page (lenient evaluation), through the Bundle the worker uses."""
    bundle = site_bundle(site, CALL)
    return lambda data: json.loads(bundle.budget_page_text(CALL, json.dumps(data, ensure_ascii=False)))["result"]


def open_budget(serve, new_page, site, viewport=DESKTOP) -> tuple[Any, Any]:
    page, log = new_page(viewport=viewport)
    open_calculator(page, serve(site) + BUDGET)
    return page, log


def wait_summary(page: Any, text: str) -> str:
    wait_until(page, "(text) => document.querySelector('.calc-summary').textContent.includes(text)", text)
    return page.locator(".calc-summary").text_content()


def add_line(page: Any, section: str) -> Any:
    """Click « Ajouter une ligne » of ``section``; return the new line (it has the focus)."""
    page.locator(f"[data-action=add-line][data-section={section}]").first.click()
    key = page.evaluate("() => document.activeElement.dataset.key")
    return page.locator(f".calc-line[data-key={key}]")


def fill_personnel(row: Any, profession: str, hours: str, rate: str) -> None:
    row.locator("[data-name=profession]").select_option(profession)
    row.locator("[data-name=hours]").fill(hours)
    row.locator("[data-name=hourly_rate]").fill(rate)


def listed(page: Any) -> dict[str, list[str]]:
    """The items of each group of the list under the summary, by its heading's kind."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.calc-problems__group')].map((group) => [
        [...group.classList].find((c) => c.startsWith('calc-problems__group--')).slice('calc-problems__group--'.length),
        [...group.querySelectorAll('li')].map((li) => li.textContent)]))""")


# ------------------------------------------------------------------ 1. one bad field

@pytest.mark.parametrize("typed", ["abc", "-3"])
def test_a_bad_field_leaves_its_line_out_and_the_rest_is_still_computed(serve, new_page, site, page_answer, typed):
    """« abc » or « -3 » hours on the coordinator's line: the doctor's line is totalled and still
    flagged, the summary names the field with a link that moves the focus to it."""
    page, log = open_budget(serve, new_page, site)
    fill_personnel(page.locator(LINES).first, "medecin", "6", "80")
    second = add_line(page, "personnel")
    fill_personnel(second, "coordinateur", typed, "40")
    # 6 h × 80 € = 480 €: the doctor's line alone, as Python totals it without the other one.
    expected = page_answer({"actions": [{"lines": [
        {"category": "personnel", "profession": "medecin", "hours": "6", "hourly_rate": "80"},
        {"category": "personnel", "profession": "coordinateur", "hours": typed, "hourly_rate": "40"}]}]})
    assert expected["totals"]["cost"] == "480.00"
    summary = wait_summary(page, "1 saisie à corriger, non comptée dans les totaux.")
    assert "Coût total : 480,00\u00a0€" in summary
    assert "1 point ne respecte pas les règles de l'appel" in summary  # the 80 €/h cap, still checked
    assert page.locator(".calc-totals").is_visible()
    assert "dépasse le plafond de 75,00" in page.locator(LINES).first.locator(".calc-finding--error").text_content()
    [item] = listed(page)["input"]
    assert item.startswith("Action n° 1, moyens humains, ligne 2, heures : ")
    assert expected["input_errors"][0]["message"] in item and "non comptée dans les totaux" in item
    field = second.locator("[data-name=hours]")
    assert field.get_attribute("aria-invalid") == "true"
    assert "cette ligne n'est pas comptée dans les totaux" in second.locator(".calc-input-error").text_content()
    page.locator("[data-name=title]").first.focus()
    page.locator(".calc-problems__group--input a").click()
    assert page.evaluate(FOCUS) == {"line": "Action n° 1, moyens humains, ligne 2", "name": "hours", "firstOfLine": False,
                                    "finding": None}
    # Corrected: the line counts again, 480 € + 10 h × 40 € = 880 €.
    field.fill("10")
    wait_summary(page, "Coût total : 880,00\u00a0€")
    assert page.locator(".calc-problems__group--input").count() == 0
    assert log.errors == []


# ------------------------------------------------------------------ 2. counts equal lists

@pytest.mark.parametrize("size", SIZES)
def test_every_count_of_the_summary_is_the_number_of_items_listed_each_linking_to_its_line(serve, new_page, site, size):
    """A doctor over the cap, a coordination over 5 %, a poster to check and meals paid by others: each
    count of the summary equals its list, and each item moves the focus to its line's first field."""
    page, log = open_budget(serve, new_page, site, SIZES[size])
    fill_personnel(page.locator(LINES).first, "medecin", "6", "80")
    poster = add_line(page, "communication")
    poster.locator("[data-name=label]").fill("Affiches")
    poster.locator("[data-name=amount]").fill("300")
    coordination = add_line(page, "autres")
    coordination.locator("[data-name=category]").select_option("coordination")
    coordination.locator("[data-name=amount]").fill("100")
    meals = add_line(page, "autres")
    meals.locator("[data-name=category]").select_option("restauration")
    meals.locator("[data-name=amount]").fill("50")
    meals.locator("[data-name=funder]").fill("0")
    # Asked: 480 + 300 + 100 = 880 €; 5 % of it is 44 €. The meals (50 €) are co-funded by nobody.
    wait_summary(page, "Coût total : 930,00\u00a0€")
    summary = wait_summary(page, "à vérifier")  # the counts may follow the total by a render
    groups = listed(page)
    errors = int(re.search(r"(\d+) points? ne respecten?t? pas", summary).group(1))
    warnings = int(re.search(r"\((\d+) à vérifier", summary).group(1))
    infos = int(re.search(r"(\d+) informations?\)", summary).group(1))
    assert (errors, warnings, infos) == (len(groups["error"]), len(groups["warning"]), len(groups["info"]))
    # Cap on the doctor, coordination over 5 %, unbalanced plan; the poster's condition; the meals.
    assert (errors, warnings, infos) == (3, 1, 1)
    titles = page.locator(".calc-problems h4").all_text_contents()
    assert titles == ["Règles non respectées (3)", "Points à vérifier (1)", "Informations (1)"]
    links = page.locator(".calc-problems a")
    assert links.count() == 5
    for n in range(links.count()):
        text = links.nth(n).text_content()
        links.nth(n).click()
        focus = page.evaluate(FOCUS)
        if text.startswith("Budget entier : "):
            assert focus["finding"] and text.removeprefix("Budget entier : ") in focus["finding"]
        else:
            assert focus["firstOfLine"], (text, focus)
            assert text.startswith(f"{focus['line']} : "), (text, focus)
    # The bar's count is the rules broken and the points to check (nothing to correct here).
    assert page.locator(".calc-bar__problems").text_content() == "4 problèmes à revoir"
    assert log.errors == []


# ------------------------------------------------------------------ 3. coordination

def test_the_coordinator_and_coordination_lines_say_which_rule_applies(serve, new_page, site, corpus):
    """A « Coordinateur » line says its hours are vacations at 40 €/h, not the 5 % coordination; a
    « Coordination du projet » line says the reverse; both sentences are Python's, from the call's rules."""
    notes = {(n["category"], n["profession"]): n["text"] for n in line_notes(corpus.calls[CALL], corpus.vocabulary)}
    page, log = open_budget(serve, new_page, site)
    row = page.locator(LINES).first
    row.locator("[data-name=profession]").select_option("coordinateur")
    note = row.locator(".calc-line-note")
    assert notes[("personnel", "coordinateur")] in note.text_content()
    assert "ne comptent pas dans « Coordination du projet »" in note.text_content()
    assert "40,00\u00a0€/h" in note.text_content() and "§ 3 c) 7." in note.text_content()
    assert note.get_attribute("id") in row.locator("[data-name=profession]").get_attribute("aria-describedby").split()
    row.locator("[data-name=profession]").select_option("medecin")
    assert note.text_content() == ""
    other = add_line(page, "autres")
    assert other.locator(".calc-line-note").text_content() == ""  # « Déplacements »: nothing to say
    other.locator("[data-name=category]").select_option("coordination")
    text = other.locator(".calc-line-note").text_content()
    assert notes[("coordination", None)] in text
    assert "5\u00a0% du montant demandé au financeur" in text and "« Coordinateur »" in text
    assert log.errors == []


# ------------------------------------------------------------------ 4. the summary in view

@pytest.mark.parametrize("size", SIZES)
def test_a_compact_summary_stays_in_view_without_covering_the_field_being_edited(serve, new_page, site, size):
    """Far above the results, the bar shows Python's cost and amount asked and the number of problems,
    never covers the focused field, is not a live region, links to the list, and is not printed."""
    page, log = open_budget(serve, new_page, site, SIZES[size])
    fill_personnel(page.locator(LINES).first, "medecin", "6", "80")
    for _ in range(6):
        row = add_line(page, "personnel")
        fill_personnel(row, "psychologue", "2", "50")
    summary = wait_summary(page, "Coût total : 1\u00a0080,00\u00a0€")  # 480 € + 6 × 100 €
    assert "1 point ne respecte pas" in summary
    first = page.locator(LINES).first.locator("[data-name=hours]")
    first.focus()
    first.press("End")
    first.type("0")  # 60 h × 80 € = 4 800 €, + 600 € = 5 400 €
    wait_summary(page, "Coût total : 5\u00a0400,00\u00a0€")
    bar = page.locator(".calc-bar")
    box, field, results = bar.bounding_box(), first.bounding_box(), page.locator(".calc-results").bounding_box()
    viewport = SIZES[size]
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 1, "the bar is out of view"
    assert results["y"] > viewport["height"], "the results are in view anyway: nothing to test"
    assert field["y"] + field["height"] <= box["y"], "the bar covers the field being edited"
    assert bar.locator("strong").all_text_contents() == ["5\u00a0400,00\u00a0€", "5\u00a0400,00\u00a0€"]
    assert bar.locator(".calc-bar__problems").text_content() == "1 problème à revoir"
    # Tab to the fields near the bottom of the window: each lands above the bar.
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => { const r = document.activeElement.getBoundingClientRect(); return [r.top, r.bottom]; }")
        if page.evaluate("() => Boolean(document.activeElement.closest('.calc-bar'))"):
            continue
        top = bar.bounding_box()["y"]
        assert focused[1] <= top + 1 or focused[0] >= top + bar.bounding_box()["height"] - 1, "a focused field is under the bar"
    # Scrolled so that a field sits under the bar, then typed into: it comes back above the bar.
    last = page.locator(LINES).last.locator("[data-name=label]")
    last.focus()
    page.evaluate("""() => { const field = document.activeElement.getBoundingClientRect();
        const bar = document.querySelector('.calc-bar').getBoundingClientRect();
        window.scrollBy(0, field.top - bar.top - 2); }""")
    assert last.bounding_box()["y"] >= bar.bounding_box()["y"] - 2, "the field is not under the bar: nothing to test"
    page.keyboard.type("x")
    assert last.bounding_box()["y"] + last.bounding_box()["height"] <= bar.bounding_box()["y"], "typing under the bar"
    assert bar.get_attribute("aria-live") is None and bar.get_attribute("role") == "region"
    bar.locator("a").click()
    assert page.evaluate("() => document.activeElement.id") == "calc-problemes"
    page.emulate_media(media="print")
    assert not bar.is_visible()
    assert log.errors == []


def test_a_keystroke_that_changes_no_figure_does_not_rewrite_the_announced_summary(serve, new_page, site):
    """Typing a label leaves the result as it was: the live summary is not rewritten, so not re-announced."""
    page, _ = open_budget(serve, new_page, site)
    row = page.locator(LINES).first
    fill_personnel(row, "dieteticien", "2", "50")
    wait_summary(page, "Coût total : 100,00\u00a0€")
    page.evaluate("""() => { window.__rewrites = 0;
        new MutationObserver((records) => { window.__rewrites += records.length; })
          .observe(document.querySelector('.calc-summary'), {childList: true, characterData: true, subtree: true}); }""")
    row.locator("[data-name=label]").type("vacation")
    page.wait_for_timeout(800)  # every keystroke evaluated and shown
    assert page.evaluate("window.__rewrites") == 0
    row.locator("[data-name=hours]").fill("3")
    wait_summary(page, "Coût total : 150,00\u00a0€")
    assert page.evaluate("window.__rewrites") > 0


# ------------------------------------------------------------------ 5. no silent rounding

def test_an_amount_with_three_decimals_is_refused_beside_its_field_not_rounded(serve, new_page, site, page_answer):
    """« 12,345 » for posters: a French message beside the field, the line left out (the printout says so); never 12,35 €."""
    page, log = open_budget(serve, new_page, site)
    fill_personnel(page.locator(LINES).first, "dieteticien", "2", "50")
    poster = add_line(page, "communication")
    poster.locator("[data-name=amount]").fill("12,345")
    summary = wait_summary(page, "1 saisie à corriger")
    assert "Coût total : 100,00\u00a0€" in summary  # the diététicien's 2 h × 50 € only
    assert "12,35\u00a0€" not in page.locator(".calc-results").text_content()  # never shown as an amount
    expected = page_answer({"actions": [{"lines": [
        {"category": "personnel", "profession": "dieteticien", "hours": "2", "hourly_rate": "50"},
        {"category": "communication", "amount": "12,345"}]}]})
    message = expected["input_errors"][0]["message"]
    assert "plus de deux décimales" in message and "12,34 ou 12,35" in message
    error = poster.locator(".calc-input-error")
    assert message in error.text_content() and error.text_content().startswith("Saisie à corriger : Total (1+2) en €")
    assert poster.locator("[data-name=amount]").get_attribute("aria-invalid") == "true"
    assert poster.locator("[data-name=amount]").input_value() == "12,345"  # what she typed stays
    # The printed summary says its totals leave a line out (and prints no stray « null »).
    page.emulate_media(media="print")
    printed = wait_until(page, """() => { const text = document.querySelector('.calc-print').innerText;
        return text.includes('Total du budget demandé') && text; }""")
    assert "Attention : 1 saisie à corriger, non comptée dans ces totaux." in printed
    assert "null" not in printed
    page.emulate_media(media="screen")
    rate = page.locator(LINES).first.locator("[data-name=hourly_rate]")
    rate.fill("50,125")
    wait_until(page, "() => document.querySelector('[data-name=hourly_rate]').getAttribute('aria-invalid') === 'true'")
    assert "le taux horaire s'écrit au centime près" in page.locator(LINES).first.locator(".calc-input-error").text_content()
    assert format_eur(Decimal("0")) in wait_summary(page, "2 saisies à corriger")
    assert log.errors == []
