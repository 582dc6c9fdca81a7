"""The JSON entry points the browser worker calls: per-line figures of a budget, beside its evaluation."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import PRODUCT_EXAMPLE

from calculators.api import Bundle, budget_lines, budget_page, evaluate
from calculators.report import InputError


def test_each_line_has_its_cost_funder_part_and_cofunding(corpus):
    """6 h × 75 € all asked; 300 € with 200 € asked; 10 h × 40 € in kind: co-funding only."""
    figures = budget_lines(corpus.vocabulary, PRODUCT_EXAMPLE)
    assert figures["lines"] == [
        {"action": 0, "line": 0, "cost": "450.00", "funder": "450.00", "cofunding": "0.00", "in_kind": False},
        {"action": 0, "line": 1, "cost": "300.00", "funder": "200.00", "cofunding": "100.00", "in_kind": False},
        {"action": 0, "line": 2, "cost": "400.00", "funder": "0.00", "cofunding": "400.00", "in_kind": True},
    ]
    assert figures["cofunders"] == [{"name": "Ville de Dunkerque", "amount": "100.00", "status": "requested"}]


def test_the_lines_add_up_to_the_evaluated_totals(corpus):
    """The per-line figures and the output totals come from the same parsing: they agree to the cent."""
    call = corpus.calls["cpam-flandres-2025"]
    data = {"actions": [
        {"lines": [{"category": "materiel", "amount": "1 234,56", "funder": "1000"},
                   {"category": "personnel", "profession": "infirmier", "hours": "2,5", "hourly_rate": "33,33"}]},
        {"lines": [{"category": "location_salle", "amount": 80.5, "in_kind": True}]},
    ]}
    figures = budget_lines(corpus.vocabulary, data)["lines"]
    totals = evaluate("budget", call, corpus.vocabulary, data)["totals"]
    for key in ("cost", "funder", "cofunding"):
        assert sum(Decimal(line[key]) for line in figures) == Decimal(totals[key])
    assert [(line["action"], line["line"]) for line in figures] == [(0, 0), (0, 1), (1, 0)]


def test_invalid_input_raises_the_same_error_as_the_evaluation(corpus):
    with pytest.raises(InputError) as error:
        budget_lines(corpus.vocabulary, {"actions": [{"lines": [{"category": "materiel", "amount": "douze"}]}]})
    assert error.value.field == "actions[0].lines[0].amount"


def test_the_page_evaluation_leaves_out_the_unreadable_line_and_keeps_the_others(corpus):
    """« abc » hours on the first line: that line is listed in input_errors, the other two are totalled and checked."""
    call = corpus.calls["cpam-flandres-2025"]
    data = {"actions": [{"lines": [
        {"category": "personnel", "profession": "medecin", "hours": "abc", "hourly_rate": "75"},
        {"category": "personnel", "profession": "psychologue", "hours": "2", "hourly_rate": "55"},
        {"category": "location_salle", "amount": "-3"},
        {"category": "communication", "amount": "300"},
    ]}], "cofunders": [{"name": "Ville", "amount": "douze"}]}
    answer = budget_page(call, corpus.vocabulary, data)
    result = answer["result"]
    # 2 h × 55 € + 300 € = 410 €; the doctor's line and the room at -3 € are left out.
    assert result["totals"]["cost"] == "410.00"
    assert [(e["action"], e["line"], e["cofunder"], e["field"]) for e in result["input_errors"]] == [
        (0, 0, None, "actions[0].lines[0].hours"), (0, 2, None, "actions[0].lines[2].amount"),
        (None, None, 0, "cofunders[0].amount")]
    assert "« abc »" in result["input_errors"][0]["message"]
    assert "négatif" in result["input_errors"][1]["message"]
    # The psychologist's 55 €/h still breaks the 50 € cap, on its own line (index 1 of the input).
    assert any(f["rule"] == "plafonds-horaires" and f["line"] == 1 and f["severity"] == "error" for f in result["findings"])
    assert [(line["action"], line["line"]) for line in answer["details"]["lines"]] == [(0, 1), (0, 3)]
    assert answer["details"]["cofunders"] == []
    with pytest.raises(InputError):  # the command line's evaluation stays strict
        evaluate("budget", call, corpus.vocabulary, data)


def test_the_page_evaluation_of_a_valid_budget_is_the_cli_output_with_no_input_error(corpus):
    """Nothing to leave out: the page gets the command line's output plus an empty input_errors."""
    call = corpus.calls["cpam-flandres-2025"]
    answer = budget_page(call, corpus.vocabulary, PRODUCT_EXAMPLE)
    assert answer["result"] == {**evaluate("budget", call, corpus.vocabulary, PRODUCT_EXAMPLE), "input_errors": []}
    assert answer["details"] == budget_lines(corpus.vocabulary, PRODUCT_EXAMPLE)


def test_the_bundle_answers_the_page_in_one_json_text_never_an_exception(corpus):
    """Bundle.budget_page_text: the worker's one call per keystroke; a budget of the wrong shape is an error object."""
    bundle = Bundle()
    bundle.load_vocabulary(json.dumps(corpus.vocabulary_data, default=str))
    bundle.load_call(json.dumps(corpus.call_data["cpam-flandres-2025"], default=str))
    answer = json.loads(bundle.budget_page_text("cpam-flandres-2025", json.dumps(PRODUCT_EXAMPLE)))
    assert answer == json.loads(json.dumps(budget_page(corpus.calls["cpam-flandres-2025"], corpus.vocabulary, PRODUCT_EXAMPLE)))
    lenient = json.loads(bundle.budget_page_text("cpam-flandres-2025",
                                                 '{"actions": [{"lines": [{"category": "materiel", "amount": "x"}]}]}'))
    assert lenient["result"]["input_errors"][0]["field"] == "actions[0].lines[0].amount"
    assert lenient["result"]["totals"]["cost"] == "0.00"
    assert json.loads(bundle.budget_page_text("cpam-flandres-2025", '{"actions": 3}'))["error"]["field"] == "actions"
    assert "JSON invalide" in json.loads(bundle.budget_page_text("cpam-flandres-2025", "{not json"))["error"]["message"]
    assert "appel inconnu" in json.loads(Bundle().budget_page_text("x", "{}"))["error"]["message"]
