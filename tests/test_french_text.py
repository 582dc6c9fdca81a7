"""The site speaks French: no English phrase in what a visitor reads, on any built page.

Visible text is the text of the body (scripts, styles and templates aside), plus what the
browser shows or reads out from attributes (aria-label, title, alt, placeholder). Inline
``<code>`` holds field names and values that are genuinely code; a ``<pre>`` block is code
too, but its comments are prose addressed to the reader (the annotated call file on
« Publier un appel »), so they are scanned.
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import pytest
from browser_support import open_calculator

ENGLISH = ("Made with", "Loading", "Search", "compilation de python", "(webassembly)", "Annotated", "copy this file",
           "Every rule", "Amounts are", "Skip to content", "Back to top", "Powered by", "alternatives keep")
"""Phrases seen in English on the site (Material's generator line, the example's comments, the calculators'
start-up) or that a theme or library might bring back."""

PATTERN = re.compile("|".join(rf"(?<!\w){re.escape(phrase)}(?!\w)" for phrase in ENGLISH), re.IGNORECASE)
COMMENT = re.compile(r"(?:^|\s)#(.*)$", re.MULTILINE)
SHOWN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


class VisibleText(html.parser.HTMLParser):
    """Collects what a visitor reads on a page: text, code comments, labelling attributes."""

    SKIPPED = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.code = 0
        self.pre = 0
        self.pre_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "code":
            self.code += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            if not self.pre:
                self.parts.extend(match.group(1) for match in COMMENT.finditer("".join(self.pre_text)))
                self.pre_text = []
        elif tag == "code":
            self.code = max(0, self.code - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            self.pre_text.append(data)
        elif not self.code:
            self.parts.append(data)


def visible_text(page: Path) -> str:
    parser = VisibleText()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return "\n".join(parser.parts)


def test_visible_text_includes_comments_of_code_blocks_but_not_their_code():
    """The scan reads a <pre> block's comments and skips its code, inline code and scripts."""
    parser = VisibleText()
    parser.feed('<p>Texte <code>Search</code></p><pre><code>key: "Loading" # Made with love\n# Annotated</code></pre>'
                '<script>var Search = 1;</script><button aria-label="Back to top"></button>')
    text = "\n".join(parser.parts)
    assert sorted(PATTERN.findall(text)) == ["Annotated", "Back to top", "Made with"]


def test_no_built_page_shows_english_phrases(site):
    """No built page's visible text contains a phrase of the English list."""
    found = {}
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        hits = sorted(set(PATTERN.findall(visible_text(page))))
        if hits:
            found[str(page.relative_to(site))] = hits
    assert found == {}


def test_the_annotated_example_on_publier_is_commented_in_french(site):
    """« Publier un appel » shows the example call file with French comments."""
    text = visible_text(site / "publier" / "index.html")
    assert "Exemple commenté : copiez ce fichier pour publier un nouvel appel." in text
    assert "Les montants sont exacts" in text


def test_no_footer_credits_the_theme_in_english(site):
    """The footer has no « Made with Material for MkDocs » line; the accessibility page credits the tools in French."""
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "md-footer-meta" in home
    assert "md-copyright__highlight" not in home and "squidfunk" not in home
    assert "construit avec les logiciels libres MkDocs" in visible_text(site / "accessibilite" / "index.html")


RECORD_STATUS = """
window.__statusTexts = [];
new MutationObserver(() => {
  const status = document.querySelector('#calculateur .calc-status p');
  if (status && status.textContent !== window.__statusTexts[window.__statusTexts.length - 1]) {
    window.__statusTexts.push(status.textContent);
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


@pytest.mark.browser
def test_the_calculators_start_up_messages_are_french(site, serve, new_page):
    """Every message shown while the calculator loads is French (no « compilation de python (webassembly) »),
    « Python » with its capital."""
    base = serve(site)
    page, log = new_page()
    page.add_init_script(RECORD_STATUS)
    open_calculator(page, base + "appels/cpam-flandres-2025/eligibilite/")
    texts = page.evaluate("window.__statusTexts")
    loading = [text for text in texts if text.startswith("Chargement du calculateur")]
    assert any("moteur de calcul" in text for text in loading), texts
    assert [text for text in texts if PATTERN.search(text) or "webassembly" in text.lower()] == []
    assert any("démarrage de Python" in text for text in loading), texts  # a name keeps its capital
    assert not log.errors


def test_the_not_found_page_is_in_french_with_absolute_links(site):
    """/404.html says « Page introuvable » (not Material's « 404 - Not found ») and links home from any depth."""
    page = (site / "404.html").read_text(encoding="utf-8")
    assert "<h1>Page introuvable</h1>" in page and "Not found" not in page
    assert 'href="/trouver/"' in page and 'href="//' not in page
