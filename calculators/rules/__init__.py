"""The rule vocabulary: each rule kind is one class that owns everything about it.

A call file lists rules under ``rules.budget`` and ``rules.eligibility``; :func:`build_rule`
turns one mapping into the registered class. A kind's class says, in one place:

- ``from_data``: how it is read from a schema-valid mapping;
- ``check_data``: what the schema alone cannot check in its YAML (references to the
  vocabulary, to the call's milestones and axes), as (path, French message) pairs;
- ``describe``: its French description, one text that the call page, the calculators'
  pages and the checklist all render (:class:`Description`);
- ``fields``: the inputs it reads, as form controls the calculators' pages build
  (:class:`Field`; the finder reads ``reads``, their names);
- ``check``: its evaluation, returning findings.

Adding a call with the same kinds of rules needs no Python; a new kind of rule is one class
here, one branch in ``calls/schema.json`` and one case file ``tests/rules/<kind>.yaml``
(``tests/test_rule_kinds.py`` fails when any of these is missing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

from calculators.report import Severity

if TYPE_CHECKING:
    from calculators.model import Call, Vocabulary

Path = tuple[str | int, ...]
"""Where a value stands in a call file: keys and indexes from the file's top."""


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
    def from_data(cls, data: Mapping[str, Any], default: Severity = "error") -> RuleInfo:
        return cls(data["id"], data["kind"], data["label"], data["reference"], data["quote"],
                   data.get("severity", default))


@dataclass(frozen=True, slots=True)
class Description:
    """A rule in French, as every page states it.

    ``lead`` is a sentence (ending with « : » when ``items`` follow); ``items`` the list it
    introduces; ``notes`` further sentences that pages with room show (a call page, a
    calculator's rule box) and a checklist line leaves out.
    """

    lead: str
    items: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def inline(self) -> str:
        """The description on one line (a checklist's detail)::

        >>> Description("Structures admises :", ("Association", "CCAS")).inline()
        'Structures admises : Association ; CCAS.'
        >>> Description("Durée de 12 mois au plus.").inline()
        'Durée de 12 mois au plus.'
        """
        if not self.items:
            return self.lead
        return f"{self.lead} {' ; '.join(self.items)}."


Control = Literal["select", "amount", "date", "yesno", "checkboxes"]


@dataclass(frozen=True, slots=True)
class Field:
    """One input a rule reads, as the form control that asks it.

    ``name`` is the input's key in the calculator's JSON input (``answers.<id>`` for a yes/no
    question); ``groups`` the choices of a select (option groups) or of checkboxes, as
    (group label, ((value, label), …)); ``scope`` a sentence saying to whom a question is put.
    """

    name: str
    control: Control
    label: str
    hint: str | None = None
    groups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    scope: str | None = None

    def to_data(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name, "control": self.control, "label": self.label}
        if self.hint:
            data["hint"] = self.hint
        if self.groups:
            data["groups"] = [{"label": label, "options": [list(option) for option in options]}
                              for label, options in self.groups]
        if self.scope:
            data["scope"] = self.scope
        return data


class Checks(Protocol):
    """What a kind's ``check_data`` may consult about the call file being checked (callfiles provides it)."""

    @property
    def vocabulary(self) -> Vocabulary: ...

    @property
    def milestones(self) -> Mapping[str, Mapping[str, Any]]:
        """The call's milestones by id, as written (``kind``, ``when``, ``wave``…)."""

    @property
    def call(self) -> Mapping[str, Any]:
        """The whole call file, as written."""

    def known(self, where: Path, value: str, known: Iterable[str], what: str) -> None:
        """Report ``what 'value'`` at ``where`` unless ``value`` is one of ``known``."""

    def problem(self, where: Path, message: str) -> None:
        """Report ``message`` at ``where``."""

    def date(self, where: Path, value: str) -> None:
        """Report an impossible date (« 2025-02-30 ») at ``where``."""


@dataclass(frozen=True, slots=True)
class Rule:
    """The base of every rule kind; subclasses are frozen dataclasses registered with :func:`register`."""

    info: RuleInfo

    family: ClassVar[str]
    kind: ClassVar[str]

    @classmethod
    def from_data(cls, info: RuleInfo, data: Mapping[str, Any]) -> Rule:
        return cls(info)

    @classmethod
    def check_data(cls, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
        """Report what the schema cannot say about one rule mapping (none by default)."""

    def describe(self, call: Call, vocabulary: Vocabulary) -> Description:
        raise NotImplementedError

    def fields(self, call: Call, vocabulary: Vocabulary) -> tuple[Field, ...]:
        """The inputs the rule reads beyond the budget's lines and co-funders (none by default)."""
        return ()

    @property
    def reads(self) -> tuple[str, ...]:
        """Names of the inputs the rule reads (the finder evaluates it over their values)."""
        return ()


REGISTRY: dict[str, dict[str, type[Rule]]] = {"budget": {}, "eligibility": {}}
R = TypeVar("R", bound=type[Rule])


def register(family: str, kind: str) -> Any:
    """Class decorator: register ``cls`` as the rule kind ``kind`` of ``family``."""
    def decorate(cls: R) -> R:
        cls.family, cls.kind = family, kind
        REGISTRY[family][kind] = cls
        return cls
    return decorate


def kinds() -> dict[str, dict[str, type[Rule]]]:
    """Every registered kind, by family (importing the modules that register them)."""
    from calculators.rules import budget, eligibility  # noqa: F401  (registers the kinds)

    return REGISTRY


def build_rule(family: str, data: Mapping[str, Any]) -> Any:
    """Build the rule object for one ``rules.<family>[i]`` mapping."""
    cls = kinds()[family][data["kind"]]
    return cls.from_data(RuleInfo.from_data(data), data)


def check_rule_data(family: str, data: Mapping[str, Any], where: Path, checks: Checks) -> None:
    """Run the cross-checks of one rule mapping's kind (an unknown kind is the schema's to report)."""
    cls = kinds()[family].get(data.get("kind", ""))
    if cls is not None:
        cls.check_data(data, where, checks)


def labels(ids: Iterable[str], names: Mapping[str, str], *, lower: bool = False) -> str:
    """« Médecin, Infirmier » from ids and the vocabulary's names."""
    text = ", ".join(names[i] for i in ids)
    return text.lower() if lower else text


__all__ = ["Checks", "Description", "Field", "Path", "REGISTRY", "Rule", "RuleInfo", "build_rule", "check_rule_data",
           "kinds", "labels", "register"]
