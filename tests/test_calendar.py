"""Calendars: every call's timeline, the calendar pages, and status and countdowns at the visitor's date."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from macros import agenda


def article(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    return html[html.index("<article"):html.index("</article>")]


def items(html: str) -> list[str]:
    return re.findall(r'<li class="aap-cal-item[^"]*"[^>]*>', html)


# --- call pages ------------------------------------------------------------------------

def test_each_call_page_shows_every_milestone_in_date_order(site, corpus):
    for call_id, call in corpus.calls.items():
        html = article(site / f"appels/{call_id}/index.html")
        steps = re.findall(r'<li class="aap-step aap-step--(\w+)" data-first="([\d-]*)" data-last="([\d-]*)">', html)
        assert len(steps) == len(call.milestones), call_id
        dated = [first for _, first, _ in steps if first]
        assert dated == sorted(dated), f"{call_id}: timeline out of order"
        undated = [i for i, (_, first, _) in enumerate(steps) if not first]
        assert undated == list(range(len(dated), len(steps))), f"{call_id}: unknown dates come last"


def test_the_timeline_shows_hours_alternatives_and_unknown_dates_as_the_call_gives_them(site):
    flandres = article(site / "appels/cpam-flandres-2025/index.html")
    assert "24 janvier 2025 à minuit (heure de Paris)" in flandres
    assert "24 avril ou 15 mai 2025" in flandres
    assert "l'une de ces dates : 24 avril 2025 ou 15 mai 2025" in flandres
    assert "à compter d&#39;avril 2025 <span class=\"aap-precision\">(date approximative)</span>" in flandres
    occitanie = article(site / "appels/occitanie-1000-jours-2021/index.html")
    assert "25 juillet 2021 à 23 h 59 (heure de Paris)" in occitanie
    bretagne = article(site / "appels/bretagne-1000-jours-2022/index.html")
    assert "Date non publiée (« A venir » dans le texte)" in bretagne
    assert 'aap-step--unknown' in bretagne


def test_each_call_page_offers_its_feed(site, corpus):
    """Every call, and every framework that has dates, links « Ajouter à mon agenda » to its feed."""
    for call_id, call in corpus.calls.items():
        if call.kind == "framework" and not call.milestones:
            continue
        html = article(site / f"appels/{call_id}/index.html")
        assert f'href="../../appels/{call_id}/calendrier.ics" download>Ajouter' in html


# --- calendar pages --------------------------------------------------------------------

def test_the_calendar_page_lists_what_is_to_come_by_month_and_links_each_year(site, corpus):
    html = article(site / "calendrier/index.html")
    today = dt.date.today()
    everything = agenda.entries(corpus.calls.values(), corpus.vocabulary)
    dated, undated = agenda.upcoming(everything, today)
    assert len(items(html)) == len(dated) + len(undated)
    assert all(last >= today.isoformat() for last in re.findall(r'data-last="([\d-]+)"', html))
    months = re.findall(r'<h2 id="mois-(\d{4}-\d{2})"', html)
    assert months == sorted(months)
    for year in agenda.by_year(everything):
        assert f'href="../calendrier/{year}/"' in html


def test_each_year_page_keeps_every_milestone_of_that_year(site, corpus):
    everything = agenda.entries(corpus.calls.values(), corpus.vocabulary)
    undated_seen = 0
    for year, (dated, undated) in agenda.by_year(everything).items():
        html = article(site / f"calendrier/{year}/index.html")
        assert len(items(html)) == len(dated) + len(undated), year
        assert all(first.startswith(str(year)) for first in re.findall(r'data-first="([\d-]+)"', html))
        undated_seen += len(undated)
    assert undated_seen == sum(1 for e in everything if e.first is None)  # every milestone has a page
    flandres_2025 = article(site / "calendrier/2025/index.html")
    assert "24 janvier 2025 à minuit (heure de Paris)" in flandres_2025


def test_filters_are_labelled_grouped_and_announce_their_count(site):
    html = article(site / "calendrier/2022/index.html")
    assert "<fieldset>" in html and "<legend>Filtrer les échéances</legend>" in html
    for control in re.findall(r'<(?:select|input)[^>]* id="([^"]+)"', html):
        assert f'<label for="{control}">' in html, control
    assert 'aria-live="polite"' in html
    assert re.search(r'<option value="grand-est">Grand Est</option>', html)
    assert re.search(r'<option value="ars-grand-est">ARS Grand Est</option>', html)


def test_the_calendar_page_documents_the_feeds_choices(site):
    html = article(site / "calendrier/index.html")
    assert 'id="dates-dans-votre-agenda"' in html
    for words in ("date possible", "aucun événement", "approximative", "de 23 h 59 à minuit", "une semaine avant"):
        assert words in html, words


def test_every_milestone_kind_belongs_to_one_filter_group():
    from callfiles.checks import KIND_RANK

    assert set(agenda.GROUP_OF) == set(KIND_RANK)


# --- in a browser, at a chosen date ----------------------------------------------------

def at(page, day: str, time: str = "12:00") -> None:
    """Set the page's clock to ``day`` at ``time``, Paris time."""
    month = int(day[5:7])
    offset = "+01:00" if month in (1, 2, 3, 11, 12) else "+02:00"
    page.clock.set_fixed_time(dt.datetime.fromisoformat(f"{day}T{time}:00{offset}"))


