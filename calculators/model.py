"""The call model: typed, frozen, built from a schema-valid mapping by pure functions.

The same mapping arrives from YAML on the CPython side and from the site's JSON in the
browser; :func:`call_from_data` and :func:`vocabulary_from_data` build the model from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from calculators.dates import When, when_from
from calculators.departments import department_key, in_reading_order
from calculators.rules import build_rule

CallKind = Literal["call", "framework"]


@dataclass(frozen=True, slots=True)
class Item:
    """A line of guidance with its reference in the call text."""

    label: str
    reference: str
    details: str | None = None


@dataclass(frozen=True, slots=True)
class Expense:
    label: str
    reference: str
    category: str | None = None
    condition: str | None = None


@dataclass(frozen=True, slots=True)
class AmountItem:
    label: str
    reference: str
    amount: Decimal | None = None
    share: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Axis:
    id: str
    label: str
    reference: str
    number: int | None = None
    framework_axis: str | None = None


@dataclass(frozen=True, slots=True)
class Milestone:
    id: str
    kind: str
    label: str
    when: When
    reference: str
    wave: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str | None = None
    note: str | None = None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """A way to reach a funder's team: any of a web page, an email, a phone, a postal address."""

    label: str
    email: str | None = None
    note: str | None = None
    reference: str | None = None
    url: str | None = None
    phone: str | None = None
    address: str | None = None


def contact_from_data(data: Mapping[str, Any]) -> Contact:
    """A :class:`Contact` from a call's ``apply.contacts`` item or a funder's ``contacts`` item."""
    return Contact(data["label"], data.get("email"), data.get("note"), data.get("reference"),
                   data.get("url"), data.get("phone"), data.get("address"))


DocumentFormat = Literal["pdf", "docx", "doc", "odt", "xlsx", "xls", "ods", "zip", "page-web"]


@dataclass(frozen=True, slots=True)
class OfficialDocument:
    """A document the funder publishes (call text, annex, form), at an address the call text gives."""

    title: str
    url: str
    format: DocumentFormat
    reference: str
    size: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Apply:
    steps: tuple[Item, ...] = ()
    documents: tuple[Item, ...] = ()
    links: tuple[Link, ...] = ()
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True, slots=True)
class Obligation:
    label: str
    reference: str
    milestone: str | None = None


