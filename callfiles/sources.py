"""The official texts behind the calls (``calls/_sources/*.txt``): paragraphs, headings, citations.

A source text is plain UTF-8 as extracted from its PDF, DOCX or web page: paragraphs separated
by blank lines, lines wrapped by the extraction, tables as tab-separated lines, and some
leftovers of the extraction (``[bookmark: …]``, ``[image: ]``, ``**bold**``, ``<p>``).
:func:`parse` turns it into numbered blocks — each one a paragraph, a heading or a table row the
site anchors as ``#p-<number>`` — and answers two questions about it:

- where is this quotation? (:meth:`SourceText.cite`: the blocks and the exact words to highlight,
  or the fragments that cannot be found — a validation problem of the call file);
- where is the section this reference names? (:meth:`SourceText.section`, for dates and
  expenses that carry a reference but no quotation).

Quotations are compared after :func:`normalize`: case, accents, apostrophes, dashes, markup,
punctuation and spacing do not matter, words do. ``[…]`` in a quotation separates passages
quoted separately. Standard library only, no I/O: the loader reads the file.

>>> text = parse("guide", "1. CONTEXTE\\n\\nLes associations déclarées\\nen préfecture peuvent répondre.")
>>> [(b.number, b.kind, b.lines) for b in text.blocks]
[(1, 'heading', ('1. CONTEXTE',)), (2, 'paragraph', ('Les associations déclarées en préfecture peuvent répondre.',))]
>>> text.cite("associations declarees en Préfecture").block
2
>>> text.cite("associations dissoutes").missing
('associations dissoutes',)
>>> text.section("§ 1 « Contexte »")
1
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Literal

BlockKind = Literal["heading", "paragraph", "row"]

_BREAKS = re.compile(r"\n[ \t\u00a0\u200b]*\n")
_ELISION = re.compile(r"\[…\]|\[\.\.\.\]|…")
_TAG = re.compile(r"<[^<>\n]{1,200}>")
_LEFTOVERS = re.compile(r"\[(?:bookmark|image):[^\]]*\]", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\s]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_ITEM = re.compile(r"^(?:[-·•▪◦o*]\s|\d+[.)]\s|[a-zA-Z][.)]\s|[IVX]+[.)]\s)")
_NUMBERED_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]|\d+\.\d+|[A-Z][.)]|[a-z]\)|[IVX]+[.)])\s+\S")
_STRONG_HEADING = re.compile(r"^(?:\d+\.|[IVX]+\.)\s+[A-ZÉÈÀ]")
_SENTENCE_END = ".:;!?»)"
_KEPT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789%€")


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """What one character becomes once normalised: lower-case ASCII letters and digits, ``%``,
    ``€``, a space for anything else, nothing for the ``*`` of Markdown emphasis."""
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    decomposed = decomposed.lower().replace("œ", "oe").replace("æ", "ae").replace("*", "")
    return "".join(c if c in _KEPT else " " for c in decomposed)


def _normalize_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index in ``text`` it comes from."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        for folded in _fold(char):
            if folded == " " and (not out or out[-1] == " "):
                continue
            out.append(folded)
            where.append(index)
    if out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def normalize(text: str) -> str:
    """Compare texts without caring about case, accents, apostrophes, dashes, markup or spacing.

    >>> normalize("L’Œuvre — « 1 234,56 € » <b>*pour*</b> l'enfant")
    'l oeuvre 1 234 56 € pour l enfant'
    """
    return _normalize_map(_TAG.sub(" ", text))[0]


def fragments(quote: str) -> list[str]:
    """The passages of ``quote`` quoted separately (``[…]`` between them), normalised, empty ones dropped.

    >>> fragments("Les frais de repas ; […] les nuitées…")
    ['les frais de repas', 'les nuitees']
    """
    return [part for part in (normalize(p) for p in _ELISION.split(quote)) if part]


def clean_line(line: str) -> str:
    """One line as a reader should see it: extraction leftovers removed, links reduced to their text.

    >>> clean_line("[bookmark: _GoBack]Les **appels** sont encadrés par l'[instruction](#).<p>Fin</p>")
    "Les appels sont encadrés par l'instruction. Fin"
    """
    line = _LEFTOVERS.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _TAG.sub(" ", line).replace("*", "")
    return re.sub(r"[ \u00a0]{2,}", " ", line).strip()


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph, a heading or a table row of a source text, anchored as ``#p-<number>``."""

    number: int
    kind: BlockKind
    lines: tuple[str, ...]
    """Display lines; a table row is one line with its cells separated by tabs."""
    level: int = 0
    """2 or 3 for a heading (a numbered or upper-case title is 2), 0 otherwise."""
    table: int = 0
    """For a row, the number of its table: consecutive rows of one table share it."""