def status(page) -> tuple[str, str]:
    """(badge text, visible countdown text); the countdown's spelled-out words are for screen readers."""
    countdown = page.locator(".aap-status .aap-countdown")
    return (page.locator(".aap-status .aap-badge").inner_text().strip(),
            countdown.evaluate("e => e.firstChild && e.firstChild.nodeType === 3 ? e.firstChild.textContent : ''").strip())


@pytest.mark.browser
@pytest.mark.parametrize(("day", "time", "badge", "countdown"), [
    ("2026-02-16", "09:00", "Ouvert", "J-12"),
    ("2026-02-27", "12:00", "Ouvert", "J-1"),
    ("2026-02-28", "23:30", "Ouvert", "Dernier jour"),  # the deadline's last day counts as open
    ("2026-03-01", "00:30", "Clos", ""),
    ("2026-07-14", "12:00", "Clos", ""),
])
def test_status_and_countdown_follow_the_visitors_date(site, serve, new_page, day, time, badge, countdown):
    """Val-de-Marne 2026 closes « avant le 28 février 2026 »: open with J-n before, closed after."""
    base = serve(site)
    page, log = new_page()
    at(page, day, time)
    page.goto(base + "appels/cpam-val-de-marne-2026/")
    shown_badge, shown_countdown = status(page)
    assert shown_badge == badge
    assert shown_countdown == countdown
    if countdown.startswith("J-"):
        days = countdown.removeprefix("J-")
        spoken = page.locator(".aap-status .aap-countdown .aap-sr-only").text_content()
        assert spoken == f" : {days} jour{'s' if days != '1' else ''} avant la date limite"
    deadline = page.locator('.aap-step[data-first="2026-02-28"] .aap-phase').text_content()
    assert deadline == ("date passée" if day > "2026-02-28" else "en cours" if day == "2026-02-28" else "à venir")
    assert not log.errors


@pytest.mark.browser
def test_a_call_before_its_launch_is_upcoming_then_open_with_the_next_waves_countdown(site, serve, new_page):
    base = serve(site)
    page, log = new_page()
    at(page, "2021-06-01")
    page.goto(base + "appels/occitanie-1000-jours-2021/")
    assert status(page)[0] == "À venir"
    page, log = new_page()
    at(page, "2025-02-01")  # between Flandres' two waves: counts to the second one (11 April)
    page.goto(base + "appels/cpam-flandres-2025/")
    badge, countdown = status(page)
    assert badge == "Ouvert" and countdown.startswith("J-69")
    assert page.locator(".aap-status").get_attribute("data-status-now") == "open"
    assert not log.errors


