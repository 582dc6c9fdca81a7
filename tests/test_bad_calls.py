"""One small bad call file per validation error, with the exact message expected beside it.

Each file in ``tests/bad_calls/`` starts with ``# expect: <problem>`` lines: the loader must
report exactly those problems (file:line:col: path: message) and build nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CALLS

from callfiles.corpus import load_corpus
from callfiles.problems import CallFileError

BAD = Path(__file__).resolve().parent / "bad_calls"


def _expected(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")]


# The real calls that fixtures refer to (a framework and a plain call).
NEIGHBOURS = ("cadre-national-1000-jours-2021.yaml", "cpam-flandres-2025.yaml")


def calls_with(tmp_path: Path, name: str, content: bytes) -> Path:
    """A calls/ folder with the referentiel, the source texts, the schema, a few real calls and one extra file."""
    root = tmp_path / "calls"
    shutil.copytree(CALLS / "_referentiel", root / "_referentiel")
    shutil.copytree(CALLS / "_sources", root / "_sources")
    for neighbour in ("schema.json", *NEIGHBOURS):
        shutil.copy2(CALLS / neighbour, root / neighbour)
    (root / name).write_bytes(content)
    return root


@pytest.mark.parametrize("fixture", sorted(BAD.glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_call_file_is_refused_with_its_message(tmp_path, fixture):
    """The loader reports every expected problem, and only those, with file:line:col."""
    root = calls_with(tmp_path, fixture.name, fixture.read_bytes())
    with pytest.raises(CallFileError) as caught:
        load_corpus(root)
    assert [str(p) for p in caught.value.problems] == _expected(fixture)


@pytest.mark.parametrize("fixture", sorted((BAD / "financeurs").glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_funders_file_is_refused_with_its_message(tmp_path, fixture):
    """A funders' file with a bad contact is refused with file:line:col, like a call file."""
    root = calls_with(tmp_path, "cpam-flandres-2025.yaml", (CALLS / "cpam-flandres-2025.yaml").read_bytes())
    (root / "_referentiel" / "financeurs.yaml").write_bytes(fixture.read_bytes())
    with pytest.raises(CallFileError) as caught:
        load_corpus(root)
    assert [str(p) for p in caught.value.problems] == _expected(fixture)


def test_every_fixture_states_what_it_expects():
    """A fixture without an expectation would test nothing."""
    assert all(_expected(f) for f in (*BAD.glob("*.yaml"), *BAD.glob("financeurs/*.yaml")))
    assert len(list(BAD.glob("financeurs/*.yaml"))) >= 3
    assert len(list(BAD.glob("*.yaml"))) >= 18


def test_non_utf8_bytes_are_reported_at_their_position(tmp_path):
    """Latin-1 bytes in a call file give the line and column of the first bad byte."""
    root = calls_with(tmp_path, "latin1.yaml", "id: latin1\ntitle: \"Caf\xe9\"\n".encode("latin-1"))
    with pytest.raises(CallFileError) as caught:
        load_corpus(root)
    assert [str(p) for p in caught.value.problems] == [
        "calls/latin1.yaml:2:12: le fichier n'est pas en UTF-8 (octet 0xe9) ; enregistrez-le en UTF-8"]


def test_a_huge_file_is_refused_before_parsing(tmp_path):
    """A 50 MB file is refused on its size, without reading it into the YAML parser."""
    root = calls_with(tmp_path, "huge.yaml", b"# " + b"x" * (50 * 1024 * 1024))
    with pytest.raises(CallFileError) as caught:
        load_corpus(root)
    assert [str(p) for p in caught.value.problems] == [
        "calls/huge.yaml:1:1: fichier trop gros : 52428802 octets, au plus 1000000 octets attendus"]


def test_a_billion_laughs_file_is_refused_quickly(tmp_path):
    """Nested aliases are refused at the first anchor, never expanded."""
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    root = calls_with(tmp_path, "lol.yaml", "\n".join(levels).encode())
    with pytest.raises(CallFileError) as caught:
        load_corpus(root)
    messages = {p.message for p in caught.value.problems}
    assert messages == {"les ancres et alias YAML (&, *) sont interdits ; écrivez la valeur en entier"}
    assert len(caught.value.problems) == 10


def test_a_file_named_with_capitals_is_refused(tmp_path):
    """The file name is the id, so it must be a valid id."""
    root = calls_with(tmp_path, "Appel-CPAM.yaml", b"id: x\n")
    with pytest.raises(CallFileError) as caught:
        load_corpus(root)
    assert [str(p) for p in caught.value.problems] == [
        "calls/Appel-CPAM.yaml:1:1: le nom de fichier 'Appel-CPAM' n'est pas un identifiant valide : "
        "utilisez des minuscules ASCII, des chiffres et des tirets"]


def test_an_unknown_structure_neighbour_in_the_vocabulary_is_refused_with_its_line(tmp_path):
    """structure_neighbours naming an unknown type, or missing its advice, stops the load at file:line."""
    root = calls_with(tmp_path, "extra.yaml", b"")
    (root / "extra.yaml").unlink()  # only the referentiel is wrong
    vocabulary = root / "_referentiel" / "vocabulaire.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    text = text.replace("    - admitted: collectivite\n", "    - admitted: commune\n", 1)
    text = text.replace("structure_neighbours:\n", "structure_neighbours:\n  fondation: []\n"
                        "  msp:\n    - {admitted: cpts, explanation: \"x\", reference: \"y\"}\n", 1)
    vocabulary.write_text(text, encoding="utf-8")
    with pytest.raises(CallFileError) as caught:
        load_corpus(root)
    lines = text.splitlines()
    fondation, msp, commune = (lines.index(line) + 1 for line in (
        "  fondation: []", "    - {admitted: cpts, explanation: \"x\", reference: \"y\"}", "    - admitted: commune"))
    where = "calls/_referentiel/vocabulaire.yaml"
    assert [str(p) for p in caught.value.problems] == [
        f"{where}:{fondation}:14: structure_neighbours.fondation: type de structure inconnu 'fondation'",
        f"{where}:{msp}:7: structure_neighbours.msp[0]: attendu les textes admitted, explanation, advice, reference",
        f"{where}:{commune}:17: structure_neighbours.ccas[0].admitted: type de structure inconnu 'commune'",
    ]
