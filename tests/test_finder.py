"""The finder: its index gives exactly the CLI's verdicts, its statuses never show stale dates as current."""

from __future__ import annotations

import datetime as dt
import html
import json
import subprocess
import sys

import pytest
from conftest import ROOT

from calculators import finder
from calculators.eligibility import evaluate_eligibility
from calculators.rules import REGISTRY, build_rule
from calculators.timeline import status_on

OTHER_DEPARTMENTS = ("01", "2A", "31", "59", "94", "971", "976")


@pytest.fixture(scope="module")
def index(corpus):
    return finder.index(corpus.calls.values(), corpus.vocabulary, lambda _call, _rule: None)


def _departments(call, corpus):
    """The call's own departments and those of its regions (inside), and a few others (outside)."""
    inside = set(call.departments)
    for region in call.regions:
        inside.update(corpus.vocabulary.region_departments(region))
    return sorted(inside | set(OTHER_DEPARTMENTS))


def _dates(call):
    days = {d for m in call.milestones for d in (m.when.earliest, m.when.latest, *m.when.dates) if d}
    around = {d + dt.timedelta(days=k) for d in days for k in (-1, 0, 1)}
    return sorted(around | {dt.date(2020, 1, 1), dt.date(2030, 1, 1)})


def _expected(call, vocabulary, answers):
    result = evaluate_eligibility(call, vocabulary, answers)
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    if errors:
        return {"eligible": False, "missing": 0, "rule": errors[0]["rule"], "message": errors[0]["message"]}
    return {"eligible": result["eligible"], "missing": len(result["missing"]), "rule": None, "message": None}


def test_the_index_gives_the_engines_verdict_for_every_call_type_department_and_date(corpus, index):
    """Every call × every structure type × departments in and out × dates on both sides of each deadline."""
    checked = 0
    for entry in index["calls"]:
        call = corpus.calls[entry["id"]]
        for structure in corpus.vocabulary.structure_types:
            for department in _departments(call, corpus):
                for day in _dates(call):
                    answers = {"structure_type": structure, "department": department, "submission_date": day.isoformat()}
                    got = finder.verdict(entry, answers, index["messages"], corpus.vocabulary)
                    assert got == _expected(call, corpus.vocabulary, answers), (call.id, answers)
                    checked += 1
    assert checked > 20_000


@pytest.mark.parametrize(("call_id", "answers", "eligible"), [
    ("cpam-flandres-2025", {"structure_type": "association", "department": "59", "submission_date": "2025-01-20"}, None),
    ("occitanie-1000-jours-2021", {"structure_type": "ccas", "department": "31", "submission_date": "2021-07-01"}, False),
    ("cpam-val-de-marne-2026", {"structure_type": "association", "department": "59", "submission_date": "2026-01-10"}, False),
])
def test_the_command_line_says_the_same(corpus, index, call_id, answers, eligible):
    """`python -m calculators eligibility` itself, on three situations of the issue, agrees with the index."""
    result = subprocess.run([sys.executable, "-m", "calculators", "eligibility", call_id, "-"], input=json.dumps(answers),
                            capture_output=True, text=True, cwd=ROOT, check=True)
    cli = json.loads(result.stdout)
    entry = next(e for e in index["calls"] if e["id"] == call_id)
    got = finder.verdict(entry, answers, index["messages"], corpus.vocabulary)
    assert cli["eligible"] is eligible and got["eligible"] is eligible
    if eligible is False:
        first = next(f for f in cli["findings"] if f["severity"] == "error")
        assert (got["rule"], got["message"]) == (first["rule"], first["message"])
    else:
        assert got["missing"] == len(cli["missing"])


def test_a_department_message_is_one_template_for_a_whole_territory(corpus, index):
    """The hundred departments outside Flandres share one message, filled with the applicant's own department."""
    entry = next(e for e in index["calls"] if e["id"] == "cpam-flandres-2025")
    territory = next(r for r in entry["rules"] if r.get("r") == "territoire-flandres")
    assert territory["in"] == ["department"] and territory["d"][0] == 2
    template = index["messages"][territory["d"][1]]
    assert finder.PLACEHOLDERS["department"] in template
    assert finder.fill(template, {"department": "31"}, ["department"], corpus.vocabulary).startswith(
        "Département Haute-Garonne (31) : ")


