"""Budget simulation: read the applicant's budget, compute totals, apply the call's rules.

Input and output are the JSON contract of PRODUCT.md. A line costs ``hours × hourly_rate``
(rounded half-up to the cent, the only rounding) when both are given, else ``amount``.
``funder`` is the part asked from this call's funder (default: the whole cost, or nothing
for an ``in_kind`` line); the rest of the line is co-funding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from calculators.money import AmountError, format_eur, parse_amount, plain, to_cents, to_share
from calculators.report import Finding, InputError, sort_findings

if TYPE_CHECKING:
    from calculators.model import Call, Vocabulary

MAX_LINES = 10_000
"""More lines than any real budget; beyond it the input is refused, not evaluated slowly."""

MAX_HOURS = Decimal("100000")
COFUNDER_STATUSES = ("requested", "obtained")


@dataclass(frozen=True, slots=True)
class Line:
    """One budget line, its cost already computed."""

    action: int
    index: int
    category: str
    cost: Decimal
    funder: Decimal
    in_kind: bool = False
    profession: str | None = None
    label: str | None = None
    hours: Decimal | None = None
    hourly_rate: Decimal | None = None

    @property
    def cofunding(self) -> Decimal:
        return self.cost - self.funder


@dataclass(frozen=True, slots=True)
class Cofunder:
    name: str
    amount: Decimal
    status: str
    public: bool | None = None
    """Whether the co-funder is a public body (State, local authority, CAF…); ``None``: not said."""


@dataclass(frozen=True, slots=True)
class Totals:
    cost: Decimal
    funder: Decimal
    cofunding: Decimal
    in_kind: Decimal

    @property
    def cash_cofunding(self) -> Decimal:
        """Co-funding that some co-funder must pay (in-kind contributions excluded)."""
        return self.cofunding - self.in_kind

    def funder_share(self) -> Decimal | None:
        return None if self.cost == 0 else self.funder / self.cost


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A line or co-funder that could not be read, left out of the totals (lenient parsing only)."""

    field: str
    message: str
    action: int | None = None
    line: int | None = None
    cofunder: int | None = None

    def to_data(self) -> dict[str, object]:
        return {"action": self.action, "line": self.line, "cofunder": self.cofunder, "field": self.field,
                "message": self.message}


@dataclass(frozen=True, slots=True)
class Budget:
    """A parsed budget: every line of every action, the co-funders and the totals.

    ``left_out`` lists what lenient parsing could not read (always empty otherwise): the
    totals and the rules cover the other lines.
    """

    action_titles: tuple[str, ...]
    lines: tuple[Line, ...]
    cofunders: tuple[Cofunder, ...]
    totals: Totals
    left_out: tuple[LeftOut, ...] = ()


_WHAT = {"hours": "le nombre d'heures", "hourly_rate": "le taux horaire", "funder": "la part demandée"}


def _amount(value: object, field: str) -> Decimal:
    try:
        return parse_amount(value, what=_WHAT.get(field.rsplit(".", 1)[-1], "le montant"))
    except AmountError as error:
        raise InputError(field, str(error)) from None


