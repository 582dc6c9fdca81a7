"""The finder in a real browser: what a coordinator sees for her structure, department and date."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from browser_support import wait_until

from calculators.eligibility import evaluate_eligibility

pytestmark = pytest.mark.browser


def open_finder(page: Any, base: str, fragment: str) -> None:
    page.goto(f"{base}trouver/#{fragment}")
    wait_until(page, "() => document.querySelector('.aap-finder')?.dataset.state === 'ready'", timeout=30)


def group_of(page: Any, call_id: str) -> str | None:
    return page.evaluate("""(id) => document.querySelector(`.aap-result[data-call="${id}"]`)
        ?.closest('[data-group]')?.dataset.group ?? null""", call_id)


def open_group(page: Any, key: str) -> None:
    group = page.locator(f".aap-finder__group--{key}")
    if group.evaluate("(e) => e.tagName") == "DETAILS" and not group.evaluate("(e) => e.open"):
        group.locator("summary").click()
    # The list of a collapsed group is built on its toggle event, which comes after the click.
    wait_until(page, "(key) => document.querySelector(`.aap-finder__group--${key} ul`).childElementCount > 0", key)


def test_an_association_in_the_nord_sees_the_flandres_call_open_and_its_checker_prefilled(site, serve, new_page):
    """59, association, 20 January 2025: Flandres is open for her; its checker opens with her three answers."""
    page, log = new_page()
    base = serve(site)
    open_finder(page, base, "type=association&dep=59&date=2025-01-20")
    assert group_of(page, "cpam-flandres-2025") == "open"
    result = page.locator('.aap-result[data-call="cpam-flandres-2025"]')
    assert "24 janvier 2025 à minuit" in result.text_content() and "J-4" in result.text_content()
    assert "points à vérifier" in result.text_content()
    summary = page.locator("#trouver-resultat")
    assert summary.get_attribute("role") == "status" and "ouverts pour vous : 1" in summary.text_content()
    link = result.get_by_role("link", name=re.compile("questions restantes"))
    href = link.get_attribute("href")
    assert "/appels/cpam-flandres-2025/eligibilite/#brouillon=" in href and "?" not in href
    link.click()
    wait_until(page, "() => document.getElementById('calculateur')?.dataset.state === 'ready'", timeout=90)
    assert page.locator("#elig-structure_type").input_value() == "association"
    assert page.locator("#elig-department").input_value() == "59"
    assert page.locator("#elig-submission_date").input_value() == "2025-01-20"
    assert log.errors == [] and log.foreign(base) == []


def test_occitanie_2021_is_open_for_an_association_and_not_for_a_ccas_as_the_cli_says(site, serve, new_page, corpus):
    """31 on 1 July 2021: open with points to check for an association; « pas pour vous » for a CCAS, with the CLI's message."""
    page, _ = new_page()
    base = serve(site)
    open_finder(page, base, "type=association&dep=31&date=2021-07-01")
    assert group_of(page, "occitanie-1000-jours-2021") == "open"
    answers = {"structure_type": "association", "department": "31", "submission_date": "2021-07-01"}
    missing = len(evaluate_eligibility(corpus.calls["occitanie-1000-jours-2021"], corpus.vocabulary, answers)["missing"])
    text = page.locator('.aap-result[data-call="occitanie-1000-jours-2021"]').text_content()
    assert f"{missing} points à vérifier" in text
    page.locator("#trouver-type").select_option("ccas")
    wait_until(page, "() => document.querySelector('#trouver-resultat').textContent.includes('pas pour vous')")
    open_group(page, "refused")
    assert group_of(page, "occitanie-1000-jours-2021") == "refused"
    cli = evaluate_eligibility(corpus.calls["occitanie-1000-jours-2021"], corpus.vocabulary,
                               {**answers, "structure_type": "ccas"})
    first = next(f for f in cli["findings"] if f["severity"] == "error")
    refusal = page.locator('.aap-result[data-call="occitanie-1000-jours-2021"] .aap-result__refusal')
    assert first["message"] in refusal.text_content() and first["reference"] in refusal.text_content()
    assert refusal.locator("a").get_attribute("href").startswith("../textes/occitanie-1000-jours-2021/#p-")


def test_the_stale_2022_calls_are_closed_on_2026_12_01_and_never_to_come(site, serve, new_page):
    """« A venir » in July 2022 is not a deadline to come in December 2026."""
    page, _ = new_page()
    open_finder(page, serve(site), "type=association&dep=35&date=2026-12-01")
    open_group(page, "closed")
    assert group_of(page, "bretagne-1000-jours-2022") == "closed"
    badge = page.locator('.aap-result[data-call="bretagne-1000-jours-2022"] .aap-badge').text_content()
    assert badge == "Clos (aucune date publiée)"
    assert page.locator(".aap-finder__group--upcoming .aap-result").count() == 0
    assert page.locator(".aap-finder__group--unpublished .aap-result").count() == 0


