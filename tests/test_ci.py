"""Pull-request checks: ``python -m callfiles`` and the CI files of GitHub and GitLab that run it.

The annotations and the Code Quality report are compared with the problems the build itself
reports for the same files (``load_corpus``, and once ``mkdocs build``), never with copied output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CALLS, ROOT, build_copy, project_copy
from test_bad_calls import BAD, calls_with

from callfiles.__main__ import main
from callfiles.corpus import load_corpus
from callfiles.problems import CallFileError, Problem
from callfiles.reports import github, gitlab

FIXTURES = sorted(BAD.glob("*.yaml"))
WORKFLOWS = ROOT / ".github" / "workflows"
SHA_PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}\Z")


def build_problems(root: Path) -> list[Problem]:
    """The problems the build reports for the calls folder ``root`` (its ``on_config`` hook runs this)."""
    with pytest.raises(CallFileError) as caught:
        load_corpus(root)
    return caught.value.problems


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse_annotations(output: str) -> list[dict[str, str]]:
    """The ``::error`` workflow commands of ``output``, as GitHub reads them (properties and message unescaped)."""
    annotations = []
    for line in output.splitlines():
        match = re.fullmatch(r"::error (?P<properties>[^:]*)::(?P<message>.*)", line)
        assert match, f"not a workflow command: {line!r}"
        properties = dict(item.split("=", 1) for item in match["properties"].split(","))
        annotations.append({key: _unescape(value) for key, value in properties.items()}
                           | {"message": _unescape(match["message"])})
    return annotations


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


# --- the annotations and the report, on every bad fixture ----------------------------------

@pytest.fixture(params=FIXTURES, ids=lambda p: p.stem)
def bad_calls(request, tmp_path) -> tuple[Path, list[Problem]]:
    """A calls/ folder holding one bad fixture, and the problems the build reports for it."""
    fixture: Path = request.param
    root = calls_with(tmp_path, fixture.name, fixture.read_bytes())
    return root, build_problems(root)


def test_each_problem_is_one_github_annotation_on_its_file_line_and_column(capsys, bad_calls):
    """A bad fixture gives one ``::error`` per problem the build reports, at the same file, line and column."""
    root, expected = bad_calls
    status, out, err = run(capsys, str(root), "--format", "github")
    assert status == 1
    annotations = parse_annotations(out)
    assert [(a["file"], int(a["line"]), int(a["col"]), a["message"]) for a in annotations] == \
        [(p.file, p.line, p.column, p.message) for p in expected]
    assert [a["title"] for a in annotations] == [p.path or "fichier d'appel" for p in expected]
    # Paths as the pull request's diff names them: relative to the folder holding calls/.
    assert all(a["file"].startswith("calls/") and (root.parent / a["file"]).is_file() for a in annotations)
    assert f"{len(expected)} problème" in err


def test_the_gitlab_report_is_valid_code_quality_json_with_one_issue_per_problem(capsys, bad_calls):
    """Valid JSON, the fields GitLab requires, one issue per problem at its file and line, distinct fingerprints."""
    root, expected = bad_calls
    status, out, _ = run(capsys, str(root), "--format", "gitlab")
    assert status == 1
    issues = json.loads(out)
    assert len(issues) == len(expected)
    for issue, problem in zip(issues, expected, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"] == {"path": problem.file, "lines": {"begin": problem.line}}
        assert problem.message in issue["description"] and issue["description"].startswith(problem.path)
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_the_build_and_the_annotations_report_the_same_problems(tmp_path, capsys):
    """``mkdocs build --strict`` of a project with a bad file prints exactly the lines the annotations point at."""
    fixture = BAD / "several-problems.yaml"
    project = project_copy(tmp_path / "project", {fixture.name: fixture.read_text(encoding="utf-8")})
    result = build_copy(project, tmp_path / "site")
    assert result.returncode != 0
    status, out, _ = run(capsys, str(project / "calls"), "--format", "github")
    assert status == 1
    annotations = parse_annotations(out)
    assert len(annotations) >= 2
    for a in annotations:
        title = "" if a["title"] == "fichier d'appel" else f"{a['title']}: "
        assert f"{a['file']}:{a['line']}:{a['col']}: {title}{a['message']}\n" in result.stdout + result.stderr + "\n"


# --- the formats themselves -------------------------------------------------------------------

def test_github_escapes_what_would_break_the_command():
    """%, CR and LF are encoded in the message; in properties, also : and , (GitHub's toolkit rules)."""
    problem = Problem("calls/a,b.yaml", 3, 4, "rules: x, y", "100 % sûr\r\nligne 2: a, b")
    line = github([problem])
    assert line == ("::error file=calls/a%2Cb.yaml,line=3,col=4,title=rules%3A x%2C y"
                    "::100 %25 sûr%0D%0Aligne 2: a, b\n")
    [annotation] = parse_annotations(line)
    assert annotation == {"file": "calls/a,b.yaml", "line": "3", "col": "4", "title": "rules: x, y",
                          "message": "100 % sûr\r\nligne 2: a, b"}


def test_a_fingerprint_survives_lines_moving_and_tells_twins_apart():
    """GitLab matches issues between branches by fingerprint: a moved line keeps it, two equal problems differ."""
    before = json.loads(gitlab([Problem("calls/x.yaml", 3, 1, "title", "attendu un texte")]))
    after = json.loads(gitlab([Problem("calls/x.yaml", 9, 5, "title", "attendu un texte"),
                               Problem("calls/x.yaml", 12, 5, "title", "attendu un texte")]))
    assert before[0]["fingerprint"] == after[0]["fingerprint"]
    assert after[0]["fingerprint"] != after[1]["fingerprint"]
    assert [issue["location"]["lines"]["begin"] for issue in after] == [9, 12]


def test_the_seed_calls_are_valid_in_every_format(capsys):
    """The project's calls/: exit 0, nothing in texte or github, an empty list for gitlab."""
    assert run(capsys, "--format", "texte")[:2] == (0, "")
    assert run(capsys, "--format", "github")[:2] == (0, "")
    status, out, err = run(capsys, "--format", "gitlab")
    assert (status, json.loads(out)) == (0, [])
    assert err.startswith("Aucun problème")


def test_the_command_line_writes_the_report_to_a_file_and_the_problems_to_the_log(tmp_path):
    """``python -m callfiles --format gitlab --sortie f``: the report in f, the build's lines on stdout, exit 1."""
    fixture = BAD / "unknown-key.yaml"
    root = calls_with(tmp_path, fixture.name, fixture.read_bytes())
    expected = build_problems(root)
    report = tmp_path / "gl-code-quality-report.json"
    result = subprocess.run([sys.executable, "-m", "callfiles", str(root), "--format", "gitlab", "--sortie", str(report)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines() == [str(p) for p in expected]
    assert [i["location"]["lines"]["begin"] for i in json.loads(report.read_text(encoding="utf-8"))] == \
        [p.line for p in expected]


def test_a_missing_folder_or_a_bad_option_is_one_french_line_and_exit_2(tmp_path, capsys):
    """No traceback, no report: exit 2 and what went wrong."""
    status, out, err = run(capsys, str(tmp_path / "absent"))
    assert (status, out) == (2, "")
    assert err.startswith("erreur :") and "absent" in err
    with pytest.raises(SystemExit) as caught:
        main(["--format", "sarif"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "erreur : argument --format: format inconnu 'sarif' ; formats possibles : texte, github, gitlab" in err
    assert err.startswith("utilisation : python -m callfiles")


# --- the workflow files -------------------------------------------------------------------------

def _linter() -> str:
    found = shutil.which("jactionlint") or shutil.which("jactionlint", path=str(Path(sys.executable).parent))
    assert found, "jactionlint is missing: bash scripts/dev.sh setup installs the test extras"
    return found


def lint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_linter(), "--no-color", "--shellcheck=", "--pyflakes=", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_the_github_workflows_pass_the_linter():
    """jactionlint (actionlint's checks, plus permissions, pinning and injection rules) finds nothing."""
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in WORKFLOWS.glob("*.yml")} == {"verifier.yml", "publier.yml"}


def test_the_linter_would_catch_a_broken_workflow(tmp_path):
    """The linter test can fail: a job needing one that does not exist, an unpinned action."""
    broken = (WORKFLOWS / "verifier.yml").read_text(encoding="utf-8")
    broken = broken.replace("    runs-on: ubuntu-24.04\n", "    runs-on: ubuntu-24.04\n    needs: absent\n", 1)
    broken = re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v5", broken)
    (tmp_path / "broken.yml").write_text(broken, encoding="utf-8")
    result = lint(str(tmp_path / "broken.yml"), cwd=tmp_path)
    assert result.returncode != 0
    assert "absent" in result.stdout and "actions/checkout@v5" in result.stdout


def _workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_a_pull_request_is_validated_with_annotations_then_built_strictly():
    """On pull_request: Python 3.11, Node 20, the project's setup, the github format, a strict build; read-only."""
    workflow = _workflow("verifier.yml")
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    steps = _steps(workflow)
    runs = [step.get("run", "") for step in steps]
    assert runs.index("bash scripts/dev.sh setup") < runs.index(".venv/bin/python -m callfiles --format github") \
        < runs.index(".venv/bin/mkdocs build --strict")
    withs = {step["uses"].split("@")[0]: step.get("with", {}) for step in steps if "uses" in step}
    assert withs["actions/setup-python"]["python-version"] == "3.11"
    assert withs["actions/setup-node"]["node-version"] == "20"


def test_main_is_published_to_pages_with_the_least_permissions():
    """On push to main: build with read access, deploy with only pages and id-token; every action pinned by SHA."""
    workflow = _workflow("publier.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {}
    build, deploy = workflow["jobs"]["construire"], workflow["jobs"]["deployer"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "construire" and deploy["environment"]["name"] == "github-pages"
    uses = {step["uses"].split("@")[0]: step for step in _steps(workflow) if "uses" in step}
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "site/"
    assert "actions/deploy-pages" in {s["uses"].split("@")[0] for s in deploy["steps"]}
    assert ".venv/bin/python -m callfiles --format github" in [s.get("run") for s in build["steps"]]
    for name in ("verifier.yml", "publier.yml"):
        for step in _steps(_workflow(name)):
            assert "uses" not in step or SHA_PINNED.match(step["uses"]), step["uses"]


# --- GitLab CI --------------------------------------------------------------------------------------

GITLAB_KEYWORDS = {"default", "include", "stages", "variables", "workflow", "spec"}


def test_the_gitlab_pipeline_validates_with_a_code_quality_report_builds_and_publishes_pages():
    """Valid YAML; a validation job whose report GitLab reads (even on failure), a strict build, and pages from main."""
    pipeline = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    jobs = {name: job for name, job in pipeline.items() if name not in GITLAB_KEYWORDS}
    assert set(jobs) == {"verifier-appels", "construire", "pages"}
    for name, job in jobs.items():
        assert job["stage"] in pipeline["stages"], name
        assert job["script"], name
    check = jobs["verifier-appels"]
    [command] = check["script"]
    report = re.fullmatch(r"\.venv/bin/python -m callfiles --format gitlab --sortie (\S+)", command)
    assert report and check["artifacts"]["reports"]["codequality"] == report[1]
    assert check["artifacts"]["when"] == "always"
    assert any("mkdocs build --strict" in line for line in jobs["construire"]["script"])
    pages = jobs["pages"]
    assert any(re.search(r"mkdocs build --strict -d public\b", line) for line in pages["script"])
    assert pages["artifacts"]["paths"] == ["public"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert "bash scripts/dev.sh setup" in pipeline["default"]["before_script"]
    assert pipeline["default"]["image"].startswith("node:20-")


def test_the_workflow_command_validates_the_project_as_written():
    """The validation step of the GitHub workflow, run as written from the repository root, passes on calls/."""
    [command] = [s["run"] for s in _steps(_workflow("verifier.yml")) if "callfiles --format github" in s.get("run", "")]
    python = Path(sys.executable)
    env = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(["bash", "-c", command.replace(".venv/bin/python", str(python))], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "" and "Aucun problème" in result.stderr
    assert len(list(CALLS.glob("*.yaml"))) > 0
