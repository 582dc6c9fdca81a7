"""Source texts: paragraphs and headings recognised, quotations found, references resolved to a section."""

from __future__ import annotations

import pytest
from conftest import CALLS

from callfiles.sources import normalize, parse

TEXT = """1. CONTEXTE

[bookmark: _GoBack]La CPAM souhaite soutenir des actions
de prévention.

2. L'APPEL A PROJETS
Les actions devront se terminer au plus tard le 30 mai 2026 ;
· être cofinancées ;
· Les frais de repas.

QUI PEUT RÉPONDRE ?

Région\tAppel à projets\tDate limite
Bretagne\tOui\tA venir

Le dossier est déposé avant la date limite, qui est
fixée par la CPAM

au 24 janvier 2025 à minuit.
"""


@pytest.fixture(scope="module")
def text():
    return parse("exemple", TEXT)


def test_headings_paragraphs_and_table_rows_are_numbered_blocks(text):
    """Each title, paragraph and table row is one block, numbered from 1 in reading order."""
    kinds = [(b.number, b.kind, b.level) for b in text.blocks]
    assert kinds == [(1, "heading", 2), (2, "paragraph", 0), (3, "heading", 2), (4, "paragraph", 0),
                     (5, "heading", 2), (6, "row", 0), (7, "row", 0), (8, "paragraph", 0)]


def test_extraction_leftovers_are_removed_and_wrapped_lines_joined(text):
    """« [bookmark: …] » disappears; a line the extraction wrapped is joined; list items keep their line."""
    assert text.blocks[1].lines == ("La CPAM souhaite soutenir des actions de prévention.",)
    assert text.blocks[3].lines == ("Les actions devront se terminer au plus tard le 30 mai 2026 ;",
                                    "· être cofinancées ;", "· Les frais de repas.")


def test_a_sentence_cut_by_a_page_break_is_one_paragraph(text):
    """A paragraph ending mid-sentence and the next starting in lower case are one block."""
    assert text.blocks[7].lines == (
        "Le dossier est déposé avant la date limite, qui est fixée par la CPAM au 24 janvier 2025 à minuit.",)


def test_a_table_row_keeps_its_cells(text):
    """Tab-separated cells stay apart, for the page to show them as a table."""
    assert text.blocks[6].lines[0].split("\t") == ["Bretagne", "Oui", "A venir"]


def test_a_quotation_is_found_whatever_its_case_accents_and_punctuation(text):
    """« LES ACTIONS DEVRONT se terminer » is found in paragraph 4."""
    citation = text.cite("LES ACTIONS DEVRONT se terminer au plus tard")
    assert citation.block == 4
    assert citation.missing == ()
    assert [(s.block, s.line) for s in citation.spans] == [(4, 0)]
    span = citation.spans[0]
    assert text.blocks[3].lines[0][span.start:span.end] == "Les actions devront se terminer au plus tard"


def test_passages_separated_by_an_ellipsis_are_each_marked(text):
    """« […] » separates passages: each is found and marked on its own line."""
    citation = text.cite("devront se terminer […] les frais de repas")
    assert citation.block == 4
    marked = [text.blocks[s.block - 1].lines[s.line][s.start:s.end] for s in citation.spans]
    assert marked == ["devront se terminer", "Les frais de repas"]


def test_a_quotation_across_a_page_break_is_found(text):
    """Words joined across the cut paragraph are found in one block."""
    assert text.cite("fixée par la CPAM au 24 janvier 2025").block == 8


def test_a_passage_not_in_the_text_is_reported_as_written(text):
    """The missing passage comes back as the call file wrote it, for the error message."""
    citation = text.cite("Les actions devront […] être financées à 100 %")
    assert citation.block is None
    assert citation.missing == ("être financées à 100 %",)


def test_the_closest_occurrence_is_chosen_when_a_passage_repeats():
    """With a passage repeated, the occurrence followed closely by the next passage is the citation."""
    source = parse("x", "Non éligibles : les repas.\n\nAutre chose.\n\nNon éligibles : les nuitées.")
    assert source.cite("Non éligibles […] les nuitées").block == 3


@pytest.mark.parametrize(("reference", "block"), [
    ("§ 2 « L'appel à projets »", 3),
    ("§ 2 « Qui peut répondre ? »", 5),
    ("Tableau des régions, ligne Bretagne, colonne « Date limite »", 7),
    ("§ 1", None),
    ("« Un titre absent »", None),
])
def test_a_reference_leads_to_the_section_it_names(text, reference, block):
    """The title between « » names a heading (or a row, with « ligne … »); nothing found is None."""
    assert text.section(reference) == block


def test_every_seed_quote_is_located_in_its_text(corpus):
    """Every rule of every seed call has a block, and the block's text holds the start of the quote."""
    texts = {name: parse(name, (CALLS / "_sources" / name).read_text(encoding="utf-8"))
             for name in {c.source.file for c in corpus.calls.values() if c.source.file}}
    for call in corpus.calls.values():
        source = texts[call.source.file]
        for rule in (*call.budget_rules, *call.eligibility_rules):
            citation = source.cite(rule.info.quote)
            assert citation.block is not None, (call.id, rule.info.id)
            first = citation.spans[0]
            assert first.block == citation.block
            words = normalize(source.blocks[first.block - 1].lines[first.line][first.start:first.end])
            assert normalize(rule.info.quote).startswith(words[:20]), (call.id, rule.info.id, words)
