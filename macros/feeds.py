"""Open data and feeds from the calls: ``appels.json``, the Atom feed and each page's JSON-LD.

Pure functions of the model (plus ``base_url``): no file is read or written here.

``base_url`` is the site's absolute address ending with ``/`` (MkDocs' ``site_url``) or
``""``. Without it, links are written relative to the file that holds them, which Atom
(RFC 4287 § 3.4: IRI references, resolved against the document) and JSON-LD (relative
IRIs, resolved against the page) both allow, so the site still works under any base path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from calculators.dates import describe
from calculators.model import Call
from calculators.timeline import closing, opening
from macros.ics import PARIS, stamp_date

FEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "appels-sante")
"""Atom ids are ``urn:uuid:`` derived from the call id: stable whatever the site's address."""


def generated_at() -> dt.datetime:
    """Build time in UTC, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds convention)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso_z(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- appels.json -----------------------------------------------------------------------

def calls_document(call_data: Mapping[str, Mapping[str, Any]], generated: dt.datetime) -> dict[str, Any]:
    """``/donnees/appels.json``: ``{"generated": <ISO 8601 UTC>, "calls": [<call file mapping>, …]}``, by id.

    Each call mapping is the call file as written (valid against ``/donnees/schema.json``);
    the wrapper is described by ``/donnees/appels.schema.json`` (:func:`calls_document_schema`).
    """
    return {"generated": _iso_z(generated), "calls": [call_data[key] for key in sorted(call_data)]}


def funders_document(funders: Iterable[Any]) -> dict[str, Any]:
    """``/donnees/financeurs.json``: ``{"funders": [...]}``, each funder as ``financeurs.yaml`` writes it
    (empty and absent fields left out), its contacts included.

    >>> from callfiles.corpus import Funder
    >>> from calculators.model import Contact
    >>> funders_document([Funder("x", "X", "X", "ars", "D.", contacts=(Contact("Accueil", email="a@x.fr", reference="§ 1"),))])
    {'funders': [{'id': 'x', 'name': 'X', 'short_name': 'X', 'kind': 'ars', 'description': 'D.',
                  'contacts': [{'label': 'Accueil', 'email': 'a@x.fr', 'reference': '§ 1'}]}]}
    """
    def present(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
        return {key: value for key, value in pairs if value not in (None, (), [])}

    return {"funders": [
        present([("id", f.id), ("name", f.name), ("short_name", f.short_name), ("kind", f.kind),
                 ("description", f.description), ("region", f.region), ("departments", list(f.departments)),
                 ("contacts", [present((name, getattr(c, name)) for name in CONTACT_FIELDS) for c in f.contacts])])
        for f in funders]}


CONTACT_FIELDS = ("label", "url", "email", "phone", "address", "note", "reference")
"""A contact's fields in the order people read them (the schema's ``contact``)."""


def calls_document_schema() -> dict[str, Any]:
    """JSON Schema of ``appels.json``: the wrapper, each call referring to ``schema.json``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "appels.schema.json",
        "title": "Tous les appels à projets",
        "description": "Le fichier /donnees/appels.json : la date de génération et la liste des appels, "
                       "chacun tel que son fichier le décrit (voir schema.json).",
        "type": "object",
        "additionalProperties": False,
        "required": ["generated", "calls"],
        "properties": {
            "generated": {"description": "Date et heure de génération, ISO 8601 en UTC.", "type": "string",
                          "format": "date-time"},
            "calls": {"description": "Les appels, par identifiant.", "type": "array", "items": {"$ref": "schema.json"}},
        },
    }


# --- Atom ------------------------------------------------------------------------------
# Written by hand, on purpose (issue 13 asked for a library where one fits). feedgen 1.0.0,
# its latest release (December 2023), writes an entry's links with their href only
# (lkiesow/python-feedgen#135, open, fixes unmerged): our three links per entry would become
# three « alternate » links without type, which RFC 4287 § 4.1.1 forbids; everything else it
# wrote matched this code (same entries, ids, titles, instants, authors, categories,
# summaries), for 2.6× the CPU time over the 271 feeds of a 5 000-call build (1.26 s → 3.32 s).
# feedgenerator (Pelican's) has no ``related`` links, one author, categories without label and
# HTML summaries only.

def _entry_id(call_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, f'appel/{call_id}')}"


def _entry_summary(call: Call) -> str:
    text = call.summary
    if call.deadlines:
        dates = " ; ".join(f"{m.wave + ' : ' if m.wave else ''}{describe(m.when)}" for m in call.deadlines)
        text += f"\nDate limite : {dates}."
    return text


ATOM_ENTRIES = 100
"""Entries of the Atom feed: the newest calls. A feed reader polls the whole file again and
again; every call stays in ``appels.json`` and the calendars."""


