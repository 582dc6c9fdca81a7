"""iCalendar feeds written by hand (macros/ics.py) versus with the ``icalendar`` library.

Issue 13 asks whether writing the feeds with ``icalendar`` makes the 5 000-call build slower.
This times the part that would change — turning every call's events into feed text — for
``--calls`` calls (the seed calls repeated under new ids, each written once as the build does
with its ``blocks`` cache), both ways in the same run, and prints the medians and their ratio.
It also parses both outputs with ``icalendar`` and reports any event whose properties differ.

    .venv/bin/python benchmarks/ics_library.py --calls 5000 --repeat 5
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import icalendar  # noqa: E402

from callfiles.corpus import load_corpus  # noqa: E402
from macros import ics  # noqa: E402


def by_library(calls: Any, funders: Any, base_url: str, name: str) -> bytes:
    """The same events as :func:`macros.ics.calendar`, written with ``icalendar``."""
    cal = icalendar.Calendar()
    for key, value in (("VERSION", "2.0"), ("PRODID", ics.PRODID), ("CALSCALE", "GREGORIAN"), ("METHOD", "PUBLISH"),
                       ("NAME", name), ("X-WR-CALNAME", name), ("X-WR-TIMEZONE", "Europe/Paris")):
        cal.add(key, value)
    for call in calls:
        for event in ics.events_of(call, funders, base_url):
            item = icalendar.Event()
            item.add("UID", event.uid)
            item.add("DTSTAMP", event.stamp)
            if event.start is not None:
                item.add("DTSTART", event.start)
                item.add("DTEND", event.end)
            else:
                first, last = event.days
                item.add("DTSTART", first)
                item.add("DTEND", last + dt.timedelta(days=1))
            item.add("SUMMARY", event.summary)
            item.add("DESCRIPTION", event.description)
            if event.categories:
                item.add("CATEGORIES", [event.categories])
            if event.url:
                item.add("URL", event.url)
            item.add("TRANSP", "TRANSPARENT")
            if event.alarms:
                for trigger, words in ics.ALARMS:
                    alarm = icalendar.Alarm()
                    alarm.add("ACTION", "DISPLAY")
                    alarm.add("TRIGGER", -dt.timedelta(days=int(trigger[2:-1])))
                    alarm.add("DESCRIPTION", f"{event.summary} : {words}")
                    item.add_component(alarm)
            cal.add_component(item)
    return cal.to_ical()


def events(text: bytes | str) -> dict[str, dict[str, str]]:
    parsed = icalendar.Calendar.from_ical(text)
    out = {}
    for event in parsed.walk("VEVENT"):
        props = {key: event[key].to_ical().decode() if hasattr(event[key], "to_ical") else str(event[key])
                 for key in event if key not in ("CATEGORIES",)}
        props["CATEGORIES"] = ",".join(str(c) for c in event["CATEGORIES"].cats) if "CATEGORIES" in event else ""
        props["ALARMS"] = repr([(str(a["TRIGGER"].dt), str(a["DESCRIPTION"])) for a in event.walk("VALARM")])
        out[str(event["UID"])] = props
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    corpus = load_corpus(ROOT / "calls")
    seeds = list(corpus.calls.values())
    calls = [dataclasses.replace(seeds[i % len(seeds)], id=f"{seeds[i % len(seeds)].id}-{i}") for i in range(args.calls)]
    base = "https://example.org/"
    hand, library = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        by_hand_text = ics.calendar(calls, corpus.funders, base, blocks={})
        hand.append(time.perf_counter() - start)
        start = time.perf_counter()
        library_text = by_library(calls, corpus.funders, base, "Appels à projets santé")
        library.append(time.perf_counter() - start)
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"icalendar {icalendar.__version__}; {args.calls} calls, {args.repeat} runs")
    print(f"by hand:   median {statistics.median(hand):.3f} s ({len(by_hand_text.encode()) / 1e6:.1f} MB)")
    print(f"icalendar: median {statistics.median(library):.3f} s ({len(library_text) / 1e6:.1f} MB)")
    print(f"ratio icalendar / by hand: {statistics.median(library) / statistics.median(hand):.2f}")
    a, b = events(ics.calendar(seeds, corpus.funders, base)), events(by_library(seeds, corpus.funders, base, "x"))
    differences = [(uid, key, a[uid].get(key), b[uid].get(key)) for uid in a for key in set(a[uid]) | set(b.get(uid, {}))
                   if uid in b and a[uid].get(key) != b[uid].get(key)]
    print(f"seed events: {len(a)} by hand, {len(b)} with icalendar, {len(set(a) ^ set(b))} UIDs in one only, "
          f"{len(differences)} differing properties")
    for difference in differences[:10]:
        print("  ", difference)


if __name__ == "__main__":
    main()
