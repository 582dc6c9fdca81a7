"""Problems written for where they are read: a terminal, a GitHub pull request, a GitLab merge request.

- ``texte``: the build's own lines, ``calls/x.yaml:12:5: path: message``;
- ``github``: one workflow command per problem, ``::error file=…,line=…,col=…,title=…::message``,
  which GitHub Actions shows on that line of the pull request's « Files changed »;
- ``gitlab``: a Code Quality report (JSON), which GitLab shows in the merge request.

File names are those of :class:`~callfiles.problems.Problem`: relative to the folder that holds
``calls/``, the repository root, as a pull request's diff names them.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable

from callfiles.problems import Problem

FORMATS = ("texte", "github", "gitlab")

GITLAB_CHECK = "appels-sante/fichier-appel"
"""``check_name`` of every GitLab issue: they all come from the validation of call files."""

GITLAB_SEVERITY = "blocker"
"""Any problem stops the build, so no call file with one can be published."""


def texte(problems: Iterable[Problem]) -> str:
    """The build's lines, one per problem.

    >>> print(texte([Problem("calls/x.yaml", 3, 7, "title", "attendu un texte")]), end="")
    calls/x.yaml:3:7: title: attendu un texte
    """
    return "".join(f"{problem}\n" for problem in problems)


def _escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF percent-encoded (GitHub's toolkit, ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: as a message, plus ``:`` and ``,`` (``escapeProperty``)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(problems: Iterable[Problem]) -> str:
    """One ``::error`` workflow command per problem; the title is the problem's place in the file.

    >>> print(github([Problem("calls/x.yaml", 42, 7, "rules.budget[1].max_share",
    ...                       "attendu \\"0.05\\" pour 5 %, trouvé 'cinq'")]), end="")
    ::error file=calls/x.yaml,line=42,col=7,title=rules.budget[1].max_share::attendu "0.05" pour 5 %25, trouvé 'cinq'
    """
    lines = []
    for problem in problems:
        title = problem.path or "fichier d'appel"
        properties = ",".join(f"{key}={_escape_property(str(value))}" for key, value in (
            ("file", problem.file), ("line", problem.line), ("col", problem.column), ("title", title)))
        lines.append(f"::error {properties}::{_escape_data(problem.message)}\n")
    return "".join(lines)


def _fingerprint(problem: Problem, occurrence: int) -> str:
    """Stable across runs and line moves (file, place and message; not the line), so GitLab can
    tell a problem the merge request fixed from one it brought; ``occurrence`` tells identical ones apart."""
    key = "\0".join((problem.file, problem.path, problem.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def gitlab(problems: Iterable[Problem]) -> str:
    """A GitLab Code Quality report: a JSON list with one issue per problem.

    >>> report = json.loads(gitlab([Problem("calls/x.yaml", 3, 7, "title", "attendu un texte")]))
    >>> report[0]["description"], report[0]["location"]
    ('title: attendu un texte', {'path': 'calls/x.yaml', 'lines': {'begin': 3}})
    """
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for problem in problems:
        key = (problem.file, problem.path, problem.message)
        seen[key] += 1
        issues.append({
            "description": f"{problem.path}: {problem.message}" if problem.path else problem.message,
            "check_name": GITLAB_CHECK,
            "fingerprint": _fingerprint(problem, seen[key]),
            "severity": GITLAB_SEVERITY,
            "location": {"path": problem.file, "lines": {"begin": problem.line}},
        })
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


WRITERS: dict[str, Callable[[Iterable[Problem]], str]] = {"texte": texte, "github": github, "gitlab": gitlab}
