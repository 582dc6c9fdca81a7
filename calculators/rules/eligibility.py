"""Eligibility rule kinds. Each reads a :class:`~calculators.eligibility.Situation`,
returns findings, and records in ``missing`` what it needs and was not told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from calculators.dates import add_months, describe, french_date
from calculators.departments import in_reading_order
from calculators.money import format_eur, format_share
from calculators.report import Finding
from calculators.rules import RuleInfo, register

if TYPE_CHECKING:
    from calculators.eligibility import Missing, Situation
    from calculators.model import Call, Vocabulary


def _finding(info: RuleInfo, message: str, severity: str | None = None) -> Finding:
    return Finding(severity or info.severity, info.id, message, info.reference)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Question:
    """A yes/no question put to the applicant; « oui » is the answer the call expects.

    ``for_structure_types``, when given, limits the question to those kinds of structures
    (a condition on associations only, say): another kind is neither asked nor held to it.
    While the structure type is unknown the question is asked.
    """

    id: str
    text: str
    help: str | None = None
    for_structure_types: tuple[str, ...] | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "Question":
        only = data.get("for_structure_types")
        return cls(data["id"], data["text"], data.get("help"), tuple(only) if only else None)

    def concerns(self, situation: "Situation") -> bool:
        return (self.for_structure_types is None or situation.structure_type is None
                or situation.structure_type in self.for_structure_types)


def _ask(question: Question, info: RuleInfo, situation: "Situation", missing: "Missing") -> list[Finding]:
    if not question.concerns(situation):
        return []
    answer = situation.answers.get(question.id)
    if answer is None:
        if info.severity != "info":  # a merely desirable condition does not hold the verdict back
            missing.add(question.id, question.text)
        return []
    if answer:
        return []
    return [_finding(info, f"{info.label} : condition non remplie (réponse « non » à « {question.text} »).")]


@register("eligibility", "structure_types")
@dataclass(frozen=True, slots=True)
class StructureTypes:
    """Only these kinds of structures may apply."""

    info: RuleInfo
    allowed: tuple[str, ...]

    reads = ("structure_type",)
    """The applicant's answers the rule reads (the finder evaluates it over their values)."""

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "StructureTypes":
        return cls(info, tuple(data["allowed"]))

    def check(self, situation: "Situation", call: "Call", vocabulary: "Vocabulary", missing: "Missing") -> list[Finding]:
        if situation.structure_type is None:
            missing.add("structure_type")
            return []
        if situation.structure_type in self.allowed:
            return []
        name = vocabulary.structure_types[situation.structure_type]
        message = (f"Structure « {name} » : cet appel est réservé aux structures suivantes : "
                   f"{', '.join(vocabulary.structure_types[s] for s in self.allowed)}.")
        # A refusal that looks wrong (a CCAS where « collectivités locales » are admitted) says why,
        # from the shared vocabulary, with the call's own words.
        for neighbour in vocabulary.structure_neighbours.get(situation.structure_type, ()):
            if neighbour.admitted in self.allowed:
                message += (f" L'appel admet « {vocabulary.structure_types[neighbour.admitted]} » mais pas « {name} » : "
                            f"{neighbour.explanation} ({neighbour.reference}). Texte de l'appel : « {self.info.quote} » "
                            f"{neighbour.advice}")
        return [_finding(self.info, message)]


