"""Check one call file as the build would, with only the files it depends on: the checking page's entry point.

The page « Vérifier un fichier d'appel » runs this module in the visitor's browser (Pyodide,
``docs/assets/verifier/worker.js``); the tests run it in CPython. It does not reimplement any
check: it lays out a ``calls/`` folder in a scratch directory — the referentiel and the schema
as the build reads them, the source text the draft names, the published call files it refers
to (its framework, a framework's regional calls, transitively) and the draft itself — and
calls :func:`callfiles.corpus.load_corpus` on it, the build's own loader, with the draft as the
preview selection. So the problems are those of the build, word for word, with their
``calls/x.yaml:LINE:COL: chemin :`` prefix.

>>> referenced(b"id: x\\nframework: cadre-a\\nregional_calls: [{call: reg-b}, {region: x}]\\n")
['cadre-a', 'reg-b']
>>> referenced(b"- not: a mapping")
[]
>>> draft_name(b"id: mon-appel\\n", None)
'mon-appel.yaml'
>>> draft_name(b"id: 12\\n", None), draft_name(b"", "C:\\\\Users\\\\x\\\\appel.yaml")
('appel.yaml', 'appel.yaml')
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from callfiles.corpus import REFERENTIEL, SOURCES, Corpus, load_corpus
from callfiles.problems import CallFileError, Problem
from callfiles.yamlsource import MAX_BYTES, MAX_LINES, parse

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SOURCE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*\.txt$")
DEFAULT_NAME = "appel.yaml"


@dataclass
class Outcome:
    """What the build would say about the draft: its problems, or the loaded corpus when there are none."""

    name: str
    """The draft's file name as the build would show it (``calls/<name>``)."""
    problems: list[Problem] = field(default_factory=list)
    corpus: Corpus | None = None
    call_id: str | None = None


def _data(raw: bytes) -> object:
    """The data of a call file, for the names it holds; None when the build would not parse it (too big, too long)."""
    if len(raw) > MAX_BYTES or raw.count(b"\n") >= MAX_LINES:
        return None
    try:
        doc, _ = parse(raw.decode("utf-8"), DEFAULT_NAME, raw)
    except (UnicodeDecodeError, RecursionError):
        return None
    return doc.data if doc is not None else None


def referenced(raw: bytes) -> list[str]:
    """The ids of the other call files a call file names (``framework``, ``regional_calls[].call``), as written."""
    data = _data(raw)
    if not isinstance(data, dict):
        return []
    regional = data.get("regional_calls")
    named = [data.get("framework"), *(r.get("call") for r in (regional if isinstance(regional, list) else [])
                                      if isinstance(r, dict))]
    return [n for n in named if isinstance(n, str) and _ID.match(n)]


def source_named(raw: bytes) -> str | None:
    """The source text a call file names (``source.file``), when it is a possible file name."""
    data = _data(raw)
    source = data.get("source") if isinstance(data, dict) else None
    name = source.get("file") if isinstance(source, dict) else None
    return name if isinstance(name, str) and _SOURCE.match(name) else None


def draft_name(raw: bytes, filename: str | None) -> str:
    """The file name the draft is checked under: the opened file's own name, else ``<id>.yaml`` from its text."""
    if filename:
        name = PureWindowsPath(PurePosixPath(filename).name).name.strip()
        if name:
            return name
    data = _data(raw)
    found = data.get("id") if isinstance(data, dict) else None
    return f"{found}.yaml" if isinstance(found, str) and _ID.match(found) else DEFAULT_NAME


def check(raw: bytes, filename: str | None, files: Mapping[str, bytes]) -> Outcome:
    """Check the call file ``raw`` (opened as ``filename``; ``None`` for pasted text) as the build would.

    ``files`` maps paths inside ``calls/`` to their bytes: ``schema.json`` is not needed (the
    loader reads the package's own), ``_referentiel/vocabulaire.yaml`` and
    ``_referentiel/financeurs.yaml`` are, ``_sources/<name>.txt`` for the source text the draft
    names (:func:`source_named`) and ``<id>.yaml`` for every call it refers to (:func:`referenced`,
    followed transitively) when they are published. Anything else is ignored.
    """
    name = draft_name(raw, filename)
    stem, suffix = (name.rsplit(".", 1)[0], "." + name.rsplit(".", 1)[1].lower()) if "." in name else (name, "")
    if suffix not in (".yaml", ".yml"):
        return Outcome(name, [Problem(f"calls/{name}", 1, 1, "", "le site ne lit que les fichiers .yaml de calls/ ; "
                                                                    "enregistrez le fichier avec l'extension .yaml")])
    selection = [stem] if suffix == ".yaml" and _ID.match(stem) and name == f"{stem}.yaml" else None
    with tempfile.TemporaryDirectory(prefix="verifier-") as tmp:
        root = Path(tmp) / "calls"
        for folder in (root / REFERENTIEL, root / SOURCES):
            folder.mkdir(parents=True)
        for path, content in files.items():
            parts = PurePosixPath(path).parts
            known = (len(parts) == 2 and parts[0] == REFERENTIEL and parts[1] in ("vocabulaire.yaml", "financeurs.yaml")) or (
                len(parts) == 2 and parts[0] == SOURCES and _SOURCE.match(parts[1])) or (
                len(parts) == 1 and parts[0].endswith(".yaml") and _ID.match(parts[0][:-5]) and selection is not None)
            if known and parts[-1] != name:
                root.joinpath(*parts).write_bytes(content)
        # A name the build refuses (« .yml », capitals…) is reported by the loader reading every file of the folder.
        (root / name).write_bytes(raw)
        try:
            corpus = load_corpus(root, only=selection)
        except CallFileError as error:
            return Outcome(name, list(error.problems))
    return Outcome(name, [], corpus, stem)
