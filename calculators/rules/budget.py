"""Budget rule kinds. Each checks a parsed :class:`~calculators.budget.Budget` and returns findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from calculators.money import format_eur, format_share, to_cents
from calculators.report import Finding
from calculators.rules import Checks, Description, Field, Path, Rule, RuleInfo, labels, register

if TYPE_CHECKING:
    from calculators.budget import Budget, Line
    from calculators.model import Call, Vocabulary


def _dec(value: object) -> Decimal:
    return Decimal(str(value))


def _line_name(line: Line, vocabulary: Vocabulary) -> str:
    if line.profession:
        return vocabulary.professions[line.profession]
    return line.label or vocabulary.expense_categories[line.category]


def _finding(info: RuleInfo, message: str, line: Line | None = None, severity: str | None = None) -> Finding:
    return Finding(severity or info.severity, info.id, message, info.reference,  # type: ignore[arg-type]
                   None if line is None else line.action, None if line is None else line.index)


class BudgetRule(Rule):
    """A budget rule: checks a parsed budget, returns findings."""

    __slots__ = ()

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
        raise NotImplementedError

    def line_notes(self, call: Call, vocabulary: Vocabulary) -> list[LineNote]:
        """What the simulator shows on the lines this rule concerns (none by default)."""
        return []


def _known_categories(data: Mapping[str, Any], where: Path, checks: Checks, key: str = "categories") -> None:
    for c, category in enumerate(data.get(key, ())):
        checks.known(where + (key, c), category, checks.vocabulary.expense_categories, "catégorie de dépense inconnue")


@dataclass(frozen=True, slots=True)
class RateGroup:
    label: str
    professions: tuple[str, ...]
    max: Decimal


@register("budget", "hourly_rate_cap")
@dataclass(frozen=True, slots=True)
class HourlyRateCap(BudgetRule):
    """The hourly rate of a line may not exceed the cap of its profession's group."""

    groups: tuple[RateGroup, ...]

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> HourlyRateCap:
        return cls(info, tuple(RateGroup(g["label"], tuple(g["professions"]), _dec(g["max"])) for g in data["groups"]))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        seen: set[str] = set()
        for g, group in enumerate(data["groups"]):
            for p, profession in enumerate(group["professions"]):
                at = where + ("groups", g, "professions", p)
                checks.known(at, profession, checks.vocabulary.professions, "profession inconnue")
                if profession in seen:
                    checks.problem(at, f"la profession '{profession}' est dans deux groupes ; gardez-la dans un seul")
                seen.add(profession)

    def cap_for(self, profession: str | None) -> RateGroup | None:
        for group in self.groups:
            if profession in group.professions:
                return group
        return None

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description("Forfait horaire maximal des intervenants :", tuple(
            f"{g.label} ({labels(g.professions, vocabulary.professions, lower=True)}) : {format_eur(g.max, cents=False)} "
            "de l'heure" for g in self.groups))

    def line_notes(self, call: Call, vocabulary: Vocabulary) -> list[LineNote]:
        """The cap shown beside the hourly rate of a line, for each profession, and before one is chosen."""
        notes = [LineNote("personnel", None, "Plafond selon l'intervenant choisi", self.info.id, self.info.reference, "cap")]
        notes += [LineNote("personnel", profession, f"Plafond : {format_eur(group.max, cents=False)}/h ({group.label.lower()})",
                           self.info.id, self.info.reference, "cap")
                  for group in self.groups for profession in group.professions]
        return notes

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
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
                caps = ", ".join(f"{g.label.lower()} : {format_eur(g.max)}/h" for g in self.groups)
                findings.append(_finding(self.info, "Précisez la profession de l'intervenant pour vérifier le plafond horaire "
                                                    f"({caps}).", line, "warning"))
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
    """A sentence the simulator shows on the lines of a category (and profession), from a rule.

    ``slot`` says where: ``"note"`` under the line's choice of category or profession,
    ``"cap"`` beside its hourly rate (a ``profession`` of ``None`` there: before one is chosen).
    """

    category: str
    profession: str | None
    text: str
    rule: str
    reference: str
    slot: str = "note"

    def to_data(self) -> dict[str, object]:
        return {"category": self.category, "profession": self.profession, "text": self.text, "rule": self.rule,
                "reference": self.reference, "slot": self.slot}


