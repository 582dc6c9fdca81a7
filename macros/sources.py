"""The source-text pages (``/textes/<nom>/``) and the links from every reference to them.

A call file names its text with ``source.file`` (``calls/_sources/<nom>.txt``); several calls
may share one (the 2022 national page and its twelve regional calls). Each text gets one page,
its blocks numbered and anchored ``#p-<n>`` (:mod:`callfiles.sources` splits and searches it).
A rule's reference links to the block holding its quote; a date's, an expense's or an
obligation's reference to the section it names, when it can be found; otherwise it stays text.

>>> from callfiles.sources import parse
>>> text = parse("guide", "1. CONTEXTE\\n\\nLes associations déclarées peuvent répondre.")
>>> links = References(text)
>>> links.href("§ 1 « Contexte »"), links.href("Annexe 9"), links.href("§ 1", "associations déclarées")
('textes/guide/#p-1', None, 'textes/guide/#p-2')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from markupsafe import Markup, escape

from callfiles.sources import Block, SourceText


def page_url(name: str) -> str:
    """``cpam-flandres-2025.txt`` → ``textes/cpam-flandres-2025/`` (relative to the site root)."""
    return f"textes/{name.removesuffix('.txt')}/"


@dataclass
class References:
    """Where the references of the calls citing one source text point, computed once per text."""

    text: SourceText | None
    _cache: dict[tuple[str, str | None, str | None], str | None] = field(default_factory=dict)

    def href(self, reference: str, quote: str = "", hint: str = "") -> str | None:
        """The link (relative to the site root) for ``reference``, at ``quote`` when there is one.

        Without a quote, ``hint`` — words of the text the item states, such as a milestone's
        « 24 janvier 2025 à minuit » — leads past the section's heading to the paragraph holding them.
        """
        if self.text is None:
            return None
        key = (reference, quote, hint)
        if key not in self._cache:
            block = self.text.cite(quote).block if quote else None
            if block is None:
                section = self.text.section(reference)
                block = (self.text.find(hint, section or 0) if hint else None) or section
            self._cache[key] = f"{page_url(self.text.name)}#p-{block}" if block else None
        return self._cache[key]


def linker(references: References | None, root: str) -> Any:
    """A template function: ``refs(item)`` is the item's reference, a link when it can be one.

    ``item`` is anything with ``reference`` (and ``quote`` for a rule's ``info``).
    """

    def refs(item: Any) -> Markup:
        reference = item.reference
        hint = getattr(getattr(item, "when", None), "text", None) or ""  # a milestone's date as the text words it
        href = references.href(reference, getattr(item, "quote", "") or "", hint) if references else None
        if href is None:
            return escape(reference)
        return Markup('<a class="aap-ref-link" href="{}{}">{}</a>').format(root, href, reference)

    return refs


def rule_links(references: References | None, rules: Iterable[Any]) -> dict[str, str]:
    """``{rule id: link relative to the site root}`` for the calculators' findings (read by their script)."""
    if references is None:
        return {}
    links = {}
    for rule in rules:
        href = references.href(rule.info.reference, rule.info.quote)
        if href:
            links[rule.info.id] = href
    return links


# --- the page of a source text ----------------------------------------------------------------

def body(text: SourceText, quotes: Iterable[str]) -> Markup:
    """The text as HTML: one element per block with its number and anchor, quoted words marked.

    ``quotes`` are the quotations of every rule citing this text; the words of quote ``k`` are
    wrapped in ``<mark data-cite="k">`` (a span several quotes share lists them all).
    """
    marks: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for k, quote in enumerate(dict.fromkeys(quotes)):
        for span in text.cite(quote).spans:
            marks.setdefault((span.block, span.line), []).append((span.start, span.end, k))
    parts: list[str] = []
    table_open = 0
    for block in text.blocks:
        if block.kind == "row" and block.table != table_open:
            if table_open:
                parts.append("</tbody></table></div>")
            parts.append('<div class="src-table"><table><tbody>')
            table_open = block.table
        elif block.kind != "row" and table_open:
            parts.append("</tbody></table></div>")
            table_open = 0
        parts.append(_block(block, marks))
    if table_open:
        parts.append("</tbody></table></div>")
    return Markup("\n".join(parts))


def _number(block: Block) -> str:
    return (f'<a class="src-num" href="#p-{block.number}" aria-label="Paragraphe {block.number}">'
            f"{block.number}</a>")


def _block(block: Block, marks: Mapping[tuple[int, int], list[tuple[int, int, int]]]) -> str:
    lines = [_marked(line, marks.get((block.number, i), [])) for i, line in enumerate(block.lines)]
    anchor = f'id="p-{block.number}"'
    if block.kind == "heading":
        return f'<h{block.level} {anchor} class="src-block src-heading">{_number(block)} {lines[0]}</h{block.level}>'
    if block.kind == "row":
        cells = lines[0].split("\t")
        first, rest = cells[0], cells[1:]
        tds = "".join(f"<td>{cell}</td>" for cell in rest)
        return f'<tr {anchor} class="src-block"><td class="src-num-cell">{_number(block)}</td><td>{first}</td>{tds}</tr>'
    return f'<p {anchor} class="src-block">{_number(block)} {"<br>".join(lines)}</p>'


def _marked(line: str, spans: list[tuple[int, int, int]]) -> str:
    """``line`` HTML-escaped, each quoted range in a ``<mark>`` naming the quotes it belongs to.

    Tabs (table cells) are kept, outside any mark, for :func:`_block` to split on.
    """
    if not spans:
        return str(escape(line))
    bounds = sorted({0, len(line), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[str] = []
    for start, end in pairwise(bounds):
        ids = sorted({k for s, e, k in spans if s <= start and end <= e})
        for n, piece in enumerate(line[start:end].split("\t")):
            if n:
                out.append("\t")
            if ids and piece.strip():
                out.append(f'<mark class="src-cite" data-cite="{" ".join(map(str, ids))}">{escape(piece)}</mark>')
            else:
                out.append(str(escape(piece)))
    return "".join(out)

