"""Open data: appels.json and the per-call JSON valid against the published schemas, the Atom feed, JSON-LD."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import jsonschema
import pytest
from referencing import Registry, Resource

from macros import feeds

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def registry(site: Path) -> Registry:
    """The two published schemas, as an outside user would fetch them from /donnees/."""
    schema = json.loads((site / "donnees/schema.json").read_text(encoding="utf-8"))
    wrapper = json.loads((site / "donnees/appels.schema.json").read_text(encoding="utf-8"))
    return Registry().with_resources([("schema.json", Resource.from_contents(schema)),
                                      ("appels.schema.json", Resource.from_contents(wrapper))])


def validator(registry: Registry, name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(registry.contents(name), registry=registry,
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def site_path(site: Path, page_dir: Path, href: str) -> Path:
    """The file a relative link of a page (or feed) in ``page_dir`` points to."""
    target = urljoin(f"http://x/{page_dir.relative_to(site).as_posix()}/", href)
    path = site / target.removeprefix("http://x/")
    return path / "index.html" if target.endswith("/") else path


def test_appels_json_lists_every_call_and_validates(site, corpus, registry):
    """{"generated", "calls": [...]}: the wrapper against appels.schema.json, each call against schema.json."""
    document = json.loads((site / "donnees/appels.json").read_text(encoding="utf-8"))
    validator(registry, "appels.schema.json").validate(document)
    assert set(document) == {"generated", "calls"}
    assert dt.datetime.fromisoformat(document["generated"].replace("Z", "+00:00")).tzinfo is not None
    assert [c["id"] for c in document["calls"]] == sorted(corpus.calls)
    one = validator(registry, "schema.json")
    for call in document["calls"]:
        one.validate(call)


def test_each_call_json_validates_and_matches_appels_json(site, corpus, registry):
    document = json.loads((site / "donnees/appels.json").read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in document["calls"]}
    one = validator(registry, "schema.json")
    for call_id in corpus.calls:
        data = json.loads((site / f"donnees/appels/{call_id}.json").read_text(encoding="utf-8"))
        one.validate(data)
        assert data == by_id[call_id]


def test_a_call_that_breaks_the_schema_is_refused_by_it(registry):
    """The published schema is strict: an unknown key in a call of appels.json does not validate."""
    bad = {"generated": "2026-01-01T00:00:00Z", "calls": [{"id": "x", "unknown": 1}]}
    assert list(validator(registry, "appels.schema.json").iter_errors(bad))


def test_the_open_data_page_documents_every_export(site):
    html = (site / "donnees/index.html").read_text(encoding="utf-8")
    for name in ("appels.json", "appels.schema.json", "schema.json", "appels.atom", "tous.ics", "generated", "calls"):
        assert name in html, name


def test_atom_feed_keeps_only_its_newest_calls(corpus):
    """Past the limit, the calls left out are none newer than those kept."""
    from macros.ics import stamp_date

    feed = ET.fromstring(feeds.atom(corpus.calls.values(), corpus.funders, limit=3))
    kept = [e.find(f"{ATOM}link").get("href").split("/")[-2] for e in feed.findall(f"{ATOM}entry")]
    assert len(kept) == 3 < len(corpus.calls)
    oldest_kept = min(stamp_date(corpus.calls[c]) for c in kept)
    assert all(stamp_date(call) <= oldest_kept for call_id, call in corpus.calls.items() if call_id not in kept)


def test_atom_feed_has_every_call_newest_first(site, corpus):
    path = site / "donnees/appels.atom"
    feed = ET.parse(path).getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == min(len(corpus.calls), feeds.ATOM_ENTRIES)
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.find(f"{ATOM}updated").text == updated[0]
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    for entry in entries:
        assert entry.find(f"{ATOM}title").text and entry.find(f"{ATOM}summary").text
        assert entry.find(f"{ATOM}author/{ATOM}name").text
        for link in entry.findall(f"{ATOM}link"):
            assert site_path(site, path.parent, link.get("href")).is_file(), link.get("href")


def test_home_page_links_the_atom_feed(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    # rel is a token list ("alternate " on purpose: see overrides/main.html).
    match = re.search(r'<link rel="([^"]*)" type="application/atom\+xml"[^>]*href="([^"]+)"', html)
    assert match and "alternate" in match.group(1).split(), "no <link rel=alternate> to the Atom feed"
    assert site_path(site, site, match.group(2)).is_file()


def json_ld(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def test_each_call_page_carries_a_monetary_grant(site, corpus):
    for call_id, call in corpus.calls.items():
        blocks = json_ld((site / f"appels/{call_id}/index.html").read_text(encoding="utf-8"))
        assert len(blocks) == 1, call_id
        grant = blocks[0]
        assert grant["@context"] == "https://schema.org" and grant["@type"] == "MonetaryGrant"
        assert grant["name"] == call.title and grant["identifier"] == call_id
        assert [f["name"] for f in grant["funder"]] == [corpus.funders[f].name for f in call.funders]


def test_json_ld_states_the_amounts_and_the_dates_of_the_call(site):
    grant = json_ld((site / "appels/occitanie-1000-jours-2021/index.html").read_text(encoding="utf-8"))[0]
    assert {"@type": "MonetaryAmount", "currency": "EUR", "value": 10000,
            "name": "Seuil de dépenses minimales du projet"} in grant["amount"]
    assert grant["potentialAction"] == {"@type": "ApplyAction", "name": "Déposer un dossier",
                                        "startTime": "2021-06-18", "endTime": "2021-07-25T23:59:00+02:00"}
    flandres = json_ld((site / "appels/cpam-flandres-2025/index.html").read_text(encoding="utf-8"))[0]
    assert flandres["potentialAction"]["endTime"] == "2025-04-12T00:00:00+02:00"  # « 11 avril 2025 à minuit »
    assert "amount" not in flandres  # the call states no amount: none is made up


def test_json_ld_cannot_break_out_of_its_script_element(corpus):
    """A title holding « </script> » or « <!-- » is escaped as \\u003c… and still round-trips."""
    call = dataclasses.replace(corpus.calls["cpam-flandres-2025"],
                               title="</script><script>alert(1)</script> <!-- & -->", summary="a > b & c < d")
    text = feeds.script_json(feeds.grant(call, corpus.funders, "./", lambda f: f"../../financeurs/{f}/"))
    assert not set("<>&") & set(text)
    assert json.loads(text)["name"] == call.title
    assert "\\u003c/script\\u003e" in text
