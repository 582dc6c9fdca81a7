"""« Quels appels pour ma structure ? »: each call's eligibility rules evaluated over the finder's inputs.

The finder asks three things — the type of structure, the department, the date she would
apply — whose domains are small: fifteen types, a hundred-odd departments, and dates whose
answers only change on the days a call names. So the build lets every eligibility rule of
every call evaluate itself over the values of the finder input it reads (each kind declares
it: ``reads``), and writes the answers as a lookup table the page only reads: no rule is
written in JavaScript, and the list appears before any Python runs in the browser.

For one call the finder's verdict is then what :func:`calculators.eligibility.evaluate_eligibility`
says for the same three inputs (the tests check it for every call, type, a sample of
departments and dates on both sides of each deadline):

- a rule's answer is an outcome: it passes, it needs answers the finder does not ask
  (questions, working capital…: « points à vérifier »), or it fails with its French message;
- the call is « pas pour vous » when one rule fails (the first, in the file's order), else it
  has as many points to check as distinct questions remain, else it is eligible on these criteria.

Messages are stored once per call and rule, with the applicant's own value replaced by a
placeholder (``{structure}``, ``{departement}``, ``{date}``) that the page fills with the label
of her answer: the hundred « Département X : cet appel concerne uniquement… » of a regional call
are one string.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from calculators.dates import french_date
from calculators.eligibility import Missing, Situation
from calculators.timeline import steps_data

if TYPE_CHECKING:
    from calculators.model import Call, Vocabulary

INPUTS = ("structure_type", "department", "submission_date")
"""The finder's three inputs, the only ones a rule's ``reads`` may name beyond the checker's own."""
PLACEHOLDERS = {"structure_type": "{structure}", "department": "{departement}", "submission_date": "{date}"}
EARLIEST = dt.date(1900, 1, 1)

Outcome = Any
"""``0`` (passes), ``[1, [question indexes]]`` (points to check) or ``[2, message index]`` (fails)."""


def value_label(name: str, value: str, vocabulary: Vocabulary) -> str:
    """How a rule's message names the applicant's value: ``Association loi 1901``, ``Nord (59)``, ``1er mars 2025``."""
    if name == "structure_type":
        return vocabulary.structure_types[value]
    if name == "department":
        return f"{vocabulary.departments[value]} ({value})"
    return french_date(dt.date.fromisoformat(value))


def fill(template: str, answers: Mapping[str, str], names: Iterable[str], vocabulary: Vocabulary) -> str:
    """The message of a rule for the answers it read: what the page does with a template (tests use it)."""
    for name in names:
        template = template.replace(PLACEHOLDERS[name], value_label(name, answers[name], vocabulary))
    return template


class _Tables:
    """Strings shared by the whole index (messages), questions shared within a call."""

    def __init__(self) -> None:
        self.messages: dict[str, int] = {}

    def message(self, text: str) -> int:
        return self.messages.setdefault(text, len(self.messages))


def _date_points(call: Call) -> list[dt.date]:
    """Representative dates: the answers of a date rule can only change the day of, or after, a date the call names."""
    days = {EARLIEST}
    for milestone in call.milestones:
        for day in (milestone.when.earliest, milestone.when.latest, *milestone.when.dates):
            if day:
                days.update((day, day + dt.timedelta(days=1)))
    return sorted(days)


def _outcome(rule: Any, call: Call, vocabulary: Vocabulary, values: Mapping[str, str],
             questions: dict[str, int], tables: _Tables) -> Outcome:
    missing = Missing()
    findings = rule.check(_situation(values), call, vocabulary, missing)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        message = errors[0].message
        for name, value in values.items():
            message = message.replace(value_label(name, value, vocabulary), PLACEHOLDERS[name])
        return [2, tables.message(message)]
    if missing.items:
        return [1, [questions.setdefault(q, len(questions)) for q in missing.items]]
    return 0


def _domain(name: str, call: Call, vocabulary: Vocabulary) -> list[str]:
    if name == "structure_type":
        return list(vocabulary.structure_types)
    if name == "department":
        return list(vocabulary.departments)
    return [day.isoformat() for day in _date_points(call)]


def _situation(values: Mapping[str, str]) -> Situation:
    if "submission_date" in values:
        return Situation(submission_date=dt.date.fromisoformat(values["submission_date"]))
    return Situation(structure_type=values.get("structure_type"), department=values.get("department"))


