"""What a loaded profile is: its requirements, the parameter specs of check kinds, and the one error a
profile's problems make together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from pytest_intacct.profiles.names import AREAS

ACROSS_ENVIRONMENTS_AREA = "across-environments"
ENVIRONMENT_KINDS = ("all", "test", "production")
ParamType = Literal["string", "strings", "choice", "grant"]
# What a parameter names, checked against Intacct's vocabulary (profiles/vocabulary.py): a policy is looked
# up in the requirement's ``application``, a right in its ``policy``.
Vocabulary = Literal["application", "policy", "right", "object", "user-type", "admin", "status"]


@dataclass(frozen=True)
class Param:
    """A check kind's parameter: ``string``, ``strings`` (a non-empty list of them), ``choice``, or ``grant``
    (``"All"``, ``"Read-only"``/``"Read"``, or a list of rights). With ``vocabulary``, each name it holds is
    checked against Intacct's (a near miss is a problem, an unknown name a warning)."""

    type: ParamType = "string"
    required: bool = True
    may_be_empty: bool = False  # for a string: "" is a meaningful value
    choices: tuple[str, ...] = ()
    vocabulary: Vocabulary | None = None


class KindSpec(Protocol):
    """What validation needs of a check kind (the registry in ``pytest_intacct.checks`` provides it)."""

    @property
    def params(self) -> Mapping[str, Param]: ...

    @property
    def across_environments(self) -> bool: ...

    def problems(self, params: Mapping[str, Any]) -> Sequence[str]:
        """What the kind's own rules find wrong with a requirement's params (already of the right types)."""
        ...


class ProfileWarning(UserWarning):
    """A profile names something the catalogue of Intacct names does not know: checked as written, said."""


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file, the requirement and the offending key.
    A profile with several problems is one error listing them all (:meth:`listing`)."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems) or (message,)

    @classmethod
    def listing(cls, where: str, problems: Sequence[str]) -> ProfileError:
        """One error for every problem of one profile: ``where: problem``, or numbered when there are more."""
        if len(problems) == 1:
            return cls(f"{where}: {problems[0]}", problems)
        numbered = "\n".join(f"  {n}. {problem}" for n, problem in enumerate(problems, 1))
        return cls(f"{where}: {len(problems)} problems:\n{numbered}", problems)


@dataclass(frozen=True)
class Requirement:
    """One documented runbook requirement, checked by the check kind ``check`` with ``params``."""

    id: str
    title: str
    runbook_step: str
    severity: str
    area: str
    check: str
    params: Mapping[str, Any] = field(hash=False)
    remediation: str
    environments: str = "all"
    when: str | None = None

    @property
    def across_environments(self) -> bool:
        """Whether the requirement compares environments; validation makes area and kind agree on it."""
        return self.area == ACROSS_ENVIRONMENTS_AREA


@dataclass(frozen=True)
class Custom:
    """Names the customer's own company defines (custom objects, user-defined dimensions and their
    policies): declared in the profile's ``[custom]`` table, they are not Intacct's vocabulary."""

    objects: frozenset[str] = frozenset()
    policies: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Profile:
    """A runbook as an ordered set of requirements."""

    name: str
    title: str
    source: str
    path: Path
    parameters: Mapping[str, str | bool | int | float] = field(hash=False)
    requirements: tuple[Requirement, ...]
    custom: Custom = Custom()

    def requirement(self, requirement_id: str) -> Requirement:
        """The requirement with this id; KeyError if the profile has none."""
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(f"profile {self.name!r} has no requirement {requirement_id!r}")

    def by_area(self, area: str) -> tuple[Requirement, ...]:
        """The requirements of one area (suite file), in profile order."""
        if area not in AREAS:
            raise ValueError(f"unknown area {area!r}; areas: {', '.join(AREAS)}")
        return tuple(requirement for requirement in self.requirements if requirement.area == area)
