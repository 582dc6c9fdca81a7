"""Every date rule of the site: milestone kinds, a call's status (open, upcoming, closed, deadline
not published…), its timeline in order, deadlines by department, and the instants things change.

The build computes the status for the day it runs; pages carry the instants (UTC) at which the
status, a milestone's phase and a countdown change (:func:`steps_attribute`, :func:`phase_attributes`,
:func:`countdown_attribute`), and the visitor's browser only compares her clock with them.
Hours are stated in the call's time zone (``Call.timezone``); the functions that turn them into
instants need the time-zone database (:func:`instant`), which only the build (CPython) uses: the
calculators in the browser compare days in the call's zone and never import :mod:`zoneinfo`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from calculators.dates import PARIS, add_months
from calculators.model import Call, Milestone


@dataclass(frozen=True, slots=True)
class MilestoneKind:
    """What the site knows of one kind of milestone (the schema's ``milestones[].kind`` enum)."""

    rank: int
    """Order within one wave (same rank: any order); the build refuses a file breaking it."""
    group: str
    """The calendar filter's group (:data:`GROUPS`)."""
    label: str
    """French name (pages, calendar categories, event summaries)."""
    alarm: bool = False
    """The applicant must act by this date: calendar events get reminders."""
    report: bool = False
    """An obligation after the award: the checklist lists it under « Après l'attribution »."""


GROUPS = {"deadline": "Dépôt des dossiers", "decision": "Sélection et décision", "report": "Bilans",
          "other": "Autres étapes"}
"""The calendar filter's groups of milestone kinds, in the order the filter shows them."""

MILESTONE_KINDS = {
    "launch": MilestoneKind(0, "other", "Lancement"),
    "info_session": MilestoneKind(1, "other", "Information"),
    "declaration": MilestoneKind(1, "deadline", "Déclaration"),
    "deadline": MilestoneKind(2, "deadline", "Date limite de dépôt", alarm=True),
    "review": MilestoneKind(3, "decision", "Analyse des dossiers"),
    "commission": MilestoneKind(4, "decision", "Commission"),
    "council": MilestoneKind(5, "decision", "Conseil"),
    "selection": MilestoneKind(4, "decision", "Sélection"),
    "results": MilestoneKind(6, "decision", "Résultats"),
    "campaign": MilestoneKind(6, "other", "Communication"),
    "convention": MilestoneKind(7, "other", "Convention"),
    "project_start": MilestoneKind(7, "other", "Début du projet"),
    "project_window": MilestoneKind(8, "other", "Période du projet"),
    "project_end": MilestoneKind(9, "other", "Fin du projet", report=True),
    "interim_report": MilestoneKind(9, "report", "Bilan intermédiaire", alarm=True, report=True),
    "final_report": MilestoneKind(10, "report", "Bilan final", alarm=True, report=True),
}
"""Every milestone kind, in the schema's order (a test checks the schema's enum is these keys)."""


def kind_label(kind: str) -> str:
    """French name of a milestone kind (the kind itself when unknown)."""
    known = MILESTONE_KINDS.get(kind)
    return known.label if known else kind

Status = Literal["open", "upcoming", "closed", "unpublished", "expired", "framework"]

STATUS_LABELS = {
    "open": "Ouvert",
    "upcoming": "À venir",
    "closed": "Clos",
    "unpublished": "Date limite non publiée",
    "expired": "Clos (aucune date publiée)",
    "framework": "Cadre national",
}

STALE_AFTER_MONTHS = 12
"""A call whose deadline was never published is taken as over this many months after the
latest date its file knows (:func:`information_date`): « A venir » in a table of July 2022 is
not a deadline to come in 2026. Documented for funders on « Publier un appel »."""


OPEN_BEFORE_MONTHS = 12
"""A call that names neither its launch nor the date of its text is taken as open this many
months before its first deadline, never earlier: a 2026 call is not « Ouvert » in 2021."""


def opening(call: Call) -> dt.date | None:
    """The first day applications are accepted: the launch date the call gives, else the date of
    its text, else :data:`OPEN_BEFORE_MONTHS` before its first deadline (None without any date)."""
    for milestone in call.milestones:
        if milestone.kind == "launch" and milestone.when.earliest:
            return milestone.when.earliest
    deadlines = [m.when.earliest for m in call.deadlines if m.when.earliest]
    first = min(deadlines) if deadlines else None
    # A text dated after the first deadline (a national page listing calls already closed) says
    # nothing of when they opened.
    if call.source.date and (first is None or call.source.date <= first):
        return call.source.date
    return add_months(first, -OPEN_BEFORE_MONTHS) if first else None


def closing(call: Call) -> dt.date | None:
    """The last deadline day, or None when no deadline date is published."""
    days = [m.when.latest for m in call.deadlines if m.when.latest]
    return max(days) if days else None


def information_date(call: Call) -> dt.date | None:
    """The latest date the call's file knows: its source text's date or any of its milestones."""
    days = [m.when.latest for m in call.milestones if m.when.latest]
    if call.source.date:
        days.append(call.source.date)
    return max(days) if days else None


def stale_from(call: Call) -> dt.date | None:
    """For a call without a published deadline, the day it is listed as over (None: no date at all)."""
    known = information_date(call)
    return add_months(known, STALE_AFTER_MONTHS) if known else None


Moment = tuple[dt.date, str]
"""A local date and ``"HH:MM"`` in a call's time zone, ``"24:00"`` being the end of the day."""


def rolled(day: dt.date, time: str) -> tuple[dt.date, int, int]:
    """The « 24:00 » roll-over: ``(day, "HH:MM")`` → (day, hours, minutes), « 24:00 » being 00:00 the next day.

    >>> rolled(dt.date(2025, 1, 24), "24:00")
    (datetime.date(2025, 1, 25), 0, 0)
    >>> rolled(dt.date(2025, 1, 24), "23:59")
    (datetime.date(2025, 1, 24), 23, 59)
    """
    hours, minutes = (int(part) for part in time.split(":"))
    if hours == 24:
        return day + dt.timedelta(days=1), 0, 0
    return day, hours, minutes


def instant(day: dt.date, time: str, zone: str = PARIS) -> dt.datetime:
    """Local ``day`` at ``"HH:MM"`` in ``zone`` → aware UTC datetime (build side: needs :mod:`zoneinfo`).

    >>> instant(dt.date(2025, 1, 24), "24:00").isoformat()
    '2025-01-24T23:00:00+00:00'
    >>> instant(dt.date(2025, 8, 10), "23:59", "Indian/Reunion").isoformat()
    '2025-08-10T19:59:00+00:00'
    """
    from zoneinfo import ZoneInfo  # here, not at the top: the browser's calculators never need it

    day, hours, minutes = rolled(day, time)
    local = dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZoneInfo(zone))
    return local.astimezone(dt.UTC)


