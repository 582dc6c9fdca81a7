"""The built site: seed pages show their dates, amounts and rules in French; bad files stop the build."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, build_copy, project_copy


def text_of(site: Path, url: str) -> str:
    """The visible text of a built page's article, with spaces normalised."""
    page = (site / url / "index.html").read_text(encoding="utf-8")
    article = page[page.index("<article"): page.index("</article>")]
    text = html.unescape(re.sub(r"<[^>]+>", " ", article))
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_home_page_lists_calls_by_status(site):
    """The home page groups calls as open, upcoming and closed, and links each call page."""
    page = (site / "index.html").read_text(encoding="utf-8")
    for heading in ("Appels ouverts", "Appels à venir", "Appels clos"):
        assert heading in page
    assert 'href="appels/cpam-val-de-marne-2026/"' in page
    assert 'lang="fr"' in page


def test_val_de_marne_page_shows_its_dates_and_conditions(site):
    """Deadline, reports and the working-capital rule of seed 000 appear in French."""
    text = text_of(site, "appels/cpam-val-de-marne-2026")
    assert "28 février 2026" in text
    assert "31 janvier 2027" in text and "30 juin 2027" in text
    assert "25 %" in text  # one quarter of operating costs
    assert "Association loi 1901" in text
    assert "subventions.cpam-val-de-marne@assurance-maladie.fr" in text


def test_flandres_page_shows_waves_caps_and_alternative_dates(site):
    """Both waves with « à minuit », the four hourly caps and « 16 avril … ou 7 mai 2025 »."""
    text = text_of(site, "appels/cpam-flandres-2025")
    assert "24 janvier 2025 à minuit (heure de Paris)" in text
    assert "11 avril 2025 à minuit (heure de Paris)" in text
    for cap in ("75 €/h", "60 €/h", "50 €/h", "40 €/h"):
        assert cap in text
    assert "16 avril 2025 ou 7 mai 2025" in text
    assert "24 avril ou 15 mai 2025" in text
    assert "5 %" in text
    assert "30 mai 2026" in text


def test_occitanie_page_shows_thresholds_and_hour(site):
    """Minimum spend 10 000 €, 90 % cap, and the deadline at 23 h 59."""
    text = text_of(site, "appels/occitanie-1000-jours-2021")
    assert "10 000 €" in text
    assert "90 %" in text
    assert "25 juillet 2021 à 23 h 59 (heure de Paris)" in text
    assert "ARS Occitanie" in text and "DREETS Occitanie" in text


def test_every_rule_shows_its_quote_and_reference(site, corpus):
    """The page renders each rule with the sentence of the call and its section."""
    call = corpus.calls["cpam-flandres-2025"]
    text = text_of(site, "appels/cpam-flandres-2025")
    for rule in (*call.budget_rules, *call.eligibility_rules):
        assert rule.info.reference in text
        assert re.sub(r"\s+", " ", rule.info.quote) in text


def test_funder_pages_list_their_calls(site):
    """/financeurs/ars-occitanie/ links the 2021 and 2022 Occitanie calls."""
    page = (site / "financeurs" / "ars-occitanie" / "index.html").read_text(encoding="utf-8")
    assert "appels/occitanie-1000-jours-2021/" in page
    assert "appels/occitanie-1000-jours-2022/" in page


def test_national_framework_page_lists_every_region(site):
    """The 2022 framework page has a row per region, with « Non » for those without a call."""
    text = text_of(site, "appels/cadre-national-1000-jours-2022")
    for region in ("Auvergne-Rhône-Alpes", "Normandie", "La Réunion", "Provence-Alpes-Côte d'Azur"):
        assert region in text
    assert text.count(" Non ") >= 6


def test_publishing_page_documents_every_schema_field(site):
    """« Publier un appel » shows the example file and a row per schema field."""
    page = (site / "publier" / "index.html").read_text(encoding="utf-8")
    assert "yaml-language-server" in page
    for field in ("milestones[].when", "rules.budget[].quote", "rules.eligibility[] (kind: working_capital)",
                  "apply.contacts[].email"):
        assert f"<code>{field}</code>" in page


