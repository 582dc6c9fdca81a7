"""Preview of one call (``APPELS_PREVIEW``): only its pages and what they link to, validated as in a full build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CALLS, ROOT, project_copy

from callfiles.corpus import load_corpus
from callfiles.problems import CallFileError
from macros.preview import selection

BAD = Path(__file__).resolve().parent / "bad_calls"
NEIGHBOURS = ("cadre-national-1000-jours-2021.yaml", "cpam-flandres-2025.yaml")


def preview_build(project: Path, destination: Path, ids: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``project`` with ``APPELS_PREVIEW=ids``."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "APPELS_PREVIEW": ids}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(destination)]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)


def subfolders(path: Path) -> set[str]:
    return {p.name for p in path.iterdir() if p.is_dir()} if path.is_dir() else set()


def test_the_variable_names_calls_by_id_or_by_file():
    """« calls/x.yaml, y » previews x and y; an empty variable means a full build."""
    assert selection({"APPELS_PREVIEW": "calls/cpam-flandres-2025.yaml, occitanie-1000-jours-2021"}) == {
        "cpam-flandres-2025", "occitanie-1000-jours-2021"}
    assert selection({"APPELS_PREVIEW": "  "}) is None
    assert selection({}) is None


def test_a_preview_loads_the_call_and_the_calls_it_names():
    """A regional call brings its framework, and the framework the regional calls it lists."""
    corpus = load_corpus(CALLS, only=["occitanie-1000-jours-2021"])
    framework = corpus.calls["cadre-national-1000-jours-2021"]
    named = {r.call for r in framework.regional_calls if r.call}
    assert set(corpus.calls) == {"occitanie-1000-jours-2021", "cadre-national-1000-jours-2021", *named}
    assert "cpam-flandres-2025" not in corpus.calls
    assert corpus.selection == {"occitanie-1000-jours-2021"}


def test_a_preview_of_an_unknown_id_says_which_file_is_missing():
    """A typo in the id is a problem naming the file looked for, not an empty site."""
    with pytest.raises(CallFileError, match=r"calls/cpam-flandre-2025\.yaml:1:1: fichier introuvable"):
        load_corpus(CALLS, only=["cpam-flandre-2025"])


@pytest.fixture(scope="module")
def preview_site(tmp_path_factory) -> Path:
    destination = tmp_path_factory.mktemp("preview-site")
    result = preview_build(ROOT, destination, "cpam-flandres-2025")
    assert result.returncode == 0, result.stderr
    return destination


def test_the_preview_builds_only_the_call_its_funder_and_the_site_pages(preview_site):
    """Only /appels/cpam-flandres-2025/ and its tools, its funder's page, and the hand-written pages."""
    assert subfolders(preview_site / "appels") == {"cpam-flandres-2025"}
    assert subfolders(preview_site / "appels" / "cpam-flandres-2025") >= {"checklist"}
    assert subfolders(preview_site / "financeurs") == {"cpam-flandres"}
    assert {p.stem for p in (preview_site / "donnees" / "appels").glob("*.json")} == {"cpam-flandres-2025"}
    for page in ("index.html", "publier/index.html", "calendrier/index.html", "financeurs/index.html"):
        assert (preview_site / page).is_file(), page


def test_the_preview_home_page_lists_only_the_previewed_call(preview_site):
    """The home page links the previewed call and no other."""
    page = (preview_site / "index.html").read_text(encoding="utf-8")
    assert 'href="appels/cpam-flandres-2025/"' in page
    assert "appels/cpam-val-de-marne-2026/" not in page
    assert "appels/occitanie-1000-jours-2021/" not in page


def test_a_preview_of_a_regional_call_includes_its_framework_page(tmp_path):
    """The framework a call names is built too, so the link from the call page works."""
    result = preview_build(ROOT, tmp_path / "site", "occitanie-1000-jours-2021")
    assert result.returncode == 0, result.stderr
    built = subfolders(tmp_path / "site" / "appels")
    assert {"occitanie-1000-jours-2021", "cadre-national-1000-jours-2021"} <= built
    assert "cpam-flandres-2025" not in built


def test_an_invalid_previewed_file_stops_the_build_with_file_and_line(tmp_path):
    """The previewed file is validated as in a full build: file:line:col and the message, no site."""
    bad = (BAD / "dates-out-of-order.yaml").read_text(encoding="utf-8")
    project = project_copy(tmp_path / "project", {"dates-out-of-order.yaml": bad})
    output = tmp_path / "out"
    result = preview_build(project, output, "dates-out-of-order")
    assert result.returncode != 0
    assert "calls/dates-out-of-order.yaml:9:55: milestones[0].when: dates dans le désordre" in result.stderr + result.stdout
    assert not output.exists() or not any(output.iterdir())


def test_a_broken_file_elsewhere_does_not_stop_the_preview(tmp_path):
    """Other files of calls/ are not read: a colleague's unfinished file does not block a preview."""
    bad = (BAD / "dates-out-of-order.yaml").read_text(encoding="utf-8")
    project = project_copy(tmp_path / "project", {"dates-out-of-order.yaml": bad})
    result = preview_build(project, tmp_path / "out", "cpam-flandres-2025")
    assert result.returncode == 0, result.stderr
    assert subfolders(tmp_path / "out" / "appels") == {"cpam-flandres-2025"}


def _expected(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")]


@pytest.mark.parametrize("fixture", sorted(BAD.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_previewed_bad_file_gets_the_same_problems_as_in_a_full_build(tmp_path, fixture):
    """Every bad fixture, previewed alone, reports exactly the problems its ``# expect:`` lines give."""
    root = tmp_path / "calls"
    shutil.copytree(CALLS / "_referentiel", root / "_referentiel")
    shutil.copytree(CALLS / "_sources", root / "_sources")
    for neighbour in ("schema.json", *NEIGHBOURS):
        shutil.copy2(CALLS / neighbour, root / neighbour)
    shutil.copy2(fixture, root / fixture.name)
    with pytest.raises(CallFileError) as error:
        load_corpus(root, only=[fixture.stem])
    assert [str(p) for p in error.value.problems] == _expected(fixture)
