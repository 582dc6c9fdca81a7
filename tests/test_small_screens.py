"""What a 390 px phone shows: text wraps between words where the site writes the words."""

from __future__ import annotations

import pytest

PHONE = {"width": 390, "height": 844}

BROKEN_WORDS = """() => [...document.querySelectorAll('.md-typeset thead th, .aap-caps th')].flatMap((th) => {
  const text = th.firstChild;
  if (!text || text.nodeType !== 3) return [];
  const broken = [];
  for (const match of text.textContent.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    if (range.getClientRects().length !== 1) broken.push(match[0]);
  }
  return broken;
})"""


@pytest.mark.browser
def test_the_cap_tables_headers_break_between_words_only_on_a_phone(site, serve, new_page):
    """At 390 px the hourly cap table's column and row headers (« Plafond horaire », « Non professionnels… ») keep
    each word on one line."""
    base = serve(site)
    page, log = new_page(viewport=PHONE)
    page.goto(base + "appels/cpam-flandres-2025/")
    headers = page.locator(".aap-caps thead th")
    assert headers.all_inner_texts() == ["Groupe", "Professions", "Plafond horaire"]
    assert page.evaluate(BROKEN_WORDS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not log.errors


@pytest.mark.browser
def test_the_closed_menu_drawer_takes_no_tab_stop_on_a_phone(site, serve, new_page):
    """At 390 px the menu drawer is closed: Tab goes from the skip link to the page, not through hidden menu links;
    opened with its button, its links are shown."""
    page, log = new_page(viewport=PHONE)
    page.goto(serve(site))
    in_drawer = []
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => Boolean(document.activeElement?.closest('.md-sidebar--primary'))"):
            in_drawer.append(page.evaluate("() => document.activeElement.textContent.trim()"))
    assert in_drawer == []
    page.locator("label.md-header__button[for=__drawer]").click()
    assert page.locator(".md-sidebar--primary a", has_text="Trouver un appel").first.is_visible()
    assert not log.errors
