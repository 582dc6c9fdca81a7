"""Fuzz the JSON interface: whatever arrives, the calculators answer with an output or an input error.

``calculators.api.evaluate`` returns an output dict or raises :class:`InputError`, never anything
else; ``Bundle.evaluate_text`` (what the browser worker calls) always returns valid JSON.
"""

from __future__ import annotations

import json

import pytest
from conftest import CALLS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.api import Bundle, budget_page, evaluate
from calculators.report import InputError
from callfiles.corpus import load_corpus

CORPUS = load_corpus(CALLS)  # cached: the same object as the session fixture's

SEED_CALLS = ("cpam-flandres-2025", "cpam-val-de-marne-2026", "occitanie-1000-jours-2021")
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BUDGET_FIELDS = ("actions", "cofunders", "title", "lines", "category", "profession", "label", "hours", "hourly_rate",
                 "amount", "funder", "in_kind", "name", "status")
ELIGIBILITY_FIELDS = ("structure_type", "department", "submission_date", "working_capital", "annual_operating_costs",
                      "project_start", "project_end", "axes", "answers")

HUGE = ("9" * 5000, "1" * 100_000, "\u00a0" * 50_000, "1\u00a0" * 20_000, "," * 10_000, "é" * 30_000,
        "2025-01-" + "0" * 10_000)
odd_numbers = st.sampled_from((1e308, -1e308, -1, -0.0, 5e-324, 1e-7, 0.1 + 0.2, 2**53 + 1, 2**63, -2**63, 10**30,
                               999_999_999.999, 1_000_000_000, 1_000_000_000.01))
odd_strings = st.sampled_from(("", " ", "\u00a0", "\u202f", "abc", "1 234,56", "1.234,56", "1,234.56", "-5", "+5", "1e5",
                               "NaN", "Infinity", "-0", "0,005", "12 €", "€", "１２３", "٣", "1_000", "0x10", ".5", "5.",
                               "2025-02-30", "2025-01-24T23:59:00+01:00", "9999-12-31", "0001-01-01", "20250124",
                               "\ud800", "null", "true", "{}", "[]") + HUGE)
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=False, allow_infinity=False), odd_numbers, st.text(max_size=40), odd_strings)


def json_values(keys):
    """Arbitrary JSON, with object keys often taken from the real field names so that parsing goes deep."""
    key = st.one_of(st.sampled_from(keys), st.text(max_size=12))
    return st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=5),
                                                             st.dictionaries(key, children, max_size=6)),
                        max_leaves=25)


def _vocabulary_ids(corpus, name):
    return sorted(getattr(corpus.vocabulary, name))


def budget_like(corpus):
    """Budgets of the right shape whose values are sometimes right and sometimes anything at all."""
    anything = json_values(BUDGET_FIELDS)
    amount = st.one_of(st.integers(-5, 10**10), st.floats(allow_nan=False, allow_infinity=False), odd_strings,
                       st.from_regex(r"-?[0-9 \u00a0]{0,12}([.,][0-9]{0,5})?( ?€)?", fullmatch=True), anything)
    line = st.fixed_dictionaries({}, optional={
        "category": st.one_of(st.sampled_from(_vocabulary_ids(corpus, "expense_categories")), anything),
        "profession": st.one_of(st.sampled_from(_vocabulary_ids(corpus, "professions")), anything),
        "label": st.one_of(st.text(max_size=20), anything), "hours": amount, "hourly_rate": amount, "amount": amount,
        "funder": amount, "in_kind": st.one_of(st.booleans(), anything)})
    action = st.fixed_dictionaries({}, optional={"title": st.one_of(st.text(max_size=20), anything),
                                                 "lines": st.one_of(st.lists(line, max_size=5), anything)})
    cofunder = st.fixed_dictionaries({}, optional={"name": st.one_of(st.text(max_size=20), anything), "amount": amount,
                                                   "status": st.one_of(st.sampled_from(("requested", "obtained")), anything)})
    return st.fixed_dictionaries({}, optional={"actions": st.one_of(st.lists(action, max_size=4), anything),
                                               "cofunders": st.one_of(st.lists(cofunder, max_size=3), anything)})


def eligibility_like(corpus, call_id):
    """Situations of the right shape whose values are sometimes right and sometimes anything at all."""
    anything = json_values(ELIGIBILITY_FIELDS)
    day = st.one_of(st.dates().map(lambda d: d.isoformat()), odd_strings, anything)
    money = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False), odd_strings, anything)
    questions = [r.question.id for r in corpus.calls[call_id].eligibility_rules if getattr(r, "question", None)] or ["q"]
    axes = [a.id for a in corpus.calls[call_id].axes] or ["axe"]
    return st.fixed_dictionaries({}, optional={
        "structure_type": st.one_of(st.sampled_from(_vocabulary_ids(corpus, "structure_types")), anything),
        "department": st.one_of(st.sampled_from(_vocabulary_ids(corpus, "departments")), anything),
        "submission_date": day, "project_start": day, "project_end": day,
        "working_capital": money, "annual_operating_costs": money,
        "axes": st.one_of(st.lists(st.one_of(st.sampled_from(axes), anything), max_size=5), anything),
        "answers": st.one_of(st.dictionaries(st.one_of(st.sampled_from(questions), st.text(max_size=8)),
                                             st.one_of(st.booleans(), st.none(), anything), max_size=6), anything)})


