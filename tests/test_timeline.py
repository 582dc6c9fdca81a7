"""Milestone kinds, time zones and deadlines by department (calculators/timeline.py).

Two synthetic call files of ``tests/synthetic/`` (not published: not in ``calls/``) are loaded
beside the seed corpus: an overseas call stating its deadline in La Réunion's time, and a call
giving each group of departments its own deadline. Their rule cases, on both sides of every
boundary, are in ``tests/rules/submission_deadline.yaml``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cases_support import SYNTHETIC_DIR as SYNTHETIC
from conftest import CALLS, ROOT

REUNION, DEPARTMENTS = "synthetique-reunion-2025", "synthetique-departements-2025"
UTC = dt.UTC


def corpus_with(tmp: Path, extra: dict[str, str] | None = None):
    """The seed corpus plus this module's synthetic calls and ``extra`` files (name → text), loaded from a copy."""
    from callfiles.corpus import load_corpus

    calls = tmp / "calls"
    shutil.copytree(CALLS, calls)
    for path in SYNTHETIC.glob("synthetique-*.yaml"):
        shutil.copy(path, calls / path.name)
    for name, text in (extra or {}).items():
        (calls / name).write_text(text, encoding="utf-8")
    return load_corpus(calls)


@pytest.fixture(scope="module")
def synthetic(rule_corpus):
    return rule_corpus


# --- one table of milestone kinds ------------------------------------------------------------

