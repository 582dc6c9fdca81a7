"""Rule cases as data: every case of ``tests/rules/*.yaml`` and ``tests/cases/calls/*.yaml`` is one test.

The cases, their format and the comparison live in :mod:`cases_support` so that the browser
parity test can run the very same cases through Pyodide.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from cases_support import (
    CALLS_DIR,
    CASE_KEYS,
    EXPECT_KEYS,
    FINDING_KEYS,
    RULES_DIR,
    all_cases,
    evaluate_case,
    input_text,
    mismatches,
)

from calculators.api import Bundle
from calculators.rules import REGISTRY, budget, eligibility  # noqa: F401  (importing registers every kind)

CASES = all_cases()


def _rules(call, kind: str):
    return call.budget_rules if kind == "budget" else call.eligibility_rules


@pytest.fixture(scope="module")
def bundle(rule_corpus) -> Bundle:
    """The browser's entry point, loaded from the same JSON the site ships."""
    loaded = Bundle()
    loaded.load_vocabulary(json.dumps(rule_corpus.vocabulary_data, ensure_ascii=False))
    for call_id in {case["call"] for case in CASES}:
        loaded.load_call(json.dumps(rule_corpus.call_data[call_id], ensure_ascii=False))
    return loaded


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_rule_case(case, rule_corpus, bundle):
    """The engine's output agrees with the case's hand-derived expectation, and the browser bundle gives the same JSON."""
    output, error = evaluate_case(case, rule_corpus)
    problems = mismatches(case, output, error)
    assert not problems, f"{case['file']} — {case['name']}\n" + "\n".join(problems)
    through_bundle = json.loads(bundle.evaluate_text(case["kind"], case["call"], input_text(case)))
    assert through_bundle == ({"error": error} if error else {"result": output})


def test_cases_are_well_formed(rule_corpus):
    """Every case has a known call and kind, only known keys, and a full-sentence name found once."""
    problems = []
    for case in CASES:
        where = f"{case['file']}: {case.get('name', '?')!r}"
        keys = set(case) - {"file"}
        if keys != CASE_KEYS:
            problems.append(f"{where}: clés {sorted(keys)}, attendu {sorted(CASE_KEYS)}")
            continue
        name = case["name"]
        if not (isinstance(name, str) and name[:1].isupper() and len(name.split()) >= 6 and name == name.strip()):
            problems.append(f"{where}: le nom doit être une phrase complète commençant par une majuscule")
        if case["call"] not in rule_corpus.calls:
            problems.append(f"{where}: appel inconnu {case['call']!r}")
        if case["kind"] not in ("budget", "eligibility"):
            problems.append(f"{where}: kind {case['kind']!r}, attendu budget ou eligibility")
        expect = case["expect"]
        if not isinstance(expect, dict) or not expect or set(expect) - EXPECT_KEYS:
            problems.append(f"{where}: expect doit être un ensemble non vide de {sorted(EXPECT_KEYS)}")
            continue
        verdict = "ok" if case["kind"] == "budget" else "eligible"
        if ({"ok", "eligible"} - {verdict}) & set(expect):
            problems.append(f"{where}: un cas {case['kind']} attend {verdict!r}")
        if "error" not in expect and verdict not in expect:
            problems.append(f"{where}: le verdict {verdict!r} (ou une erreur de saisie) doit être attendu")
        for finding in expect.get("findings", []):
            if set(finding) - FINDING_KEYS or "rule" not in finding:
                problems.append(f"{where}: constat attendu {finding} : clés possibles {sorted(FINDING_KEYS)}, rule obligatoire")
        if case["call"] in rule_corpus.calls:
            known = {rule.info.id for rule in _rules(rule_corpus.calls[case["call"]], case["kind"])}
            named = [f["rule"] for f in expect.get("findings", [])] + list(expect.get("no_findings_for", []))
            for rule_id in named:
                if rule_id not in known:
                    problems.append(f"{where}: la règle {rule_id!r} n'existe pas dans {case['call']} ({case['kind']})")
    duplicates = [name for name, n in Counter(case.get("name") for case in CASES).items() if n > 1]
    problems += [f"nom de cas en double : {name!r}" for name in duplicates]
    assert not problems, "\n".join(problems)


