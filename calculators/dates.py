"""Dates as the calls state them: exact days, instants, periods, approximate or unknown.

No time-zone arithmetic happens here (Pyodide has no time-zone database by default):
an instant is a local date and hour in the call's time zone (:data:`TIMEZONES`, Europe/Paris
unless the call file says otherwise), converted to UTC by :mod:`calculators.timeline` at
build time, on the CPython side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")

WhenKind = Literal["day", "instant", "period", "around", "one_of", "unknown"]

PARIS = "Europe/Paris"
TIMEZONES = {
    "Europe/Paris": "heure de Paris",
    "America/Guadeloupe": "heure de la Guadeloupe",
    "America/Martinique": "heure de la Martinique",
    "America/Cayenne": "heure de la Guyane",
    "Indian/Reunion": "heure de La Réunion",
    "Indian/Mayotte": "heure de Mayotte",
}
"""The time zones a call may state its hours in (``timezone:`` of a call file, the schema's
enum), with the words a page writes after an hour: « 23 h 59 (heure de La Réunion) »."""


@dataclass(frozen=True, slots=True)
class When:
    """When a milestone happens, as precisely as the call text says and no more.

    ``dates`` holds one date (day, instant), two (period, around: first and last day) or
    several (one_of); ``time`` is ``HH:MM`` in ``zone`` (the call's time zone), ``"24:00"``
    meaning the end of the day (« à minuit »); ``text`` is the call's own wording when the
    date is not exact.
    """

    kind: WhenKind
    dates: tuple[dt.date, ...] = ()
    time: str | None = None
    text: str | None = None
    zone: str = PARIS

    @property
    def earliest(self) -> dt.date | None:
        return self.dates[0] if self.dates else None

    @property
    def latest(self) -> dt.date | None:
        return self.dates[-1] if self.dates else None


def parse_date(text: str) -> dt.date:
    """``"2026-02-28"`` → date; raises ValueError on an impossible date."""
    return dt.date.fromisoformat(text)


def when_from(value: object, zone: str = PARIS) -> When:
    """Build a :class:`When` from the (schema-valid) YAML/JSON form; ``zone`` is the call's time zone."""
    if isinstance(value, str):
        return When("day", (parse_date(value),), zone=zone)
    assert isinstance(value, dict)
    text = value.get("text")
    if "unknown" in value:
        return When("unknown", (), None, value["unknown"], zone)
    if "date" in value:
        time = value.get("time")
        return When("instant" if time else "day", (parse_date(value["date"]),), time, text, zone)
    if "from" in value:
        return When("period", (parse_date(value["from"]), parse_date(value["to"])), None, text, zone)
    if "around" in value:
        return When("around", tuple(parse_date(d) for d in value["around"]), None, text, zone)
    if "one_of" in value:
        return When("one_of", tuple(parse_date(d) for d in value["one_of"]), None, text, zone)
    raise ValueError(f"unknown date form: {sorted(value)}")


def french_date(day: dt.date) -> str:
    """``date(2026, 2, 28)`` → ``28 février 2026`` (``1er`` for the first of the month)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def french_time(time: str) -> str:
    """``"23:59"`` → ``23 h 59``; ``"24:00"`` → ``minuit``."""
    if time == "24:00":
        return "minuit"
    hours, minutes = time.split(":")
    return f"{int(hours)} h {minutes}" if minutes != "00" else f"{int(hours)} h"


def describe(when: When) -> str:
    """French wording of a :class:`When`, with the hour and zone when there is one."""
    if when.kind == "unknown":
        # « A venir » in a table of 2022 is not a date to come: say it is unpublished, quote the text.
        return f"Date non publiée (« {when.text} » dans le texte)" if when.text else "Date non publiée"
    if when.kind in ("around", "one_of") and when.text:
        return when.text
    if when.kind == "period":
        return f"du {french_date(when.dates[0])} au {french_date(when.dates[1])}"
    if when.kind == "one_of":
        return " ou ".join(french_date(d) for d in when.dates)
    if when.kind == "around":
        return f"entre le {french_date(when.dates[0])} et le {french_date(when.dates[1])}"
    text = french_date(when.dates[0])
    if when.time:
        text += f" à {french_time(when.time)} ({TIMEZONES.get(when.zone, when.zone)})"
    return text


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's last day (31 jan + 1 → 28/29 feb).

    Raises :class:`OverflowError` past the year 9999, like ``date + timedelta``.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError("date value out of range")
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
