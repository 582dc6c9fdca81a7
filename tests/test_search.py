"""Site search: Pagefind's index of the built site, and the header's search box over it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import wait_until

from macros.search import document

# Every page of the index with its text and sections, read through pagefind.js itself.
INDEX = """async () => {
  const pf = await import('/pagefind/pagefind.js');
  const all = await pf.search(null, {filters: {type: {any: ['appel', 'financeur', 'page']}}});
  return Promise.all(all.results.map(async (r) => {
    const d = await r.data();
    return {url: d.url, title: d.meta.title, type: d.filters.type, content: d.content,
            anchors: d.anchors.map((a) => a.id)};
  }));
}"""


def search_for(page: Any, words: str) -> str:
    """Type ``words`` into the header's box; the status line once it names them."""
    page.fill("input.md-search__input", words)
    # The first query loads Pagefind (its script, wasm and index) cold: allow for a busy machine.
    wait_until(page, "(q) => document.querySelector('.md-search-result__meta').textContent.includes('pour « ' + q + ' »')",
               words, timeout=30)
    return page.locator(".md-search-result__meta").inner_text()


def test_an_excluded_heading_takes_its_section_with_it():
    """As with Material's search: `data-search-exclude` drops an element, or a heading and its whole section."""
    html = ('<p>Résumé du projet</p><h2 id="axes">Axes</h2><p>Prévention <span data-search-exclude>(§ 2)</span></p>'
            '<h2 id="dates" data-search-exclude>Dates limites</h2><p>Le 12 mars</p><h3 id="suite">Suite</h3><p>Repris</p>')
    doc = document(html, "Un appel", "appels/un-appel/")
    assert '<h1 data-pagefind-meta="title">Un appel</h1>' in doc
    assert 'id="axes"' in doc and "Prévention" in doc and "Résumé du projet" in doc
    assert "§ 2" not in doc and "Dates limites" not in doc and "12 mars" not in doc
    assert 'id="suite"' in doc and "Repris" in doc  # the next heading starts a kept section
    assert 'data-pagefind-filter="type:appel"' in doc and '<html lang="fr">' in doc


def test_markup_in_a_title_stays_text():
    """A title is escaped into the indexed document, once: never parsed as markup, never shown with entities."""
    doc = document("<p>x</p>", "<script>alert(1)</script> & co", "appels/x/")
    assert "<script>" not in doc and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in doc
    # Generated pages give their title escaped already: it is not escaped twice.
    assert ">L&#39;appel &amp; co</h1>" not in document("<p>x</p>", "L&#39;appel &amp; co")
    assert ">L'appel &amp; co</h1>" in document("<p>x</p>", "L&#39;appel &amp; co")


def test_the_site_ships_pagefind_and_not_materials_index(site):
    """The index is Pagefind's, split in fragments; Material's whole-site index and its worker are gone."""
    assert not (site / "search" / "search_index.json").exists()
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert len(list((site / "pagefind" / "fragment").iterdir())) > 10
    assert not (site / "pagefind" / "pagefind-ui.js").exists()  # Pagefind's own interface is not used
    home = (site / "index.html").read_text(encoding="utf-8")
    header = re.search(r'<header class="md-header.*?</header>', home, re.S).group(0)
    assert 'id="aap-recherche"' in header and 'data-md-component="search"' not in header


browser = pytest.mark.browser


@browser
def test_the_index_keeps_what_pages_are_about_not_the_fine_print(site, serve, new_page, corpus):
    """Calls, funders and site pages are indexed; tools, calendars and source texts are not; a call
    keeps its title, summary, themes and publics, not its dates, rules in detail or references."""
    page, log = new_page()
    page.goto(serve(site) + "financeurs/")
    pages = page.evaluate(INDEX)
    urls = {p["url"] for p in pages}
    assert "/appels/cpam-flandres-2025/" in urls and "/financeurs/cpam-flandres/" in urls and "/publier/" in urls
    assert not [u for u in urls
                if u.startswith(("/textes/", "/calendrier/")) or re.search(r"/(budget|eligibilite|checklist)/$", u)]
    assert "/trouver/" not in urls
    call = corpus.calls["cpam-flandres-2025"]
    mine = next(p for p in pages if p["url"] == f"/appels/{call.id}/")
    assert mine["title"] == call.title and mine["type"] == ["appel"]
    assert {"thematiques", "publics-vises"} <= set(mine["anchors"])
    assert not set(mine["anchors"]) & {"dates-limites", "qui-peut-candidater", "calendrier", "montants-et-regles-de-budget",
                                       "finance", "non-finance", "texte-source", "criteres-de-selection", "dossier"}
    assert call.themes[0].label in mine["content"]
    assert "§" not in mine["content"] and "«" not in mine["content"]
    assert log.errors == []


