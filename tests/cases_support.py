"""Rule cases as data: load them, evaluate them, compare an output with a case's expectation.

A case file is a YAML list of cases; each case is a mapping::

    - name: Un psychologue payé 55 € de l'heure dépasse le plafond de 50 €
      call: cpam-flandres-2025          # a call id of calls/
      kind: budget                      # budget | eligibility
      input: {...}                      # the input JSON of PRODUCT.md, as YAML
      expect:                           # a partial expectation, every key optional
        ok: false                       # budget: ok; eligibility: eligible (true/false/null)
        totals: {cost: "110.00"}        # a subset of the output totals
        findings:                       # each must match a distinct finding of the output
          - {rule: plafonds-horaires, severity: error, action: 0, line: 0,
             message_contains: ["55,00 €/h", "50,00 €/h"],
             message_excludes: ["40,00 €/h"]}       # …and none of these texts
        no_findings_for: [coordination-5-pourcent]   # rule ids with no finding at all
        no_other_findings: true         # the findings listed above are all there is
        missing: [project_start]        # eligibility: exactly these missing question ids
        error: {field: actions[0].lines[0].hours}    # the input is refused (InputError)

Expected values are derived by hand from the call texts, never copied from the program's
output. YAML anchors and merge keys (``input: {<<: *base, department: "62"}``) let a case
change one field of a complete situation; duplicate keys are refused and unquoted dates
stay strings. ``message_contains`` compares with every kind of space (ordinary, non-breaking,
narrow) made ordinary, so ``"1 234,56 €"`` can be typed plainly in YAML.

Cases live in ``tests/rules/<rule kind>.yaml`` (one file per rule kind of the vocabulary)
and ``tests/cases/calls/<call id>.yaml`` (worked examples beside each seed call). The
same cases are meant to run through Pyodide in the browser: :func:`all_cases` gives them
as plain JSON-ready dicts and :func:`mismatches` compares any output with a case.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

TESTS = Path(__file__).resolve().parent
RULES_DIR = TESTS / "rules"
CALLS_DIR = TESTS / "cases" / "calls"
SYNTHETIC_DIR = TESTS / "synthetic"
"""Call files written for the tests (rule kinds no seed call uses); never published."""

CASE_KEYS = {"name", "call", "kind", "input", "expect"}
EXPECT_KEYS = {"ok", "eligible", "totals", "findings", "no_findings_for", "no_other_findings", "missing", "error"}
FINDING_KEYS = {"rule", "severity", "action", "line", "message_contains", "message_excludes"}

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML without surprises: duplicate keys are refused and dates stay strings.

    An unquoted ``2025-01-24`` in a case stays the string the JSON input needs (PyYAML would
    otherwise make it a ``datetime.date`` that JSON cannot carry).
    """


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # ``<<: *base`` then keys that override the base
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"clé '{key}' en double (aussi ligne {seen[key] + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def case_files() -> list[Path]:
    """Every case file: one per rule kind, then the worked examples of each call."""
    return sorted(RULES_DIR.glob("*.yaml")) + sorted(CALLS_DIR.glob("*.yaml"))


