"""Render the two calculator pages of a call: ``appels/<id>/budget/`` and ``appels/<id>/eligibilite/``.

The page-generation hook calls :func:`render` for each call and gets Markdown (with raw
HTML) to hand to MkDocs::

    from macros import calculator_pages
    markdown = calculator_pages.render("budget", call=call, call_data=data, vocabulary=vocabulary,
                                       root="../../../", assets=calculator_pages.ASSETS)

The templates need only the filters ``eur``, ``share``, ``date``, ``when`` and ``front``, which
``macros.pages.environment()`` defines with the same meaning, so the hook may as well call
``pages.render("budget.md.j2", call=…, call_data=…, vocabulary=…, root=…, assets=ASSETS)``.

Only these two pages load the calculators' CSS and scripts (and so Pyodide): nothing goes
into ``extra_css`` / ``extra_javascript``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

from calculators.dates import When, describe, french_date, when_from
from calculators.money import format_eur, format_share
from macros.pages import front_matter, question_scope

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGES = {"budget": "budget.md.j2", "eligibility": "eligibilite.md.j2"}
ASSETS = {
    "css": "assets/calculateurs/calculateurs.css",
    "runtime": "assets/calculateurs/runtime.js",
    "common": "assets/calculateurs/common.js",
    "budget": "assets/calculateurs/budget.js",
    "eligibility": "assets/calculateurs/eligibility.js",
}
"""Where the calculators' files are, relative to the site root (``docs/assets/calculateurs/``)."""


def _eur(value: object) -> str:
    """``"75"`` or ``Decimal("75")`` → ``75 €``; ``"75.5"`` → ``75,50 €``."""
    return format_eur(Decimal(str(value)), cents=False)


def _share(value: object) -> str:
    """``"0.05"`` → ``5 %``."""
    return format_share(Decimal(str(value)))


def _date(value: object) -> str:
    """A date or ``"2026-05-30"`` → ``30 mai 2026``."""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return french_date(day)


def _when(value: object) -> str:
    """A milestone's ``when`` (model or YAML form) in French, with its hour and time zone."""
    return describe(value if isinstance(value, When) else when_from(value))


FILTERS: dict[str, Callable[[Any], str]] = {"eur": _eur, "share": _share, "date": _date, "when": _when, "front": front_matter}
"""Filters the templates use, with the names and meaning of ``macros.pages``' environment."""


def environment() -> jinja2.Environment:
    """The Jinja environment of the calculator pages: autoescaped, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals["question_scope"] = question_scope
    return env


_ENV: jinja2.Environment | None = None


def render(kind: str, *, call: Any, call_data: Mapping[str, Any], vocabulary: Any, root: str,
           assets: Mapping[str, str] | None = None) -> str:
    """The Markdown source of ``call``'s ``kind`` page ("budget" or "eligibility").

    ``root`` is the relative URL from the page to the site root, ending with ``/``
    (``"../../../"`` for ``appels/<id>/budget/`` with directory URLs).
    """
    global _ENV
    if _ENV is None:
        _ENV = environment()
    if not root.endswith("/"):
        raise ValueError(f"root must end with '/': {root!r}")
    template = _ENV.get_template(PAGES[kind])
    return template.render(call=call, call_data=call_data, vocabulary=vocabulary, root=root,
                           assets={**ASSETS, **(assets or {})})