@dataclass(frozen=True, slots=True)
class Span:
    """Quoted words: characters ``start``–``end`` of line ``line`` of block number ``block``."""

    block: int
    line: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a quotation stands in its source text: the first block and every quoted span.

    ``missing`` lists the passages of the quotation (as written) that are not in the text; then
    ``block`` is None.
    """

    block: int | None
    spans: tuple[Span, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceText:
    """A parsed source text: its numbered blocks and a normalised copy to search quotations in."""

    name: str
    blocks: tuple[Block, ...]
    _text: str = field(repr=False)
    _where: tuple[tuple[int, int, int], ...] = field(repr=False)
    """For each character of ``_text``: (block number, line index, character index in the line)."""
    _cited: dict[str, Citation] = field(default_factory=dict, repr=False, compare=False)
    """Citations already found: thousands of calls may share a text and its quotes."""

    def cite(self, quote: str) -> Citation:
        """Find ``quote``: each of its fragments, in order, as close together as the text allows."""
        if quote not in self._cited:
            self._cited[quote] = self._find(quote)
        return self._cited[quote]

    def _find(self, quote: str) -> Citation:
        passages = [p.strip(" \t\n;,.") for p in _ELISION.split(quote)]
        pairs = [(normalize(p), p) for p in passages]
        parts = [norm for norm, _ in pairs if norm]
        missing = tuple(raw for norm, raw in pairs if norm and norm not in self._text)
        if missing or not parts:
            return Citation(None, missing=missing)
        best: list[tuple[int, int]] | None = None
        start = self._text.find(parts[0])
        tries = 0
        while start >= 0 and tries < 50:
            chain = [(start, start + len(parts[0]))]
            for part in parts[1:]:
                at = self._text.find(part, chain[-1][1])
                if at < 0:  # quoted out of order: take its first occurrence
                    at = self._text.find(part)
                chain.append((at, at + len(part)))
            if best is None or _extent(chain) < _extent(best):
                best = chain
            start = self._text.find(parts[0], start + 1)
            tries += 1
        assert best is not None  # parts[0] is in the text, so the loop ran at least once
        spans = tuple(span for begin, end in best for span in self._spans(begin, end))
        return Citation(self._where[best[0][0]][0], spans)

    def _spans(self, begin: int, end: int) -> list[Span]:
        """The normalised range ``begin``–``end`` as line spans of the display text."""
        spans: list[Span] = []
        for block, line, index in self._where[begin:end]:
            if spans and spans[-1].block == block and spans[-1].line == line:
                spans[-1] = Span(block, line, spans[-1].start, index + 1)
            else:
                spans.append(Span(block, line, index, index + 1))
        return spans

    def find(self, words: str, after: int = 0) -> int | None:
        """The first block, numbered ``after`` or later, holding ``words`` (normalised); None if none."""
        wanted = normalize(words)
        if not wanted:
            return None
        at = self._text.find(wanted)
        while at >= 0:
            if self._where[at][0] >= after:
                return self._where[at][0]
            at = self._text.find(wanted, at + 1)
        return None

    def section(self, reference: str) -> int | None:
        """The block a reference such as ``§ 3 c) 7. « Coût de coordination du projet »`` names.

        The titles between « » are looked up first among the headings, then at the start of a
        paragraph; without « », the reference itself (``Annexe 1``) at the start of a heading.
        None when nothing matches: the reference then stays plain text.
        """
        row = re.search(r"\bligne ([^,;«»]+)", reference)
        if row:
            name = normalize(row.group(1))
            found = _first([(b.number, normalize(b.lines[0].split("\t")[0])) for b in self.blocks if b.kind == "row"],
                           lambda text: text == name)
            if found:
                return found
        titles = [normalize(t) for t in re.findall(r"«\s*([^«»]+?)\s*»", reference)]
        if not titles:
            titles = [normalize(re.sub(r"^§\s*[\w.)]+(?:\s+[a-z]\))?(?:\s+\d+\.)?", "", reference.split(",")[0]))]
        for title in (t for t in titles if t):
            found = _first(self._headings(), partial(_heading_matches, title)) or _first(
                self._paragraphs(), partial(_paragraph_matches, title))
            if found:
                return found
        return None

    def _headings(self) -> list[tuple[int, str]]:
        return [(b.number, normalize(" ".join(b.lines))) for b in self.blocks if b.kind == "heading"]

    def _paragraphs(self) -> list[tuple[int, str]]:
        return [(b.number, normalize(" ".join(b.lines))) for b in self.blocks if b.kind == "paragraph"]


def _extent(chain: list[tuple[int, int]]) -> int:
    return max(end for _, end in chain) - min(begin for begin, _ in chain)


def _heading_matches(title: str, text: str) -> bool:
    return title == text or title in text


def _paragraph_matches(title: str, text: str) -> bool:
    return _unnumbered(text).startswith(title)


def _first(candidates: list[tuple[int, str]], matches: Callable[[str], bool]) -> int | None:
    """The number of the first candidate block whose normalised text ``matches``."""
    for number, text in candidates:
        if matches(text):
            return number
    return None


def _unnumbered(text: str) -> str:
    """``7 cout de coordination`` → ``cout de coordination`` (normalised text without its numbering)."""
    return re.sub(r"^(?:(?:\d+|[a-z]|[ivx]+)\s)+", "", text)


def _is_heading(line: str, raw: str) -> int:
    """The heading level of a one-line block (2 or 3), 0 when it reads as a paragraph."""
    if len(line) > 120 or not line or line[-1] in ";,":
        return 0
    if raw.lstrip().startswith("#"):
        return 2
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters):
        return 2
    if _NUMBERED_HEADING.match(line) and len(line) <= 100 and not line.endswith("."):
        return 2 if re.match(r"^(?:\d+\.|[IVX]+\.)\s", line) else 3
    stripped = raw.strip()
    if line.endswith("?") or (stripped.startswith("**") and stripped.endswith("**")):
        return 3
    return 0


def _strong_heading(line: str) -> bool:
    """A title the extraction left inside a paragraph: ``4. Fabrication d'outils``, ``MODALITES``."""
    if len(line) > 100 or line[-1] in ".;,:":
        return False
    letters = [c for c in line if c.isalpha()]
    capitals = len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
    return capitals or bool(_STRONG_HEADING.match(line))


