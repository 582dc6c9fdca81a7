"""Checklists: three lists from the call file, each item with its reference, ticks kept in the browser, printable."""

from __future__ import annotations

import re

import pytest

from macros.checklist import checklist


def article(html: str) -> str:
    return html[html.index("<article"):html.index("</article>")]


def test_every_call_has_a_checklist_with_three_lists(site, corpus):
    for call_id, call in corpus.calls.items():
        path = site / f"appels/{call_id}/checklist/index.html"
        if call.kind == "framework":
            assert not path.exists(), "a national framework is not applied to: no checklist"
            continue
        html = article(path.read_text(encoding="utf-8"))
        legends = re.findall(r'<legend><h2 id="titre-(\w+)">', html)
        assert legends == ["eligibilite", "dossier", "apres"], call_id


def test_every_item_is_a_labelled_checkbox_citing_its_reference(site, corpus):
    for call_id, call in corpus.calls.items():
        if call.kind != "call":
            continue
        html = article((site / f"appels/{call_id}/checklist/index.html").read_text(encoding="utf-8"))
        items = re.findall(r"<li><input ([^>]*)><label ([^>]*)>(.*?)</label>(.*?)</li>", html, re.S)
        expected = sum(len(section.items) for section in checklist(call))
        assert len(items) == expected, call_id
        for attributes, label_attributes, text, after in items:
            box = re.search(r'id="([^"]+)"', attributes).group(1)
            assert 'type="checkbox"' in attributes and f'data-key="{box}"' in attributes
            assert label_attributes == f'for="{box}"'
            assert text.strip() and "<a " not in text  # the label is the item alone; its reference follows it
            assert re.fullmatch(r'<span class="aap-ref">\(.+\)</span>', after.strip()), after


def test_the_obligations_list_has_reports_with_their_dates_and_the_other_duties(site):
    html = article((site / "appels/cpam-val-de-marne-2026/checklist/index.html").read_text(encoding="utf-8"))
    after = html[html.index('id="apres"'):]
    assert "bilan d&#39;étape à mi-parcours" in after and "<strong>31 janvier 2027</strong>" in after
    assert "bilan financier" in after and "<strong>30 juin 2027</strong>" in after
    assert "Faire état du partenariat" in after  # mentioning the funder in communications
    assert "enquête « à chaud »" in after  # satisfaction survey
    dossier = html[html.index('id="dossier"'):html.index('id="apres"')]
    assert "<strong>28 février 2026</strong>" in dossier


def test_deadlines_in_the_dossier_list_carry_their_hour(site):
    html = article((site / "appels/cpam-flandres-2025/checklist/index.html").read_text(encoding="utf-8"))
    dossier = html[html.index('id="dossier"'):html.index('id="apres"')]
    assert "(Vague 1) — <strong>24 janvier 2025 à minuit (heure de Paris)</strong>" in dossier
    assert "(Vague 2) — <strong>11 avril 2025 à minuit (heure de Paris)</strong>" in dossier


def test_item_keys_are_unique_and_stable(corpus):
    """Keys come from the wording, not the position: the same file gives the same keys."""
    for call in corpus.calls.values():
        keys = [item.key for section in checklist(call) for item in section.items]
        assert len(keys) == len(set(keys)), call.id
        assert keys == [item.key for section in checklist(call) for item in section.items]


@pytest.mark.browser
def test_ticks_survive_a_reload_and_can_be_cleared(site, serve, new_page):
    base = serve(site)
    page, log = new_page()
    page.goto(base + "appels/cpam-flandres-2025/checklist/")
    boxes = page.locator(".aap-checklist input[type=checkbox]")
    total = boxes.count()
    assert total > 10
    first, third = boxes.nth(0), boxes.nth(2)
    first_key, third_key = first.get_attribute("data-key"), third.get_attribute("data-key")
    page.locator(f'label[for="{first_key}"]').click()  # the label ticks its box
    third.check()
    assert page.locator(".aap-checklist__progress").inner_text() == f"2 points cochés sur {total}."
    page.reload()
    assert page.locator(f'[data-key="{first_key}"]').is_checked()
    assert page.locator(f'[data-key="{third_key}"]').is_checked()
    assert page.locator(".aap-checklist input[type=checkbox]:checked").count() == 2
    stored = page.evaluate("JSON.parse(localStorage.getItem('aap-checklist:cpam-flandres-2025'))")
    assert stored == {first_key: True, third_key: True}
    # Another call's checklist is independent.
    page.goto(base + "appels/cpam-val-de-marne-2026/checklist/")
    assert page.locator(".aap-checklist input[type=checkbox]:checked").count() == 0
    page.goto(base + "appels/cpam-flandres-2025/checklist/")
    page.click("[data-checklist-reset]")
    page.reload()
    assert page.locator(".aap-checklist input[type=checkbox]:checked").count() == 0
    assert not log.errors


@pytest.mark.browser
def test_print_view_is_a_clean_paper_checklist(site, serve, new_page):
    base = serve(site)
    page, log = new_page()
    page.goto(base + "appels/cpam-val-de-marne-2026/checklist/")
    page.locator(".aap-checklist input[type=checkbox]").nth(1).check()
    page.emulate_media(media="print")
    for hidden in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer",
                   ".aap-checklist__actions"):
        assert page.locator(hidden).first.is_hidden(), hidden
    boxes = page.locator(".aap-checklist input[type=checkbox]")
    for i in range(boxes.count()):
        box = boxes.nth(i).bounding_box()
        assert box and box["width"] >= 8 and box["height"] >= 8, i
    border = boxes.first.evaluate("e => getComputedStyle(e).borderTopStyle + ' ' + getComputedStyle(e).borderTopColor")
    assert border == "solid rgb(0, 0, 0)"
    assert page.locator("h1").first.inner_text() == "Liste de contrôle"
    assert page.locator(".aap-ref").first.is_visible()  # references stay on paper
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    assert page.locator(".md-header").is_visible()
    assert not log.errors


def test_a_desirable_item_says_souhaitable_once(site):
    """« Projet cofinancé » on the Flandres checklist is marked « (souhaitable) » once, by its severity."""
    html = article((site / "appels/cpam-flandres-2025/checklist/index.html").read_text(encoding="utf-8"))
    label = re.search(r'<label for="[^"]*">(Projet cofinancé.*?)</label>', html, re.S).group(1)
    assert label.startswith("Projet cofinancé <em>(souhaitable)</em>")
    assert label.count("souhaitable") == 1
    assert "(souhaitable) (souhaitable)" not in re.sub(r"<[^>]+>", "", html)