@dataclass(frozen=True, slots=True)
class RegionalCall:
    region: str
    runs_call: bool
    reference: str
    call: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    date: dt.date | None = None
    url: str | None = None
    file: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """One funding call (or national framework) as its file describes it."""

    id: str
    kind: CallKind
    title: str
    funders: tuple[str, ...]
    source: Source
    summary: str
    milestones: tuple[Milestone, ...]
    framework: str | None = None
    regions: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    themes: tuple[Item, ...] = ()
    axes: tuple[Axis, ...] = ()
    publics: tuple[Item, ...] = ()
    eligible_expenses: tuple[Expense, ...] = ()
    ineligible_expenses: tuple[Expense, ...] = ()
    funding: tuple[AmountItem, ...] = ()
    selection_criteria: tuple[Item, ...] = ()
    apply: Apply = Apply()
    documents: tuple[OfficialDocument, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    budget_rules: tuple[Any, ...] = ()
    eligibility_rules: tuple[Any, ...] = ()
    regional_calls: tuple[RegionalCall, ...] = ()

    def milestone(self, milestone_id: str) -> Milestone:
        for milestone in self.milestones:
            if milestone.id == milestone_id:
                return milestone
        raise KeyError(milestone_id)

    @property
    def deadlines(self) -> tuple[Milestone, ...]:
        return tuple(m for m in self.milestones if m.kind == "deadline")


@dataclass(frozen=True, slots=True)
class Region:
    label: str
    departments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StructureNeighbour:
    """A kind of structure that applicants may take for another one a call admits (a CCAS for a
    local authority): when a call refuses the first and admits the second, the refusal says why."""

    admitted: str
    explanation: str
    advice: str
    reference: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The shared ids and their French labels (``calls/_referentiel/vocabulaire.yaml``)."""

    structure_types: Mapping[str, str]
    professions: Mapping[str, str]
    expense_categories: Mapping[str, str]
    regions: Mapping[str, Region]
    departments: Mapping[str, str]
    structure_neighbours: Mapping[str, tuple[StructureNeighbour, ...]] = field(default_factory=dict)

    def region_departments(self, region: str) -> tuple[str, ...]:
        return self.regions[region].departments


def _items(data: Mapping[str, Any], key: str) -> tuple[Item, ...]:
    return tuple(Item(i["label"], i["reference"], i.get("details")) for i in data.get(key, ()))


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def call_from_data(data: Mapping[str, Any]) -> Call:
    """Build a :class:`Call` from a mapping that already passed the schema."""
    source = data["source"]
    apply = data.get("apply", {})
    rules = data.get("rules", {})
    return Call(
        id=data["id"],
        kind=data["kind"],
        title=data["title"],
        funders=tuple(data["funders"]),
        framework=data.get("framework"),
        regions=tuple(data.get("regions", ())),
        departments=in_reading_order(data.get("departments", ())),
        source=Source(source["title"], dt.date.fromisoformat(source["date"]) if source.get("date") else None,
                      source.get("url"), source.get("file")),
        summary=data["summary"],
        themes=_items(data, "themes"),
        axes=tuple(Axis(a["id"], a["label"], a["reference"], a.get("number"), a.get("framework_axis"))
                   for a in data.get("axes", ())),
        publics=_items(data, "publics"),
        eligible_expenses=tuple(Expense(e["label"], e["reference"], e.get("category"), e.get("condition"))
                                for e in data.get("eligible_expenses", ())),
        ineligible_expenses=tuple(Expense(e["label"], e["reference"], e.get("category"), e.get("condition"))
                                  for e in data.get("ineligible_expenses", ())),
        funding=tuple(AmountItem(f["label"], f["reference"], _decimal(f.get("amount")), _decimal(f.get("share")))
                      for f in data.get("funding", ())),
        selection_criteria=_items(data, "selection_criteria"),
        milestones=tuple(Milestone(m["id"], m["kind"], m["label"], when_from(m["when"]), m["reference"], m.get("wave"))
                         for m in data["milestones"]),
        apply=Apply(
            steps=_items(apply, "steps"),
            documents=_items(apply, "documents"),
            links=tuple(Link(link["label"], link.get("url"), link.get("note"), link.get("reference"))
                        for link in apply.get("links", ())),
            contacts=tuple(contact_from_data(c) for c in apply.get("contacts", ())),
        ),
        documents=tuple(OfficialDocument(d["title"], d["url"], d["format"], d["reference"], d.get("size"), d.get("note"))
                        for d in data.get("documents", ())),
        obligations=tuple(Obligation(o["label"], o["reference"], o.get("milestone")) for o in data.get("obligations", ())),
        budget_rules=tuple(build_rule("budget", r) for r in rules.get("budget", ())),
        eligibility_rules=tuple(build_rule("eligibility", r) for r in rules.get("eligibility", ())),
        regional_calls=tuple(RegionalCall(r["region"], r["runs_call"], r["reference"], r.get("call"), r.get("title"))
                             for r in data.get("regional_calls", ())),
    )


def vocabulary_from_data(data: Mapping[str, Any]) -> Vocabulary:
    """Build the :class:`Vocabulary` from ``vocabulaire.yaml``'s mapping."""
    return Vocabulary(
        structure_types=dict(data["structure_types"]),
        professions=dict(data["professions"]),
        expense_categories=dict(data["expense_categories"]),
        regions={slug: Region(r["label"], in_reading_order(r["departments"])) for slug, r in data["regions"].items()},
        departments={code: data["departments"][code] for code in sorted(data["departments"], key=department_key)},
        structure_neighbours={
            type_: tuple(StructureNeighbour(n["admitted"], n["explanation"], n["advice"], n["reference"]) for n in items)
            for type_, items in data.get("structure_neighbours", {}).items()},
    )