def _base_name(of: str) -> str:
    return "du montant demandé au financeur" if of == "funder" else "du coût total du projet"


@register("budget", "category_share_cap")
@dataclass(frozen=True, slots=True)
class CategoryShareCap(BudgetRule):
    """The total cost of a category may not exceed a share of the amount asked, or of the total cost.

    ``professions`` (optional): personnel lines of these professions count with the category,
    for a call whose text says, for instance, that its coordinators' hours are coordination.
    """

    category: str
    of: str
    max_share: Decimal
    professions: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> CategoryShareCap:
        return cls(info, data["category"], data["of"], _dec(data["max_share"]), tuple(data.get("professions", ())))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        checks.known(where + ("category",), data["category"], checks.vocabulary.expense_categories,
                     "catégorie de dépense inconnue")
        for p, profession in enumerate(data.get("professions", ())):
            checks.known(where + ("professions", p), profession, checks.vocabulary.professions, "profession inconnue")

    def counts(self, line: Line) -> bool:
        """Whether ``line``'s cost counts towards the cap (in-kind contributions never do)."""
        if line.in_kind:
            return False
        return line.category == self.category or (line.category == "personnel" and line.profession in self.professions)

    def _counted(self, vocabulary: Vocabulary) -> str:
        counted = vocabulary.expense_categories[self.category]
        if self.professions:
            counted += f" (y compris les heures de : {_professions(self.professions, vocabulary)})"
        return counted

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description(f"{self._counted(vocabulary)} : au plus {format_share(self.max_share)} {_base_name(self.of)}.")

    def line_notes(self, call: Call, vocabulary: Vocabulary) -> list[LineNote]:
        """What the simulator says on the lines this cap counts, and on those it could be mistaken for."""
        category = vocabulary.expense_categories[self.category]
        cap = f"au plus {format_share(self.max_share)} {_base_name(self.of)}"
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

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
        spent = sum((line.cost for line in budget.lines if self.counts(line)), Decimal(0))
        if spent == 0:
            return []
        base = budget.totals.funder if self.of == "funder" else budget.totals.cost
        limit = base * self.max_share
        if spent <= limit:
            return []
        base_name = "du montant demandé au financeur" if self.of == "funder" else "du coût total"
        return [_finding(self.info, f"{self._counted(vocabulary)} : {format_eur(spent)} dépasse "
                                    f"{format_share(self.max_share)} {base_name} ({format_share(self.max_share)} × "
                                    f"{format_eur(base)} = {format_eur(limit)}).")]


def _professions(ids: tuple[str, ...], vocabulary: Vocabulary) -> str:
    return ", ".join(vocabulary.professions[p].lower() for p in ids)


def _quoted(ids: tuple[str, ...], vocabulary: Vocabulary) -> str:
    return ", ".join(f"« {vocabulary.professions[p]} »" for p in ids)


def _hourly_cap(call: Call, profession: str) -> str:
    """« , au plus 40,00 €/h (§ …) » when an hourly cap of the call covers ``profession``, else nothing."""
    for rule in call.budget_rules:
        group = rule.cap_for(profession) if isinstance(rule, HourlyRateCap) else None
        if group is not None:
            return f", au plus {format_eur(group.max)}/h ({rule.info.reference})"
    return ""


def line_notes(call: Call, vocabulary: Vocabulary) -> list[dict[str, object]]:
    """Every note the simulator shows on budget lines, from the call's rules, as JSON-ready data."""
    return [note.to_data() for rule in call.budget_rules for note in rule.line_notes(call, vocabulary)]