def test_every_eligibility_rule_kind_says_what_it_reads(corpus):
    """A kind without ``reads`` could not be evaluated by the finder; every kind of every call declares it."""
    kinds = {rule.info.kind: rule for call in corpus.calls.values() for rule in call.eligibility_rules}
    assert set(kinds) <= set(REGISTRY["eligibility"])
    for kind, rule in kinds.items():
        assert rule.reads and set(rule.reads) <= {*finder.INPUTS, "answers", "working_capital", "annual_operating_costs",
                                                   "project_start", "project_end", "axes"}, kind


def test_a_question_for_some_structures_reads_the_structure_type():
    """A question limited to associations is evaluated per structure type."""
    rule = build_rule("eligibility", {"id": "q", "kind": "question", "label": "Q", "reference": "§ 1", "quote": "x",
                                      "question": {"id": "q", "text": "?", "for_structure_types": ["association"]}})
    assert "structure_type" in rule.reads


@pytest.mark.parametrize(("call_id", "day", "status"), [
    ("bretagne-1000-jours-2022", "2022-07-21", "unpublished"),
    ("bretagne-1000-jours-2022", "2023-07-20", "unpublished"),
    ("bretagne-1000-jours-2022", "2023-07-21", "expired"),
    ("bretagne-1000-jours-2022", "2026-12-01", "expired"),
    ("cpam-flandres-2025", "2025-04-11", "open"),
    ("cpam-flandres-2025", "2025-04-12", "closed"),
    ("occitanie-1000-jours-2021", "2021-07-25", "open"),
    ("occitanie-1000-jours-2021", "2021-07-26", "closed"),
])
def test_a_deadline_never_published_is_not_a_deadline_to_come(corpus, call_id, day, status):
    """« A venir » in July 2022 is « Date limite non publiée » for a year after, then « Clos (aucune date publiée) »."""
    assert status_on(corpus.calls[call_id], dt.date.fromisoformat(day)) == status


def test_the_stale_2022_calls_are_closed_today_in_the_index(index):
    """On 2026-12-01 no 2022 regional call is « à venir » or « non publiée »: the index's steps say « expired » or « closed »."""
    for entry in index["calls"]:
        if entry["id"].endswith("-2022"):
            status = [s for start, s in entry["status"] if start <= "2026-12-01"][-1]
            assert status in ("closed", "expired"), entry["id"]


def test_a_profile_feed_admits_a_call_whose_rules_accept_the_type_somewhere_in_the_region(corpus, index):
    """Flandres admits an association of Hauts-de-France (59), not one of Occitanie, nor a company anywhere."""
    from macros.finder_pages import admits

    entry = next(e for e in index["calls"] if e["id"] == "cpam-flandres-2025")
    regions = corpus.vocabulary.regions
    assert admits(entry, "association", regions["hauts-de-france"].departments)
    assert not admits(entry, "association", regions["occitanie"].departments)
    assert not admits(entry, "entreprise", regions["hauts-de-france"].departments)


def test_every_profile_has_its_two_feeds_named_for_it(site, corpus):
    """One Atom and one iCalendar file per type of structure and region, titled with both."""
    for structure, label in corpus.vocabulary.structure_types.items():
        for slug, region in corpus.vocabulary.regions.items():
            atom = (site / "trouver" / "flux" / structure / f"{slug}.atom").read_text(encoding="utf-8")
            calendar = (site / "trouver" / "flux" / structure / f"{slug}.ics").read_text(encoding="utf-8")
            assert f"<title>Appels à projets santé : {label}, {region.label}</title>" in html.unescape(atom)
            assert calendar.startswith("BEGIN:VCALENDAR") and "X-WR-CALNAME:" in calendar
