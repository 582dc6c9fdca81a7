"""iCalendar feeds (RFC 5545) of the calls' milestones, written by hand: no dependency.

One pure function, :func:`calendar`, turns calls and funders into the text of one feed.
What each kind of date becomes is a product decision, documented for visitors on the
calendar page (``macros/templates/calendar.md.j2``):

- an hour (``instant``): an event in the last minute one may act, written in UTC, with
  the hour in its summary (« à minuit », « à 23 h 59 »). It starts at the stated time — at
  23:59 for « 24:00 » — and ends 59 seconds later (see :func:`instant_span` for why);
- a day without hour (``day``) or a period (``period``): an all-day event;
- an approximate date (``around``): one all-day event spanning the whole window, with the
  call's own words (« fin août 2021 ») in the summary;
- alternatives (``one_of``): one all-day event per possible date, « (date possible) » in
  the summary, all alternatives in the description;
- an unknown date (``unknown``): no event at all — an invented date would be worse than none.

Deadlines and reports get two reminders (``VALARM``): a week before and the day before.
Every event is transparent (it does not make the visitor "busy").

``UID`` depends only on the call id, the milestone id and (for alternatives) the date,
so it is stable across builds and identical in every feed that carries the event.
``DTSTAMP`` comes from the call data (see :func:`stamp_date`), never from the clock, so
that two builds of the same files give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from calculators.dates import When, describe, french_date, french_time
from calculators.model import Call, Milestone
from macros.pages import MILESTONE_KINDS as KIND_LABELS

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Appels a projets sante//Calendrier des appels//FR"
UID_DOMAIN = "appels-sante"
FALLBACK_STAMP = dt.date(2020, 1, 1)
"""DTSTAMP of a call whose file gives no date at all (no source date, no dated milestone)."""

ALARM_KINDS = frozenset({"deadline", "interim_report", "final_report"})
"""Milestones the applicant must act on by a date: they get reminders."""
ALARMS = (("-P7D", "dans une semaine"), ("-P1D", "demain"))


# Europe/Paris since 1996 (EU rules). Written out once so that every feed carries one
# component even when all of its dates are unknown (RFC 5545 requires at least one);
# event times themselves are UTC and do not refer to it.
VTIMEZONE = (
    "BEGIN:VTIMEZONE", "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
)


class _Funder(Protocol):  # what this module reads from callfiles.corpus.Funder (frozen: read-only)
    @property
    def short_name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Event:
    """One VEVENT, before it is written: either ``start`` and ``end`` (UTC) or ``days`` (first, last)."""

    uid: str
    summary: str
    description: str
    stamp: dt.datetime
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    days: tuple[dt.date, dt.date] | None = None
    categories: str = ""
    url: str | None = None
    alarms: bool = False


# --- instants --------------------------------------------------------------------------

def paris_to_utc(day: dt.date, time: str) -> dt.datetime:
    """Local Europe/Paris ``day`` at ``"HH:MM"`` → aware UTC datetime. ``"24:00"`` is the next day's 00:00.

    >>> paris_to_utc(dt.date(2021, 7, 25), "23:59").isoformat()
    '2021-07-25T21:59:00+00:00'
    >>> paris_to_utc(dt.date(2025, 1, 24), "24:00").isoformat()
    '2025-01-24T23:00:00+00:00'
    """
    hours, minutes = (int(part) for part in time.split(":"))
    if hours == 24:
        day, hours = day + dt.timedelta(days=1), 0
    local = dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=PARIS)
    return local.astimezone(dt.UTC)


LAST_MINUTE = dt.timedelta(seconds=59)


def instant_span(day: dt.date, time: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC start and end of the event of a deadline at ``time`` on ``day`` (Paris).

    « 24 janvier 2025 à minuit » is the instant 2025-01-25 00:00 Paris time. An event *at*
    that instant is shown on the 25th by every calendar (a phone displays « 25 janv. 00:00 »),
    and an event *ending* at it (23:00 → 24:00) is still drawn on the 25th by the calendars
    that treat an end at 00:00 as inclusive (several phone apps do; RFC 5545 § 3.6.1 says
    DTEND is exclusive, which Google Calendar, Apple Calendar and Thunderbird follow, but not
    every app does). So the event covers the last minute in which one may still submit,
    23:59:00 → 23:59:59 Paris time: it starts and ends on the 24th in every calendar, and
    its summary says « à minuit » so that nobody reads 23:59 as the deadline itself. Other
    hours (« 23 h 59 ») start at that minute and last the same 59 seconds, never reaching
    the next minute — hence never the next day. The end is written out (DTEND): without it
    RFC 5545 makes the event end at its start, but clients that give such an event a
    default length of their own would stretch it past midnight again.

    >>> [t.isoformat() for t in instant_span(dt.date(2025, 1, 24), "24:00")]
    ['2025-01-24T22:59:00+00:00', '2025-01-24T22:59:59+00:00']
    >>> [t.isoformat() for t in instant_span(dt.date(2021, 7, 25), "23:59")]
    ['2021-07-25T21:59:00+00:00', '2021-07-25T21:59:59+00:00']
    """
    start = paris_to_utc(day, "23:59" if time == "24:00" else time)
    return start, start + LAST_MINUTE