@register("eligibility", "territory")
@dataclass(frozen=True, slots=True)
class Territory:
    """The action takes place in these departments or this region, and/or answers a territory question."""

    info: RuleInfo
    departments: tuple[str, ...] = ()
    region: str | None = None
    question: Question | None = None

    @property
    def reads(self) -> tuple[str, ...]:
        asked = ("answers", "structure_type") if self.question and self.question.for_structure_types else ("answers",)
        return ("department", *(asked if self.question else ()))

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "Territory":
        return cls(info, in_reading_order(data.get("departments", ())), data.get("region"),
                   Question.from_data(data["question"]) if "question" in data else None)

    def allowed_departments(self, vocabulary: "Vocabulary") -> tuple[str, ...]:
        if self.region:
            return in_reading_order(dict.fromkeys(self.departments + vocabulary.region_departments(self.region)))
        return self.departments

    def check(self, situation: "Situation", call: "Call", vocabulary: "Vocabulary", missing: "Missing") -> list[Finding]:
        findings = []
        allowed = self.allowed_departments(vocabulary)
        if allowed:
            if situation.department is None:
                missing.add("department")
            elif situation.department not in allowed:
                where = (f"la région {vocabulary.regions[self.region].label}" if self.region and not self.departments
                         else ("le département " if len(allowed) == 1 else "les départements ")
                         + ", ".join(f"{vocabulary.departments[d]} ({d})" for d in allowed))
                name = vocabulary.departments[situation.department]
                findings.append(_finding(self.info, f"Département {name} ({situation.department}) : cet appel concerne "
                                                    f"uniquement {where}."))
        if self.question:
            findings.extend(_ask(self.question, self.info, situation, missing))
        return findings


@register("eligibility", "working_capital")
@dataclass(frozen=True, slots=True)
class WorkingCapital:
    """Working capital at most a share of the structure's annual operating costs."""

    info: RuleInfo
    max_share: Decimal

    reads = ("working_capital", "annual_operating_costs")

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "WorkingCapital":
        return cls(info, Decimal(str(data["max_share"])))

    def check(self, situation: "Situation", call: "Call", vocabulary: "Vocabulary", missing: "Missing") -> list[Finding]:
        capital, costs = situation.working_capital, situation.annual_operating_costs
        if capital is None:
            missing.add("working_capital")
        if costs is None:
            missing.add("annual_operating_costs")
        if capital is None or costs is None:
            return []
        limit = costs * self.max_share
        if capital <= limit:
            return []
        return [_finding(self.info, f"Fonds de roulement de {format_eur(capital)} : il ne doit pas dépasser "
                                    f"{format_share(self.max_share)} des charges annuelles de fonctionnement "
                                    f"({format_eur(costs)}), soit {format_eur(limit)}.")]


@register("eligibility", "submission_deadline")
@dataclass(frozen=True, slots=True)
class SubmissionDeadline:
    """The dossier is submitted by one of the deadlines (waves) of the call — the deadline of the
    applicant's department when the call gives departments their own (:func:`calculators.timeline.deadlines_for`).

    The submission date is a day on the calendar of the call's time zone: a deadline at an hour
    of a day is met by a dossier submitted that day (the page gives the hour and the zone)."""

    info: RuleInfo
    milestones: tuple[str, ...]

    reads = ("submission_date", "department")

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "SubmissionDeadline":
        return cls(info, tuple(data["milestones"]))

    def check(self, situation: "Situation", call: "Call", vocabulary: "Vocabulary", missing: "Missing") -> list[Finding]:
        from calculators.timeline import by_department, deadlines_for, departments_phrase  # timeline imports the model

        day = situation.submission_date
        if day is None:
            missing.add("submission_date")
            return []
        department = situation.department if by_department(call, self.milestones) else None
        if department is None and by_department(call, self.milestones):
            missing.add("department")
            return []
        deadlines = deadlines_for(call, department, self.milestones)
        known = [m for m in deadlines if m.when.latest is not None]
        if not known:
            return [_finding(self.info, "La date limite de dépôt n'est pas encore publiée.", "warning")]

        def scope(milestone: "Milestone") -> str:  # « pour le département 57 », when the call names departments
            phrase = departments_phrase(call, milestone)
            return f" {phrase}" if phrase else ""

        for milestone in sorted(known, key=lambda m: m.when.latest or dt.date.max):
            if day <= (milestone.when.latest or dt.date.max):
                wave = f" ({milestone.wave})" if milestone.wave else ""
                return [_finding(self.info, f"Dépôt le {french_date(day)} : dans les délais{wave}, date limite"
                                            f"{scope(milestone)} {describe(milestone.when)}.", "info")]
        last = max(known, key=lambda m: m.when.latest or dt.date.min)
        return [_finding(self.info, f"Dépôt le {french_date(day)} : après la date limite{scope(last)}, fixée au "
                                    f"{describe(last.when)}.")]