@pytest.mark.browser
def test_calendar_filters_narrow_the_list_and_say_how_many(site, serve, new_page):
    base = serve(site)
    page, log = new_page()
    page.goto(base + "calendrier/2022/")
    total = page.locator(".aap-cal-item").count()
    assert page.locator("[data-cal-filters]").is_visible()
    assert page.locator("[data-cal-count]").inner_text() == f"{total} échéances affichées."
    page.select_option("#aap-filtre-region", "grand-est")
    visible = page.locator(".aap-cal-item:visible")
    assert 0 < visible.count() < total
    assert all("grand-est" in (visible.nth(i).get_attribute("data-regions") or "").split() for i in range(visible.count()))
    assert page.locator("[data-cal-count]").inner_text().startswith(f"{visible.count()} échéance")
    page.select_option("#aap-filtre-region", "")
    page.uncheck("#aap-filtre-type-decision")
    page.uncheck("#aap-filtre-type-other")
    groups = {page.locator(".aap-cal-item:visible").nth(i).get_attribute("data-group")
              for i in range(page.locator(".aap-cal-item:visible").count())}
    assert groups <= {"deadline", "report"}
    page.select_option("#aap-filtre-financeur", "ars-grand-est")
    feed = page.locator("[data-funder-feed]")
    assert feed.is_visible() and feed.get_attribute("href").endswith("financeurs/ars-grand-est/calendrier.ics")
    assert "financeur=ars-grand-est" in page.url
    # Months with nothing left to show are hidden with their heading.
    for heading in page.locator("h2[id^=mois-]").all():
        month = heading.get_attribute("id").removeprefix("mois-")
        has_items = page.locator(f'.aap-cal-list[data-month="{month}"] .aap-cal-item:visible').count() > 0
        assert heading.is_visible() == has_items
    assert not log.errors


@pytest.mark.browser
def test_the_calendar_marks_milestones_past_at_the_visitors_date(site, serve, new_page):
    base = serve(site)
    page, log = new_page()
    at(page, "2030-01-01")
    page.goto(base + "calendrier/2027/")
    phases = page.locator(".aap-cal-item .aap-phase").all_text_contents()
    assert phases and set(phases) == {"date passée"}
    assert not log.errors


@pytest.mark.browser
@pytest.mark.parametrize(("day", "group"), [("2026-02-16", "open"), ("2026-03-01", "closed")])
def test_home_page_groups_follow_the_visitors_date(site, serve, new_page, day, group):
    """On the home page, the Val-de-Marne call sits under « ouverts » before 28 February 2026, « clos » after."""
    base = serve(site)
    page, log = new_page()
    at(page, day)
    page.goto(base)
    item = page.locator('.aap-home li:has(a[href$="appels/cpam-val-de-marne-2026/"])')
    assert item.evaluate("li => li.closest('[data-group]').getAttribute('data-group')") == group
    assert not log.errors


@pytest.mark.browser
def test_funder_page_badges_follow_the_visitors_date(site, serve, new_page):
    """A funder page built earlier still shows « Ouvert » on a day the call is open."""
    base = serve(site)
    page, log = new_page()
    at(page, "2026-02-16")
    page.goto(base + "financeurs/cpam-val-de-marne/")
    badge = page.locator('li:has(a[href$="appels/cpam-val-de-marne-2026/"]) .aap-badge')
    assert badge.text_content() == "Ouvert"
    assert not log.errors


# --- calendars at scale ----------------------------------------------------------------

def _month(key: str, count: int) -> agenda.Month:
    return agenda.Month(key, key, tuple(range(count)))  # type: ignore[arg-type] - only their number counts here


@pytest.mark.parametrize(("sizes", "limit", "kept"), [
    ((3, 2, 1), 5, 2),   # whole months while they fit
    ((3, 2, 1), 6, 3),   # all fit
    ((9, 1), 5, 1),      # a month longer than the limit is kept whole, alone
    ((), 5, 0),
])
def test_a_long_listing_keeps_its_first_whole_months(sizes, limit, kept):
    months = [_month(f"2025-{i + 1:02d}", n) for i, n in enumerate(sizes)]
    shown, later = agenda.split(months, limit)
    assert [m.key for m in shown] == [m.key for m in months[:kept]]
    assert shown + later == months


@pytest.fixture(scope="module")
def small_pages_site(tmp_path_factory):
    """The site built with calendar pages of at most 2 milestones (extra.calendar_page_limit)."""
    from conftest import build_copy, project_copy

    project = project_copy(tmp_path_factory.mktemp("project"))
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nextra:\n  calendar_page_limit: 2\n", encoding="utf-8")
    output = tmp_path_factory.mktemp("site")
    result = build_copy(project, output)
    assert result.returncode == 0, result.stderr
    return output


def month_items(site: Path, year: str, month: str) -> list[str]:
    """The milestones of a month's page and of its numbered continuation pages (…/2/, …/3/)."""
    found, number = [], 1
    while (path := site / f"calendrier/{year}/{month}/" / (f"{number}/" if number > 1 else "") / "index.html").is_file():
        page = article(path)
        assert len(items(page)) <= 2, path  # calendar_page_limit: 2
        found += items(page)
        number += 1
    return found