def test_every_rule_kind_has_its_case_file():
    """``tests/rules/`` holds exactly one case file per rule kind of the vocabulary."""
    kinds = set(REGISTRY["budget"]) | set(REGISTRY["eligibility"])
    files = {path.stem for path in RULES_DIR.glob("*.yaml")}
    assert files == kinds, f"fichiers en trop : {sorted(files - kinds)} ; manquants : {sorted(kinds - files)}"


def test_rule_kind_cases_exercise_their_kind(rule_corpus):
    """Each case of ``tests/rules/<kind>.yaml`` names a rule of that kind, or expects missing inputs or an input error."""
    problems = []
    for case in CASES:
        path = Path(case["file"])
        if path.parent.name != RULES_DIR.name:
            continue
        kind = path.stem
        rules = {rule.info.id for rule in _rules(rule_corpus.calls[case["call"]], case["kind"]) if rule.info.kind == kind}
        expect = case["expect"]
        named = {f["rule"] for f in expect.get("findings", [])} | set(expect.get("no_findings_for", []))
        if not rules:
            problems.append(f"{case['file']}: {case['name']!r}: {case['call']} n'a aucune règle {kind}")
        elif not (named & rules or "missing" in expect or "error" in expect):
            problems.append(f"{case['file']}: {case['name']!r} ne cite aucune règle {kind} ({sorted(rules)})")
    assert not problems, "\n".join(problems)


def test_every_seed_call_has_worked_examples():
    """Each seed call has its own file of worked examples, with budget and eligibility cases."""
    seeds = ("cpam-val-de-marne-2026", "cpam-flandres-2025", "occitanie-1000-jours-2021")
    for call_id in seeds:
        path = CALLS_DIR / f"{call_id}.yaml"
        assert path.is_file(), f"exemples manquants : {path}"
        kinds = {case["kind"] for case in CASES if case["file"] == path.relative_to(CALLS_DIR.parent.parent).as_posix()}
        assert kinds == {"budget", "eligibility"}, f"{path.name}: exemples {sorted(kinds)}"
        assert all(case["call"] == call_id for case in CASES
                   if case["file"] == path.relative_to(CALLS_DIR.parent.parent).as_posix())


def test_cases_are_json_ready():
    """The exported cases survive a JSON round trip, as the browser parity test needs."""
    assert json.loads(json.dumps(CASES, ensure_ascii=False)) == CASES


def test_a_wrong_expectation_is_reported():
    """The comparison fails on each kind of wrong expectation (a lenient matcher would hide regressions)."""
    output = {"call": "x", "ok": False, "totals": {"cost": "110.00"},
              "findings": [{"severity": "error", "rule": "plafonds-horaires", "action": 0, "line": 0,
                            "message": "Psychologue : 55,00\u00a0€/h dépasse le plafond de 50,00\u00a0€/h.", "reference": "§"}]}
    right = {"ok": False, "totals": {"cost": "110.00"}, "no_other_findings": True,
             "findings": [{"rule": "plafonds-horaires", "severity": "error", "action": 0, "line": 0,
                           "message_contains": ["55,00 €/h", "50,00 €/h"]}]}
    assert mismatches({"expect": right}, output) == []
    wrong = [
        {"ok": True},
        {"totals": {"cost": "110.01"}},
        {"findings": [{"rule": "plafonds-horaires", "line": 1}]},
        {"findings": [{"rule": "plafonds-horaires", "message_contains": "60,00 €/h"}]},
        {"findings": [{"rule": "plafonds-horaires", "message_excludes": ["dépasse le plafond"]}]},
        {"findings": [{"rule": "plafonds-horaires"}, {"rule": "plafonds-horaires"}]},
        {"findings": [], "no_other_findings": True},
        {"no_findings_for": ["plafonds-horaires"]},
        {"error": {"field": "actions[0].lines[0].hours"}},
    ]
    for expect in wrong:
        assert mismatches({"expect": expect}, output), expect
    assert mismatches({"expect": {"missing": ["department"]}}, {**output, "missing": []})
    assert mismatches({"expect": {"ok": True}}, None, {"field": "f", "message": "m"})
    assert mismatches({"expect": {"error": {"field": "g"}}}, None, {"field": "f", "message": "m"})
