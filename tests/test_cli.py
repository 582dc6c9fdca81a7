"""The command line: ``python -m calculators budget|eligibility <call-id> <file.json | ->``.

A rule violation is a finding (exit 0, JSON on stdout); invalid input is one French message on
stderr naming the field (exit 2); never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PRODUCT_EXAMPLE, ROOT


def cli(*args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the command line from the repository root; stdout and stderr decoded as UTF-8."""
    result = subprocess.run([sys.executable, "-m", "calculators", *args], cwd=ROOT, capture_output=True, timeout=60,
                            input=stdin.encode() if isinstance(stdin, str) else stdin,
                            env={**os.environ, **(env or {})})
    result.stdout, result.stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in result.stderr, result.stderr
    return result


def write(tmp_path: Path, data: object, name: str = "entree.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def refused(result: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2, nothing on stdout, one French message on stderr containing ``words``."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("erreur") or "erreur :" in message, message
    for word in words:
        assert word in message, (word, message)


def test_a_rule_violation_is_a_finding_with_exit_status_0(tmp_path):
    """A psychologist paid 55 €/h at the CPAM des Flandres: valid JSON, ok false, the cap error on line 0."""
    budget = {"actions": [{"lines": [{"category": "personnel", "profession": "psychologue", "hours": 2, "hourly_rate": "55"}]}]}
    result = cli("budget", "cpam-flandres-2025", write(tmp_path, budget))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    output = json.loads(result.stdout)
    assert output["call"] == "cpam-flandres-2025" and output["ok"] is False
    assert output["totals"]["cost"] == "110.00"
    assert [(f["rule"], f["severity"], f["action"], f["line"]) for f in output["findings"]] == \
        [("plafonds-horaires", "error", 0, 0)]


def test_stdin_dash_reads_the_input_from_standard_input():
    """``-`` reads the budget from stdin: the PRODUCT.md example gives the PRODUCT.md totals."""
    result = cli("budget", "cpam-flandres-2025", "-", stdin=json.dumps(PRODUCT_EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"] == {"cost": "1150.00", "funder": "650.00", "cofunding": "500.00",
                                                   "in_kind": "400.00", "funder_share": "0.5652"}


def test_eligibility_from_a_file_with_a_failing_rule_exits_0(tmp_path):
    """An enterprise is not eligible at the CPAM du Val-de-Marne: a finding, exit 0, eligible false."""
    result = cli("eligibility", "cpam-val-de-marne-2026", write(tmp_path, {"structure_type": "entreprise"}))
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["eligible"] is False
    assert any(f["rule"] == "associations-loi-1901" and f["severity"] == "error" for f in output["findings"])


def test_unknown_call(tmp_path):
    """An unknown call id is refused, naming it."""
    refused(cli("budget", "cpam-inconnue-2030", write(tmp_path, PRODUCT_EXAMPLE)), "appel inconnu", "cpam-inconnue-2030")


def test_unknown_category(tmp_path):
    """An expense category outside the vocabulary is refused, naming the field and the value."""
    budget = {"actions": [{"lines": [{"category": "personel", "amount": "10"}]}]}
    refused(cli("budget", "cpam-flandres-2025", write(tmp_path, budget)),
            "actions[0].lines[0].category", "catégorie inconnue", "personel")


def test_malformed_amount(tmp_path):
    """« abc » is not an amount: refused, naming the field and showing how to write one."""
    budget = {"actions": [{"lines": [{"category": "materiel", "amount": "10"}, {"category": "materiel", "amount": "abc"}]}]}
    refused(cli("budget", "cpam-flandres-2025", write(tmp_path, budget)),
            "actions[0].lines[1].amount", "« abc »", "n'est pas un nombre", "1 234,56")


def test_invalid_json(tmp_path):
    """Text that is not JSON is refused as such."""
    refused(cli("budget", "cpam-flandres-2025", write(tmp_path, '{"actions": [')), "JSON invalide")


def test_empty_standard_input():
    """Nothing on stdin is invalid JSON, not a crash."""
    refused(cli("eligibility", "cpam-flandres-2025", "-", stdin=""), "JSON invalide")


def test_missing_file(tmp_path):
    """A file that does not exist is refused in French, naming the file."""
    missing = str(tmp_path / "absent.json")
    refused(cli("budget", "cpam-flandres-2025", missing), "impossible de lire", missing, "introuvable")


def test_a_directory_instead_of_a_file(tmp_path):
    """A directory given as the input file is refused, naming it."""
    refused(cli("budget", "cpam-flandres-2025", str(tmp_path)), "impossible de lire", str(tmp_path))


def test_a_file_that_is_not_utf8(tmp_path):
    """A Latin-1 file is refused with a message, not a decoding traceback."""
    path = tmp_path / "latin1.json"
    path.write_bytes('{"actions": [{"title": "Activités"}]}'.encode("latin-1"))
    refused(cli("budget", "cpam-flandres-2025", str(path)), "impossible de lire", "UTF-8")


def test_negative_hours(tmp_path):
    """Negative hours are refused, naming the field."""
    budget = {"actions": [{"lines": [{"category": "personnel", "profession": "medecin", "hours": -6, "hourly_rate": "75"}]}]}
    refused(cli("budget", "cpam-flandres-2025", write(tmp_path, budget)), "actions[0].lines[0].hours", "négatif")


def test_unknown_structure_type(tmp_path):
    """An eligibility input with an unknown structure type is refused, naming the field."""
    refused(cli("eligibility", "occitanie-1000-jours-2021", write(tmp_path, {"structure_type": "fondation"})),
            "structure_type", "fondation")


def test_a_lone_surrogate_is_reported_not_crashed_on(tmp_path):
    """A category made of an unpaired UTF-16 surrogate (valid JSON text) ends in a message, not a traceback."""
    refused(cli("budget", "cpam-flandres-2025", write(tmp_path, '{"actions": [{"lines": [{"category": "\\ud800"}]}]}')),
            "actions[0].lines[0].category")


def test_a_missing_calls_directory(tmp_path):
    """A ``--calls`` folder that does not exist is reported, not a traceback."""
    result = cli("budget", "cpam-flandres-2025", "-", "--calls", str(tmp_path / "nulle-part"), stdin="{}")
    assert result.returncode == 2 and result.stdout == "" and result.stderr.strip()


@pytest.mark.parametrize("args", [["budgets", "cpam-flandres-2025", "-"], ["budget"], []])
def test_bad_arguments(args):
    """Wrong arguments: exit 2 with the usage, no traceback."""
    result = cli(*args, stdin="{}")
    assert result.returncode == 2 and "usage" in result.stderr


def test_the_cli_explains_why_a_ccas_is_refused_by_the_occitan_call():
    """A CCAS of Toulouse gets, on the command line too, the refusal with the neighbouring type and the call's words."""
    result = cli("eligibility", "occitanie-1000-jours-2021", "-", stdin='{"structure_type": "ccas", "department": "31"}')
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["eligible"] is False
    [refusal] = [f for f in output["findings"] if f["rule"] == "structures-eligibles"]
    assert ("L'appel admet « Collectivité territoriale » mais pas « Centre communal d'action sociale (CCAS) »"
            in refusal["message"])
    assert "aux collectivités locales" in refusal["message"]