@register("budget", "min_total_cost")
@dataclass(frozen=True, slots=True)
class MinTotalCost(BudgetRule):
    """The project's total cost must reach a minimum."""

    min: Decimal

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> MinTotalCost:
        return cls(info, _dec(data["min"]))

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description(f"Le coût total du projet doit atteindre au moins {format_eur(self.min, cents=False)}.")

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
        if budget.totals.cost >= self.min:
            return []
        return [_finding(self.info, f"Coût total de {format_eur(budget.totals.cost)} : le minimum de dépenses est de "
                                    f"{format_eur(self.min)}.")]


@register("budget", "max_funder_share")
@dataclass(frozen=True, slots=True)
class MaxFunderShare(BudgetRule):
    """The amount asked from the funder may not exceed a share of the total cost."""

    max_share: Decimal

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> MaxFunderShare:
        return cls(info, _dec(data["max_share"]))

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description(f"Le montant demandé au financeur ne peut dépasser {format_share(self.max_share)} "
                           "du coût total du projet.")

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
        totals = budget.totals
        limit = totals.cost * self.max_share
        if totals.funder <= limit:
            return []
        return [_finding(self.info, f"Le montant demandé ({format_eur(totals.funder)}) dépasse "
                                    f"{format_share(self.max_share)} du coût total ({format_eur(totals.cost)}) : "
                                    f"il ne peut pas dépasser {format_eur(limit)}.")]


@register("budget", "grant_range")
@dataclass(frozen=True, slots=True)
class GrantRange(BudgetRule):
    """The amount asked lies between a minimum and a maximum grant.

    ``higher_max`` (optional) is a larger maximum that the call grants to some projects only
    (« 8 000 € pour les projets … »): an amount between ``max`` and it is a warning naming the
    condition, which the funder checks; above it, an error.
    """

    min: Decimal | None
    max: Decimal | None
    higher_max: Decimal | None = None
    higher_condition: str | None = None

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> GrantRange:
        higher = data.get("higher_max")
        return cls(info, _dec(data["min"]) if "min" in data else None, _dec(data["max"]) if "max" in data else None,
                   _dec(higher["max"]) if higher else None, higher["condition"] if higher else None)

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        low, high, higher = data.get("min"), data.get("max"), data.get("higher_max", {}).get("max")
        if low is not None and high is not None and Decimal(str(low)) > Decimal(str(high)):
            checks.problem(where + ("max",), f"attendu un maximum d'au moins {low} (le minimum)")
        if higher is not None and (high is None or Decimal(str(higher)) <= Decimal(str(high))):
            checks.problem(where + ("higher_max", "max"), f"attendu un montant supérieur au maximum 'max' ({high})")

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        if self.min is not None and self.max is not None:
            lead = (f"Subvention demandée : au moins {format_eur(self.min, cents=False)} et au plus "
                    f"{format_eur(self.max, cents=False)}.")
        elif self.max is not None:
            lead = f"Subvention demandée : au plus {format_eur(self.max, cents=False)}."
        else:
            lead = f"Subvention demandée : au moins {format_eur(self.min or Decimal(0), cents=False)}."
        notes: tuple[str, ...] = ()
        if self.higher_max is not None:
            notes = (f"Jusqu'à {format_eur(self.higher_max, cents=False)} seulement pour : {self.higher_condition}.",)
        return Description(lead, notes=notes)

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
        asked = budget.totals.funder
        if asked == 0:
            return []  # nothing asked yet: the minimum says nothing about an empty budget
        if self.min is not None and asked < self.min:
            return [_finding(self.info, f"Montant demandé de {format_eur(asked)} : la subvention est d'au moins "
                                        f"{format_eur(self.min)}.")]
        if self.max is None or asked <= self.max:
            return []
        if self.higher_max is not None and asked <= self.higher_max:
            return [_finding(self.info, f"Montant demandé de {format_eur(asked)} : au-delà de {format_eur(self.max)}, "
                                        f"la subvention (jusqu'à {format_eur(self.higher_max)}) est réservée à : "
                                        f"{self.higher_condition}.", severity="warning")]
        limit = self.higher_max if self.higher_max is not None else self.max
        return [_finding(self.info, f"Montant demandé de {format_eur(asked)} : la subvention est d'au plus "
                                    f"{format_eur(limit)}.")]


