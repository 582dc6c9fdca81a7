"""One entry point for every caller: the command line, Python, and the browser worker.

>>> import json
>>> evaluate_text("budget", "x", "{}")   # doctest: +SKIP  (needs a loaded bundle)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from calculators.budget import evaluate_budget, parse_budget
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

    >>> budget_lines(vocabulary, {"actions": [{"lines": [{"category": "materiel", "amount": "300", "funder": "200"}]}]})  # doctest: +SKIP
    {'lines': [{'action': 0, 'line': 0, 'cost': '300.00', 'funder': '200.00', 'cofunding': '100.00', 'in_kind': False}],
     'cofunders': []}
    """
    budget = parse_budget(data, vocabulary)
    return {
        "lines": [{"action": line.action, "line": line.index, "cost": plain(line.cost), "funder": plain(line.funder),
                   "cofunding": plain(line.cofunding), "in_kind": line.in_kind} for line in budget.lines],
        "cofunders": [{"name": cofunder.name, "amount": plain(cofunder.amount), "status": cofunder.status}
                      for cofunder in budget.cofunders],
    }


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

    def budget_lines_text(self, input_text: str) -> str:
        """JSON in, JSON out: :func:`budget_lines` of a budget input, or ``null`` when the input is invalid.

        The browser calls it after :meth:`evaluate_text`, which has already reported the input
        error, if any.
        """
        try:
            if self.vocabulary is None:
                raise InputError("", "vocabulaire non chargé")
            return json.dumps(budget_lines(self.vocabulary, decode_input(input_text)), ensure_ascii=False)
        except InputError:
            return "null"


BUNDLE = Bundle()
