"""Findings: what the calculators say about an input, as data (evaluation never raises)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation tied to one rule of the call, and to a budget line when it concerns one."""

    severity: Severity
    rule: str
    message: str
    reference: str
    action: int | None = None
    line: int | None = None

    def to_data(self) -> dict[str, object]:
        return {"severity": self.severity, "rule": self.rule, "action": self.action, "line": self.line,
                "message": self.message, "reference": self.reference}


def sort_findings(findings: list[Finding], rule_order: dict[str, int]) -> list[Finding]:
    """Budget-wide findings first, then by action and line; within a place, by rule order."""
    def key(finding: Finding) -> tuple[int, int, int, int, int]:
        return (-1 if finding.action is None else finding.action,
                -1 if finding.line is None else finding.line,
                rule_order.get(finding.rule, 999), SEVERITY_ORDER[finding.severity], 0)
    return sorted(findings, key=key)


class InputError(ValueError):
    """The input cannot be evaluated (unknown category, malformed amount…): not a finding.

    ``field`` is the dotted path of the offending value, e.g. ``actions[0].lines[2].hours``.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)

    def to_data(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}
