"""The iCalendar feeds: valid RFC 5545, exact instants in UTC, stable UIDs, honest approximate dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import build_site
from icalendar import Calendar

from macros import agenda, ics

SITE_URL = "https://exemple.invalid/aap/"

# The seed calls' deadlines, as their texts state them, and the UTC start and end of their event:
# the last minute in which one may still submit, 59 seconds long (see ics.instant_span).
DEADLINES = [
    # « 24 janvier 2025 à minuit »: the end of the 24th, Paris winter time (UTC+1); 23:59 Paris is 22:59 UTC.
    ("cpam-flandres-2025", "depot-vague-1",
     (dt.datetime(2025, 1, 24, 22, 59, tzinfo=dt.UTC), dt.datetime(2025, 1, 24, 22, 59, 59, tzinfo=dt.UTC))),
    # « 11 avril 2025 à minuit »: the end of the 11th, Paris summer time (UTC+2).
    ("cpam-flandres-2025", "depot-vague-2",
     (dt.datetime(2025, 4, 11, 21, 59, tzinfo=dt.UTC), dt.datetime(2025, 4, 11, 21, 59, 59, tzinfo=dt.UTC))),
    # « au plus tard le 25 juillet 2021 à 23h59 »: 21:59 UTC.
    ("occitanie-1000-jours-2021", "depot",
     (dt.datetime(2021, 7, 25, 21, 59, tzinfo=dt.UTC), dt.datetime(2021, 7, 25, 21, 59, 59, tzinfo=dt.UTC))),
    # « avant le 28 février 2026 », no hour: an all-day event on that day.
    ("cpam-val-de-marne-2026", "depot", dt.date(2026, 2, 28)),
]
PARIS = ZoneInfo("Europe/Paris")


def feeds(site: Path) -> list[Path]:
    return sorted(site.rglob("*.ics"))


def parse(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


def events(path: Path) -> dict[str, object]:
    return {str(e["UID"]): e for e in parse(path).walk("VEVENT")}


def test_every_feed_the_issue_lists_exists(site, corpus):
    """There is a feed for the whole site, for each call and for each funder that has calls."""
    assert (site / "calendrier/tous.ics").is_file()
    for call_id in corpus.calls:
        assert (site / f"appels/{call_id}/calendrier.ics").is_file(), call_id
    for funder_id in corpus.funders:
        if corpus.calls_of(funder_id):
            assert (site / f"financeurs/{funder_id}/calendrier.ics").is_file(), funder_id


def test_every_feed_is_well_formed_rfc_5545(site):
    """CRLF line ends, lines folded at 75 octets, and the required properties on every event."""
    paths = feeds(site)
    assert len(paths) > 3
    for path in paths:
        raw = path.read_bytes()
        assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n"), path
        lines = raw.split(b"\r\n")[:-1]
        assert all(b"\n" not in line and b"\r" not in line for line in lines), f"{path}: bare LF or CR"
        assert all(len(line) <= 75 for line in lines), f"{path}: line longer than 75 octets"
        calendar = parse(path)
        assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
        assert calendar.subcomponents, f"{path}: RFC 5545 needs at least one component"
        for event in calendar.walk("VEVENT"):
            for prop in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
                assert prop in event, f"{path}: {prop} missing"
            assert event.decoded("DTSTAMP").tzinfo is not None


@pytest.mark.parametrize(("call_id", "milestone_id", "expected"), DEADLINES)
def test_each_seed_deadline_is_at_its_exact_instant(site, corpus, call_id, milestone_id, expected):
    """A deadline is in its call's and its funders' feeds (and the site's while the call is not over), at its last
    minute in UTC (or its day)."""
    uid = f"{call_id}/{milestone_id}@appels-sante"
    places = [site / f"appels/{call_id}/calendrier.ics"]
    if not agenda.call_over(corpus.calls[call_id], dt.date.today()):
        places.append(site / "calendrier/tous.ics")
    places += [site / f"financeurs/{f}/calendrier.ics" for f in corpus.calls[call_id].funders]
    for path in places:
        event = events(path).get(uid)
        assert event is not None, f"{uid} missing from {path}"
        start = event.decoded("DTSTART")
        if isinstance(expected, tuple):
            assert isinstance(start, dt.datetime) and (start, event.decoded("DTEND")) == expected
            assert event["DTSTART"].to_ical().decode().endswith("Z"), "instants are written in UTC"
        else:
            assert not isinstance(start, dt.datetime) and start == expected
            assert event.decoded("DTEND") == expected + dt.timedelta(days=1)


def test_a_midnight_deadline_starts_and_ends_on_its_own_day_in_paris(site):
    """« 24 janvier 2025 à minuit » starts and ends on 24 January in Paris time, and its title says « minuit »."""
    event = events(site / "appels/cpam-flandres-2025/calendrier.ics")["cpam-flandres-2025/depot-vague-1@appels-sante"]
    start, end = event.decoded("DTSTART").astimezone(PARIS), event.decoded("DTEND").astimezone(PARIS)
    assert (start.date(), end.date()) == (dt.date(2025, 1, 24), dt.date(2025, 1, 24))
    assert start < end
    assert "à minuit" in str(event["SUMMARY"])
    assert "Vague 1" in str(event["SUMMARY"])


def test_every_event_has_an_explicit_end(site):
    """Every VEVENT of every feed has DTEND or DURATION, and ends after it starts."""
    found = 0
    for path in feeds(site):
        for event in parse(path).walk("VEVENT"):
            found += 1
            assert "DTEND" in event or "DURATION" in event, (path, str(event["UID"]))
            end = event.decoded("DTEND") if "DTEND" in event else event.decoded("DTSTART") + event.decoded("DURATION")
            assert end > event.decoded("DTSTART"), (path, str(event["UID"]))
    assert found > 20


def test_every_deadline_has_a_reminder_before_it(site):
    """Each deadline event carries VALARMs that trigger before it."""
    found = 0
    for event in (e for path in (site / "appels").glob("*/calendrier.ics") for e in parse(path).walk("VEVENT")):
        if str(event.get("CATEGORIES").cats[0]) != "Date limite de dépôt":
            continue
        found += 1
        alarms = event.walk("VALARM")
        assert alarms, event["UID"]
        assert all(alarm.decoded("TRIGGER") < dt.timedelta(0) for alarm in alarms)
        assert all(str(alarm["ACTION"]) == "DISPLAY" and alarm["DESCRIPTION"] for alarm in alarms)
    assert found >= 4


def test_alternatives_give_one_all_day_event_per_possible_date(site):
    """« 24 avril ou 15 mai 2025 »: two all-day events marked « (date possible) »."""
    found = {uid: e for uid, e in events(site / "appels/cpam-flandres-2025/calendrier.ics").items()
             if uid.startswith("cpam-flandres-2025/commission-vague-2/")}
    assert sorted(e.decoded("DTSTART") for e in found.values()) == [dt.date(2025, 4, 24), dt.date(2025, 5, 15)]
    assert all("(date possible)" in str(e["SUMMARY"]) for e in found.values())
    assert all("24 avril 2025 ou 15 mai 2025" in str(e["DESCRIPTION"]) for e in found.values())


def test_an_approximate_date_spans_its_window_with_the_calls_words(site):
    """« fin août 2021 »: one all-day event over the window, the call's words in the summary."""
    event = events(site / "appels/occitanie-1000-jours-2021/calendrier.ics")["occitanie-1000-jours-2021/selection@appels-sante"]
    assert event.decoded("DTSTART") == dt.date(2021, 8, 21)
    assert event.decoded("DTEND") == dt.date(2021, 9, 1)  # exclusive: the window ends on 31 August
    assert "fin août 2021" in str(event["SUMMARY"]) and "approximative" in str(event["SUMMARY"])


def test_an_unknown_date_gives_no_event(site, corpus):
    """« A venir »: nothing is invented, and the feed stays a valid calendar."""
    call = corpus.calls["bretagne-1000-jours-2022"]
    assert all(m.when.kind == "unknown" for m in call.milestones)
    calendar = parse(site / "appels/bretagne-1000-jours-2022/calendrier.ics")
    assert list(calendar.walk("VEVENT")) == []
    assert list(calendar.walk("VTIMEZONE"))
    assert not any(uid.startswith("bretagne-1000-jours-2022/") for uid in events(site / "calendrier/tous.ics"))


def test_the_site_feed_holds_the_calls_not_over_and_only_them(site, corpus):
    """tous.ics, the feed people subscribe to: every event of every call not over at build time, nothing else."""
    today = dt.date.today()
    in_feed = {uid.split("/")[0] for uid in events(site / "calendrier/tous.ics")}
    not_over = {call_id for call_id, call in corpus.calls.items() if not agenda.call_over(call, today)}
    with_events = {call_id for call_id in corpus.calls if events(site / f"appels/{call_id}/calendrier.ics")}
    assert in_feed == not_over & with_events
    assert corpus.calls.keys() - not_over  # some seed calls are over: the test tells something
    for call_id in in_feed:
        assert events(site / f"appels/{call_id}/calendrier.ics").keys() <= events(site / "calendrier/tous.ics").keys()


def test_uids_are_unique_within_each_feed(site):
    for path in feeds(site):
        uids = [str(e["UID"]) for e in parse(path).walk("VEVENT")]
        assert len(uids) == len(set(uids)), path


def test_a_second_build_gives_the_same_uids_and_dates_and_adds_urls(site, tmp_path, monkeypatch):
    """Two builds (the second with SITE_URL set) give the same UIDs, DTSTAMPs and instants; URLs are absolute."""
    monkeypatch.setenv("SITE_URL", SITE_URL)
    result = build_site(tmp_path / "second")
    assert result.returncode == 0, result.stderr
    second = tmp_path / "second"
    assert [p.relative_to(site) for p in feeds(site)] == [p.relative_to(second) for p in feeds(second)]
    for path in feeds(site):
        first_events, second_events = events(path), events(second / path.relative_to(site))
        assert first_events.keys() == second_events.keys(), path
        for uid, event in first_events.items():
            other = second_events[uid]
            for prop in ("DTSTAMP", "DTSTART", "SUMMARY"):
                assert event[prop].to_ical() == other[prop].to_ical(), (path, uid, prop)
            call_id = uid.split("/")[0]
            assert str(other["URL"]) == f"{SITE_URL}appels/{call_id}/"
            assert "URL" not in event  # without a site address, no (meaningless) relative URL


def test_the_same_calls_give_byte_identical_feeds(corpus):
    """DTSTAMP comes from the data, not the clock: generating twice gives the same bytes."""
    calls = list(corpus.calls.values())
    assert ics.calendar(calls, corpus.funders, SITE_URL) == ics.calendar(calls, corpus.funders, SITE_URL)


def test_folding_never_cuts_a_character_and_unfolds_to_the_original():
    line = "DESCRIPTION:" + "Échéance « à minuit » — dépôt des dossiers ; " * 6
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line


def test_text_values_are_escaped():
    assert ics.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_midnight_is_the_end_of_the_day_in_paris():
    """« 24:00 » is 00:00 the next day, Paris time, across both DST offsets."""
    assert ics.paris_to_utc(dt.date(2025, 1, 24), "24:00") == dt.datetime(2025, 1, 24, 23, tzinfo=dt.UTC)
    assert ics.paris_to_utc(dt.date(2025, 4, 11), "24:00") == dt.datetime(2025, 4, 11, 22, tzinfo=dt.UTC)
    assert ics.paris_to_utc(dt.date(2021, 7, 25), "23:59") == dt.datetime(2021, 7, 25, 21, 59, tzinfo=dt.UTC)