def load_file(path: Path) -> list[dict[str, Any]]:
    """The cases of one file, each with ``file`` (path relative to ``tests/``) added."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(data, list):
        raise ValueError(f"{path}: une liste de cas est attendue")
    relative = path.relative_to(TESTS).as_posix()
    cases = []
    for n, case in enumerate(data):
        if not isinstance(case, dict):
            raise ValueError(f"{relative}: le cas n° {n + 1} n'est pas un ensemble de clés")
        cases.append({**case, "file": relative})
    return cases


def all_cases() -> list[dict[str, Any]]:
    """Every case of every case file, in file order: JSON-ready dicts (``json.dumps`` works)."""
    return [case for path in case_files() for case in load_file(path)]


def synthetic_corpus(workdir: Path) -> Any:
    """``calls/`` plus the synthetic call files of ``tests/synthetic/``, loaded as one corpus.

    The files are copied into ``workdir`` (the schema, referentiel and source texts with them):
    the synthetic calls are checked exactly as a published call would be.
    """
    import shutil

    from callfiles.corpus import load_corpus

    root = workdir / "calls"
    shutil.copytree(TESTS.parent / "calls", root)
    for path in sorted(SYNTHETIC_DIR.glob("*.yaml")):
        shutil.copy(path, root / path.name)
    return load_corpus(root)


def input_text(case: dict[str, Any]) -> str:
    """The case input as the JSON text the command line and the browser receive."""
    return json.dumps(case["input"], ensure_ascii=False)


def evaluate_case(case: dict[str, Any], corpus: Any) -> tuple[dict[str, Any] | None, dict[str, str] | None]:
    """Evaluate a case in CPython as the command line does: ``(output, None)`` or ``(None, input error)``.

    The pair is what :func:`mismatches` takes, and what the browser's ``{"result"}`` /
    ``{"error"}`` answer must equal.
    """
    from calculators.api import decode_input, evaluate
    from calculators.report import InputError

    try:
        return evaluate(case["kind"], corpus.calls[case["call"]], corpus.vocabulary, decode_input(input_text(case))), None
    except InputError as error:
        return None, error.to_data()


def _plain(text: str) -> str:
    return _SPACES.sub(" ", text)


def _finding_matches(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    for key in ("rule", "severity", "action", "line"):
        if key in expected and actual.get(key) != expected[key]:
            return False
    wanted = expected.get("message_contains", [])
    for part in [wanted] if isinstance(wanted, str) else wanted:
        if _plain(part) not in _plain(actual.get("message", "")):
            return False
    unwanted = expected.get("message_excludes", [])
    for part in [unwanted] if isinstance(unwanted, str) else unwanted:
        if _plain(part) in _plain(actual.get("message", "")):
            return False
    return True


def _match_findings(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> list[int] | None:
    """Indexes of distinct actual findings matching each expected one (backtracking), or None."""
    def search(i: int, used: frozenset[int]) -> list[int] | None:
        if i == len(expected):
            return []
        for j, finding in enumerate(actual):
            if j not in used and _finding_matches(expected[i], finding):
                rest = search(i + 1, used | {j})
                if rest is not None:
                    return [j, *rest]
        return None
    return search(0, frozenset())


def mismatches(case: dict[str, Any], output: dict[str, Any] | None, error: dict[str, str] | None = None) -> list[str]:
    """What in ``output`` (or the input ``error``) contradicts ``case["expect"]``; empty when it all holds.

    ``error`` is ``{"field", "message"}`` as :meth:`calculators.report.InputError.to_data` and
    ``Bundle.evaluate_text`` give it.
    """
    expect = case["expect"]
    problems: list[str] = []
    if "error" in expect:
        if error is None:
            return [f"une erreur de saisie était attendue ({expect['error']}), le calcul a abouti"]
        wanted = expect["error"]
        if "field" in wanted and error["field"] != wanted["field"]:
            problems.append(f"erreur sur le champ {error['field']!r}, attendu {wanted['field']!r}")
        for part in [wanted.get("message_contains", [])] if isinstance(wanted.get("message_contains"), str) \
                else wanted.get("message_contains", []):
            if _plain(part) not in _plain(error["message"]):
                problems.append(f"message d'erreur {error['message']!r} sans {part!r}")
        return problems
    if error is not None:
        return [f"erreur de saisie inattendue : {error['field']}: {error['message']}"]
    assert output is not None
    for key in ("ok", "eligible"):
        if key in expect and output.get(key) != expect[key]:
            problems.append(f"{key} = {output.get(key)!r}, attendu {expect[key]!r}")
    for key, value in expect.get("totals", {}).items():
        if output["totals"].get(key) != value:
            problems.append(f"totals.{key} = {output['totals'].get(key)!r}, attendu {value!r}")
    findings = output.get("findings", [])
    expected = expect.get("findings", [])
    matched = _match_findings(expected, findings)
    if matched is None:
        absent = [wanted for wanted in expected if not any(_finding_matches(wanted, f) for f in findings)]
        problems += [f"constat attendu introuvable : {wanted}" for wanted in absent]
        if not absent:
            problems.append(f"les constats attendus {expected} ne correspondent pas à des constats distincts")
    elif expect.get("no_other_findings") and len(findings) != len(expected):
        others = [f for j, f in enumerate(findings) if j not in matched]
        problems.append(f"constats en trop : {others}")
    for rule in expect.get("no_findings_for", []):
        extra = [f for f in findings if f["rule"] == rule]
        if extra:
            problems.append(f"aucun constat attendu pour {rule}, trouvé {extra}")
    if "missing" in expect:
        got = sorted(m["question"] for m in output.get("missing", []))
        if got != sorted(expect["missing"]):
            problems.append(f"missing = {got}, attendu {sorted(expect['missing'])}")
    if problems:
        problems.append("sortie complète : " + json.dumps(output, ensure_ascii=False))
    return problems