ANY_JSON = json_values(BUDGET_FIELDS + ELIGIBILITY_FIELDS)
ANY_BUDGET_JSON = json_values(BUDGET_FIELDS)
ANY_ELIGIBILITY_JSON = json_values(ELIGIBILITY_FIELDS)
BUDGETS = budget_like(CORPUS)
SITUATIONS = {call_id: eligibility_like(CORPUS, call_id) for call_id in SEED_CALLS}
TEXTS = st.one_of(st.text(max_size=60), st.sampled_from(("", "{", "[1,", "NaN", "1e999999", "-Infinity", "[" * 100_000,
                                                          '{"actions": [' * 5000, "9" * 5000, "\ufeff{}", '"\\ud800"')))

# Inputs that once crashed the engine, kept so that every run tries them.
HOSTILE = [
    ("budget", "cpam-flandres-2025", {"actions": [{"lines": [{"category": ["personnel"], "amount": "1"}]}]}),
    ("budget", "cpam-flandres-2025", {"actions": [{"lines": [{"category": "personnel", "profession": {}, "amount": "1"}]}]}),
    ("eligibility", "cpam-val-de-marne-2026", {"structure_type": ["association"]}),
    ("eligibility", "cpam-val-de-marne-2026", {"department": {"94": True}}),
    ("eligibility", "cpam-flandres-2025", {"project_start": "9999-06-01", "project_end": "9999-12-31"}),
    ("eligibility", "cpam-flandres-2025", {"project_start": "9999-12-31", "project_end": "9999-12-31"}),
    ("eligibility", "cpam-val-de-marne-2026", {"working_capital": -1e308, "annual_operating_costs": 1e308}),
    ("budget", "occitanie-1000-jours-2021", {"actions": [{"lines": [{"category": "autre", "hours": 1e308, "hourly_rate": -1}]}]}),
    ("budget", "occitanie-1000-jours-2021", {"actions": [{"lines": [{"category": "autre", "amount": "1" * 100_000}]}]}),
]


def _check_output(kind: str, call_id: str, output: object) -> None:
    assert isinstance(output, dict)
    assert output["call"] == call_id
    json.dumps(output, allow_nan=False)  # plain JSON: no Decimal, date or NaN leaks out
    if kind == "budget":
        assert isinstance(output["ok"], bool) and set(output["totals"]) >= {"cost", "funder", "cofunding", "in_kind"}
    else:
        assert output["eligible"] in (True, False, None) and isinstance(output["missing"], list)
    for finding in output["findings"]:
        assert finding["severity"] in ("error", "warning", "info") and finding["message"]


def _evaluate_or_input_error(corpus, kind: str, call_id: str, data: object) -> None:
    try:
        output = evaluate(kind, corpus.calls[call_id], corpus.vocabulary, data)
    except InputError as error:
        assert isinstance(error.field, str) and isinstance(error.message, str) and error.message
        return
    _check_output(kind, call_id, output)


@pytest.fixture(scope="module")
def bundle(corpus) -> Bundle:
    loaded = Bundle()
    loaded.load_vocabulary(json.dumps(corpus.vocabulary_data, ensure_ascii=False))
    for call_id in SEED_CALLS:
        loaded.load_call(json.dumps(corpus.call_data[call_id], ensure_ascii=False))
    return loaded


@pytest.mark.parametrize(("kind", "call_id", "data"), HOSTILE)
def test_known_hostile_inputs_give_an_output_or_an_input_error(corpus, bundle, kind, call_id, data):
    """Values of the wrong type where a code is expected, dates at the end of the calendar, absurd amounts."""
    _evaluate_or_input_error(corpus, kind, call_id, data)
    json.loads(bundle.evaluate_text(kind, call_id, json.dumps(data)))


@SETTINGS
@given(kind=st.sampled_from(("budget", "eligibility")), call_id=st.sampled_from(SEED_CALLS),
       data=ANY_JSON)
def test_arbitrary_json_gives_an_output_or_an_input_error(corpus, kind, call_id, data):
    """Any JSON value at all: an output or InputError, never another exception."""
    _evaluate_or_input_error(corpus, kind, call_id, data)


