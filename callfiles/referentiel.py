"""The referentiel: the shared vocabulary and the funders (``calls/_referentiel/``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calculators.model import Contact, Vocabulary, contact_from_data, vocabulary_from_data
from callfiles.paths import ID, REFERENTIEL, display
from callfiles.problems import Problem
from callfiles.schema import explain, funders_validator
from callfiles.yamlsource import Document, read


@dataclass(frozen=True, slots=True)
class Funder:
    id: str
    name: str
    short_name: str
    kind: str
    description: str
    region: str | None = None
    departments: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    """Its permanent contacts, each with the reference of the text that gives it."""


NEIGHBOUR_KEYS = ("admitted", "explanation", "advice", "reference")


def neighbour_problems(doc: Document) -> list[Problem]:
    """``structure_neighbours`` of the vocabulary: known structure types, each entry with its four texts."""
    data = doc.data if isinstance(doc.data, dict) else {}  # the schema reports a vocabulary that is not a mapping
    neighbours = data.get("structure_neighbours", {})
    types = data.get("structure_types", {})
    if not isinstance(neighbours, dict):
        return [doc.problem(("structure_neighbours",), "attendu un dictionnaire type de structure → liste")]
    problems = []
    for type_, items in neighbours.items():
        if type_ not in types:
            problems.append(doc.problem(("structure_neighbours", type_), f"type de structure inconnu '{type_}'"))
        if not isinstance(items, list):
            problems.append(doc.problem(("structure_neighbours", type_), "attendu une liste"))
            continue
        for i, item in enumerate(items):
            where = ("structure_neighbours", type_, i)
            if not isinstance(item, dict) or any(not isinstance(item.get(key), str) or not item[key].strip()
                                                 for key in NEIGHBOUR_KEYS):
                problems.append(doc.problem(where, "attendu les textes " + ", ".join(NEIGHBOUR_KEYS)))
            elif item["admitted"] not in types:
                problems.append(doc.problem(where + ("admitted",), f"type de structure inconnu '{item['admitted']}'"))
    return problems


def load_referentiel(root: Path, problems: list[Problem]) -> tuple[Vocabulary | None, dict[str, Any], dict[str, Funder]]:
    vocabulary = None
    vocabulary_data: dict[str, Any] = {}
    funders: dict[str, Funder] = {}
    doc, found = read(root / REFERENTIEL / "vocabulaire.yaml", display(root / REFERENTIEL / "vocabulaire.yaml", root))
    problems.extend(found)
    if doc is not None:
        try:
            vocabulary_data = doc.data  # type: ignore[assignment]
            found_here = neighbour_problems(doc)
            problems.extend(found_here)
            vocabulary = None if found_here else vocabulary_from_data(vocabulary_data)
        except (KeyError, TypeError, AttributeError) as error:
            problems.append(doc.problem((), f"attendu les sections structure_types, professions, expense_categories, "
                                            f"regions et departments ({error})"))
    doc, found = read(root / REFERENTIEL / "financeurs.yaml", display(root / REFERENTIEL / "financeurs.yaml", root))
    problems.extend(found)
    if doc is not None:
        items = doc.data.get("funders") if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            problems.append(doc.problem((), "attendu une liste 'funders'"))
            items = []
        contact_problems = [p for error in funders_validator().iter_errors(doc.data) for p in explain(doc, error)]
        problems.extend(contact_problems)
        for i, item in enumerate(items):
            try:
                contacts = () if contact_problems else tuple(contact_from_data(c) for c in item.get("contacts", ()))
                funder = Funder(item["id"], item["name"], item["short_name"], item["kind"], item["description"],
                                item.get("region"), tuple(item.get("departments", ())), contacts)
            except (KeyError, TypeError, AttributeError):
                problems.append(doc.problem(("funders", i), "attendu id, name, short_name, kind et description"))
                continue
            if funder.id in funders:
                problems.append(doc.problem(("funders", i, "id"), f"financeur '{funder.id}' en double"))
            elif not ID.match(funder.id):
                problems.append(doc.problem(("funders", i, "id"),
                                            f"attendu des minuscules, chiffres et tirets, trouvé '{funder.id}'"))
            funders[funder.id] = funder
    return vocabulary, vocabulary_data, funders