def test_a_deadline_not_yet_published_says_so_with_the_date_of_the_information(site, serve, new_page):
    """In August 2022 Bretagne is « Date limite non publiée », « selon … du 21 juillet 2022 »."""
    page, _ = new_page()
    open_finder(page, serve(site), "type=association&dep=35&date=2022-08-01")
    assert group_of(page, "bretagne-1000-jours-2022") == "unpublished"
    text = page.locator('.aap-result[data-call="bretagne-1000-jours-2022"]').text_content()
    assert "Date limite non publiée" in text and "du 21 juillet 2022" in text


def test_answers_live_in_the_fragment_and_in_memory_only_when_asked(site, serve, new_page):
    """Typing a department by name fills the fragment; « Se souvenir » keeps the answers, unticking forgets them."""
    page, _ = new_page()
    base = serve(site)
    open_finder(page, base, "")
    assert page.locator(".aap-result").count() == 0
    page.locator("#trouver-type").select_option("association")
    page.locator("#trouver-departement").fill("haute garonne")
    wait_until(page, "() => location.hash.includes('dep=31')")
    assert "type=association" in page.evaluate("location.hash")
    assert page.evaluate("localStorage.getItem('appels-sante:trouver')") is None
    page.locator("#trouver-departement").fill("Gondor")
    error = page.locator("#trouver-departement-erreur")
    assert error.is_visible() and "Département inconnu" in error.text_content()
    assert page.locator("#trouver-departement").get_attribute("aria-invalid") == "true"
    for typed, code in (("31000", "31"), ("Réunion", "974"), ("20200", "2B"), ("9", "09")):
        page.locator("#trouver-departement").fill(typed)
        wait_until(page, "(code) => location.hash.includes('dep=' + code)", code)
    page.locator("#trouver-departement").fill("2a")
    page.locator("#trouver-memoire").check()
    stored = json.loads(page.evaluate("localStorage.getItem('appels-sante:trouver')"))
    assert stored["type"] == "association" and stored["dep"] == "2A"
    page.goto(base + "trouver/")
    wait_until(page, "() => document.querySelector('.aap-finder')?.dataset.state === 'ready'")
    assert page.locator("#trouver-departement").input_value().startswith("2A")
    page.locator("#trouver-memoire").uncheck()
    assert page.evaluate("localStorage.getItem('appels-sante:trouver')") is None


def test_the_finder_works_from_the_keyboard_at_320_px(site, serve, new_page):
    """Tab reaches the fields in order, a result's links, and a collapsed group opens with Enter."""
    page, _ = new_page(viewport={"width": 320, "height": 640})
    open_finder(page, serve(site), "type=ccas&dep=31&date=2021-07-01")
    page.locator("#trouver-type").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "trouver-departement"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "trouver-date"
    summary = page.locator(".aap-finder__group--refused summary")
    summary.focus()
    page.keyboard.press("Enter")
    wait_until(page, "() => document.querySelectorAll('.aap-finder__group--refused .aap-result').length >= 1")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320


def test_the_profile_feeds_are_linked_and_exist(site, serve, new_page):
    """« Recevoir les nouveaux appels pour ce profil » links an Atom and an iCalendar file of the site."""
    page, _ = new_page()
    open_finder(page, serve(site), "type=association&dep=59&date=2025-01-20")
    links = page.locator(".aap-finder__feeds a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == ["../trouver/flux/association/hauts-de-france.atom", "../trouver/flux/association/hauts-de-france.ics"]
    for href in hrefs:
        assert (site / href.removeprefix("../")).is_file()


def test_the_home_page_asks_the_first_questions_and_sends_them_in_the_fragment(site, serve, new_page):
    """The home page opens with the finder's questions; « Voir les appels » leads to trouver/ with the answers after #."""
    page, log = new_page()
    base = serve(site)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base)
    first = page.locator("#contenu h2").first
    assert first.text_content() == "Quels appels pour ma structure\u00a0?"
    page.locator("#accueil-type").select_option("association")
    page.locator("#accueil-departement").fill("Nord")
    page.get_by_role("button", name="Voir les appels pour ma structure").click()
    page.wait_for_url(re.compile(r"/trouver/#type=association&dep=Nord$"))
    wait_until(page, "() => document.querySelector('.aap-finder')?.dataset.state === 'ready'")
    wait_until(page, "() => location.hash.includes('dep=59')")
    assert not [url for url in requests if "?" in url or "Nord" in url.split("#")[0]]
    assert log.errors == []


def test_coming_back_from_a_result_finds_the_opened_group_open(site, serve, new_page):
    """« Pas pour vous » opened, a call followed, then « Retour »: the group is open again with its results."""
    page, _ = new_page()
    open_finder(page, serve(site), "type=ccas&dep=31&date=2021-07-01")
    open_group(page, "refused")
    page.locator('.aap-finder__group--refused .aap-result h3 a').first.click()
    page.wait_for_url(re.compile(r"/appels/"))
    page.go_back()
    wait_until(page, "() => document.querySelector('.aap-finder')?.dataset.state === 'ready'")
    wait_until(page, "() => document.querySelector('.aap-finder__group--refused')?.open === true")
    wait_until(page, "() => document.querySelectorAll('.aap-finder__group--refused .aap-result').length > 0")
