"""The home page leads somewhere: the main sections from its top, the calculators from its words."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from macros.main import calls_with_tools

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_the_home_page_lists_every_calculator_of_its_calls(site, corpus):
    """The « simulateurs » section links to the budget and eligibility pages of each listed call, and they exist."""
    html = (site / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="simulateurs"'):]
    today = dt.date.today()
    expected = calls_with_tools(corpus.calls.values(), today)
    assert expected, "the seed calls have calculators: the test means something"
    for call in expected:
        for slug, rules in (("budget", call.budget_rules), ("eligibilite", call.eligibility_rules)):
            link = f'href="appels/{call.id}/{slug}/"'
            assert (link in section) == bool(rules), (call.id, slug)
            if rules:
                assert (site / f"appels/{call.id}/{slug}/index.html").exists()
    assert all(corpus.calls[call_id].kind == "call" for call_id in re.findall(r'href="appels/([^/]+)/budget/"', section))


@pytest.mark.browser
def test_on_a_desktop_the_main_sections_are_in_view_at_the_top_of_the_home_page(site, serve, new_page):
    """At 1280 px the navigation shows Calendrier and Financeurs without scrolling; the bold phrases are links to
    the calculators."""
    base = serve(site)
    page, log = new_page(viewport=WIDE)
    page.goto(base)
    for name in ("Calendrier", "Financeurs", "Publier un appel"):
        link = page.locator(".md-sidebar--primary .md-nav__link", has_text=name).first
        assert link.is_visible(), name
        assert link.bounding_box()["y"] < WIDE["height"] / 2, name
    budget = page.get_by_role("link", name="simuler votre budget")
    eligibility = page.get_by_role("link", name="vérifier votre éligibilité")
    assert budget.is_visible() and eligibility.is_visible()
    budget.click()
    page.wait_for_url("**/#simulateurs")
    first_budget = page.locator("#simulateurs ~ ul.aap-tool-list a", has_text="Simuler le budget").first
    assert first_budget.is_visible()
    first_budget.click()
    page.wait_for_url("**/budget/")
    assert not log.errors


@pytest.mark.browser
def test_on_a_phone_the_home_pages_first_words_link_to_the_calendar_and_funders(site, serve, new_page):
    """At 390 px the introduction links to the calendar, the funders and the calculators before the lists of calls."""
    base = serve(site)
    page, log = new_page(viewport=PHONE)
    page.goto(base)
    first_list = page.locator(".aap-home").bounding_box()["y"]
    for name, target in (("calendrier", "calendrier/"), ("financeurs", "financeurs/"), ("simuler votre budget", "#simulateurs")):
        link = page.get_by_role("link", name=name, exact=True)
        assert link.get_attribute("href") == target
        assert link.bounding_box()["y"] < first_list, name
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not log.errors
