"""The calendar pages' data: every milestone of every call, with what the filters need.

``/calendrier/`` lists what is ongoing or to come (plus the dates not yet published of
calls that are not over); ``/calendrier/<année>/`` every milestone of one year, and
``/calendrier/<année>/<mois>/`` every milestone of one month, so past ones stay reachable.
No page lists more than :data:`PAGE_LIMIT` milestones however many calls there are: a longer
listing keeps its first whole months and links to the pages of the others (:func:`split`),
and a month longer than that is spread over numbered pages (``…/<mois>/2/``).
A milestone without a date belongs to the year of its call (:func:`calculators.timeline.stamp_date`).
Pure functions: the templates ``calendar.md.j2`` render what these return.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby

from calculators.dates import MONTHS
from calculators.model import Call, Milestone, Vocabulary
from calculators.timeline import MILESTONE_KINDS, call_over, stamp_date

NATIONAL = "national"
PAGE_LIMIT = 250
"""Milestones a calendar page lists before it gives the following months as links (about
160 KB of HTML): a few thousand calls then still make pages that open at once on a phone."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One milestone of one call, as the calendar lists it."""

    call: Call
    milestone: Milestone
    group: str
    funders: tuple[str, ...]
    regions: tuple[str, ...]

    @property
    def first(self) -> dt.date | None:
        return self.milestone.when.earliest

    @property
    def last(self) -> dt.date | None:
        return self.milestone.when.latest


@dataclass(frozen=True, slots=True)
class Month:
    key: str  # "2025-04"
    label: str  # "avril 2025"
    entries: tuple[Entry, ...]


def call_regions(call: Call, vocabulary: Vocabulary) -> tuple[str, ...]:
    """The regions a call concerns: its own, those of its departments, or ``national``."""
    regions = set(call.regions)
    for department in call.departments:
        regions.update(slug for slug, region in vocabulary.regions.items() if department in region.departments)
    return tuple(sorted(regions)) or (NATIONAL,)


def entries(calls: Iterable[Call], vocabulary: Vocabulary) -> list[Entry]:
    """Every milestone of ``calls`` by date (unknown dates last), then by call and file order."""
    out = []
    for call in calls:
        regions = call_regions(call, vocabulary)
        for milestone in call.milestones:
            known = MILESTONE_KINDS.get(milestone.kind)
            out.append(Entry(call, milestone, known.group if known else "other", call.funders, regions))
    return sorted(out, key=lambda e: (e.first is None, e.first or dt.date.max, e.call.id))


def upcoming(all_entries: Iterable[Entry], today: dt.date) -> tuple[list[Entry], list[Entry]]:
    """(dated milestones not over on ``today``, undated milestones of calls that are not over)."""
    items = list(all_entries)
    return ([e for e in items if e.last is not None and e.last >= today],
            [e for e in items if e.last is None and not call_over(e.call, today)])


def by_year(all_entries: Iterable[Entry]) -> dict[int, tuple[list[Entry], list[Entry]]]:
    """Year → (dated milestones of that year, undated milestones of that year's calls)."""
    years: dict[int, tuple[list[Entry], list[Entry]]] = {}
    for entry in all_entries:
        if entry.first is not None:
            years.setdefault(entry.first.year, ([], []))[0].append(entry)
        else:
            years.setdefault(stamp_date(entry.call).year, ([], []))[1].append(entry)
    return dict(sorted(years.items()))


def months(dated: Iterable[Entry]) -> list[Month]:
    """Group dated entries (already in date order) by the month of their first date."""
    out = []
    for (year, month), group in groupby(dated, key=lambda e: (e.first.year, e.first.month)):  # type: ignore[union-attr]
        out.append(Month(f"{year}-{month:02d}", f"{MONTHS[month - 1]} {year}", tuple(group)))
    return out


def month_url(key: str) -> str:
    """``"2025-04"`` → ``calendrier/2025/04/``."""
    year, month = key.split("-")
    return f"calendrier/{year}/{month}/"


def split(all_months: list[Month], limit: int = PAGE_LIMIT) -> tuple[list[Month], list[Month]]:
    """(the first whole months that fit in ``limit`` milestones, the months after them).

    The first month is always kept, however long: a month is never cut in two.

    >>> m = lambda key, n: Month(key, key, (None,) * n)  # doctest helper: n entries
    >>> [[x.key for x in part] for part in split([m("2025-01", 3), m("2025-02", 2), m("2025-03", 1)], 5)]
    [['2025-01', '2025-02'], ['2025-03']]
    >>> [[x.key for x in part] for part in split([m("2025-01", 9), m("2025-02", 1)], 5)]
    [['2025-01'], ['2025-02']]
    """
    total = 0
    for index, month in enumerate(all_months):
        total += len(month.entries)
        if index and total > limit:
            return all_months[:index], all_months[index:]
    return list(all_months), []


def _sort_key(label: str) -> str:
    """French-friendly order without locale data: accents ignored (« Île » with the I's)."""
    return "".join(c for c in unicodedata.normalize("NFD", label) if not unicodedata.combining(c)).casefold()


def filter_options(items: Iterable[Entry], funders: Mapping[str, object], vocabulary: Vocabulary
                   ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The funders and regions present in ``items``, as (id, French label), sorted by label."""
    funder_ids: set[str] = set()
    region_ids: set[str] = set()
    for entry in items:
        funder_ids.update(entry.funders)
        region_ids.update(entry.regions)
    funder_options = sorted(((f, getattr(funders.get(f), "short_name", f)) for f in funder_ids), key=lambda o: _sort_key(o[1]))
    region_options = sorted(((r, vocabulary.regions[r].label if r in vocabulary.regions else "National")
                             for r in region_ids), key=lambda o: (o[0] == NATIONAL, _sort_key(o[1])))
    return funder_options, region_options
