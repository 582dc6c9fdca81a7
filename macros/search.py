"""Site search: the built pages indexed by Pagefind, which the browser loads fragment by fragment.

Material's own search made the browser download the whole index before the first result
(about 15 MB at 5 000 calls). Pagefind splits its index by word, so a query fetches only the
fragments of its words and of the pages it shows (a few dozen kB whatever the size of the site).

What is searched is what Material's search indexed, with the same markup: a page whose front
matter (or the hook, :data:`macros.hooks.SEARCH_EXCLUDED`) sets ``search: exclude`` is left
out, and so is every element carrying ``data-search-exclude`` — a heading carrying it takes
its whole section with it. Material's own parser splits the page into sections (a well-kept
piece of code that already knows these rules); each kept page is handed to Pagefind as a
small HTML document of its title and kept sections, headings with their anchors, so that a
result can point at the section it matched. The served pages themselves are not changed.
"""

from __future__ import annotations

import html
import logging
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from material.plugins.search.plugin import Parser
from mkdocs.exceptions import Abort
from pagefind.service import get_executable

log = logging.getLogger("mkdocs.hooks.appels.search")

OUTPUT = "pagefind"  # the folder of the built site that holds the index and pagefind.js
LANGUAGE = "fr"  # French stemming: « médecins » is found by « médecin »


def kind(url: str) -> str:
    """The ``type`` filter of a page: what the results can be narrowed to.

    >>> kind("appels/cpam-flandres-2025/"), kind("financeurs/cpam-flandres/"), kind("publier/")
    ('appel', 'financeur', 'page')
    """
    parts = url.strip("/").split("/")
    if len(parts) == 2 and parts[0] in ("appels", "financeurs"):
        return parts[0][:-1]
    return "page"


def document(page_html: str, title: str, url: str = "") -> str:
    """The HTML Pagefind indexes for a page: its title, then its sections minus the excluded ones.

    >>> doc = document('<p>Intro</p><h2 id="a">Axes</h2><p>Prévention</p>'
    ...                '<h2 id="b" data-search-exclude>Dates</h2><p>12 mars</p>', "Un appel")
    >>> "Prévention" in doc, "12 mars" in doc, 'id="a"' in doc
    (True, False, True)
    """
    parser = Parser()
    parser.feed(page_html)
    parser.close()
    # Generated pages carry their title HTML-escaped already (front matter that Material prints
    # as is): unescaped once, escaped once, it reaches the index as the visitor reads it.
    title = html.escape(html.unescape(title), quote=False)
    parts = [f'<h1 data-pagefind-meta="title">{title}</h1>']
    for section in parser.data:
        if section.is_excluded():
            continue
        heading = "".join(section.title).strip()
        text = "".join(section.text).strip()
        if section.id and heading:
            parts.append(f'<h2 id="{html.escape(section.id)}">{heading}</h2>')
        elif heading and heading != title:  # Material's first section, before any heading
            parts.append(f"<p>{heading}</p>")
        if text:
            parts.append(f"<div>{text}</div>")
    return (f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title>{html.escape(title, quote=False)}'
            f'</title></head><body><main data-pagefind-filter="type:{kind(url)}">{"".join(parts)}</main></body></html>')


class SearchIndex:
    """The documents of one build, written to a scratch folder page by page, indexed at the end.

    Pagefind's own command line does the indexing. Its Python API (``pagefind.index``) answers
    each page after a fixed 0.1 s poll, which would be over eight minutes at 5 000 calls; the
    command line indexes a folder in seconds. The binary is the one ``pagefind[bin]`` installs.
    """

    def __init__(self) -> None:
        self._scratch = tempfile.TemporaryDirectory(prefix="appels-recherche-")
        self.pages = 0

    def add(self, url: str, page_html: str, title: str) -> None:
        """Keep the searchable part of the page at ``url`` (relative to the site's root, ``appels/x/``)."""
        target = Path(self._scratch.name, url.strip("/"), "index.html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(document(page_html, title, url), encoding="utf-8")
        self.pages += 1

    def write(self, site_dir: Path) -> float:
        """Index the collected documents into ``site_dir/pagefind/``; returns the seconds it took."""
        start = time.perf_counter()
        executable = get_executable()
        if executable is None:
            raise Abort("Recherche : le programme pagefind est introuvable ; installez les paquets du projet "
                        "(bash scripts/dev.sh setup, ou pip install -e .).")
        output = site_dir / OUTPUT
        shutil.rmtree(output, ignore_errors=True)
        command = [str(executable), "--site", self._scratch.name, "--output-path", str(output.resolve()),
                   "--force-language", LANGUAGE, "--root-selector", "main", "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise Abort(f"Recherche : l'indexation par Pagefind a échoué ({done.returncode}) :\n{done.stdout}{done.stderr}")
        for unused in UNUSED_FILES:
            (output / unused).unlink(missing_ok=True)
        self._scratch.cleanup()
        elapsed = time.perf_counter() - start
        log.info("Recherche : %d pages indexées par Pagefind en %.2f s", self.pages, elapsed)
        return elapsed


# Written beside the index but never loaded: Pagefind's ready-made interfaces (the site has its
# own box, docs/assets/recherche.js over pagefind.js), its worker (the box runs Pagefind in the
# page, `noWorker`) and the WebAssembly for pages without a language (every page is French here).
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
                "pagefind-worker.js", "wasm.unknown.pagefind")
