"""The call files' JSON Schema: checking a file against it, and its errors in French.

fastjsonschema says « valid » fast; a file it refuses is validated again by jsonschema, whose
errors :func:`explain` words as « attendu …, trouvé … » at the place they stand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from callfiles.paths import SCHEMA_FILE
from callfiles.problems import Problem
from callfiles.yamlsource import Document

fastjsonschema: Any
try:
    import fastjsonschema
except ImportError:  # pragma: no cover - optional speed-up; jsonschema alone gives the same verdicts
    fastjsonschema = None


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads((Path(__file__).resolve().parent.parent / "calls" / SCHEMA_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


@lru_cache(maxsize=1)
def quick_check() -> Callable[[object], object] | None:
    """The schema compiled to plain Python by fastjsonschema, or None when it is not installed.

    It answers « valid or not » about fifteen times faster than jsonschema (1 ms against 15 ms
    for a call file), which matters at a few thousand files. It never writes a message: a file
    it refuses is validated again by jsonschema, whose errors :func:`explain` words. The schema
    only uses keywords both libraries implement alike (``tests/test_fast_paths.py`` checks it,
    and that both agree on every call file and bad fixture).
    """
    if fastjsonschema is None:  # pragma: no cover - the dependency is declared in pyproject.toml
        return None
    return fastjsonschema.compile(schema(), use_default=False)


@lru_cache(maxsize=1)
def funders_validator() -> jsonschema.Draft202012Validator:
    """The funders' contacts, checked with the call files' own ``contact`` definition (same
    URL and email patterns, same messages) plus a required ``reference``: a funder's contact
    is kept for every call, so where it comes from must be written down."""
    contact = {"allOf": [{"$ref": "#/$defs/contact"}], "required": ["reference"]}
    funder = {"type": "object", "properties": {"contacts": {"type": "array", "items": contact}}}
    # The call schema itself with other properties: same $id and $defs, so that every $ref resolves alike.
    return jsonschema.Draft202012Validator({**schema(), "additionalProperties": True, "required": [],
                                            "properties": {"funders": {"type": "array", "items": funder}}})


def schema_problems(doc: Document) -> list[Problem]:
    quick = quick_check()
    if quick is not None:
        try:
            quick(doc.data)
            return []
        except Exception:  # noqa: BLE001, S110 - any refusal or surprise: jsonschema below has the last word
            pass
    problems = []
    for error in validator().iter_errors(doc.data):
        problems.extend(explain(doc, error))
    return problems


def explain(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    """Turn a jsonschema error into our message: what was expected, what was found."""
    where = tuple(error.absolute_path)
    found = show(error.instance)
    validator = error.validator
    schema_ = error.schema if isinstance(error.schema, dict) else {}  # our schema's nodes are all objects
    value: Any = error.validator_value  # its type is the validator's (a list for enum, a string for pattern…)
    if validator in ("oneOf", "anyOf") and error.context:
        # Report the alternative that went deepest: it is the one the author meant.
        best = max(error.context, key=lambda e: (len(e.absolute_path), -len(list(e.context or ()))))
        if len(best.absolute_path) > len(error.absolute_path):
            return explain(doc, best)
        expected = (schema_.get("description") or describe_schema(schema_)).rstrip(".")
        expected = expected[0].lower() + expected[1:]
        return [doc.problem(where, f"attendu {expected}, trouvé {found}")]
    if validator == "additionalProperties":
        allowed = sorted(schema_.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        name = extra[0] if extra else "?"
        return [doc.problem(where + (name,), at_key=True,
                            message=f"clé inconnue '{name}' ; clés possibles : {', '.join(allowed)}")]
    if validator == "required":
        return [doc.problem(where, f"clé obligatoire manquante : {error.message.split(' is a required')[0]}")]
    if validator == "enum":
        return [doc.problem(where, f"attendu l'une des valeurs {', '.join(map(str, value))}, trouvé {found}")]
    if validator == "const":
        return [doc.problem(where, f"attendu '{value}', trouvé {found}")]
    if validator == "type":
        return [doc.problem(where, f"attendu {_TYPE_WORDS.get(str(value), value)}, trouvé {found}")]
    if validator == "pattern":
        hint = (_PATTERN_HINTS.get(value) or schema_.get("description") or "le format prévu").rstrip(".")
        return [doc.problem(where, f"attendu {hint[0].lower() + hint[1:]}, trouvé {found}")]
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "au moins", "maximum": "au plus", "exclusiveMinimum": "plus que", "exclusiveMaximum": "moins que"}
        return [doc.problem(where, f"attendu un nombre {words[validator]} {value}, trouvé {found}")]
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


def describe_schema(node: dict[str, Any]) -> str:
    options = node.get("oneOf") or node.get("anyOf") or []
    words = []
    for option in options:
        if "$ref" in option:
            target = schema()["$defs"].get(option["$ref"].rsplit("/", 1)[-1], {})
            words.append(target.get("description", option["$ref"].rsplit("/", 1)[-1]).rstrip("."))
        else:
            words.append(option.get("description") or _TYPE_WORDS.get(str(option.get("type")), "une valeur").rstrip("."))
    return " ou ".join(w[0].lower() + w[1:] for w in words if w) or "une valeur valide"


def show(value: object) -> str:
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
