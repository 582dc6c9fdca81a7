"""The JSON entry points the browser worker calls: per-line figures of a budget, beside its evaluation."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from calculators.api import Bundle, budget_lines, evaluate
from calculators.report import InputError
from conftest import PRODUCT_EXAMPLE


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
        {"lines": [{"category": "materiel", "amount": "1 234,565", "funder": "1000"},
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


def test_the_bundle_answers_json_text_and_null_for_invalid_input(corpus):
    """Bundle.budget_lines_text: the worker's call, JSON text in and out, never an exception."""
    bundle = Bundle()
    bundle.load_vocabulary(json.dumps(corpus.vocabulary_data, default=str))
    answer = json.loads(bundle.budget_lines_text(json.dumps(PRODUCT_EXAMPLE)))
    assert answer == budget_lines(corpus.vocabulary, PRODUCT_EXAMPLE)
    assert bundle.budget_lines_text('{"actions": [{"lines": [{"category": "materiel", "amount": "x"}]}]}') == "null"
    assert bundle.budget_lines_text("{not json") == "null"
    assert Bundle().budget_lines_text("{}") == "null"  # nothing loaded yet

