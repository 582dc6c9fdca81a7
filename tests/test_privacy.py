"""Every page type, in a real Chromium: no request to another host, no console error, no CSP violation."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# One page of each type; calculator pages are checked once their results are shown.
PAGES = {
    "home": "",
    "call": "appels/cpam-flandres-2025/",
    "framework": "appels/cadre-national-1000-jours-2022/",
    "funder": "financeurs/cpam-flandres/",
    "funders": "financeurs/",
    "calendar": "calendrier/",
    "checklist": "appels/cpam-flandres-2025/checklist/",
    "open data": "donnees/",
    "publish": "publier/",
    "accessibility": "accessibilite/",
}

CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_page_stays_on_its_own_origin(site, serve, new_page, kind):
    """The page loads with zero requests elsewhere, zero console errors and zero CSP violations."""
    base = serve(site)
    page, log = new_page()
    page.add_init_script(CSP_PROBE)
    page.goto(base + PAGES[kind], wait_until="networkidle")
    assert log.foreign(base) == []
    assert log.errors == []
    assert log.not_found == []
    assert page.evaluate("window.__csp") == []
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "'unsafe-eval'" not in policy and "default-src 'self'" in policy


@pytest.mark.parametrize("kind", ["budget", "eligibilite"])
def test_calculator_page_works_under_the_policy(site, serve, new_page, kind):
    """The calculators start and answer under the CSP, without any foreign request."""
    base = serve(site)
    page, log = new_page()
    page.add_init_script(CSP_PROBE)
    page.goto(base + f"appels/cpam-flandres-2025/{kind}/")
    result = page.evaluate("""async (kind) => {
        const input = kind === 'budget'
          ? {actions: [{title: 'A', lines: [{category: 'personnel', profession: 'psychologue', hours: 2, hourly_rate: '55'}]}]}
          : {structure_type: 'association', department: '59'};
        return await window.calculators.evaluate(kind === 'budget' ? 'budget' : 'eligibility', 'cpam-flandres-2025', input);
    }""", kind)
    assert result["call"] == "cpam-flandres-2025"
    page.wait_for_load_state("networkidle")
    assert log.foreign(base) == []
    assert log.errors == []
    assert page.evaluate("window.__csp") == []
