"""The one problem format: ``calls/x.yaml:12:5: rules.budget[1].max: what was expected, what was found``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong in one file, with where it is."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}"


class CallFileError(Exception):
    """Raised when one or more call files are invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        header = f"{count} problem{'s' if count > 1 else ''} in the call files:"
        super().__init__("\n".join([header, *map(str, self.problems)]))
