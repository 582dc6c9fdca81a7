"""Accessibility of every page type: axe-core finds nothing serious, the layout holds at 320 px,
and every page's footer links the accessibility statement.

axe-core comes from ``node_modules/axe-core`` (``npm ci``), never from a CDN. Its source is run
with ``page.evaluate``, which goes through the DevTools protocol: the page's
Content-Security-Policy (no inline script) stays in force for the page's own scripts and does
not apply to code the test harness evaluates, so no ``bypass_csp`` context is needed.

``docs/accessibilite.md`` states these checks; :func:`test_the_statement_lists_what_is_checked`
keeps the page and the tests in step.
"""

from __future__ import annotations

import html.parser
import posixpath
import re
from collections.abc import Callable
from typing import Any

import pytest
from browser_support import wait_until
from conftest import ROOT

AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
NARROW = {"width": 320, "height": 640}


def break_a_cap(page: Any) -> None:
    """A doctor at 80 €/h (cap 75 €), a co-funder and an « other » line: findings on screen."""
    wait_until(page, "() => window.calculators && window.calculators.status().phase === 'ready'", timeout=90)
    wait_until(page, "() => document.getElementById('calculateur')?.dataset.state === 'ready'")
    line = page.locator(".calc-section--hours .calc-line:not(.calc-line--header)").first
    line.get_by_label("Intervenant").select_option("medecin")
    line.get_by_label("Heures").fill("6")
    line.get_by_label("Taux horaire (€)").fill("80")
    page.locator("[data-action=add-line][data-section=autres]").first.click()
    page.locator(".calc-section--amount .calc-line:not(.calc-line--header) [data-name=amount]").last.fill("50")
    page.locator("[data-action=add-cofunder]").click()
    page.locator(".calc-line--cofunder [data-name=name]").fill("Ville")
    page.locator(".calc-line--cofunder [data-name=amount]").fill("30")
    wait_until(page, "() => /ne respecte/.test(document.querySelector('.calc-summary')?.textContent ?? '')")
    # The result is announced (a status region) and the finding is tied to the field it is about.
    assert page.locator(".calc-summary").get_attribute("role") == "status"
    finding = line.locator(".calc-finding--error")
    assert finding.get_attribute("id") in line.get_by_label("Taux horaire (€)").get_attribute("aria-describedby").split()


def show_a_verdict(page: Any) -> None:
    """A company: « Non éligible », with its reasons and what is still unanswered."""
    wait_until(page, "() => window.calculators && window.calculators.status().phase === 'ready'", timeout=90)
    wait_until(page, "() => document.getElementById('calculateur')?.dataset.state === 'ready'")
    page.locator("#elig-structure_type").select_option("entreprise")
    wait_until(page, "() => document.querySelector('.calc-verdict')?.dataset.verdict === 'not-eligible'")
    assert page.locator(".calc-verdict .calc-missing li").count() >= 1
    assert page.locator(".calc-verdict [role=status]").count() == 1
    finding = page.locator("#regle-structures-eligibles .calc-finding--error")
    assert finding.get_attribute("id") in page.locator("#elig-structure_type").get_attribute("aria-describedby").split()


def nothing(page: Any) -> None:
    pass


def find_calls(page: Any) -> None:
    """A CCAS in Haute-Garonne in July 2021: results listed, « Pas pour vous » opened."""
    wait_until(page, "() => document.querySelectorAll('.aap-result').length > 0", timeout=30)
    page.locator(".aap-finder__group--refused summary").click()
    wait_until(page, "() => document.querySelectorAll('.aap-finder__group--refused .aap-result').length > 0")


