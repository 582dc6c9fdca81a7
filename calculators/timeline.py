"""A call's status on a given day (open, upcoming, closed) and its timeline in order.

The build computes the status for the day it runs; pages recompute it in the visitor's
browser from the same two instants (opening and last deadline), written into the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from calculators.model import Call, Milestone

Status = Literal["open", "upcoming", "closed", "unknown", "framework"]

STATUS_LABELS = {
    "open": "Ouvert",
    "upcoming": "À venir",
    "closed": "Clos",
    "unknown": "Dates non publiées",
    "framework": "Cadre national",
}


def opening(call: Call) -> dt.date | None:
    """The first day applications are accepted, when the call gives a launch date."""
    for milestone in call.milestones:
        if milestone.kind == "launch" and milestone.when.earliest:
            return milestone.when.earliest
    return None


def closing(call: Call) -> dt.date | None:
    """The last deadline day, or None when no deadline date is published."""
    days = [m.when.latest for m in call.deadlines if m.when.latest]
    return max(days) if days else None


def status_on(call: Call, day: dt.date) -> Status:
    """Status of ``call`` on ``day``: a deadline day is still open (deadlines fall at its end)."""
    if call.kind == "framework":
        return "framework"
    start, end = opening(call), closing(call)
    if end is None:
        return "upcoming" if any(m.when.kind == "unknown" for m in call.deadlines) else "unknown"
    if start and day < start:
        return "upcoming"
    return "open" if day <= end else "closed"


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
