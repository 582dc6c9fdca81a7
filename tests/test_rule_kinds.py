"""Each rule kind is one class that owns everything about it — and nothing about it lives elsewhere.

A kind is complete when its class reads its YAML, checks what the schema cannot, describes
itself in French, declares the inputs it reads and evaluates; when the schema has its branch;
when ``tests/rules/<kind>.yaml`` holds its cases; and when a call (seed or synthetic) uses it,
so that its pages are built and looked at. The templates and the JavaScript hold no per-kind
branch (checked below), so a new kind is the class, the schema branch and the case file.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from cases_support import RULES_DIR
from conftest import ROOT

from calculators.eligibility import FIELDS
from calculators.rules import Description, Field, Rule, kinds

KINDS = [(family, kind, cls) for family, registered in kinds().items() for kind, cls in sorted(registered.items())]
SCHEMA = json.loads((ROOT / "calls" / "schema.json").read_text(encoding="utf-8"))
CONTROLS = {"select", "amount", "date", "yesno", "checkboxes"}


@pytest.mark.parametrize(("family", "kind", "cls"), KINDS, ids=[kind for _, kind, _ in KINDS])
def test_a_kind_is_one_class_with_every_part(family, kind, cls):
    """Its own reading, description and evaluation; a schema branch; a case file."""
    for method in ("from_data", "describe", "check"):
        assert getattr(cls, method) is not getattr(Rule, method, None), f"{kind}: {method} n'est pas défini par la classe"
    rule_schema = SCHEMA["$defs"][f"{family}_rule"]
    assert kind in rule_schema["properties"]["kind"]["enum"]
    branches = [branch for branch in rule_schema["allOf"]
                if branch.get("if", {}).get("properties", {}).get("kind") == {"const": kind}]
    assert len(branches) == 1 and branches[0]["then"].get("description"), f"{kind}: branche du schéma sans description"
    assert (RULES_DIR / f"{kind}.yaml").is_file(), f"{kind}: fichier de cas tests/rules/{kind}.yaml manquant"


def test_every_kind_is_used_by_a_seed_or_synthetic_call(rule_corpus):
    used = {rule.info.kind for call in rule_corpus.calls.values() for rule in (*call.budget_rules, *call.eligibility_rules)}
    assert {kind for _, kind, _ in KINDS} <= used


def test_every_rule_describes_itself_and_declares_its_inputs(rule_corpus):
    """The description is French sentences; the fields are controls the pages know, over inputs the rule reads."""
    vocabulary = rule_corpus.vocabulary
    for call in rule_corpus.calls.values():
        for rule in (*call.budget_rules, *call.eligibility_rules):
            where = f"{call.id} / {rule.info.id}"
            text = rule.describe(call, vocabulary)
            assert isinstance(text, Description) and text.lead[:1].isupper(), where
            assert text.lead.endswith(":") == bool(text.items), f"{where}: « {text.lead} »"
            assert text.inline().endswith((".", "?", ")")), f"{where}: « {text.inline()} »"
            for field in rule.fields(call, vocabulary):
                assert isinstance(field, Field) and field.control in CONTROLS, where
                root = field.name.split(".")[0]
                assert root in rule.reads or field.name in rule.reads, f"{where}: {field.name} absent de reads {rule.reads}"
                if rule.family == "eligibility" and root not in FIELDS:  # an input of the kind's own
                    assert field.control in ("date", "amount") and "." not in field.name, where


def test_a_question_for_some_structures_is_not_asked_of_the_others(rule_corpus):
    """Python says which questions do not concern her structure; the page only hides them (not_asked)."""
    from calculators.eligibility import evaluate_eligibility

    call = rule_corpus.calls["occitanie-1000-jours-2021"]
    vocabulary = rule_corpus.vocabulary
    for_associations = evaluate_eligibility(call, vocabulary, {"structure_type": "association"})
    for_a_town = evaluate_eligibility(call, vocabulary, {"structure_type": "collectivite"})
    unknown = evaluate_eligibility(call, vocabulary, {})
    assert for_associations["not_asked"] == [] and unknown["not_asked"] == []
    assert for_a_town["not_asked"] == ["answers.association_declaree_prefecture"]


def test_no_template_or_script_branches_on_a_rule_kind():
    """Descriptions and controls come from the classes: no `kind == "…"` of a rule kind elsewhere."""
    names = {kind for _, kind, _ in KINDS}
    offenders = []
    for path in [*(ROOT / "macros" / "templates").glob("*.j2"), *(ROOT / "docs" / "assets").rglob("*.js")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for quoted in re.findall(r"""["']([a-z_]+)["']""", line):
                if quoted in names and "kind" in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize(("call_id", "calculator", "words"), [
    ("synthetique-montant-subvention", "budget",
     ["Subvention demandée : au moins 1 000 € et au plus 5 000 €.",
      "Jusqu'à 8 000 € seulement pour : les projets portés par plusieurs structures."]),
    ("synthetique-fonds-publics", "budget", ["Le total des fonds publics", "ne peut dépasser 80 % du coût total du projet."]),
    ("synthetique-assiette-plafonnee", "budget",
     ["Subvention plafonnée à 10 000 €", "dans la limite de 30 000 €",
      "Ce sont la subvention et les dépenses retenues qui sont plafonnées, pas le projet"]),
    ("synthetique-periode-actions", "eligibilite",
     ["Les actions se déroulent entre le 1er octobre 2025 et le 30 novembre 2025 inclus"]),
])
def test_a_new_kind_reads_the_same_on_the_call_page_the_calculator_and_the_checklist(synthetic_site, call_id, calculator,
                                                                                     words):
    pages = [synthetic_site / "appels" / call_id / "index.html", synthetic_site / "appels" / call_id / calculator / "index.html"]
    if calculator == "eligibilite":
        pages.append(synthetic_site / "appels" / call_id / "checklist" / "index.html")
    for page in pages:
        text = _text(page)
        for expected in words:
            assert expected.replace(" ", " ") in text.replace("\u00a0", " ").replace("\u202f", " "), f"{page}: {expected}"


def test_the_calculator_pages_carry_the_fields_python_declares(synthetic_site):
    def fields(call_id: str, calculator: str) -> dict[str, list[dict[str, object]]]:
        page = (synthetic_site / "appels" / call_id / calculator / "index.html").read_text(encoding="utf-8")
        found = re.search(r'<script type="application/json" id="calc-champs">(.*?)</script>', page, re.S)
        assert found, f"{call_id}/{calculator}: pas de champs"
        return json.loads(html.unescape(found.group(1)))

    window = fields("synthetique-periode-actions", "eligibilite")["periode-actions"]
    assert [(f["name"], f["control"]) for f in window] == [("actions_start", "date"), ("actions_end", "date")]
    public = fields("synthetique-fonds-publics", "budget")["fonds-publics-80"]
    assert [f["name"] for f in public] == ["cofunders.public"]
    assert fields("cpam-flandres-2025", "budget") == {rule: [] for rule in fields("cpam-flandres-2025", "budget")}


@pytest.mark.browser
def test_the_new_kinds_compute_in_the_browser_what_they_compute_in_cpython(synthetic_site, serve, new_page, rule_corpus):
    """Every case of the synthetic calls, through Pyodide on the site built with them: the same JSON."""
    from browser_support import open_calculator
    from cases_support import all_cases, evaluate_case, input_text
    from test_parity import RUN_ALL, canonical

    cases = [case for case in all_cases() if case["call"].startswith("synthetique-")]
    assert len(cases) >= 20
    page, log = new_page()
    open_calculator(page, serve(synthetic_site) + "appels/synthetique-periode-actions/eligibilite/")
    answers = page.evaluate(RUN_ALL, [{"kind": c["kind"], "call": c["call"], "input": input_text(c)} for c in cases])
    for case, answer in zip(cases, answers, strict=True):
        output, error = evaluate_case(case, rule_corpus)
        wanted = {"error": error} if error is not None else {"result": canonical(output)}
        got = {"result": canonical(json.loads(answer["result"]))} if "result" in answer else answer
        assert got == wanted, case["name"]
    assert log.errors == []


@pytest.mark.browser
def test_a_coordinator_says_which_cofunders_are_public_and_sees_the_cap(synthetic_site, serve, new_page):
    """The simulator asks « Financeur public ? » only on a call whose rule reads it; the finding follows her answer."""
    from browser_support import open_calculator, wait_until

    page, log = new_page()
    open_calculator(page, serve(synthetic_site) + "appels/synthetique-fonds-publics/budget/")
    page.get_by_label("Heures").first.fill("10")
    page.get_by_label("Taux horaire (€)").first.fill("50")
    page.get_by_label("Demandé au financeur (1)").first.fill("300")
    page.get_by_role("button", name="Ajouter un cofinanceur").click()
    public = page.get_by_label("Financeur public ?")
    assert public.count() == 1 and public.input_value() == ""
    page.get_by_label("Nom du cofinanceur").fill("Ville")
    page.get_by_label("Montant (€)").last.fill("500")
    shown = "(words) => new RegExp(words).test(document.getElementById('calculateur').textContent)"
    wait_until(page, shown, "Précisez si ces cofinanceurs sont publics : Ville")
    public.select_option("oui")
    wait_until(page, shown, "Fonds publics de 800,00")
    open_calculator(page, serve(synthetic_site) + "appels/synthetique-montant-subvention/budget/")
    page.get_by_role("button", name="Ajouter un cofinanceur").click()
    assert page.get_by_label("Financeur public ?").count() == 0
    assert log.errors == []


@pytest.mark.browser
def test_the_action_window_asks_two_dates_and_answers_with_the_window(synthetic_site, serve, new_page):
    from browser_support import open_calculator, wait_until

    page, log = new_page()
    open_calculator(page, serve(synthetic_site) + "appels/synthetique-periode-actions/eligibilite/")
    page.get_by_label("Date de la première action").fill("2025-09-30")
    page.get_by_label("Date de la dernière action").fill("2025-11-15")
    wait_until(page, "() => document.querySelector('.calc-verdict')?.dataset.verdict === 'not-eligible'")
    assert "Première action le 30 septembre 2025" in page.locator(".calc-verdict").text_content()
    page.get_by_label("Date de la première action").fill("2025-10-01")
    wait_until(page, "() => document.querySelector('.calc-verdict')?.dataset.verdict === 'eligible'")
    assert log.errors == []