@register("eligibility", "project_dates")
@dataclass(frozen=True, slots=True)
class ProjectDates:
    """Project start and end within bounds, and a maximum duration in months from its start.

    A duration of ``max_months`` months from day D ends the day before the same date
    ``max_months`` later: 12 months from 1 April 2025 run to 31 March 2026 included.
    """

    info: RuleInfo
    start_not_before: dt.date | None = None
    start_not_after: dt.date | None = None
    end_not_after: dt.date | None = None
    max_months: int | None = None

    reads = ("project_start", "project_end")

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "ProjectDates":
        def day(key: str) -> dt.date | None:
            return dt.date.fromisoformat(data[key]) if data.get(key) else None
        return cls(info, day("start_not_before"), day("start_not_after"), day("end_not_after"), data.get("max_months"))

    def check(self, situation: "Situation", call: "Call", vocabulary: "Vocabulary", missing: "Missing") -> list[Finding]:
        start, end = situation.project_start, situation.project_end
        if (self.start_not_before or self.start_not_after or self.max_months) and start is None:
            missing.add("project_start")
        if (self.end_not_after or self.max_months) and end is None:
            missing.add("project_end")
        findings = []
        if start and self.start_not_before and start < self.start_not_before:
            findings.append(_finding(self.info, f"Début le {french_date(start)} : le projet ne peut pas commencer avant "
                                                f"le {french_date(self.start_not_before)}."))
        if start and self.start_not_after and start > self.start_not_after:
            findings.append(_finding(self.info, f"Début le {french_date(start)} : le projet doit commencer au plus tard "
                                                f"le {french_date(self.start_not_after)}."))
        if end and self.end_not_after and end > self.end_not_after:
            findings.append(_finding(self.info, f"Fin le {french_date(end)} : le projet doit être terminé au plus tard "
                                                f"le {french_date(self.end_not_after)}."))
        if start and end and self.max_months:
            try:
                last_day = add_months(start, self.max_months) - dt.timedelta(days=1)
            except OverflowError:  # a start in the year 9999: no representable end is too late
                last_day = dt.date.max
            if end > last_day:
                findings.append(_finding(self.info, f"Durée du {french_date(start)} au {french_date(end)} : elle dépasse "
                                                    f"{self.max_months} mois (fin au plus tard le {french_date(last_day)})."))
        return findings


@register("eligibility", "axes")
@dataclass(frozen=True, slots=True)
class Axes:
    """The project addresses at least ``min`` of the call's axes."""

    info: RuleInfo
    min: int

    reads = ("axes",)

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "Axes":
        return cls(info, int(data["min"]))

    def check(self, situation: "Situation", call: "Call", vocabulary: "Vocabulary", missing: "Missing") -> list[Finding]:
        if situation.axes is None:
            missing.add("axes")
            return []
        if len(situation.axes) >= self.min:
            return []
        return [_finding(self.info, f"{len(situation.axes)} axe(s) choisi(s) : le projet doit se rattacher à au moins "
                                    f"{self.min} des {len(call.axes)} axes de l'appel.")]


@register("eligibility", "question")
@dataclass(frozen=True, slots=True)
class YesNo:
    """A condition the applicant confirms by answering « oui »."""

    info: RuleInfo
    question: Question

    @property
    def reads(self) -> tuple[str, ...]:
        return ("answers", "structure_type") if self.question.for_structure_types else ("answers",)

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> "YesNo":
        return cls(info, Question.from_data(data["question"]))

    def check(self, situation: "Situation", call: "Call", vocabulary: "Vocabulary", missing: "Missing") -> list[Finding]:
        return _ask(self.question, self.info, situation, missing)
