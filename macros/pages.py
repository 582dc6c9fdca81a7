"""Render generated pages from Jinja templates. Text from call files is data, never template code.

Templates live in ``macros/templates``; autoescape is on for every template, so a ``<script>``
or ``{{ … }}`` written in a call file comes out as visible text. Generated pages also carry
``render_macros: false`` so that mkdocs-macros never evaluates their content.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from calculators.dates import When, describe, french_date, when_from
from calculators.money import format_eur, format_share
from calculators.rules.budget import line_notes
from calculators.timeline import (
    STATUS_LABELS,
    closing,
    days_left,
    deadline_days,
    deadlines_by_day,
    milestone_phase,
    ordered,
    status_on,
    steps_attribute,
)
from macros.contacts import format_label, funder_contacts, tel_href

TEMPLATES = Path(__file__).resolve().parent / "templates"

MILESTONE_KINDS = {
    "launch": "Lancement", "info_session": "Information", "declaration": "Déclaration", "deadline": "Date limite de dépôt",
    "review": "Analyse des dossiers", "commission": "Commission", "council": "Conseil", "selection": "Sélection",
    "results": "Résultats", "campaign": "Communication", "convention": "Convention", "project_start": "Début du projet",
    "project_window": "Période du projet", "project_end": "Fin du projet", "interim_report": "Bilan intermédiaire",
    "final_report": "Bilan final",
}
PHASES = {"past": "date passée", "current": "en cours", "future": "à venir", "unknown": "date inconnue"}


def front_matter(value: str) -> Markup:
    """A YAML-safe, HTML-escaped scalar for front matter (JSON strings are valid YAML).

    HTML-escaped because the theme writes the page's title and description into the page
    (``<title>``, ``<h1>``, ``<meta content="…">``) without escaping them; braces too, so that
    nothing reads them as template code.

    >>> str(front_matter('<b> "x" {{ y }}'))
    '"&lt;b&gt; &#34;x&#34; &#123;&#123; y &#125;&#125;"'
    """
    escaped = str(Markup.escape(value)).replace("{", "&#123;").replace("}", "&#125;")
    return Markup(json.dumps(escaped, ensure_ascii=False))


def rule_fields(rules: Any, call: Any, vocabulary: Any) -> dict[str, list[dict[str, object]]]:
    """The form controls of each rule (rule id → fields), as the calculators' pages build them."""
    return {rule.info.id: [f.to_data() for f in rule.fields(call, vocabulary)] for rule in rules}


def _money(value: object, cents: bool = False) -> str:
    """``"75"`` or ``Decimal("75")`` → ``75 €``; ``"75.5"`` → ``75,50 €`` (model or published JSON form)."""
    return format_eur(Decimal(str(value)), cents=cents)


def _date(value: object) -> str:
    """A date or ``"2026-05-30"`` → ``30 mai 2026``."""
    return french_date(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))


def _when(value: object) -> str:
    """A milestone's ``when`` (model or YAML form) in French, with its hour and time zone."""
    return describe(value if isinstance(value, When) else when_from(value))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        front=front_matter,
        date=_date,
        when=_when,
        eur=_money,
        share=lambda v: format_share(Decimal(str(v))),
        kind=lambda k: MILESTONE_KINDS.get(k, k),
        phase=lambda p: PHASES[p],
        tel=tel_href,
        doc_format=format_label,
    )
    env.globals.update(
        status_on=status_on, status_steps=steps_attribute, status_labels=STATUS_LABELS, ordered=ordered,
        milestone_phase=milestone_phase, closing=closing, rule_fields=rule_fields, funder_contacts=funder_contacts,
        deadline_days=deadline_days, days_left=days_left, deadlines_by_day=deadlines_by_day,
    )
    env.globals["line_notes"] = line_notes  # what the budget form says on some lines, from the call's rules
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context`` (plus ``today``)."""
    context.setdefault("today", dt.date.today())
    return environment().get_template(template).render(**context)


def root_for(url: str) -> str:
    """Relative URL from a page at directory ``url`` (e.g. ``appels/x/``) back to the site root."""
    depth = url.strip("/").count("/") + 1 if url.strip("/") else 0
    return "../" * depth
