"""The rule vocabulary: each rule kind is a small class registered under its YAML name.

A call file lists rules under ``rules.budget`` and ``rules.eligibility``; :func:`build_rule`
turns one mapping into the registered class. Adding a call with the same kinds of rules
needs no Python; a new kind of rule is one class here and one branch in the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from calculators.report import Severity


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What every rule carries: id, French label, reference and quote of the call text."""

    id: str
    kind: str
    label: str
    reference: str
    quote: str
    severity: Severity

    @classmethod
    def from_data(cls, data: Mapping[str, Any], default: Severity = "error") -> "RuleInfo":
        return cls(data["id"], data["kind"], data["label"], data["reference"], data["quote"],
                   data.get("severity", default))


REGISTRY: dict[str, dict[str, Callable[[RuleInfo, Mapping[str, Any]], Any]]] = {"budget": {}, "eligibility": {}}
T = TypeVar("T")


def register(family: str, kind: str) -> Callable[[T], T]:
    """Class decorator: make ``cls.from_data`` the builder of rules of ``kind``."""
    def decorate(cls: T) -> T:
        REGISTRY[family][kind] = cls.from_data  # type: ignore[attr-defined]
        return cls
    return decorate


def build_rule(family: str, data: Mapping[str, Any]) -> Any:
    """Build the rule object for one ``rules.<family>[i]`` mapping."""
    from calculators.rules import budget, eligibility  # noqa: F401  (registers the kinds)

    builder = REGISTRY[family][data["kind"]]
    return builder(RuleInfo.from_data(data), data)
