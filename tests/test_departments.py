"""Department codes in reading order (01…19, 2A, 2B, 21…95, 971…976): one sort key for every list."""

from __future__ import annotations

import json

import pytest
from browser_support import open_calculator

from calculators.departments import department_key, in_reading_order

READING_ORDER = ([f"{n:02d}" for n in range(1, 20)] + ["2A", "2B"] + [f"{n:02d}" for n in range(21, 96)]
                 + [str(n) for n in range(971, 977) if n != 975])
"""The official list: Corsica's two departments in the place of 20, overseas departments last (no 975)."""


def test_the_key_puts_codes_in_reading_order():
    """Shuffled codes sort to 01…09, 10…19, 2A, 2B, 21…95, 971…976."""
    shuffled = sorted(READING_ORDER, key=lambda code: code[::-1])
    assert shuffled != READING_ORDER
    assert list(in_reading_order(shuffled)) == READING_ORDER
    assert department_key("09") < department_key("10") < department_key("2A") < department_key("2B") < department_key("21")


def test_the_vocabulary_model_and_a_territory_rule_list_departments_in_reading_order(corpus):
    """The model's departments, a region's and a territory rule's come out in reading order."""
    from calculators.rules import RuleInfo
    from calculators.rules.eligibility import Territory

    assert list(corpus.vocabulary.departments) == READING_ORDER
    for region in corpus.vocabulary.regions.values():
        assert list(region.departments) == [code for code in READING_ORDER if code in region.departments]
    info = RuleInfo("t", "territory", "Territoire", "§ 1", "…", "error")
    rule = Territory.from_data(info, {"departments": ["971", "2B", "09", "82", "2A"]})
    assert rule.departments == ("09", "2A", "2B", "82", "971")


def test_the_published_vocabulary_carries_the_reading_order(site):
    """donnees/vocabulaire.json lists department_order for the forms (JavaScript would reorder the object's keys)."""
    data = json.loads((site / "donnees" / "vocabulaire.json").read_text(encoding="utf-8"))
    assert data["department_order"] == READING_ORDER
    assert set(data["department_order"]) == set(data["departments"])


@pytest.mark.browser
def test_the_eligibility_forms_department_list_is_in_reading_order(site, serve, new_page):
    """Occitanie 2021: « 09 — Ariège » opens the Occitanie group; the other group reads 01, 02… 19, 2A, 2B, 21…"""
    base = serve(site)
    page, log = new_page()
    open_calculator(page, base + "appels/occitanie-1000-jours-2021/eligibilite/")
    groups = page.evaluate("""() => [...document.querySelectorAll('#elig-department optgroup')].map((group) =>
        [group.label, [...group.querySelectorAll('option')].map((option) => option.value)])""")
    occitanie = ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"]
    assert groups == [["Départements concernés par l'appel", occitanie],
                      ["Autres départements", [code for code in READING_ORDER if code not in occitanie]]]
    assert page.locator('#elig-department option[value="09"]').inner_text() == "09 — Ariège"
    assert not log.errors


def test_the_finders_department_list_and_index_are_in_reading_order(site):
    """/trouver/'s suggestions and donnees/trouver.json list the departments 01…19, 2A, 2B, 21…, 971…"""
    import re

    page = (site / "trouver" / "index.html").read_text(encoding="utf-8")
    datalist = page[page.index('<datalist id="trouver-departements">'):page.index("</datalist>")]
    assert re.findall(r'<option value="(\w+) — ', datalist) == READING_ORDER
    index = json.loads((site / "donnees" / "trouver.json").read_text(encoding="utf-8"))
    assert [code for code, *_ in index["departments"]] == READING_ORDER
