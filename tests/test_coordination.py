"""Coordination: a call file may say which professions' hours count with a capped category, and the form says so on the lines."""

from __future__ import annotations

import copy

import pytest

from calculators.api import evaluate
from calculators.model import call_from_data
from calculators.rules.budget import line_notes

CALL = "cpam-flandres-2025"
RULE = "coordination-5-pourcent"
# 10 h of a coordinator at 40 € (400 €) and a room at 1 260 €: 1 660 € asked, 5 % of it is 83 €.
COORDINATOR_HOURS = {"actions": [{"lines": [
    {"category": "personnel", "profession": "coordinateur", "hours": "10", "hourly_rate": "40"},
    {"category": "location_salle", "amount": "1260"},
]}]}


@pytest.fixture(scope="module")
def counting_call(corpus):
    """The Flandres call as if its text said that coordinators' hours are coordination (``professions: [coordinateur]``)."""
    data = copy.deepcopy(corpus.call_data[CALL])
    rule = next(r for r in data["rules"]["budget"] if r["id"] == RULE)
    rule["professions"] = ["coordinateur"]
    return call_from_data(data)


def _findings(call, vocabulary, data):
    return [f for f in evaluate("budget", call, vocabulary, data)["findings"] if f["rule"] == RULE]


def test_coordinator_hours_count_when_the_call_lists_the_profession(corpus, counting_call):
    """400 € of a coordinator's hours for 1 660 € asked exceed 5 % (83 €) once the profession counts."""
    [finding] = _findings(counting_call, corpus.vocabulary, COORDINATOR_HOURS)
    assert finding["severity"] == "error"
    for part in ("400,00\u00a0€", "1\u00a0660,00\u00a0€", "83,00\u00a0€", "coordinateur"):
        assert part in finding["message"]
    assert _findings(corpus.calls[CALL], corpus.vocabulary, COORDINATOR_HOURS) == []  # the published call does not count them


def test_coordinator_hours_and_coordination_lines_add_up_on_both_sides_of_five_percent(corpus, counting_call):
    """2 h × 40 € + 20 € = 100 € for 2 000 € asked is exactly 5 %; one cent more of coordination breaks it."""
    def budget(coordination):
        return {"actions": [{"lines": [
            {"category": "personnel", "profession": "coordinateur", "hours": "2", "hourly_rate": "40"},
            {"category": "coordination", "amount": coordination},
            {"category": "autre", "amount": "1900"},
        ]}]}
    assert _findings(counting_call, corpus.vocabulary, budget("20")) == []
    [finding] = _findings(counting_call, corpus.vocabulary, budget("20,01"))
    assert "100,01\u00a0€" in finding["message"]


def test_in_kind_coordinator_hours_never_count(corpus, counting_call):
    """A coordinator made available in kind costs the funder nothing: not counted in the cap."""
    data = copy.deepcopy(COORDINATOR_HOURS)
    data["actions"][0]["lines"][0]["in_kind"] = True
    assert _findings(counting_call, corpus.vocabulary, data) == []


def test_the_notes_say_the_coordinator_hours_are_not_coordination_in_the_published_call(corpus):
    """Flandres: the « Coordinateur » line points to « Coordination du projet » and its 5 %; the latter points back."""
    notes = {(n["category"], n["profession"]): n for n in line_notes(corpus.calls[CALL], corpus.vocabulary)
             if n["slot"] == "note"}  # the "cap" notes beside the hourly rates are the hourly cap's
    assert set(notes) == {("coordination", None), ("personnel", "coordinateur")}
    coordinator = notes[("personnel", "coordinateur")]["text"]
    assert "ne comptent pas dans « Coordination du projet »" in coordinator
    assert "40,00\u00a0€/h" in coordinator and "§ 3 c) 1." in coordinator  # the hourly cap that applies instead
    assert "5\u00a0% du montant demandé au financeur" in coordinator
    coordination = notes[("coordination", None)]
    assert "« Coordinateur »" in coordination["text"] and "ne comptent pas dans ce plafond" in coordination["text"]
    assert coordination["rule"] == RULE and coordination["reference"].startswith("§ 3 c) 7.")


def test_the_notes_say_the_coordinator_hours_count_when_the_call_lists_the_profession(corpus, counting_call):
    """With ``professions: [coordinateur]`` both notes say the hours count in the 5 %."""
    notes = {(n["category"], n["profession"]): n["text"] for n in line_notes(counting_call, corpus.vocabulary)
             if n["slot"] == "note"}
    assert "ces heures comptent dans « Coordination du projet »" in notes[("personnel", "coordinateur")]
    assert "en comptant aussi les heures des intervenants « Coordinateur »" in notes[("coordination", None)]


def test_the_rule_description_names_the_counted_professions(corpus, counting_call):
    """The sentence of the call and budget pages mentions the professions only when the file lists them."""
    describe = {c: next(r for r in call.budget_rules if r.info.id == RULE).describe(call, corpus.vocabulary).lead
                for c, call in (("published", corpus.calls[CALL]), ("counting", counting_call))}
    assert describe["published"] == "Coordination du projet : au plus 5\u00a0% du montant demandé au financeur."
    assert describe["counting"] == ("Coordination du projet (y compris les heures de : coordinateur) : au plus 5\u00a0% "
                                    "du montant demandé au financeur.")
