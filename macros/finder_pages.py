"""The finder « Quels appels pour ma structure ? » (``/trouver/``), its index and its profile feeds.

- ``donnees/trouver.json``: :func:`calculators.finder.index` over every call, plus what a
  result shows (title, funders, deadlines with their hour, status steps, themes and axes);
  the page only looks answers up in it.
- ``trouver/``: the form, the results, and — for visitors without JavaScript — the calls open
  or to come on the day of the build, by region, each with its funders.
- ``trouver/flux/<type>/<région>.atom`` and ``.ics``: for each type of structure and region,
  the calls not over whose rules admit that type in at least one department of the region:
  the alert a coordinator subscribes to, with no account and no e-mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from calculators import finder
from calculators.dates import describe, french_date
from calculators.model import Call
from calculators.timeline import STATUS_LABELS, status_on
from callfiles.corpus import Corpus
from macros import feeds, ics
from macros.agenda import NATIONAL, call_regions
from macros.pages import render, root_for
from macros.sources import References

URL = "trouver/"
INDEX = "donnees/trouver.json"
OVER = ("closed", "expired", "framework")


def feed_path(structure: str, region: str, extension: str) -> str:
    """``trouver/flux/association/occitanie.atom`` (relative to the site root)."""
    return f"{URL}flux/{structure}/{region}.{extension}"


def _extra(call: Call, labels: dict[str, int]) -> dict[str, Any]:
    def label(text: str) -> int:
        return labels.setdefault(text, len(labels))

    deadlines = sorted(((m.when.latest.isoformat(), f"{m.wave} : " if m.wave else "", describe(m.when))
                        for m in call.deadlines if m.when.latest), key=lambda d: d[0])
    data: dict[str, Any] = {
        "title": call.title, "funders": list(call.funders),
        "deadlines": [[day, f"{wave}{text}"] for day, wave, text in deadlines],
        "topics": [label(t.label) for t in call.themes] + [label(a.label) for a in call.axes],
        "checker": bool(call.eligibility_rules),
    }
    if not deadlines and call.source.date:
        data["informed"] = f"selon « {call.source.title} » du {french_date(call.source.date)}"
    return data


def build_index(corpus: Corpus, references: Mapping[str, References]) -> dict[str, Any]:
    """The finder's index document, as written to ``donnees/trouver.json``."""
    labels: dict[str, int] = {}

    def link(call: Call, rule: Any) -> str | None:
        cited = references.get(call.source.file) if call.source.file else None
        return cited.href(rule.info.reference, rule.info.quote) if cited else None

    document = finder.index(corpus.calls.values(), corpus.vocabulary, link, lambda call: _extra(call, labels))
    vocabulary = corpus.vocabulary
    document.update(
        topics=list(labels),
        funders={f.id: f.short_name for f in corpus.funders.values()},
        structure_types=[[key, label] for key, label in vocabulary.structure_types.items()],
        departments=[[code, label, _region_of(corpus, code)] for code, label in vocabulary.departments.items()],
        regions={slug: region.label for slug, region in vocabulary.regions.items()},
        placeholders=finder.PLACEHOLDERS,
        status_labels=STATUS_LABELS,
    )
    return document


def _region_of(corpus: Corpus, department: str) -> str | None:
    for slug, region in corpus.vocabulary.regions.items():
        if department in region.departments:
            return slug
    return None


def admits(entry: Mapping[str, Any], structure: str, departments: tuple[str, ...]) -> bool:
    """No rule of the call fails for this type of structure in at least one of ``departments``
    (the date left aside: a feed lists calls to come as well as open ones)."""
    for department in departments:
        answers = {"structure_type": structure, "department": department}
        refused = False
        for rule in entry["rules"]:
            if "steps" in rule or "r" not in rule:
                continue
            outcome = finder.outcome_for(rule, answers)
            if outcome != 0 and outcome[0] == 2:
                refused = True
                break
        if not refused:
            return True
    return False


def generate(corpus: Corpus, config: MkDocsConfig, today: dt.date, site: str, ics_blocks: dict[str, str],
             references: Mapping[str, References], to_json: Any) -> Iterator[File]:
    """Yield the index, the page and the profile feeds."""
    document = build_index(corpus, references)
    yield File.generated(config, INDEX, content=to_json(document))
    calls = {entry["id"]: corpus.calls[entry["id"]] for entry in document["calls"]}
    current = [call for call in calls.values() if status_on(call, today) not in OVER]
    by_region: dict[str, list[Call]] = {}
    for call in current:
        for slug in call_regions(call, corpus.vocabulary):
            by_region.setdefault(slug, []).append(call)
    regions = [(slug, corpus.vocabulary.regions[slug].label) for slug in corpus.vocabulary.regions if slug in by_region]
    if NATIONAL in by_region:
        regions.append((NATIONAL, "Toute la France"))
    yield File.generated(config, f"{URL}index.md", content=render(
        "finder.md.j2", root=root_for(URL), today=today, vocabulary=corpus.vocabulary, funders=corpus.funders,
        regions=regions, by_region=by_region, index_url=INDEX))
    entries = {entry["id"]: entry for entry in document["calls"]}
    for structure, structure_label in corpus.vocabulary.structure_types.items():
        for slug, region in corpus.vocabulary.regions.items():
            chosen = [call for call in current if admits(entries[call.id], structure, region.departments)]
            name = f"Appels à projets santé : {structure_label}, {region.label}"
            path = feed_path(structure, slug, "atom")
            yield File.generated(config, path, content=feeds.atom(chosen, corpus.funders, site, title=name,
                                                                  self_path=path))
            yield File.generated(config, feed_path(structure, slug, "ics"),
                                 content=ics.calendar(chosen, corpus.funders, site, name=name, blocks=ics_blocks))
