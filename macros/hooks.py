"""MkDocs hook: load the call files once, generate their pages in memory, copy the runtime.

Thin glue only: loading is :mod:`callfiles.corpus`, rendering is :mod:`macros.site`,
generated files wait on disk (:mod:`macros.spool`) rather than in memory.
With ``APPELS_PREVIEW`` set (:mod:`macros.preview`), only the calls named there and those
they refer to are loaded and generated.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import Files

from callfiles.corpus import load_corpus
from callfiles.problems import CallFileError
from macros import accessibility, preview, security, site, themecache
from macros.spool import Spool

log = logging.getLogger("mkdocs.hooks.appels")


def calls_dir(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent / "calls"


# Generated pages kept out of the search index, which the visitor's browser downloads whole
# on the first search: the tools of a call (checklist, budget, eligibility) repeat its page,
# and the calendars list every milestone of every call. At 1 000 calls they were 30 % of a
# 24 MB index; the call pages, the funders' pages and the hand-written pages stay searchable.
SEARCH_EXCLUDED = re.compile(r"(appels/[^/]+/(checklist|budget|eligibilite)"
                             r"|calendrier(/[0-9]{4}(/[0-9]{2}(/[0-9]+)?)?|/dates-non-publiees)?)/index\.md")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        corpus = load_corpus(calls_dir(config), only=preview.selection())
    except CallFileError as error:
        # Abort prints the message and exits non-zero before anything is written.
        raise Abort(str(error)) from None
    if corpus.selection is not None:
        log.info("Aperçu de %s : %d appel(s) construit(s) avec ceux qu'il(s) cite(nt) ; "
                 "les autres fichiers de calls/ ne sont pas lus (%s).",
                 ", ".join(sorted(corpus.selection)), len(corpus.calls), preview.VARIABLE)
        # A preview is a partial site on purpose: a hand-written page linking to a call left
        # out (« donnees.md » names a seed call's JSON) must not stop it. Problems in the call
        # files themselves still stop it, whatever the strict mode.
        config.validation.links.not_found = logging.INFO
    return config


_spool: Spool | None = None


def on_files(files: Files, config: MkDocsConfig) -> Files:
    global _spool  # noqa: PLW0603 - one build at a time; closed in on_post_build
    corpus = load_corpus(calls_dir(config), only=preview.selection())
    _spool = Spool(config)
    for generated in site.generate(corpus, config):
        files.append(_spool.add(generated))
    return files


def on_page_markdown(markdown: str, page, config: MkDocsConfig, files: Files) -> str:  # noqa: ANN001 - MkDocs Page
    if SEARCH_EXCLUDED.fullmatch(page.file.src_uri) and "search" not in page.meta:
        page.meta["search"] = {"exclude": True}
    return markdown


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    env.bytecode_cache = themecache.THEME  # a serve rebuild reuses the compiled theme templates
    return env


# MkDocs keeps every page's Markdown and HTML until the end of the build; with thousands of
# generated pages that was over half of the build's memory. Once a generated page is rendered,
# nothing reads its Markdown again (Page.title only checks that it is not None), and once its
# HTML is written, nothing reads that either (search indexed it in on_page_context).


def on_page_content(html: str, page, config: MkDocsConfig, files: Files) -> str:  # noqa: ANN001 - MkDocs Page
    if page.file.generated_by:
        page.markdown = ""
    return html


def on_post_page(output: str, page, config: MkDocsConfig) -> str:  # noqa: ANN001 - MkDocs Page
    if page.file.generated_by:
        page.content = ""
    return security.add_policy(accessibility.skip_to_content(output))


def on_post_build(config: MkDocsConfig) -> None:
    site.post_build(Path(config.site_dir), Path(config.config_file_path).resolve().parent)
    if _spool is not None:
        _spool.close()