def _text(value: object, field: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise InputError(field, "un texte est attendu")
    return value[:500]


def _mapping(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(field, "un objet JSON est attendu")
    return value


def _list(value: object, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(field, "une liste est attendue")
    return value


def parse_line(data: object, action: int, index: int, vocabulary: Vocabulary) -> Line:
    """Read one line; raise :class:`InputError` naming the field when it cannot be used."""
    where = f"actions[{action}].lines[{index}]"
    line = _mapping(data, where)
    unknown = set(line) - {"category", "profession", "label", "hours", "hourly_rate", "amount", "funder", "in_kind"}
    if unknown:
        raise InputError(f"{where}.{sorted(unknown)[0]}", "champ inconnu")
    category = line.get("category")
    if not isinstance(category, str) or category not in vocabulary.expense_categories:  # a list is unhashable
        raise InputError(f"{where}.category", f"catégorie inconnue « {str(category)[:40]} »")
    profession = line.get("profession")
    if profession is not None and (not isinstance(profession, str) or profession not in vocabulary.professions):
        raise InputError(f"{where}.profession", f"profession inconnue « {str(profession)[:40]} »")
    in_kind = line.get("in_kind", False)
    if not isinstance(in_kind, bool):
        raise InputError(f"{where}.in_kind", "vrai ou faux attendu")
    hours = rate = None
    if line.get("hours") is not None or line.get("hourly_rate") is not None:
        if line.get("hours") is None or line.get("hourly_rate") is None:
            missing = "hours" if line.get("hours") is None else "hourly_rate"
            raise InputError(f"{where}.{missing}", "indiquez à la fois le nombre d'heures et le taux horaire")
        hours = _amount(line["hours"], f"{where}.hours")
        if hours > MAX_HOURS:
            raise InputError(f"{where}.hours", "nombre d'heures trop élevé ; vérifiez la saisie")
        rate = _amount(line["hourly_rate"], f"{where}.hourly_rate")
        cost = to_cents(hours * rate)
    elif line.get("amount") is not None:
        cost = to_cents(_amount(line["amount"], f"{where}.amount"))
    else:
        raise InputError(f"{where}.amount", "indiquez un montant, ou des heures et un taux horaire")
    if in_kind:
        if line.get("funder") not in (None, 0, "0", ""):
            funder = _amount(line["funder"], f"{where}.funder")
            if funder != 0:
                raise InputError(f"{where}.funder", "une contribution en nature ne peut pas être demandée au financeur")
        funder = Decimal("0.00")
    elif line.get("funder") is None or line.get("funder") == "":
        funder = cost
    else:
        funder = to_cents(_amount(line["funder"], f"{where}.funder"))
        if funder > cost:
            raise InputError(f"{where}.funder",
                             f"la part demandée ({format_eur(funder)}) dépasse le coût de la ligne ({format_eur(cost)})")
    return Line(action, index, category, cost, funder, in_kind, profession,
                _text(line.get("label"), f"{where}.label"), hours, rate)


def parse_budget(data: object, vocabulary: Vocabulary, *, lenient: bool = False) -> Budget:
    """Read the budget input of PRODUCT.md into a :class:`Budget` with its totals.

    Strict (the command line, ``window.calculators.evaluate``): the first unreadable value
    raises :class:`InputError`. Lenient (the simulator page, while she types): a line or a
    co-funder that cannot be read is left out and listed in ``Budget.left_out`` with its
    field and message, so that one bad field does not hide the rest of the budget; the
    shape of the input (an object, lists of actions and lines) is still required.
    """
    left_out: list[LeftOut] = []
    root = _mapping(data, "")
    unknown = set(root) - {"actions", "cofunders"}
    if unknown:
        raise InputError(sorted(unknown)[0], "champ inconnu")
    actions = _list(root.get("actions", []), "actions")
    titles: list[str] = []
    lines: list[Line] = []
    for a, action_data in enumerate(actions):
        action = _mapping(action_data, f"actions[{a}]")
        unknown = set(action) - {"title", "lines"}
        if unknown:
            raise InputError(f"actions[{a}].{sorted(unknown)[0]}", "champ inconnu")
        titles.append(_text(action.get("title"), f"actions[{a}].title") or f"Action {a + 1}")
        action_lines = _list(action.get("lines", []), f"actions[{a}].lines")
        if len(lines) + len(action_lines) > MAX_LINES:
            raise InputError(f"actions[{a}].lines", f"plus de {MAX_LINES} lignes ; découpez le budget")
        for i, line_data in enumerate(action_lines):
            try:
                lines.append(parse_line(line_data, a, i, vocabulary))
            except InputError as error:
                if not lenient:
                    raise
                left_out.append(LeftOut(error.field, error.message, action=a, line=i))
    cofunders = []
    for c, item in enumerate(_list(root.get("cofunders", []), "cofunders")):
        try:
            cofunders.append(parse_cofunder(item, c))
        except InputError as error:
            if not lenient:
                raise
            left_out.append(LeftOut(error.field, error.message, cofunder=c))
    zero = Decimal("0.00")
    totals = Totals(
        cost=sum((line.cost for line in lines), zero),
        funder=sum((line.funder for line in lines), zero),
        cofunding=sum((line.cofunding for line in lines), zero),
        in_kind=sum((line.cost for line in lines if line.in_kind), zero),
    )
    return Budget(tuple(titles), tuple(lines), tuple(cofunders), totals, tuple(left_out))


def parse_cofunder(data: object, index: int) -> Cofunder:
    """Read one co-funder; raise :class:`InputError` naming the field when it cannot be used."""
    cofunder = _mapping(data, f"cofunders[{index}]")
    unknown = set(cofunder) - {"name", "amount", "status", "public"}
    if unknown:
        raise InputError(f"cofunders[{index}].{sorted(unknown)[0]}", "champ inconnu")
    status = cofunder.get("status", "requested")
    if status not in COFUNDER_STATUSES:
        raise InputError(f"cofunders[{index}].status", "« requested » (sollicité) ou « obtained » (obtenu) attendu")
    public = cofunder.get("public")
    if public is not None and not isinstance(public, bool):
        raise InputError(f"cofunders[{index}].public", "vrai (financeur public) ou faux attendu")
    return Cofunder(_text(cofunder.get("name"), f"cofunders[{index}].name") or f"Cofinanceur {index + 1}",
                    to_cents(_amount(cofunder.get("amount"), f"cofunders[{index}].amount")), status, public)


def evaluate_budget(call: Call, vocabulary: Vocabulary, data: object) -> dict[str, object]:
    """Evaluate a budget against ``call``'s budget rules; return the output object of PRODUCT.md."""
    return evaluate_parsed(call, vocabulary, parse_budget(data, vocabulary))


def evaluate_parsed(call: Call, vocabulary: Vocabulary, budget: Budget) -> dict[str, object]:
    """The output object of PRODUCT.md for a parsed budget (its totals and findings cover its lines)."""
    findings: list[Finding] = []
    for rule in call.budget_rules:
        findings.extend(rule.check(budget, call, vocabulary))
    order = {rule.info.id: n for n, rule in enumerate(call.budget_rules)}
    findings = sort_findings(findings, order)
    share = budget.totals.funder_share()
    return {
        "call": call.id,
        "ok": not any(f.severity == "error" for f in findings),
        "totals": {
            "cost": plain(budget.totals.cost),
            "funder": plain(budget.totals.funder),
            "cofunding": plain(budget.totals.cofunding),
            "in_kind": plain(budget.totals.in_kind),
            "funder_share": None if share is None else f"{to_share(share):.4f}",
        },
        "findings": [f.to_data() for f in findings],
    }
