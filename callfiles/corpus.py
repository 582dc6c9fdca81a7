"""Load every file of ``calls/``: parse, validate against the schema, check references, build the model.

Every problem in every file is collected first, then :class:`CallFileError` is raised with
all of them, each as ``file:line:col: path: message``. Nothing is built from a corpus with
a problem, so a broken file can never produce a partial site.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

try:
    import fastjsonschema
except ImportError:  # pragma: no cover - optional speed-up; jsonschema alone gives the same verdicts
    fastjsonschema = None

from calculators.dates import when_from
from calculators.model import Call, Contact, Vocabulary, call_from_data, contact_from_data, vocabulary_from_data
from callfiles.problems import CallFileError, Problem
from callfiles.sources import SourceText, parse
from callfiles.yamlsource import Document, read

SCHEMA_FILE = "schema.json"
REFERENTIEL = "_referentiel"
SOURCES = "_sources"
_SOURCE_NAME = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*\.txt$")
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
    contacts: tuple[Contact, ...] = ()
    """Its permanent contacts, each with the reference of the text that gives it."""


@dataclass
class Corpus:
    """Everything the site is built from, validated."""

    root: Path
    vocabulary: Vocabulary
    vocabulary_data: dict[str, Any]
    funders: dict[str, Funder]
    calls: dict[str, Call]
    call_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    selection: frozenset[str] | None = None
    """In a preview, the call ids asked for (the corpus also holds the calls they refer to); else None."""
    sources: dict[str, SourceText] = field(default_factory=dict)
    """The source texts the calls name (``calls/_sources/<source.file>``), parsed, by file name."""
    _by_funder: dict[str, list[Call]] | None = field(default=None, repr=False, compare=False)

    def calls_of(self, funder_id: str) -> list[Call]:
        """The calls ``funder_id`` publishes or co-publishes, in file order (an index: one pass over the calls)."""
        if self._by_funder is None:
            index: dict[str, list[Call]] = {}
            for call in self.calls.values():
                for funder in dict.fromkeys(call.funders):
                    index.setdefault(funder, []).append(call)
            self._by_funder = index
        return list(self._by_funder.get(funder_id, ()))


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads((Path(__file__).resolve().parent.parent / "calls" / SCHEMA_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


@lru_cache(maxsize=1)
def _quick_check() -> Callable[[object], object] | None:
    """The schema compiled to plain Python by fastjsonschema, or None when it is not installed.

    It answers « valid or not » about fifteen times faster than jsonschema (1 ms against 15 ms
    for a call file), which matters at a few thousand files. It never writes a message: a file
    it refuses is validated again by jsonschema, whose errors :func:`_explain` words. The schema
    only uses keywords both libraries implement alike (``tests/test_fast_paths.py`` checks it,
    and that both agree on every call file and bad fixture).
    """
    if fastjsonschema is None:  # pragma: no cover - the dependency is declared in pyproject.toml
        return None
    return fastjsonschema.compile(schema(), use_default=False)


@lru_cache(maxsize=1)
def _funders_validator() -> jsonschema.Draft202012Validator:
    """The funders' contacts, checked with the call files' own ``contact`` definition (same
    URL and email patterns, same messages) plus a required ``reference``: a funder's contact
    is kept for every call, so where it comes from must be written down."""
    contact = {"allOf": [{"$ref": "#/$defs/contact"}], "required": ["reference"]}
    funder = {"type": "object", "properties": {"contacts": {"type": "array", "items": contact}}}
    # The call schema itself with other properties: same $id and $defs, so that every $ref resolves alike.
    return jsonschema.Draft202012Validator({**schema(), "additionalProperties": True, "required": [],
                                            "properties": {"funders": {"type": "array", "items": funder}}})


def _schema_problems(doc: Document) -> list[Problem]:
    quick = _quick_check()
    if quick is not None:
        try:
            quick(doc.data)
            return []
        except Exception:  # noqa: BLE001 - any refusal or surprise: jsonschema below has the last word
            pass
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
        expected = (error.schema.get("description") or _describe_schema(error.schema)).rstrip(".")
        expected = expected[0].lower() + expected[1:]
        return [doc.problem(where, f"attendu {expected}, trouvé {found}")]
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        name = extra[0] if extra else "?"
        return [doc.problem(where + (name,), at_key=True, message=f"clé inconnue '{name}' ; clés possibles : {', '.join(allowed)}")]
    if validator == "required":
        return [doc.problem(where, f"clé obligatoire manquante : {error.message.split(' is a required')[0]}")]
    if validator == "enum":
        return [doc.problem(where, f"attendu l'une des valeurs {', '.join(map(str, error.validator_value))}, trouvé {found}")]
    if validator == "const":
        return [doc.problem(where, f"attendu '{error.validator_value}', trouvé {found}")]
    if validator == "type":
        return [doc.problem(where, f"attendu {_TYPE_WORDS.get(str(error.validator_value), error.validator_value)}, trouvé {found}")]
    if validator == "pattern":
        hint = (_PATTERN_HINTS.get(error.validator_value) or error.schema.get("description") or "le format prévu").rstrip(".")
        return [doc.problem(where, f"attendu {hint[0].lower() + hint[1:]}, trouvé {found}")]
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "au moins", "maximum": "au plus", "exclusiveMinimum": "plus que", "exclusiveMaximum": "moins que"}
        return [doc.problem(where, f"attendu un nombre {words[validator]} {error.validator_value}, trouvé {found}")]
    if validator == "minLength" and error.validator_value == 1:
        return [doc.problem(where, "attendu un texte non vide")]
    if validator in ("minLength", "maxLength", "minItems", "maxItems"):
        words = {"minLength": "au moins {} caractères", "maxLength": "au plus {} caractères",
                 "minItems": "au moins {} éléments", "maxItems": "au plus {} éléments"}
        return [doc.problem(where, f"attendu {words[validator].format(error.validator_value)}, trouvé {found}")]
    if validator == "uniqueItems":
        return [doc.problem(where, f"attendu chaque élément une seule fois, trouvé des doublons dans {found}")]
    return [doc.problem(where, error.message)]


_TYPE_WORDS = {"string": "un texte", "array": "une liste", "object": "un ensemble de clés", "integer": "un nombre entier",
               "number": "un nombre", "boolean": "true ou false"}
_PATTERN_HINTS = {
    "^[a-z0-9]+(?:[-_][a-z0-9]+)*$": "un identifiant en minuscules ASCII, chiffres et tirets",
    "^[a-z0-9]+(?:[-_.][a-z0-9]+)*\\.txt$": "le nom d'un fichier .txt de calls/_sources/ (minuscules, chiffres, tirets)",
}


def _describe_schema(node: dict[str, Any]) -> str:
    options = node.get("oneOf") or node.get("anyOf") or []
    words = []
    for option in options:
        if "$ref" in option:
            target = schema()["$defs"].get(option["$ref"].rsplit("/", 1)[-1], {})
            words.append(target.get("description", option["$ref"].rsplit("/", 1)[-1]).rstrip("."))
        else:
            words.append(option.get("description") or _TYPE_WORDS.get(str(option.get("type")), "une valeur").rstrip("."))
    return " ou ".join(w[0].lower() + w[1:] for w in words if w) or "une valeur valide"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "un ensemble de clés" if value else "un ensemble vide"
    if isinstance(value, list):
        return "une liste" if value else "une liste vide"
    if value is None:
        return "rien (null)"
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value)
    return repr(text[:60] + ("…" if len(text) > 60 else "")) if isinstance(value, str) else text


# --- semantic checks -------------------------------------------------------------------

class _Checker:
    """Cross-references and dates: everything the schema alone cannot say."""

    def __init__(self, vocabulary: Vocabulary, funders: dict[str, Funder], docs: dict[str, Document], root: Path):
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
            say(("id",), f"attendu le nom du fichier '{stem}', trouvé '{data['id']}' ; l'identifiant est le nom du fichier sans .yaml")
        for i, funder in enumerate(data["funders"]):
            if funder not in self.funders:
                say(("funders", i), f"financeur inconnu '{funder}' ; ajoutez-le à calls/_referentiel/financeurs.yaml ou corrigez l'identifiant")
        framework = data.get("framework")
        framework_axes: set[str] = set()
        if framework is not None:
            target = self.docs.get(framework)
            if target is None:
                say(("framework",), f"cadre inconnu '{framework}' ; attendu l'identifiant d'un fichier de kind 'framework'")
            elif target.data.get("kind") != "framework":  # type: ignore[union-attr]
                say(("framework",), f"'{framework}' n'est pas de kind 'framework'")
            else:
                framework_axes = {a["id"] for a in target.data.get("axes", [])}  # type: ignore[union-attr]
        for i, region in enumerate(data.get("regions", [])):
            self._known(doc, ("regions", i), region, self.vocabulary.regions, "région inconnue")
        for i, department in enumerate(data.get("departments", [])):
            self._known(doc, ("departments", i), department, self.vocabulary.departments, "département inconnu")
        for key in ("eligible_expenses", "ineligible_expenses"):
            for i, item in enumerate(data.get(key, [])):
                if "category" in item:
                    self._known(doc, (key, i, "category"), item["category"], self.vocabulary.expense_categories, "catégorie de dépense inconnue")
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
        for i, rule in enumerate(rules.get("budget", [])):
            self._budget_rule(doc, ("rules", "budget", i), rule)
        questions: dict[str, tuple[object, ...]] = {}
        for i, rule in enumerate(rules.get("eligibility", [])):
            self._eligibility_rule(doc, ("rules", "eligibility", i), rule, milestones, data, questions)
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
        if not _SOURCE_NAME.match(name):
            self.problems.append(doc.problem(where, f"attendu le nom d'un fichier .txt de calls/{SOURCES}/ "
                                                    f"(minuscules, chiffres, tirets), trouvé {_show(name)}"))
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
        seen: dict[str, int] = {}
        for n, item in enumerate(items):
            where = paths[n] if paths else (key, n)
            if item.get("id") in seen:
                line = doc.position((paths[seen[item['id']]] if paths else (key, seen[item["id"]])))[0]
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
                self.problems.append(doc.problem(where, f"date impossible : {_date_error(error)}"))
                continue
            if list(when.dates) != sorted(when.dates) or len(set(when.dates)) != len(when.dates):
                self.problems.append(doc.problem(where, "attendu des dates dans l'ordre croissant"))
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
                        f"dates dans le désordre : cette étape {item['kind']} ({when.earliest}) doit précéder "
                        f"l'étape {other['kind']} '{other['id']}' ({other_when.latest}) de la ligne "
                        f"{doc.position(('milestones', j))[0]}"))
        return {item["id"]: item for item in items}

    def _budget_rule(self, doc: Document, where: tuple, rule: dict[str, Any]) -> None:
        categories = self.vocabulary.expense_categories
        if rule["kind"] == "hourly_rate_cap":
            seen: set[str] = set()
            for g, group in enumerate(rule["groups"]):
                for p, profession in enumerate(group["professions"]):
                    self._known(doc, where + ("groups", g, "professions", p), profession, self.vocabulary.professions, "profession inconnue")
                    if profession in seen:
                        self.problems.append(doc.problem(where + ("groups", g, "professions", p),
                                                         f"la profession '{profession}' est dans deux groupes ; gardez-la dans un seul"))
                    seen.add(profession)
        if "category" in rule:
            self._known(doc, where + ("category",), rule["category"], categories, "catégorie de dépense inconnue")
        if rule["kind"] == "category_share_cap":
            for p, profession in enumerate(rule.get("professions", [])):
                self._known(doc, where + ("professions", p), profession, self.vocabulary.professions, "profession inconnue")
        for c, category in enumerate(rule.get("categories", [])):
            self._known(doc, where + ("categories", c), category, categories, "catégorie de dépense inconnue")

    def _eligibility_rule(self, doc: Document, where: tuple, rule: dict[str, Any], milestones: dict[str, dict[str, Any]],
                          data: dict[str, Any], questions: dict[str, tuple[object, ...]]) -> None:
        kind = rule["kind"]
        for s, structure in enumerate(rule.get("question", {}).get("for_structure_types", [])):
            self._known(doc, where + ("question", "for_structure_types", s), structure, self.vocabulary.structure_types,
                        "type de structure inconnu")
        if kind == "structure_types":
            for s, structure in enumerate(rule["allowed"]):
                self._known(doc, where + ("allowed", s), structure, self.vocabulary.structure_types, "type de structure inconnu")
        if kind == "territory":
            for d, department in enumerate(rule.get("departments", [])):
                self._known(doc, where + ("departments", d), department, self.vocabulary.departments, "département inconnu")
            if "region" in rule:
                self._known(doc, where + ("region",), rule["region"], self.vocabulary.regions, "région inconnue")
        if kind == "submission_deadline":
            for m, milestone in enumerate(rule["milestones"]):
                if milestone not in milestones:
                    self.problems.append(doc.problem(where + ("milestones", m), f"étape inconnue '{milestone}'"))
                elif milestones[milestone]["kind"] != "deadline":
                    self.problems.append(doc.problem(where + ("milestones", m), f"l'étape '{milestone}' n'est pas une date limite (kind: deadline)"))
        if kind == "axes" and not data.get("axes"):
            self.problems.append(doc.problem(where, "une règle 'axes' demande la liste 'axes' de l'appel"))
        if kind == "project_dates":
            start_min, start_max = rule.get("start_not_before"), rule.get("start_not_after")
            for key in ("start_not_before", "start_not_after", "end_not_after"):
                if key in rule:
                    try:
                        dt.date.fromisoformat(rule[key])
                    except ValueError as error:
                        self.problems.append(doc.problem(where + (key,), f"date impossible : {_date_error(error)}"))
            if start_min and start_max and start_min > start_max:
                self.problems.append(doc.problem(where + ("start_not_after",), "attendu une date après start_not_before"))
        if "question" in rule:
            qid = rule["question"]["id"]
            if qid in questions:
                self.problems.append(doc.problem(where + ("question", "id"),
                                                 f"question '{qid}' en double (aussi ligne {doc.position(questions[qid])[0]})"))
            questions[qid] = where + ("question",)


# --- loading ----------------------------------------------------------------------------

def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


NEIGHBOUR_KEYS = ("admitted", "explanation", "advice", "reference")


def _neighbour_problems(doc: Document) -> list[Problem]:
    """``structure_neighbours`` of the vocabulary: known structure types, each entry with its four texts."""
    data = doc.data
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


def _load_referentiel(root: Path, problems: list[Problem]) -> tuple[Vocabulary | None, dict[str, Any], dict[str, Funder]]:
    vocabulary = None
    vocabulary_data: dict[str, Any] = {}
    funders: dict[str, Funder] = {}
    doc, found = read(root / REFERENTIEL / "vocabulaire.yaml", _display(root / REFERENTIEL / "vocabulaire.yaml", root))
    problems.extend(found)
    if doc is not None:
        try:
            vocabulary_data = doc.data  # type: ignore[assignment]
            neighbour_problems = _neighbour_problems(doc)
            problems.extend(neighbour_problems)
            vocabulary = None if neighbour_problems else vocabulary_from_data(vocabulary_data)
        except (KeyError, TypeError, AttributeError) as error:
            problems.append(doc.problem((), f"attendu les sections structure_types, professions, expense_categories, "
                                            f"regions et departments ({error})"))
    doc, found = read(root / REFERENTIEL / "financeurs.yaml", _display(root / REFERENTIEL / "financeurs.yaml", root))
    problems.extend(found)
    if doc is not None:
        items = doc.data.get("funders") if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            problems.append(doc.problem((), "attendu une liste 'funders'"))
            items = []
        contact_problems = [p for error in _funders_validator().iter_errors(doc.data) for p in _explain(doc, error)]
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
            elif not _ID.match(funder.id):
                problems.append(doc.problem(("funders", i, "id"), f"attendu des minuscules, chiffres et tirets, trouvé '{funder.id}'"))
            funders[funder.id] = funder
    return vocabulary, vocabulary_data, funders


def call_files(root: Path) -> list[Path]:
    """The call files: every ``*.yaml`` directly in ``calls/`` (the referentiel lives in a subfolder)."""
    return sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_corpus(root: Path | str, only: Iterable[str] | None = None) -> Corpus:
    """Load and validate ``root`` (the ``calls/`` folder). Raise :class:`CallFileError` listing every problem.

    With ``only`` (a preview), load the referentiel, the call files of these ids and, following
    ``framework`` and ``regional_calls[].call``, every call they refer to, and nothing else:
    those files are validated exactly as in a full build (same problems, same file:line), the
    other files of ``calls/`` are not read. A missing id is a problem, not an empty site.
    """
    root = Path(root).resolve()
    selection = frozenset(only) if only else None
    return _load_cached(root, _freshness(root), selection)


def _freshness(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of every file the corpus may read: the cache key (one ``stat`` per file)."""
    key = []
    for folder in (root, root / REFERENTIEL, root / SOURCES):
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith((".yaml", ".yml", ".txt")) and entry.is_file():
                    stat = entry.stat()
                    key.append((f"{folder.name}/{entry.name}", stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(key))


@lru_cache(maxsize=4)
def _load_cached(root: Path, key: tuple, selection: frozenset[str] | None) -> Corpus:  # noqa: ARG001 - key only invalidates the cache
    problems: list[Problem] = []
    vocabulary, vocabulary_data, funders = _load_referentiel(root, problems)
    if selection is None:
        docs: dict[str, Document] = {}
        for path in call_files(root):
            doc = _read_call(path, root, problems)
            if doc is not None:
                docs[path.stem] = doc
    else:
        docs = _read_selection(root, selection, problems)
    if vocabulary is not None:
        checker = _Checker(vocabulary, funders, docs, root)
        for doc in docs.values():
            checker.check(doc)
        problems.extend(checker.problems)
    if problems or vocabulary is None:
        raise CallFileError(problems)
    calls = {stem: call_from_data(doc.data) for stem, doc in docs.items()}  # type: ignore[arg-type]
    return Corpus(root, vocabulary, vocabulary_data, funders, calls, {s: d.data for s, d in docs.items()},  # type: ignore[misc]
                  selection, checker.sources)


def _read_call(path: Path, root: Path, problems: list[Problem]) -> Document | None:
    """Read one call file and check it against the schema; None (and ``problems``) when it is not valid."""
    name = _display(path, root)
    if path.suffix == ".yml":
        problems.append(Problem(name, 1, 1, "", "renommez le fichier avec l'extension .yaml"))
        return None
    if not _ID.match(path.stem):
        problems.append(Problem(name, 1, 1, "", f"le nom de fichier '{path.stem}' n'est pas un identifiant valide : "
                                                 "utilisez des minuscules ASCII, des chiffres et des tirets"))
        return None
    doc, found = read(path, name)
    problems.extend(found)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), f"attendu un ensemble de clés (id, kind, title…), trouvé {_show(doc.data)}"))
        return None
    found = _schema_problems(doc)
    problems.extend(found)
    return None if found else doc