@SETTINGS
@given(call_id=st.sampled_from(SEED_CALLS), data=st.data())
def test_budget_shaped_json_gives_an_output_or_an_input_error(corpus, call_id, data):
    """Budgets of the right shape with any values: an output or InputError, never another exception."""
    _evaluate_or_input_error(corpus, "budget", call_id, data.draw(BUDGETS))


@SETTINGS
@given(call_id=st.sampled_from(SEED_CALLS), data=st.data())
def test_eligibility_shaped_json_gives_an_output_or_an_input_error(corpus, call_id, data):
    """Situations of the right shape with any values: an output or InputError, never another exception."""
    _evaluate_or_input_error(corpus, "eligibility", call_id, data.draw(SITUATIONS[call_id]))


@SETTINGS
@given(kind=st.sampled_from(("budget", "eligibility", "autre")), call_id=st.sampled_from(SEED_CALLS + ("inconnu",)),
       data=st.data())
def test_the_browser_entry_point_always_answers_valid_json(bundle, kind, call_id, data):
    """``Bundle.evaluate_text`` answers ``{"result": …}`` or ``{"error": {field, message}}`` as JSON, whatever the text."""
    if kind == "budget":
        value = data.draw(st.one_of(BUDGETS, ANY_BUDGET_JSON))
    elif kind == "eligibility" and call_id in SEED_CALLS:
        value = data.draw(st.one_of(SITUATIONS[call_id], ANY_ELIGIBILITY_JSON))
    else:
        value = data.draw(ANY_ELIGIBILITY_JSON)
    text = data.draw(st.one_of(st.just(json.dumps(value, ensure_ascii=data.draw(st.booleans()))), TEXTS))
    answer = json.loads(bundle.evaluate_text(kind, call_id, text))
    assert isinstance(answer, dict) and len(answer) == 1
    if "error" in answer:
        assert set(answer["error"]) == {"field", "message"} and answer["error"]["message"]
    else:
        _check_output(kind, call_id, answer["result"])


def _without_left_out(data: dict, left_out: list[dict]) -> dict:
    """The input without the lines and co-funders the page evaluation left out."""
    lines = {(item["action"], item["line"]) for item in left_out if item["line"] is not None}
    cofunders = {item["cofunder"] for item in left_out if item["cofunder"] is not None}
    kept = dict(data)
    if "actions" in data:
        kept["actions"] = [{**action, "lines": [line for i, line in enumerate(action.get("lines", [])) if (a, i) not in lines]}
                           for a, action in enumerate(data["actions"])]
    if "cofunders" in data:
        kept["cofunders"] = [c for n, c in enumerate(data["cofunders"]) if n not in cofunders]
    return kept


# Lines that are mostly right, some with one value typed wrong: what the simulator page receives.
_GOOD_AMOUNT = st.integers(0, 10**6).map(lambda cents: f"{cents // 100},{cents % 100:02d}")
_TYPED_AMOUNT = st.one_of(_GOOD_AMOUNT, _GOOD_AMOUNT, _GOOD_AMOUNT, odd_strings)
_MIXED_LINE = st.one_of(
    st.fixed_dictionaries({"category": st.sampled_from(("materiel", "communication", "coordination", "restauration")),
                           "amount": _TYPED_AMOUNT}, optional={"funder": _TYPED_AMOUNT, "in_kind": st.booleans()}),
    st.fixed_dictionaries({"category": st.just("personnel"),
                           "profession": st.sampled_from(("medecin", "psychologue", "coordinateur")),
                           "hours": _TYPED_AMOUNT, "hourly_rate": _TYPED_AMOUNT}))
MIXED_BUDGETS = st.fixed_dictionaries({
    "actions": st.lists(st.fixed_dictionaries({"lines": st.lists(_MIXED_LINE, max_size=6)}), min_size=1, max_size=3),
    "cofunders": st.lists(st.fixed_dictionaries({"amount": _TYPED_AMOUNT}), max_size=2)})


@SETTINGS
@given(call_id=st.sampled_from(SEED_CALLS), data=st.data(), mixed=st.booleans())
def test_the_page_evaluation_totals_exactly_the_lines_it_did_not_leave_out(corpus, call_id, data, mixed):
    """Budget-shaped input: the page's totals are the strict evaluation of the input without its listed input errors."""
    budget = data.draw(MIXED_BUDGETS if mixed else BUDGETS)
    call = corpus.calls[call_id]
    try:
        answer = budget_page(call, corpus.vocabulary, budget)
    except InputError:
        with pytest.raises(InputError):  # only a budget of the wrong shape is refused as a whole
            evaluate("budget", call, corpus.vocabulary, budget)
        return
    result = answer["result"]
    _check_output("budget", call_id, result)
    strict = evaluate("budget", call, corpus.vocabulary, _without_left_out(budget, result["input_errors"]))
    assert strict["totals"] == result["totals"]
    assert strict["ok"] == result["ok"]
    assert [f["message"] for f in strict["findings"]] == [f["message"] for f in result["findings"]]
