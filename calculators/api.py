"""One entry point for every caller: the command line, Python, and the browser worker."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from calculators.budget import Budget, evaluate_budget, evaluate_parsed, parse_budget
from calculators.eligibility import evaluate_eligibility
from calculators.model import Call, Vocabulary, call_from_data, vocabulary_from_data
from calculators.money import plain
from calculators.report import InputError

KINDS = {"budget": evaluate_budget, "eligibility": evaluate_eligibility}


def evaluate(kind: str, call: Call, vocabulary: Vocabulary, data: object) -> dict[str, object]:
    """Evaluate ``data`` (the decoded input JSON) for ``call``.

    Returns the output object of PRODUCT.md; raises :class:`InputError` on invalid input.
    """
    if kind not in KINDS:
        raise InputError("", f"calcul inconnu « {kind[:20]} » : budget ou eligibility attendu")
    return KINDS[kind](call, vocabulary, data)


def decode_input(text: str) -> object:
    """Decode input JSON, keeping numbers exact (``1.10`` stays ``Decimal('1.10')``)."""
    try:
        return json.loads(text, parse_float=Decimal, parse_int=int)
    except (ValueError, RecursionError) as error:
        raise InputError("", f"JSON invalide : {str(error)[:120]}") from None


def budget_lines(vocabulary: Vocabulary, data: object) -> dict[str, list[dict[str, object]]]:
    """Each line's cost, funder part and co-funding, and each co-funder, as the budget table shows them.

    The output contract of PRODUCT.md carries only the totals; the simulator also shows every
    line's figures, computed here by the same parsing as the evaluation (amounts as plain
    strings, rounded to the cent like the totals). ``action`` and ``line`` are the 0-based
    indexes of the input. Raises :class:`InputError` on invalid input, like :func:`evaluate`.

    >>> import pathlib, calculators
    >>> from callfiles.corpus import load_corpus
    >>> corpus = load_corpus(pathlib.Path(calculators.__file__).parent.parent / "calls")
    >>> budget_lines(corpus.vocabulary, {"actions": [{"lines": [{"category": "materiel", "amount": "300", "funder": "200"}]}]})
    {'lines': [{'action': 0, 'line': 0, 'cost': '300.00', 'funder': '200.00', 'cofunding': '100.00',
                'in_kind': False}], 'cofunders': []}
    """
    return _lines_of(parse_budget(data, vocabulary))


def _lines_of(budget: Budget) -> dict[str, list[dict[str, object]]]:
    return {
        "lines": [{"action": line.action, "line": line.index, "cost": plain(line.cost), "funder": plain(line.funder),
                   "cofunding": plain(line.cofunding), "in_kind": line.in_kind} for line in budget.lines],
        "cofunders": [{"name": cofunder.name, "amount": plain(cofunder.amount), "status": cofunder.status,
                       **({} if cofunder.public is None else {"public": cofunder.public})}
                      for cofunder in budget.cofunders],
    }


def budget_page(call: Call, vocabulary: Vocabulary, data: object) -> dict[str, object]:
    """What the simulator page shows for a draft, from one lenient parsing: ``{"result", "details"}``.

    ``result`` is the output object of PRODUCT.md for the lines that could be read, plus
    ``input_errors``: each line or co-funder left out of the totals, as
    ``{"action", "line", "cofunder", "field", "message"}`` (0-based indexes of the input,
    ``null`` where they do not apply; ``field`` is the dotted path, as in :class:`InputError`).
    One field typed wrong thus leaves out its own line, not the whole budget. ``details`` is
    :func:`budget_lines` of the same lines. Raises :class:`InputError` only when the input is
    not shaped like a budget at all (not an object, ``actions`` not a list…). The command
    line and :func:`evaluate` stay strict: invalid input is an error there (exit status 2).

    >>> import pathlib, calculators
    >>> from callfiles.corpus import load_corpus
    >>> corpus = load_corpus(pathlib.Path(calculators.__file__).parent.parent / "calls")
    >>> draft = {"actions": [{"lines": [{"category": "materiel", "amount": "abc"}, {"category": "materiel", "amount": "10"}]}]}
    >>> page = budget_page(corpus.calls["cpam-flandres-2025"], corpus.vocabulary, draft)
    >>> page["result"]["totals"]["cost"], [(e["line"], e["field"]) for e in page["result"]["input_errors"]]
    ('10.00', [(0, 'actions[0].lines[0].amount')])
    """
    budget = parse_budget(data, vocabulary, lenient=True)
    result = evaluate_parsed(call, vocabulary, budget)
    result["input_errors"] = [item.to_data() for item in budget.left_out]
    return {"result": result, "details": _lines_of(budget)}


class Bundle:
    """The calls and vocabulary a browser page loaded, parsed once and kept."""

    def __init__(self) -> None:
        self.vocabulary: Vocabulary | None = None
        self.calls: dict[str, Call] = {}

    def load_vocabulary(self, text: str) -> None:
        self.vocabulary = vocabulary_from_data(json.loads(text))

    def load_call(self, text: str) -> str:
        data: Mapping[str, Any] = json.loads(text)
        call = call_from_data(data)
        self.calls[call.id] = call
        return call.id

    def evaluate_text(self, kind: str, call_id: str, input_text: str) -> str:
        """JSON in, JSON out: ``{"result": …}`` or ``{"error": {"field", "message"}}``."""
        try:
            if call_id not in self.calls or self.vocabulary is None:
                raise InputError("", f"appel inconnu « {call_id[:80]} »")
            result: object = {"result": evaluate(kind, self.calls[call_id], self.vocabulary, decode_input(input_text))}
        except InputError as error:
            result = {"error": error.to_data()}
        return json.dumps(result, ensure_ascii=False)

    def budget_page_text(self, call_id: str, input_text: str) -> str:
        """JSON in, JSON out: :func:`budget_page` (``{"result", "details"}``) or ``{"error": {"field", "message"}}``.

        The simulator page's one call per keystroke: evaluation and per-line figures from a
        single parsing.
        """
        try:
            if call_id not in self.calls or self.vocabulary is None:
                raise InputError("", f"appel inconnu « {call_id[:80]} »")
            answer: object = budget_page(self.calls[call_id], self.vocabulary, decode_input(input_text))
        except InputError as error:
            answer = {"error": error.to_data()}
        return json.dumps(answer, ensure_ascii=False)


BUNDLE = Bundle()
