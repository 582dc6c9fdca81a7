"""The eligibility checker as a coordinator uses it: fresh verdicts only, refusals that explain themselves."""

from __future__ import annotations

import html
import time

import pytest
from browser_support import open_calculator, wait_until

SLOW_MARKER = "0120-02-01"
SLOW_MS = 5000  # long enough that the checks made meanwhile happen before it, even on a busy machine

SLOW_WORKER = """
// Test hook prepended to worker.js: replies to requests whose input holds %(marker)r come %(ms)d ms late.
const __slow = new Set();
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (typeof data.input === "string" && data.input.includes(%(marker)r)) __slow.add(data.id);
});
const __post = self.postMessage.bind(self);
self.postMessage = (message, ...rest) => {
  if (message && __slow.has(message.id)) setTimeout(() => __post(message, ...rest), %(ms)d);
  else __post(message, ...rest);
};
""" % {"marker": SLOW_MARKER, "ms": SLOW_MS}  # noqa: UP031 - the JavaScript's braces


def slow_worker(page) -> None:
    """Route the calculators' worker through a copy that delays the replies to one input."""
    def handle(route):
        response = route.fetch()
        route.fulfill(response=response, body=SLOW_WORKER + response.text(),
                      headers={**response.headers, "content-type": "text/javascript"})
    page.route("**/assets/calculateurs/worker.js", handle)


def set_date(page, selector: str, value: str) -> None:
    """Give a date field a value as the date picker does (5-digit years included) and fire its input event."""
    page.evaluate("""([selector, value]) => {
        const input = document.querySelector(selector);
        input.value = value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
    }""", [selector, value])


def verdict_text(page) -> str:
    return page.locator(".calc-verdict").inner_text()


@pytest.mark.browser
def test_a_slow_reply_for_an_older_date_never_shows_beside_a_newer_input(site, serve, new_page):
    """With the worker slow on one date, typing past it leaves only the newest answer's result: no older verdict."""
    base = serve(site)
    page, log = new_page()
    slow_worker(page)
    open_calculator(page, base + "appels/cpam-flandres-2025/eligibilite/")
    assert page.evaluate("document.querySelector('#elig-submission_date').type") == "date"
    set_date(page, "#elig-submission_date", "2025-01-20")
    wait_until(page, "() => document.querySelector('.calc-verdict').innerText.includes('20 janvier 2025 : dans les délais')")

    set_date(page, "#elig-submission_date", SLOW_MARKER)  # its reply comes 5 s late
    typed = time.monotonic()
    time.sleep(0.6)
    # The newest answer is being checked: the verdict of 20 janvier is withdrawn, not left on screen.
    assert "20 janvier 2025" not in verdict_text(page)
    assert page.locator(".calc-verdict").get_attribute("data-verdict") == "pending"
    set_date(page, "#elig-submission_date", "12025-02-01")  # typed on while the slow reply is due
    assert time.monotonic() - typed < SLOW_MS / 1000  # the checks above ran while the slow reply was due
    wait_until(page, "() => document.querySelector('.calc-verdict').dataset.verdict === 'input-error'", timeout=30)
    time.sleep(max(0.0, typed + SLOW_MS / 1000 + 0.5 - time.monotonic()))  # the late reply has come and gone

    shown = verdict_text(page)
    assert "12025-02-01" in shown
    assert "dans les délais" not in shown and "février 120 " not in shown
    assert "20 janvier 2025" not in shown
    assert page.locator(".calc-verdict").get_attribute("data-verdict") == "input-error"
    assert page.locator(".calc-verdict__details li").count() == 0
    assert page.locator("#elig-submission_date").get_attribute("aria-invalid") == "true"
    assert not [text for text in page.locator(".calc-notes").all_inner_texts() if "dans les délais" in text]
    assert not log.errors


@pytest.mark.browser
def test_an_input_error_clears_the_previous_verdicts_details(site, serve, new_page):
    """A valid date's « dans les délais » note disappears from the results when the next date is invalid."""
    base = serve(site)
    page, log = new_page()
    open_calculator(page, base + "appels/cpam-flandres-2025/eligibilite/")
    set_date(page, "#elig-submission_date", "2025-01-20")
    wait_until(page, "() => document.querySelector('.calc-verdict').innerText.includes('dans les délais')")
    set_date(page, "#elig-submission_date", "12025-02-01")
    wait_until(page, "() => document.querySelector('.calc-verdict').dataset.verdict === 'input-error'")
    assert "dans les délais" not in page.locator("#calculateur").inner_text()
    assert not log.errors


@pytest.mark.browser
def test_a_ccas_refused_by_the_occitan_call_is_told_why_with_the_calls_words(site, serve, new_page):
    """Occitanie 2021 refuses a CCAS; the verdict says the call admits local authorities and why a CCAS is not one."""
    base = serve(site)
    page, log = new_page()
    open_calculator(page, base + "appels/occitanie-1000-jours-2021/eligibilite/")
    page.select_option("#elig-department", "31")
    page.select_option("#elig-structure_type", "ccas")
    wait_until(page, "() => document.querySelector('.calc-verdict').dataset.verdict === 'not-eligible'")
    why = page.locator(".calc-verdict__details").inner_text()
    assert "L'appel admet « Collectivité territoriale » mais pas « Centre communal d'action sociale (CCAS) »" in why
    assert "établissement public distinct de la commune" in why
    assert "aux collectivités locales" in why  # the call's own sentence
    assert "La commune peut porter le projet" in why
    page.select_option("#elig-structure_type", "entreprise")
    wait_until(page, "() => document.querySelector('.calc-verdict__details').innerText.includes('Entreprise')")
    assert "L'appel admet" not in page.locator(".calc-verdict__details").inner_text()
    assert not log.errors


def test_the_rules_below_the_form_say_a_ccas_is_not_a_local_authority_where_the_call_admits_them(site):
    """Occitanie 2021's written rules note that a CCAS is not a collectivité territoriale; Flandres (which admits
    CCAS) does not."""
    occitanie = html.unescape((site / "appels/occitanie-1000-jours-2021/eligibilite/index.html").read_text(encoding="utf-8"))
    flandres = (site / "appels/cpam-flandres-2025/eligibilite/index.html").read_text(encoding="utf-8")
    note = ("« Centre communal d'action sociale (CCAS) » n'est pas dans cette liste, même si l'appel admet "
            "« Collectivité territoriale »")
    assert note in occitanie
    assert "établissement public distinct de la commune" in occitanie
    assert "calc-regle__voisin" not in flandres
