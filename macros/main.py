"""mkdocs-macros entry point: macros that hand-written pages call. Each calls a pure function."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from markupsafe import Markup

from calculators.model import Call
from calculators.timeline import closing, stale_from, status_on
from callfiles.corpus import Corpus, load_corpus
from macros import preview
from macros.pages import render

HOME_CLOSED = 50
"""Closed calls listed on the home page, the most recently closed first. With thousands of calls
kept for a few years, listing them all made a page of several megabytes; the others stay on
their funder's page, in the calendar of their year and in the search."""


def home_calls(calls: Iterable[Call], today: dt.date) -> list[Call]:
    """Every call not closed on ``today``, in file order, then the :data:`HOME_CLOSED` last closed ones."""
    calls = list(calls)
    over = ("closed", "expired")
    closed = [c for c in calls if status_on(c, today) in over]
    recent = sorted(closed, key=lambda c: (closing(c) or stale_from(c) or dt.date.min, c.id), reverse=True)[:HOME_CLOSED]
    return [c for c in calls if status_on(c, today) not in over] + recent


TOOL_ORDER = {"open": 0, "upcoming": 1, "unpublished": 2, "closed": 3, "expired": 3}


def calls_with_tools(calls: Iterable[Call], today: dt.date) -> list[Call]:
    """The calls of :func:`home_calls` that have a budget simulator or an eligibility checker:
    open ones first, then upcoming, without a published deadline, and the recently closed (in the home page's
    order within each)."""
    listed = [c for c in home_calls(calls, today) if c.kind == "call" and (c.budget_rules or c.eligibility_rules)]
    return sorted(listed, key=lambda c: TOOL_ORDER.get(status_on(c, today), len(TOOL_ORDER)))


def define_env(env) -> None:  # noqa: ANN001 - mkdocs-macros' own type
    root = Path(env.conf.config_file_path).resolve().parent

    def corpus() -> Corpus:
        return load_corpus(root / "calls", only=preview.selection())

    @env.macro
    def calls_by_status(base: str = "") -> Markup:
        """The home page's lists of calls: open, upcoming, the most recently closed, and the national frameworks."""
        c = corpus()
        today = dt.date.today()
        return Markup(render("home_calls.html.j2", calls=home_calls(c.calls.values(), today), funders=c.funders,
                             root=base, today=today))

    @env.macro
    def finder_start(base: str = "") -> Markup:
        """The finder's first two questions, first on the home page; they lead to trouver/."""
        return Markup(render("home_finder.html.j2", vocabulary=corpus().vocabulary, root=base))

    @env.macro
    def calculators_list(base: str = "") -> Markup:
        """The calls whose budget simulator or eligibility checker the home page links to."""
        c = corpus()
        today = dt.date.today()
        return Markup(render("home_tools.html.j2", calls=calls_with_tools(c.calls.values(), today), root=base, today=today))

    @env.macro
    def funders_list(base: str = "") -> Markup:
        """Every funder that has at least one call."""
        c = corpus()
        items = [(f, c.calls_of(f.id)) for f in c.funders.values()]
        return Markup(render("funders_list.html.j2", items=[i for i in items if i[1]], root=base))

    @env.macro
    def schema_reference() -> Markup:
        """The field-by-field reference of call files, generated from the JSON Schema."""
        from callfiles.schemadoc import reference_rows
        return Markup(render("schema_reference.html.j2", rows=reference_rows()))

    @env.macro
    def example_call_file() -> str:
        """The annotated example call file, verbatim."""
        return (root / "calls" / "cpam-flandres-2025.yaml").read_text(encoding="utf-8")
