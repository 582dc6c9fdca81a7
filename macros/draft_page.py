"""The checking page's Python (``/publier/verifier/``): check a draft call file, preview it, start a new one.

Runs in the page's worker under Pyodide (``docs/assets/verifier/worker.js``) and in the
tests under CPython; JSON text in, JSON text out. Nothing here checks anything itself: the
problems are those of :func:`callfiles.draft.check` (the build's loader), the preview is
``call.md.j2`` rendered by :mod:`macros.pages` and turned into HTML by Python-Markdown with the
extensions of ``mkdocs.yml``, as the build does, and the starter's file is checked the same way
before it is offered.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from calculators.rules.budget import line_notes
from calculators.timeline import closing, days_left, deadline_days
from callfiles.draft import Outcome, check, draft_name, referenced, source_named
from callfiles.yamlsource import parse
from macros import sources
from macros.pages import render

# Pyodide's sysconfig has no build data telling zoneinfo where a system's time zones live: with an
# empty search path, zoneinfo reads the tzdata package the checking page ships (macros/verifier.py).
os.environ.setdefault("PYTHONTZPATH", "")

PAGE_ROOT = "../../"
"""From ``publier/verifier/`` back to the site root: the preview's links lead to the real pages."""
MARKDOWN_EXTENSIONS = ("attr_list", "md_in_html", "tables", "toc", "admonition")
"""``markdown_extensions`` of ``mkdocs.yml`` (``toc`` with ``permalink: false``, its default)."""
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def _bytes(data: object) -> bytes:
    """Bytes from Python, or from a JavaScript Uint8Array handed over by Pyodide."""
    to_bytes = getattr(data, "to_bytes", None)
    return to_bytes() if callable(to_bytes) else bytes(data)  # type: ignore[call-overload]


def _json(value: object) -> str:
    def default(item: object) -> object:
        if isinstance(item, Decimal):
            return str(item)
        if isinstance(item, (dt.date, dt.datetime)):
            return item.isoformat()
        raise TypeError(type(item).__name__)
    return json.dumps(value, ensure_ascii=False, default=default, separators=(",", ":"))


class Verifier:
    """The published files a check may need, kept between checks (the worker makes one)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add_file(self, path: str, data: bytes) -> None:
        """``path`` inside ``calls/`` (``_referentiel/vocabulaire.yaml``, ``<id>.yaml``, ``_sources/x.txt``)."""
        self.files[str(path)] = _bytes(data)

    @staticmethod
    def needs(data: bytes) -> str:
        """The published files a call file leads to: ``{"calls": [ids], "source": name or null}``."""
        data = _bytes(data)
        return _json({"calls": referenced(data), "source": source_named(data)})

    def check(self, data: bytes, filename: str | None = None, today: str | None = None) -> str:
        """Check ``data`` as the build would: ``{"name", "problems", "valid", "preview", "call"}``.

        ``problems``: each with file, line, column, path, message and ``text`` (the build's line);
        when valid, ``preview`` is the call page's HTML and ``call`` its published JSON (what the
        calculators load).
        """
        outcome = check(_bytes(data), filename or None, self.files)
        answer: dict[str, Any] = {
            "name": outcome.name,
            "problems": [{"file": p.file, "line": p.line, "column": p.column, "path": p.path, "message": p.message,
                          "text": str(p), "own": p.file == f"calls/{outcome.name}"} for p in outcome.problems],
            "valid": not outcome.problems,
        }
        if outcome.corpus is not None and outcome.call_id in outcome.corpus.calls:
            day = dt.date.fromisoformat(today) if today else dt.date.today()
            call = outcome.corpus.calls[outcome.call_id]
            answer.update(call_id=outcome.call_id, title=call.title, kind=call.kind,
                          preview=preview_html(outcome, day), call=_json(outcome.corpus.call_data[outcome.call_id]),
                          # The calculator pages the build makes for it, and what the budget form says on some lines.
                          tools={"budget": call.kind == "call" and bool(call.budget_rules),
                                 "eligibility": call.kind == "call" and bool(call.eligibility_rules)},
                          notes=_json(line_notes(call, outcome.corpus.vocabulary)))
        return _json(answer)

    def options(self) -> str:
        """The starter form's choices, from the referentiel: funders, regions, departments, structure types."""
        vocabulary = self._yaml("_referentiel/vocabulaire.yaml")
        funders = self._yaml("_referentiel/financeurs.yaml").get("funders", [])
        regions = vocabulary.get("regions", {})
        return _json({
            "funders": [{"id": f["id"], "label": f"{f['short_name']} — {f['name']}"} for f in funders],
            "regions": [{"id": key, "label": value["label"] if isinstance(value, dict) else str(value)}
                        for key, value in regions.items()],
            "departments": [{"id": key, "label": f"{value} ({key})"} for key, value in vocabulary.get("departments", {}).items()],
            "structure_types": [{"id": key, "label": value} for key, value in vocabulary.get("structure_types", {}).items()],
        })

    def starter(self, form: str) -> str:
        """A minimal call file from the starter form (JSON), checked as the build would: ``{"name", "yaml", "problems"}``."""
        fields = json.loads(form)
        text = starter_yaml(fields)
        outcome = check(text.encode("utf-8"), None, self.files)
        return _json({"name": outcome.name, "yaml": text,
                      "problems": [{"path": p.path, "line": p.line, "message": p.message, "text": str(p)}
                                   for p in outcome.problems]})

    def _yaml(self, path: str) -> dict[str, Any]:
        doc, _ = parse(self.files[path].decode("utf-8"), path)
        return doc.data if doc is not None and isinstance(doc.data, dict) else {}