def rule_entry(rule: Any, call: Call, vocabulary: Vocabulary, questions: dict[str, int], tables: _Tables,
               link: Callable[[Any], str | None]) -> dict[str, Any]:
    """One rule over the domain of the finder inputs it reads: a default outcome and the exceptions.

    ``in`` names the inputs; ``by`` maps their values (joined by ``|`` when there are two:
    ``"ccas|31"``) to the outcomes that differ from the default ``d``; a date rule has ``steps``
    instead, ``[from day, outcome]`` in order. A rule that can fail carries its id ``r``, its
    reference ``ref`` and the link ``href`` to its paragraph, for the refusal the page shows.
    """
    names = [name for name in INPUTS if name in rule.reads]
    if "submission_date" in names and len(names) > 1:
        raise ValueError(f"{rule.info.kind}: a rule reading the date and another finder input is not supported")
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**combo, name: value} for combo in combos for value in _domain(name, call, vocabulary)]
    outcomes = [_outcome(rule, call, vocabulary, combo, questions, tables) for combo in combos]
    entry: dict[str, Any] = {"in": names}
    if any(outcome != 0 and outcome[0] == 2 for outcome in outcomes):
        entry.update(r=rule.info.id, ref=rule.info.reference)
        href = link(rule)
        if href:
            entry["href"] = href
    if names == ["submission_date"]:
        steps: list[list[Any]] = []
        for combo, outcome in zip(combos, outcomes, strict=True):
            if not steps or steps[-1][1] != outcome:
                steps.append([combo["submission_date"], outcome])
        steps[0][0] = ""  # from the beginning of time
        entry["steps"] = steps
        return entry
    keys = [repr(o) for o in outcomes]
    common = Counter(keys).most_common(1)[0][0]
    entry["d"] = outcomes[keys.index(common)]
    if names:
        entry["by"] = {"|".join(combo[n] for n in names): outcome
                       for combo, outcome, key in zip(combos, outcomes, keys, strict=True) if key != common}
    return entry


def call_entry(call: Call, vocabulary: Vocabulary, tables: _Tables, link: Callable[[Any], str | None],
               extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything the finder needs about one call: its rules' lookup tables, status steps, deadlines.

    Rules that read none of the finder's inputs and never fail only add points to check: their
    questions are merged into ``base`` (indexes of the call's questions, which only need counting).
    """
    questions: dict[str, int] = {}
    base: list[int] = []
    rules = []
    for rule in call.eligibility_rules:
        entry = rule_entry(rule, call, vocabulary, questions, tables, link)
        if not entry["in"] and "r" not in entry:
            base.extend(q for q in (entry["d"][1] if entry["d"] else ()) if q not in base)
        else:
            rules.append(entry)
    return {"id": call.id, **(extra or {}), "status": steps_data(call), "base": base, "rules": rules}


def index(calls: Iterable[Call], vocabulary: Vocabulary, link: Callable[[Call, Any], str | None],
          extra: Callable[[Call], Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The finder's index over ``calls`` (not frameworks): one entry a call, and the shared messages."""
    tables = _Tables()
    entries = [call_entry(call, vocabulary, tables, partial(link, call), extra(call) if extra else None)
               for call in calls if call.kind == "call"]
    return {"calls": entries, "messages": list(tables.messages)}


def outcome_for(entry: Mapping[str, Any], answers: Mapping[str, str]) -> Outcome:
    """The outcome a rule entry gives for the finder's answers (the page's lookup, in Python for the tests)."""
    if "steps" in entry:
        day = answers["submission_date"]
        return [outcome for start, outcome in entry["steps"] if start <= day][-1]
    if not entry["in"]:
        return entry["d"]
    return entry["by"].get("|".join(answers[n] for n in entry["in"]), entry["d"])


def verdict(call_entry_: Mapping[str, Any], answers: Mapping[str, str], messages: list[str],
            vocabulary: Vocabulary) -> dict[str, Any]:
    """``{"eligible": True | False | None, "missing": n, "rule", "message"}`` from the index alone."""
    missing: set[int] = set(call_entry_["base"])
    for entry in call_entry_["rules"]:
        outcome = outcome_for(entry, answers)
        if outcome == 0:
            continue
        if outcome[0] == 2:
            message = fill(messages[outcome[1]], answers, entry["in"], vocabulary)
            return {"eligible": False, "missing": 0, "rule": entry["r"], "message": message}
        missing.update(outcome[1])
    return {"eligible": None if missing else True, "missing": len(missing), "rule": None, "message": None}
