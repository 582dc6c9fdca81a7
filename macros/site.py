"""Every generated file of the site, from the corpus: pages, feeds, open data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from callfiles.corpus import Corpus
from calculators.timeline import closing, opening
from macros.pages import render, root_for


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def to_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, default=_json_default, indent=1, sort_keys=False)


def _page(config: MkDocsConfig, url: str, content: str) -> File:
    return File.generated(config, f"{url}index.md", content=content)


def generate(corpus: Corpus, config: MkDocsConfig) -> Iterator[File]:
    """Yield every generated file: call pages and their tools, funder pages, open data."""
    today = dt.date.today()
    for call in corpus.calls.values():
        url = f"appels/{call.id}/"
        framework = corpus.calls.get(call.framework) if call.framework else None
        close_day, open_day = closing(call), opening(call)
        yield _page(config, url, render(
            "call.md.j2", call=call, funders=[corpus.funders[f] for f in call.funders], vocabulary=corpus.vocabulary,
            framework=framework, root=root_for(url), today=today,
            open_day=open_day.isoformat() if open_day else None, close_day=close_day.isoformat() if close_day else None))
        yield File.generated(config, f"donnees/appels/{call.id}.json", content=to_json(corpus.call_data[call.id]))
    for funder in corpus.funders.values():
        calls = corpus.calls_of(funder.id)
        if not calls:
            continue
        url = f"financeurs/{funder.id}/"
        yield _page(config, url, render("funder.md.j2", funder=funder, calls=calls, root=root_for(url), today=today))
    yield File.generated(config, "donnees/vocabulaire.json", content=to_json(corpus.vocabulary_data))
    yield File.generated(config, "donnees/schema.json",
                         content=(corpus.root / "schema.json").read_text(encoding="utf-8"))


def post_build(site_dir: Path, project_root: Path) -> None:
    """Copy what the calculator pages need (Pyodide and the rules bundle) once the site is written."""
    try:
        from macros.runtime import write_runtime
    except ImportError:  # the runtime module lands with the in-page calculators
        return
    write_runtime(site_dir, project_root)


def as_data(value: Any) -> Any:
    return json.loads(to_json(value))
