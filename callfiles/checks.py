"""Cross-references and dates: everything the schema alone cannot say about a call file.

Each rule kind checks its own YAML (``check_data`` of its class in :mod:`calculators.rules`);
this module checks the rest — ids, funders, the framework and its axes, milestones in order,
the source text and the quotes — and gives the kinds a :class:`calculators.rules.Checks`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from calculators.dates import when_from
from calculators.model import Vocabulary
from calculators.rules import check_rule_data
from calculators.timeline import MILESTONE_KINDS
from callfiles.paths import SOURCE_NAME, SOURCES
from callfiles.problems import Problem
from callfiles.referentiel import Funder
from callfiles.schema import show
from callfiles.sources import SourceText, parse
from callfiles.yamlsource import Document, Path_


class Checker:
    """Cross-references and dates: everything the schema alone cannot say."""

    def __init__(self, vocabulary: Vocabulary, funders: dict[str, Funder], docs: dict[str, Document], root: Path) -> None:
        self.vocabulary = vocabulary
        self.funders = funders
        self.docs = docs
        self.root = root
        self.sources: dict[str, SourceText] = {}
        self.problems: list[Problem] = []

    def check(self, doc: Document) -> None:
        data: dict[str, Any] = doc.data  # type: ignore[assignment]
        say = lambda where, message: self.problems.append(doc.problem(where, message))  # noqa: E731
        stem = Path(doc.path).stem
        if data["id"] != stem:
            say(("id",), f"attendu le nom du fichier '{stem}', trouvé '{data['id']}' ; "
                         "l'identifiant est le nom du fichier sans .yaml")
        for i, funder in enumerate(data["funders"]):
            if funder not in self.funders:
                say(("funders", i), f"financeur inconnu '{funder}' ; "
                                    "ajoutez-le à calls/_referentiel/financeurs.yaml ou corrigez l'identifiant")
        framework = data.get("framework")
        framework_axes: set[str] = set()
        if framework is not None:
            target = self.docs.get(framework)
            if target is None:
                say(("framework",), f"cadre inconnu '{framework}' ; attendu l'identifiant d'un fichier de kind 'framework'")
            elif not isinstance(target.data, dict) or target.data.get("kind") != "framework":
                say(("framework",), f"'{framework}' n'est pas de kind 'framework'")
            else:
                framework_axes = {a["id"] for a in target.data.get("axes", [])}
        for i, region in enumerate(data.get("regions", [])):
            self._known(doc, ("regions", i), region, self.vocabulary.regions, "région inconnue")
        for i, department in enumerate(data.get("departments", [])):
            self._known(doc, ("departments", i), department, self.vocabulary.departments, "département inconnu")
        for key in ("eligible_expenses", "ineligible_expenses"):
            for i, item in enumerate(data.get(key, [])):
                if "category" in item:
                    self._known(doc, (key, i, "category"), item["category"], self.vocabulary.expense_categories,
                                "catégorie de dépense inconnue")
        self._unique(doc, "axes", data.get("axes", []))
        for i, axis in enumerate(data.get("axes", [])):
            if "framework_axis" in axis and framework_axes and axis["framework_axis"] not in framework_axes:
                say(("axes", i, "framework_axis"), f"axe inconnu '{axis['framework_axis']}' dans le cadre '{framework}'")
            elif "framework_axis" in axis and framework is None:
                say(("axes", i, "framework_axis"), "framework_axis demande un 'framework' en haut du fichier")
        milestones = self._milestones(doc, data.get("milestones", []))
        for i, obligation in enumerate(data.get("obligations", [])):
            if "milestone" in obligation and obligation["milestone"] not in milestones:
                say(("obligations", i, "milestone"), f"étape inconnue '{obligation['milestone']}'")
        rules = data.get("rules", {})
        self._unique(doc, ("rules",), [*rules.get("budget", []), *rules.get("eligibility", [])], paths=[
            *[("rules", "budget", i) for i in range(len(rules.get("budget", [])))],
            *[("rules", "eligibility", i) for i in range(len(rules.get("eligibility", [])))]])
        questions: dict[str, Path_] = {}
        for family in ("budget", "eligibility"):
            for i, rule in enumerate(rules.get(family, [])):
                self._rule(doc, family, ("rules", family, i), rule, milestones, data, questions)
        self._quotes(doc, data)
        for i, regional in enumerate(data.get("regional_calls", [])):
            where = ("regional_calls", i)
            self._known(doc, where + ("region",), regional["region"], self.vocabulary.regions, "région inconnue")
            if regional.get("call") and regional["call"] not in self.docs:
                say(where + ("call",), f"appel inconnu '{regional['call']}'")
            if regional["runs_call"] is False and regional.get("call"):
                say(where + ("call",), "une région avec runs_call: false ne peut pas nommer d'appel")

    def _quotes(self, doc: Document, data: dict[str, Any]) -> None:
        """The source text named by ``source.file`` exists, and every rule's quote is found in it."""
        name = data["source"].get("file")
        if name is None:
            return  # the source is only a web address: nothing to check the quotes against
        text = self._source(doc, name)
        if text is None:
            return
        for family in ("budget", "eligibility"):
            for i, rule in enumerate(data.get("rules", {}).get(family, [])):
                citation = text.cite(rule["quote"])
                if citation.block is None:
                    shown = citation.missing[0] if citation.missing else rule["quote"]
                    self.problems.append(doc.problem(("rules", family, i, "quote"), (
                        f"citation introuvable dans calls/{SOURCES}/{name} : « {shown[:80]}{'…' if len(shown) > 80 else ''} » ; "
                        "recopiez les mots exacts du texte (un passage omis s'écrit […])")))

    def _source(self, doc: Document, name: str) -> SourceText | None:
        if name in self.sources:
            return self.sources[name]
        where = ("source", "file")
        if not SOURCE_NAME.match(name):
            self.problems.append(doc.problem(where, f"attendu le nom d'un fichier .txt de calls/{SOURCES}/ "
                                                    f"(minuscules, chiffres, tirets), trouvé {show(name)}"))
            return None
        path = self.root / SOURCES / name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.problems.append(doc.problem(where, f"texte source introuvable : calls/{SOURCES}/{name} ; ajoutez le "
                                                    f"texte de l'appel dans calls/{SOURCES}/ ou corrigez le nom"))
            return None
        except (OSError, UnicodeDecodeError) as error:
            self.problems.append(doc.problem(where, f"texte source illisible : calls/{SOURCES}/{name} ({error}) ; "
                                                    "attendu un texte brut en UTF-8"))
            return None
        self.sources[name] = _parsed(name, text)
        return self.sources[name]

    def _known(self, doc: Document, where: tuple, value: str, known: Iterable[str], what: str) -> None:
        if value not in known:
            self.problems.append(doc.problem(where, f"{what} '{value}' ; voir calls/_referentiel/vocabulaire.yaml"))

    def _unique(self, doc: Document, key: object, items: list[dict[str, Any]], paths: list[tuple] | None = None) -> None:
        seen: dict[object, int] = {}  # an item without id is reported by the schema
        for n, item in enumerate(items):
            where = paths[n] if paths else (key, n)
            if item.get("id") in seen:
                line = doc.position(paths[seen[item['id']]] if paths else (key, seen[item["id"]]))[0]
                self.problems.append(doc.problem(where + ("id",), f"identifiant '{item['id']}' en double (aussi ligne {line})"))
            else:
                seen[item.get("id")] = n

    def _milestones(self, doc: Document, items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        self._unique(doc, "milestones", items)
        parsed = []
        for i, item in enumerate(items):
            where = ("milestones", i, "when")
            try:
                when = when_from(item["when"])
            except ValueError as error:
                self.problems.append(doc.problem(where, f"date impossible : {date_error(error)}"))
                continue
            if list(when.dates) != sorted(when.dates) or len(set(when.dates)) != len(when.dates):
                self.problems.append(doc.problem(where, "attendu des dates dans l'ordre croissant"))
                continue
            parsed.append((i, item, when))
        for i, item, when in parsed:
            for j, other, other_when in parsed:
                if MILESTONE_KINDS[item["kind"]].rank >= MILESTONE_KINDS[other["kind"]].rank:
                    continue
                if item.get("wave") and other.get("wave") and item["wave"] != other["wave"]:
                    continue
                if when.earliest and other_when.latest and when.earliest > other_when.latest:
                    self.problems.append(doc.problem(
                        ("milestones", i, "when"),
                        f"dates dans le désordre : cette étape {item['kind']} ({when.earliest}) doit précéder "
                        f"l'étape {other['kind']} '{other['id']}' ({other_when.latest}) de la ligne "
                        f"{doc.position(('milestones', j))[0]}"))
        self._department_deadlines(doc, items)
        return {item["id"]: item for item in items}

    def _department_deadlines(self, doc: Document, items: list[dict[str, Any]]) -> None:
        """Deadlines by department: known codes, on deadlines only, one deadline per department and
        wave, and at most one « autres départements » deadline (without ``departments``) per wave."""
        claimed: dict[tuple[str | None, str], int] = {}
        others: dict[str | None, int] = {}
        named_waves = {item.get("wave") for item in items if item.get("departments")}
        for i, item in enumerate(items):
            codes = item.get("departments") or []
            if codes and item["kind"] != "deadline":
                self.problems.append(doc.problem(("milestones", i, "departments"),
                                                 "departments ne vaut que pour une date limite (kind: deadline)"))
                continue
            for d, code in enumerate(codes):
                self._known(doc, ("milestones", i, "departments", d), code, self.vocabulary.departments, "département inconnu")
                wave = item.get("wave")
                if (wave, code) in claimed:
                    line = doc.position(("milestones", claimed[(wave, code)]))[0]
                    self.problems.append(doc.problem(
                        ("milestones", i, "departments", d),
                        f"le département {code} a déjà sa date limite{' dans cette vague' if wave else ''} "
                        f"(étape de la ligne {line}) : un département n'a qu'une date limite par vague"))
                else:
                    claimed[(wave, code)] = i
            if item["kind"] == "deadline" and not codes and item.get("wave") in named_waves:
                wave = item.get("wave")
                if wave in others:
                    line = doc.position(("milestones", others[wave]))[0]
                    self.problems.append(doc.problem(
                        ("milestones", i),
                        f"deux dates limites sans departments{' dans cette vague' if wave else ''} (l'autre ligne "
                        f"{line}) : une seule vaut pour les « autres départements », les autres listent leurs départements"))
                else:
                    others[wave] = i

    def _rule(self, doc: Document, family: str, where: tuple, rule: dict[str, Any], milestones: dict[str, dict[str, Any]],
              data: dict[str, Any], questions: dict[str, Path_]) -> None:
        """The kind's own cross-checks (its class knows them), then a question id used twice in the call."""
        check_rule_data(family, rule, where, _RuleChecks(self, doc, milestones, data))
        if "question" in rule:
            qid = rule["question"]["id"]
            if qid in questions:
                self.problems.append(doc.problem(where + ("question", "id"),
                                                 f"question '{qid}' en double (aussi ligne {doc.position(questions[qid])[0]})"))
            questions[qid] = where + ("question",)


@dataclass
class _RuleChecks:
    """What a rule kind's ``check_data`` consults and where it reports (calculators.rules.Checks)."""

    checker: Checker
    doc: Document
    milestones: dict[str, dict[str, Any]]
    call: dict[str, Any]

    @property
    def vocabulary(self) -> Vocabulary:
        return self.checker.vocabulary

    def known(self, where: tuple, value: str, known: Iterable[str], what: str) -> None:
        self.checker._known(self.doc, where, value, known, what)

    def problem(self, where: tuple, message: str) -> None:
        self.checker.problems.append(self.doc.problem(where, message))

    def date(self, where: tuple, value: str) -> None:
        try:
            dt.date.fromisoformat(value)
        except ValueError as error:
            self.problem(where, f"date impossible : {date_error(error)}")


@lru_cache(maxsize=64)
def _parsed(name: str, text: str) -> SourceText:
    """A source text parsed once per build, however many calls share it (keyed by its content)."""
    return parse(name, text)


def date_error(error: ValueError) -> str:
    """French wording of ``date.fromisoformat``'s complaints."""
    text = str(error)
    if "day is out of range" in text or text.startswith("day "):  # Python 3.14 (Pyodide): « day 30 must be in range 1..28 … »
        return "ce jour n'existe pas dans ce mois"
    if "month must be" in text:
        return "le mois doit être entre 01 et 12"
    return text
