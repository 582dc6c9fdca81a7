"""Read one YAML file into plain JSON-like data, with the position of every value.

Call files are written by people outside the team, so the reader is strict:

- duplicate keys, explicit tags (``!!python/object``…) and anchors/aliases are refused;
- scalars follow a small, predictable typing: ``true``/``false`` are booleans,
  ``null``/``~``/empty are null, integers and decimals without a leading zero are numbers
  (decimals become :class:`decimal.Decimal`, never float); everything else — dates,
  ``NO``, ``0123``, ``12:30`` — stays a string, so the schema can refuse it loudly
  instead of YAML 1.1 silently turning it into ``False``, ``83`` or ``750``.

The result is a :class:`Document`: the data plus a map from each value's path
(a tuple of keys and indexes) to its ``(line, column)``, both 1-based.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from callfiles.problems import Problem

MAX_BYTES = 1_000_000
"""A call file is a few kilobytes; anything over this is refused before parsing."""
MAX_LINES = 2_000
"""A call file is a few hundred lines (the longest seed file: 324); a longer one is refused before
parsing too: in the browser's check (pure-Python YAML under Pyodide) 5 000 lines took seconds."""

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]+\Z")
_NULLS = {"", "~", "null"}

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed YAML file: its data and where each value stands in the file.

    The fast reader does not note positions (a map of every value's path to its line is
    several times the size of the data, for thousands of files): it keeps the file's bytes in
    ``source``, and the first question about a position reads them again with the careful
    reader. Only a file with a problem to report pays for it.
    """

    path: str
    data: object
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    source: bytes | None = field(default=None, repr=False, compare=False)

    def locate(self) -> None:
        """Fill ``positions`` and ``key_positions`` (a no-op when they are known)."""
        if self.source is not None:
            located, _ = _careful_parse(self.source.decode("utf-8"), self.path)
            if located is not None:
                self.positions, self.key_positions = located.positions, located.key_positions
            self.source = None

    def position(self, where: Path_) -> tuple[int, int]:
        """Return the position of ``where``, or of its closest parent that has one."""
        self.locate()
        while where not in self.positions and where:
            where = where[:-1]
        return self.positions.get(where, (1, 1))

    def problem(self, where: Path_, message: str, *, at_key: bool = False) -> Problem:
        """A problem about the value at ``where`` (or about its key, with ``at_key``)."""
        self.locate()
        line, column = self.key_positions[where] if at_key and where in self.key_positions else self.position(where)
        return Problem(self.path, line, column, dotted(where), message)


def dotted(where: Path_) -> str:
    """``('rules', 'budget', 1, 'max')`` → ``rules.budget[1].max``."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that keeps the node tree; we build values ourselves.

    An alias (``*name``) becomes a placeholder node at the alias's own position instead of
    the shared anchored node, so it is reported where it is written and never expanded.
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode(_ALIAS_TAG, "*" + event.anchor, event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


_ALIAS_TAG = "!alias"

_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None


class _Careful(Exception):
    """The fast reader met something to report (or a construct it leaves alone): read the file carefully."""


def _fast_parse(text: str, name: str, raw: bytes | None = None) -> Document | None:
    """Read a clean file straight from libyaml's events: the same data as the careful reader.

    At a few thousand call files, PyYAML's pure-Python scanner and composer were most of the
    build (25 ms a file). This reader takes libyaml's events (C) and builds the values in one
    pass, without node objects and without noting positions (:meth:`Document.locate` finds
    them when a problem needs one). It handles only what a valid call file contains —
    mappings, sequences, plain, quoted and block scalars — and gives up (returns None) at the
    first anchor, alias, tag, merge key, duplicate key, complex key, second document or syntax
    error: :func:`parse` then reads the file with :class:`_StrictLoader`, which words the
    problem exactly as before. ``tests/test_fast_paths.py`` checks that both readers give the
    same data for every call file and leave every bad fixture to the careful reader.
    """
    parser = _CParser(text)
    try:
        parser.get_event()  # StreamStartEvent
        if not isinstance(parser.get_event(), yaml.DocumentStartEvent):
            return None  # nothing but comments: the careful reader says the file is empty
        data = _fast_value(parser, parser.get_event())
        parser.get_event()  # DocumentEndEvent
        if not isinstance(parser.get_event(), yaml.StreamEndEvent):
            return None  # a second document
    except (_Careful, yaml.YAMLError):
        return None
    finally:
        parser.dispose()
    return Document(name, data, source=raw if raw is not None else text.encode("utf-8"))


def _fast_value(parser: Any, event: yaml.Event) -> object:
    kind = type(event)
    if kind is yaml.AliasEvent or event.anchor is not None or event.tag is not None:  # type: ignore[attr-defined]
        raise _Careful
    if kind is yaml.ScalarEvent:
        # Plain « = » and « << » resolve to YAML's value and merge tags, which the careful reader refuses.
        if not event.style and event.value in ("=", "<<"):  # type: ignore[attr-defined]
            raise _Careful
        return _scalar(event.value, event.style)  # type: ignore[attr-defined]
    if kind is yaml.SequenceStartEvent:
        items: list[object] = []
        event = parser.get_event()
        while type(event) is not yaml.SequenceEndEvent:
            items.append(_fast_value(parser, event))
            event = parser.get_event()
        return items
    if kind is yaml.MappingStartEvent:
        result: dict[str, object] = {}
        key_event = parser.get_event()
        while type(key_event) is not yaml.MappingEndEvent:
            if type(key_event) is not yaml.ScalarEvent or key_event.anchor is not None or key_event.tag is not None:
                raise _Careful
            key = key_event.value
            if key == "<<" or key in result:
                raise _Careful
            result[key] = _fast_value(parser, parser.get_event())
            key_event = parser.get_event()
        return result
    raise _Careful  # pragma: no cover - libyaml emits no other event inside a document


def _scalar(value: str, style: str | None) -> object:
    if style:  # quoted or block scalar: always a string
        return value
    if value in _NULLS:
        return None
    if value in ("true", "false"):
        return value == "true"
    if _INT.match(value):
        return int(value)
    if _DECIMAL.match(value):
        return Decimal(value)
    return value


def read(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Parse ``path``. Return the document, or ``None`` and the problems found."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [Problem(name, 1, 1, "", f"fichier trop gros : {size} octets, au plus {MAX_BYTES} octets attendus")]
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(name, 1, 1, "", f"lecture impossible : {error.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [Problem(name, line, column, "",
                              f"le fichier n'est pas en UTF-8 (octet 0x{raw[error.start]:02x}) ; enregistrez-le en UTF-8")]
    if not text.strip():
        return None, [Problem(name, 1, 1, "", "le fichier est vide ; attendu : la description d'un appel")]
    lines = text.count("\n") + (not text.endswith("\n"))
    if lines > MAX_LINES:
        return None, [Problem(name, 1, 1, "", f"fichier trop long : {lines} lignes, au plus {MAX_LINES} attendues ; "
                                              "un fichier d'appel en compte quelques centaines, un seul appel par fichier")]
    return parse(text, name, raw)


def parse(text: str, name: str, raw: bytes | None = None) -> tuple[Document | None, list[Problem]]:
    """Parse YAML ``text`` (displayed as ``name`` in problems; ``raw``: its bytes, if at hand)."""
    if _CParser is not None:
        fast = _fast_parse(text, name, raw)
        if fast is not None:
            return fast, []
    return _careful_parse(text, name)


def _careful_parse(text: str, name: str) -> tuple[Document | None, list[Problem]]:
    """PyYAML's own reader, noting every value's position: the reference, and every problem's wording."""
    problems: list[Problem] = []
    document = Document(name, None)
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or "YAML invalide"
        if "expected a single document" in str(error.context or ""):
            what = "plusieurs documents YAML dans un fichier ; gardez-en un seul (retirez '---')"
        return None, [Problem(name, line, column, "", f"YAML invalide : {what}")]
    except yaml.YAMLError as error:
        return None, [Problem(name, 1, 1, "", f"YAML invalide : {error}")]
    if node is None:
        return None, [Problem(name, 1, 1, "", "le fichier est vide ; attendu : la description d'un appel")]
    document.data = _build(node, (), document, problems, text)
    return (None if problems else document), problems


def _build(node: yaml.Node, where: Path_, doc: Document, problems: list[Problem], text: str) -> object:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    doc.positions[where] = (line, column)
    if _has_anchor(node, text):
        problems.append(doc.problem(where, "les ancres et alias YAML (&, *) sont interdits ; écrivez la valeur en entier"))
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _IMPLICIT_TAGS or _explicit_tag(node, text):
            problems.append(doc.problem(where, f"les étiquettes YAML sont interdites, trouvé '{node.tag}' ; retirez-la"))
            return None
        return _scalar(node.value, node.style)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            problems.append(doc.problem(where, f"les étiquettes YAML sont interdites, trouvé '{node.tag}' ; retirez-la"))
            return None
        return [_build(child, where + (index,), doc, problems, text) for index, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            problems.append(doc.problem(where, f"les étiquettes YAML sont interdites, trouvé '{node.tag}' ; retirez-la"))
            return None
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or _explicit_tag(key_node, text) or _has_anchor(key_node, text):
                problems.append(doc.problem(
                    where, "les clés doivent être des mots simples ; clés complexes, étiquettes et ancres interdites"))
                continue
            key = key_node.value
            if key == "<<":
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                problems.append(Problem(doc.path, line, column, dotted(where),
                                        "les clés de fusion ('<<') sont interdites ; écrivez les clés"))
                continue
            if key in result:
                first = doc.positions.get(where + (key,), (0, 0))[0]
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                message = f"clé '{key}' en double (déjà définie ligne {first}) ; gardez-en une seule"
                problems.append(Problem(doc.path, line, column, dotted(where + (key,)), message))
                continue
            doc.key_positions[where + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _build(value_node, where + (key,), doc, problems, text)
        return result
    raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover - PyYAML has only three kinds


_IMPLICIT_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
}


def _explicit_tag(node: yaml.ScalarNode, text: str) -> bool:
    """True when the scalar is written with a ``!tag`` before it."""
    return _source(node, text).startswith("!")


def _has_anchor(node: yaml.Node, text: str) -> bool:
    """PyYAML drops anchors from nodes; look at the source text where the node starts."""
    start = _source(node, text)
    return start.startswith("&") or start.startswith("*")


def _source(node: yaml.Node, text: str) -> str:
    return text[node.start_mark.index : node.start_mark.index + 1]
