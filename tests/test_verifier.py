"""« Vérifier un fichier d'appel » (/publier/verifier/): the build's check, preview and starter, in the browser.

The browser side runs ``callfiles`` under the site's Pyodide (docs/assets/verifier/worker.js).
Every expectation is computed here by the build's own loader in CPython
(:func:`callfiles.corpus.load_corpus` on a copy of ``calls/`` with the file added), never copied.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from browser_support import PageLog, serve_directory, wait_until
from conftest import CALLS

from callfiles.corpus import load_corpus
from callfiles.problems import CallFileError

BAD = Path(__file__).resolve().parent / "bad_calls"
SEED = "cpam-flandres-2025"


def build_problems(tmp_path: Path, name: str, content: bytes) -> list[str]:
    """What the build says about ``content`` saved as ``calls/<name>`` beside the real call files."""
    root = tmp_path / "calls"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(CALLS, root)
    (root / name).write_bytes(content)
    try:
        load_corpus(root)
    except CallFileError as error:
        return [str(p) for p in error.problems]
    return []


# --- CPython: the entry point the browser runs --------------------------------------------------

def _published(raw: bytes) -> dict[str, bytes]:
    """The files the page's worker fetches for ``raw``: the referentiel, then what it names, transitively."""
    from callfiles.draft import referenced, source_named

    files = {f"_referentiel/{n}": (CALLS / "_referentiel" / n).read_bytes() for n in ("vocabulaire.yaml", "financeurs.yaml")}
    pending = [raw]
    while pending:
        data = pending.pop()
        source = source_named(data)
        if source and (CALLS / "_sources" / source).is_file():
            files[f"_sources/{source}"] = (CALLS / "_sources" / source).read_bytes()
        for call_id in referenced(data):
            if f"{call_id}.yaml" not in files and (CALLS / f"{call_id}.yaml").is_file():
                files[f"{call_id}.yaml"] = (CALLS / f"{call_id}.yaml").read_bytes()
                pending.append(files[f"{call_id}.yaml"])
    return files


