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
from calculators.rules import Checks, Description, Field, Path, Rule, RuleInfo, register

if TYPE_CHECKING:
    from calculators.eligibility import Missing, Situation
    from calculators.model import Call, Milestone, Vocabulary


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
    def from_data(cls, data: Mapping[str, Any]) -> Question:
        only = data.get("for_structure_types")
        return cls(data["id"], data["text"], data.get("help"), tuple(only) if only else None)

    @staticmethod
    def check_data(data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        for s, structure in enumerate(data.get("for_structure_types", ())):
            checks.known(where + ("for_structure_types", s), structure, checks.vocabulary.structure_types,
                         "type de structure inconnu")

    def concerns(self, situation: Situation) -> bool:
        return (self.for_structure_types is None or situation.structure_type is None
                or situation.structure_type in self.for_structure_types)

    @property
    def reads(self) -> tuple[str, ...]:
        return ("answers", "structure_type") if self.for_structure_types else ("answers",)

    def scope(self, vocabulary: Vocabulary) -> str:
        """`` (question posée seulement aux structures : Association)``, or ``""`` for everyone."""
        if not self.for_structure_types:
            return ""
        return f" (question posée seulement aux structures : {_names(self.for_structure_types, vocabulary.structure_types)})"

    def field(self, vocabulary: Vocabulary) -> Field:
        scope = None
        if self.for_structure_types:
            scope = ("Question posée seulement si votre structure est : "
                     f"{_names(self.for_structure_types, vocabulary.structure_types)}.")
        return Field(f"answers.{self.id}", "yesno", self.text, self.help, scope=scope)

    def ask(self, info: RuleInfo, situation: Situation, missing: Missing) -> list[Finding]:
        if not self.concerns(situation):
            return []
        answer = situation.answers.get(self.id)
        if answer is None:
            if info.severity != "info":  # a merely desirable condition does not hold the verdict back
                missing.add(self.id, self.text)
            return []
        if answer:
            return []
        return [_finding(info, f"{info.label} : condition non remplie (réponse « non » à « {self.text} »).")]


def _names(ids: tuple[str, ...], names: Mapping[str, str]) -> str:
    return ", ".join(names[i] for i in ids)


def _choices(label: str, values: tuple[str, ...], names: Mapping[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return label, tuple((value, names[value]) for value in values)


class EligibilityRule(Rule):
    """An eligibility rule: reads a situation, returns findings, records what it was not told."""

    __slots__ = ()

    def check(self, situation: Situation, call: Call, vocabulary: Vocabulary, missing: Missing) -> list[Finding]:
        raise NotImplementedError

    def not_asked(self, situation: Situation) -> tuple[str, ...]:
        """The inputs this rule reads that do not concern ``situation`` (a question for other structures)."""
        return ()


@register("eligibility", "structure_types")
@dataclass(frozen=True, slots=True)
class StructureTypes(EligibilityRule):
    """Only these kinds of structures may apply."""

    allowed: tuple[str, ...]

    reads = ("structure_type",)

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> StructureTypes:
        return cls(info, tuple(data["allowed"]))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        for s, structure in enumerate(data["allowed"]):
            checks.known(where + ("allowed", s), structure, checks.vocabulary.structure_types, "type de structure inconnu")

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        # A refusal that looks wrong (a CCAS where « collectivités locales » are admitted) is explained beforehand.
        notes = tuple(f"« {vocabulary.structure_types[type_]} » n'est pas dans cette liste, même si l'appel admet "
                      f"« {vocabulary.structure_types[neighbour.admitted]} » : {neighbour.explanation} "
                      f"({neighbour.reference}). {neighbour.advice}"
                      for type_, neighbours in vocabulary.structure_neighbours.items() if type_ not in self.allowed
                      for neighbour in neighbours if neighbour.admitted in self.allowed)
        return Description("Structures admises :", tuple(vocabulary.structure_types[s] for s in self.allowed), notes)

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        names = vocabulary.structure_types
        others = tuple(s for s in names if s not in self.allowed)
        return (Field("structure_type", "select", "Type de votre structure",
                      groups=(_choices("Structures prévues par l'appel", self.allowed, names),
                              _choices("Autres structures", others, names))),)

    def check(self, situation: Situation, call: Call, vocabulary: Vocabulary, missing: Missing) -> list[Finding]:
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
class Territory(EligibilityRule):
    """The action takes place in these departments or this region, and/or answers a territory question."""

    departments: tuple[str, ...] = ()
    region: str | None = None
    question: Question | None = None

    @property
    def reads(self) -> tuple[str, ...]:
        return ("department", *(self.question.reads if self.question else ()))

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> Territory:
        return cls(info, in_reading_order(data.get("departments", ())), data.get("region"),
                   Question.from_data(data["question"]) if "question" in data else None)

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        for d, department in enumerate(data.get("departments", ())):
            checks.known(where + ("departments", d), department, checks.vocabulary.departments, "département inconnu")
        if "region" in data:
            checks.known(where + ("region",), data["region"], checks.vocabulary.regions, "région inconnue")
        if "question" in data:
            Question.check_data(data["question"], where + ("question",), checks)

    def allowed_departments(self, vocabulary: Vocabulary) -> tuple[str, ...]:
        if self.region:
            return in_reading_order(dict.fromkeys(self.departments + vocabulary.region_departments(self.region)))
        return self.departments

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        sentences = []
        if self.departments:
            sentences.append("Départements concernés : "
                             + ", ".join(f"{vocabulary.departments[d]} ({d})" for d in self.departments) + ".")
        if self.region:
            sentences.append(f"Région concernée : {vocabulary.regions[self.region].label}.")
        if self.question:
            sentences.append(f"Question à vous poser : {self.question.text}{self.question.scope(vocabulary)}")
        return Description(" ".join(sentences), notes=(self.question.help,) if self.question and self.question.help else ())

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        out = []
        covered = self.allowed_departments(vocabulary)
        if covered:
            everyone = in_reading_order(vocabulary.departments)
            label = {code: f"{code} — {vocabulary.departments[code]}" for code in everyone}
            out.append(Field("department", "select", "Département où se déroule l'action", groups=(
                _choices("Départements concernés par l'appel", covered, label),
                _choices("Autres départements", tuple(c for c in everyone if c not in covered), label))))
        if self.question:
            out.append(self.question.field(vocabulary))
        return tuple(out)

    def not_asked(self, situation: Situation) -> tuple[str, ...]:
        return (f"answers.{self.question.id}",) if self.question and not self.question.concerns(situation) else ()

    def check(self, situation: Situation, call: Call, vocabulary: Vocabulary, missing: Missing) -> list[Finding]:
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
            findings.extend(self.question.ask(self.info, situation, missing))
        return findings


@register("eligibility", "working_capital")
@dataclass(frozen=True, slots=True)
class WorkingCapital(EligibilityRule):
    """Working capital at most a share of the structure's annual operating costs."""

    max_share: Decimal

    reads = ("working_capital", "annual_operating_costs")

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> WorkingCapital:
        return cls(info, Decimal(str(data["max_share"])))

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description(f"Le fonds de roulement de la structure ne doit pas dépasser {format_share(self.max_share)} "
                           "de ses charges annuelles de fonctionnement.")

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        return (Field("working_capital", "amount", "Fonds de roulement de la structure (€)",
                      "Au dernier exercice clos, par exemple 12 500."),
                Field("annual_operating_costs", "amount", "Charges annuelles de fonctionnement (€)",
                      "Total des charges du dernier exercice clos."))

    def check(self, situation: Situation, call: Call, vocabulary: Vocabulary, missing: Missing) -> list[Finding]:
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
class SubmissionDeadline(EligibilityRule):
    """The dossier is submitted by one of the deadlines (waves) of the call — the deadline of the
    applicant's department when the call gives departments their own (:func:`calculators.timeline.deadlines_for`).

    The submission date is a day on the calendar of the call's time zone: a deadline at an hour
    of a day is met by a dossier submitted that day (the page gives the hour and its zone).
    """

    milestones: tuple[str, ...]

    reads = ("submission_date", "department")

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> SubmissionDeadline:
        return cls(info, tuple(data["milestones"]))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        for m, milestone in enumerate(data["milestones"]):
            if milestone not in checks.milestones:
                checks.problem(where + ("milestones", m), f"étape inconnue '{milestone}'")
            elif checks.milestones[milestone]["kind"] != "deadline":
                checks.problem(where + ("milestones", m), f"l'étape '{milestone}' n'est pas une date limite (kind: deadline)")

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        from calculators.timeline import deadline_prefix  # timeline imports the model, which imports the rules

        deadlines = tuple(f"{deadline_prefix(call, call.milestone(id_))}{describe(call.milestone(id_).when)}"
                          for id_ in self.milestones)
        if len(deadlines) == 1:
            return Description(f"Dossier déposé au plus tard : {deadlines[0]}.")
        return Description("Dossier déposé au plus tard :", deadlines)

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        from calculators.timeline import named_departments

        date = Field("submission_date", "date", "Date à laquelle vous déposerez le dossier")
        named = tuple(code for code in named_departments(call)
                      if any(code in call.milestone(id_).departments for id_ in self.milestones))
        if not named:
            return (date,)
        everyone = in_reading_order(vocabulary.departments)
        label = {code: f"{code} — {vocabulary.departments[code]}" for code in everyone}
        return (Field("department", "select", "Département où se déroule l'action", groups=(
            _choices("Départements qui ont leur propre date limite", in_reading_order(named), label),
            _choices("Autres départements", tuple(c for c in everyone if c not in named), label))), date)

    def check(self, situation: Situation, call: Call, vocabulary: Vocabulary, missing: Missing) -> list[Finding]:
        from calculators.timeline import by_department, deadlines_for, departments_phrase

        day = situation.submission_date
        if day is None:
            missing.add("submission_date")
            return []
        per_department = by_department(call, self.milestones)
        if per_department and situation.department is None:
            missing.add("department")
            return []
        deadlines = deadlines_for(call, situation.department if per_department else None, self.milestones)
        known = [m for m in deadlines if m.when.latest is not None]
        if not known:
            return [_finding(self.info, "La date limite de dépôt n'est pas encore publiée.", "warning")]

        def scope(milestone: Milestone) -> str:  # « pour le département 57 », when the call names departments
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


def _check_days(data: Mapping[str, Any], where: Path, checks: Checks, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in data:
            checks.date(where + (key,), data[key])


def _day(data: Mapping[str, Any], key: str) -> dt.date | None:
    return dt.date.fromisoformat(data[key]) if data.get(key) else None


@register("eligibility", "project_dates")
@dataclass(frozen=True, slots=True)
class ProjectDates(EligibilityRule):
    """Project start and end within bounds, and a maximum duration in months from its start.

    A duration of ``max_months`` months from day D ends the day before the same date
    ``max_months`` later: 12 months from 1 April 2025 run to 31 March 2026 included.
    """

    start_not_before: dt.date | None = None
    start_not_after: dt.date | None = None
    end_not_after: dt.date | None = None
    max_months: int | None = None

    reads = ("project_start", "project_end")

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> ProjectDates:
        return cls(info, _day(data, "start_not_before"), _day(data, "start_not_after"), _day(data, "end_not_after"),
                   data.get("max_months"))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        _check_days(data, where, checks, ("start_not_before", "start_not_after", "end_not_after"))
        start_min, start_max = data.get("start_not_before"), data.get("start_not_after")
        if start_min and start_max and start_min > start_max:
            checks.problem(where + ("start_not_after",), "attendu une date après start_not_before")

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        items = []
        if self.start_not_before:
            items.append(f"début du projet au plus tôt le {french_date(self.start_not_before)}")
        if self.start_not_after:
            items.append(f"début du projet au plus tard le {french_date(self.start_not_after)}")
        if self.end_not_after:
            items.append(f"projet terminé au plus tard le {french_date(self.end_not_after)}")
        if self.max_months:
            items.append(f"durée de {self.max_months} mois au plus")
        return Description("Dates du projet :", tuple(items))

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        return (Field("project_start", "date", "Date de début du projet"),
                Field("project_end", "date", "Date de fin du projet (évaluation comprise)"))

    def check(self, situation: Situation, call: Call, vocabulary: Vocabulary, missing: Missing) -> list[Finding]:
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


@register("eligibility", "action_window")
@dataclass(frozen=True, slots=True)
class ActionWindow(EligibilityRule):
    """Every action takes place within a window of dates (« se dérouler en octobre et novembre 2025 »).

    The applicant gives the day of her first and of her last action; both must fall within
    ``from``–``to``, both days included. An action outside the window is not funded, whatever
    the rest of the project.
    """

    start: dt.date
    end: dt.date

    reads = ("actions_start", "actions_end")

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> ActionWindow:
        return cls(info, dt.date.fromisoformat(data["from"]), dt.date.fromisoformat(data["to"]))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        _check_days(data, where, checks, ("from", "to"))
        if data["to"] < data["from"]:
            checks.problem(where + ("to",), f"attendu une date après le début de la période ({data['from']})")

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description(f"Les actions se déroulent entre le {french_date(self.start)} et le {french_date(self.end)} "
                           "inclus ; une action en dehors de cette période n'est pas financée.")

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        return (Field("actions_start", "date", "Date de la première action", "Atelier, permanence, séance…"),
                Field("actions_end", "date", "Date de la dernière action"))

    def check(self, situation: Situation, call: Call, vocabulary: Vocabulary, missing: Missing) -> list[Finding]:
        first, last = situation.extra.get("actions_start"), situation.extra.get("actions_end")
        if first is None:
            missing.add("actions_start", "Date de la première action")
        if last is None:
            missing.add("actions_end", "Date de la dernière action")
        assert first is None or isinstance(first, dt.date)
        assert last is None or isinstance(last, dt.date)
        if first and last and last < first:
            return [_finding(self.info, f"Dernière action le {french_date(last)}, avant la première ({french_date(first)}) : "
                                        "vérifiez les deux dates.")]
        window = f"entre le {french_date(self.start)} et le {french_date(self.end)}"
        findings = []
        if first and first < self.start:
            findings.append(_finding(self.info, f"Première action le {french_date(first)} : les actions doivent se dérouler "
                                                f"{window}."))
        if last and last > self.end:
            findings.append(_finding(self.info, f"Dernière action le {french_date(last)} : les actions doivent se dérouler "
                                                f"{window}."))
        return findings


@register("eligibility", "axes")
@dataclass(frozen=True, slots=True)
class Axes(EligibilityRule):
    """The project addresses at least ``min`` of the call's axes."""

    min: int

    reads = ("axes",)

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> Axes:
        return cls(info, int(data["min"]))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        if not checks.call.get("axes"):
            checks.problem(where, "une règle 'axes' demande la liste 'axes' de l'appel")

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        # The axes themselves are listed where the call's page states them, and asked by the checker.
        return Description(f"Le projet se rattache à au moins {self.min} des {len(call.axes)} axes de l'appel.")

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        return (Field("axes", "checkboxes", "Axes de l'appel auxquels votre projet se rattache",
                      groups=(("", tuple((axis.id, _axis(axis)) for axis in call.axes)),)),)

    def check(self, situation: Situation, call: Call, vocabulary: Vocabulary, missing: Missing) -> list[Finding]:
        if situation.axes is None:
            missing.add("axes")
            return []
        if len(situation.axes) >= self.min:
            return []
        return [_finding(self.info, f"{len(situation.axes)} axe(s) choisi(s) : le projet doit se rattacher à au moins "
                                    f"{self.min} des {len(call.axes)} axes de l'appel.")]


def _axis(axis: Any) -> str:
    return f"Axe {axis.number} : {axis.label}" if axis.number else axis.label


@register("eligibility", "question")
@dataclass(frozen=True, slots=True)
class YesNo(EligibilityRule):
    """A condition the applicant confirms by answering « oui »."""

    question: Question

    @property
    def reads(self) -> tuple[str, ...]:
        return self.question.reads

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> YesNo:
        return cls(info, Question.from_data(data["question"]))

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        Question.check_data(data["question"], where + ("question",), checks)

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        return Description(f"{self.question.text}{self.question.scope(vocabulary)}",
                           notes=(self.question.help,) if self.question.help else ())

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        return (self.question.field(vocabulary),)

    def not_asked(self, situation: Situation) -> tuple[str, ...]:
        return () if self.question.concerns(situation) else (f"answers.{self.question.id}",)

    def check(self, situation: Situation, call: Call, vocabulary: Vocabulary, missing: Missing) -> list[Finding]:
        return self.question.ask(self.info, situation, missing)