def test_past_the_limit_the_calendar_gives_each_later_month_its_own_page(small_pages_site, corpus):
    today = dt.date.today()
    everything = agenda.entries(corpus.calls.values(), corpus.vocabulary)
    dated, undated = agenda.upcoming(everything, today)
    html = article(small_pages_site / "calendrier/index.html")
    listed = re.findall(r'<ul class="aap-cal-list" data-month="(\d{4}-\d{2})"', html)
    linked = re.findall(r'<li><a href="\.\./calendrier/(\d{4})/(\d{2})/">[^<]+</a> \((\d+) échéances?\)</li>', html)
    upcoming_months = {f"{e.first.year}-{e.first.month:02d}" for e in dated}
    assert set(listed) | {f"{y}-{m}" for y, m, _ in linked} == upcoming_months
    assert linked and not set(listed) & {f"{y}-{m}" for y, m, _ in linked}
    assert len(items(html)) <= 2 or len(listed) == 1  # whole months only: a long month stays whole
    if len(undated) > 2:
        assert "../calendrier/dates-non-publiees/" in html
        assert len(items(article(small_pages_site / "calendrier/dates-non-publiees/index.html"))) == len(undated)
    for year, month, count in linked:
        assert len(month_items(small_pages_site, year, month)) == int(count)
        page = article(small_pages_site / f"calendrier/{year}/{month}/index.html")
        assert all(first.startswith(f"{year}-{month}") for first in re.findall(r'data-first="([\d-]+)"', page))


def test_a_year_past_the_limit_links_its_months_and_every_milestone_keeps_a_page(small_pages_site, corpus):
    everything = agenda.entries(corpus.calls.values(), corpus.vocabulary)
    for year, (dated, undated) in agenda.by_year(everything).items():
        html = article(small_pages_site / f"calendrier/{year}/index.html")
        months = sorted({e.first.month for e in dated})
        on_month_pages = sum(len(month_items(small_pages_site, str(year), f"{m:02d}")) for m in months)
        assert on_month_pages == len(dated), year  # every dated milestone is on its month's page
        if len(dated) + len(undated) > 2:
            assert len(items(html)) == len(undated), year  # only the undated ones, the months are links
            for m in months:
                assert f'href="../../calendrier/{year}/{m:02d}/"' in html, (year, m)
        else:
            assert len(items(html)) == len(dated) + len(undated), year


def test_a_month_longer_than_a_page_is_spread_over_numbered_pages(small_pages_site, corpus):
    everything = agenda.entries(corpus.calls.values(), corpus.vocabulary)
    longest = max(agenda.months([e for e in everything if e.first]), key=lambda m: len(m.entries))
    year, month = longest.key.split("-")
    assert len(longest.entries) > 2  # the seed calls have such a month: the test means something
    pages = -(-len(longest.entries) // 2)
    second = article(small_pages_site / f"calendrier/{year}/{month}/2/index.html")
    assert '<strong aria-current="page">page 2</strong>' in second
    assert f'href="../../../../calendrier/{year}/{month}/">page 1</a>' in second
    assert len(month_items(small_pages_site, year, month)) == len(longest.entries)
    assert not (small_pages_site / f"calendrier/{year}/{month}/{pages + 1}/index.html").exists()


@pytest.mark.browser
def test_a_deadline_never_published_is_not_shown_as_to_come_on_any_page(site, serve, new_page):
    """Bretagne 2022 (« A venir » on 21 July 2022): « Date limite non publiée » in August 2022, closed from July 2023, live."""
    base = serve(site)
    for day, label, group in (("2022-08-01", "Date limite non publiée", "unpublished"),
                              ("2023-07-21", "Clos (aucune date publiée)", "closed"),
                              ("2026-12-01", "Clos (aucune date publiée)", "closed")):
        page, log = new_page()
        at(page, day)
        page.goto(base + "appels/bretagne-1000-jours-2022/")
        assert page.locator(".aap-status .aap-badge").inner_text().strip() == label, day
        page.goto(base)
        item = page.locator('.aap-home li:has(a[href="appels/bretagne-1000-jours-2022/"])')
        assert item.evaluate("(li) => li.closest('[data-group]').dataset.group") == group, day
        page.goto(base + "financeurs/ars-bretagne/")
        assert page.locator('li:has(a[href="../../appels/bretagne-1000-jours-2022/"]) .aap-badge').text_content() == label
        assert not log.errors