def _segments(raw_lines: list[str]) -> list[tuple[list[str], str]]:
    """Cleaned lines grouped into paragraphs, a title found among them standing alone.

    Lines the extraction wrapped are joined; list items and finished sentences keep their own line.
    Each segment comes with the raw text of its first line (``**…**`` and ``#`` mark titles).
    """
    segments: list[tuple[list[str], str]] = []
    joinable = False
    for raw in raw_lines:
        line = clean_line(raw)
        if not line:
            continue
        alone = len(raw_lines) > 1 and _strong_heading(line)
        if alone or not segments:
            segments.append(([line], raw))
            joinable = not alone
        elif joinable and segments[-1][0][-1][-1] not in _SENTENCE_END and not _ITEM.match(line):
            segments[-1][0][-1] = f"{segments[-1][0][-1]} {line}"
        elif not joinable:
            segments.append(([line], raw))
            joinable = True
        else:
            segments[-1][0].append(line)
    return segments


def parse(name: str, text: str) -> SourceText:
    """Split ``text`` into numbered blocks and index it for :meth:`SourceText.cite`."""
    pending: list[tuple[BlockKind, list[str], int, int]] = []
    tables = 0
    for chunk in _BREAKS.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        raw_lines = [line for line in chunk.split("\n") if line.strip()]
        if not raw_lines:
            continue
        if len(raw_lines[0].split("\t")) > 1 and any(clean_line(line) for line in raw_lines):
            # Tab-separated lines: a table, one block per row, so that each row has its anchor. Rows
            # after a blank line still belong to the table above (the extraction cuts long cells).
            if not pending or pending[-1][0] != "row":
                tables += 1
            for line in raw_lines:
                # Leading empty cells are kept: a cell continued on the next line stays in its column.
                row = "\t".join(clean_line(cell) for cell in line.split("\t")).rstrip("\t")
                if row.strip():
                    pending.append(("row", [row], 0, tables))
            continue
        for lines, first_raw in _segments(raw_lines):
            level = _is_heading(lines[0], first_raw) if len(lines) == 1 else 0
            previous = pending[-1] if pending else None
            # A sentence the extraction cut across a blank line (PDF page or column breaks).
            if (not level and previous and previous[0] == "paragraph" and previous[1][-1][-1] not in _SENTENCE_END
                    and lines[0][0].islower()):
                previous[1][-1] = f"{previous[1][-1]} {lines[0]}"
                previous[1].extend(lines[1:])
                continue
            pending.append(("heading" if level else "paragraph", lines, level, 0))
    blocks = tuple(Block(n, kind, tuple(lines), level, table)
                   for n, (kind, lines, level, table) in enumerate(pending, start=1))
    return _index(name, blocks)


def _index(name: str, blocks: tuple[Block, ...]) -> SourceText:
    chars: list[str] = []
    where: list[tuple[int, int, int]] = []
    for block in blocks:
        for line_index, line in enumerate(block.lines):
            normalised, positions = _normalize_map(line)
            if not normalised:
                continue
            if chars:
                chars.append(" ")
                where.append((block.number, line_index, positions[0]))
            chars.extend(normalised)
            where.extend((block.number, line_index, p) for p in positions)
    return SourceText(name, blocks, "".join(chars), tuple(where))
