"""The project stands on its own: a clone alone builds and tests, nothing reads outside its tree."""

from __future__ import annotations

import subprocess

from conftest import ROOT

# Built from pieces so that this file does not name them itself.
OUTSIDE = ("../" + "shared", "shared/" + "seeds", "/work/" + "main", "/work/" + "shared")


def _project_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    return [name for name in listed if (ROOT / name).is_file()]


def test_no_file_of_the_project_names_a_path_outside_its_tree():
    """No source, test, script, document or call file refers to a sibling folder of the clone."""
    offenders = []
    for name in _project_files():
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{name}: {needle}" for needle in OUTSIDE if needle in text]
    assert offenders == []


def test_the_check_sees_a_file_naming_the_outside():
    """The needles do match a path written the way the old tests wrote it."""
    line = 'open("' + "../" + "shared/" + 'seeds/x.txt")'
    assert [needle for needle in OUTSIDE if needle in line] == ["../" + "shared", "shared/" + "seeds"]
