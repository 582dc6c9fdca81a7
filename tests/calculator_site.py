"""A small stand-in for the built site, enough to run the calculators in a browser.

``build_site(target)`` writes what the real build writes for the calculator pages — the
JavaScript and CSS of ``docs/assets/calculateurs/``, Pyodide and the rules bundle
(:func:`macros.runtime.write_runtime`), ``donnees/vocabulaire.json`` and
``donnees/appels/<id>.json`` — and renders the two calculator pages of each call from their
templates, with Python-Markdown, into a plain HTML shell (no MkDocs theme). A plain guidance
page per call is written too, to compare what each kind of page downloads.

Tests and benchmarks use the real ``mkdocs build`` output when it is available
(:func:`mkdocs_site`) and fall back to this one.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_CALLS = ("cpam-flandres-2025", "cpam-val-de-marne-2026", "occitanie-1000-jours-2021")

SHELL = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="icon" href="data:,"></head>
<body><main class="md-content"><article class="md-content__inner md-typeset">
<h1>{title}</h1>
{body}
</article></main></body></html>
"""


def _read_yaml(path: Path) -> object:
    from callfiles import yamlsource

    document, problems = yamlsource.read(path)
    if document is None:
        raise ValueError("\n".join(str(problem) for problem in problems))
    return document.data


def _json(data: object) -> str:
    return json.dumps(data, default=str, ensure_ascii=False, indent=1)


def _page(markdown_text: str) -> str:
    import markdown
    import yaml

    _, front, body = markdown_text.split("---\n", 2)
    meta = yaml.safe_load(front)
    converted = markdown.markdown(body, extensions=["attr_list", "md_in_html", "tables", "toc"])
    page = SHELL.format(title=html.escape(meta["title"]), body=converted)
    try:  # the site's Content-Security-Policy, as the build adds it
        from macros.security import add_policy
    except ImportError:
        return page
    return add_policy(page)


def build_site(target: Path, calls: Iterable[str] = DEFAULT_CALLS) -> Path:
    """Write the stand-in site into ``target`` (created or refreshed) and return it."""
    from calculators.model import call_from_data, vocabulary_from_data
    from macros import calculator_pages
    from macros.runtime import write_runtime

    target = Path(target)
    assets = target / "assets" / "calculateurs"
    assets.mkdir(parents=True, exist_ok=True)
    for source in (ROOT / "docs" / "assets" / "calculateurs").iterdir():
        if source.is_file():
            shutil.copy2(source, assets / source.name)
    vocabulary_data = _read_yaml(ROOT / "calls" / "_referentiel" / "vocabulaire.yaml")
    vocabulary = vocabulary_from_data(vocabulary_data)
    data_dir = target / "donnees" / "appels"
    data_dir.mkdir(parents=True, exist_ok=True)
    (target / "donnees" / "vocabulaire.json").write_text(_json(vocabulary_data), encoding="utf-8")
    for call_id in calls:
        data = _read_yaml(ROOT / "calls" / f"{call_id}.yaml")
        (data_dir / f"{call_id}.json").write_text(_json(data), encoding="utf-8")
        call = call_from_data(data)
        for kind, folder in (("budget", "budget"), ("eligibility", "eligibilite")):
            page_dir = target / "appels" / call_id / folder
            page_dir.mkdir(parents=True, exist_ok=True)
            text = calculator_pages.render(kind, call=call, call_data=data, vocabulary=vocabulary, root="../../../")
            (page_dir / "index.html").write_text(_page(text), encoding="utf-8")
        guidance = f"---\ntitle: {json.dumps(call.title)}\n---\n\n{html.escape(call.summary)}\n"
        (target / "appels" / call_id / "index.html").write_text(_page(guidance), encoding="utf-8")
    write_runtime(target, ROOT)
    return target


def mkdocs_site(target: Path) -> Path | None:
    """Build the real site with ``mkdocs build`` into ``target``; None when the build is not ready."""
    mkdocs = Path(sys.executable).parent / "mkdocs"
    if not (ROOT / "mkdocs.yml").is_file() or not mkdocs.exists():
        return None
    result = subprocess.run([str(mkdocs), "build", "--quiet", "-d", str(target)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not (Path(target) / "appels" / "cpam-flandres-2025" / "budget" / "index.html").is_file():
        return None
    return Path(target)


if __name__ == "__main__":  # python tests/calculator_site.py DIR: write the stand-in site, to open it by hand
    print(build_site(Path(sys.argv[1])))
