"""The browser computes what CPython computes: every rule case and worked example, run through Pyodide.

Each case of ``tests/rules/`` and ``tests/cases/calls/`` (:func:`cases_support.all_cases`) is
evaluated by CPython, as the command line does, and by ``window.calculators.evaluate`` in
the built site (the session fixture ``site``) in headless Chromium: the same JSON text in,
the same JSON out, or, for invalid input, the same field and French message. All the cases
go to the page in one ``page.evaluate`` after one page load, once with Python restored from
the build's memory snapshot (a repeat visit) and once started from scratch (a first visit,
or a browser without the snapshot).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from browser_support import open_calculator, wait_until
from cases_support import all_cases, evaluate_case, input_text

pytestmark = pytest.mark.browser

PAGE = "appels/cpam-flandres-2025/eligibilite/"

RUN_ALL = """async (cases) => {
  const answers = [];
  for (const { kind, call, input } of cases) {
    try {
      answers.push({ result: JSON.stringify(await window.calculators.evaluate(kind, call, input)) });
    } catch (error) {
      answers.push(error.name === "InputError"
        ? { error: { field: error.field, message: error.message } }
        : { failure: String(error && error.message) });
    }
  }
  return answers;
}"""


def canonical(output: Any) -> str:
    """One text per JSON value: keys sorted, no spaces, characters as they are."""
    return json.dumps(output, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def without_snapshot(site: Path, target: Path) -> Path:
    """A copy of the built site whose manifest lists no memory snapshot: Python starts the ordinary way."""
    shutil.copytree(site, target, copy_function=os.link)
    manifest_path = target / "assets" / "calculateurs" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["snapshot"] = None
    manifest_path.unlink()  # a new file: the hard link to the built site stays intact
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return target


@pytest.mark.parametrize("start", ["restored", "started"])
def test_every_case_gives_the_same_json_in_the_browser_as_in_cpython(site, serve, new_page, corpus, tmp_path, start):
    """Both ways Python starts in the worker: from the build's memory snapshot, and from scratch."""
    # Every case whose call the site publishes: the synthetic calls of tests/synthetic/ are not
    # published, and their kinds run in CPython only (test_rule_cases.py).
    cases = [case for case in all_cases() if case["call"] in corpus.calls]
    assert len(cases) > 100  # every case file, not a sample
    expected = []
    for case in cases:
        output, error = evaluate_case(case, corpus)
        expected.append({"error": error} if error is not None else {"result": canonical(output)})

    page, log = new_page()
    open_calculator(page, serve(site if start == "restored" else without_snapshot(site, tmp_path / "site")) + PAGE)
    if start == "restored":  # a repeat visit: the first one fetched the snapshot in the background
        wait_until(page, "() => window.calculators.status().snapshotCached === true", timeout=60)
        open_calculator(page, page.url)
    assert page.evaluate("window.calculators.status().snapshot") is (start == "restored")
    sent = [{"kind": case["kind"], "call": case["call"], "input": input_text(case)} for case in cases]
    answers = page.evaluate(RUN_ALL, sent)

    assert len(answers) == len(cases)
    differences = []
    for case, wanted, answer in zip(cases, expected, answers, strict=True):
        got = {"result": canonical(json.loads(answer["result"]))} if "result" in answer else answer
        if got != wanted:
            differences.append(f"{case['file']}: {case['name']}\n    CPython: {wanted}\n    browser: {got}")
    assert not differences, f"{len(differences)} of {len(cases)} cases differ:\n" + "\n".join(differences[:10])
    assert sum("error" in answer for answer in expected) > 0  # the input errors are compared too
    assert log.errors == []
