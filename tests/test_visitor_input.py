"""What a visitor types into the budget simulator, however absurd, gives a French message beside
its field or the exact total CPython computes — never a wrong total, never a frozen page."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from browser_support import PageLog, open_calculator, serve_directory, wait_until
from conftest import site_bundle

from calculators.money import format_eur

pytestmark = pytest.mark.browser

CALL = "cpam-flandres-2025"
BUDGET = f"appels/{CALL}/budget/"
RESPONSIVE_S = 5  # « a few seconds »: the longest a click may wait while the page works
TOTAL_ROWS = {"Demandé au financeur (1)": "funder", "Cofinancements (2)": "cofunding",
              "dont contributions en nature": "in_kind", "Coût total du projet (1+2)": "cost"}


@pytest.fixture(scope="module")
def cpython(site):
    """CPython's answer for an input, through the same Bundle the browser worker uses."""
    bundle = site_bundle(site, CALL)
    return lambda data: json.loads(bundle.evaluate_text("budget", CALL, json.dumps(data, ensure_ascii=False)))


@pytest.fixture(scope="module")
def cpython_page(site):
    """CPython's answer to the simulator page (lenient: a line that cannot be read is left out and listed)."""
    bundle = site_bundle(site, CALL)
    return lambda data: json.loads(bundle.budget_page_text(CALL, json.dumps(data, ensure_ascii=False)))


@pytest.fixture(scope="module")
def simulator(site, browser) -> Iterator[tuple[Any, PageLog]]:
    """One budget simulator page for the whole module; each case starts from « Recommencer »."""
    with serve_directory(site) as base:
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        log = PageLog.attach(page)
        open_calculator(page, base + BUDGET)
        yield page, log
        context.close()


def start_over(page: Any) -> None:
    page.locator("[data-action=reset]").click()
    wait_until(page, "() => /Saisissez une première dépense/.test(document.querySelector('.calc-summary').textContent)")


@dataclass(frozen=True)
class Case:
    """Fields to fill (section → {field: text}) and the calculators' input they amount to."""

    name: str
    personnel: dict[str, str] = field(default_factory=dict)
    communication: dict[str, str] = field(default_factory=dict)
    cofunder: dict[str, str] = field(default_factory=dict)
    invalid: str | None = None  # data-name of the field the message is about, if any

    def input(self) -> dict[str, Any]:
        lines: list[dict[str, Any]] = []
        if self.personnel:
            lines.append({"category": "personnel", "profession": "psychologue",
                          **{k: v for k, v in self.personnel.items() if v.strip()}})
        if self.communication:
            lines.append({"category": "communication", **self.communication})
        cofunders = [{"status": "requested", **self.cofunder}] if self.cofunder else []
        return {"actions": [{"lines": lines}], "cofunders": cofunders}


CASES = [
    Case("every field left empty"),
    Case("hours without an hourly rate", personnel={"hours": "6", "hourly_rate": ""}, invalid="hourly_rate"),
    Case("an hourly rate without hours", personnel={"hours": "", "hourly_rate": "50"}, invalid="hours"),
    Case("letters as hours", personnel={"hours": "douze", "hourly_rate": "50"}, invalid="hours"),
    Case("1e308 as an hourly rate", personnel={"hours": "6", "hourly_rate": "1e308"}, invalid="hourly_rate"),
    Case("1e308 as an amount", communication={"amount": "1e308"}, invalid="amount"),
    Case("negative hours", personnel={"hours": "-3", "hourly_rate": "50"}, invalid="hours"),
    Case("more than a billion euros", communication={"amount": "1 000 000 001"}, invalid="amount"),
    Case("an amount pasted with non-breaking spaces", communication={"amount": "1\u00a0234,56"}),
    Case("a rate pasted with a narrow space and the euro sign", personnel={"hours": "6", "hourly_rate": "1\u202f234,5 €"}),
    Case("letters as the part asked from the funder", communication={"amount": "300", "funder": "beaucoup"}, invalid="funder"),
    Case("a co-funder without an amount", communication={"amount": "300"}, cofunder={"name": "Ville", "amount": ""},
         invalid="amount"),
]


