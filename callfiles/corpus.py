"""Load every file of ``calls/``: parse, validate against the schema, check references, build the model.

Every problem in every file is collected first, then :class:`CallFileError` is raised with
all of them, each as ``file:line:col: path: message``. Nothing is built from a corpus with
a problem, so a broken file can never produce a partial site.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from calculators.dates import when_from
from calculators.model import Call, Vocabulary, call_from_data, vocabulary_from_data
from callfiles.problems import CallFileError, Problem
from callfiles.yamlsource import Document, read

SCHEMA_FILE = "schema.json"
REFERENTIEL = "_referentiel"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Order in which milestone kinds must happen within one wave (same rank: any order).
KIND_RANK = {
    "launch": 0, "info_session": 1, "declaration": 1, "deadline": 2, "review": 3, "commission": 4, "selection": 4,
    "council": 5, "results": 6, "campaign": 6, "convention": 7, "project_start": 7, "project_window": 8,
    "interim_report": 9, "project_end": 9, "final_report": 10,
}


@dataclass(frozen=True, slots=True)
class Funder:
    id: str
    name: str
    short_name: str
    kind: str
    description: str
    region: str | None = None
    departments: tuple[str, ...] = ()


@dataclass
class Corpus:
    """Everything the site is built from, validated."""

    root: Path
    vocabulary: Vocabulary
    vocabulary_data: dict[str, Any]
    funders: dict[str, Funder]
    calls: dict[str, Call]
    call_data: dict[str, dict[str, Any]] = field(default_factory=dict)

    def calls_of(self, funder_id: str) -> list[Call]:
        return [c for c in self.calls.values() if funder_id in c.funders]


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads((Path(__file__).resolve().parent.parent / "calls" / SCHEMA_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def _schema_problems(doc: Document) -> list[Problem]:
    problems = []
    for error in _validator().iter_errors(doc.data):
        problems.extend(_explain(doc, error))
    return problems


def _explain(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    """Turn a jsonschema error into our message: what was expected, what was found."""
    where = tuple(error.absolute_path)
    found = _show(error.instance)
    validator = error.validator
    if validator in ("oneOf", "anyOf") and error.context:
        # Report the alternative that went deepest: it is the one the author meant.
        best = max(error.context, key=lambda e: (len(e.absolute_path), -len(list(e.context or ()))))
        if len(best.absolute_path) > len(error.absolute_path):
            return _explain(doc, best)
        expected = _describe_schema(error.schema)
        return [doc.problem(where, f"expected {expected}, found {found}")]
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        name = extra[0] if extra else "?"
        return [doc.problem(where + (name,), f"unknown key '{name}'; expected one of: {', '.join(allowed)}")]
    if validator == "required":
        return [doc.problem(where, f"missing required key {error.message.split(' is a required')[0]}")]
    if validator == "enum":
        return [doc.problem(where, f"expected one of {', '.join(map(str, error.validator_value))}, found {found}")]
    if validator == "const":
        return [doc.problem(where, f"expected '{error.validator_value}', found {found}")]
    if validator == "type":
        return [doc.problem(where, f"expected {_TYPE_WORDS.get(str(error.validator_value), error.validator_value)}, found {found}")]
    if validator == "pattern":
        hint = error.schema.get("description") or _PATTERN_HINTS.get(error.validator_value, "the expected format")
        return [doc.problem(where, f"expected {hint[0].lower() + hint[1:]} found {found}".replace(". found", ", found"))]
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}
        return [doc.problem(where, f"expected a number {words[validator]} {error.validator_value}, found {found}")]
    if validator in ("minLength", "maxLength", "minItems", "maxItems"):
        words = {"minLength": "at least {} characters", "maxLength": "at most {} characters",
                 "minItems": "at least {} items", "maxItems": "at most {} items"}
        return [doc.problem(where, f"expected {words[validator].format(error.validator_value)}, found {found}")]
    if validator == "uniqueItems":
        return [doc.problem(where, f"expected every item once, found duplicates in {found}")]
    return [doc.problem(where, error.message)]


_TYPE_WORDS = {"string": "a text", "array": "a list", "object": "a mapping of keys", "integer": "a whole number",
               "number": "a number", "boolean": "true or false"}
_PATTERN_HINTS = {
    "^[a-z0-9]+(?:[-_][a-z0-9]+)*$": "an id in lowercase ASCII letters, digits and hyphens,",
}


def _describe_schema(node: dict[str, Any]) -> str:
    options = node.get("oneOf") or node.get("anyOf") or []
    words = []
    for option in options:
        if "$ref" in option:
            target = schema()["$defs"].get(option["$ref"].rsplit("/", 1)[-1], {})
            words.append(target.get("description", option["$ref"].rsplit("/", 1)[-1]).rstrip("."))
        else:
            words.append(option.get("description") or _TYPE_WORDS.get(str(option.get("type")), "a value").rstrip("."))
    return " or ".join(w[0].lower() + w[1:] for w in words if w) or "a valid value"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value)
    return repr(text[:60] + ("…" if len(text) > 60 else "")) if isinstance(value, str) else text


# --- semantic checks -------------------------------------------------------------------

class _Checker:
    """Cross-references and dates: everything the schema alone cannot say."""

    def __init__(self, vocabulary: Vocabulary, funders: dict[str, Funder], docs: dict[str, Document]):
        self.vocabulary = vocabulary
        self.funders = funders
        self.docs = docs
        self.problems: list[Problem] = []

    def check(self, doc: Document) -> None:
        data: dict[str, Any] = doc.data  # type: ignore[assignment]
        say = lambda where, message: self.problems.append(doc.problem(where, message))  # noqa: E731
        stem = Path(doc.path).stem
        if data["id"] != stem:
            say(("id",), f"expected the file name '{stem}', found '{data['id']}'; the id is the file name without .yaml")
        for i, funder in enumerate(data["funders"]):
            if funder not in self.funders:
                say(("funders", i), f"unknown funder '{funder}'; add it to calls/_referentiel/financeurs.yaml or fix the id")
        framework = data.get("framework")
        framework_axes: set[str] = set()
        if framework is not None:
            target = self.docs.get(framework)
            if target is None:
                say(("framework",), f"unknown framework '{framework}'; expected the id of a call file of kind 'framework'")
            elif target.data.get("kind") != "framework":  # type: ignore[union-attr]
                say(("framework",), f"'{framework}' is not of kind 'framework'")
            else:
                framework_axes = {a["id"] for a in target.data.get("axes", [])}  # type: ignore[union-attr]
        for i, region in enumerate(data.get("regions", [])):
            self._known(doc, ("regions", i), region, self.vocabulary.regions, "region")
        for i, department in enumerate(data.get("departments", [])):
            self._known(doc, ("departments", i), department, self.vocabulary.departments, "department")
        for key in ("eligible_expenses", "ineligible_expenses"):
            for i, item in enumerate(data.get(key, [])):
                if "category" in item:
                    self._known(doc, (key, i, "category"), item["category"], self.vocabulary.expense_categories, "expense category")
        self._unique(doc, "axes", data.get("axes", []))
        for i, axis in enumerate(data.get("axes", [])):
            if "framework_axis" in axis and framework_axes and axis["framework_axis"] not in framework_axes:
                say(("axes", i, "framework_axis"), f"unknown axis '{axis['framework_axis']}' in framework '{framework}'")
            elif "framework_axis" in axis and framework is None:
                say(("axes", i, "framework_axis"), "framework_axis needs a 'framework' at the top of the file")
        milestones = self._milestones(doc, data.get("milestones", []))
        for i, obligation in enumerate(data.get("obligations", [])):
            if "milestone" in obligation and obligation["milestone"] not in milestones:
                say(("obligations", i, "milestone"), f"unknown milestone '{obligation['milestone']}'")
        rules = data.get("rules", {})
        self._unique(doc, ("rules",), [*rules.get("budget", []), *rules.get("eligibility", [])], paths=[
            *[("rules", "budget", i) for i in range(len(rules.get("budget", [])))],
            *[("rules", "eligibility", i) for i in range(len(rules.get("eligibility", [])))]])
        for i, rule in enumerate(rules.get("budget", [])):
            self._budget_rule(doc, ("rules", "budget", i), rule)
        questions: dict[str, tuple[object, ...]] = {}
        for i, rule in enumerate(rules.get("eligibility", [])):
            self._eligibility_rule(doc, ("rules", "eligibility", i), rule, milestones, data, questions)
        for i, regional in enumerate(data.get("regional_calls", [])):
            where = ("regional_calls", i)
            self._known(doc, where + ("region",), regional["region"], self.vocabulary.regions, "region")
            if regional.get("call") and regional["call"] not in self.docs:
                say(where + ("call",), f"unknown call '{regional['call']}'")
            if regional["runs_call"] is False and regional.get("call"):
                say(where + ("call",), "a region with runs_call: false cannot name a call")

    def _known(self, doc: Document, where: tuple, value: str, known: Iterable[str], what: str) -> None:
        if value not in known:
            self.problems.append(doc.problem(where, f"unknown {what} '{value}'; see calls/_referentiel/vocabulaire.yaml"))

    def _unique(self, doc: Document, key: object, items: list[dict[str, Any]], paths: list[tuple] | None = None) -> None:
        seen: dict[str, int] = {}
        for n, item in enumerate(items):
            where = paths[n] if paths else (key, n)
            if item.get("id") in seen:
                line = doc.position((paths[seen[item['id']]] if paths else (key, seen[item["id"]])))[0]
                self.problems.append(doc.problem(where + ("id",), f"duplicate id '{item['id']}' (also on line {line})"))
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
                self.problems.append(doc.problem(where, f"impossible date: {error}"))
                continue
            if list(when.dates) != sorted(when.dates) or len(set(when.dates)) != len(when.dates):
                self.problems.append(doc.problem(where, "expected dates in increasing order"))
                continue
            parsed.append((i, item, when))
        for i, item, when in parsed:
            for j, other, other_when in parsed:
                if KIND_RANK[item["kind"]] >= KIND_RANK[other["kind"]]:
                    continue
                if item.get("wave") and other.get("wave") and item["wave"] != other["wave"]:
                    continue
                if when.earliest and other_when.latest and when.earliest > other_when.latest:
                    self.problems.append(doc.problem(
                        ("milestones", i, "when"),
                        f"dates out of order: this {item['kind']} ({when.earliest}) comes before the "
                        f"{other['kind']} '{other['id']}' ({other_when.latest}) on line {doc.position(('milestones', j))[0]}, "
                        "which cannot happen after it"))
        return {item["id"]: item for item in items}

    def _budget_rule(self, doc: Document, where: tuple, rule: dict[str, Any]) -> None:
        categories = self.vocabulary.expense_categories
        if rule["kind"] == "hourly_rate_cap":
            seen: set[str] = set()
            for g, group in enumerate(rule["groups"]):
                for p, profession in enumerate(group["professions"]):
                    self._known(doc, where + ("groups", g, "professions", p), profession, self.vocabulary.professions, "profession")
                    if profession in seen:
                        self.problems.append(doc.problem(where + ("groups", g, "professions", p),
                                                         f"profession '{profession}' is in two groups; keep it in one"))
                    seen.add(profession)
        if "category" in rule:
            self._known(doc, where + ("category",), rule["category"], categories, "expense category")
        for c, category in enumerate(rule.get("categories", [])):
            self._known(doc, where + ("categories", c), category, categories, "expense category")

    def _eligibility_rule(self, doc: Document, where: tuple, rule: dict[str, Any], milestones: dict[str, dict[str, Any]],
                          data: dict[str, Any], questions: dict[str, tuple[object, ...]]) -> None:
        kind = rule["kind"]
        if kind == "structure_types":
            for s, structure in enumerate(rule["allowed"]):
                self._known(doc, where + ("allowed", s), structure, self.vocabulary.structure_types, "structure type")
        if kind == "territory":
            for d, department in enumerate(rule.get("departments", [])):
                self._known(doc, where + ("departments", d), department, self.vocabulary.departments, "department")
            if "region" in rule:
                self._known(doc, where + ("region",), rule["region"], self.vocabulary.regions, "region")
        if kind == "submission_deadline":
            for m, milestone in enumerate(rule["milestones"]):
                if milestone not in milestones:
                    self.problems.append(doc.problem(where + ("milestones", m), f"unknown milestone '{milestone}'"))
                elif milestones[milestone]["kind"] != "deadline":
                    self.problems.append(doc.problem(where + ("milestones", m), f"milestone '{milestone}' is not a deadline"))
        if kind == "axes" and not data.get("axes"):
            self.problems.append(doc.problem(where, "an 'axes' rule needs the call's 'axes' list"))
        if kind == "project_dates":
            start_min, start_max = rule.get("start_not_before"), rule.get("start_not_after")
            for key in ("start_not_before", "start_not_after", "end_not_after"):
                if key in rule:
                    try:
                        dt.date.fromisoformat(rule[key])
                    except ValueError as error:
                        self.problems.append(doc.problem(where + (key,), f"impossible date: {error}"))
            if start_min and start_max and start_min > start_max:
                self.problems.append(doc.problem(where + ("start_not_after",), "expected a date after start_not_before"))
        if "question" in rule:
            qid = rule["question"]["id"]
            if qid in questions:
                self.problems.append(doc.problem(where + ("question", "id"),
                                                 f"duplicate question id '{qid}' (also on line {doc.position(questions[qid])[0]})"))
            questions[qid] = where + ("question",)


# --- loading ----------------------------------------------------------------------------

def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _load_referentiel(root: Path, problems: list[Problem]) -> tuple[Vocabulary | None, dict[str, Any], dict[str, Funder]]:
    vocabulary = None
    vocabulary_data: dict[str, Any] = {}
    funders: dict[str, Funder] = {}
    doc, found = read(root / REFERENTIEL / "vocabulaire.yaml", _display(root / REFERENTIEL / "vocabulaire.yaml", root))
    problems.extend(found)
    if doc is not None:
        try:
            vocabulary_data = doc.data  # type: ignore[assignment]
            vocabulary = vocabulary_from_data(vocabulary_data)
        except (KeyError, TypeError, AttributeError) as error:
            problems.append(doc.problem((), f"expected the sections structure_types, professions, expense_categories, "
                                            f"regions and departments ({error})"))
    doc, found = read(root / REFERENTIEL / "financeurs.yaml", _display(root / REFERENTIEL / "financeurs.yaml", root))
    problems.extend(found)
    if doc is not None:
        items = doc.data.get("funders") if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            problems.append(doc.problem((), "expected a 'funders' list"))
            items = []
        for i, item in enumerate(items):
            try:
                funder = Funder(item["id"], item["name"], item["short_name"], item["kind"], item["description"],
                                item.get("region"), tuple(item.get("departments", ())))
            except (KeyError, TypeError):
                problems.append(doc.problem(("funders", i), "expected id, name, short_name, kind and description"))
                continue
            if funder.id in funders:
                problems.append(doc.problem(("funders", i, "id"), f"duplicate funder id '{funder.id}'"))
            elif not _ID.match(funder.id):
                problems.append(doc.problem(("funders", i, "id"), f"expected lowercase letters, digits and hyphens, found '{funder.id}'"))
            funders[funder.id] = funder
    return vocabulary, vocabulary_data, funders


def call_files(root: Path) -> list[Path]:
    """The call files: every ``*.yaml`` directly in ``calls/`` (the referentiel lives in a subfolder)."""
    return sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_corpus(root: Path | str) -> Corpus:
    """Load and validate ``root`` (the ``calls/`` folder). Raise :class:`CallFileError` listing every problem."""
    root = Path(root).resolve()
    key = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                for p in [*call_files(root), *sorted((root / REFERENTIEL).glob("*.yaml"))])
    return _load_cached(root, key)


@lru_cache(maxsize=4)
def _load_cached(root: Path, key: tuple) -> Corpus:  # noqa: ARG001 - key only invalidates the cache
    problems: list[Problem] = []
    vocabulary, vocabulary_data, funders = _load_referentiel(root, problems)
    docs: dict[str, Document] = {}
    for path in call_files(root):
        name = _display(path, root)
        if path.suffix == ".yml":
            problems.append(Problem(name, 1, 1, "", "rename the file with the .yaml extension"))
            continue
        if not _ID.match(path.stem):
            problems.append(Problem(name, 1, 1, "", f"the file name '{path.stem}' is not a valid call id: "
                                                     "use lowercase ASCII letters, digits and hyphens"))
            continue
        doc, found = read(path, name)
        problems.extend(found)
        if doc is None:
            continue
        if not isinstance(doc.data, dict):
            problems.append(doc.problem((), f"expected a mapping of keys (id, kind, title…), found {_show(doc.data)}"))
            continue
        found = _schema_problems(doc)
        problems.extend(found)
        if not found:
            docs[path.stem] = doc
    if vocabulary is not None:
        checker = _Checker(vocabulary, funders, docs)
        for doc in docs.values():
            checker.check(doc)
        problems.extend(checker.problems)
    if problems or vocabulary is None:
        raise CallFileError(problems)
    calls = {stem: call_from_data(doc.data) for stem, doc in docs.items()}  # type: ignore[arg-type]
    return Corpus(root, vocabulary, vocabulary_data, funders, calls, {s: d.data for s, d in docs.items()})  # type: ignore[misc]
