"""The check-kind registry: ``@check`` is the one place that knows a kind.

A kind declares its name, its parameters (validated in profiles), the reads it needs (collected for it
in one batch) and its scope: one environment at a time, or a comparison across the run's environments.
Kinds from outside the package register the same way, before the profile is validated: see
docs/checks.md#your-own-kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

from pytest_intacct.evidence.reads import Need, Subject
from pytest_intacct.evidence.snapshot import Reading, Snapshot
from pytest_intacct.profiles import Param, Profile, Requirement
from pytest_intacct.results.finding import Finding


@dataclass(frozen=True)
class EnvironmentContext:
    """What a per-environment check sees: its requirement, the profile, this environment and its readings."""

    requirement: Requirement
    profile: Profile
    snapshot: Snapshot
    readings: Mapping[str, Reading]

    @property
    def params(self) -> Mapping[str, Any]:
        return self.requirement.params

    def reading(self, name: str) -> Reading:
        """The reading the kind declared under ``name``; LookupError if it did not apply here."""
        try:
            return self.readings[name]
        except KeyError:
            raise LookupError(f"no reading {name!r} for requirement {self.requirement.id!r}") from None


@dataclass(frozen=True)
class AcrossContext:
    """What a cross-environment check sees: its requirement, the profile, and every environment's snapshot."""

    requirement: Requirement
    profile: Profile
    snapshots: Sequence[Snapshot]

    @property
    def params(self) -> Mapping[str, Any]:
        return self.requirement.params


EnvironmentCheck = Callable[[EnvironmentContext], Finding]
AcrossCheck = Callable[[AcrossContext], Finding]
# A kind's own rules on a requirement's params (already of the declared types): the problems, if any.
Rules = Callable[[Mapping[str, Any]], Sequence[str]]


@dataclass(frozen=True)
class Kind:
    """A registered check kind (``evaluate`` picks the function by ``across_environments``)."""

    name: str
    params: Mapping[str, Param]
    reads: tuple[Need, ...]
    across_environments: bool
    per_environment: EnvironmentCheck | None = field(default=None, repr=False)
    across: AcrossCheck | None = field(default=None, repr=False)
    rules: Rules | None = field(default=None, repr=False)

    def problems(self, params: Mapping[str, Any]) -> Sequence[str]:
        """What the kind's own rules find wrong with a requirement's params (profile validation)."""
        return self.rules(params) if self.rules is not None else ()


KINDS: dict[str, Kind] = {}


@overload
def check(
    name: str,
    *,
    params: Mapping[str, Param] | None = ...,
    reads: Sequence[Need] = ...,
    across_environments: Literal[False] = ...,
    rules: Rules | None = ...,
) -> Callable[[EnvironmentCheck], EnvironmentCheck]: ...


@overload
def check(
    name: str,
    *,
    params: Mapping[str, Param] | None = ...,
    reads: Sequence[Need] = ...,
    across_environments: Literal[True],
    rules: Rules | None = ...,
) -> Callable[[AcrossCheck], AcrossCheck]: ...


def check(
    name: str,
    *,
    params: Mapping[str, Param] | None = None,
    reads: Sequence[Need] = (),
    across_environments: bool = False,
    rules: Rules | None = None,
) -> Callable[[Any], Any]:
    """Register a check function as the kind ``name`` that profiles use; a name is registered once.
    ``rules`` checks what the params' types cannot say (which combinations make sense)."""
    names = [need.name for need in reads]
    if len(set(names)) != len(names):
        raise ValueError(f"check {name!r} declares a reading name twice: {names}")
    if across_environments and reads:
        raise ValueError(f"check {name!r} compares snapshots; it cannot declare reads of its own")

    def register(function: Callable[..., Finding]) -> Callable[..., Finding]:
        if name in KINDS:
            raise ValueError(f"check kind {name!r} is already registered")
        KINDS[name] = Kind(
            name=name,
            params=dict(params or {}),
            reads=tuple(reads),
            across_environments=across_environments,
            per_environment=None if across_environments else function,
            across=function if across_environments else None,
            rules=rules,
        )
        return function

    return register


def subject_of(snapshot: Snapshot) -> Subject:
    return Subject(
        snapshot.user_id, snapshot.developer_user_id, snapshot.auditor_user_id, snapshot.rest_username
    )