@register("budget", "public_funding_share")
@dataclass(frozen=True, slots=True)
class PublicFundingShare(BudgetRule):
    """Public money (the amount asked plus the public co-funders') is at most a share of the total cost.

    Each co-funder says whether it is public (``public: true``); until every co-funder has
    said, the rule cannot conclude and asks.
    """

    max_share: Decimal

    reads = ("cofunders.public",)

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> PublicFundingShare:
        return cls(info, _dec(data["max_share"]))

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description(f"Le total des fonds publics (le montant demandé et les cofinancements publics : État, "
                           f"collectivités, CAF, Assurance maladie…) ne peut dépasser {format_share(self.max_share)} "
                           "du coût total du projet.")

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        return (Field("cofunders.public", "yesno", "Cofinanceur public ?",
                      "État, collectivité, CAF, ARS, Assurance maladie… : oui. Fondation, mutuelle, entreprise : non."),)

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
        cost = budget.totals.cost
        if cost == 0:
            return []
        unknown = [c for c in budget.cofunders if c.public is None and c.amount > 0]
        public = budget.totals.funder + sum((c.amount for c in budget.cofunders if c.public), Decimal(0))
        limit = to_cents(cost * self.max_share)
        if public > limit:
            return [_finding(self.info, f"Fonds publics de {format_eur(public)} (montant demandé et cofinancements publics) : "
                                        f"ils ne peuvent pas dépasser {format_share(self.max_share)} du coût total "
                                        f"({format_eur(cost)}), soit {format_eur(limit)}.")]
        if unknown:
            names = ", ".join(c.name for c in unknown)
            return [_finding(self.info, f"Précisez si ces cofinanceurs sont publics : {names} ; les fonds publics ne "
                                        f"peuvent pas dépasser {format_share(self.max_share)} du coût total.",
                             severity="warning")]
        return []


@register("budget", "capped_base_grant")
@dataclass(frozen=True, slots=True)
class CappedBaseGrant(BudgetRule):
    """A grant capped at ``max``, computed on a base of expenses itself capped at ``base_max``.

    « plafonné à 10 000 € pour un coût d'investissement limité à 30 000 € »: the expenses of
    ``categories`` count up to ``base_max`` (the retained base); the amount asked for them
    may not exceed ``rate`` × that base, nor ``max``. Both caps are on the call's money, not
    on the project: a project may cost more, the rest being co-funded.
    """

    categories: tuple[str, ...]
    base_max: Decimal
    max: Decimal
    rate: Decimal = Decimal(1)

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> CappedBaseGrant:
        return cls(info, tuple(data["categories"]), _dec(data["base_max"]), _dec(data["max"]),
                   _dec(data.get("rate", 1)))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        _known_categories(data, where, checks)

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        names = labels(self.categories, vocabulary.expense_categories, lower=True)
        rate = "" if self.rate == 1 else f"{format_share(self.rate)} de "
        return Description(
            f"Subvention plafonnée à {format_eur(self.max, cents=False)} pour les dépenses « {names} », calculée sur "
            f"{rate}ces dépenses retenues dans la limite de {format_eur(self.base_max, cents=False)}.",
            notes=(f"Ce sont la subvention et les dépenses retenues qui sont plafonnées, pas le projet : des dépenses "
                   f"« {names} » au-delà de {format_eur(self.base_max, cents=False)} restent possibles, financées par "
                   f"d'autres ressources.",))

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
        lines = [line for line in budget.lines if line.category in self.categories and not line.in_kind]
        spent = sum((line.cost for line in lines), Decimal(0))
        asked = sum((line.funder for line in lines), Decimal(0))
        if asked == 0:
            return []
        base = min(spent, self.base_max)
        limit = min(self.max, to_cents(base * self.rate))
        names = labels(self.categories, vocabulary.expense_categories, lower=True)
        if asked <= limit:
            return []
        retained = (f"dépenses retenues : {format_eur(base)}" if spent <= self.base_max else
                    f"dépenses retenues : {format_eur(base)} sur {format_eur(spent)}, plafond de l'assiette")
        rate = "" if self.rate == 1 else f"{format_share(self.rate)} × "
        return [_finding(self.info, f"{names.capitalize()} : {format_eur(asked)} demandés dépassent le maximum de "
                                    f"{format_eur(limit)} ({retained} ; subvention = {rate}dépenses retenues, "
                                    f"au plus {format_eur(self.max)}).")]