@browser
@pytest.mark.parametrize(("typed", "found"),
                         [("médecin", "médecins"), ("precarite", "précarité"), ("Parentalite", "parentalité")])
def test_accents_and_plurals_do_not_matter(site, serve, new_page, typed, found):
    """A word typed without its accents or in the singular finds the page that has it otherwise."""
    base = serve(site)
    page, log = new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "calendrier/")
    assert not page.locator(".aap-search-open").is_visible()  # a wide screen shows the field itself
    page.click("input.md-search__input")
    status = search_for(page, typed)
    assert re.fullmatch(rf"\d+ résultats? pour « {typed} »\.", status), status
    marks = [m.lower() for m in page.locator(".md-search-result__list mark").all_inner_texts()]
    assert any(found in m for m in marks), marks
    page.keyboard.press("Escape")  # closes, the focus stays in the field
    page.locator(".md-search__output").wait_for(state="hidden", timeout=2000)
    assert page.evaluate("() => document.activeElement.matches('input.md-search__input')")
    assert log.errors == [] and log.foreign(base) == []


@browser
def test_the_search_box_on_a_phone_with_the_keyboard(site, serve, new_page):
    """At 390 px: the magnifier button opens the box, the field has the focus, the result count is
    announced, ↓ reaches the first result, Échap closes and gives the focus back to the button."""
    base = serve(site)
    page, log = new_page(viewport={"width": 390, "height": 844})
    page.goto(base + "appels/cpam-flandres-2025/")
    assert not page.locator("input.md-search__input").is_visible()
    opener = page.get_by_role("button", name="Rechercher sur le site")
    assert opener.get_attribute("aria-expanded") == "false"
    opener.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.matches('input.md-search__input')")
    assert opener.get_attribute("aria-expanded") == "true"
    page.keyboard.type("zzqxw")
    wait_until(page, "() => /Aucun résultat pour « zzqxw »/"
                     ".test(document.querySelector('[role=status].md-search-result__meta').textContent)")
    page.fill("input.md-search__input", "")
    status = search_for(page, "parentalité")
    assert re.fullmatch(r"\d+ résultats pour « parentalité »\.", status)
    first = page.locator(".md-search-result__link").first
    # The panel slides in (Material's transition): measure once it has come to rest.
    wait_until(page, "() => document.querySelector('.md-search-result__link').getBoundingClientRect().x >= 0")
    box = first.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390  # inside the screen
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement === document.querySelector('.md-search-result__link')")
    href = first.get_attribute("href")
    page.keyboard.press("Escape")
    page.locator("input.md-search__input").wait_for(state="hidden", timeout=2000)
    assert page.evaluate("() => document.activeElement.matches('.aap-search-open')")
    # The links lead to the pages, under any sub-path (relative to the site's root).
    assert href.startswith("/") and (page.request.get(base + href.lstrip("/")).status == 200)
    assert log.errors == [] and log.not_found == []


@browser
def test_a_query_loads_fragments_not_the_whole_index(site, serve, new_page):
    """Nothing is fetched for the search until the box is used; then only pagefind files of this site."""
    base = serve(site)
    page, log = new_page(viewport={"width": 1280, "height": 900})
    page.goto(base, wait_until="networkidle")
    assert log.urls(lambda u: "/pagefind/" in u or "search" in u) == []
    page.click("input.md-search__input")
    search_for(page, "coordination")
    fetched = log.urls(lambda u: "/pagefind/" in u)
    assert any(u.endswith("pagefind.js") for u in fetched) and any(".pf_fragment" in u for u in fetched)
    fragments = len(list((site / "pagefind" / "fragment").iterdir()))
    assert len([u for u in fetched if ".pf_fragment" in u]) < fragments
    assert log.foreign(base) == [] and log.errors == []
