"""Render the two calculator pages of a call: ``appels/<id>/budget/`` and ``appels/<id>/eligibilite/``.

The page-generation hook calls :func:`render` for each call and gets Markdown (with raw
HTML) to hand to MkDocs::

    from macros import calculator_pages
    markdown = calculator_pages.render("budget", call=call, vocabulary=vocabulary, root="../../../")

The templates are rendered by the one Jinja environment of :mod:`macros.pages` (autoescaped,
strict about undefined names; its ``date``, ``when``, ``eur`` and ``share`` filters take the
model's values and the published JSON's alike).

Only these two pages load the calculators' CSS and scripts (and so Pyodide): nothing goes
into ``extra_css`` / ``extra_javascript``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from macros import pages
from macros.sources import linker

PAGES = {"budget": "budget.md.j2", "eligibility": "eligibilite.md.j2"}
ASSETS = {
    "css": "assets/calculateurs/calculateurs.css",
    "runtime": "assets/calculateurs/runtime.js",
}
"""Where the files both pages load in their head are, relative to the site root (``docs/assets/calculateurs/``);
each page's own module script (``budget.js``, ``eligibility.js``) is named by its template."""


def render(kind: str, *, call: Any, vocabulary: Any, root: str,
           assets: Mapping[str, str] | None = None, refs: Any = None,
           rule_links: Mapping[str, str] | None = None) -> str:
    """The Markdown source of ``call``'s ``kind`` page ("budget" or "eligibility").

    ``root`` is the relative URL from the page to the site root, ending with ``/``
    (``"../../../"`` for ``appels/<id>/budget/`` with directory URLs). ``refs`` renders a
    reference (a link to the source text when it can be one, :func:`macros.sources.linker`);
    ``rule_links`` gives the findings' links, by rule id, relative to the site root.
    """
    if not root.endswith("/"):
        raise ValueError(f"root must end with '/': {root!r}")
    return pages.render(PAGES[kind], call=call, vocabulary=vocabulary, root=root,
                        assets={**ASSETS, **(assets or {})}, refs=refs or linker(None, root),
                        rule_links=json.dumps(rule_links or {}, ensure_ascii=False))
