"""Every generated file of the site, from the corpus: pages, feeds, open data.

Thin wiring: the content comes from pure functions (:mod:`macros.agenda`,
:mod:`macros.checklist`, :mod:`macros.ics`, :mod:`macros.feeds`) and Jinja templates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from calculators.departments import in_reading_order
from calculators.model import Call
from calculators.timeline import GROUPS, call_over, closing, days_left
from callfiles.corpus import Corpus
from macros import agenda, calculator_pages, feeds, finder_pages, ics, sources
from macros.checklist import checklist
from macros.pages import render, root_for


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def to_json(data: object) -> str:
    """Compact JSON: written by the C encoder (``indent`` would switch to the pure-Python one,
    several seconds per thousand calls), and smaller to download."""
    return json.dumps(data, ensure_ascii=False, default=_json_default, separators=(",", ":"), sort_keys=False)


def _page(config: MkDocsConfig, url: str, content: str) -> File:
    return File.generated(config, f"{url}index.md", content=content)


def base_url(config: MkDocsConfig) -> str:
    """``site_url`` with a trailing slash, or ``""`` when the site's address is not configured."""
    url = (config.site_url or "").strip()
    return url if not url or url.endswith("/") else url + "/"


def generate(corpus: Corpus, config: MkDocsConfig) -> Iterator[File]:
    """Yield every generated file: call pages and their tools, funder pages, calendars, feeds, open data."""
    today = dt.date.today()
    site = base_url(config)
    funders = corpus.funders
    ics_blocks: dict[str, str] = {}  # each call's events, written once for its three feeds
    references = {name: sources.References(text) for name, text in corpus.sources.items()}
    for call in corpus.calls.values():
        url = f"appels/{call.id}/"
        root = root_for(url)
        cited = references.get(call.source.file) if call.source.file else None
        framework = corpus.calls.get(call.framework) if call.framework else None
        close_day = closing(call)
        jsonld = feeds.grant(call, funders, page_url=f"{site}{url}" if site else "./",
                             funder_url=lambda f, r=root: f"{site or r}financeurs/{f}/")
        yield _page(config, url, render(
            "call.md.j2", call=call, funders=[funders[f] for f in call.funders], vocabulary=corpus.vocabulary,
            framework=framework, root=root, today=today,
            close_day=close_day.isoformat() if close_day else None,
            days_left=days_left(call, today),
            jsonld=Markup(feeds.script_json(jsonld)), refs=sources.linker(cited, root),
            source_page=sources.page_url(call.source.file) if cited and call.source.file else None))
        if call.kind == "call":
            # The calculators (macros/calculator_pages.py), linked from the call page when it has rules.
            for kind, slug, rules in (("budget", "budget", call.budget_rules),
                                      ("eligibility", "eligibilite", call.eligibility_rules)):
                if rules:
                    tool_url = f"{url}{slug}/"
                    yield _page(config, tool_url, calculator_pages.render(
                        kind, call=call, vocabulary=corpus.vocabulary,
                        root=root_for(tool_url), refs=sources.linker(cited, root_for(tool_url)),
                        rule_links=sources.rule_links(cited, rules)))
            checklist_url = f"{url}checklist/"
            yield _page(config, checklist_url, render(
                "checklist.md.j2", call=call, funders=[funders[f] for f in call.funders], vocabulary=corpus.vocabulary,
                sections=checklist(call), root=root_for(checklist_url), today=today,
                refs=sources.linker(cited, root_for(checklist_url))))
        yield File.generated(config, f"{url}calendrier.ics",
                             content=ics.calendar([call], funders, site, name=call.title, blocks=ics_blocks))
        yield File.generated(config, f"donnees/appels/{call.id}.json", content=to_json(corpus.call_data[call.id]))
    for funder in funders.values():
        calls = corpus.calls_of(funder.id)
        if not calls:
            continue
        url = f"financeurs/{funder.id}/"
        yield _page(config, url, render("funder.md.j2", funder=funder, calls=calls, root=root_for(url), today=today))
        yield File.generated(config, f"{url}calendrier.ics",
                             content=ics.calendar(calls, funders, site, name=f"{funder.short_name} : appels à projets",
                                                  blocks=ics_blocks))
    yield from _source_pages(corpus, config)
    yield from finder_pages.generate(corpus, config, today, site, ics_blocks, references, to_json)
    yield from _calendar(corpus, config, today, site, ics_blocks)
    yield from _open_data(corpus, config, site)


def _source_pages(corpus: Corpus, config: MkDocsConfig) -> Iterator[File]:
    """``/textes/<nom>/``: each source text once, with the calls citing it and their quotes marked."""
    citing: dict[str, list[Call]] = {}
    for call in corpus.calls.values():
        if call.source.file in corpus.sources:
            citing.setdefault(call.source.file, []).append(call)
    for name, calls in citing.items():
        url = sources.page_url(name)
        # The call named like the text describes it best (the framework, not one of its regional calls).
        main = next((c for c in calls if f"{c.id}.txt" == name), calls[0])
        quotes = [rule.info.quote for call in calls for rule in (*call.budget_rules, *call.eligibility_rules)]
        yield _page(config, url, render("source.md.j2", main=main, calls=calls, root=root_for(url),
                                        body=sources.body(corpus.sources[name], quotes)))


