"""Budget rule kinds. Each checks a parsed :class:`~calculators.budget.Budget` and returns findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from calculators.money import format_eur, format_share
from calculators.report import Finding
from calculators.rules import RuleInfo, register

if TYPE_CHECKING:
    from calculators.budget import Budget, Line
    from calculators.model import Call, Vocabulary


def _dec(value: object) -> Decimal:
    return Decimal(str(value))


def _line_name(line: "Line", vocabulary: "Vocabulary") -> str:
    if line.profession:
        return vocabulary.professions[line.profession]
    return line.label or vocabulary.expense_categories[line.category]


def _finding(info: RuleInfo, message: str, line: "Line | None" = None, severity: str | None = None) -> Finding:
    return Finding(severity or info.severity, info.id, message, info.reference,  # type: ignore[arg-type]
                   None if line is None else line.action, None if line is None else line.index)


@dataclass(frozen=True, slots=True)
class RateGroup:
    label: str
    professions: tuple[str, ...]
    max: Decimal


@register("budget", "hourly_rate_cap")
@dataclass(frozen=True, slots=True)
class HourlyRateCap:
    """The hourly rate of a line may not exceed the cap of its profession's group."""

    info: RuleInfo
    groups: tuple[RateGroup, ...]

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "HourlyRateCap":
        return cls(info, tuple(RateGroup(g["label"], tuple(g["professions"]), _dec(g["max"])) for g in data["groups"]))

    def cap_for(self, profession: str | None) -> RateGroup | None:
        for group in self.groups:
            if profession in group.professions:
                return group
        return None

    def check(self, budget: "Budget", call: "Call", vocabulary: "Vocabulary") -> list[Finding]:
        findings = []
        for line in budget.lines:
            if line.hourly_rate is None:
                if line.category == "personnel" and not line.in_kind and line.funder > 0:
                    # « forfait maximum par heure » : staff is funded by the hour, not as a post.
                    findings.append(_finding(self.info, f"{_line_name(line, vocabulary)} : indiquez le nombre d'heures et le "
                                                        "taux horaire ; seules les vacations sont financées, au forfait "
                                                        "horaire maximal.", line, "warning"))
                continue
            group = self.cap_for(line.profession)
            if group is None:
                findings.append(_finding(self.info, "Précisez la profession de l'intervenant pour vérifier le plafond horaire "
                                                    f"({', '.join(f'{g.label.lower()} : {format_eur(g.max)}/h' for g in self.groups)}).",
                                         line, "warning"))
            elif line.hourly_rate > group.max:
                findings.append(_finding(self.info, f"{_line_name(line, vocabulary)} : {format_eur(line.hourly_rate)}/h dépasse "
                                                    f"le plafond de {format_eur(group.max)}/h ({group.label.lower()}).", line))
        return findings


RELATED_PROFESSIONS = {"coordination": ("coordinateur",)}
"""Professions whose hours a visitor may mistake for a capped category, or the reverse.

The vocabulary has both a « Coordinateur » profession (hours paid by the hour, under
« Moyens humains ») and a « Coordination du projet » category (« Autres postes »): the form
says on each which one a call's rule counts, so that the choice is made knowingly.
"""


@dataclass(frozen=True, slots=True)
class LineNote:
    """A sentence the simulator shows on the lines of a category (and profession), from a rule."""

    category: str
    profession: str | None
    text: str
    rule: str
    reference: str

    def to_data(self) -> dict[str, object]:
        return {"category": self.category, "profession": self.profession, "text": self.text, "rule": self.rule,
                "reference": self.reference}