def test_the_schema_enum_of_milestone_kinds_is_the_table():
    from calculators.timeline import GROUPS, MILESTONE_KINDS

    schema = json.loads((CALLS / "schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["milestone"]["properties"]["kind"]["enum"] == list(MILESTONE_KINDS)
    assert {kind.group for kind in MILESTONE_KINDS.values()} <= set(GROUPS)
    assert [k for k, kind in MILESTONE_KINDS.items() if kind.alarm] == ["deadline", "interim_report", "final_report"]


def test_the_schema_enum_of_time_zones_is_the_table_and_every_zone_exists():
    from calculators.dates import TIMEZONES

    schema = json.loads((CALLS / "schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["timezone"]["enum"] == list(TIMEZONES)
    for zone in TIMEZONES:
        ZoneInfo(zone)  # raises on a zone tzdata does not know


def test_the_calculators_the_browser_runs_never_import_zoneinfo_at_module_level():
    """Pyodide ships no time-zone database: only the build turns hours into instants."""
    for path in (ROOT / "calculators").rglob("*.py"):
        top = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(("import ", "from "))]
        assert not any("zoneinfo" in line for line in top), path


# --- time zones --------------------------------------------------------------------------------

def test_a_reunion_deadline_closes_the_call_at_that_minute_in_utc(synthetic):
    from calculators.timeline import steps_attribute

    call = synthetic.calls[REUNION]
    steps = [step.split("|") for step in steps_attribute(call).split(";")]
    # 10 August 2025 at 23:59 in La Réunion (UTC+4) is 19:59 UTC; it opens at 00:00 local on 2 June.
    assert [(start, status) for start, status, _ in steps] == [
        ("", "upcoming"), ("2025-06-01T20:00:00Z", "open"), ("2025-08-10T19:59:00Z", "closed")]


def status_at(call, moment: dt.datetime) -> str:
    """What site.js does with the page's steps: the last one whose instant is reached."""
    from calculators.timeline import steps_attribute

    status = ""
    for start, step, _ in (part.split("|") for part in steps_attribute(call).split(";")):
        if not start or dt.datetime.fromisoformat(start.replace("Z", "+00:00")) <= moment:
            status = step
    return status


@pytest.mark.parametrize("moment, expected", [
    (dt.datetime(2025, 8, 10, 23, 58, tzinfo=ZoneInfo("Indian/Reunion")), "open"),    # the minute before
    (dt.datetime(2025, 8, 10, 23, 59, tzinfo=ZoneInfo("Indian/Reunion")), "closed"),  # the deadline itself
    (dt.datetime(2025, 8, 10, 21, 58, tzinfo=ZoneInfo("Europe/Paris")), "open"),      # same minute seen from Paris
    (dt.datetime(2025, 8, 10, 22, 30, tzinfo=ZoneInfo("Europe/Paris")), "closed"),    # still 10 August in Paris, but past
])
def test_the_status_changes_at_the_reunion_minute(synthetic, moment, expected):
    assert status_at(synthetic.calls[REUNION], moment) == expected


def test_pages_and_feeds_say_the_zone_of_the_hour(synthetic):
    from calculators.dates import describe
    from macros import ics

    call = synthetic.calls[REUNION]
    assert describe(call.milestone("depot").when) == "10 août 2025 à 23 h 59 (heure de La Réunion)"
    text = ics.calendar([call], synthetic.funders)
    assert "DTSTART:20250810T195900Z" in text and "DTEND:20250810T195959Z" in text
    assert "heure de Paris" not in text.replace("\r\n ", "")


# --- deadlines by department -------------------------------------------------------------------

@pytest.mark.parametrize("department, expected", [
    ("57", ["depot-57"]), ("08", ["depot-08-68"]), ("68", ["depot-08-68"]), ("55", ["depot-55"]),
    ("67", ["depot-autres"]), ("974", ["depot-autres"]),
    (None, ["depot-57", "depot-08-68", "depot-55", "depot-autres"]),
])
def test_each_department_gets_its_deadline(synthetic, department, expected):
    from calculators.timeline import deadlines_for

    assert [m.id for m in deadlines_for(synthetic.calls[DEPARTMENTS], department)] == expected


def test_the_calendar_feed_names_the_departments_of_each_deadline(synthetic):
    from icalendar import Calendar

    from macros import ics

    feed = Calendar.from_ical(ics.calendar([synthetic.calls[DEPARTMENTS]], synthetic.funders))
    summaries = {str(e["UID"]).split("/")[1].split("@")[0]: str(e["SUMMARY"]) for e in feed.walk("VEVENT")}
    assert "(département 57)" in summaries["depot-57"]
    assert "(départements 08 et 68)" in summaries["depot-08-68"]
    assert "(autres départements) à minuit" in summaries["depot-autres"]
    assert summaries["resultats"].startswith("Résultats — ")


def test_the_finder_applies_the_deadline_of_the_department(synthetic):
    from calculators import finder

    index = finder.index([synthetic.calls[DEPARTMENTS]], synthetic.vocabulary, lambda *_: None)
    entry = index["calls"][0]
    rule = next(r for r in entry["rules"] if r.get("r") == "date-depot")
    assert rule["in"] == ["department", "submission_date"]

    def eligible(department: str, day: str) -> bool | None:
        answers = {"structure_type": "association", "department": department, "submission_date": day}
        return finder.verdict(entry, answers, index["messages"], synthetic.vocabulary)["eligible"]

    assert eligible("57", "2025-07-25") is not False and eligible("57", "2025-07-26") is False
    assert eligible("68", "2025-07-30") is not False and eligible("68", "2025-07-31") is False
    assert eligible("67", "2025-08-10") is not False and eligible("67", "2025-08-11") is False
    assert eligible("67", "2025-07-26") is not False  # Moselle's deadline is not Bas-Rhin's


def test_the_finder_of_a_call_without_departments_keeps_the_date_alone(corpus):
    from calculators import finder

    call = corpus.calls["cpam-flandres-2025"]
    entry = finder.index([call], corpus.vocabulary, lambda *_: None)["calls"][0]
    dated = [r for r in entry["rules"] if "steps" in r]
    assert dated and all(r["in"] == ["submission_date"] and "by" not in r for r in dated)


CONFLICT = (SYNTHETIC / "synthetique-departements-2025.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("change, message", [
    (("departments: [\"55\"]", "departments: [\"57\"]"), "le département 57 a déjà sa date limite"),
    (("departments: [\"55\"]", "departments: [\"99\"]"), "attendu un code de département INSEE"),
    (("    kind: results\n", "    kind: results\n    departments: [\"57\"]\n"), "departments ne vaut que pour une date limite"),
    (("    departments: [\"55\"]\n", ""), "deux dates limites sans departments"),
])
def test_two_deadlines_claiming_a_department_are_refused_in_french(tmp_path, change, message):
    from callfiles.corpus import CallFileError

    text = CONFLICT.replace("id: synthetique-departements-2025", "id: synthetique-conflit").replace(*change)
    with pytest.raises(CallFileError) as error:
        corpus_with(tmp_path, {"synthetique-conflit.yaml": text})
    problems = str(error.value)
    assert "synthetique-conflit.yaml:" in problems and message in problems, problems


# --- in a browser: site.js compares the visitor's clock with the instants Python wrote -----

def test_the_call_pages_name_each_deadline_with_its_departments_and_zone(synthetic_site):
    html = (synthetic_site / f"appels/{DEPARTMENTS}/index.html").read_text(encoding="utf-8")
    for words in ("Département 57 : 25 juillet 2025", "Départements 08 et 68 : 30 juillet 2025",
                  "Département 55 : 1er août 2025", "Autres départements : 10 août 2025 à minuit (heure de Paris)"):
        assert words in html, words
    html = (synthetic_site / f"appels/{REUNION}/index.html").read_text(encoding="utf-8")
    assert "10 août 2025 à 23 h 59 (heure de La Réunion)" in html
    calendar = (synthetic_site / "calendrier/2025/07/index.html").read_text(encoding="utf-8")
    assert "(départements 08 et 68)" in calendar
    checklist = (synthetic_site / f"appels/{DEPARTMENTS}/checklist/index.html").read_text(encoding="utf-8")
    assert "Déposer le dossier avant la date limite (département 57)" in checklist
    assert "Déposer le dossier avant la date limite (autres départements)" in checklist


def test_the_finder_index_lists_the_applicants_own_deadlines(synthetic_site):
    index = json.loads((synthetic_site / "donnees/trouver.json").read_text(encoding="utf-8"))
    entry = next(call for call in index["calls"] if call["id"] == DEPARTMENTS)
    assert entry["deadlines_by"]["57"] == [["2025-07-25", "Département 57 : 25 juillet 2025"]]
    assert entry["deadlines_by"]["08"] == entry["deadlines_by"]["68"] == [
        ["2025-07-30", "Départements 08 et 68 : 30 juillet 2025"]]
    assert entry["deadlines_other"] == [["2025-08-10", "Autres départements : 10 août 2025 à minuit (heure de Paris)"]]
    reunion = next(call for call in index["calls"] if call["id"] == REUNION)
    assert reunion["deadlines"] == [["2025-08-10", "10 août 2025 à 23 h 59 (heure de La Réunion)"]]
    assert "deadlines_by" not in reunion


@pytest.mark.browser
@pytest.mark.parametrize(("moment", "badge", "countdown", "phase"), [
    ("2025-08-07T12:00:00+04:00", "Ouvert", "J-3", "à venir"),
    ("2025-08-10T00:30:00+04:00", "Ouvert", "Dernier jour", "en cours"),
    ("2025-08-10T23:58:30+04:00", "Ouvert", "Dernier jour", "en cours"),  # the minute before, La Réunion
    ("2025-08-10T23:59:00+04:00", "Clos", "", "date passée"),             # the deadline: 21:59 in Paris
    ("2025-08-10T22:30:00+02:00", "Clos", "", "date passée"),             # still 10 August in Paris, but past
])
def test_the_reunion_countdown_follows_the_visitors_clock(synthetic_site, serve, new_page, moment, badge, countdown, phase):
    base = serve(synthetic_site)
    page, log = new_page()
    page.clock.set_fixed_time(dt.datetime.fromisoformat(moment))
    page.goto(base + f"appels/{REUNION}/")
    assert page.locator(".aap-status .aap-badge").inner_text().strip() == badge
    shown = page.locator(".aap-status .aap-countdown").evaluate(
        "e => e.firstChild && e.firstChild.nodeType === 3 ? e.firstChild.textContent : ''").strip()
    assert shown == countdown
    assert page.locator('.aap-step[data-first="2025-08-10"] .aap-phase').text_content() == phase
    assert not log.errors


@pytest.mark.browser
def test_the_eligibility_checker_asks_the_department_and_applies_its_deadline(synthetic_site, serve, new_page):
    """Moselle's deadline (25 July) refuses a dossier of 26 July; Bas-Rhin's (10 August) admits it."""
    from browser_support import open_calculator, wait_until

    base = serve(synthetic_site)
    page, log = new_page()
    open_calculator(page, base + f"appels/{DEPARTMENTS}/eligibilite/")
    page.evaluate("""() => {
        const input = document.querySelector("#elig-submission_date");
        input.value = "2025-07-26";
        input.dispatchEvent(new Event("input", { bubbles: true }));
    }""")
    page.select_option("#elig-department", "57")
    wait_until(page, "() => document.querySelector('.calc-verdict').dataset.verdict === 'not-eligible'")
    assert "pour le département 57" in page.locator(".calc-verdict__details").inner_text()
    page.select_option("#elig-department", "67")
    wait_until(page, "() => document.querySelector('.calc-verdict').dataset.verdict === 'eligible'")
    assert "pour les autres départements" in page.locator("#calculateur").inner_text()
    assert not log.errors
