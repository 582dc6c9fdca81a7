"""A call's status on a given day (open, upcoming, closed, deadline not published…) and its timeline in order.

The build computes the status for the day it runs; pages carry the days the status changes
(:func:`steps_data`) and the visitor's browser only picks the one her date has reached.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from calculators.dates import add_months
from calculators.model import Call, Milestone

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


def status_steps(call: Call) -> list[tuple[dt.date | None, Status]]:
    """The call's status from the beginning of time (``None``) and each day it changes, in order.

    A deadline day is still open (deadlines fall at its end). Pages carry these steps so that
    the visitor's browser only picks the last one started by her date.

    >>> from calculators.model import call_from_data
    >>> call = call_from_data({"id": "x", "kind": "call", "title": "X", "funders": [], "source": {"title": "T"},
    ...     "summary": "", "milestones": [{"id": "d", "kind": "deadline", "label": "Dépôt", "when": "2025-01-24",
    ...     "reference": "§ 1"}, {"id": "l", "kind": "launch", "label": "Lancement", "when": "2024-12-01",
    ...     "reference": "§ 1"}]})
    >>> [(str(day), status) for day, status in status_steps(call)]
    [('None', 'upcoming'), ('2024-12-01', 'open'), ('2025-01-25', 'closed')]
    """
    if call.kind == "framework":
        return [(None, "framework")]
    start, end = opening(call), closing(call)
    if end is None:
        stale = stale_from(call)
        expired: list[tuple[dt.date | None, Status]] = [(stale, "expired")] if stale else []
        return [(None, "unpublished"), *expired]
    steps: list[tuple[dt.date | None, Status]] = (
        [(None, "upcoming"), (start, "open")] if start and start <= end else [(None, "open")])
    return [*steps, (end + dt.timedelta(days=1), "closed")]


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
    """:func:`status_steps` with their French labels, as a page's ``data-status-steps`` carries them.

    ``from|status|label`` joined by ``;``, the first ``from`` empty: ``|upcoming|À venir;2024-12-01|open|Ouvert``.
    """
    return ";".join(f"{start}|{status}|{STATUS_LABELS[status]}" for start, status in steps_data(call))


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