def fill(page: Any, case: Case) -> Any:
    """Type the case into the form; return the row of the field that should be marked, if any."""
    rows = {}
    if case.personnel:
        row = page.locator(".calc-section--hours .calc-line:not(.calc-line--header)").first
        row.locator("[data-name=profession]").select_option("psychologue")
        for name, value in case.personnel.items():
            row.locator(f"[data-name={name}]").fill(value)
        rows["personnel"] = row
    if case.communication:
        page.locator("[data-action=add-line][data-section=communication]").first.click()
        row = page.locator(".calc-section--amount .calc-line:not(.calc-line--header)").first
        for name, value in case.communication.items():
            row.locator(f"[data-name={name}]").fill(value)
        rows["communication"] = row
    if case.cofunder:
        page.locator("[data-action=add-cofunder]").click()
        row = page.locator(".calc-line--cofunder").first
        for name, value in case.cofunder.items():
            row.locator(f"[data-name={name}]").fill(value)
        rows["cofunder"] = row
    return rows


def displayed_totals(page: Any) -> dict[str, str]:
    cells = page.evaluate("""() => [...document.querySelectorAll('.calc-totals tr')]
        .map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent])""")
    return {TOTAL_ROWS[label]: value for label, value in cells if label in TOTAL_ROWS}


def expected_totals(result: dict[str, Any]) -> dict[str, str]:
    return {name: format_eur(Decimal(result["totals"][name])) for name in TOTAL_ROWS.values()}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_absurd_input_gives_a_message_beside_its_field_or_the_exact_total(simulator, cpython, cpython_page, case):
    """Each input gives CPython's total, or its French message next to the field, marked aria-invalid, and the totals
    of the other lines."""
    page, log = simulator
    start_over(page)
    rows = fill(page, case)
    expected = cpython(case.input())
    if case.invalid is None:
        assert "result" in expected, expected
        totals = expected_totals(expected["result"])
        if case.personnel or case.communication:
            wait_until(page, "(cost) => document.querySelector('.calc-summary').textContent.includes(`Coût total : ${cost}`)",
                       totals["cost"])
        assert displayed_totals(page) == totals
        assert page.locator("[aria-invalid=true]").count() == 0
    else:
        assert "error" in expected, expected
        # Wait for the answer to the whole input, not to a field typed on the way.
        wait_until(page, """([name, message]) => document.querySelector(`[data-name=${name}][aria-invalid=true]`)
            && document.querySelector('.calc-input-error')?.textContent.includes(message)""",
                   [case.invalid, expected["error"]["message"]])
        summary = page.locator(".calc-summary").text_content()
        assert summary.startswith("1 saisie à corriger, non comptée dans les totaux.")
        field = page.locator(f"[data-name={case.invalid}][aria-invalid=true]")
        assert field.count() == 1, f"no field {case.invalid} marked invalid"
        message = page.locator(".calc-input-error")
        assert message.count() == 1
        assert expected["error"]["message"] in message.text_content()  # CPython's French sentence
        assert message.get_attribute("id") in field.get_attribute("aria-describedby").split()
        row = rows["cofunder" if case.cofunder else "communication" if case.invalid in ("amount", "funder") else "personnel"]
        assert row.locator(".calc-input-error").count() == 1, "the message is not beside its field"
        # The rest of the budget is still totalled, by Python: CPython's totals without that line.
        page_answer = cpython_page(case.input())["result"]
        assert [item["message"] for item in page_answer["input_errors"]] == [expected["error"]["message"]]
        wait_until(page, "(cost) => document.querySelector('.calc-summary').textContent.includes(`Coût total : ${cost}`)",
                   expected_totals(page_answer)["cost"])
        assert displayed_totals(page) == expected_totals(page_answer)
        assert page.locator(".calc-totals").is_visible()
    assert page.locator(".calc-summary").get_attribute("role") == "status"
    assert log.errors == []


def test_a_broken_file_is_refused_with_a_message_by_the_import_button(simulator, tmp_path):
    """A file that is not JSON, or JSON of the wrong shape, is refused in French; the draft stays."""
    page, _ = simulator
    start_over(page)
    for content, words in (("pas du json {", "n'est pas un JSON valide"), ('[1, 2]', "un objet JSON")):
        path = tmp_path / "budget.json"
        path.write_text(content, encoding="utf-8")
        page.locator("input[type=file]").set_input_files(str(path))
        wait_until(page, "(words) => document.querySelector('.calc-messages').textContent.includes(words)", words)
        assert "Import impossible" in page.locator(".calc-messages").text_content()
    assert page.locator(".calc-action").count() == 1