def utc_text(moment: dt.datetime) -> str:
    """``2025-01-24T23:00:00Z``: how pages carry an instant (``Date.parse`` reads it everywhere)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day_of(moment: Moment) -> dt.date:
    """The first day that starts at or after ``moment``: the day a change shows on a day-based answer."""
    day, hours, minutes = rolled(*moment)
    return day if (hours, minutes) == (0, 0) else day + dt.timedelta(days=1)


def milestone_start(milestone: Milestone) -> Moment | None:
    """When a milestone begins: the start of its first day (None: no date)."""
    first = milestone.when.earliest
    return (first, "00:00") if first else None


def milestone_end(milestone: Milestone) -> Moment | None:
    """When a milestone is past: the hour it states, else the end of its last day (None: no date)."""
    last = milestone.when.latest
    if last is None:
        return None
    if milestone.when.kind == "instant" and milestone.when.time:
        return last, milestone.when.time
    return last, "24:00"


def closing_moment(call: Call) -> Moment | None:
    """The moment the last deadline passes (None when no deadline date is published)."""
    ends = [end for end in map(milestone_end, call.deadlines) if end]
    return max(ends, key=lambda m: rolled(*m)) if ends else None


def status_changes(call: Call) -> list[tuple[Moment | None, Status]]:
    """The call's status from the beginning of time (``None``) and each local moment it changes, in order.

    A deadline without an hour falls at the end of its day; with an hour, at that hour (in the
    call's time zone). Pages carry these as UTC instants (:func:`steps_attribute`).
    """
    if call.kind == "framework":
        return [(None, "framework")]
    start, end = opening(call), closing_moment(call)
    if end is None:
        stale = stale_from(call)
        expired: list[tuple[Moment | None, Status]] = [((stale, "00:00"), "expired")] if stale else []
        return [(None, "unpublished"), *expired]
    steps: list[tuple[Moment | None, Status]] = (
        [(None, "upcoming"), ((start, "00:00"), "open")] if start and start <= end[0] else [(None, "open")])
    return [*steps, (end, "closed")]


def status_steps(call: Call) -> list[tuple[dt.date | None, Status]]:
    """The call's status from the beginning of time (``None``) and each day it changes, in order.

    A deadline day is still open (deadlines fall at its end, or at an hour of it): these are
    the days of :func:`status_changes`, what an answer given as a date (the finder's) reads.

    >>> from calculators.model import call_from_data
    >>> call = call_from_data({"id": "x", "kind": "call", "title": "X", "funders": [], "source": {"title": "T"},
    ...     "summary": "", "milestones": [{"id": "d", "kind": "deadline", "label": "Dépôt", "when": "2025-01-24",
    ...     "reference": "§ 1"}, {"id": "l", "kind": "launch", "label": "Lancement", "when": "2024-12-01",
    ...     "reference": "§ 1"}]})
    >>> [(str(day), status) for day, status in status_steps(call)]
    [('None', 'upcoming'), ('2024-12-01', 'open'), ('2025-01-25', 'closed')]
    """
    return [(_day_of(moment) if moment else None, status) for moment, status in status_changes(call)]


def status_on(call: Call, day: dt.date) -> Status:
    """Status of ``call`` on ``day``: the last of :func:`status_steps` started by then."""
    status: Status = "framework"
    for start, step in status_steps(call):
        if start is None or start <= day:
            status = step
    return status


def steps_data(call: Call) -> list[list[str]]:
    """:func:`status_steps` as the pages carry them: ``[["", "upcoming"], ["2024-12-01", "open"], …]``."""
    return [[start.isoformat() if start else "", status] for start, status in status_steps(call)]


def steps_attribute(call: Call) -> str:
    """:func:`status_changes` as UTC instants with their French labels, as a page's ``data-status-steps``
    carries them: ``from|status|label`` joined by ``;``, the first ``from`` empty:
    ``|upcoming|À venir;2024-11-30T23:00:00Z|open|Ouvert;2025-01-24T23:00:00Z|closed|Clos``.
    """
    return ";".join(f"{utc_text(instant(*moment, call.timezone)) if moment else ''}|{status}|{STATUS_LABELS[status]}"
                    for moment, status in status_changes(call))


def phase_attributes(milestone: Milestone) -> tuple[str, str]:
    """The UTC instants a milestone becomes current and past (``data-from``, ``data-until``), ``""`` without a date."""
    start, end, zone = milestone_start(milestone), milestone_end(milestone), milestone.when.zone
    return (utc_text(instant(*start, zone)) if start else "", utc_text(instant(*end, zone)) if end else "")


def countdown_attribute(call: Call) -> str:
    """Each deadline day with the instant its last deadline passes, for the countdown (``data-deadlines``):
    ``2025-01-24/2025-01-24T23:00:00Z`` joined by spaces, in order. The page counts the days to the
    first one not yet past (« J-3 », « Dernier jour ») on the calendar of the call's time zone."""
    parts = []
    for day, milestones in deadlines_by_day(call):
        ends = [end for end in map(milestone_end, milestones) if end]
        last = max(ends, key=lambda m: rolled(*m))
        parts.append(f"{day.isoformat()}/{utc_text(instant(*last, call.timezone))}")
    return " ".join(parts)


def deadline_days(call: Call) -> list[dt.date]:
    """The distinct deadline days of ``call``, in order (what the page's countdown counts to)."""
    return sorted({m.when.latest for m in call.deadlines if m.when.latest})


def days_left(call: Call, today: dt.date) -> int | None:
    """Days from ``today`` to the next deadline day (0 on the day itself), None after the last one."""
    ahead = [day for day in deadline_days(call) if day >= today]
    return (ahead[0] - today).days if ahead else None


def deadlines_by_day(call: Call) -> list[tuple[dt.date, list[Milestone]]]:
    """Each deadline day of ``call`` with the deadlines falling on it, in order (the « next deadline » a page names)."""
    return [(day, [m for m in call.deadlines if m.when.latest == day]) for day in deadline_days(call)]


def next_deadline_attribute(milestones: list[Milestone]) -> str:
    """The UTC instant the last of ``milestones`` (deadlines of one day) passes: until then, a calculator
    page names them as the next deadline (``data-next-until``)."""
    ends = [end for end in map(milestone_end, milestones) if end]
    return utc_text(instant(*max(ends, key=lambda m: rolled(*m)), milestones[0].when.zone)) if ends else ""


def milestone_phase(milestone: Milestone, day: dt.date) -> Literal["past", "current", "future", "unknown"]:
    """« passé », « en cours » or « à venir » for one milestone on ``day``."""
    first, last = milestone.when.earliest, milestone.when.latest
    if first is None or last is None:
        return "unknown"
    if day > last:
        return "past"
    if day < first:
        return "future"
    return "current"


def ordered(milestones: tuple[Milestone, ...]) -> list[Milestone]:
    """Milestones by date (unknown dates last), keeping the file's order on ties."""
    return sorted(milestones, key=lambda m: (m.when.earliest is None, m.when.earliest or dt.date.max))


FALLBACK_STAMP = dt.date(2020, 1, 1)
"""The date of a call whose file gives no date at all (no source date, no dated milestone)."""


def stamp_date(call: Call) -> dt.date:
    """The date a call's data stands for: its source text's date, else its first dated milestone.

    Used for the calendar feeds' ``DTSTAMP`` and the Atom feed's dates, so both are reproducible,
    and for the year a milestone without a date is listed under.
    """
    if call.source.date:
        return call.source.date
    days = [m.when.earliest for m in call.milestones if m.when.earliest]
    return min(days) if days else FALLBACK_STAMP


def call_over(call: Call, today: dt.date) -> bool:
    """Every dated milestone of ``call`` is past; a call with no date at all, once its status says
    so (:func:`stale_from`: twelve months after the latest date it knows)."""
    lasts = [m.when.latest for m in call.milestones if m.when.latest]
    if lasts:
        return max(lasts) < today
    stale = stale_from(call)
    return stale is not None and stale <= today


# --- deadlines by department -------------------------------------------------------------

def _waves(milestones: list[Milestone]) -> dict[str | None, list[Milestone]]:
    waves: dict[str | None, list[Milestone]] = {}
    for milestone in milestones:
        waves.setdefault(milestone.wave, []).append(milestone)
    return waves


def deadlines_for(call: Call, department: str | None, milestones: tuple[str, ...] | None = None) -> list[Milestone]:
    """The deadlines (among ``milestones`` ids, default all) that apply to ``department``, in file order.

    In each wave, a deadline listing the department applies; else the wave's deadline listing
    no department (« autres départements »). ``department`` None: every deadline.

    >>> from calculators.model import call_from_data
    >>> d = lambda i, day, deps=(): {"id": i, "kind": "deadline", "label": i, "when": day, "reference": "§ 1",
    ...                               "departments": list(deps)}
    >>> call = call_from_data({"id": "x", "kind": "call", "title": "X", "funders": [], "source": {"title": "T"},
    ...     "summary": "", "milestones": [d("m57", "2025-07-25", ["57"]), d("m08", "2025-07-30", ["08", "68"]),
    ...     d("autres", "2025-08-10")]})
    >>> [m.id for m in deadlines_for(call, "68")], [m.id for m in deadlines_for(call, "59")]
    (['m08'], ['autres'])
    """
    chosen = [m for m in call.deadlines if milestones is None or m.id in milestones]
    if department is None:
        return chosen
    out: list[Milestone] = []
    for wave in _waves(chosen).values():
        named = [m for m in wave if department in m.departments]
        out += named or [m for m in wave if not m.departments]
    return sorted(out, key=chosen.index)


def named_departments(call: Call) -> list[str]:
    """Every department a deadline of ``call`` names, in the file's order (the finder's domain for its date rules)."""
    return list(dict.fromkeys(code for m in call.deadlines for code in m.departments))


def by_department(call: Call, milestones: tuple[str, ...] | None = None) -> bool:
    """Whether some deadline among ``milestones`` (default all) names its departments."""
    return any(m.departments for m in call.deadlines if milestones is None or m.id in milestones)


def departments_label(call: Call, milestone: Milestone) -> str:
    """Whom a deadline applies to, when the call gives departments their own: « département 57 »,
    « départements 08 et 68 », « autres départements »; ``""`` otherwise."""
    codes = milestone.departments
    if codes:
        listed = codes[0] if len(codes) == 1 else f"{', '.join(codes[:-1])} et {codes[-1]}"
        return f"département{'s' if len(codes) > 1 else ''} {listed}"
    if milestone.kind == "deadline" and any(m.departments for m in call.deadlines if m.wave == milestone.wave):
        return "autres départements"
    return ""


def departments_phrase(call: Call, milestone: Milestone) -> str:
    """:func:`departments_label` as a message says it: « pour le département 57 », « pour les
    départements 08 et 68 », « pour les autres départements »; ``""`` when no department is named."""
    label = departments_label(call, milestone)
    if not label:
        return ""
    return f"pour le {label}" if label.startswith("département ") else f"pour les {label}"


def deadline_text(call: Call, milestone: Milestone) -> str:
    """A deadline as a rule's description lists it: its wave and departments, then its date:
    « Vague 1, 24 janvier 2025 à minuit (heure de Paris) », « départements 08 et 68, 30 juillet 2025 »."""
    from calculators.dates import describe

    return ", ".join(part for part in (milestone.wave, departments_label(call, milestone), describe(milestone.when)) if part)


def deadline_prefix(call: Call, milestone: Milestone) -> str:
    """What a list of deadlines writes before the date: « Vague 1 : », « Département 57 : »,
    « Vague 2, autres départements : », ``""`` for a call with one deadline for everyone."""
    scope = ", ".join(part for part in (milestone.wave, departments_label(call, milestone)) if part)
    return f"{scope[:1].upper()}{scope[1:]} : " if scope else ""