def preview_html(outcome: Outcome, today: dt.date) -> str:
    """The call page as the build renders it (``macros.site.generate``), its Markdown turned into HTML."""
    import markdown  # type: ignore[import-untyped]  # only the preview needs it (no stubs installed)

    corpus = outcome.corpus
    assert corpus is not None and outcome.call_id is not None
    call = corpus.calls[outcome.call_id]
    cited = sources.References(corpus.sources[call.source.file]) if call.source.file in corpus.sources else None
    close_day = closing(call)
    page = render("call.md.j2", call=call, funders=[corpus.funders[f] for f in call.funders], vocabulary=corpus.vocabulary,
                  framework=corpus.calls.get(call.framework) if call.framework else None, root=PAGE_ROOT, today=today,
                  close_day=close_day.isoformat() if close_day else None,
                  deadline_days=[d.isoformat() for d in deadline_days(call)], days_left=days_left(call, today),
                  jsonld=Markup(""), refs=sources.linker(cited, PAGE_ROOT),
                  source_page=sources.page_url(call.source.file) if cited and call.source.file else None)
    return markdown.markdown(_FRONT_MATTER.sub("", page), extensions=[f"markdown.extensions.{e}" for e in MARKDOWN_EXTENSIONS])


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), on one line."""
    return json.dumps(" ".join(str(value).split()), ensure_ascii=False)


def starter_yaml(fields: dict[str, Any]) -> str:
    """The minimal call file the starter form describes, with comments saying what to complete.

    >>> text = starter_yaml({"title": "Appel test", "funder": "cpam-flandres", "date": "2026-03-01", "time": "12:00",
    ...                      "regions": ["hauts-de-france"], "departments": ["59"], "structure_types": ["association"],
    ...                      "summary": "Résumé.", "url": "https://exemple.fr/appel"})
    >>> text.splitlines()[4:7]
    ['id: appel-test-2026', 'kind: call', 'title: "Appel test"']
    """
    title = str(fields.get("title") or "").strip()
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(title.lower())).strip("-")[:80].strip("-") or "nouvel-appel"
    year = str(fields.get("date") or "")[:4]
    if year.isdigit() and not slug.endswith(year):
        slug = f"{slug}-{year}"
    lines = [
        "# Fichier d'appel créé avec « Vérifier un fichier d'appel » : complétez-le avec la référence",
        "# des champs (page « Publier un appel »), puis vérifiez-le à nouveau avant de le publier.",
        "# Le nom du fichier doit être l'identifiant ci-dessous suivi de .yaml.",
        "",
        f"id: {slug}",
        "kind: call",
        f"title: {_quoted(title)}",
        f"funders: [{_quoted(fields['funder'])}]" if fields.get("funder") else "funders: []",
    ]
    regions = [str(r) for r in fields.get("regions") or []]
    departments = [str(d) for d in fields.get("departments") or []]
    if regions:
        lines.append(f"regions: [{', '.join(_quoted(r) for r in regions)}]")
    if departments:
        lines.append(f"departments: [{', '.join(_quoted(d) for d in departments)}]")
    lines += ["source:", "  title: " + _quoted(f"Texte de l'appel « {title} »")]
    if fields.get("url"):
        lines.append(f"  url: {_quoted(str(fields['url']).strip())}")
    lines += [
        "  # file: nom-du-texte.txt   (le texte de l'appel recopié dans calls/_sources/ : les citations y sont vérifiées)",
        f"summary: {_quoted(str(fields.get('summary') or '').strip())}",
        "milestones:",
        "  - id: depot",
        "    kind: deadline",
        "    label: \"Date limite de dépôt des dossiers\"",
        f"    when: {{date: {_quoted(fields.get('date') or '')}"
        + (f", time: {_quoted(fields['time'])}" if fields.get("time") else "") + "}",
        "    reference: \"Texte de l'appel\"   # précisez la section (« § 4 Calendrier »)",
    ]
    types = [str(t) for t in fields.get("structure_types") or []]
    if types:
        lines += [
            "# Structures admises : décommentez cette règle et recopiez la phrase du texte qui les cite (quote).",
            "# rules:",
            "#   eligibility:",
            "#     - id: structures",
            "#       kind: structure_types",
            "#       label: \"Structures admises\"",
            f"#       allowed: [{', '.join(_quoted(t) for t in types)}]",
            "#       reference: \"§ …\"",
            "#       quote: \"…\"",
        ]
    return "\n".join(lines) + "\n"


def _ascii(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


__all__ = ["Verifier", "draft_name", "preview_html", "starter_yaml"]