@pytest.mark.parametrize("fixture", sorted(BAD.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_draft_check_says_what_the_build_says(tmp_path, fixture):
    from callfiles.draft import check

    raw = fixture.read_bytes()
    expected = build_problems(tmp_path, fixture.name, raw)
    assert expected, "a bad fixture the build accepts tests nothing"
    assert [str(p) for p in check(raw, fixture.name, _published(raw)).problems] == expected


def test_a_pasted_file_is_checked_under_its_id_and_a_seed_call_passes(tmp_path):
    from callfiles.draft import check

    raw = (CALLS / f"{SEED}.yaml").read_bytes()
    outcome = check(raw, None, _published(raw))
    assert (outcome.name, outcome.problems, outcome.call_id) == (f"{SEED}.yaml", [], SEED)
    assert outcome.corpus is not None and outcome.corpus.calls[SEED].title
    wrong = check(raw, "brouillon.yaml", _published(raw))
    assert [str(p) for p in wrong.problems] == build_problems(tmp_path, "brouillon.yaml", raw)
    assert [p.path for p in wrong.problems] == ["id"]


def test_a_very_long_file_is_refused_before_parsing(tmp_path):
    """5 000 lines: the build refuses it on its length (and so does the page, with the same line)."""
    text = "id: long\nthemes:\n" + "".join(f"  - {{label: \"T{i}\", reference: \"§ {i}\"}}\n" for i in range(4998))
    problems = build_problems(tmp_path, "long.yaml", text.encode())
    assert len(problems) == 1 and problems[0].startswith("calls/long.yaml:1:1: fichier trop long : 5000 lignes")


def test_the_starter_file_passes_the_build(tmp_path):
    from macros.draft_page import Verifier

    verifier = Verifier()
    for path, data in _published(b"").items():
        verifier.add_file(path, data)
    answer = json.loads(verifier.starter(json.dumps({
        "title": "Prévention « santé » : appel 2026", "funder": "cpam-flandres", "date": "2026-03-01", "time": "12:00",
        "regions": ["hauts-de-france"], "departments": ["59"], "structure_types": ["association"],
        "summary": "Des actions collectives.\nSur deux lignes.", "url": "https://exemple.fr/appel"})))
    assert answer["problems"] == []
    assert build_problems(tmp_path, answer["name"], answer["yaml"].encode()) == []
    broken = json.loads(verifier.starter(json.dumps({"title": "x", "funder": "inconnu\nkind: framework", "date": "1er mars"})))
    assert any("funders[0]" in p["text"] for p in broken["problems"])
    assert any("milestones[0].when" in p["text"] for p in broken["problems"])


# --- the page, in Chromium ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def checker(site: Path, browser: Any):
    """The checking page of the built site, opened once and ready."""
    with serve_directory(site) as base_url:
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
        page = context.new_page()
        log = PageLog.attach(page)
        page.goto(base_url + "publier/verifier/")
        wait_until(page, "() => ['ready', 'failed'].includes(document.getElementById('verif-etat').dataset.phase)", timeout=120)
        assert page.get_attribute("#verif-etat", "data-phase") == "ready", page.text_content("#verif-etat")
        yield page, log, base_url
        context.close()


def open_file(page: Any, name: str, content: bytes) -> dict[str, Any]:
    """Open ``content`` as the file ``name`` with the page's file input; return what the page shows."""
    before = page.evaluate("() => Number(document.getElementById('verif-resultat').dataset.run || 0)")
    page.set_input_files("#verif-fichier", files=[])
    page.set_input_files("#verif-fichier", files=[{"name": name, "mimeType": "application/yaml", "buffer": content}])
    wait_until(page, "(n) => Number(document.getElementById('verif-resultat').dataset.run || 0) > n", before, timeout=60)
    return page.evaluate("""() => ({
        problems: [...document.querySelectorAll('#verif-problemes li')].map((li) => ({
            text: li.querySelector('.verif-message').textContent,
            href: li.querySelector('a')?.getAttribute('href') ?? null})),
        flagged: [...document.querySelectorAll('#verif-lignes li.verif-ligne--probleme')].map((li) => li.id),
        lines: document.querySelectorAll('#verif-lignes li').length,
        valid: document.getElementById('verif-resultat').dataset.valid,
        preview: !document.getElementById('verif-apercu').hidden,
    })""")


@pytest.mark.browser
def test_every_bad_fixture_gets_the_build_problems_each_linked_to_its_line(checker, tmp_path):
    page, log, _ = checker
    for fixture in sorted(BAD.glob("*.yaml")):
        raw = fixture.read_bytes()
        expected = build_problems(tmp_path, fixture.name, raw)
        shown = open_file(page, fixture.name, raw)
        assert [p["text"] for p in shown["problems"]] == expected, fixture.name
        assert shown["valid"] == "false" and not shown["preview"], fixture.name
        for problem in shown["problems"]:
            line = int(re.match(r"calls/[^:]+:(\d+):", problem["text"]).group(1))
            assert problem["href"] == f"#ligne-{line}", (fixture.name, problem)
            assert f"ligne-{line}" in shown["flagged"], (fixture.name, problem)
    assert not log.errors


@pytest.mark.browser
def test_a_seed_call_has_no_problem_and_its_preview_matches_the_built_page(checker):
    page, log, base_url = checker
    shown = open_file(page, f"{SEED}.yaml", (CALLS / f"{SEED}.yaml").read_bytes())
    assert shown["problems"] == [] and shown["valid"] == "true" and shown["preview"]
    read = """(root) => ({
        title: root.querySelector('h1')?.textContent.trim(),
        status: root.querySelector('.aap-badge')?.textContent.trim(),
        deadlines: [...root.querySelectorAll('.aap-deadlines li')].map((li) => li.textContent.replace(/\\s+/g, ' ').trim()),
        rules: [...root.querySelectorAll('.aap-rules dt')].map((dt) => dt.textContent.trim()),
        quotes: [...root.querySelectorAll('.aap-rules .aap-quote')].map((q) => q.textContent.replace(/\\s+/g, ' ').trim()),
    })"""
    preview = page.eval_on_selector("#verif-page", read)
    built = page.context.new_page()
    built.goto(f"{base_url}appels/{SEED}/")
    original = built.eval_on_selector("article, .md-content", read)
    built.close()
    assert preview["deadlines"] and preview["rules"] and preview["quotes"]
    # site.js may update the status for the visitor's day on the built page: same day here, same badge.
    assert preview == original
    assert not log.errors and not log.foreign(base_url)


@pytest.mark.browser
def test_a_billion_laughs_and_a_long_file_are_refused_quickly_and_the_page_answers(checker, tmp_path):
    page, _, _ = checker
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    long_text = "id: long\n" + "".join(f"# {i}\n" for i in range(5000))
    for name, content in (("lol.yaml", "\n".join(levels).encode()), ("long.yaml", long_text.encode())):
        started = time.monotonic()
        shown = open_file(page, name, content)
        assert time.monotonic() - started < 20, name  # seconds, not the minutes an expansion would take
        assert [p["text"] for p in shown["problems"]] == build_problems(tmp_path, name, content)
        assert page.evaluate("() => 1 + 1") == 2  # the main thread is free: the work is in the worker


@pytest.mark.browser
def test_the_starter_form_makes_a_file_the_build_accepts(checker, tmp_path):
    page, _, _ = checker
    wait_until(page, "() => document.querySelectorAll('#nouveau-financeur option').length > 1", timeout=30)
    page.fill("#nouveau-titre", "Actions de prévention 2026")
    page.select_option("#nouveau-financeur", "cpam-flandres")
    page.fill("#nouveau-date", "2026-03-01")
    page.fill("#nouveau-heure", "12:00")
    page.select_option("#nouveau-departements", ["59"])
    page.check("#nouveau-structures input[value='association']")
    page.fill("#nouveau-resume", "Des actions collectives de prévention.")
    page.fill("#nouveau-adresse", "https://exemple.fr/appel")
    page.click("#verif-nouveau button[type=submit]")
    wait_until(page, "() => document.querySelector('#nouveau-resultat pre code')", timeout=30)
    text = page.text_content("#nouveau-resultat pre code")
    name = page.get_attribute("#nouveau-resultat a[download]", "download")
    assert name == "actions-de-prevention-2026.yaml"
    assert build_problems(tmp_path, name, text.encode()) == []
    assert "association" in text and "12:00" in text


@pytest.mark.browser
def test_the_draft_calculators_evaluate_the_draft_not_the_published_call(checker, site):
    """A draft lowering a rate cap: the simulator on /publier/verifier/budget/ applies the draft's rule."""
    from conftest import PRODUCT_EXAMPLE

    from calculators.api import Bundle

    page, log, base_url = checker
    text = (CALLS / f"{SEED}.yaml").read_text(encoding="utf-8")
    praticiens = '{label: "Praticiens", professions: [medecin, sage_femme, chirurgien_dentiste], max: "75"}'
    assert praticiens in text
    draft = text.replace(praticiens, praticiens.replace('"75"', '"70"'))
    shown = open_file(page, f"{SEED}.yaml", draft.encode())
    assert shown["valid"] == "true" and shown["problems"] == []
    page.click("#verif-budget")
    wait_until(page, "() => window.calculators && window.calculators.status().phase === 'ready'", timeout=120)
    wait_until(page, "() => document.getElementById('calculateur')?.dataset.state === 'ready'", timeout=30)
    in_page = page.evaluate("([id, input]) => window.calculators.evaluate('budget', id, input)", [SEED, PRODUCT_EXAMPLE])
    from callfiles.draft import check

    outcome = check(draft.encode(), f"{SEED}.yaml", _published(draft.encode()))
    bundle = Bundle()
    bundle.load_vocabulary((site / "donnees" / "vocabulaire.json").read_text(encoding="utf-8"))
    from macros.site import to_json

    bundle.load_call(to_json(outcome.corpus.call_data[SEED]))
    expected = json.loads(bundle.evaluate_text("budget", SEED, json.dumps(PRODUCT_EXAMPLE)))["result"]
    published = json.loads(site_bundle_result(site, PRODUCT_EXAMPLE))["result"]
    assert in_page == expected and in_page != published  # the draft's 70 € cap, not the published 75 €
    page.goto(base_url + "publier/verifier/")
    wait_until(page, "() => document.getElementById('verif-etat').dataset.phase === 'ready'", timeout=120)
    assert not log.errors and not log.foreign(base_url)


def site_bundle_result(site: Path, example: dict[str, Any]) -> str:
    from conftest import site_bundle

    return site_bundle(site, SEED).evaluate_text("budget", SEED, json.dumps(example))


def test_only_the_checking_page_loads_the_check(site):
    """Guidance pages stay as light as before: none links the checking page's scripts or worker."""
    pages = [p for p in site.rglob("index.html") if "publier/verifier" not in p.as_posix()]
    assert len(pages) > 20
    assert not [p for p in pages if "assets/verifier/" in p.read_text(encoding="utf-8")]
    checking = (site / "publier" / "verifier" / "index.html").read_text(encoding="utf-8")
    assert "assets/verifier/verifier.js" in checking and "assets/calculateurs/runtime.js" not in checking
    manifest = json.loads((site / "assets" / "verifier" / "manifest.json").read_text(encoding="utf-8"))
    for path, digest in manifest["files"].items():
        import hashlib
        assert hashlib.sha256((site / path).read_bytes()).hexdigest() == digest, path
    with __import__("zipfile").ZipFile(site / manifest["bundle"]) as bundle:
        names = bundle.namelist()
    assert "rpds.py" in names and "yaml/__init__.py" in names and "callfiles/draft.py" in names
    assert not [n for n in names if n.endswith((".so", ".pyd"))]


@pytest.mark.browser
def test_the_checking_page_passes_axe_and_fits_320_px_with_problems_and_with_a_preview(checker):
    from test_accessibility import BLOCKING, NARROW, run_axe

    page, log, _ = checker
    for name, content in (("several-problems.yaml", (BAD / "several-problems.yaml").read_bytes()),
                          (f"{SEED}.yaml", (CALLS / f"{SEED}.yaml").read_bytes())):
        open_file(page, name, content)
        page.set_viewport_size({"width": 1280, "height": 900})
        violations = [v for v in run_axe(page) if v["impact"] in BLOCKING]
        assert violations == [], (name, violations)
        page.set_viewport_size(NARROW)
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= NARROW["width"], name
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not log.errors
