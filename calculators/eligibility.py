"""Eligibility check: read the applicant's situation, apply the call's eligibility rules.

Evaluation returns what is still unknown (``missing``) instead of guessing: the verdict is
``false`` as soon as one rule fails, ``null`` while nothing fails but questions remain,
``true`` otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from calculators.money import AmountError, parse_amount
from calculators.report import Finding, InputError, sort_findings

if TYPE_CHECKING:
    from calculators.model import Call, Vocabulary

FIELDS = ("structure_type", "department", "submission_date", "working_capital", "annual_operating_costs",
          "project_start", "project_end", "axes", "answers")
"""The inputs several kinds share. A kind may declare others (its ``fields``): see ``Situation.extra``."""

LABELS = {
    "structure_type": "Type de structure",
    "department": "Département où se déroule l'action",
    "submission_date": "Date de dépôt du dossier",
    "working_capital": "Fonds de roulement",
    "annual_operating_costs": "Charges annuelles de fonctionnement",
    "project_start": "Date de début du projet",
    "project_end": "Date de fin du projet",
    "axes": "Axes visés par le projet",
}


@dataclass(frozen=True, slots=True)
class Situation:
    """The applicant's answers, validated; ``None`` means not answered yet."""

    structure_type: str | None = None
    department: str | None = None
    submission_date: dt.date | None = None
    working_capital: Decimal | None = None
    annual_operating_costs: Decimal | None = None
    project_start: dt.date | None = None
    project_end: dt.date | None = None
    axes: tuple[str, ...] | None = None
    answers: Mapping[str, bool] = field(default_factory=dict)
    extra: Mapping[str, object] = field(default_factory=dict)
    """Answers to the inputs a rule kind declares beyond :data:`FIELDS` (``Field.name`` → value,
    read by the control the field declares: a date, an amount); absent when not answered."""


def _date(value: object, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(name, "une date AAAA-MM-JJ est attendue")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(name, f"« {value[:30]} » n'est pas une date valide (AAAA-MM-JJ)") from None


def _money(value: object, name: str, *, allow_negative: bool = False) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return parse_amount(value, allow_negative=allow_negative)
    except AmountError as error:
        raise InputError(name, str(error)) from None


def parse_situation(data: object, call: Call, vocabulary: Vocabulary) -> Situation:
    """Validate the eligibility input of PRODUCT.md; raise :class:`InputError` naming the field."""
    if not isinstance(data, Mapping):
        raise InputError("", "un objet JSON est attendu")
    declared = {f.name: f for rule in call.eligibility_rules for f in rule.fields(call, vocabulary)
                if f.name not in FIELDS and "." not in f.name}
    unknown = set(data) - set(FIELDS) - set(declared)
    if unknown:
        raise InputError(sorted(unknown)[0], "champ inconnu")
    structure = data.get("structure_type") or None
    if structure is not None and (not isinstance(structure, str) or structure not in vocabulary.structure_types):
        raise InputError("structure_type", f"type de structure inconnu « {str(structure)[:40]} »")
    department = data.get("department") or None
    if department is not None and (not isinstance(department, str) or department not in vocabulary.departments):
        raise InputError("department", f"département inconnu « {str(department)[:10]} » ; indiquez son code (ex. 94, 2A, 971)")
    axes = data.get("axes")
    if axes is not None:
        if not isinstance(axes, list) or not all(isinstance(a, str) for a in axes):
            raise InputError("axes", "une liste d'identifiants d'axes est attendue")
        known = {axis.id for axis in call.axes}
        for axis in axes:
            if axis not in known:
                raise InputError("axes", f"axe inconnu « {axis[:40]} » pour cet appel")
        axes = tuple(dict.fromkeys(axes))
    answers = data.get("answers", {})
    if not isinstance(answers, Mapping):
        raise InputError("answers", "un objet { question: vrai/faux } est attendu")
    for key, value in answers.items():
        if value is not None and not isinstance(value, bool):
            raise InputError(f"answers.{key}", "vrai ou faux attendu")
    situation = Situation(
        structure_type=structure,
        department=department,
        submission_date=_date(data.get("submission_date"), "submission_date"),
        # A structure in deficit has a negative working capital: a real figure, not a typing mistake.
        working_capital=_money(data.get("working_capital"), "working_capital", allow_negative=True),
        annual_operating_costs=_money(data.get("annual_operating_costs"), "annual_operating_costs"),
        project_start=_date(data.get("project_start"), "project_start"),
        project_end=_date(data.get("project_end"), "project_end"),
        extra={name: value for name, value in ((name, _read(f.control, data.get(name), name)) for name, f in declared.items())
               if value is not None},
        axes=axes,
        answers={k: v for k, v in answers.items() if v is not None},
    )
    if situation.project_start and situation.project_end and situation.project_end < situation.project_start:
        raise InputError("project_end", "la date de fin précède la date de début")
    return situation


def _read(control: str, value: object, name: str) -> object:
    """A kind-declared input, read as its control says (a date or an amount)."""
    if control == "date":
        return _date(value, name)
    if control == "amount":
        return _money(value, name)
    raise InputError(name, "champ inconnu")


class Missing:
    """Collects the questions still unanswered, once each, in the order rules ask them."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def add(self, question: str, label: str | None = None) -> None:
        self.items.setdefault(question, label or LABELS.get(question, question))

    def to_data(self) -> list[dict[str, str]]:
        return [{"question": q, "label": label} for q, label in self.items.items()]


def evaluate_eligibility(call: Call, vocabulary: Vocabulary, data: object) -> dict[str, object]:
    """Evaluate ``data`` against ``call``'s eligibility rules; return the output of PRODUCT.md."""
    situation = parse_situation(data, call, vocabulary)
    findings: list[Finding] = []
    missing = Missing()
    for rule in call.eligibility_rules:
        findings.extend(rule.check(situation, call, vocabulary, missing))
    not_asked = [name for rule in call.eligibility_rules for name in rule.not_asked(situation)]
    order = {rule.info.id: n for n, rule in enumerate(call.eligibility_rules)}
    findings = sort_findings(findings, order)
    if any(f.severity == "error" for f in findings):
        eligible: bool | None = False
    elif missing.items:
        eligible = None
    else:
        eligible = True
    return {"call": call.id, "eligible": eligible, "findings": [f.to_data() for f in findings],
            "missing": missing.to_data(), "not_asked": not_asked}