# French names as docs/accessibilite.md lists them → (URL, what to do before the checks).
PAGES: dict[str, tuple[str, Callable[[Any], None]]] = {
    "accueil": ("", nothing),
    "page d'un appel": ("appels/cpam-flandres-2025/", nothing),
    "cadre national": ("appels/cadre-national-1000-jours-2022/", nothing),
    "page d'un financeur": ("financeurs/cpam-flandres/", nothing),
    "liste des financeurs": ("financeurs/", nothing),
    "calendrier": ("calendrier/", nothing),
    "calendrier d'une année": ("calendrier/2025/", nothing),
    "liste de contrôle": ("appels/cpam-flandres-2025/checklist/", nothing),
    "données ouvertes": ("donnees/", nothing),
    "guide de publication": ("publier/", nothing),
    "déclaration d'accessibilité": ("accessibilite/", nothing),
    "texte source d'un appel": ("textes/cpam-flandres-2025/", nothing),
    "recherche d'appels avec des résultats affichés": ("trouver/#type=ccas&dep=31&date=2021-07-01", find_calls),
    "simulateur de budget avec des résultats affichés": ("appels/cpam-flandres-2025/budget/", break_a_cap),
    "vérification d'éligibilité avec un verdict affiché": ("appels/cpam-flandres-2025/eligibilite/", show_a_verdict),
}


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now."""
    if not AXE_SOURCE.is_file():
        pytest.fail("axe-core is missing from node_modules: run `npm ci` (or `bash scripts/dev.sh setup`)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;void 0")
    return page.evaluate("""async (tags) => {
        const results = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return results.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary}`)}));
    }""", WCAG_TAGS)


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violation_and_no_horizontal_scroll_at_320_px(site, serve, new_page, name):
    """axe-core (WCAG 2.1 A/AA) finds nothing serious or critical; at 320 px nothing scrolls sideways."""
    url, prepare = PAGES[name]
    page, log = new_page(viewport={"width": 1280, "height": 900})
    page.goto(serve(site) + url, wait_until="networkidle")
    prepare(page)
    violations = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert violations == [], "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n  " + "\n  ".join(v["nodes"][:5])
                                        for v in violations)
    page.set_viewport_size(NARROW)
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 321 && e.getBoundingClientRect().width > 0)
        .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`)""")
    assert width <= NARROW["width"], f"{width} px wide at 320 px: {wide}"
    assert log.errors == []


# ---------------------------------------------------------------- footer (static, every page)

class FooterLinks(html.parser.HTMLParser):
    """The href of every link inside the page's <footer> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "footer":
            self.depth += 1
        elif tag == "a" and self.depth:
            self._href, self._text = dict(attrs).get("href") or "", ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "footer":
            self.depth -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, re.sub(r"\s+", " ", self._text).strip()))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data


def test_every_page_footer_links_the_accessibility_statement(site):
    """Each page's footer has « Accessibilité : … » with a relative link that resolves to /accessibilite/."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        parser = FooterLinks()
        parser.feed(path.read_text(encoding="utf-8"))
        links = [href for href, text in parser.links if text.startswith("Accessibilité")]
        assert len(links) == 1, f"{path}: {parser.links}"
        href = links[0]
        page_dir = path.parent.relative_to(site).as_posix()
        target = href if href.startswith("/") else posixpath.normpath(posixpath.join("/", page_dir, href))
        assert target.rstrip("/") == "/accessibilite", f"{path}: {href}"
        if path.name != "404.html":  # the 404 page is served at any depth: its links are absolute
            assert not href.startswith(("/", "http")), f"{path}: {href} is not relative"
    assert (site / "accessibilite" / "index.html").is_file()


def test_the_statement_lists_what_is_checked():
    """docs/accessibilite.md names every page type these tests check, and the checks themselves."""
    text = re.sub(r"\s+", " ", (ROOT / "docs" / "accessibilite.md").read_text(encoding="utf-8"))
    for name in PAGES:
        assert name in text, name
    for claim in ("axe-core", "WCAG 2.1", "grave ou critique", "320 pixels", "lien d'évitement",
                  "focus visible", "piège au clavier", "aria-invalid", "formule"):
        assert claim in text, claim


def _contrast(rgb: str) -> float:
    """Contrast ratio of an ``rgb(r, g, b)`` colour on white (WCAG formula)."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_a_link_under_the_pointer_keeps_its_contrast(site, serve, new_page):
    """Hovered, a link takes the accent colour: it still reads at 4.5:1 on white (Material's indigo did not)."""
    page, _ = new_page()
    page.goto(serve(site) + "appels/cpam-flandres-2025/")
    link = page.locator("#contenu a[href]").first
    link.hover()
    color = link.evaluate("(a) => getComputedStyle(a).color")
    assert _contrast(color) >= 4.5, color
