"""MkDocs hook: load the call files once, generate their pages in memory, copy the runtime.

Thin glue only: loading is :mod:`callfiles.corpus`, rendering is :mod:`macros.site`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import Files

from callfiles.corpus import load_corpus
from callfiles.problems import CallFileError
from macros import security, site

log = logging.getLogger("mkdocs.hooks.appels")


def calls_dir(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent / "calls"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        load_corpus(calls_dir(config))
    except CallFileError as error:
        # Abort prints the message and exits non-zero before anything is written.
        raise Abort(str(error)) from None
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    corpus = load_corpus(calls_dir(config))
    for generated in site.generate(corpus, config):
        files.append(generated)
    return files


def on_post_page(output: str, page, config: MkDocsConfig) -> str:  # noqa: ANN001 - MkDocs Page
    return security.add_policy(output)


def on_post_build(config: MkDocsConfig) -> None:
    site.post_build(Path(config.site_dir), Path(config.config_file_path).resolve().parent)