def stamp_date(call: Call) -> dt.date:
    """The date a call's data stands for: its source text's date, else its first dated milestone.

    Used for ``DTSTAMP`` here and for the Atom feed's dates, so both are reproducible.
    """
    if call.source.date:
        return call.source.date
    days = [m.when.earliest for m in call.milestones if m.when.earliest]
    return min(days) if days else FALLBACK_STAMP


# --- events ----------------------------------------------------------------------------

def _summary(call: Call, milestone: Milestone, hour: str = "") -> str:
    wave = f" ({milestone.wave})" if milestone.wave else ""
    at = f" à {hour}" if hour else ""
    return f"{KIND_LABELS.get(milestone.kind, milestone.kind)}{wave}{at} — {call.title}"


def _description(milestone: Milestone, funders: str, url: str | None, note: str) -> str:
    lines = [milestone.label, f"Date indiquée par l'appel : {describe(milestone.when)}."]
    if note:
        lines.append(note)
    lines += [f"Financeur : {funders}.", f"Référence : {milestone.reference}."]
    if url:
        lines.append(f"Page de l'appel : {url}")
    return "\n".join(lines)


def events_of(call: Call, funders: Mapping[str, _Funder], base_url: str = "") -> list[Event]:
    """Every event of ``call``, in the file's order (see the module docstring for the rules)."""
    url = f"{base_url}appels/{call.id}/" if base_url else None
    names = ", ".join(funders[f].short_name if f in funders else f for f in call.funders)
    stamp = dt.datetime.combine(stamp_date(call), dt.time(), dt.UTC)
    out: list[Event] = []
    for milestone in call.milestones:
        when: When = milestone.when
        uid = f"{call.id}/{milestone.id}@{UID_DOMAIN}"
        summary = _summary(call, milestone)
        common: dict[str, Any] = dict(stamp=stamp, url=url, alarms=milestone.kind in ALARM_KINDS,
                      categories=KIND_LABELS.get(milestone.kind, milestone.kind))
        if when.kind == "unknown" or not when.dates:
            continue
        if when.kind == "instant" and when.time:
            note = ("« Minuit » : à la fin de cette journée, heure de Paris ; l'événement occupe "
                    "la dernière minute pour agir, de 23 h 59 à minuit." if when.time == "24:00" else "")
            start, end = instant_span(when.dates[0], when.time)
            out.append(Event(uid, _summary(call, milestone, french_time(when.time)),
                             _description(milestone, names, url, note), start=start, end=end, **common))
        elif when.kind == "day":
            out.append(Event(uid, summary, _description(milestone, names, url, ""),
                             days=(when.dates[0], when.dates[0]), **common))
        elif when.kind == "period":
            out.append(Event(uid, summary, _description(milestone, names, url, ""),
                             days=(when.dates[0], when.dates[-1]), **common))
        elif when.kind == "around":
            text = when.text or describe(when)
            note = (f"Date approximative : l'événement couvre toute la période possible, "
                    f"du {french_date(when.dates[0])} au {french_date(when.dates[-1])}.")
            out.append(Event(uid, f"{summary} (date approximative : {text})",
                             _description(milestone, names, url, note),
                             days=(when.dates[0], when.dates[-1]), **common))
        elif when.kind == "one_of":
            alternatives = " ou ".join(french_date(d) for d in when.dates)
            note = f"Dates possibles : {alternatives}. L'appel ne dit pas laquelle : un événement par date possible."
            for day in when.dates:
                out.append(Event(f"{call.id}/{milestone.id}/{day.isoformat()}@{UID_DOMAIN}",
                                 f"{summary} (date possible)", _description(milestone, names, url, note),
                                 days=(day, day), **common))
    return out