@register("budget", "category_share_cap")
@dataclass(frozen=True, slots=True)
class CategoryShareCap:
    """The total cost of a category may not exceed a share of the amount asked, or of the total cost.

    ``professions`` (optional): personnel lines of these professions count with the category,
    for a call whose text says, for instance, that its coordinators' hours are coordination.
    """

    info: RuleInfo
    category: str
    of: str
    max_share: Decimal
    professions: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "CategoryShareCap":
        return cls(info, data["category"], data["of"], _dec(data["max_share"]), tuple(data.get("professions", ())))

    def counts(self, line: "Line") -> bool:
        """Whether ``line``'s cost counts towards the cap (in-kind contributions never do)."""
        if line.in_kind:
            return False
        return line.category == self.category or (line.category == "personnel" and line.profession in self.professions)

    def describe(self, vocabulary: "Vocabulary") -> str:
        """The rule in one French sentence, as the call and budget pages state it."""
        base = "du montant demandé au financeur" if self.of == "funder" else "du coût total du projet"
        counted = vocabulary.expense_categories[self.category]
        if self.professions:
            counted += f" (y compris les heures de : {_professions(self.professions, vocabulary)})"
        return f"{counted} : au plus {format_share(self.max_share)} {base}."

    def line_notes(self, call: "Call", vocabulary: "Vocabulary") -> list[LineNote]:
        """What the simulator says on the lines this cap counts, and on those it could be mistaken for."""
        category = vocabulary.expense_categories[self.category]
        base = "du montant demandé au financeur" if self.of == "funder" else "du coût total du projet"
        cap = f"au plus {format_share(self.max_share)} {base}"
        if self.professions:
            names = _quoted(self.professions, vocabulary)
            notes = [self._note(self.category, None, f"{cap}, en comptant aussi les heures des intervenants {names} "
                                                     "déclarées dans « Moyens humains ».")]
            notes += [self._note("personnel", profession, f"Dans cet appel, ces heures comptent dans « {category} » : "
                                                          f"avec les lignes de ce poste, {cap}.")
                      for profession in self.professions]
            return notes
        related = tuple(p for p in RELATED_PROFESSIONS.get(self.category, ()) if p in vocabulary.professions)
        elsewhere = ""
        if related:
            elsewhere = (f" Les heures d'un intervenant {_quoted(related, vocabulary)} en atelier ou en consultation "
                         "se déclarent plutôt dans « Moyens humains » : elles ne comptent pas dans ce plafond.")
        notes = [self._note(self.category, None, f"Temps et frais consacrés à coordonner le projet : {cap}.{elsewhere}"
                            if self.category == "coordination" else f"{cap}.{elsewhere}")]
        notes += [self._note("personnel", profession,
                             f"Heures d'intervention en atelier ou en consultation (vacations){_hourly_cap(call, profession)} : "
                             f"elles ne comptent pas dans « {category} ». Le temps passé à coordonner le projet se déclare "
                             f"dans « Autres postes », poste « {category} », {cap}.")
                  for profession in related]
        return notes

    def _note(self, category: str, profession: str | None, text: str) -> LineNote:
        return LineNote(category, profession, text, self.info.id, self.info.reference)

    def check(self, budget: "Budget", call: "Call", vocabulary: "Vocabulary") -> list[Finding]:
        spent = sum((l.cost for l in budget.lines if self.counts(l)), Decimal(0))
        if spent == 0:
            return []
        base = budget.totals.funder if self.of == "funder" else budget.totals.cost
        limit = base * self.max_share
        if spent <= limit:
            return []
        base_name = "du montant demandé au financeur" if self.of == "funder" else "du coût total"
        counted = vocabulary.expense_categories[self.category]
        if self.professions:
            counted += f" (y compris les heures de : {_professions(self.professions, vocabulary)})"
        return [_finding(self.info, f"{counted} : {format_eur(spent)} dépasse "
                                    f"{format_share(self.max_share)} {base_name} ({format_share(self.max_share)} × "
                                    f"{format_eur(base)} = {format_eur(limit)}).")]


def _professions(ids: tuple[str, ...], vocabulary: "Vocabulary") -> str:
    return ", ".join(vocabulary.professions[p].lower() for p in ids)


def _quoted(ids: tuple[str, ...], vocabulary: "Vocabulary") -> str:
    return ", ".join(f"« {vocabulary.professions[p]} »" for p in ids)


def _hourly_cap(call: "Call", profession: str) -> str:
    """« , au plus 40,00 €/h (§ …) » when an hourly cap of the call covers ``profession``, else nothing."""
    for rule in call.budget_rules:
        group = rule.cap_for(profession) if isinstance(rule, HourlyRateCap) else None
        if group is not None:
            return f", au plus {format_eur(group.max)}/h ({rule.info.reference})"
    return ""


def line_notes(call: "Call", vocabulary: "Vocabulary") -> list[dict[str, object]]:
    """Every note the simulator shows on budget lines, from the call's rules, as JSON-ready data."""
    return [note.to_data() for rule in call.budget_rules if hasattr(rule, "line_notes")
            for note in rule.line_notes(call, vocabulary)]


@register("budget", "min_total_cost")
@dataclass(frozen=True, slots=True)
class MinTotalCost:
    """The project's total cost must reach a minimum."""

    info: RuleInfo
    min: Decimal

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "MinTotalCost":
        return cls(info, _dec(data["min"]))

    def check(self, budget: "Budget", call: "Call", vocabulary: "Vocabulary") -> list[Finding]:
        if budget.totals.cost >= self.min:
            return []
        return [_finding(self.info, f"Coût total de {format_eur(budget.totals.cost)} : le minimum de dépenses est de "
                                    f"{format_eur(self.min)}.")]


