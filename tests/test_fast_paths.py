"""The fast paths of loading (libyaml events, compiled schema check) give the careful paths' verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import CALLS

from callfiles import schema as call_schema
from callfiles import yamlsource

BAD = Path(__file__).resolve().parent / "bad_calls"
FILES = sorted([*CALLS.glob("*.yaml"), *(CALLS / "_referentiel").glob("*.yaml"), *BAD.glob("*.yaml")])

pytestmark = pytest.mark.skipif(yamlsource._CParser is None, reason="PyYAML without libyaml: only the careful reader runs")


def careful(text: str, name: str = "x.yaml") -> tuple[yamlsource.Document | None, list]:
    """The pure-PyYAML reader, as if libyaml were not there."""
    saved, yamlsource._CParser = yamlsource._CParser, None
    try:
        return yamlsource.parse(text, name)
    finally:
        yamlsource._CParser = saved


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_fast_reader_gives_the_careful_readers_document_or_steps_aside(path):
    """Same data for a clean file, and the same positions once asked; no answer at all for a file with a problem."""
    text = path.read_text(encoding="utf-8", errors="replace")
    fast = yamlsource._fast_parse(text, path.name)
    slow, problems = careful(text, path.name)
    if fast is None:
        assert problems, "the fast reader gave up on a file the careful reader accepts"
        return
    assert slow is not None, f"the fast reader accepted a file the careful reader refuses: {problems}"
    assert fast.data == slow.data
    assert fast.positions == {}, "positions are found on demand"
    assert fast.problem(("id",), "m") == slow.problem(("id",), "m")
    assert (fast.positions, fast.key_positions) == (slow.positions, slow.key_positions)


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: ! x\n",
    "base: {b: 1}\nc:\n  <<: {d: 2}\n",
    "a: =\n",
    "a: <<\n",
    "a: 1\na: 2\n",
    "? [a, b]\n: 1\n",
    "a: 1\n---\nb: 2\n",
    "# nothing but a comment\n",
    "a: [1, 2\n",
    "a: 'b\n",
    "a:\n\t- 1\n",
], ids=["anchor", "tag", "bang", "merge", "value-tag", "merge-value", "duplicate", "complex-key", "two-docs",
        "comments-only", "unclosed-flow", "unclosed-quote", "tab"])
def test_the_fast_reader_leaves_every_problem_to_the_careful_reader(text):
    """Anchors, tags, merge keys, duplicates, several documents, syntax errors: the careful reader words them."""
    assert yamlsource._fast_parse(text, "x.yaml") is None
    assert yamlsource.parse(text, "x.yaml") == careful(text)


# Keywords that fastjsonschema (draft 7 code generator) and jsonschema (2020-12) treat alike.
# A keyword outside this list (unevaluatedProperties, prefixItems, $dynamicRef…) must not be
# added to the schema without checking the compiled check still agrees.
SHARED_KEYWORDS = {
    "$schema", "$id", "$defs", "$ref", "title", "description", "type", "properties", "additionalProperties",
    "required", "items", "enum", "const", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "oneOf", "anyOf", "allOf", "not", "if", "then",
    "else", "default", "examples",
}


def _keywords(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for child in value.values():
                    found |= _keywords(child)
            else:
                found.add(key)
                found |= _keywords(value)
    elif isinstance(node, list):
        for child in node:
            found |= _keywords(child)
    return found


def test_the_schema_uses_only_keywords_both_validators_implement():
    """The compiled check may stand in for jsonschema only on keywords both implement."""
    schema = json.loads((CALLS / "schema.json").read_text(encoding="utf-8"))
    assert _keywords(schema) <= SHARED_KEYWORDS, _keywords(schema) - SHARED_KEYWORDS


@pytest.mark.parametrize("path", [p for p in FILES if p.parent != CALLS / "_referentiel"], ids=lambda p: p.name)
def test_the_compiled_check_agrees_with_jsonschema(path):
    """Valid for one is valid for the other, on every call file and every bad fixture."""
    quick = call_schema.quick_check()
    if quick is None:
        pytest.skip("fastjsonschema is not installed")
    doc, _ = careful(path.read_text(encoding="utf-8", errors="replace"), path.name)
    if doc is None:
        return
    reference = jsonschema.Draft202012Validator(call_schema.schema()).is_valid(doc.data)
    try:
        quick(doc.data)
        compiled = True
    except Exception:  # noqa: BLE001 - the loader treats any exception as « not valid »
        compiled = False
    assert compiled == reference
