"""Load every file of ``calls/``: parse, validate against the schema, check references, build the model.

Every problem in every file is collected first, then :class:`CallFileError` is raised with
all of them, each as ``file:line:col: path: message``. Nothing is built from a corpus with
a problem, so a broken file can never produce a partial site.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from calculators.model import Call, Vocabulary, call_from_data
from callfiles.checks import Checker
from callfiles.paths import ID, REFERENTIEL, SOURCES, display
from callfiles.problems import CallFileError, Problem
from callfiles.referentiel import Funder, load_referentiel
from callfiles.schema import schema_problems, show
from callfiles.sources import SourceText
from callfiles.yamlsource import Document, read

__all__ = ["CallFileError", "Corpus", "Funder", "call_files", "load_corpus"]


@dataclass
class Corpus:
    """Everything the site is built from, validated."""

    root: Path
    vocabulary: Vocabulary
    vocabulary_data: dict[str, Any]
    funders: dict[str, Funder]
    calls: dict[str, Call]
    call_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    selection: frozenset[str] | None = None
    """In a preview, the call ids asked for (the corpus also holds the calls they refer to); else None."""
    sources: dict[str, SourceText] = field(default_factory=dict)
    """The source texts the calls name (``calls/_sources/<source.file>``), parsed, by file name."""
    _by_funder: dict[str, list[Call]] | None = field(default=None, repr=False, compare=False)

    def calls_of(self, funder_id: str) -> list[Call]:
        """The calls ``funder_id`` publishes or co-publishes, in file order (an index: one pass over the calls)."""
        if self._by_funder is None:
            index: dict[str, list[Call]] = {}
            for call in self.calls.values():
                for funder in dict.fromkeys(call.funders):
                    index.setdefault(funder, []).append(call)
            self._by_funder = index
        return list(self._by_funder.get(funder_id, ()))


def call_files(root: Path) -> list[Path]:
    """The call files: every ``*.yaml`` directly in ``calls/`` (the referentiel lives in a subfolder)."""
    return sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_corpus(root: Path | str, only: Iterable[str] | None = None) -> Corpus:
    """Load and validate ``root`` (the ``calls/`` folder). Raise :class:`CallFileError` listing every problem.

    With ``only`` (a preview), load the referentiel, the call files of these ids and, following
    ``framework`` and ``regional_calls[].call``, every call they refer to, and nothing else:
    those files are validated exactly as in a full build (same problems, same file:line), the
    other files of ``calls/`` are not read. A missing id is a problem, not an empty site.
    """
    root = Path(root).resolve()
    selection = frozenset(only) if only else None
    return _load_cached(root, _freshness(root), selection)


def _freshness(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of every file the corpus may read: the cache key (one ``stat`` per file)."""
    key = []
    for folder in (root, root / REFERENTIEL, root / SOURCES):
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith((".yaml", ".yml", ".txt")) and entry.is_file():
                    stat = entry.stat()
                    key.append((f"{folder.name}/{entry.name}", stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(key))


@lru_cache(maxsize=4)
def _load_cached(root: Path, key: tuple, selection: frozenset[str] | None) -> Corpus:  # noqa: ARG001 - key only invalidates the cache
    problems: list[Problem] = []
    vocabulary, vocabulary_data, funders = load_referentiel(root, problems)
    if selection is None:
        docs: dict[str, Document] = {}
        for path in call_files(root):
            doc = _read_call(path, root, problems)
            if doc is not None:
                docs[path.stem] = doc
    else:
        docs = _read_selection(root, selection, problems)
    if vocabulary is not None:
        checker = Checker(vocabulary, funders, docs, root)
        for doc in docs.values():
            checker.check(doc)
        problems.extend(checker.problems)
    if problems or vocabulary is None:
        raise CallFileError(problems)
    calls = {stem: call_from_data(doc.data) for stem, doc in docs.items()}  # type: ignore[arg-type]
    return Corpus(root, vocabulary, vocabulary_data, funders, calls, {s: d.data for s, d in docs.items()},  # type: ignore[misc]
                  selection, checker.sources)


def _read_call(path: Path, root: Path, problems: list[Problem]) -> Document | None:
    """Read one call file and check it against the schema; None (and ``problems``) when it is not valid."""
    name = display(path, root)
    if path.suffix == ".yml":
        problems.append(Problem(name, 1, 1, "", "renommez le fichier avec l'extension .yaml"))
        return None
    if not ID.match(path.stem):
        problems.append(Problem(name, 1, 1, "", f"le nom de fichier '{path.stem}' n'est pas un identifiant valide : "
                                                 "utilisez des minuscules ASCII, des chiffres et des tirets"))
        return None
    doc, found = read(path, name)
    problems.extend(found)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), f"attendu un ensemble de clés (id, kind, title…), trouvé {show(doc.data)}"))
        return None
    found = schema_problems(doc)
    problems.extend(found)
    return None if found else doc


def _read_selection(root: Path, selection: frozenset[str], problems: list[Problem]) -> dict[str, Document]:
    """The selected call files and, transitively, the calls they name (their framework, a framework's regional calls)."""
    docs: dict[str, Document] = {}
    pending, seen = sorted(selection), set()
    while pending:
        stem = pending.pop(0)
        if stem in seen:
            continue
        seen.add(stem)
        path = root / f"{stem}.yaml"
        if not path.is_file():
            if stem in selection:
                problems.append(Problem(display(path, root), 1, 1, "", f"fichier introuvable : l'aperçu demande l'appel "
                                        f"'{stem}' ; donnez le nom d'un fichier de calls/ sans .yaml"))
            continue  # a reference to a missing file: the checker reports it where it is written
        doc = _read_call(path, root, problems)
        if doc is not None:
            docs[stem] = doc
            pending.extend(_references(doc.data))  # type: ignore[arg-type]
    return docs


def _references(data: dict[str, Any]) -> list[str]:
    """The ids of the other calls a (schema-valid) call file names."""
    named = [data.get("framework"), *(r.get("call") for r in data.get("regional_calls", []))]
    return [n for n in named if isinstance(n, str) and ID.match(n)]
