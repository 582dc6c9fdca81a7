"""The budget and eligibility pages say, at their top, whether the call is open and its next deadline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from browser_support import wait_until

PAGES = ("budget", "eligibilite")


def status_line(html: str) -> str:
    return re.search(r'<p class="aap-status calc-call-status".*?</p>', html, re.S).group(0)


def test_every_calculator_page_carries_the_status_data_of_its_call(site, corpus):
    """Each calculator page has the status line with the call's closing day and one item per deadline day."""
    checked = 0
    for call_id, call in corpus.calls.items():
        days = sorted({m.when.latest.isoformat() for m in call.deadlines if m.when.latest})
        for slug in PAGES:
            path = site / f"appels/{call_id}/{slug}/index.html"
            if not path.exists():
                continue
            line = status_line(path.read_text(encoding="utf-8"))
            assert f'data-status-close="{days[-1] if days else ""}"' in line, (call_id, slug)
            assert re.findall(r'data-next-day="([\d-]+)"', line) == days, (call_id, slug)
            assert 'class="aap-badge' in line
            checked += 1
    assert checked >= 10


def test_flandres_status_line_names_each_wave_with_its_hour_and_time_zone(site):
    """Flandres' deadlines read « Vague 1, 24 janvier 2025 à minuit (heure de Paris) » and the same for 11 April."""
    line = status_line((site / "appels/cpam-flandres-2025/budget/index.html").read_text(encoding="utf-8"))
    assert "Prochaine date limite : Vague 1, 24 janvier 2025 à minuit (heure de Paris)" in line
    assert "Prochaine date limite : Vague 2, 11 avril 2025 à minuit (heure de Paris)" in line
    assert "Date limite passée : Vague 2, 11 avril 2025 à minuit (heure de Paris)" in line


def at(page, day: str, time: str = "12:00") -> None:
    """Set the page's clock to ``day`` at ``time``, Paris time."""
    offset = "+01:00" if int(day[5:7]) in (1, 2, 3, 11, 12) else "+02:00"
    page.clock.set_fixed_time(dt.datetime.fromisoformat(f"{day}T{time}:00{offset}"))


def shown(page) -> tuple[str, str, list[str]]:
    """(badge, countdown's visible text, visible deadline texts) once site.js has run."""
    wait_until(page, "() => document.querySelector('.calc-call-status')?.hasAttribute('data-status-now')")
    line = page.locator(".calc-call-status")
    countdown = line.locator(".aap-countdown").evaluate(
        "e => e.firstChild && e.firstChild.nodeType === 3 ? e.firstChild.textContent : ''")
    return (line.locator(".aap-badge").inner_text().strip(), countdown.strip(),
            [text.strip() for text in line.locator(".calc-call-status__deadline:visible").all_inner_texts()])


@pytest.mark.browser
@pytest.mark.parametrize(("page_slug", "day", "badge", "countdown", "deadline"), [
    ("budget", "2025-01-10", "Ouvert", "J-14", "Prochaine date limite : Vague 1, 24 janvier 2025 à minuit (heure de Paris)"),
    ("eligibilite", "2025-02-01", "Ouvert", "J-69", "Prochaine date limite : Vague 2, 11 avril 2025 à minuit (heure de Paris)"),
    ("budget", "2025-04-11", "Ouvert", "Dernier jour",
     "Prochaine date limite : Vague 2, 11 avril 2025 à minuit (heure de Paris)"),
    ("eligibilite", "2025-06-01", "Clos", "", "Date limite passée : Vague 2, 11 avril 2025 à minuit (heure de Paris)"),
])
def test_the_flandres_calculators_show_status_and_next_deadline_at_the_visitors_date(
        site, serve, new_page, page_slug, day, badge, countdown, deadline):
    """Flandres (waves 24 January and 11 April 2025, midnight): status, countdown and the next wave follow the visitor's date."""
    base = serve(site)
    page, log = new_page()
    at(page, day)
    page.goto(base + f"appels/cpam-flandres-2025/{page_slug}/")
    assert shown(page) == (badge, countdown, [deadline])
    assert not log.errors


@pytest.mark.browser
def test_the_occitan_eligibility_page_says_upcoming_then_closed(site, serve, new_page):
    """Occitanie 2021 (deadline 25 July 2021, 23:59): « À venir » before its launch, « Clos » after the deadline."""
    base = serve(site)
    page, log = new_page()
    at(page, "2021-06-01")
    page.goto(base + "appels/occitanie-1000-jours-2021/eligibilite/")
    assert shown(page) == ("À venir", "", ["Prochaine date limite : 25 juillet 2021 à 23 h 59 (heure de Paris)"])
    page, log2 = new_page(viewport={"width": 390, "height": 844})
    at(page, "2021-07-26")
    page.goto(base + "appels/occitanie-1000-jours-2021/eligibilite/")
    assert shown(page) == ("Clos", "", ["Date limite passée : 25 juillet 2021 à 23 h 59 (heure de Paris)"])
    assert page.locator(".calc-call-status").bounding_box()["y"] < page.locator("#calculateur").bounding_box()["y"]
    assert not log.errors and not log2.errors