def _calendar(corpus: Corpus, config: MkDocsConfig, today: dt.date, site: str, ics_blocks: dict[str, str]) -> Iterator[File]:
    """``/calendrier/`` (what is to come), ``/calendrier/<année>/`` (one year), ``/calendrier/<année>/<mois>/``
    (one month), ``/calendrier/dates-non-publiees/`` when they are too many for the first page, and
    ``tous.ics`` (the calls not over: a feed people subscribe to, fetched again every day, does
    not carry every past year; the calls' and funders' feeds keep everything). A listing longer
    than ``agenda.PAGE_LIMIT`` (``extra.calendar_page_limit`` in ``mkdocs.yml``) keeps its first
    months and links to the pages of the others."""
    limit = int(config.extra.get("calendar_page_limit", agenda.PAGE_LIMIT) if config.extra else agenda.PAGE_LIMIT)
    calls = list(corpus.calls.values())
    yield File.generated(config, "calendrier/tous.ics",
                         content=ics.calendar([call for call in calls if not call_over(call, today)], corpus.funders, site,
                                              name="Appels à projets santé : échéances en cours et à venir",
                                              blocks=ics_blocks))
    everything = agenda.entries(calls, corpus.vocabulary)
    years = agenda.by_year(everything)
    groups = list(GROUPS.items())

    def page(url: str, months: list[agenda.Month], undated: list[agenda.Entry], *, later: Sequence[agenda.Month] = (),
             undated_page: int | None = None, pagination: tuple[int, list[str]] | None = None, **context: Any) -> File:
        """A calendar page listing ``months`` in full and ``undated``; ``later`` months are links."""
        listed = [entry for month in months for entry in month.entries]
        funder_options, region_options = agenda.filter_options([*listed, *undated], corpus.funders, corpus.vocabulary)
        return _page(config, url, render(
            "calendar.md.j2", months=months, undated=undated,
            later=later, undated_page=undated_page, pagination=pagination, years=list(years), funders=corpus.funders,
            funder_options=funder_options, region_options=region_options, group_options=groups,
            root=root_for(url), today=today, month_url=agenda.month_url, **context))

    dated, undated = agenda.upcoming(everything, today)
    shown, later = agenda.split(agenda.months(dated), limit)
    if shown and len(shown[0].entries) > limit:  # one month longer than a page: its start, then its own pages
        first = shown[0]
        shown, later = [agenda.Month(first.key, first.label, first.entries[:limit])], [first, *later]
    separate = len(undated) > limit
    yield page("calendrier/", shown, [] if separate else undated, later=later,
               undated_page=len(undated) if separate else None, year=None, month=None, title="Calendrier",
               description="Toutes les échéances à venir des appels à projets, mois par mois.")
    if separate:
        yield page("calendrier/dates-non-publiees/", [], undated, year=None, month="inconnu",
                   title="Calendrier : dates non publiées",
                   description="Les étapes annoncées sans date par les appels à projets qui ne sont pas terminés.")
    for year, (items, year_undated) in years.items():
        year_months = agenda.months(items)
        whole = len(items) + len(year_undated) <= limit
        yield page(f"calendrier/{year}/", year_months if whole else [], year_undated, later=[] if whole else year_months,
                   year=year, month=None, title=f"Calendrier {year}",
                   description=f"Toutes les échéances de {year} des appels à projets, passées et à venir, mois par mois.")
        for month in year_months:
            # A month longer than a page is cut into numbered pages: /calendrier/2027/06/, …/06/2/, …
            chunks = [month.entries[start:start + limit] for start in range(0, len(month.entries), limit)]
            urls = [agenda.month_url(month.key) + (f"{number}/" if number > 1 else "") for number in range(1, len(chunks) + 1)]
            for number, (chunk, url) in enumerate(zip(chunks, urls, strict=True), start=1):
                part = f" ({number}/{len(chunks)})" if len(chunks) > 1 else ""
                yield page(url, [agenda.Month(month.key, month.label, chunk)], [], year=year, month=month.key,
                           pagination=(number, urls) if len(chunks) > 1 else None, title=f"Calendrier : {month.label}{part}",
                           description=f"Toutes les échéances de {month.label} des appels à projets, passées et à venir.")


def published_vocabulary(data: dict[str, Any]) -> dict[str, Any]:
    """The vocabulary as published (``donnees/vocabulaire.json``), with ``department_order``: the
    department codes in reading order (:func:`calculators.departments.department_key`). JavaScript
    lists an object's integer-like keys ("10", "971") before the others ("01", "2A"), so the forms
    take their order from this array rather than from the ``departments`` object."""
    return {**data, "department_order": list(in_reading_order(data["departments"]))}


def _open_data(corpus: Corpus, config: MkDocsConfig, site: str) -> Iterator[File]:
    yield File.generated(config, "donnees/appels.json",
                         content=to_json(feeds.calls_document(corpus.call_data, feeds.generated_at())))
    yield File.generated(config, "donnees/appels.schema.json", content=to_json(feeds.calls_document_schema()))
    yield File.generated(config, "donnees/appels.atom", content=feeds.atom(corpus.calls.values(), corpus.funders, site))
    yield File.generated(config, "donnees/vocabulaire.json", content=to_json(published_vocabulary(corpus.vocabulary_data)))
    yield File.generated(config, "donnees/financeurs.json", content=to_json(feeds.funders_document(corpus.funders.values())))
    yield File.generated(config, "donnees/schema.json",
                         content=(corpus.root / "schema.json").read_text(encoding="utf-8"))


def post_build(site_dir: Path, project_root: Path) -> None:
    """Copy what the calculator pages need (Pyodide and the rules bundle) once the site is written,
    then the service worker that keeps them and the pages read offline."""
    try:
        from macros.runtime import write_runtime
    except ImportError:  # the runtime module lands with the in-page calculators
        return
    manifest = write_runtime(site_dir, project_root)
    from macros.offline import write_service_worker
    from macros.verifier import write_verifier  # the checking page's files (/publier/verifier/)

    write_verifier(site_dir, project_root, manifest)
    write_service_worker(site_dir, manifest)