# --- writing ---------------------------------------------------------------------------

def escape_text(value: str) -> str:
    r"""TEXT value escaping (RFC 5545 § 3.3.11): ``\`` ``;`` ``,`` and newlines."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 § 3.1), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    limit = 75
    start = 0
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # do not cut a multi-byte character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start = end
        limit = 74  # continuation lines begin with one space, which counts
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: Event) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_utc(event.stamp)}"]
    if event.start is not None:
        assert event.end is not None  # every event has an explicit end (see instant_span)
        lines += [f"DTSTART:{_utc(event.start)}", f"DTEND:{_utc(event.end)}"]
    else:
        assert event.days is not None
        first, last = event.days
        lines += [f"DTSTART;VALUE=DATE:{first:%Y%m%d}", f"DTEND;VALUE=DATE:{last + dt.timedelta(days=1):%Y%m%d}"]
    lines += [f"SUMMARY:{escape_text(event.summary)}", f"DESCRIPTION:{escape_text(event.description)}"]
    if event.categories:
        lines.append(f"CATEGORIES:{escape_text(event.categories)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("TRANSP:TRANSPARENT")
    if event.alarms:
        for trigger, words in ALARMS:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"TRIGGER:{trigger}",
                      f"DESCRIPTION:{escape_text(f'{event.summary} : {words}')}", "END:VALARM"]
    lines.append("END:VEVENT")
    return lines


def calendar(calls: Iterable[Call], funders: Mapping[str, _Funder], base_url: str = "", name: str = "Appels à projets santé",
             blocks: dict[str, str] | None = None) -> str:
    """The iCalendar text (CRLF line ends, folded) of every dated milestone of ``calls``.

    ``base_url`` is the site's absolute address ending with ``/`` (``site_url``); when it is
    empty, events carry no ``URL`` (a relative URL is meaningless in a calendar file).
    ``blocks``, a dict kept for one build, holds each call's events once written: a call is
    in its own feed, its funders' and the site's, and is written only once.
    """
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            f"NAME:{escape_text(name)}", f"X-WR-CALNAME:{escape_text(name)}", "X-WR-TIMEZONE:Europe/Paris",
            "REFRESH-INTERVAL;VALUE=DURATION:P1D", "X-PUBLISHED-TTL:P1D", *VTIMEZONE]
    parts = ["".join(fold(line) + "\r\n" for line in head)]
    for call in calls:
        block = blocks.get(call.id) if blocks is not None else None
        if block is None:
            block = "".join(fold(line) + "\r\n" for event in events_of(call, funders, base_url) for line in _event_lines(event))
            if blocks is not None:
                blocks[call.id] = block
        parts.append(block)
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts)