@register("budget", "ineligible_categories")
@dataclass(frozen=True, slots=True)
class IneligibleCategories(BudgetRule):
    """Lines of these categories cannot be asked from the funder (co-funding them is only noted)."""

    categories: tuple[str, ...]

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> IneligibleCategories:
        return cls(info, tuple(data["categories"]))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        _known_categories(data, where, checks)

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description("Dépenses que cet appel ne finance pas :",
                           tuple(vocabulary.expense_categories[c].lower() for c in self.categories),
                           ("Elles peuvent figurer au budget si d'autres financements les couvrent.",))

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
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
class ConditionalCategories(BudgetRule):
    """Lines of these categories are funded only under a condition the applicant must check."""

    categories: tuple[str, ...]
    condition: str

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> ConditionalCategories:
        return cls(RuleInfo(info.id, info.kind, info.label, info.reference, info.quote,
                            data.get("severity", "warning")), tuple(data["categories"]), data["condition"])

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        _known_categories(data, where, checks)

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description(f"{labels(self.categories, vocabulary.expense_categories)} : financé seulement à cette "
                           f"condition — {self.condition}.")

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
        return [_finding(self.info, f"{vocabulary.expense_categories[line.category]} : financé seulement à cette "
                                    f"condition : {self.condition}.", line)
                for line in budget.lines if line.category in self.categories and line.funder > 0]


@register("budget", "in_kind_categories")
@dataclass(frozen=True, slots=True)
class InKindCategories(BudgetRule):
    """In-kind contributions are counted for these categories only."""

    categories: tuple[str, ...]

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> InKindCategories:
        return cls(RuleInfo(info.id, info.kind, info.label, info.reference, info.quote,
                            data.get("severity", "warning")), tuple(data["categories"]))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        _known_categories(data, where, checks)

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description("Les contributions en nature (personnel ou locaux mis à disposition…) sont comptées pour :",
                           tuple(vocabulary.expense_categories[c].lower() for c in self.categories))

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
        allowed = ", ".join(vocabulary.expense_categories[c].lower() for c in self.categories)
        return [_finding(self.info, f"{vocabulary.expense_categories[line.category]} : cet appel ne prévoit de valoriser "
                                    f"en nature que : {allowed}.", line)
                for line in budget.lines if line.in_kind and line.category not in self.categories]


@register("budget", "balanced_plan")
@dataclass(frozen=True, slots=True)
class BalancedPlan(BudgetRule):
    """The co-funding of the lines (in-kind aside) equals what the declared co-funders bring."""

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> BalancedPlan:
        return cls(info)

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description("Le plan de financement doit être équilibré : la part des dépenses qui n'est pas demandée au "
                           "financeur (contributions en nature mises à part) doit être couverte par les cofinancements "
                           "déclarés, sollicités ou obtenus.")

    def check(self, budget: Budget, call: Call, vocabulary: Vocabulary) -> list[Finding]:
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