@register("budget", "max_funder_share")
@dataclass(frozen=True, slots=True)
class MaxFunderShare:
    """The amount asked from the funder may not exceed a share of the total cost."""

    info: RuleInfo
    max_share: Decimal

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "MaxFunderShare":
        return cls(info, _dec(data["max_share"]))

    def check(self, budget: "Budget", call: "Call", vocabulary: "Vocabulary") -> list[Finding]:
        totals = budget.totals
        limit = totals.cost * self.max_share
        if totals.funder <= limit:
            return []
        return [_finding(self.info, f"Le montant demandé ({format_eur(totals.funder)}) dépasse "
                                    f"{format_share(self.max_share)} du coût total ({format_eur(totals.cost)}) : "
                                    f"il ne peut pas dépasser {format_eur(limit)}.")]


@register("budget", "ineligible_categories")
@dataclass(frozen=True, slots=True)
class IneligibleCategories:
    """Lines of these categories cannot be asked from the funder (co-funding them is only noted)."""

    info: RuleInfo
    categories: tuple[str, ...]

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "IneligibleCategories":
        return cls(info, tuple(data["categories"]))

    def check(self, budget: "Budget", call: "Call", vocabulary: "Vocabulary") -> list[Finding]:
        findings = []
        for line in budget.lines:
            if line.category not in self.categories:
                continue
            name = vocabulary.expense_categories[line.category]
            if line.funder > 0:
                findings.append(_finding(self.info, f"{name} : dépense non éligible ; les {format_eur(line.funder)} "
                                                    "demandés ne peuvent pas être financés par cet appel.", line))
            else:
                findings.append(_finding(self.info, f"{name} : dépense non éligible à cet appel ; elle reste à la charge "
                                                    "des cofinancements.", line, "info"))
        return findings


@register("budget", "conditional_categories")
@dataclass(frozen=True, slots=True)
class ConditionalCategories:
    """Lines of these categories are funded only under a condition the applicant must check."""

    info: RuleInfo
    categories: tuple[str, ...]
    condition: str

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "ConditionalCategories":
        return cls(RuleInfo(info.id, info.kind, info.label, info.reference, info.quote,
                            data.get("severity", "warning")), tuple(data["categories"]), data["condition"])

    def check(self, budget: "Budget", call: "Call", vocabulary: "Vocabulary") -> list[Finding]:
        return [_finding(self.info, f"{vocabulary.expense_categories[line.category]} : financé seulement à cette "
                                    f"condition : {self.condition}.", line)
                for line in budget.lines if line.category in self.categories and line.funder > 0]


@register("budget", "in_kind_categories")
@dataclass(frozen=True, slots=True)
class InKindCategories:
    """In-kind contributions are counted for these categories only."""

    info: RuleInfo
    categories: tuple[str, ...]

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "InKindCategories":
        return cls(RuleInfo(info.id, info.kind, info.label, info.reference, info.quote,
                            data.get("severity", "warning")), tuple(data["categories"]))

    def check(self, budget: "Budget", call: "Call", vocabulary: "Vocabulary") -> list[Finding]:
        allowed = ", ".join(vocabulary.expense_categories[c].lower() for c in self.categories)
        return [_finding(self.info, f"{vocabulary.expense_categories[line.category]} : cet appel ne prévoit de valoriser "
                                    f"en nature que : {allowed}.", line)
                for line in budget.lines if line.in_kind and line.category not in self.categories]


@register("budget", "balanced_plan")
@dataclass(frozen=True, slots=True)
class BalancedPlan:
    """The co-funding of the lines (in-kind aside) equals what the declared co-funders bring."""

    info: RuleInfo

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "BalancedPlan":
        return cls(info)

    def check(self, budget: "Budget", call: "Call", vocabulary: "Vocabulary") -> list[Finding]:
        needed = budget.totals.cash_cofunding
        declared = sum((c.amount for c in budget.cofunders), Decimal(0))
        if needed == declared:
            return []
        if declared < needed:
            return [_finding(self.info, f"Plan de financement déséquilibré : {format_eur(needed - declared)} de "
                                        f"cofinancement ne sont couverts par aucun cofinanceur déclaré "
                                        f"(lignes : {format_eur(needed)}, cofinanceurs : {format_eur(declared)}).")]
        return [_finding(self.info, f"Plan de financement déséquilibré : les cofinanceurs déclarés apportent "
                                    f"{format_eur(declared)}, soit {format_eur(declared - needed)} de plus que les "
                                    f"cofinancements des lignes ({format_eur(needed)}).")]