def atom(calls: Iterable[Call], funders: Mapping[str, Any], base_url: str = "",
         title: str = "Appels à projets santé : nouveaux appels", limit: int = ATOM_ENTRIES,
         self_path: str = "donnees/appels.atom") -> str:
    """The Atom feed at ``self_path`` (``/donnees/appels.atom``) of the ``limit`` newest calls, newest first.

    An entry's date is :func:`macros.ics.stamp_date` (the source text's date, else the
    call's first date), so the feed is the same on every build of the same files. Without
    ``base_url``, links are relative to the feed's own folder.
    """
    up = "../" * self_path.count("/")
    link = (lambda path: base_url + path) if base_url else (lambda path: up + path)
    ordered = sorted(calls, key=lambda c: (stamp_date(c), c.id), reverse=True)[:limit]
    stamp = lambda c: _iso_z(dt.datetime.combine(stamp_date(c), dt.time(), dt.UTC))  # noqa: E731
    updated = max((stamp(c) for c in ordered), default="2020-01-01T00:00:00Z")
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">',
        f"<id>urn:uuid:{uuid.uuid5(FEED_NAMESPACE, 'appels' if self_path == 'donnees/appels.atom' else self_path)}</id>",
        f"<title>{escape(title)}</title>",
        "<subtitle>Les appels à projets de santé publique publiés sur le site, du plus récent au plus ancien.</subtitle>",
        f"<updated>{updated}</updated>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(link(self_path))}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(link(""))}/>',
        "<generator>appels-sante</generator>",
    ]
    for call in ordered:
        out += [
            "<entry>",
            f"<id>{_entry_id(call.id)}</id>",
            f"<title>{escape(call.title)}</title>",
            f'<link rel="alternate" type="text/html" href={quoteattr(link(f"appels/{call.id}/"))}/>',
            f'<link rel="related" type="application/json" href={quoteattr(link(f"donnees/appels/{call.id}.json"))}/>',
            f'<link rel="related" type="text/calendar" href={quoteattr(link(f"appels/{call.id}/calendrier.ics"))}/>',
            f"<published>{stamp(call)}</published>",
            f"<updated>{stamp(call)}</updated>",
        ]
        for funder_id in call.funders:
            funder = funders.get(funder_id)
            out.append(f"<author><name>{escape(funder.name if funder else funder_id)}</name></author>")
            out.append(f"<category term={quoteattr(funder_id)} label={quoteattr(funder.short_name if funder else funder_id)}/>")
        out += [f'<summary type="text">{escape(_entry_summary(call))}</summary>', "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


# --- JSON-LD ---------------------------------------------------------------------------

def script_json(data: object) -> str:
    """JSON safe to put inside ``<script>``: ``<``, ``>`` and ``&`` become ``\\u003c`` … escapes.

    A string holding ``</script>`` can then never close the element early.

    >>> script_json({"a": "</script>&"})
    '{"a":"\\\\u003c/script\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _number(value: Decimal) -> int | str:
    """An exact amount for JSON: an integer when it is one, else its decimal text (never a float)."""
    return int(value) if value == value.to_integral_value() else str(value)


def _deadline_end(call: Call) -> str | None:
    """The last deadline as ISO 8601: an instant with its Paris offset when the call gives an hour."""
    last = closing(call)
    if last is None:
        return None
    for milestone in call.deadlines:
        if milestone.when.latest == last and milestone.when.kind == "instant" and milestone.when.time:
            hours, minutes = (int(p) for p in milestone.when.time.split(":"))
            day = last + dt.timedelta(days=1) if hours == 24 else last
            return dt.datetime(day.year, day.month, day.day, hours % 24, minutes, tzinfo=PARIS).isoformat()
    return last.isoformat()


def grant(call: Call, funders: Mapping[str, Any], page_url: str, funder_url: Any) -> dict[str, Any]:
    """schema.org ``MonetaryGrant`` for one call.

    Every amount the call file states goes in ``amount`` with its own label as ``name`` (a
    « seuil de dépenses » is not a grant amount, and the label says which is which); the
    application window is a ``potentialAction`` (``ApplyAction`` with start and end times),
    since schema.org gives grants no date properties of their own.
    """
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MonetaryGrant",
        "identifier": call.id,
        "name": call.title,
        "description": call.summary,
        "url": page_url,
        "funder": [
            {"@type": "Organization", "name": funders[f].name, "alternateName": funders[f].short_name, "url": funder_url(f)}
            for f in call.funders if f in funders
        ],
    }
    amounts = [{"@type": "MonetaryAmount", "currency": "EUR", "value": _number(item.amount), "name": item.label}
               for item in call.funding if item.amount is not None]
    if amounts:
        data["amount"] = amounts
    start, end = opening(call), _deadline_end(call)
    if call.kind == "call" and (start or end):
        action: dict[str, Any] = {"@type": "ApplyAction", "name": "Déposer un dossier"}
        if start:
            action["startTime"] = start.isoformat()
        if end:
            action["endTime"] = end
        data["potentialAction"] = action
    return data