def test_schema_is_published(site):
    """Editors can fetch the schema at /donnees/schema.json."""
    assert (site / "donnees" / "schema.json").read_bytes() == (ROOT / "calls" / "schema.json").read_bytes()


def test_no_page_requests_google_fonts(site):
    """Material's fonts are off: no page references a third-party font host."""
    for page in site.rglob("*.html"):
        assert "fonts.googleapis" not in page.read_text(encoding="utf-8"), page


# Hostile strings in call files (markup, template code, feed injections): test_hostile_outputs.py.


def test_an_invalid_call_file_stops_the_build_with_file_and_line(tmp_path):
    """A broken file fails `mkdocs build --strict` with file:line:col and writes no site."""
    bad = (ROOT / "tests" / "bad_calls" / "dates-out-of-order.yaml").read_text(encoding="utf-8")
    project = project_copy(tmp_path / "project", {"dates-out-of-order.yaml": bad})
    output = tmp_path / "out"
    result = build_copy(project, output)
    assert result.returncode != 0
    assert "calls/dates-out-of-order.yaml:" in result.stderr + result.stdout
    assert "dates dans le désordre" in result.stderr + result.stdout
    assert not output.exists() or not any(output.iterdir())


def test_search_indexes_what_a_call_is_about_not_its_fine_print(site, corpus):
    """The index the visitor's browser downloads keeps what a call is about (title, funder, summary,
    themes, axes, publics, regions); who may apply, dates, rules in detail, quotes, references and
    timelines stay on the page."""
    docs = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    call = corpus.calls["cpam-flandres-2025"]
    mine = [doc for doc in docs if doc["location"].split("#")[0] == f"appels/{call.id}/"]
    sections = {doc["location"].partition("#")[2] for doc in mine}
    assert {"", "thematiques", "publics-vises"} <= sections
    assert not sections & {"dates-limites", "qui-peut-candidater", "calendrier", "montants-et-regles-de-budget", "finance",
                           "non-finance", "texte-source", "criteres-de-selection", "comment-candidater", "dossier"}
    text = " ".join(doc["text"] for doc in mine)
    assert call.themes[0].label in text
    assert "§" not in text and "«" not in text  # references and quoted call text are left out
    page = (site / f"appels/{call.id}/index.html").read_text(encoding="utf-8")
    assert 'id="montants-et-regles-de-budget"' in page and "§ 3 c) 1." in page  # still on the page


@pytest.mark.parametrize(("page", "searched"), [
    ("appels/cpam-flandres-2025/index.md", True), ("financeurs/cpam-flandres/index.md", True), ("publier.md", True),
    ("appels/cpam-flandres-2025/budget/index.md", False), ("appels/cpam-flandres-2025/eligibilite/index.md", False),
    ("appels/cpam-flandres-2025/checklist/index.md", False), ("calendrier/index.md", False),
    ("calendrier/2025/index.md", False), ("calendrier/2025/04/index.md", False), ("calendrier/2025/04/2/index.md", False),
    ("calendrier/dates-non-publiees/index.md", False),
])
def test_only_pages_that_describe_calls_funders_or_the_site_are_searched(page, searched):
    from macros.hooks import SEARCH_EXCLUDED

    assert (SEARCH_EXCLUDED.fullmatch(page) is None) == searched


def test_a_question_for_some_structures_says_so_on_every_page_that_lists_it(site, corpus):
    """Occitanie 2021 asks « déclarée en préfecture » of associations only: the call page, the
    checklist and the eligibility page's rules say to whom the question is put."""
    label = corpus.vocabulary.structure_types["association"]
    for page in ("", "checklist/", "eligibilite/"):
        text = html.unescape((site / f"appels/occitanie-1000-jours-2021/{page}index.html").read_text(encoding="utf-8"))
        assert f"est-elle déclarée en préfecture ? (question posée seulement aux structures : {label})" in text, page