def test_ten_thousand_imported_lines_give_the_exact_total_and_the_page_stays_usable(simulator, cpython, tmp_path):
    """10 000 lines (the most the calculators accept): a click is handled within seconds, then CPython's totals."""
    page, log = simulator
    start_over(page)
    lines = []
    for i in range(10_000):
        if i % 3 == 0:
            lines.append({"category": "personnel", "profession": "psychologue", "hours": "1,5", "hourly_rate": "33,33"})
        elif i % 3 == 1:
            lines.append({"category": "communication", "label": f"Support {i}", "amount": "1\u00a0001,01", "funder": "500"})
        else:
            lines.append({"category": "materiel", "label": f"Matériel {i}", "amount": 0.1, "in_kind": True})
    data = {"actions": [{"title": "Très gros budget", "lines": lines}]}
    expected = expected_totals(cpython(data)["result"])
    path = tmp_path / "gros-budget.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    button = page.locator("[data-action=print]").bounding_box()
    page.locator("input[type=file]").set_input_files(str(path))
    clicked = time.monotonic()
    page.mouse.click(button["x"] + button["width"] / 2, button["y"] + button["height"] / 2)
    wait_until(page, "() => window.__printed > 0", timeout=30)
    responded = time.monotonic() - clicked

    wait_until(page, "(cost) => document.querySelector('.calc-summary').textContent.includes(`Coût total : ${cost}`)",
               expected["cost"], timeout=90)
    assert responded <= RESPONSIVE_S, f"a click during the import of 10 000 lines waited {responded:.1f} s"
    assert displayed_totals(page) == expected
    assert page.locator("input[data-name=title]").first.input_value() == "Très gros budget"
    # 50 lines shown per section (personnel, matériel, communication), the rest behind a button.
    assert page.locator(".calc-line:not(.calc-line--header):not(.calc-line--cofunder)").count() == 150
    more = page.locator("[data-action=more-lines]")
    assert more.count() == 3
    assert "(3 284 non affichées)" in more.nth(0).text_content().replace("\u202f", " ").replace("\u00a0", " ")
    start_over(page)  # and it lets go again
    assert log.errors == []


def test_long_budgets_show_their_lines_in_pages_and_bring_a_hidden_line_with_an_error_into_view(simulator, cpython, tmp_path):
    """120 communication lines: 50 shown, then 50 more on request with the focus on the 51st; an
    invalid amount on line 110 shows that line, with its message beside it; a line added stays in view."""
    page, log = simulator
    start_over(page)
    lines = [{"category": "communication", "label": f"Affiche {i + 1}", "amount": "10", "funder": "10"} for i in range(120)]
    data = {"actions": [{"title": "Affichage", "lines": lines}]}
    path = tmp_path / "long.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(path))
    cost = expected_totals(cpython(data)["result"])["cost"]
    wait_until(page, "(cost) => document.querySelector('.calc-summary').textContent.includes(`Coût total : ${cost}`)", cost)
    rows = page.locator(".calc-section--amount .calc-line:not(.calc-line--header)")
    assert rows.count() == 50
    more = page.locator("[data-action=more-lines]")
    assert more.text_content() == "Afficher 50 lignes de plus (70 non affichées)"
    more.click()
    assert rows.count() == 100
    assert page.evaluate("() => document.activeElement.value") == "Affiche 51"
    assert more.text_content() == "Afficher 20 lignes de plus (20 non affichées)"
    # A line added at the end is shown at once, below the lines still hidden.
    page.get_by_role("button", name="Ajouter une ligne « Communication » à l'action n° 1").click()
    assert rows.count() == 101
    page.keyboard.type("Nouvelle affiche")
    # An error on a line not shown yet: that line appears, marked, with CPython's message beside it.
    lines[109]["amount"] = "dix euros"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(path))
    message = cpython(data)["error"]["message"]
    wait_until(page, "(message) => document.querySelector('.calc-input-error')?.textContent.includes(message)", message)
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() == 1
    assert invalid.input_value() == "dix euros"
    row = page.locator(".calc-line", has=page.locator("[aria-invalid=true]"))
    assert row.locator("[data-name=label]").input_value() == "Affiche 110"
    assert row.locator(".calc-input-error").count() == 1
    assert rows.count() == 51
    start_over(page)
    assert log.errors == []
