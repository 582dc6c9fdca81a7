"""mkdocs-macros entry point: macros that hand-written pages call. Each calls a pure function."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from markupsafe import Markup

from callfiles.corpus import load_corpus
from macros import preview
from macros.pages import render


def define_env(env) -> None:  # noqa: ANN001 - mkdocs-macros' own type
    root = Path(env.conf.config_file_path).resolve().parent

    def corpus():
        return load_corpus(root / "calls", only=preview.selection())

    @env.macro
    def calls_by_status(base: str = "") -> Markup:
        """The home page's lists of calls: open, upcoming, closed, and the national frameworks."""
        c = corpus()
        return Markup(render("home_calls.html.j2", calls=list(c.calls.values()), funders=c.funders,
                             root=base, today=dt.date.today()))

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