def _read_selection(root: Path, selection: frozenset[str], problems: list[Problem]) -> dict[str, Document]:
    """The selected call files and, transitively, the calls they name (their framework, a framework's regional calls)."""
    docs: dict[str, Document] = {}
    pending, seen = sorted(selection), set()
    while pending:
        stem = pending.pop(0)
        if stem in seen:
            continue
        seen.add(stem)
        path = root / f"{stem}.yaml"
        if not path.is_file():
            if stem in selection:
                problems.append(Problem(_display(path, root), 1, 1, "", f"fichier introuvable : l'aperçu demande l'appel "
                                        f"'{stem}' ; donnez le nom d'un fichier de calls/ sans .yaml"))
            continue  # a reference to a missing file: the checker reports it where it is written
        doc = _read_call(path, root, problems)
        if doc is not None:
            docs[stem] = doc
            pending.extend(_references(doc.data))  # type: ignore[arg-type]
    return docs


def _references(data: dict[str, Any]) -> list[str]:
    """The ids of the other calls a (schema-valid) call file names."""
    named = [data.get("framework"), *(r.get("call") for r in data.get("regional_calls", []))]
    return [n for n in named if isinstance(n, str) and _ID.match(n)]


@lru_cache(maxsize=64)
def _parsed(name: str, text: str) -> SourceText:
    """A source text parsed once per build, however many calls share it (keyed by its content)."""
    return parse(name, text)


def _date_error(error: ValueError) -> str:
    """French wording of ``date.fromisoformat``'s complaints."""
    text = str(error)
    if "day is out of range" in text or text.startswith("day "):  # Python 3.14 (Pyodide): « day 30 must be in range 1..28 … »
        return "ce jour n'existe pas dans ce mois"
    if "month must be" in text:
        return "le mois doit être entre 01 et 12"
    return text
