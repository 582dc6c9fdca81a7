"""A call's checklist: eligibility conditions, the dossier, the obligations after the award.

Built from the call file only; every item keeps its reference in the call text. Each item
has a ``key`` derived from its section and wording, so a ticked box stays ticked in the
visitor's browser across builds as long as the item itself does not change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from calculators.dates import When
from calculators.model import Call

REPORT_KINDS = ("interim_report", "final_report", "project_end")


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    label: str
    reference: str
    when: When | None = None
    rule: Any = None  # the eligibility rule, whose details the template shows
    optional: bool = False  # a « souhaitable » condition (severity info), not a requirement


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    intro: str
    items: tuple[Item, ...]


class _Keys:
    """Stable, unique keys within one section: ``<section>-<8 hex of the wording>``."""

    def __init__(self, section: str) -> None:
        self.section = section
        self.seen: set[str] = set()

    def __call__(self, *parts: str) -> str:
        digest = hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
        key = f"{self.section}-{digest}"
        n = 2
        while key in self.seen:
            key = f"{self.section}-{digest}-{n}"
            n += 1
        self.seen.add(key)
        return key


def checklist(call: Call) -> tuple[Section, ...]:
    """The three lists of ``call``'s checklist, in the order an applicant meets them."""
    key = _Keys("eligibilite")
    eligibility = tuple(
        Item(key(rule.info.id, rule.info.label), rule.info.label, rule.info.reference, rule=rule,
             optional=rule.info.severity == "info")
        for rule in call.eligibility_rules)

    key = _Keys("dossier")
    dossier = [Item(key("piece", d.label), d.label, d.reference) for d in call.apply.documents]
    dossier += [Item(key("etape", s.label), s.label, s.reference) for s in call.apply.steps]
    for m in call.deadlines:
        label = f"Déposer le dossier avant la date limite{' (' + m.wave + ')' if m.wave else ''}"
        dossier.append(Item(key("depot", m.id), label, m.reference, when=m.when))

    key = _Keys("apres")
    after = [Item(key(o.label), o.label, o.reference, when=call.milestone(o.milestone).when if o.milestone else None)
             for o in call.obligations]
    cited = {o.milestone for o in call.obligations if o.milestone}
    for m in call.milestones:
        if m.kind in REPORT_KINDS and m.id not in cited:
            after.append(Item(key(m.id, m.label), m.label, m.reference, when=m.when))

    return (
        Section("eligibilite", "Conditions d'éligibilité",
                "Vérifiez que votre structure et votre projet remplissent chaque condition.", eligibility),
        Section("dossier", "Le dossier",
                "Les pièces à réunir et les étapes du dépôt.", tuple(dossier)),
        Section("apres", "Après l'attribution",
                "Ce à quoi vous vous engagez si votre projet est retenu.", tuple(after)),
    )
